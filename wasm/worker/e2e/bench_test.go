//go:build unix

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"offhunt/internal/shared"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"offhunt/detect"
)

// benchNow fixes now for the bench: the generated events run from
// 2025-09-01, and a fixed now lets a scan read the input once.
const benchNow = "2025-12-01T00:00:00Z"

// benchFile returns a generated export of rows rows, made by the shared
// generator and cached between runs (offhunt/internal/shared.BenchFile).
func benchFile(t *testing.T, rows int) string {
	t.Helper()
	return shared.BenchFile(t, rows, false)
}

// timed posts a body and returns how long the answer took, whole, and the
// memory the Worker's Go runtime had taken by then (in MB; 0 if unknown).
func timed(t *testing.T, w *workerd, path, contentType string, body []byte, header map[string]string) (time.Duration, float64) {
	t.Helper()
	start := time.Now()
	res, got := w.request(t, http.MethodPost, path, contentType, body, header)
	d := time.Since(start)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %.300s", path, res.StatusCode, got)
	}
	mem, _ := strconv.ParseFloat(res.Header.Get("Offhunt-Go-Memory"), 64)
	return d, mem / 1e6
}

// loadAverage is the machine's 1-, 5- and 15-minute load: the numbers
// mean little when other work shares the CPUs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func mbps(n int, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// workerdPeakRSS sums the peak resident memory of the workerd processes
// in wrangler's process group, in MB, or returns 0 when it cannot tell.
func workerdPeakRSS(w *workerd) float64 {
	m := regexp.MustCompile(`process group (\d+)`).FindStringSubmatch(w.log.String())
	if m == nil {
		return 0
	}
	entries, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[2] != m[1] || !strings.Contains(s[:i], "workerd") {
			continue
		}
		status, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if h := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindStringSubmatch(string(status)); h != nil {
			kb, _ := strconv.ParseFloat(h[1], 64)
			total += kb / 1000
		}
	}
	return total
}

