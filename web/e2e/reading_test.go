//go:build browser

package e2e

import (
	"testing"
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
	tb.eval(`window.__late = 0; window.__passes = [];
		const arrayBuffer = Blob.prototype.arrayBuffer;
		Blob.prototype.arrayBuffer = function () {
			const p = arrayBuffer.call(this);
			if (this.size !== 2 << 20) return p;
			window.__late++;
			return p.then((b) => new Promise((resolve) => setTimeout(() => resolve(b), 300)));
		};
		new MutationObserver(() => {
			const text = document.getElementById("progress-text").textContent;
			if (text.includes("(pass")) window.__passes.push(text);
		}).observe(document.getElementById("progress-text"), {childList: true, subtree: true, characterData: true})`)
	tb.pick("#pick-files", path)
	expectScan(t, tb, path)
	if n := eval[int](tb, `window.__late`); n < 1 {
		t.Fatalf("no read of a 2 MiB piece was delayed (%d): the test did not reorder anything", n)
	}
	if passes := eval[[]string](tb, `window.__passes`); len(passes) > 0 {
		t.Errorf("a scan that reads its file once showed %q", passes[0])
	}
}
