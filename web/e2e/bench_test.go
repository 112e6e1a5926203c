//go:build browser

package e2e

import (
	"fmt"
	"offhunt/internal/shared"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// maxWasmMemory is the most WebAssembly memory a scan may take, whatever
// the size of the export: the core streams, so memory must not grow with
// the file.
const maxWasmMemory = 512 << 20

// TestBenchPage measures the page scanning generated exports (the shared
// generator, 100,000 and 1,000,000 rows, or OFFHUNT_BENCH_ROWS) in headless
// Chromium: throughput, time until the findings show, and the peak
// WebAssembly memory; then DuckDB-WASM on each file in the same browser
// (bench_duckdb_test.go), the peer the page must beat. It runs when
// OFFHUNT_BENCH=1 (scripts/bench-browser).
func TestBenchPage(t *testing.T) {
	if os.Getenv("OFFHUNT_BENCH") != "1" {
		t.Skip("set OFFHUNT_BENCH=1 (scripts/bench-browser) to measure the page")
	}
	sizes := []int{100_000, 1_000_000}
	if s := os.Getenv("OFFHUNT_BENCH_ROWS"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatalf("OFFHUNT_BENCH_ROWS: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	kit := benchKit(t)
	duckURL := startDuckWasm(t, kit).URL + "/"
	var results []pageResult
	var ducks []duckResult
	for _, rows := range sizes {
		path := benchFile(t, rows)
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		native := nativeSeedCount(t, kit, path)
		tb := newTab(t, "")
		tb.setNow("latest")
		memBefore := eval[float64](tb, `window.offhunt.memory`)
		n := tb.runs()
		tb.eval(`window.__maxPass = 0; window.__firstFinding = 0; new MutationObserver(() => { if (!window.__firstFinding && document.querySelector("#findings-table tbody tr[data-index]")) window.__firstFinding = performance.now(); }).observe(document.getElementById("findings-table"), {childList: true, subtree: true}); setInterval(() => { const m = /pass (\d+)/.exec(document.getElementById("progress-text").textContent); if (m) window.__maxPass = Math.max(window.__maxPass, Number(m[1])); }, 50)`)
		start := eval[float64](tb, `performance.now()`)
		tb.pick("#pick-files", path)
		tb.waitJSFor(fmt.Sprintf(`window.offhunt.runs > %d && !window.offhunt.running`, n), 60*time.Minute)
		r := eval[map[string]float64](tb, `({end: performance.now(), first: window.__firstFinding, memory: window.offhunt.memory, findings: (window.offhunt.findings || {findings: []}).findings.length, passes: window.__maxPass})`)
		if msg := tb.text("#message"); strings.Contains(msg, "failed") {
			t.Fatalf("%d rows: %s", rows, msg)
		}
		res := pageResult{
			rows: rows, size: st.Size(),
			scan:     time.Duration((r["end"] - start) * float64(time.Millisecond)),
			passes:   max(int(r["passes"]), 1), // the page names a pass only from the second on
			findings: int(r["findings"]),
			memory:   r["memory"], memBefore: memBefore,
		}
		if r["first"] > 0 {
			res.first = time.Duration((r["first"] - start) * float64(time.Millisecond))
		}
		results = append(results, res)
		t.Logf("%d rows (%.0f MB): %v, %d findings, peak wasm memory %.0f MB", rows, float64(st.Size())/1e6, res.scan.Round(time.Millisecond), res.findings, res.memory/1e6)
		if res.memory > maxWasmMemory {
			t.Errorf("%d rows: the WebAssembly memory reached %.0f MB, over %d MB", rows, res.memory/1e6, maxWasmMemory>>20)
		}
		// DuckDB-WASM right after the page, on the same file, so that both
		// meet the same neighbours and the same page cache.
		d := benchDuckWasm(t, duckURL, path, rows, st.Size())
		checkDuckWasm(t, d, native)
		ducks = append(ducks, d)
	}
	fmt.Println()
	fmt.Println("The page scanning generated DeviceProcessEvents exports in headless Chromium (built-in rules, now = newest event):")
	fmt.Printf("%10s %9s %9s %8s %7s %14s %9s %13s %9s\n", "rows", "size", "scan", "MB/s", "passes", "read MB/s", "findings", "first finding", "wasm mem")
	for _, r := range results {
		secs := r.scan.Seconds()
		fmt.Printf("%10d %7.0f MB %8.1fs %8.1f %7d %14.1f %9d %12.1fs %6.0f MB\n",
			r.rows, float64(r.size)/1e6, secs, float64(r.size)/1e6/secs, r.passes,
			float64(r.size)*float64(max(r.passes, 1))/1e6/secs, r.findings, r.first.Seconds(), r.memory/1e6)
	}
	fmt.Println("MB/s: export size / time from the pick to the findings; read MB/s counts every pass over the file.")
	fmt.Println("first finding: from the pick until the first finding shows in the table (findings stream to the page as the rules find them).")
	fmt.Println("wasm mem: the WebAssembly memory at the end (it only grows, so it is the peak), before the scan:", fmt.Sprintf("%.0f MB", results[0].memBefore/1e6))
	if len(results) > 1 {
		a, b := results[0], results[len(results)-1]
		fmt.Printf("memory growth from %d to %d rows: %.0f MB for %.0fx the data\n", a.rows, b.rows, (b.memory-a.memory)/1e6, float64(b.size)/float64(a.size))
	}
	printDuckWasm(results, ducks)
}

// pageResult is one scan of the page over a file.
type pageResult struct {
	rows              int
	size              int64
	scan, first       time.Duration
	passes, findings  int
	memory, memBefore float64
}

// benchFile returns a generated export of rows rows, made by the shared
// generator and cached between runs (offhunt/internal/shared.BenchFile).
func benchFile(t *testing.T, rows int) string {
	t.Helper()
	return shared.BenchFile(t, rows, false)
}
