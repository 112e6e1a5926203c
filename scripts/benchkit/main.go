// Command benchkit is scripts/bench: it runs offhunt and the tools an
// analyst would reach for instead over the same generated exports and
// prints one table of median seconds, MB/s, peak memory and the ratio to
// offhunt scan.
//
// Native contenders run as separate processes, several rounds, alternating
// (round 1 runs each once, then round 2 ...), so that a noisy neighbour
// slows every contender alike. Peak memory is the child's maximum resident
// set size (getrusage). The browser and the Worker are measured by
// scripts/bench-browser and scripts/bench-worker, whose output is parsed;
// a contender whose script is missing or prints nothing usable shows as
// "not available yet", never silently left out.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const benchNow = "2025-12-01T00:00:00Z"

func main() {
	smoke := flag.Bool("smoke", false, "a small file, one round, every contender started (for scripts/test)")
	rounds := flag.Int("rounds", 5, "runs of each native contender per file")
	rowsFlag := flag.String("rows", "100000,1000000", "rows of the generated files, comma-separated")
	noBrowser := flag.Bool("no-browser", false, "leave out the browser contenders (printed as skipped)")
	noWorker := flag.Bool("no-worker", false, "leave out the Worker contender (printed as skipped)")
	flag.Parse()
	if *smoke {
		*rounds = 1
		if !isFlagSet("rows") {
			*rowsFlag = "2000"
		}
	}
	if err := run(*smoke, *rounds, *rowsFlag, !*noBrowser, !*noWorker); err != nil {
		fmt.Fprintln(os.Stderr, "scripts/bench:", err)
		os.Exit(1)
	}
}

func isFlagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// contender is one native command run over a file.
type contender struct {
	name string
	cmd  func(file string) []string
	// result reads the command's answer from its output, for the table
	// (findings, matching rows): a sanity check, not a timing.
	result func(out []byte) string
	// okExit lists exit codes that are not failures (scan: 1 = findings).
	okExit []int
}

type sample struct {
	secs  float64
	rssMB float64
}

func run(smoke bool, rounds int, rowsFlag string, browser, worker bool) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	printMachine()
	bin := filepath.Join(root, "bin", "offhunt")
	if err := command(root, "go", "build", "-trimpath", "-o", bin, "./detect/cmd/offhunt"); err != nil {
		return fmt.Errorf("building bin/offhunt: %w", err)
	}
	kit := filepath.Join(root, "scripts", "benchkit")
	if !npmInstalled(kit) {
		fmt.Println("installing the benchmark's npm packages (npm ci in scripts/benchkit)")
		if err := command(kit, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
			return fmt.Errorf("npm ci in scripts/benchkit: %w", err)
		}
	}
	rg, err := exec.LookPath("rg")
	if err != nil {
		return errors.New("ripgrep is missing: apt-get install -y ripgrep")
	}
	seed := filepath.Join(root, "detect", "rules", "pack", "rclone-seed-copy-args.kql")
	contenders := []contender{
		{name: "offhunt scan (built-in pack)", okExit: []int{0, 1},
			cmd:    func(f string) []string { return []string{bin, "scan", "--now", benchNow, "--format", "json", f} },
			result: findingsOf},
		{name: "offhunt query (seed rule)",
			cmd: func(f string) []string {
				return []string{bin, "query", "--now", benchNow, "--format", "csv", "-f", seed, f}
			},
			result: func(out []byte) string { return strconv.Itoa(max(0, bytes.Count(out, []byte("\n"))-1)) + " rows" }},
		{name: "DuckDB native (seed SQL, threads=2)",
			cmd:    func(f string) []string { return []string{"node", filepath.Join(kit, "duckdb-native.mjs"), f} },
			result: func(out []byte) string { return strings.TrimSpace(string(out)) + " rows" }},
		{name: "rg -c -i rclone", okExit: []int{0, 1},
			cmd:    func(f string) []string { return []string{rg, "-c", "-i", "rclone", f} },
			result: func(out []byte) string { return cmp.Or(strings.TrimSpace(string(out)), "0") + " lines" }},
	}
	var rowsList []int
	for _, s := range strings.Split(rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -rows %q", rowsFlag)
		}
		rowsList = append(rowsList, n)
	}
	failed := false
	for _, rows := range rowsList {
		file, err := benchFile(root, rows)
		if err != nil {
			return err
		}
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		mb := float64(st.Size()) / 1e6
		// One read to put the file in the page cache for every contender.
		if err := command(root, "cat", file); err != nil {
			return err
		}
		fmt.Printf("\n%d rows, %.0f MB (%s), median of %d runs, alternating; load average before: %s\n", rows, mb, file, rounds, loadAverage())
		samples := make([][]sample, len(contenders))
		results := make([]string, len(contenders))
		errs := make([]error, len(contenders))
		for r := 0; r < rounds; r++ {
			for i, c := range contenders {
				if errs[i] != nil {
					continue
				}
				s, out, err := measure(c.cmd(file), c.okExit)
				if err != nil {
					errs[i] = err
					continue
				}
				samples[i] = append(samples[i], s)
				results[i] = c.result(out)
			}
		}
		fmt.Printf("%-40s %9s %9s %10s %12s  %s\n", "contender", "median s", "MB/s", "peak RSS", "vs offhunt", "answer")
		base := 0.0
		if len(samples[0]) > 0 {
			base = medianSecs(samples[0])
		}
		for i, c := range contenders {
			if errs[i] != nil {
				failed = true
				fmt.Printf("%-40s FAILED: %v\n", c.name, errs[i])
				continue
			}
			m := medianSecs(samples[i])
			ratio := "-"
			if base > 0 {
				ratio = fmt.Sprintf("%.2fx", m/base)
			}
			fmt.Printf("%-40s %9.3f %9.1f %7.0f MB %12s  %s\n", c.name, m, mb/m, maxRSS(samples[i]), ratio, results[i])
		}
	}
	fmt.Println("\nvs offhunt: the contender's median time / offhunt scan's median time (below 1: faster than offhunt scan).")
	fmt.Printf("load average after: %s\n", loadAverage())

	if err := otherFrontEnds(root, smoke, rowsList, browser, worker); err != nil {
		failed = true
		fmt.Println(err)
	}
	if failed {
		return errors.New("a contender failed (see the table)")
	}
	return nil
}

