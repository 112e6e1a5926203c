package kql_test

import (
	"context"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// needleSpy is a source that records the scan spec it is asked for.
type needleSpy struct {
	data.TableSource
	spec *data.ScanSpec
}

func (s needleSpy) ScanSpec(ctx context.Context, spec data.ScanSpec, emit func(data.Row) error) error {
	*s.spec = spec
	return s.Scan(ctx, nil, emit)
}

// TestNeedleTerms checks which predicates give needles of has terms
// (data.Needle.Terms): has and equality, alone or over lists, but not the
// substring operators or a regular expression, whose literal may sit
// inside a longer term.
func TestNeedleTerms(t *testing.T) {
	tab := &data.Table{Name: "T", Columns: []data.Column{{Name: "C", Type: data.String}}}
	for _, c := range []struct {
		where string
		terms []bool // per needle
	}{
		{`C has "copy"`, []bool{true}},
		{`C has_cs "copy"`, []bool{true}},
		{`C == "rclone.exe"`, []bool{true}},
		{`C =~ "rclone.exe"`, []bool{true}},
		{`C in~ ("rclone.exe", "rclone")`, []bool{true}},
		{`C has_any ("copy", "sync")`, []bool{true}},
		{`C has_all ("copy", "ignore-existing")`, []bool{true}},
		{`C contains "copy"`, []bool{false}},
		{`C startswith "copy"`, []bool{false}},
		{`C hasprefix "copy"`, []bool{false}},
		{`C matches regex "copy[0-9]"`, []bool{false}},
		{`C has "copy" or C contains "sync"`, []bool{true, false}},
	} {
		var spec data.ScanSpec
		env := &kql.Env{Tables: []data.Source{needleSpy{data.TableSource{T: tab}, &spec}}}
		prog, err := kql.Compile("T | where "+c.where, env)
		if err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		if _, err := prog.Run(context.Background()); err != nil {
			t.Fatalf("%s: %v", c.where, err)
		}
		var got []bool
		for _, n := range spec.Needles {
			got = append(got, n.Terms)
		}
		if len(got) != len(c.terms) {
			t.Errorf("%s: needles %+v, want %d", c.where, spec.Needles, len(c.terms))
			continue
		}
		for i := range got {
			if got[i] != c.terms[i] {
				t.Errorf("%s: needle %+v has Terms %v, want %v", c.where, spec.Needles[i], got[i], c.terms[i])
			}
		}
	}
}