// TestBenchWorker posts generated 10 MB and 100 MB exports to a Worker on
// workerd and reports MB/s, the cold first request and a warm request.
// It runs only with OFFHUNT_WORKER_BENCH=1 (scripts/bench-worker).
func TestBenchWorker(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skipf("set %s=1 (scripts/bench-worker does) to post 10 MB and 100 MB exports to a local Worker", benchEnv)
	}
	skipWithout(t, "node", "the Worker runs on workerd through wrangler")
	// OFFHUNT_BENCH_SMOKE=1 (scripts/bench --smoke, run by scripts/test)
	// posts small files instead, so that the smoke starts every contender
	// without the cost of the real sizes.
	sizes := []string{"10 MB", "100 MB"}
	files := map[string]string{}
	if os.Getenv("OFFHUNT_BENCH_SMOKE") == "1" {
		sizes = []string{"1 MB", "2 MB"}
		files["1 MB"], files["2 MB"] = benchFile(t, 1_300), benchFile(t, 2_600)
	} else {
		files["10 MB"], files["100 MB"] = benchFile(t, 13_000), benchFile(t, 130_000)
	}
	w, err := startWorkerd("", "--var", "OFFHUNT_REPORT_MEMORY:1")
	if err != nil {
		t.Fatal(err)
	}
	defer w.stop()

	var report strings.Builder
	fmt.Fprintf(&report, "Worker on workerd (wrangler dev --local), one request at a time\n")
	fmt.Fprintf(&report, "wrangler dev until ready (workerd started, the Worker loaded; a build before it, if any, included): %v\n", w.boot.Round(time.Millisecond))
	fmt.Fprintf(&report, "cold first request (GET /healthz once ready: wasm instantiated, Go started): %v\n", w.first.Round(time.Millisecond))
	var warm []time.Duration
	for i := 0; i < 10; i++ {
		start := time.Now()
		res, _ := w.request(t, http.MethodGet, "/healthz", "", nil, nil)
		warm = append(warm, time.Since(start))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("healthz: %d", res.StatusCode)
		}
	}
	fmt.Fprintf(&report, "warm request (GET /healthz; a new Go instance per request), median of 10: %v\n", median(warm).Round(time.Millisecond))
	// V8 first runs the module's baseline code and optimises hot
	// functions as they run; the first scans show it.
	ten, err := os.ReadFile(files[sizes[0]])
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		d, _ := timed(t, w, "/api/scan?now="+benchNow, "text/csv", ten, nil)
		fmt.Fprintf(&report, "scan %d after start (%s, while V8 optimises the module): %v, %.1f MB/s\n", i, sizes[0], d.Round(time.Millisecond), mbps(len(ten), d))
	}
	fmt.Fprintf(&report, "load average before the table: %s\n", loadAverage())
	fmt.Fprintf(&report, "\n%-7s %-50s %10s %7s %s\n", "input", "request", "time", "MB/s", "Go memory")

	for _, size := range sizes {
		body, err := os.ReadFile(files[size])
		if err != nil {
			t.Fatal(err)
		}
		gz := gzipBytes(body)
		runs := 3
		if size == sizes[len(sizes)-1] {
			runs = 1
		}
		row := func(what string, d time.Duration, mem float64) {
			m := "-"
			if mem > 0 {
				m = fmt.Sprintf("%.0f MB", mem)
			}
			fmt.Fprintf(&report, "%-7s %-50s %10v %7.1f %s\n", size, what, d.Round(time.Millisecond), mbps(len(body), d), m)
		}
		var ds []time.Duration
		peak := 0.0
		for i := 0; i < runs; i++ {
			d, mem := timed(t, w, "/api/scan?now="+benchNow, "text/csv", body, nil)
			ds, peak = append(ds, d), max(peak, mem)
		}
		row(fmt.Sprintf("raw text/csv, now fixed (median of %d)", runs), median(ds), peak)
		// The gzip body is the measure: always the median of 3.
		ds, peak = nil, 0
		for i := 0; i < 3; i++ {
			d, mem := timed(t, w, "/api/scan?now="+benchNow, "text/csv", gz, map[string]string{"Content-Encoding": "gzip"})
			ds, peak = append(ds, d), max(peak, mem)
		}
		row(fmt.Sprintf("raw gzip (%.1f MB sent), now fixed (median of 3)", float64(len(gz))/1e6), median(ds), peak)
		var d time.Duration
		var mem float64
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("now", benchNow)
		fw, _ := mw.CreateFormFile("file", filepath.Base(files[size]))
		fw.Write(body)
		mw.Close()
		d, mem = timed(t, w, "/api/scan", mw.FormDataContentType(), mp.Bytes(), nil)
		row("multipart, now fixed", d, mem)
		d, mem = timed(t, w, "/api/scan?now=latest", "text/csv", body, nil)
		row("raw text/csv, now=latest (one pass)", d, mem)

		in := []detect.Input{{Name: "x.csv", Open: func() (io.ReadCloser, error) { return os.Open(files[size]) }}}
		start := time.Now()
		if _, err := detect.Scan(context.Background(), in, detect.ScanOptions{Options: detect.Options{Now: benchNow}}); err != nil {
			t.Fatal(err)
		}
		row("native detect.Scan in this process", time.Since(start), 0)
	}
	fmt.Fprintf(&report, "\nload average after: %s (this machine has %d CPUs)\n", loadAverage(), runtime.NumCPU())
	fmt.Fprintf(&report, "Go memory: what the Worker's Go runtime had taken from its wasm memory when it answered (it never shrinks)\n")
	if rss := workerdPeakRSS(w); rss > 0 {
		fmt.Fprintf(&report, "peak resident memory of the workerd processes (wrangler's proxy and the Worker): %.0f MB\n", rss)
	}
	t.Log("\n" + report.String())
	fmt.Print(report.String())
}
