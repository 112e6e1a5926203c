package kql_test

import (
	"context"
	"fmt"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// TestExplain checks that the spans of a result row come from the query's
// own predicates: the terms has_all matched, the contains substring, an
// equality's whole value, a regex match; nothing from a negated predicate
// or from a branch that did not match.
func TestExplain(t *testing.T) {
	cmd := `rclone.exe copy C:\data mega:x --ignore-existing --auto-confirm`
	tbl := &data.Table{Name: "P", Columns: []data.Column{{Name: "FileName", Type: data.String}, {Name: "Cmd", Type: data.String}},
		Rows: []data.Row{{data.NewString("rclone.exe"), data.NewString(cmd)}}}
	env := &kql.Env{Tables: []data.Source{data.TableSource{T: tbl}}}
	cases := []struct {
		query string
		want  string
	}{
		{`P | where Cmd has_all ("copy", "ignore-existing", "auto-confirm")`, `[Cmd 11:15 Cmd 33:48 Cmd 51:63]`},
		{`P | where Cmd contains "rclone.exe copy" or FileName == "rclone.exe"`, `[FileName 0:10 Cmd 0:15]`},
		{`P | where FileName =~ "RCLONE.EXE" and Cmd matches regex @"mega:\S+"`, `[FileName 0:10 Cmd 24:30]`},
		{`P | where Cmd !has "robocopy" and not(Cmd has "mega") or Cmd has "copy"`, `[Cmd 11:15]`},
		{`P | where Cmd has "sync" or Cmd has "copy"`, `[Cmd 11:15]`},
		{`P | where FileName in~ ("RClone.exe", "x") | project Cmd`, `[]`},
	}
	for _, tc := range cases {
		prog, err := kql.Compile(tc.query, env)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		res, err := prog.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res[0].Table.Rows) != 1 {
			t.Fatalf("%s: %d rows", tc.query, len(res[0].Table.Rows))
		}
		spans := prog.Explain(res[0].Table.Columns, res[0].Table.Rows[0])
		got := "["
		for i, s := range spans {
			if i > 0 {
				got += " "
			}
			got += fmt.Sprintf("%s %d:%d", s.Column, s.Start, s.End)
		}
		got += "]"
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.query, got, tc.want)
		}
	}
}
