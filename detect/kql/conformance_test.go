package kql_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// The conformance test runs every example of shared/kql/cases.tsv, the
// queries of Microsoft's KQL documentation with the results the
// documentation states, and compares the results semantically, as
// shared/kql/README.md explains.

// minConformance is how many of the cases must pass.
const minConformance = 205

// sharedDir finds <repo root>/../shared, the root being the directory of
// go.mod above the package directory.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// requireShared returns path under the shared directory, skipping the test
// when it is missing, except on CI where it must be there.
func requireShared(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: %v", p, err)
		}
		t.Skipf("%s is missing (%v); it holds the shared reference material", p, err)
	}
	return p
}

// confCase is one row of cases.tsv.
type confCase struct {
	id, query, expected, url string
}

func readCases(t *testing.T, path string) []confCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "id\tquery\texpected_output") {
		t.Fatalf("%s: unexpected header %q", path, lines[0])
	}
	var out []confCase
	for i, l := range lines[1:] {
		f := strings.Split(strings.TrimRight(l, "\r"), "\t")
		if len(f) != 4 {
			t.Fatalf("%s:%d: %d fields, want 4", path, i+2, len(f))
		}
		out = append(out, confCase{f[0], f[1], f[2], f[3]})
	}
	return out
}

// expTable is an expected output: a header and rows of cell texts.
type expTable struct {
	header []string
	rows   [][]string
}

// parseExpected splits the expected_output field: rows joined by " ; ",
// cells by " | ". Rows shorter than the header are padded with empty cells
// (a trailing empty cell loses its separator's space in the file).
func parseExpected(s string) expTable {
	rows := strings.Split(s, " ; ")
	var e expTable
	for i, r := range rows {
		cells := strings.Split(r, " | ")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
			if cells[j] == "|" { // "x |  |" at the very end: an empty last cell
				cells[j] = ""
			}
		}
		if i == 0 {
			e.header = cells
			continue
		}
		for len(cells) < len(e.header) {
			cells = append(cells, "")
		}
		e.rows = append(e.rows, cells)
	}
	return e
}

func (e expTable) clone() expTable {
	c := expTable{header: slices.Clone(e.header)}
	for _, r := range e.rows {
		c.rows = append(c.rows, slices.Clone(r))
	}
	return c
}

// docQuirk adjusts the documented output where the documentation is known
// to print something the engine cannot (shared/kql/README.md, "Known doc
// quirks"). alternatives returns the acceptable expected tables.
type docQuirk struct {
	reason       string
	alternatives func(e expTable, got *data.Table) []expTable
}

func renameHeader(from, to string) func(expTable, *data.Table) []expTable {
	return func(e expTable, _ *data.Table) []expTable {
		c := e.clone()
		for i, h := range c.header {
			if h == from {
				c.header[i] = to
			}
		}
		return []expTable{c}
	}
}

func replaceCell(from, to string) func(expTable, *data.Table) []expTable {
	return func(e expTable, _ *data.Table) []expTable {
		c := e.clone()
		for _, r := range c.rows {
			for i := range r {
				if r[i] == from {
					r[i] = to
				}
			}
		}
		return []expTable{c}
	}
}

// headerFromResult takes the generated name of a single-column result.
func headerFromResult(e expTable, got *data.Table) []expTable {
	c := e.clone()
	if got != nil && len(got.Columns) == 1 && len(c.header) == 1 {
		c.header[0] = got.Columns[0].Name
	}
	return []expTable{c}
}

// nullValuesReading replaces the logical-operators page's answer with the
// null-values page's: see docQuirks.
func nullValuesReading(e expTable, _ *data.Table) []expTable {
	c := e.clone()
	for _, r := range c.rows {
		r[0] = "null"
	}
	return []expTable{c}
}

