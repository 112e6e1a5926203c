//go:build browser

package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPiecesFinishingOutOfOrder has the browser finish a file's reads out
// of order: the engine asks for two pieces ahead, and here the second piece
// (2 MiB) arrives 300 ms after the third. The page must still hash the
// file in order (the report's SHA-256 is the core's), hand the engine its
// pieces in order (the findings are the core's), and read the file once:
// the look at its head goes on into the scan, so the progress never
// speaks of a second pass.
func TestPiecesFinishingOutOfOrder(t *testing.T) {
	path := bigExportFindingsFirst(t, 12<<20) // pieces of 1, 2, 4 and 8 MiB
	tb := newTab(t, "")
	tb.setNow("latest")
	// The engine's reader worker does the reads (web/worker.js).
	tb.workersEval(`self.__late = 0;
		const arrayBuffer = Blob.prototype.arrayBuffer;
		Blob.prototype.arrayBuffer = function () {
			const p = arrayBuffer.call(this);
			if (this.size !== 2 << 20) return p;
			self.__late++;
			return p.then((b) => new Promise((resolve) => setTimeout(() => resolve(b), 300)));
		}; 0`)
	tb.eval(`window.__passes = [];
		new MutationObserver(() => {
			const text = document.getElementById("progress-text").textContent;
			if (text.includes("(pass")) window.__passes.push(text);
		}).observe(document.getElementById("progress-text"), {childList: true, subtree: true, characterData: true})`)
	tb.pick("#pick-files", path)
	expectScan(t, tb, path)
	late := 0
	for _, n := range tb.workersEval(`self.__late`) {
		late += n
	}
	if n := late; n < 1 {
		t.Fatalf("no read of a 2 MiB piece was delayed (%d): the test did not reorder anything", n)
	}
	if passes := eval[[]string](tb, `window.__passes`); len(passes) > 0 {
		t.Errorf("a scan that reads its file once showed %q", passes[0])
	}
}

// workersEval evaluates js in every worker of the tab (the engine and its
// reader) and returns each one's number.
func (tb *tab) workersEval(js string) []int {
	tb.t.Helper()
	targets, err := chromedp.Targets(tb.ctx)
	if err != nil {
		tb.t.Fatal(err)
	}
	var out []int
	for _, ti := range targets {
		if ti.Type != "worker" {
			continue
		}
		ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(ti.TargetID))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		cancel()
		if err != nil {
			tb.t.Fatalf("evaluating %s in a worker: %v", js, err)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		tb.t.Fatal("the page has no worker")
	}
	return out
}
