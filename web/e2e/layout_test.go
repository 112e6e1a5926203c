//go:build browser

package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestNarrowWindow: on a phone-sized window the page fits its width, and
// every control keeps a label.
func TestNarrowWindow(t *testing.T) {
	tb := newTab(t, "", func(o *tabOptions) { o.width, o.height = 390, 844 })
	tb.click("#sample")
	tb.waitFindings()
	if over := eval[int](tb, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("the page is %dpx wider than the window", over)
	}
	tb.screenshot("narrow")
}

// TestDarkAndLabels renders the dark scheme and checks that every
// control has an accessible name.
func TestDarkAndLabels(t *testing.T) {
	tb := newTab(t, "")
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	tb.click("#sample")
	tb.waitFindings()
	bg := eval[string](tb, `getComputedStyle(document.body).backgroundColor`)
	if bg != "rgb(16, 19, 24)" {
		t.Errorf("dark background is %s", bg)
	}
	unlabelled := eval[[]string](tb, `[...document.querySelectorAll("button, input, select, textarea, [role=button], [tabindex='0']")].filter(e => {
		if (e.closest("[hidden]") || e.type === "hidden") return false;
		const name = (e.getAttribute("aria-label") || (e.labels && [...e.labels].map(l => l.textContent).join("")) || e.textContent || e.getAttribute("title") || "").trim();
		return !name && !e.getAttribute("aria-labelledby");
	}).map(e => e.outerHTML.slice(0, 100))`)
	if len(unlabelled) > 0 {
		t.Errorf("controls without a name: %q", unlabelled)
	}
	tb.screenshot("dark")
}
