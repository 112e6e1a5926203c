package logs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
	"offhunt/internal/shared"
)

// scanSpec runs a ScanSpec whose filter keeps rows where column col
// contains word (ignoring case), with word as the required literal.
func scanSpec(t *testing.T, src data.Source, col, word string, need []bool) []data.Row {
	return scanSpecWith(t, src, col, word, need, false)
}

// scanNeedle is scanSpec with word as the column's needle
// (ScanSpec.Needles) instead of a record literal.
func scanNeedle(t *testing.T, src data.Source, col, word string, need []bool) []data.Row {
	return scanSpecWith(t, src, col, word, need, true)
}

func scanSpecWith(t *testing.T, src data.Source, col, word string, need []bool, byColumn bool) []data.Row {
	t.Helper()
	i := data.ColumnIndex(src.Columns(), col)
	filterNeed := make([]bool, len(src.Columns()))
	filterNeed[i] = true
	lower := strings.ToLower(word)
	spec := data.ScanSpec{
		Need:       need,
		FilterNeed: filterNeed,
		NewFilter: func() func(data.Row) bool {
			return func(r data.Row) bool { return strings.Contains(strings.ToLower(r[i].S), lower) }
		},
	}
	if byColumn {
		spec.Needles = []data.Needle{{Column: i, Literals: []string{lower}}}
	} else {
		spec.Literals = []string{lower}
	}
	var rows []data.Row
	err := src.(data.SpecSource).ScanSpec(context.Background(), spec, func(r data.Row) error {
		rows = append(rows, r.Clone())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestScanSpec checks that pushing a filter into a reader keeps exactly
// the rows the filter keeps, converts the rest only for them, and leaves
// the report as a plain scan would make it.
func TestScanSpec(t *testing.T) {
	content := "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId\n" +
		"2025-09-05T22:00:00Z,ws1,cmd.exe,cmd /c a,1\n" +
		"2025-09-05T23:00:00Z,ws1,rclone.exe,\"rclone copy a MEGA:x\",2\n" +
		"2025-09-06T00:00:00Z,ws1,notepad.exe,notepad,oops\n" +
		"2025-09-06T01:00:00Z,ws2,x.exe,\"x mega:\"\"y\"\"\",4\n"
	in := mustOpen(t, "s.csv", content)
	src := in.Tables()[0].Source
	need := make([]bool, len(src.Columns()))
	need[1] = true // DeviceName
	rows := scanSpec(t, src, "ProcessCommandLine", "mega:", need)
	if len(rows) != 2 || rows[0][1].S != "ws1" || rows[1][1].S != "ws2" || rows[1][3].S != `x mega:"y"` {
		t.Fatalf("rows %v", rows)
	}
	if !rows[0][0].IsNull() || !rows[0][4].IsNull() {
		t.Errorf("columns neither needed nor filtered were converted: %v", rows[0])
	}
	rep := report(t, in)
	if rep.Rows != 4 || rep.BadRows != 1 || rep.BadRowSamples[0].Line != 4 {
		t.Errorf("report after a prefiltered scan %+v", rep)
	}
}

// TestScanSpecSafety checks the cases where a record's text does not show
// a literal its row matches: a JSON \u escape, and a mapped input, whose
// columns are computed.
func TestScanSpecSafety(t *testing.T) {
	js := mustOpen(t, "e.ndjson", `{"Timestamp":"2025-01-01T00:00:00Z","DeviceName":"d","FileName":"r\u0063lone.exe","ProcessCommandLine":"x"}`+"\n")
	if rows := scanSpec(t, js.Tables()[0].Source, "FileName", "rclone", nil); len(rows) != 1 {
		t.Errorf("an escaped name was prefiltered away: %v", rows)
	}
	sysmon := mustOpen(t, "s.ndjson", `{"EventID": 1, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2025-01-01T00:00:00Z", "Image": "C:\\a.exe", "CommandLine": "a"}`+"\n")
	if rows := scanSpec(t, table(t, sysmon, "DeviceProcessEvents"), "ActionType", "ProcessCreated", nil); len(rows) != 1 {
		t.Errorf("a mapped column was prefiltered away: %v", rows)
	}
}

// TestNeedles checks the column needles where a field's raw bytes do not
// read as its value: JSON escapes (\u, \/ and \\), CSV's doubled quotes,
// a literal in another column, and a column the view fills with nothing.
func TestNeedles(t *testing.T) {
	js := mustOpen(t, "e.ndjson", `{"Timestamp":"2025-01-01T00:00:00Z","FileName":"r\u0063lone.exe","ProcessCommandLine":"a\/b C:\\Users\\x"}`+"\n"+
		`{"Timestamp":"2025-01-01T00:00:00Z","FileName":"cmd.exe","ProcessCommandLine":"rclone.exe copy"}`+"\n")
	src := js.Tables()[0].Source
	for _, c := range []struct {
		col, word string
		want      int
	}{
		{"FileName", "rclone", 1},
		{"ProcessCommandLine", "a/b", 1},
		{"ProcessCommandLine", `c:\users\`, 1},
		{"ProcessCommandLine", "rclone", 1},
		{"FileName", "copy", 0},
	} {
		if got := len(scanNeedle(t, src, c.col, c.word, nil)); got != c.want {
			t.Errorf("JSON: %s needle %q kept %d rows, want %d", c.col, c.word, got, c.want)
		}
	}
	csv := mustOpen(t, "c.csv", "FileName,ProcessCommandLine\n"+
		"x.exe,\"x mega:\"\"y\"\"\"\n"+
		"mega.exe,plain\n")
	src = csv.Tables()[0].Source
	if got := len(scanNeedle(t, src, "ProcessCommandLine", `mega:"y"`, nil)); got != 1 {
		t.Errorf("CSV: a needle across doubled quotes kept %d rows, want 1", got)
	}
	if got := len(scanNeedle(t, src, "ProcessCommandLine", "mega", nil)); got != 1 {
		t.Errorf("CSV: a needle found in another column kept %d rows, want 1", got)
	}
	// A needle of terms passes over a field that holds its literal only
	// inside a longer term, and keeps one that has it (doubled quotes
	// decoded, any case).
	terms := mustOpen(t, "t.csv", "FileName,ProcessCommandLine\n"+
		"robocopy.exe,robocopy a b\n"+
		"cmd.exe,\"cmd /c \"\"COPY\"\" a b\"\n"+
		"cmd.exe,cmd /c copying\n"+
		"x.exe,x copy\n")
	tsrc := terms.Tables()[0].Source
	ci := data.ColumnIndex(tsrc.Columns(), "ProcessCommandLine")
	tspec := data.ScanSpec{FilterNeed: make([]bool, len(tsrc.Columns())),
		Needles:   []data.Needle{{Column: ci, Literals: []string{"copy"}, Terms: true}},
		NewFilter: func() func(data.Row) bool { return func(data.Row) bool { return true } }}
	tspec.FilterNeed[ci] = true
	var kept []string
	if err := tsrc.(data.SpecSource).ScanSpec(context.Background(), tspec, func(r data.Row) error { kept = append(kept, r[ci].S); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, "|") != `cmd /c "COPY" a b|x copy` {
		t.Errorf("a needle of terms kept %q", kept)
	}
	var keptByNever int
	i := data.ColumnIndex(src.Columns(), "FileName")
	spec := data.ScanSpec{FilterNeed: make([]bool, len(src.Columns())), Needles: []data.Needle{},
		NewFilter: func() func(data.Row) bool { return func(r data.Row) bool { return r[i].S != "" } }}
	spec.FilterNeed[i] = true
	if err := src.(data.SpecSource).ScanSpec(context.Background(), spec, func(data.Row) error { keptByNever++; return nil }); err != nil {
		t.Fatal(err)
	}
	if keptByNever != 0 {
		t.Errorf("an empty needle list (no row can pass) kept %d rows", keptByNever)
	}
}

// indexFold reports whether text contains lit ignoring ASCII case, as a
// view's record literals test it.
func indexFold(text []byte, lit string) bool {
	set, ok := textmatch.NewFoldSet([]string{lit})
	return ok && set.MatchBytes(text)
}

func TestIndexFold(t *testing.T) {
	cases := []struct {
		text, lit string
		want      bool
	}{
		{"rclone copy MEGA:x", "mega:", true},
		{"Mega", "mega", true},
		{"meg", "mega", false},
		{"xxmEgAa", "mega", true},
		{"", "a", false},
		{"AAAAb", "aab", true},
		{"copy to 1.2.3.4", "1.2.3.4", true},
		{"a:b", "mega:", false},
		{"mega", "mega:", false},
		{"x MEGA:", "mega:", true},
		{":mega:", "mega:", true},
		{"zzz", "z", true},
	}
	for _, c := range cases {
		if got := indexFold([]byte(c.text), c.lit); got != c.want {
			t.Errorf("indexFold(%q, %q) = %v", c.text, c.lit, got)
		}
	}
}

// TestScanSpecMatchesPlainScan checks, over real exports, that the literal
// prefilter drops only rows the filter would drop: for every string
// column and a few words, a pushed-down scan keeps the same rows as a
// plain scan filtered afterwards.
func TestScanSpecMatchesPlainScan(t *testing.T) {
	dir := filepath.Join(shared.Dir(t), "data")
	files := []string{"defender-exports/dafneb_advanced_hunting_test.csv", "defender-exports/plaso_advanced_hunting_test.csv", "cmdlines.tsv"}
	words := []string{"rclone", "EXE", "system32", "mega", ":", "-", "s-1-5", "0x"}
	for _, rel := range files {
		path := filepath.Join(dir, rel)
		ins, err := Open(path, fileOpener(path), Options{})
		if err != nil {
			t.Fatal(err)
		}
		src := ins[0].Tables()[0].Source
		all := scanAll(t, src, nil)
		for i, c := range src.Columns() {
			if c.Type != data.String || strings.HasPrefix(c.Name, "__") {
				continue
			}
			for _, w := range words {
				want := 0
				for _, r := range all {
					if strings.Contains(strings.ToLower(r[i].S), strings.ToLower(w)) {
						want++
					}
				}
				if got := len(scanSpec(t, src, c.Name, w, nil)); got != want {
					t.Errorf("%s: %s has %q: %d rows pushed down, %d scanned", rel, c.Name, w, got, want)
				}
				if got := len(scanNeedle(t, src, c.Name, w, nil)); got != want {
					t.Errorf("%s: %s has %q: %d rows pushed down with a needle, %d scanned", rel, c.Name, w, got, want)
				}
			}
		}
	}
}