// npmInstalled reports whether scripts/benchkit's npm packages are there:
// DuckDB native, and DuckDB-WASM's bundle for scripts/bench-browser.
func npmInstalled(kit string) bool {
	for _, p := range []string{"@duckdb/node-api/package.json", "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm"} {
		if _, err := os.Stat(filepath.Join(kit, "node_modules", filepath.FromSlash(p))); err != nil {
			return false
		}
	}
	return true
}

// measure runs argv once and returns its wall time and peak RSS.
func measure(argv []string, okExit []int) (sample, []byte, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	secs := time.Since(start).Seconds()
	var ee *exec.ExitError
	if errors.As(err, &ee) && slices.Contains(okExit, ee.ExitCode()) {
		err = nil
	}
	if err != nil {
		return sample{}, nil, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(errb.String()))
	}
	s := sample{secs: secs}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rssMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return s, out.Bytes(), nil
}

func findingsOf(out []byte) string {
	var f struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out, &f); err != nil {
		return "unreadable JSON"
	}
	return strconv.Itoa(len(f.Findings)) + " findings"
}

func medianSecs(s []sample) float64 {
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = x.secs
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func maxRSS(s []sample) float64 {
	m := 0.0
	for _, x := range s {
		m = max(m, x.rssMB)
	}
	return m
}

// benchFile returns the generated export of rows rows, made once with the
// shared generator and cached as detect/internal/shared.BenchFile caches it.
func benchFile(root string, rows int) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "offhunt-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, fmt.Sprintf("dpe-%d.csv", rows))
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	gen := filepath.Join(sharedDir(root), "bench", "gen-dpe.py")
	if _, err := os.Stat(gen); err != nil {
		return "", fmt.Errorf("the generator %s is missing (../shared beside the checkout, or OFFHUNT_SHARED)", gen)
	}
	fmt.Printf("generating %s (%d rows; cached for later runs)\n", out, rows)
	if err := command(root, "python3", gen, strconv.Itoa(rows), out+".tmp"); err != nil {
		return "", err
	}
	return out, os.Rename(out+".tmp", out)
}

func sharedDir(root string) string {
	if d := os.Getenv("OFFHUNT_SHARED"); d != "" {
		return d
	}
	return filepath.Join(root, "..", "shared")
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from the offhunt checkout")
	}
	return filepath.Dir(mod), nil
}

