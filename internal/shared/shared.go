// Package shared finds the research material that sits beside a checkout
// (../shared: the seed query, KQL reference cases, real log data, the
// benchmark generator) for tests and benchmarks. In a clone without it,
// tests skip and say so; in CI (CI=true) its absence fails the run.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Root returns the repository root: the nearest directory above the
// working directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Dir returns the shared directory, or skips the test (fails it when
// CI=true) when it is missing.
func Dir(tb testing.TB) string {
	tb.Helper()
	root, err := Root()
	if err == nil {
		dir := filepath.Join(filepath.Dir(root), "shared")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("../shared is missing beside the checkout; CI must provide it")
	}
	tb.Skip("../shared is not beside this checkout: skipping the tests that read it")
	return ""
}

// SeedPath is the seed query's file inside the shared directory.
const SeedPath = "seeds/000_29213a523839aa2a.txt"

// SeedQuery extracts the KQL of the seed file verbatim: the lines after
// the line "Query" up to the line that starts the flag reference
// ("//Flags for copy command").
func SeedQuery(text string) (string, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "Query" {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return "", fmt.Errorf("the seed has no line 'Query'")
	}
	end := len(lines)
	for i := start; i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "//Flags for copy command") {
			end = i
			break
		}
	}
	return strings.TrimSpace(strings.Join(lines[start:end], "\n")), nil
}

// ReadSeed returns the seed query from the shared directory.
func ReadSeed(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(tb), SeedPath))
	if err != nil {
		tb.Fatal(err)
	}
	q, err := SeedQuery(string(b))
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// BenchFile returns a generated DeviceProcessEvents export of the given
// number of rows (CSV, or NDJSON when ndjson is set), made once with the
// shared generator and cached between runs in the user cache directory.
func BenchFile(tb testing.TB, rows int, ndjson bool) string {
	tb.Helper()
	gen := filepath.Join(Dir(tb), "bench", "gen-dpe.py")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "offhunt-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	ext := "csv"
	if ndjson {
		ext = "ndjson"
	}
	out := filepath.Join(dir, fmt.Sprintf("dpe-%d.%s", rows, ext))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	args := []string{gen, fmt.Sprint(rows), out + ".tmp"}
	if ndjson {
		args = append(args, "--ndjson")
	}
	if err := runCommand("python3", args...); err != nil {
		tb.Fatalf("generating %s: %v", out, err)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		tb.Fatal(err)
	}
	return out
}
