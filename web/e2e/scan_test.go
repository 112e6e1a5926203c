//go:build browser

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailru/easyjson"

	"offhunt/detect/ioc"
)

// TestSampleButton: a newcomer clicks "Try a sample" and sees findings.
// The screenshot of this view is the one the README shows.
func TestSampleButton(t *testing.T) {
	tb := newTab(t, "")
	tb.click("#sample")
	tb.waitFindings()
	want, err := nativeScan("latest", samplePath())
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.findingsCount(); got != len(want.Findings) || got == 0 {
		t.Fatalf("%d findings, want %d", got, len(want.Findings))
	}
	// The summary cards, the timeline, and a finding's details.
	if n := eval[int](tb, `document.querySelectorAll("#cards .card").length`); n < 5 {
		t.Errorf("%d summary cards", n)
	}
	if n := eval[int](tb, `document.querySelectorAll("#timeline svg circle.dot").length`); n != len(want.Findings) {
		t.Errorf("%d dots on the timeline, want %d", n, len(want.Findings))
	}
	tb.click(`#findings-table tbody tr[data-index="0"]`)
	details := tb.text("#details")
	for _, col := range want.Findings[0].Row.Columns {
		if !strings.Contains(details, col) {
			t.Errorf("the details panel lacks the column %s", col)
		}
	}
	// Matched spans, where the core gives them, are marked in the table.
	spans := 0
	for _, f := range want.Findings {
		for _, m := range f.Matches {
			if m.Column == "ProcessCommandLine" {
				spans++
			}
		}
	}
	if spans > 0 {
		if n := eval[int](tb, `document.querySelectorAll("#findings-table td.cmd > mark").length`); n == 0 {
			t.Errorf("the core gives %d matched spans in command lines; none is marked", spans)
		}
	}
	tb.screenshot("findings")
}

// TestTimeWindowNotice scans the old sample with the wall clock as now:
// the rules' ago() windows pass over it, the page says why nothing was
// found, and one click on "use the newest event" finds it.
func TestTimeWindowNotice(t *testing.T) {
	tb := newTab(t, "")
	tb.setNow("wall")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	want, err := nativeScan("", samplePath())
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Findings) != 0 {
		t.Skipf("the wall clock still sees the sample's events (%d findings): nothing to explain", len(want.Findings))
	}
	tb.waitJS(`!document.getElementById("notice").hidden`)
	notice := tb.text("#notice-text")
	if !strings.Contains(notice, "time filter") || !strings.Contains(notice, "2025-09-01") {
		t.Errorf("the notice says %q; want the time filter and the inputs' time range", notice)
	}
	tb.screenshot("time-notice")
	tb.click("#use-latest")
	tb.waitJS(`document.querySelectorAll("#findings-table tbody tr[data-index]").length > 0`)
	if !eval[bool](tb, `document.querySelector('input[name="now"][value="latest"]').checked`) {
		t.Error("now is not the newest event after the click")
	}
	if !eval[bool](tb, `document.getElementById("notice").hidden`) {
		t.Error("the notice stays after the findings came")
	}
}

// TestExportEqualsCLI downloads the findings JSON and compares it, byte
// for byte, with what the core gives the CLI for the same file and options.
func TestExportEqualsCLI(t *testing.T) {
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	got := tb.downloaded("#dl-findings-json", "offhunt-findings.json")
	f, err := nativeScan("latest", samplePath())
	if err != nil {
		t.Fatal(err)
	}
	want, err := easyjson.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if !bytes.Equal(got, want) {
		t.Fatalf("the page's JSON differs from the core's:\npage: %.300s\ncore: %.300s", got, want)
	}
	if cli := cliScanJSON(t, samplePath()); cli != nil && !bytes.Equal(got, cli) {
		t.Fatalf("the page's JSON differs from `offhunt scan --format json --now latest`:\npage: %.300s\ncli:  %.300s", got, cli)
	}
	// The indicators file is the core's, byte for byte.
	var iocs bytes.Buffer
	indicators := ioc.FromFindings(f)
	if err := ioc.WriteDefenderCSV(&iocs, indicators); err != nil {
		t.Fatal(err)
	}
	if len(indicators) > 0 {
		if got := tb.downloaded("#dl-ioc", "offhunt-indicators-defender.csv"); !bytes.Equal(got, iocs.Bytes()) {
			t.Errorf("the IOC file differs from the core's:\npage: %.300s\ncore: %.300s", got, iocs.Bytes())
		}
	}
	csv := tb.downloaded("#dl-findings-csv", "offhunt-findings.csv")
	if !bytes.HasPrefix(csv, []byte("Time,Severity,RuleId,RuleTitle,Device,Account,FileName,CommandLine,Matched,Input,Line\r\n")) {
		t.Errorf("findings CSV header: %.200s", csv)
	}
	if lines := bytes.Count(csv, []byte("\r\n")); lines < len(f.Findings)+1 {
		t.Errorf("findings CSV has %d lines for %d findings", lines, len(f.Findings))
	}
}

