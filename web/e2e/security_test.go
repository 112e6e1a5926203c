//go:build browser

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// command runs a program in dir and returns its standard output.
func command(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return out, nil
}

// payloads are command lines and names an attacker can plant in a log.
// Each keeps "rclone.exe copy" so that the rules report it.
var payloads = []string{
	`rclone.exe copy <script>window.__pwned = "script"; alert("script")</script> mega:x --ignore-existing --auto-confirm`,
	`rclone.exe copy <img src=x onerror="window.__pwned='img'; alert('img')"> mega:x --ignore-existing --auto-confirm`,
	`rclone.exe copy javascript:window.__pwned='js';alert('js') mega:x --ignore-existing --auto-confirm`,
	`rclone.exe copy "><svg onload="window.__pwned='svg'; alert('svg')"> mega:x --ignore-existing --auto-confirm`,
	`=HYPERLINK("javascript:alert('csv')","x") rclone.exe copy a mega:x --ignore-existing --auto-confirm`,
}

// TestHostileExport scans an export whose values are HTML and script:
// everything shows as text, nothing runs, nothing is injected, no dialog
// opens, and the CSV export neutralises formulas.
func TestHostileExport(t *testing.T) {
	header, rows := readSample(t)
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	var base []string
	for _, r := range rows {
		if r[col("FileName")] == "rclone.exe" {
			base = r
		}
	}
	var hostile [][]string
	for i, p := range payloads {
		r := append([]string(nil), base...)
		r[col("ProcessCommandLine")] = p
		r[col("DeviceName")] = fmt.Sprintf(`<img src=x onerror="window.__pwned='device%d'">`, i)
		r[col("AccountName")] = `"><svg onload="window.__pwned='account'">`
		r[col("FolderPath")] = `javascript:alert('path')`
		hostile = append(hostile, r)
	}
	path := writeCSV(t, filepath.Join(t.TempDir(), `<img src=x onerror=alert('name')>.csv`), header, hostile)

	tb := newTab(t, "")
	tb.setNow("latest")
	tb.drop("#drop", path)
	tb.waitFindings()
	if tb.findingsCount() == 0 {
		t.Fatalf("the hostile rows found nothing: %s", tb.pageState())
	}
	// Open every finding's details, so that every column is drawn.
	n := tb.findingsCount()
	for i := 0; i < n; i++ {
		tb.click(fmt.Sprintf(`#findings-table tbody tr[data-index="%d"]`, i))
	}
	tb.runQuery("DeviceProcessEvents | project DeviceName, AccountName, FolderPath, ProcessCommandLine | render barchart")
	tb.click("#tab-scan")
	tb.click("#run-scan")
	tb.waitFindings()
	tb.click(`#findings-table tbody tr[data-index="0"]`)

	if v := eval[string](tb, `String(window.__pwned || "")`); v != "" {
		t.Errorf("a payload ran: window.__pwned = %q", v)
	}
	if d := tb.dialogsSeen(); len(d) > 0 {
		t.Errorf("dialogs opened: %q", d)
	}
	// No element came from the data: the only images and scripts are the
	// page's own, and svg elements are only the charts the page draws.
	injected := eval[[]string](tb, `[...document.querySelectorAll("img, iframe, object, embed, script:not([src]):not([type]), [onerror], [onload], a[href^='javascript:']")].map(e => e.outerHTML.slice(0, 120))`)
	if len(injected) > 0 {
		t.Errorf("elements injected from the data: %q", injected)
	}
	if got := eval[int](tb, `document.querySelectorAll("svg:not(.chart) , svg svg").length`); got > 1 { // the lock icon
		t.Errorf("%d svg elements beside the page's own", got)
	}
	// The payloads are on the page as text.
	page := eval[string](tb, `document.body.innerText`)
	for _, p := range []string{`<script>window.__pwned = "script"`, `<img src=x onerror=`, `"><svg onload=`} {
		if !strings.Contains(page, p) {
			t.Errorf("the text %q is not shown as text", p)
		}
	}
	// The CSV export neutralises the formula.
	csv := tb.downloaded("#dl-findings-csv", "offhunt-findings.csv")
	if !bytes.Contains(csv, []byte(`"'=HYPERLINK(`)) && !bytes.Contains(csv, []byte(`'=HYPERLINK(`)) {
		t.Errorf("the formula is not neutralised in the CSV export:\n%s", csv)
	}
	if bytes.Contains(csv, []byte(",=HYPERLINK")) || bytes.Contains(csv, []byte(",\"=HYPERLINK")) {
		t.Errorf("a cell starts with = in the CSV export")
	}
	tb.screenshot("hostile")
}

// TestPrivacy records every request: all go to the page's own origin, and
// from the moment a file is dropped until its findings show there are none.
func TestPrivacy(t *testing.T) {
	tb := newTab(t, "")
	origin := server.URL
	serverBefore := requests.len()
	pageBefore := len(tb.requestURLs())
	tb.setNow("latest")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	if tb.findingsCount() == 0 {
		t.Fatal("no findings")
	}
	if got := requests.since(serverBefore); len(got) > 0 {
		t.Errorf("the server got requests between the drop and the findings: %q", got)
	}
	if got := tb.requestURLs()[pageBefore:]; len(got) > 0 {
		t.Errorf("the page made requests between the drop and the findings: %q", got)
	}
	// Every request since the page was opened went to its own origin.
	all := tb.requestURLs()
	if len(all) == 0 {
		t.Fatal("the browser reported no requests at all: the recorder is broken")
	}
	for _, u := range all {
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		if !strings.HasPrefix(u, origin+"/") {
			t.Errorf("a request to another origin: %s", u)
		}
	}
	// The server's log holds the worker's requests too: it is complete.
	seen := strings.Join(requests.since(0), " ")
	for _, f := range []string{"/worker.js", "/wasm_exec.js", "/offhunt.wasm", "/app.js"} {
		if !strings.Contains(seen, "GET "+f) {
			t.Errorf("the server never served %s: the request log is incomplete", f)
		}
	}
	t.Logf("requests while loading: %d seen by the browser, %d by the server", len(all), serverBefore)
}

// TestServedHeaders checks what scripts/serve sends: the types, and a
// strict policy on every file.
func TestServedHeaders(t *testing.T) {
	want := map[string]string{
		"/":             "text/html; charset=utf-8",
		"/app.js":       "text/javascript; charset=utf-8",
		"/worker.js":    "text/javascript; charset=utf-8",
		"/wasm_exec.js": "text/javascript; charset=utf-8",
		"/style.css":    "text/css; charset=utf-8",
		"/offhunt.wasm": "application/wasm",
	}
	for path, ct := range want {
		resp, err := http.Get(server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ct {
			t.Errorf("%s: %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: the policy %q lacks %q", path, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s: the policy allows inline or eval: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
	}
	for _, bad := range []string{"/../go.mod", "/%2e%2e/go.mod", "/.hidden", "/nothing.js"} {
		resp, err := http.Get(server.URL + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}
	resp, err := http.Post(server.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}
