//go:build browser

// Package e2e tests offhunt's page in a real headless Chromium (Debian's
// chromium package), driven with chromedp: the page is built and served
// exactly as scripts/serve does it, each test gets a fresh browser profile,
// and files reach the page the ways a person gives them (a drag-and-drop
// event with real files, the file picker). Run them with
// scripts/test-browser, which installs chromium when it is missing.
package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	webpage "offhunt/web/page"
)

var (
	root     string             // the repository root
	built    *webpage.Result    // the built page
	server   *httptest.Server   // serves built.WebDir as scripts/serve does
	requests = &requestLog{}    // every request the server received
	chrome   string             // the browser's executable
	shotDir  string             // where screenshots go
	timeout  = 90 * time.Second // the longest any one step may wait
)

// requestLog records what the page asked the server for.
type requestLog struct {
	mu   sync.Mutex
	list []string
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	l.list = append(l.list, r.Method+" "+r.URL.Path)
	l.mu.Unlock()
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

func (l *requestLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.list[n:]...)
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	root, err = webpage.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	chrome = findChrome()
	if chrome == "" {
		fmt.Fprintln(os.Stderr, "web/e2e: no Chromium found. Install Debian's chromium (apt-get install -y chromium), "+
			"or set OFFHUNT_CHROMIUM to its path; scripts/test-browser installs it when it is missing.")
		return 1
	}
	built, err = webpage.Build(webpage.Options{Root: root, Offline: true, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "web/e2e: building the page:", err)
		return 1
	}
	shotDir = filepath.Join(root, "dist", "screenshots")
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	server = httptest.NewServer(&webpage.Server{Dir: built.WebDir, OnRequest: requests.add})
	defer server.Close()
	return m.Run()
}

func findChrome() string {
	if p := os.Getenv("OFFHUNT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// allocatorOptions start Chromium with a fresh profile and the flags that
// work on the project's machines: no sandbox (root in a container), no
// GPU, and none of the browser's own network traffic (updates, sync, QUIC).
func allocatorOptions(profile string, width, height int) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(width, height),
	)
}

// tab is one browser with a fresh profile and one page, and what it saw.
type tab struct {
	t        *testing.T
	ctx      context.Context
	url      string
	mu       sync.Mutex
	reqs     []string // URLs of every request the page (and its worker) made
	dialogs  []string // messages of JavaScript dialogs that opened
	consoles []string // console messages and exceptions
	download string   // the download folder
}

type tabOptions struct {
	width, height int
	noWait        bool // do not wait for the engine to be ready
}

// newTab starts a browser with a fresh profile and opens url in it (the
// served page unless url is set), waiting until the engine is ready.
func newTab(t *testing.T, url string, opts ...func(*tabOptions)) *tab {
	t.Helper()
	o := tabOptions{width: 1280, height: 800}
	for _, f := range opts {
		f(&o)
	}
	if url == "" {
		url = server.URL + "/"
	}
	profile := t.TempDir()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), allocatorOptions(profile, o.width, o.height)...)
	tb := &tab{t: t, url: url, download: t.TempDir()}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(tb.listen))
	t.Cleanup(func() {
		cancelC()
		cancelA()
	})
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: tb.download, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(o.width), int64(o.height))); err != nil {
		t.Fatal(err)
	}
	tb.run(chromedp.Navigate(url))
	if o.noWait {
		tb.waitJS(`window.offhunt`)
	} else {
		tb.waitJS(`window.offhunt && window.offhunt.ready`)
	}
	return tb
}

// listen runs in the tab's event loop: it records and returns at once.
func (tb *tab) listen(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tb.mu.Lock()
		tb.reqs = append(tb.reqs, ev.Request.URL)
		tb.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, string(a.Value)+a.Description)
		}
		tb.mu.Lock()
		tb.consoles = append(tb.consoles, string(ev.Type)+": "+strings.Join(parts, " "))
		tb.mu.Unlock()
	case *runtime.EventExceptionThrown:
		tb.mu.Lock()
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		tb.consoles = append(tb.consoles, "exception: "+msg)
		tb.mu.Unlock()
	case *page.EventJavascriptDialogOpening:
		tb.mu.Lock()
		tb.dialogs = append(tb.dialogs, ev.Message)
		tb.mu.Unlock()
		go chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	}
}

