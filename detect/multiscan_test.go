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

	"offhunt/internal/shared"
)

// TestScanOnePassMatchesRuleByRule runs the built-in pack over every
// export in ../shared/data and the package's test data, each file alone
// and all of them together, once in one pass (kql.ProgramSet) and once
// rule by rule, and requires the same findings, notices and errors.
func TestScanOnePassMatchesRuleByRule(t *testing.T) {
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
	compared := 0
	for _, set := range sets {
		var in []Input
		for _, p := range set {
			in = append(in, Input{Name: filepath.Base(p), Open: func() (io.ReadCloser, error) { return os.Open(p) }})
		}
		scan := func(one bool) string {
			onePass = one
			defer func() { onePass = true }()
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
			t.Errorf("%s: one pass differs from rule by rule:\n%s\nwant:\n%s", strings.Join(set, ", "), shared, solo)
		}
		if !strings.HasPrefix(solo, "error: ") {
			compared++
		}
	}
	if compared < 5 {
		t.Errorf("only %d scans gave findings to compare", compared)
	}
}
