package kql_test

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// TestProgramSetMatchesSolo runs every script query in a ProgramSet beside
// other programs over the same inputs (the query itself again, a count, a
// take that stops early, a where) and requires each program's results to
// be those it gives when run on its own: sharing one pass changes nothing.
// It runs over spec sources (pushdown on) and plain tables (pushdown off).
func TestProgramSetMatchesSolo(t *testing.T) {
	for _, mode := range []string{"spec", "plain"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "plain" {
				kql.NoPushdown.Store(true)
				saved := scriptSource
				scriptSource = func(t data.TableSource) data.Source { return t }
				defer func() {
					kql.NoPushdown.Store(false)
					scriptSource = saved
				}()
			}
			checkSetsOverScripts(t)
		})
	}
}

func checkSetsOverScripts(t *testing.T) {
	names, err := fs.Glob(scriptFiles, "testdata/*.test")
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, name := range names {
		src, err := scriptFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := parseScript(string(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range sc.cases {
			if c.err != nil {
				continue
			}
			where := fmt.Sprintf("%s:%d", path.Base(name), c.line)
			env, err := scriptEnv(c)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			queries := []string{c.query}
			if len(c.inputs) > 0 {
				tab := "['" + c.inputs[0].name + "']"
				queries = append(queries,
					tab+" | count",
					c.query,
					tab+" | take 1",
					tab+" | where tostring(['"+c.inputs[0].cols[0].name+"']) !has 'zzz'",
				)
			}
			var progs []*kql.Program
			for _, q := range queries {
				p, err := kql.Compile(q, env)
				if err != nil {
					t.Fatalf("%s: %v\nquery:\n%s", where, err, q)
				}
				progs = append(progs, p)
			}
			var want [][]*kql.Result
			var wantErr []error
			for _, p := range progs {
				r, err := p.Run(context.Background())
				want, wantErr = append(want, r), append(wantErr, err)
			}
			checkLateNow(t, where, c, env, queries, want, wantErr)
			set := kql.NewProgramSet(progs...)
			streamed := map[[2]int][]string{}
			set.Stream(func(prog, stmt int, _ []data.Column, row data.Row) {
				k := [2]int{prog, stmt}
				streamed[k] = append(streamed[k], rowText(row))
			})
			got, gotErr := set.RunEach(context.Background())
			if len(progs) > 1 {
				shared++
			}
			for i := range progs {
				for j := range got[i] {
					if gotErr[i] != nil {
						break
					}
					var rows []string
					for _, r := range got[i][j].Table.Rows {
						rows = append(rows, rowText(r))
					}
					if a, b := strings.Join(streamed[[2]int{i, j}], "\n"), strings.Join(rows, "\n"); a != b {
						t.Errorf("%s: program %d, statement %d: streamed rows\n%s\nwant the result's\n%s", where, i, j, a, b)
					}
				}
			}
			compareRuns(t, where, "in the set", "alone", queries, want, got, wantErr, gotErr)
		}
	}
	if shared < 100 {
		t.Errorf("only %d script cases ran as shared sets; the corpus should give more", shared)
	}
}

// checkLateNow runs the queries of a script case as a set whose now is
// learnt late (compiled with no now, RunEachLateNow given the script's
// now) and requires the results the queries give with that now fixed.
func checkLateNow(t *testing.T, where string, c *scriptCase, env *kql.Env, queries []string, want [][]*kql.Result, wantErr []error) {
	t.Helper()
	early := *env
	early.Now = 0
	var progs []*kql.Program
	for _, q := range queries {
		p, err := kql.Compile(q, &early)
		if err != nil {
			t.Fatalf("%s: %v\nquery:\n%s", where, err, q)
		}
		progs = append(progs, p)
	}
	resolved := 0
	got, gotErr, err := kql.NewProgramSet(progs...).RunEachLateNow(context.Background(), func() (int64, error) {
		resolved++
		return c.now, nil
	})
	if err != nil || resolved != 1 {
		t.Fatalf("%s: RunEachLateNow: %v, now resolved %d times", where, err, resolved)
	}
	compareRuns(t, where, "with a late now", "with now fixed", queries, want, got, wantErr, gotErr)
}

// compareRuns requires each query's results and error in got to be those
// in want; how and wantHow name the two runs in messages.
func compareRuns(t *testing.T, where, how, wantHow string, queries []string, want, got [][]*kql.Result, wantErr, gotErr []error) {
	t.Helper()
	for i := range queries {
		if (wantErr[i] == nil) != (gotErr[i] == nil) || wantErr[i] != nil && wantErr[i].Error() != gotErr[i].Error() {
			t.Errorf("%s: program %d: error %v %s, %v %s\nquery:\n%s", where, i, gotErr[i], how, wantErr[i], wantHow, queries[i])
			continue
		}
		if d := diffResults(want[i], got[i]); d != "" {
			t.Errorf("%s: program %d differs %s: %s\nquery:\n%s", where, i, how, d, queries[i])
		}
	}
}

// TestLateNowReadsOnce: programs whose now is the newest event, learnt by
// the pass, run in that pass when they read now only in one time filter
// of their scan, whatever the filter keeps; the time-filter notice is the
// one a run with now known gives. Other shapes read their source again.
func TestLateNowReadsOnce(t *testing.T) {
	day := int64(24 * 3600 * 10_000_000)
	tab := &data.Table{
		Name:    "T",
		Columns: []data.Column{{Name: "Timestamp", Type: data.DateTime}, {Name: "Cmd", Type: data.String}},
		Rows: []data.Row{
			{data.NewDateTime(100 * day), data.NewString("rclone.exe copy a b")},
			{data.Null, data.NewString("rclone.exe copy c d")},
			{data.NewDateTime(110 * day), data.NewString("notepad.exe")},
			{data.NewDateTime(120 * day), data.NewString("cmd.exe /c dir")},
		},
	}
	now := 120 * day
	for _, tc := range []struct {
		query string
		late  bool // runs in the pass that learns now
	}{
		{"T | where Timestamp > ago(90d) | where Cmd has 'rclone'", true},
		{"T | where Timestamp > ago(5d) | where Cmd has 'rclone'", true}, // the window keeps none of the rclone rows
		{"T | where Cmd has 'zzz' | where Timestamp > ago(5d)", true},    // nothing reaches the time filter
		{"T | where Timestamp < ago(365d)", true},                        // removes every row
		{"T | where isnull(Timestamp) or Timestamp > now()", true},       // keeps the null
		{"T | where Timestamp > ago(30d) | extend L = strlen(Cmd) | where L > 11 | summarize count()", true},
		{"T | where Timestamp > ago(30d) | take 1", true},
		{"let cutoff = ago(30d); T | where Timestamp > cutoff", false},             // now outside the filter
		{"T | where Timestamp > ago(30d) | extend Age = now() - Timestamp", false}, // now after the scan
		{"T | where Timestamp > ago(30d) and Timestamp < ago(1d)", true},
		{"T | where Timestamp > ago(30d) | where Timestamp < ago(1d)", false}, // two time filters
		{"T | where Timestamp > ago(30d) | join kind=inner (T | where Cmd has 'copy') on Cmd", false},
	} {
		fixed := &kql.Env{Tables: []data.Source{&countingSource{specSource: specSource{data.TableSource{T: tab}}}}, Now: now}
		p, err := kql.Compile(tc.query, fixed)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		want, err := p.Run(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		src := &countingSource{specSource: specSource{data.TableSource{T: tab}}}
		late := &kql.Env{Tables: []data.Source{src}}
		if p, err = kql.Compile(tc.query, late); err != nil {
			t.Fatal(err)
		}
		set := kql.NewProgramSet(p, p) // twice, so the pass is shared
		before := -1
		got, errs, err := set.RunEachLateNow(context.Background(), func() (int64, error) {
			before = src.scans
			return now, nil
		})
		if err != nil || errs[0] != nil || errs[1] != nil {
			t.Fatalf("%s: %v %v", tc.query, err, errs)
		}
		for i := range got {
			if d := diffResults(want, got[i]); d != "" {
				t.Errorf("%s: differs with a late now: %s", tc.query, d)
			}
		}
		if after := src.scans - before; tc.late && (before != 1 || after != 0) || !tc.late && after == 0 {
			t.Errorf("%s: read its source %d times before now was known and %d after; late %v", tc.query, before, after, tc.late)
		}
	}
}

// rowText is a row as text, for comparisons.
func rowText(r data.Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = fmt.Sprintf("%d:%s", v.K, data.ToString(v))
	}
	return strings.Join(parts, "|")
}

// TestUsesNow: a program says whether it reads now, wherever the call is.
func TestUsesNow(t *testing.T) {
	env := &kql.Env{}
	for q, want := range map[string]bool{
		"print x = 1":       false,
		"print x = ago(1d)": true,
		"print x = now()":   true,
		"let f = (d: timespan) { now() - d }; print x = f(1h)": true,
		"print x = datetime(2025-01-01) - 1d":                  false,
		"range i from 1 to 3 step 1 | where i > 1":             false,
		"range i from 1 to 3 step 1 | extend t = ago(i * 1h)":  true,
	} {
		p, err := kql.Compile(q, env)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := p.UsesNow(); got != want {
			t.Errorf("%s: UsesNow() = %v, want %v", q, got, want)
		}
	}
}

// diffResults describes the first difference between two programs'
// results, or returns "".
func diffResults(a, b []*kql.Result) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d results, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i].Render != b[i].Render || a[i].TimeFilterRemovedAll != b[i].TimeFilterRemovedAll {
			return fmt.Sprintf("result %d: render %q time-filter %v, want %q %v", i,
				b[i].Render, b[i].TimeFilterRemovedAll, a[i].Render, a[i].TimeFilterRemovedAll)
		}
		wa, wb := formatHeader(a[i].Table.Columns)+"\n"+formatTable(a[i].Table), formatHeader(b[i].Table.Columns)+"\n"+formatTable(b[i].Table)
		if wa != wb {
			return fmt.Sprintf("result %d:\n%s\nwant:\n%s", i, wb, wa)
		}
	}
	return ""
}