// cliScanJSON runs the CLI's scan, when it has one, in the file's folder
// (so that it names the input as the page does), and returns its output.
func cliScanJSON(t *testing.T, path string) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "offhunt")
	if out, err := command(root, "go", "build", "-o", bin, "./detect/cmd/offhunt"); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	if out, _ := command(root, bin, "help"); !strings.Contains(string(out), "scan") {
		t.Log("the CLI has no scan command yet: compared with the core only")
		return nil
	}
	out, err := command(filepath.Dir(path), bin, "scan", "--format", "json", "--now", "latest", filepath.Base(path))
	if err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("offhunt scan: %v\n%s", err, out)
	}
	return out
}

// TestCancelMidScan starts a long scan, cancels it, and checks that the
// engine comes back and scans again.
func TestCancelMidScan(t *testing.T) {
	big := bigExport(t, 80<<20)
	tb := newTab(t, "")
	tb.pick("#pick-files", big)
	tb.waitJS(`!document.getElementById("progress").hidden && /MB of/.test(document.getElementById("progress-text").textContent)`)
	progress := tb.text("#progress-text")
	if !strings.Contains(progress, "big.csv") || !strings.Contains(progress, "/s") {
		t.Errorf("progress says %q; want the input, bytes and rate", progress)
	}
	start := time.Now()
	tb.click("#cancel")
	tb.waitJS(`document.getElementById("progress").hidden && document.getElementById("message").textContent.startsWith("Cancelled")`)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	tb.waitJS(`window.offhunt.ready`)
	// The fresh engine scans again.
	tb.click("#clear-inputs")
	tb.setNow("latest")
	tb.pick("#pick-files", samplePath())
	tb.waitFindings()
	if tb.findingsCount() == 0 {
		t.Errorf("no findings after the restart: %s", tb.pageState())
	}
	os.Remove(big)
}

// TestRulesOnAndOff switches every rule off but one, then adds a rule file.
func TestRulesOnAndOff(t *testing.T) {
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	all := tb.findingsCount()
	tb.click("details.rules > summary")
	ids := eval[[]string](tb, `[...document.querySelectorAll("#rule-list input[type=checkbox]")].map(b => b.id)`)
	if len(ids) == 0 {
		t.Fatal("no rules listed")
	}
	for _, id := range ids {
		if id != "rule-rclone-seed-copy-args" {
			tb.click("#" + id)
		}
	}
	tb.click("#run-scan")
	tb.waitFindings()
	rules := eval[[]string](tb, `[...new Set(window.offhunt.findings.findings.map(f => f.ruleId))]`)
	if len(rules) != 1 || rules[0] != "rclone-seed-copy-args" {
		t.Errorf("with only the seed rule on, findings come from %v", rules)
	}
	if tb.findingsCount() > all {
		t.Errorf("more findings with fewer rules")
	}
	rule := filepath.Join(t.TempDir(), "chrome.kql")
	os.WriteFile(rule, []byte("// id: user-chrome\n// title: Chrome started\n// severity: informational\nDeviceProcessEvents\n| where FileName =~ \"chrome.exe\"\n"), 0o644)
	tb.drop("#rule-drop", rule)
	tb.waitJS(`document.getElementById("user-rules").textContent.includes("Chrome started")`)
	tb.click("#run-scan")
	tb.waitFindings()
	if !strings.Contains(tb.text("#findings-table"), "Chrome started") {
		t.Errorf("the added rule did not run")
	}
	// A rule file with an error is reported at its line.
	bad := filepath.Join(t.TempDir(), "bad.kql")
	os.WriteFile(bad, []byte("// id: bad\n// title: Bad\n// severity: urgent\nDeviceProcessEvents\n"), 0o644)
	tb.drop("#rule-drop", bad)
	tb.waitJS(`document.getElementById("user-rules").textContent.includes("bad.kql:3:")`)
}

