//go:build browser

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOfflineFile opens dist/offhunt.html from file:// and scans a dropped
// export with it. Its policy forbids every connection, so the scan proves
// that the file needs none.
func TestOfflineFile(t *testing.T) {
	tb := newTab(t, "file://"+built.OfflinePath)
	csp := eval[string](tb, `document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`)
	for _, d := range []string{"connect-src 'none'", "default-src 'none'", "worker-src blob:"} {
		if !strings.Contains(csp, d) {
			t.Errorf("the offline policy %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the offline policy allows inline code: %q", csp)
	}
	if n := eval[int](tb, `document.querySelectorAll("script[src], link[href]:not([href^='data:'])").length`); n != 0 {
		t.Errorf("the offline file refers to %d other files", n)
	}
	tb.setNow("latest")
	tb.drop("#drop", samplePath())
	tb.waitFindings()
	want, err := nativeScan("latest", samplePath())
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.findingsCount(); got != len(want.Findings) || got == 0 {
		t.Fatalf("%d findings offline, want %d", got, len(want.Findings))
	}
	for _, u := range tb.requestURLs() {
		if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the offline file asked for %s", u)
		}
	}
	// A query works offline too.
	tb.runQuery("DeviceProcessEvents | count")
	if got := tb.text("#result-list .count"); got != "1 row" && got != "1 rows" {
		t.Errorf("offline query: %q", got)
	}
	tb.run(chromedp.Reload())
}
