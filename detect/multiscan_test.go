package detect

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"offhunt/detect/kql"
	"offhunt/internal/shared"
)

// TestScanOnePassMatchesRuleByRule runs the built-in pack over every
// export in ../shared/data and the package's test data, each file alone
// and all of them together, once in one pass (kql.ProgramSet) and once
// rule by rule, and requires the same findings, notices and errors.
func TestScanOnePassMatchesRuleByRule(t *testing.T) {
	compareScans(t, "one pass", "rule by rule", func(one bool) func() {
		onePass = one
		return func() { onePass = true }
	})
}

// TestScanPrefilterChangesNothing runs the built-in pack over the same
// exports with pushdown and the readers' prefilters (record literals,
// column needles, filters run before the other columns are converted) on
// and off, and requires the same findings, notices and errors.
func TestScanPrefilterChangesNothing(t *testing.T) {
	compareScans(t, "prefiltered", "not prefiltered", func(on bool) func() {
		kql.NoPushdown.Store(!on)
		return func() { kql.NoPushdown.Store(false) }
	})
}

// compareScans scans every export in ../shared/data and the package's
// test data, each file alone and all together, with mode(true) and
// mode(false) in force (mode returns its undo), and compares the JSON.
func compareScans(t *testing.T, onName, offName string, mode func(bool) func()) {
	compared := 0
	for _, in := range testExportSets(t) {
		scan := func(on bool) string {
			defer mode(on)()
			f, err := Scan(context.Background(), in, ScanOptions{Options: Options{Now: "latest"}})
			if err != nil {
				return "error: " + err.Error()
			}
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		solo, shared := scan(false), scan(true)
		if solo != shared {
			t.Errorf("%s: %s differs from %s:\n%s\nwant:\n%s", inputNames(in), onName, offName, shared, solo)
		}
		if !strings.HasPrefix(solo, "error: ") {
			compared++
		}
	}
	if compared < 5 {
		t.Errorf("only %d scans gave findings to compare", compared)
	}
}

// testExportSets lists the exports in ../shared/data and the package's
// test data: all of them together, then each alone.
func testExportSets(t *testing.T) [][]Input {
	var files []string
	for _, dir := range []string{filepath.Join(shared.Dir(t), "data"), "testdata"} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".meta.json") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 10 {
		t.Fatalf("only %d test exports found", len(files))
	}
	sets := [][]string{files}
	for _, f := range files {
		sets = append(sets, []string{f})
	}
	var out [][]Input
	for _, set := range sets {
		var in []Input
		for _, p := range set {
			in = append(in, Input{Name: filepath.Base(p), Open: func() (io.ReadCloser, error) { return os.Open(p) }})
		}
		out = append(out, in)
	}
	return out
}

func inputNames(in []Input) string {
	names := make([]string, len(in))
	for i, x := range in {
		names[i] = x.Name
	}
	return strings.Join(names, ", ")
}
