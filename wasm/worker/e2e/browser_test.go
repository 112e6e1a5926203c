//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (scripts/test-worker installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return skipWithout(t, "chromium", "the form is posted by a headless Chromium")
}

// countFindings reads the number of findings from the findings JSON.
func countFindings(t testing.TB, findings []byte) int {
	t.Helper()
	var f struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(findings, &f); err != nil {
		t.Fatal(err)
	}
	return len(f.Findings)
}

// TestWorkerdBrowserForm: a real headless Chromium opens the form, fills
// in the token, picks the sample export and submits; the Worker answers
// with the findings page. No script runs: the form is plain HTML.
func TestWorkerdBrowserForm(t *testing.T) {
	w := testWorker(t)
	chrome := chromium(t)
	sample, err := filepath.Abs(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	want := countFindings(t, facadeFindings(t, "sample_dpe.csv", readSample(t), "latest"))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Only 127.0.0.1 is reached, whatever proxy the machine sets.
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()

	err = chromedp.Do(bctx,
		chromedp.Navigate(w.base+"/"),
		chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SendKeys(chromedp.ID("token"), w.token),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{sample}),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("count")),
	)
	if err != nil {
		t.Fatalf("posting the form: %v\nworker-dev said:\n%s", err, w.log)
	}
	heading, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("count")))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("OFFHUNT_SCREENSHOT_DIR"); dir != "" {
		if png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(dir, "worker-findings.png"), png, 0o644)
		}
	}
	if heading != fmt.Sprintf("%d findings", want) && !(want == 1 && heading == "1 finding") {
		t.Errorf("the page says %q, want %d findings", heading, want)
	}
	if got := strings.Count(page, `<tr class="finding">`); got != want {
		t.Errorf("the page lists %d findings, want %d", got, want)
	}
	if !strings.HasSuffix(loc, "/api/scan") {
		t.Errorf("the browser is at %s, want the answer of /api/scan", loc)
	}
}