var docQuirks = map[string]docQuirk{
	"tohex": {"the page prints the fifth unnamed column as print_04; Kusto names it print_4",
		renameHeader("print_04", "print_4")},
	"extract_all-1":     {"the page's header says ID; the query's column is Id", renameHeader("ID", "Id")},
	"extract_all-2":     {"the page's header says ID; the query's column is Id", renameHeader("ID", "Id")},
	"extract_all-3":     {"the page's header says ID; the query's column is Id", renameHeader("ID", "Id")},
	"extract_all-named": {"the page's header says ID; the query's column is Id", renameHeader("ID", "Id")},
	"toguid-datatable": {"the page's output reworded the input text (isn't / is not)",
		replaceCell("a string that isn't a guid", "a string that is not a guid")},
	"bin-timespan": {"the page prints 14 days as 14:00:00:00; Kusto's form is 14.00:00:00",
		replaceCell("14:00:00:00", "14.00:00:00")},
	"let-tabular-function-count": {"the page's header says result; the count operator's column is Count",
		renameHeader("result", "Count")},
	"join-rightanti": {"the page's header says Value1; rightanti returns the right side's columns (Value2)",
		renameHeader("Value1", "Value2")},
	"max_of-nulls": {"the page's header says result for an unnamed project expression; the name is generated",
		headerFromResult},
	"min_of-nulls": {"the page's header says result for an unnamed project expression; the name is generated",
		headerFromResult},
	"join-default-innerunique": {"which duplicate left row innerunique keeps is arbitrary (join-innerunique page): b,2 or b,3",
		func(e expTable, _ *data.Table) []expTable {
			alt := replaceCell("2", "3")(e, nil)[0]
			return []expTable{e, alt}
		}},
	// semantics.md §2 CONFLICT: the logical-operators page says
	// bool(null) == bool(null), != and `and true` give false; the
	// null-values page says a null operand makes ==, != and and null
	// (except and with false, or with true). The engine implements the
	// null-values page (detect/kql/values.go), so these cases expect null.
	"logical-table-null-eq-null":  {"docs CONFLICT (semantics.md §2): the engine follows the null-values page: null", nullValuesReading},
	"logical-table-null-neq-null": {"docs CONFLICT (semantics.md §2): the engine follows the null-values page: null", nullValuesReading},
	"logical-table-null-and-true": {"docs CONFLICT (semantics.md §2): the engine follows the null-values page: null", nullValuesReading},
	"string-obfuscated-concat": {"h only affects logging; the value is the same, so the documented output stands",
		func(e expTable, _ *data.Table) []expTable { return []expTable{e} }},
}

// knownFailures lists cases whose documented output contradicts another
// page of the documentation, so no engine can match it. Each entry says
// which pages disagree.
var knownFailures = map[string]string{}

var sortsRe = regexp.MustCompile(`(?i)\b(sort|order|top)\b`)

func isNullText(s string) bool {
	return s == "" || s == "null" || s == "(null)"
}

// confCellMatches compares a documented cell with an actual value by the
// value's kind: datetimes in any of the pages' forms, timespans, reals as
// 5 or 5.0, dynamic values as JSON, nulls as empty, null or (null).
func confCellMatches(exp string, act data.Value, colType data.Type) bool {
	if act.K == data.KNull {
		return isNullText(exp)
	}
	switch act.K {
	case data.KString:
		if act.S == "" && isNullText(exp) {
			return true
		}
		if act.S == exp {
			return true
		}
		// A dynamic string may be shown with its JSON quotes.
		if colType == data.Dynamic {
			if u, err := strconv.Unquote(exp); err == nil {
				return u == act.S
			}
		}
		return false
	case data.KGuid:
		return strings.EqualFold(act.S, exp)
	case data.KBool:
		return strings.EqualFold(exp, strconv.FormatBool(act.I != 0))
	case data.KInt, data.KLong, data.KReal, data.KDecimal:
		f, err := parseRealText(exp)
		return err == nil && closeReals(f, numberOf(act))
	case data.KDateTime:
		t, err := parseDateTimeText(exp)
		return err == nil && t == act.I
	case data.KTimeSpan:
		t, err := parseTimeSpanText(exp)
		return err == nil && t == act.I
	case data.KArray, data.KBag:
		g, err := parseJSONGeneric(exp)
		return err == nil && sameDynamic(g, act)
	}
	return false
}

// compareConf compares a result with an expected table; it returns the
// differences, or nothing.
func compareConf(e expTable, got *data.Table, ordered bool) []string {
	if got == nil {
		return []string{"no result table"}
	}
	var diffs []string
	idx := make([]int, len(e.header))
	for i, h := range e.header {
		idx[i] = data.ColumnIndex(got.Columns, h)
		if idx[i] < 0 {
			diffs = append(diffs, fmt.Sprintf("missing column %q (got %s)", h, strings.Join(data.ColumnNames(got.Columns), ", ")))
		}
	}
	if len(got.Columns) != len(e.header) {
		diffs = append(diffs, fmt.Sprintf("got %d columns (%s), want %d (%s)", len(got.Columns),
			strings.Join(data.ColumnNames(got.Columns), ", "), len(e.header), strings.Join(e.header, ", ")))
	}
	if len(diffs) > 0 {
		return diffs
	}
	if len(got.Rows) != len(e.rows) {
		diffs = append(diffs, fmt.Sprintf("got %d rows, want %d", len(got.Rows), len(e.rows)))
	}
	match := func(want []string, row data.Row) bool {
		if len(want) != len(e.header) {
			return false
		}
		for i, w := range want {
			if !confCellMatches(w, row[idx[i]], got.Columns[idx[i]].Type) {
				return false
			}
		}
		return true
	}
	if ordered {
		for r := 0; r < len(e.rows) && r < len(got.Rows); r++ {
			if !match(e.rows[r], got.Rows[r]) {
				diffs = append(diffs, fmt.Sprintf("row %d: got %s, want %s", r, formatRow(got.Rows[r]), strings.Join(e.rows[r], " | ")))
			}
		}
		return diffs
	}
	used := make([]bool, len(got.Rows))
	for _, w := range e.rows {
		found := false
		for j, row := range got.Rows {
			if !used[j] && match(w, row) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			diffs = append(diffs, fmt.Sprintf("missing row %s", strings.Join(w, " | ")))
		}
	}
	for j, row := range got.Rows {
		if !used[j] {
			diffs = append(diffs, fmt.Sprintf("unexpected row %s", formatRow(row)))
		}
	}
	return diffs
}

