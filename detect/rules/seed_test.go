package rules_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/logs"
	"offhunt/detect/rules"
	"offhunt/internal/shared"
)

// TestSeedRuleMatchesSeedQuery proves that the pack's seed rule returns
// exactly the rows that the verbatim seed query (read from the shared
// seed file) returns, on every test input: the sample export, each source
// of the labelled set (and the original event logs, where offhunt's
// readers take them), and the two real Defender exports, each with now at
// its newest event and at times whose 90-day window cuts the data.
func TestSeedRuleMatchesSeedQuery(t *testing.T) {
	t.Parallel()
	dir := shared.Dir(t)
	seedQuery := shared.ReadSeed(t)
	var seed *rules.Rule
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pack {
		if r.ID == seedRuleID {
			seed = r
		}
	}
	if seed == nil {
		t.Fatalf("the pack has no %s rule", seedRuleID)
	}
	if seed.Title != "Rclone Copy Process Args" || seed.Author != "Jay Kerai" || seed.Released != "2025-09-07" {
		t.Errorf("seed rule metadata: title %q, author %q, released %q; want the seed's", seed.Title, seed.Author, seed.Released)
	}

	inputs := []string{filepath.Join("..", "testdata", "sample_dpe.csv")}
	cols := defenderColumns(t)
	tmp := t.TempDir()
	for _, s := range labelledSet(t, dir) {
		inputs = append(inputs, writeExport(t, tmp, s.name, cols, s.events))
		// The original event logs too, where offhunt's readers take them.
		if s.original != "" && !strings.HasSuffix(s.original, ".csv") {
			if _, err := logs.NewSource(s.original, fileInput(s.original).Open); err == nil {
				inputs = append(inputs, s.original)
			}
		}
	}
	inputs = append(inputs,
		filepath.Join(dir, "data", "defender-exports", "dafneb_advanced_hunting_test.csv"),
		filepath.Join(dir, "data", "defender-exports", "plaso_advanced_hunting_test.csv"))

	total := 0
	for _, in := range inputs {
		for _, now := range []string{"latest", "2025-11-30T12:00:00Z", "2023-05-20T00:00:00Z"} {
			res, err := detect.Query(context.Background(), seedQuery, []detect.Input{fileInput(in)}, detect.Options{Now: now})
			f, serr := detect.Scan(context.Background(), []detect.Input{fileInput(in)}, detect.ScanOptions{Options: detect.Options{Now: now}, Rules: []*rules.Rule{seed}})
			if err != nil {
				// An input without DeviceProcessEvents: the seed query does
				// not compile, and the rule is skipped with a notice.
				if serr != nil || len(f.Findings) != 0 || len(f.Notices) == 0 {
					t.Errorf("%s (now %s): the seed query fails (%v); the rule gives error %v, %d findings, notices %q",
						filepath.Base(in), now, err, serr, len(f.Findings), f.Notices)
				}
				continue
			}
			if serr != nil {
				t.Errorf("%s (now %s): the seed query runs, the seed rule fails: %v", filepath.Base(in), now, serr)
				continue
			}
			want := rowKeys(res.Results[0].Table.Columns, res.Results[0].Table.Rows)
			var got []string
			for _, fd := range f.Findings {
				got = append(got, rowKey(fd.Row.Columns, fd.Row.Values))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s (now %s): the seed rule returns %d rows, the seed query %d:\nrule:  %q\nquery: %q", filepath.Base(in), now, len(got), len(want), got, want)
			}
			total += len(want)
		}
	}
	if total == 0 {
		t.Error("the seed query returned no row on any input: the comparison proves nothing")
	}
	t.Logf("the seed rule and the verbatim seed query agree on %d inputs (%d rows in all)", len(inputs), total)
}

// rowKeys renders rows (without hidden columns) as sorted strings.
func rowKeys(cols []data.Column, rows []data.Row) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	var out []string
	for _, r := range rows {
		out = append(out, rowKey(names, r))
	}
	slices.Sort(out)
	return out
}

func rowKey(names []string, values []data.Value) string {
	var sb strings.Builder
	for i, n := range names {
		if strings.HasPrefix(n, "__") || i >= len(values) {
			continue
		}
		sb.WriteString(n)
		sb.WriteByte('=')
		sb.Write(data.AppendJSON(nil, values[i]))
		sb.WriteByte(';')
	}
	return sb.String()
}
