//go:build browser

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The DuckDB-WASM contender of TestBenchPage: DuckDB-WASM's EH bundle (npm
// @duckdb/duckdb-wasm, pinned in scripts/benchkit/package.json) in the same
// Chromium as the page, given the same file the way a person gives it (the
// file picker), answering seed.sql, the query DuckDB native answers in
// scripts/bench. Its page and files come from scripts/benchkit, served by
// the test: nothing of DuckDB ships in web/.

// over2GiB is the file size from which DuckDB-WASM is expected to fail
// (issue 7): a failure there is a result to print in the table, below it a
// broken benchmark, which fails the test.
const over2GiB = 2 << 30

// duckWasmFiles are the benchmark's own files in scripts/benchkit that the
// DuckDB-WASM server serves, besides node_modules.
var duckWasmFiles = map[string]string{
	"/":                      "duckdb-wasm.html",
	"/duckdb-wasm.mjs":       "duckdb-wasm.mjs",
	"/duckdb-wasm-worker.js": "duckdb-wasm-worker.js",
	"/seed.sql":              "seed.sql",
}

// duckWasmTypes are the content types module scripts and
// instantiateStreaming insist on.
var duckWasmTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
	".sql":  "text/plain; charset=utf-8",
}

// benchKit returns scripts/benchkit, failing when its npm packages are not
// installed.
func benchKit(t *testing.T) string {
	t.Helper()
	kit := filepath.Join(root, "scripts", "benchkit")
	for _, p := range []string{"@duckdb/duckdb-wasm/dist/duckdb-eh.wasm", "@duckdb/node-api/package.json"} {
		if _, err := os.Stat(filepath.Join(kit, "node_modules", filepath.FromSlash(p))); err != nil {
			t.Fatalf("the benchmark's npm packages are missing (%v): run npm ci in scripts/benchkit (scripts/bench-browser does)", err)
		}
	}
	return kit
}

// startDuckWasm serves DuckDB-WASM's benchmark page and bundle on
// 127.0.0.1 until the test ends.
func startDuckWasm(t *testing.T, kit string) *httptest.Server {
	t.Helper()
	modules := http.FileServer(http.Dir(filepath.Join(kit, "node_modules")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("/" + r.URL.Path)
		w.Header().Set("Cache-Control", "no-cache")
		if file, ok := duckWasmFiles[name]; ok {
			w.Header().Set("Content-Type", duckWasmTypes[path.Ext(file)])
			http.ServeFile(w, r, filepath.Join(kit, file))
			return
		}
		rest, ok := strings.CutPrefix(name, "/node_modules/")
		if !ok || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if ct, ok := duckWasmTypes[path.Ext(rest)]; ok {
			w.Header().Set("Content-Type", ct)
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		modules.ServeHTTP(w, r2)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newDuckTab starts a browser with a fresh profile, as newTab does, on the
// DuckDB-WASM page, and waits until DuckDB is loaded. stop ends the
// browser at once, so that it does not idle beside the next measurement.
func newDuckTab(t *testing.T, url string) (tb *tab, stop func()) {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), allocatorOptions(t.TempDir(), 1280, 800)...)
	tb = &tab{t: t, url: url, download: t.TempDir()}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(tb.listen))
	stop = func() {
		cancelC()
		cancelA()
	}
	t.Cleanup(stop)
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	tb.run(chromedp.Navigate(url))
	tb.waitJS(`window.duckBench && (window.duckBench.ready || window.duckBench.setupError)`)
	if msg := eval[string](tb, `window.duckBench.setupError || ""`); msg != "" {
		t.Fatalf("loading DuckDB-WASM: %s\n%s", msg, tb.consoleLog())
	}
	return tb, stop
}

func (tb *tab) consoleLog() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return "console:\n  " + strings.Join(tb.consoles, "\n  ")
}

// duckResult is one DuckDB-WASM run over a file.
type duckResult struct {
	rows    int
	size    int64
	version string
	load    time.Duration // loading DuckDB, before the pick (not timed)
	time    time.Duration // from the pick to the count
	count   int64
	memory  float64 // DuckDB's WebAssembly memory at the end, 0 if unknown
	err     string  // DuckDB's error, when it failed
}

// benchDuckWasm picks the file in a fresh browser on the DuckDB-WASM page
// and times it from the pick to the count, as TestBenchPage times the page.
func benchDuckWasm(t *testing.T, url, file string, rows int, size int64) duckResult {
	t.Helper()
	tb, stop := newDuckTab(t, url)
	defer stop()
	info := eval[map[string]any](tb, `({version: window.duckBench.version, load: window.duckBench.loadMs})`)
	start := eval[float64](tb, `performance.now()`)
	tb.pick("#pick", file)
	tb.waitJSFor(`window.duckBench.done`, 60*time.Minute)
	r := eval[map[string]any](tb, `({end: window.duckBench.end, count: window.duckBench.count ?? -1, error: window.duckBench.error || "", memory: window.duckBench.wasmMemory || 0})`)
	num := func(v any) float64 { f, _ := v.(float64); return f }
	res := duckResult{
		rows: rows, size: size,
		load:   time.Duration(num(info["load"]) * float64(time.Millisecond)),
		time:   time.Duration((num(r["end"]) - start) * float64(time.Millisecond)),
		count:  int64(num(r["count"])),
		memory: num(r["memory"]),
	}
	res.version, _ = info["version"].(string)
	res.err, _ = r["error"].(string)
	// The comparison holds only if DuckDB read the picked file and nothing
	// else: no extension or file fetched from elsewhere.
	for _, u := range tb.requestURLs() {
		if !strings.HasPrefix(u, url) && !strings.HasPrefix(u, "blob:") && !strings.HasPrefix(u, "data:") {
			t.Errorf("DuckDB-WASM's page asked for %s, outside the local server", u)
		}
	}
	return res
}

