//go:build browser

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"offhunt/detect"
	"offhunt/detect/kql/syntax"
)

// runQuery switches to query mode, types the query and runs it with
// Ctrl+Enter, as a person would.
func (tb *tab) runQuery(q string) {
	tb.t.Helper()
	tb.click("#tab-query")
	tb.run(chromedp.Focus(chromedp.CSS("#query")))
	n := tb.runs()
	tb.eval(`(() => { const e = document.getElementById("query"); e.value = ` + jsString(q) + `; e.dispatchEvent(new Event("input")); })()`)
	tb.run(chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	tb.waitRun(n)
}

func (tb *tab) eval(js string) {
	tb.t.Helper()
	eval[chromedp.Void](tb, js)
}

// TestQueryGrid runs a query over the sample and checks the grid: the rows,
// sorting by a column, and the filter.
func TestQueryGrid(t *testing.T) {
	tb := newTab(t, "")
	tb.pick("#pick-files", samplePath())
	tb.waitIdle()
	tb.runQuery("DeviceProcessEvents\n| project Timestamp, DeviceName, FileName, ProcessId\n")
	if got := tb.text("#result-list .count"); got != "12 rows" {
		t.Fatalf("the grid says %q, want 12 rows; %s", got, tb.pageState())
	}
	col := func(j int) []string {
		return eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll("#result-list .grid-row")].sort((a, b) => Number(a.getAttribute("aria-rowindex")) - Number(b.getAttribute("aria-rowindex"))).map(r => r.children[%d].textContent)`, j))
	}
	// Sort by ProcessId, a long: numeric order, then descending.
	tb.click(`#result-list .grid-head button:nth-child(4)`)
	ids := col(3)
	for i := 1; i < len(ids); i++ {
		if len(ids[i]) < len(ids[i-1]) || (len(ids[i]) == len(ids[i-1]) && ids[i] < ids[i-1]) {
			t.Fatalf("not in ascending numeric order: %v", ids)
		}
	}
	tb.click(`#result-list .grid-head button:nth-child(4)`)
	if desc := col(3); desc[0] != ids[len(ids)-1] {
		t.Errorf("descending order starts with %s, want %s", desc[0], ids[len(ids)-1])
	}
	if s := eval[string](tb, `document.querySelector("#result-list .grid-head button:nth-child(4)").getAttribute("aria-sort")`); s != "descending" {
		t.Errorf("aria-sort %q", s)
	}
	// Filter.
	tb.run(chromedp.SendKeys(chromedp.CSS(`#result-list input[type="search"]`), "rclone"))
	tb.waitJS(`document.querySelector("#result-list .count").textContent === "2 of 12 rows"`)
	if names := strings.Join(col(2), ","); names != "rclone.exe,RCLONE.EXE" && names != "RCLONE.EXE,rclone.exe" {
		t.Errorf("filtered rows (case-insensitive): %v", names)
	}
}

// TestQueryBigGrid shows 100,000 rows: the grid keeps only the rows in
// view in the page and still reaches the last one.
func TestQueryBigGrid(t *testing.T) {
	tb := newTab(t, "")
	tb.runQuery(`range x from 1 to 100000 step 1 | extend label = strcat("row-", x)`)
	if got := tb.text("#result-list .count"); got != "100,000 rows" {
		t.Fatalf("the grid says %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll("#result-list .grid-row").length`); n > 200 {
		t.Errorf("%d row elements for 100,000 rows: the grid is not virtualised", n)
	}
	tb.eval(`(() => { const v = document.querySelector("#result-list .grid-viewport"); v.scrollTop = v.scrollHeight; v.dispatchEvent(new Event("scroll")); })()`)
	tb.waitJS(`[...document.querySelectorAll("#result-list .grid-row")].some(r => r.children[1].textContent === "row-100000")`)
	// Sorting 100,000 rows by text, descending, brings row-99999 first.
	tb.click(`#result-list .grid-head button:nth-child(2)`)
	tb.click(`#result-list .grid-head button:nth-child(2)`)
	tb.waitJS(`[...document.querySelectorAll("#result-list .grid-row")].some(r => r.getAttribute("aria-rowindex") === "2" && r.children[1].textContent === "row-99999")`)
}

// TestQueryError runs a query with an error on its second line: the page
// shows it at the line and column the core gives, and marks the line.
func TestQueryError(t *testing.T) {
	q := "DeviceProcessEvents\n| whre FileName == 'rclone.exe'"
	_, err := detect.Query(context.Background(), q, fileInputs(samplePath()), detect.Options{})
	var se *syntax.Error
	if !errors.As(err, &se) {
		t.Fatalf("the core gives %v, want a syntax error", err)
	}
	if se.Line != 2 {
		t.Fatalf("the core places the error at %d:%d, want line 2", se.Line, se.Col)
	}
	tb := newTab(t, "")
	tb.pick("#pick-files", samplePath())
	tb.waitIdle()
	tb.runQuery(q)
	box := tb.text("#query-error")
	where := fmt.Sprintf("%d:%d", se.Line, se.Col)
	if !strings.Contains(box, where) || !strings.Contains(box, fmt.Sprintf("Line %d, column %d", se.Line, se.Col)) || !strings.Contains(box, se.Msg) {
		t.Fatalf("the error box says %q, want %s and %q", box, where, se.Msg)
	}
	if line := eval[string](tb, `(document.querySelector("#gutter .error-line")||{}).textContent||""`); line != "2" {
		t.Errorf("the gutter marks line %q, want 2", line)
	}
	// The caret is at the fault.
	caret := eval[int](tb, `document.getElementById("query").selectionStart`)
	if want := len("DeviceProcessEvents\n") + se.Col - 1; caret != want {
		t.Errorf("caret at %d, want %d", caret, want)
	}
	// Ctrl+Enter after a fix runs it.
	tb.runQuery("DeviceProcessEvents\n| where FileName == 'rclone.exe'")
	if got := tb.text("#result-list .count"); got != "1 rows" && got != "1 row" {
		t.Errorf("after the fix: %q", got)
	}
}

// TestRenderChart draws a chart for a render hint.
func TestRenderChart(t *testing.T) {
	tb := newTab(t, "")
	tb.pick("#pick-files", samplePath())
	tb.waitIdle()
	tb.runQuery("DeviceProcessEvents\n| summarize Processes = count() by DeviceName\n| render columnchart")
	if n := eval[int](tb, `document.querySelectorAll("#result-list svg.chart rect.bar").length`); n != 2 {
		t.Errorf("%d bars, want 2 (one per device)", n)
	}
	tb.runQuery("DeviceProcessEvents\n| summarize Starts = count() by bin(Timestamp, 1h)\n| render timechart")
	if n := eval[int](tb, `document.querySelectorAll("#result-list svg.chart polyline").length`); n != 1 {
		t.Errorf("%d lines, want 1", n)
	}
	tb.screenshot("query-chart")
}

// TestFileGoneBeforeRun: a file that leaves the disk after it was chosen
// fails the run with a message that names it (the engine's reader worker
// reads files for it, so the browser's error crosses two threads to get
// there);
// the engine stays up and the next run works.
func TestFileGoneBeforeRun(t *testing.T) {
	sample, err := os.ReadFile(samplePath())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vanishing.csv")
	if err := os.WriteFile(path, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, "")
	tb.click("#tab-query")
	tb.pick("#pick-files", path)
	tb.waitJS(`document.getElementById("input-list").textContent.includes("vanishing.csv")`)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	tb.runQuery("DeviceProcessEvents | count")
	msg := tb.text("#message")
	t.Logf("the page says: %s", msg)
	if !strings.Contains(msg, "vanishing.csv") || !strings.Contains(strings.ToLower(msg), "fail") {
		t.Errorf("the message after reading a file that is gone: %q", msg)
	}
	tb.click("#clear-inputs")
	tb.pick("#pick-files", samplePath())
	tb.runQuery("DeviceProcessEvents | count")
	if msg := tb.text("#message"); !strings.Contains(msg, "1 row") {
		t.Errorf("the next query says %q; want its one row", msg)
	}
}