// command runs a helper command, its output discarded unless it fails.
func command(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &out
	if name != "cat" {
		cmd.Stdout = &out
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

func printMachine() {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				mem = fmt.Sprintf("%.1f GB", kb/1024/1024)
			}
		}
	}
	goVer, _ := exec.Command("go", "env", "GOVERSION").Output()
	nodeVer, _ := exec.Command("node", "--version").Output()
	rgVer, _ := exec.Command("rg", "--version").Output()
	fmt.Printf("machine: %d CPUs (nproc), %s, %s memory, %s/%s; %s, node %s, %s\n",
		runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH, strings.TrimSpace(string(goVer)),
		strings.TrimSpace(string(nodeVer)), strings.SplitN(strings.TrimSpace(string(rgVer)), "\n", 2)[0])
}

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

// otherFrontEnds runs scripts/bench-browser and scripts/bench-worker when
// they exist and prints the rows parsed from their output.
func otherFrontEnds(root string, smoke bool, rowsList []int, browser, worker bool) error {
	fmt.Println("\nother front ends (measured by their own scripts; time and MB/s as they report them):")
	fmt.Printf("%-50s %9s %9s %10s  %s\n", "contender", "time s", "MB/s", "memory", "note")
	var failed []string
	notYet := func(name, why string) {
		fmt.Printf("%-50s %9s %9s %10s  not available yet (%s)\n", name, "-", "-", "-", why)
	}
	if !browser {
		notYet("the page in headless Chromium", "skipped: -no-browser")
		notYet("DuckDB-WASM (EH, BROWSER_FILEREADER) in Chromium", "skipped: -no-browser")
	} else {
		rows := make([]string, len(rowsList))
		for i, r := range rowsList {
			rows[i] = strconv.Itoa(r)
		}
		out, err := frontEnd(root, "scripts/bench-browser", []string{"OFFHUNT_BENCH_ROWS=" + strings.Join(rows, ",")}, smoke)
		switch {
		case errors.Is(err, os.ErrNotExist):
			notYet("the page in headless Chromium", "scripts/bench-browser is missing")
			notYet("DuckDB-WASM (EH, BROWSER_FILEREADER) in Chromium", "scripts/bench-browser is missing")
		case err != nil:
			failed = append(failed, "scripts/bench-browser: "+err.Error())
			fmt.Printf("%-50s FAILED: %v\n", "the page in headless Chromium", err)
			fmt.Printf("%-50s FAILED: %v\n", "DuckDB-WASM (EH, BROWSER_FILEREADER) in Chromium", err)
		default:
			page := parsePage(out)
			if len(page) == 0 {
				notYet("the page in headless Chromium", "scripts/bench-browser printed no table")
			}
			for _, l := range page {
				fmt.Println(l)
			}
			duck := parseDuckWasm(out)
			if len(duck) == 0 {
				notYet("DuckDB-WASM (EH, BROWSER_FILEREADER) in Chromium", "scripts/bench-browser does not measure it")
			}
			for _, l := range duck {
				fmt.Println(l)
			}
		}
	}
	if !worker {
		notYet("the Worker (workerd, wrangler dev)", "skipped: -no-worker")
	} else {
		var env []string
		if smoke {
			env = []string{"OFFHUNT_BENCH_SMOKE=1"}
		}
		out, err := frontEnd(root, "scripts/bench-worker", env, smoke)
		switch {
		case errors.Is(err, os.ErrNotExist):
			notYet("the Worker (workerd, wrangler dev)", "scripts/bench-worker is missing")
		case err != nil:
			failed = append(failed, "scripts/bench-worker: "+err.Error())
			fmt.Printf("%-50s FAILED: %v\n", "the Worker (workerd, wrangler dev)", err)
		default:
			w := parseWorker(out)
			if len(w) == 0 {
				notYet("the Worker (workerd, wrangler dev)", "scripts/bench-worker printed no table")
			}
			for _, l := range w {
				fmt.Println(l)
			}
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\n"))
	}
	return nil
}

// frontEnd runs one of the other engineers' bench scripts and returns its
// output; os.ErrNotExist when the script is missing.
func frontEnd(root, script string, env []string, smoke bool) (string, error) {
	path := filepath.Join(root, script)
	if _, err := os.Stat(path); err != nil {
		return "", os.ErrNotExist
	}
	limit := 90 * time.Minute
	if smoke {
		limit = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		log := filepath.Join(os.TempDir(), "offhunt-"+filepath.Base(script)+".log")
		os.WriteFile(log, out, 0o644)
		return "", fmt.Errorf("%v (output in %s)", err, log)
	}
	return string(out), nil
}

var (
	// "    100000      75 MB      1.2s     62.3 ..." (scripts/bench-browser's table)
	pageRow = regexp.MustCompile(`^\s*(\d+)\s+(\d+) MB\s+([\d.]+)s\s+([\d.]+)\s+\d+\s+[\d.]+\s+(\d+)\s+([\d.]+)s\s+(\d+) MB`)
	// "DuckDB-WASM     100000     75 MB     1.82s     41.1         1    137 MB      3.1s"
	// (scripts/bench-browser's DuckDB-WASM table: rows, size, time, MB/s,
	// count, wasm memory or "-", load time)
	duckRow = regexp.MustCompile(`^DuckDB-WASM\s+(\d+)\s+(\d+) MB\s+([\d.]+)s\s+([\d.]+)\s+(\d+)\s+(\d+ MB|-)\s+([\d.]+)s\s*$`)
	// "DuckDB-WASM    3000000   2250 MB    FAILED: ..."
	duckFailed = regexp.MustCompile(`^DuckDB-WASM\s+(\d+)\s+(\d+) MB\s+FAILED: (.*)$`)
	// "page vs DuckDB-WASM, 100000 rows (75 MB): page 5.62s, DuckDB-WASM 1.82s: 0.32x"
	duckRatio = regexp.MustCompile(`^page vs DuckDB-WASM, (\d+) rows \(\d+ MB\): page [\d.]+s, DuckDB-WASM [\d.]+s: ([\d.]+)x$`)
	// "100 MB  raw gzip (...), now fixed   1.234s  81.0 54 MB" (scripts/bench-worker;
	// the last column is the Go memory of the request)
	workerRow = regexp.MustCompile(`^(\d+ MB)\s+(raw text/csv, now fixed \(median of \d+\)|raw gzip \([\d.]+ MB sent\), now fixed(?: \(median of \d+\))?)\s+(\S+)\s+([\d.]+)(?:\s+(\d+ MB))?\s*$`)
)

func parsePage(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if m := pageRow.FindStringSubmatch(l); m != nil {
			rows = append(rows, fmt.Sprintf("%-50s %9s %9s %7s MB  first findings %ss, %s findings", "the page, Chromium, "+m[1]+" rows ("+m[2]+" MB)", m[3], m[4], m[7], m[6], m[5]))
		}
	}
	return rows
}