func (tb *tab) requestURLs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.reqs...)
}

func (tb *tab) dialogsSeen() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.dialogs...)
}

// run runs actions, failing the test on error.
func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%v (page state: %s)", err, tb.pageState())
	}
}

// eval evaluates JavaScript and returns its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitJS waits until the expression is truthy.
func (tb *tab) waitJS(js string) {
	tb.t.Helper()
	tb.waitJSFor(js, timeout)
}

func (tb *tab) waitJSFor(js string, d time.Duration) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, d)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+js+")", chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d))); err != nil {
		tb.t.Fatalf("waiting for %s: %v\npage state: %s", js, err, tb.pageState())
	}
}

// pageState is what the page says, for failure messages.
func (tb *tab) pageState() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[document.getElementById("engine-status").textContent, document.getElementById("message").textContent, document.getElementById("progress-text").textContent, (document.getElementById("query-error")||{}).textContent].join(" | ")`))
	if err != nil {
		s = "(unknown: " + err.Error() + ")"
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.consoles) > 0 {
		s += "\nconsole:\n  " + strings.Join(tb.consoles, "\n  ")
	}
	return s
}

// text returns the text of the first element that matches a CSS selector.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, `(document.querySelector(`+jsString(sel)+`)||{}).textContent||""`)
}

func jsString(s string) string {
	b := strings.Builder{}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// drop drags files from outside the browser onto the element that
// matches sel: the browser sends the page real dragenter, dragover and
// drop events with the files in their DataTransfer, as for a person.
func (tb *tab) drop(sel string, paths ...string) {
	tb.t.Helper()
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			tb.t.Fatal(err)
		}
		paths[i] = abs
	}
	box := eval[map[string]float64](tb, `(() => { const e = document.querySelector(`+jsString(sel)+`); e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`)
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: paths, DragOperationsMask: 1}
	act := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box["x"], Y: box["y"], Data: data}); err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
		}
		return nil
	})
	tb.run(act)
}

// pick chooses files with the file picker (the input behind "Choose files").
func (tb *tab) pick(sel string, paths ...string) {
	tb.t.Helper()
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			tb.t.Fatal(err)
		}
		abs[i] = a
	}
	tb.run(chromedp.SetUploadFiles(chromedp.CSS(sel), abs))
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.run(chromedp.Click(chromedp.CSS(sel)))
}

// runs is the number of runs (scans and queries) the page has finished.
func (tb *tab) runs() int {
	tb.t.Helper()
	return eval[int](tb, `window.offhunt.runs`)
}

// waitRun waits until more than n runs have finished.
func (tb *tab) waitRun(n int) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf(`window.offhunt.runs > %d && !window.offhunt.running`, n))
}

// waitFindings waits until a scan has finished and its findings are shown.
func (tb *tab) waitFindings() {
	tb.t.Helper()
	tb.waitJS(`!window.offhunt.running && document.body.dataset.state === "findings" && !document.getElementById("findings").hidden`)
}

// waitIdle waits until no run is going on.
func (tb *tab) waitIdle() {
	tb.t.Helper()
	tb.waitJS(`window.offhunt.ready && !window.offhunt.running`)
}

// findingsCount is the number of findings rows shown.
func (tb *tab) findingsCount() int {
	tb.t.Helper()
	return eval[int](tb, `document.querySelectorAll("#findings-table tbody tr[data-index]").length`)
}

// screenshot saves the page to dist/screenshots/NAME.png.
func (tb *tab) screenshot(name string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(shotDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
	return path
}

// downloaded clicks sel and returns the bytes of the file it downloads.
func (tb *tab) downloaded(sel, name string) []byte {
	tb.t.Helper()
	path := filepath.Join(tb.download, name)
	os.Remove(path)
	tb.click(sel)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			if _, err := os.Stat(path + ".crdownload"); os.IsNotExist(err) {
				time.Sleep(100 * time.Millisecond)
				if b2, err := os.ReadFile(path); err == nil && len(b2) == len(b) {
					return b2
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.t.Fatalf("no download %s after clicking %s", name, sel)
	return nil
}

// setNow picks the now option (wall, latest or fixed).
func (tb *tab) setNow(mode string) {
	tb.t.Helper()
	tb.click(`input[name="now"][value="` + mode + `"]`)
}