// scriptEnv builds a script case's environment as runScriptCase does.
func scriptEnv(c *scriptCase) (*kql.Env, error) {
	env := &kql.Env{Now: c.now}
	byName := map[string]data.Source{}
	for _, b := range c.inputs {
		tab, err := buildTable(b)
		if err != nil {
			return nil, err
		}
		src := scriptSource(data.TableSource{T: tab})
		env.Tables = append(env.Tables, src)
		byName[b.name] = src
	}
	for _, a := range c.aliases {
		src, ok := byName[a[1]]
		if !ok {
			return nil, fmt.Errorf("alias %s: no input %s", a[0], a[1])
		}
		if env.Aliases == nil {
			env.Aliases = map[string]data.Source{}
		}
		env.Aliases[a[0]] = src
	}
	if len(c.externals) > 0 {
		resolve, err := externalResolver(c.externals)
		if err != nil {
			return nil, err
		}
		env.ExternalData = resolve
	}
	return env, nil
}

// TestProgramSetTimeFilter checks that the notice of a time filter that
// removed every row survives sharing, for the program it belongs to only.
func TestProgramSetTimeFilter(t *testing.T) {
	tab := &data.Table{
		Name:    "T",
		Columns: []data.Column{{Name: "Timestamp", Type: data.DateTime}, {Name: "Cmd", Type: data.String}},
		Rows: []data.Row{
			{data.NewDateTime(0), data.NewString("rclone.exe copy a b")},
			{data.NewDateTime(1), data.NewString("notepad.exe")},
		},
	}
	src := &countingSource{specSource: specSource{data.TableSource{T: tab}}}
	env := &kql.Env{Tables: []data.Source{src}, Now: 1 << 60}
	set, err := kql.CompileSet([]string{
		"T | where Timestamp > ago(1d) | where Cmd has 'rclone'",
		"T | where Cmd has 'rclone'",
		"T | where Timestamp > ago(1d)",
	}, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := set.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		rows int
		time bool
	}{{0, true}, {1, false}, {0, true}} {
		if got := res[i][0]; len(got.Table.Rows) != want.rows || got.TimeFilterRemovedAll != want.time {
			t.Errorf("program %d: %d rows, time filter %v; want %d, %v", i, len(got.Table.Rows), got.TimeFilterRemovedAll, want.rows, want.time)
		}
	}
	if src.scans != 1 {
		t.Errorf("the set read its source %d times, want once", src.scans)
	}
	if _, err := kql.CompileSet([]string{"T", "T | whre"}, env); err == nil || !strings.HasPrefix(err.Error(), "query 2: ") {
		t.Errorf("CompileSet error %v, want one naming query 2", err)
	}
}

// countingSource counts the reads of its table.
type countingSource struct {
	specSource
	scans int
}

func (s *countingSource) ScanSpec(ctx context.Context, spec data.ScanSpec, emit func(data.Row) error) error {
	s.scans++
	return s.specSource.ScanSpec(ctx, spec, emit)
}