// parseDuckWasm reads DuckDB-WASM's rows, each with its ratio to the page
// on the same file (DuckDB-WASM's time / the page's).
func parseDuckWasm(out string) []string {
	lines := strings.Split(out, "\n")
	ratio := map[string]string{}
	for _, l := range lines {
		if m := duckRatio.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			ratio[m[1]] = m[2]
		}
	}
	var rows []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if m := duckRow.FindStringSubmatch(l); m != nil {
			note := m[5] + " rows (seed SQL), load " + m[7] + "s before the pick"
			if r, ok := ratio[m[1]]; ok {
				note += "; DuckDB-WASM / page time " + r + "x"
			}
			rows = append(rows, fmt.Sprintf("%-50s %9s %9s %10s  %s", "DuckDB-WASM, Chromium, "+m[1]+" rows ("+m[2]+" MB)", m[3], m[4], m[6], note))
		} else if m := duckFailed.FindStringSubmatch(l); m != nil {
			rows = append(rows, fmt.Sprintf("%-50s FAILED: %s", "DuckDB-WASM, Chromium, "+m[1]+" rows ("+m[2]+" MB)", m[3]))
		}
	}
	return rows
}

func parseWorker(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if m := workerRow.FindStringSubmatch(l); m != nil {
			d, err := time.ParseDuration(m[3])
			secs := m[3]
			if err == nil {
				secs = fmt.Sprintf("%.3f", d.Seconds())
			}
			mem := m[5]
			if mem == "" {
				mem = "-"
			}
			rows = append(rows, fmt.Sprintf("%-50s %9s %9s %10s  %s", "Worker, "+m[1]+" body, "+strings.SplitN(m[2], ",", 2)[0], secs, m[4], mem, m[2]))
		}
		if strings.HasPrefix(l, "cold") || strings.Contains(l, "peak resident memory") {
			row := fmt.Sprintf("%-50s %s", "Worker", strings.TrimSpace(l))
			if !slices.Contains(rows, row) {
				rows = append(rows, row)
			}
		}
	}
	return rows
}
