//go:build browser

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectScan checks that the page's findings are those the core finds in
// this process for the same files, or, when the core cannot read one of
// them yet, that the page says so.
func expectScan(t *testing.T, tb *tab, paths ...string) {
	t.Helper()
	want, err := nativeScan("latest", paths...)
	if err != nil {
		tb.waitRun(0)
		msg := tb.text("#message") + " " + tb.text("#input-list")
		core := err.Error()
		if i := strings.Index(core, ": "); i >= 0 && strings.Contains(core[:i], filepath.Base(paths[0])) {
			core = core[i+2:]
		}
		if !strings.Contains(msg, core) {
			t.Fatalf("the core fails with %q, and the page does not say so: %q", err, msg)
		}
		t.Skipf("the core cannot read this input yet (%v); the page reports it", err)
	}
	tb.waitFindings()
	got := tb.findingsCount()
	if got != len(want.Findings) || got == 0 {
		t.Fatalf("the page shows %d findings, the core finds %d (want them equal and not zero); page: %s", got, len(want.Findings), tb.pageState())
	}
	// The reports' SHA-256, which the engine's reader worker computes as it reads
	// (an archive's entries: the engine), are the core's.
	sums := eval[[]string](tb, `window.offhunt.findings.inputs.map((r) => r.sha256)`)
	var wantSums []string
	for _, r := range want.Inputs {
		wantSums = append(wantSums, r.SHA256)
	}
	if strings.Join(sums, ",") != strings.Join(wantSums, ",") {
		t.Errorf("the page's SHA-256 are %v, the core's %v", sums, wantSums)
	}
	// Every rule that fired natively is on the page.
	table := tb.text("#findings-table")
	for _, r := range want.Rules {
		if want.Summary.ByRule[r.ID] > 0 && !strings.Contains(table, r.Title) {
			t.Errorf("rule %q fired natively but is not in the findings table", r.Title)
		}
	}
}

// TestDropAndPickFormats gives the page the sample as CSV, JSON, NDJSON
// and gzip, once by a real drag and drop and once by the file picker.
func TestDropAndPickFormats(t *testing.T) {
	files := sampleVariants(t)
	for _, how := range []string{"drop", "pick"} {
		for _, format := range []string{"csv", "json", "ndjson", "gzip"} {
			t.Run(how+"/"+format, func(t *testing.T) {
				tb := newTab(t, "")
				tb.setNow("latest")
				if how == "drop" {
					tb.drop("#drop", files[format])
				} else {
					tb.pick("#pick-files", files[format])
				}
				expectScan(t, tb, files[format])
				if name := tb.text("#input-list .name"); name != filepath.Base(files[format]) {
					t.Errorf("the inputs list shows %q, want %q", name, filepath.Base(files[format]))
				}
			})
		}
	}
}

// TestSeveralFiles drops two exports at once: both are read and their
// findings are together.
func TestSeveralFiles(t *testing.T) {
	header, rows := readSample(t)
	dir := t.TempDir()
	a := writeCSV(t, filepath.Join(dir, "day1.csv"), header, rows[:len(rows)/2])
	b := writeCSV(t, filepath.Join(dir, "day2.csv"), header, rows[len(rows)/2:])
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", a, b)
	expectScan(t, tb, a, b)
	if n := eval[int](tb, `document.querySelectorAll("#input-list .name").length`); n != 2 {
		t.Errorf("the inputs list has %d rows, want 2", n)
	}
	want, err := nativeScan("latest", a, b)
	if err != nil {
		t.Fatal(err)
	}
	wantInputs := map[string]bool{}
	for _, f := range want.Findings {
		wantInputs[f.Input] = true
	}
	inputs := eval[[]string](tb, `[...new Set(window.offhunt.findings.findings.map(f => f.input))]`)
	if len(inputs) != len(wantInputs) {
		t.Errorf("findings come from %v, natively from %v", inputs, wantInputs)
	}
}

// TestBadFileBesideGood drops a good export with a binary file and an
// empty one: the good one still scans; the others are reported.
func TestBadFileBesideGood(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(samplePath())
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.csv")
	bin := filepath.Join(dir, "garbage.bin")
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(good, raw, 0o644)
	os.WriteFile(bin, append([]byte{0, 1, 2, 3, 0xff, 0xfe, 0}, bytes.Repeat([]byte{0, 0x9c}, 300)...), 0o644)
	os.WriteFile(empty, nil, 0o644)
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", good, bin, empty)
	tb.waitFindings()
	want, err := nativeScan("latest", good)
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.findingsCount(); got != len(want.Findings) {
		t.Errorf("%d findings from the good file, want %d", got, len(want.Findings))
	}
	inputs := tb.text("#input-list")
	for _, name := range []string{"garbage.bin", "empty.csv"} {
		if !strings.Contains(inputs, name) {
			t.Errorf("the inputs list lacks %s", name)
		}
	}
	if n := eval[int](tb, `document.querySelectorAll("#input-list li.rejected").length`); n != 2 {
		t.Errorf("%d inputs marked unreadable, want 2: %s", n, inputs)
	}
	if !strings.Contains(tb.text("#scan-notices"), "garbage.bin was not read") {
		t.Errorf("the findings do not say that garbage.bin was not read: %s", tb.text("#scan-notices"))
	}
}

// TestFolderDrop drops a folder: its exports become inputs (also in its
// subfolders) and its .kql files become rules.
func TestFolderDrop(t *testing.T) {
	header, rows := readSample(t)
	dir := filepath.Join(t.TempDir(), "case-42")
	os.MkdirAll(filepath.Join(dir, "more"), 0o755)
	writeCSV(t, filepath.Join(dir, "a.csv"), header, rows[:6])
	writeCSV(t, filepath.Join(dir, "more", "b.csv"), header, rows[6:])
	rule := "// id: user-powershell\n// title: PowerShell seen\n// severity: low\nDeviceProcessEvents\n| where FileName =~ \"powershell.exe\"\n"
	os.WriteFile(filepath.Join(dir, "mine.kql"), []byte(rule), 0o644)
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", dir)
	tb.waitFindings()
	names := eval[[]string](tb, `[...document.querySelectorAll("#input-list .name")].map(e => e.textContent).sort()`)
	if strings.Join(names, ",") != "a.csv,b.csv" {
		t.Fatalf("inputs from the folder: %v, want a.csv and b.csv", names)
	}
	tb.waitJS(`document.getElementById("user-rules").textContent.includes("PowerShell seen")`)
	// The user's rule takes part in the next scan.
	tb.click("#run-scan")
	tb.waitFindings()
	if !strings.Contains(tb.text("#findings-table"), "PowerShell seen") {
		t.Errorf("the dropped rule found nothing: %s", tb.pageState())
	}
}

// TestDropBeforeReady drops an export while the engine is still starting:
// the worker queues the scan until the Go runtime is ready.
func TestDropBeforeReady(t *testing.T) {
	tb := newTab(t, "", func(o *tabOptions) { o.noWait = true })
	ready := eval[bool](tb, `window.offhunt.ready`)
	tb.setNow("latest")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	if tb.findingsCount() == 0 {
		t.Fatalf("no findings: %s", tb.pageState())
	}
	if ready {
		t.Log("the engine was ready before the drop; the queue was not needed this time")
	}
}