// runConfCase runs one case and returns the differences from the
// documented output, or nothing when it conforms.
func runConfCase(c confCase) []string {
	now, _ := parseDateTimeText(defaultScriptNow)
	results, _, err := compileAndRun(c.query, &kql.Env{Now: now})
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	if len(results) == 0 {
		return []string{"no result"}
	}
	got := results[len(results)-1].Table
	exp := parseExpected(c.expected)
	alts := []expTable{exp}
	if q, ok := docQuirks[c.id]; ok {
		alts = q.alternatives(exp, got)
	}
	ordered := sortsRe.MatchString(c.query)
	var first []string
	for _, a := range alts {
		d := compareConf(a, got, ordered)
		if len(d) == 0 {
			return nil
		}
		if first == nil {
			first = d
		}
	}
	return append(first, "got:\n"+formatTable(got))
}

func TestConformance(t *testing.T) {
	path := requireShared(t, filepath.Join("kql", "cases.tsv"))
	cases := readCases(t, path)
	passed := 0
	var failed []string
	for _, c := range cases {
		diffs := runConfCase(c)
		if len(diffs) == 0 {
			passed++
			if reason, ok := knownFailures[c.id]; ok {
				t.Logf("%s passes but is listed in knownFailures (%s): remove it", c.id, reason)
			}
			continue
		}
		failed = append(failed, c.id)
		note := ""
		if reason, ok := knownFailures[c.id]; ok {
			note = " (known: " + reason + ")"
		}
		t.Logf("FAIL %s%s\n  query: %s\n  want: %s\n  %s", c.id, note, c.query, c.expected, strings.Join(diffs, "\n  "))
	}
	t.Logf("conformance: %d/%d passed", passed, len(cases))
	if len(failed) > 0 {
		t.Logf("failing: %s", strings.Join(failed, ", "))
	}
	if passed < minConformance {
		t.Errorf("conformance: %d/%d passed; want at least %d", passed, len(cases), minConformance)
	}
}

// TestConformanceQuirks checks that every quirk and known failure names a
// case that exists, so the maps cannot rot.
func TestConformanceQuirks(t *testing.T) {
	path := requireShared(t, filepath.Join("kql", "cases.tsv"))
	ids := map[string]bool{}
	for _, c := range readCases(t, path) {
		ids[c.id] = true
	}
	for id := range docQuirks {
		if !ids[id] {
			t.Errorf("docQuirks names %q, which is not in cases.tsv", id)
		}
	}
	for id := range knownFailures {
		if !ids[id] {
			t.Errorf("knownFailures names %q, which is not in cases.tsv", id)
		}
	}
	// The cell parser must read the forms the pages use.
	e := parseExpected(`a | b ; 1 |  ; x | {"k": [1, 2]}`)
	if len(e.rows) != 2 || e.rows[0][1] != "" || e.rows[1][1] != `{"k": [1, 2]}` {
		t.Errorf("parseExpected = %#v", e)
	}
	for _, tc := range []struct {
		exp string
		v   data.Value
	}{
		{"2019-01-07 21:45:31.0000000", data.NewDateTime(mustTicks(t, "2019-01-07T21:45:31Z"))},
		{"2024-12-15 07:15:24", data.NewDateTime(mustTicks(t, "2024-12-15T07:15:24Z"))},
		{"2017-05-14T12:00:00Z", data.NewDateTime(mustTicks(t, "2017-05-14T12:00:00Z"))},
		{"5.0", data.NewReal(5)},
		{"5", data.NewReal(5)},
		{"(null)", data.Null},
		{"-12:00:00", data.NewTimeSpan(-12 * data.TicksPerHour)},
	} {
		if !confCellMatches(tc.exp, tc.v, data.Unknown) {
			t.Errorf("%q does not match %s", tc.exp, formatCell(tc.v))
		}
	}
	bag, err := data.ParseJSON(`{"a":1,"b":[true,"x"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !confCellMatches(`{ "b": [true, "x"], "a": 1.0 }`, bag, data.Dynamic) {
		t.Error("pretty JSON does not match a bag")
	}
	if confCellMatches(`{"a":2,"b":[true,"x"]}`, bag, data.Dynamic) {
		t.Error("a different bag matched")
	}
}

func mustTicks(t *testing.T, s string) int64 {
	t.Helper()
	v, err := parseDateTimeText(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