// TestMemoryBounded scans a 48 MB export to the end: the WebAssembly memory
// stays far below 512 MB (the bench checks it for 750 MB).
func TestMemoryBounded(t *testing.T) {
	big := bigExport(t, 48<<20)
	tb := newTab(t, "")
	before := eval[float64](tb, `window.offhunt.memory`)
	n := tb.runs()
	tb.pick("#pick-files", big)
	tb.waitJSFor(fmt.Sprintf(`window.offhunt.runs > %d && !window.offhunt.running`, n), 10*time.Minute)
	if msg := tb.text("#message"); strings.Contains(msg, "failed") {
		t.Fatal(msg)
	}
	mem := eval[float64](tb, `window.offhunt.memory`)
	t.Logf("wasm memory: %.0f MB before, %.0f MB after scanning 48 MB", before/1e6, mem/1e6)
	if mem > maxWasmMemory {
		t.Errorf("the WebAssembly memory reached %.0f MB scanning 48 MB", mem/1e6)
	}
}

// TestLiveFindings: while a scan reads, the findings found so far are
// shown (the first one as soon as it is found), downloads wait for the
// full list, and the full, sorted list then replaces them.
func TestLiveFindings(t *testing.T) {
	tb := newTab(t, "")
	tb.waitIdle()
	tb.eval(`window.__live = {rows: 0, whileRunning: 0, downloadsOff: true};
		new MutationObserver(() => {
			const live = document.querySelectorAll("#findings-table tbody tr[data-live]");
			if (!live.length) return;
			window.__live.rows = Math.max(window.__live.rows, live.length);
			if (window.offhunt.running) window.__live.whileRunning++;
			if (!document.getElementById("dl-findings-json").disabled) window.__live.downloadsOff = false;
		}).observe(document.getElementById("findings-table"), {childList: true, subtree: true})`)
	tb.click("#sample")
	tb.waitFindings()
	want, err := nativeScan("latest", samplePath())
	if err != nil {
		t.Fatal(err)
	}
	live := eval[map[string]any](tb, `window.__live`)
	rows, _ := live["rows"].(float64)
	if rows < 1 || int(rows) > len(want.Findings) {
		t.Errorf("%v findings were shown while the scan ran; want between 1 and %d", rows, len(want.Findings))
	}
	if n, _ := live["whileRunning"].(float64); n < 1 {
		t.Errorf("no finding was shown while the scan ran: %v", live)
	}
	if off, _ := live["downloadsOff"].(bool); !off {
		t.Error("the downloads were on while only the findings found so far were shown")
	}
	if n := eval[int](tb, `document.querySelectorAll("#findings-table tbody tr[data-live]").length`); n != 0 {
		t.Errorf("%d rows are still marked as found so far after the scan", n)
	}
	if got := tb.findingsCount(); got != len(want.Findings) {
		t.Errorf("%d findings after the scan, want %d", got, len(want.Findings))
	}
	if eval[bool](tb, `document.getElementById("dl-findings-json").disabled`) {
		t.Error("the JSON download is off after the scan")
	}
}

// TestCancelDropsLiveFindings cancels a scan that has shown findings found
// so far: they go, since they are no result, and the downloads (which
// would hold the previous run's bytes) are not left switched off.
func TestCancelDropsLiveFindings(t *testing.T) {
	big := bigExportFindingsFirst(t, 160<<20)
	defer os.Remove(big)
	tb := newTab(t, "")
	tb.setNow("latest")
	tb.pick("#pick-files", big)
	tb.waitJS(`document.querySelectorAll("#findings-table tbody tr[data-live]").length > 0 && window.offhunt.running`)
	if !eval[bool](tb, `document.getElementById("dl-findings-json").disabled`) {
		t.Error("the JSON download is on while only the findings found so far are shown")
	}
	tb.click("#cancel")
	tb.waitJS(`document.getElementById("progress").hidden && document.getElementById("message").textContent.startsWith("Cancelled")`)
	if n := eval[int](tb, `document.querySelectorAll("#findings-table tbody tr[data-live]").length`); n != 0 {
		t.Errorf("%d findings found so far are still shown after the cancel", n)
	}
	if !eval[bool](tb, `document.getElementById("findings").hidden`) {
		t.Error("the findings section still shows after the cancel")
	}
	if eval[bool](tb, `document.getElementById("dl-findings-json").disabled`) {
		t.Error("the JSON download stays off after the cancel")
	}
}