// duckWasmPackage is the installed version of @duckdb/duckdb-wasm.
func duckWasmPackage() string {
	b, err := os.ReadFile(filepath.Join(root, "scripts", "benchkit", "node_modules", "@duckdb", "duckdb-wasm", "package.json"))
	var pkg struct {
		Version string `json:"version"`
	}
	if err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version == "" {
		return "(version unknown)"
	}
	return pkg.Version
}

// nativeSeedCount runs DuckDB native over the file with the same SQL
// (scripts/benchkit/duckdb-native.mjs): the count DuckDB-WASM must find.
func nativeSeedCount(t *testing.T, kit, file string) int64 {
	t.Helper()
	out, err := exec.Command("node", filepath.Join(kit, "duckdb-native.mjs"), file).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("DuckDB native over %s: %v %s", file, err, msg)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("DuckDB native over %s printed %q", file, out)
	}
	return n
}

// checkDuckWasm fails the test when DuckDB-WASM failed on a file it should
// read, or disagrees with DuckDB native.
func checkDuckWasm(t *testing.T, d duckResult, native int64) {
	t.Helper()
	switch {
	case d.err != "" && d.size >= over2GiB:
		t.Logf("%d rows (%.0f MB): DuckDB-WASM failed, as expected past 2 GiB: %s", d.rows, float64(d.size)/1e6, d.err)
	case d.err != "":
		t.Errorf("%d rows (%.0f MB): DuckDB-WASM failed: %s", d.rows, float64(d.size)/1e6, d.err)
	case d.count != native:
		t.Errorf("%d rows: DuckDB-WASM counted %d rows, DuckDB native %d with the same SQL", d.rows, d.count, native)
	default:
		t.Logf("%d rows (%.0f MB): DuckDB-WASM %v, count %d (DuckDB native: %d), wasm memory %.0f MB", d.rows, float64(d.size)/1e6, d.time.Round(time.Millisecond), d.count, native, d.memory/1e6)
	}
}

// printDuckWasm prints DuckDB-WASM's rows under the page's table, and the
// ratio of the two on each file. scripts/benchkit parses these lines.
func printDuckWasm(page []pageResult, duck []duckResult) {
	if len(duck) == 0 {
		return
	}
	fmt.Println()
	fmt.Printf("DuckDB-WASM %s (DuckDB %s, EH bundle) in the same Chromium: the file picked, registered with registerFileHandle and BROWSER_FILEREADER, the seed SQL of DuckDB native (scripts/benchkit/seed.sql):\n", duckWasmPackage(), duck[0].version)
	fmt.Printf("%-12s %9s %9s %9s %8s %9s %9s %9s\n", "contender", "rows", "size", "time", "MB/s", "count", "wasm mem", "load")
	for _, d := range duck {
		mb := float64(d.size) / 1e6
		if d.err != "" {
			fmt.Printf("%-12s %9d %6.0f MB    FAILED: %s\n", "DuckDB-WASM", d.rows, mb, strings.Join(strings.Fields(d.err), " "))
			continue
		}
		mem := "-"
		if d.memory > 0 {
			mem = fmt.Sprintf("%.0f MB", d.memory/1e6)
		}
		fmt.Printf("%-12s %9d %6.0f MB %8.2fs %8.1f %9d %9s %8.1fs\n", "DuckDB-WASM", d.rows, mb, d.time.Seconds(), mb/d.time.Seconds(), d.count, mem, d.load.Seconds())
	}
	fmt.Println("time: from the pick to the count, as for the page; load: loading DuckDB before the pick (not timed, as the page's engine loads before).")
	fmt.Println("count: rows the seed SQL matched, checked against DuckDB native. wasm mem: DuckDB's WebAssembly memory at the end (it only grows).")
	fmt.Println("page vs DuckDB-WASM (DuckDB-WASM's time / the page's on the same file; above 1: the page is faster; the target is 3x):")
	for i, d := range duck {
		if i >= len(page) {
			break
		}
		p := page[i]
		if d.err != "" {
			fmt.Printf("page vs DuckDB-WASM, %d rows (%.0f MB): page %.2fs, DuckDB-WASM failed\n", p.rows, float64(p.size)/1e6, p.scan.Seconds())
			continue
		}
		fmt.Printf("page vs DuckDB-WASM, %d rows (%.0f MB): page %.2fs, DuckDB-WASM %.2fs: %.2fx\n", p.rows, float64(p.size)/1e6, p.scan.Seconds(), d.time.Seconds(), d.time.Seconds()/p.scan.Seconds())
	}
}
