package kql_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// The seed test runs the rclone hunt of shared/seeds/000_29213a523839aa2a.txt
// unchanged and checks exactly which rows it returns.

const seedNow = "2025-09-10T00:00:00Z"

// seedQuery extracts the query text of a seed file: the lines between the
// line "Query" and the line starting "//Flags for copy command", verbatim.
func seedQuery(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	start, end := -1, -1
	for i, l := range lines {
		if start < 0 && l == "Query" {
			start = i + 1
			continue
		}
		if start >= 0 && strings.HasPrefix(l, "//Flags for copy command") {
			end = i
			break
		}
	}
	if start < 0 || end < 0 {
		t.Fatalf("%s: no query between \"Query\" and \"//Flags for copy command\"", path)
	}
	return strings.Join(lines[start:end], "\n")
}

// seedRow is one event of the seed's table: an id to recognise it, its age
// in days before now, the file name and the command line.
type seedRow struct {
	id      int64
	ageDays float64
	file    string
	cmd     string
	match   bool // whether the seed query must return it
	why     string
}

var seedRows = []seedRow{
	{1, 5, "svc.exe", `C:\ProgramData\svc.exe copy C:\Users\alice\Documents remote:exfil --ignore-existing --auto-confirm --transfers 8`, true,
		"renamed binary: has_all of copy, ignore-existing, auto-confirm (terms bounded by punctuation)"},
	{2, 10, "cmd.exe", `cmd.exe /c rclone.exe copy \\fs1\share remote:backup`, true,
		`contains "rclone.exe copy"`},
	{3, 1, "rclone.exe", `rclone.exe config`, true,
		`FileName == "rclone.exe"`},
	{4, 2, "RCLONE.EXE", `RCLONE.EXE config show`, false,
		"== is case-sensitive, and the command line has no copy"},
	{5, 3, "myrclone.exe", `myrclone.exe copy C:\data remote:x`, true,
		`contains is a substring test: "myrclone.exe copy" contains "rclone.exe copy"`},
	{6, 91, "rclone.exe", `rclone.exe copy C:\data remote:x --ignore-existing --auto-confirm`, false,
		"older than 90 days"},
	{7, 4, "cmd.exe", `cmd.exe /c copy C:\a.txt D:\b.txt`, false,
		"a benign copy: has_all needs all three terms"},
	{8, 4, "robocopy.exe", `robocopy C:\src D:\dst /E /XO`, false,
		"a benign copy tool"},
	{9, 6, "x.exe", `x.exe copy a b --ignore-existing`, false,
		"has_all without auto-confirm"},
	{10, 7, "RCLONE.EXE", `RCLONE.EXE COPY C:\data remote:x`, true,
		"contains is case-insensitive"},
	{11, 89, "rclone.exe", `rclone.exe ls remote:`, true,
		"89 days old: inside the 90-day window"},
	{12, 8, "backup.exe", `backup.exe --copyright --ignore-existing --auto-confirm`, false,
		`has is term-based: "copyright" is not the term "copy"`},
}

func seedTable(t *testing.T) *data.Table {
	t.Helper()
	now, err := parseDateTimeText(seedNow)
	if err != nil {
		t.Fatal(err)
	}
	tab := &data.Table{
		Name: "DeviceProcessEvents",
		Columns: []data.Column{
			{Name: "Timestamp", Type: data.DateTime},
			{Name: "TimeGenerated", Type: data.DateTime},
			{Name: "DeviceName", Type: data.String},
			{Name: "AccountName", Type: data.String},
			{Name: "FileName", Type: data.String},
			{Name: "FolderPath", Type: data.String},
			{Name: "ProcessCommandLine", Type: data.String},
			{Name: "ProcessId", Type: data.Long},
			{Name: "ReportId", Type: data.Long},
		},
	}
	for _, r := range seedRows {
		when := data.NewDateTime(now - int64(r.ageDays*float64(data.TicksPerDay)))
		tab.Rows = append(tab.Rows, data.Row{
			when, when,
			data.NewString("ws1.corp.local"),
			data.NewString("alice"),
			data.NewString(r.file),
			data.NewString(`C:\Users\alice\Downloads\` + r.file),
			data.NewString(r.cmd),
			data.NewLong(4000 + r.id),
			data.NewLong(r.id),
		})
	}
	return tab
}

func TestSeedRcloneCopyArgs(t *testing.T) {
	path := requireShared(t, filepath.Join("seeds", "000_29213a523839aa2a.txt"))
	query := seedQuery(t, path)
	if !strings.Contains(query, "let rclone_args = pack_array('copy','ignore-existing','auto-confirm');") ||
		!strings.Contains(query, `or FileName == "rclone.exe"`) {
		t.Fatalf("the extracted seed query is not the rclone hunt:\n%s", query)
	}
	now, _ := parseDateTimeText(seedNow)
	tab := seedTable(t)
	env := &kql.Env{Now: now, Tables: []data.Source{data.TableSource{T: tab}}}
	results, _, err := compileAndRun(query, env)
	if err != nil {
		t.Fatalf("the seed query failed: %v\n%s", err, query)
	}
	if len(results) != 1 {
		t.Fatalf("got %d results, want 1", len(results))
	}
	got := results[0].Table
	if names := data.ColumnNames(got.Columns); !slices.Equal(names, data.ColumnNames(tab.Columns)) {
		t.Errorf("columns = %v, want the input's %v", names, data.ColumnNames(tab.Columns))
	}
	idCol := data.ColumnIndex(got.Columns, "ReportId")
	if idCol < 0 {
		t.Fatalf("no ReportId column in %v", data.ColumnNames(got.Columns))
	}
	returned := map[int64]bool{}
	for _, r := range got.Rows {
		returned[r[idCol].I] = true
	}
	if len(returned) != len(got.Rows) {
		t.Errorf("a row came back more than once:\n%s", formatTable(got))
	}
	for _, r := range seedRows {
		if returned[r.id] != r.match {
			verb := "returned"
			if !returned[r.id] {
				verb = "not returned"
			}
			t.Errorf("row %d (%s, %q) was %s; %s", r.id, r.file, r.cmd, verb, r.why)
		}
	}
}
