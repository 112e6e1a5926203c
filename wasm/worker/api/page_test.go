package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"offhunt/detect"
)

// checkPageHeaders checks a page's type and its Content-Security-Policy:
// no script, nothing loaded, and the inline style allowed by the hash of
// exactly the style the page holds.
func checkPageHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	checkCommonHeaders(t, w)
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q allows more than it should", csp)
	}
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("the page has no style")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the CSP does not allow the page's style by its hash")
	}
	if strings.Contains(w.Body.String(), "<script") {
		t.Errorf("the page has a script")
	}
}

func TestFormPage(t *testing.T) {
	w := serve(newTestHandler(Config{}), httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("%d", w.Code)
	}
	checkPageHeaders(t, w)
	body := w.Body.String()
	for _, want := range []string{
		`<form method="post" action="/api/scan" enctype="multipart/form-data"`,
		`name="format" value="html"`, `name="rules"`, `name="query"`, `name="now"`, `name="dedupe"`,
		`<input id="file" type="file" name="file" required multiple>`, `<button type="submit">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	// The file is the form's last field, so that it streams.
	if i, j := strings.Index(body, `name="file"`), strings.LastIndex(body, `name=`); i != j {
		t.Errorf("a field follows the file")
	}
	if strings.Contains(body, `name="token"`) {
		t.Errorf("a token field without a token configured")
	}
}

// hostileExport is the sample's first rclone event with values that try
// to break out of the page.
func hostileExport(t *testing.T) string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readSample(t))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for i, c := range recs[0] {
			if c == name {
				return i
			}
		}
		t.Fatalf("the sample has no column %s", name)
		return -1
	}
	for _, rec := range recs[1:] {
		if rec[col("FileName")] != "rclone.exe" {
			continue
		}
		rec[col("DeviceName")] = "<img src=x onerror=alert(1)>"
		rec[col("AccountName")] = `'"><script>alert(2)</script>`
		rec[col("ProcessCommandLine")] += " <script>alert(3)</script> &amp;"
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(recs[0])
		w.Write(rec)
		w.Flush()
		return b.String()
	}
	t.Fatal("the sample has no rclone.exe event")
	return ""
}

func TestFindingsPage(t *testing.T) {
	h := newTestHandler(Config{})
	sample := readSample(t)
	want, err := facadeScan(t, []detect.Input{bytesInput("s.csv", sample)}, detect.Options{Now: "latest"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f detect.Findings
	if err := f.UnmarshalJSON(want); err != nil {
		t.Fatal(err)
	}
	// format=html, as the form sends it; and a browser's Accept alone.
	byField := serve(h, postForm(t, "/api/scan", field{"format", "", "html"}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	r := postForm(t, "/api/scan", field{"now", "", "latest"}, field{"file", "s.csv", string(sample)})
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	byAccept := serve(h, r)
	for _, w := range []*httptest.ResponseRecorder{byField, byAccept} {
		if w.Code != http.StatusOK {
			t.Fatalf("%d %.500s", w.Code, w.Body)
		}
		checkPageHeaders(t, w)
		body := w.Body.String()
		if n := strings.Count(body, `<tr class="finding">`); n != len(f.Findings) || n == 0 {
			t.Errorf("%d finding rows, want %d", n, len(f.Findings))
		}
		for _, want := range []string{f.Findings[0].Device, "Rclone Copy Process Args", "Summary"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	}

	w := serve(h, postForm(t, "/api/scan", field{"format", "", "html"}, field{"now", "", "latest"}, field{"file", "evil.csv", hostileExport(t)}))
	if w.Code != http.StatusOK {
		t.Fatalf("%d %.500s", w.Code, w.Body)
	}
	body := w.Body.String()
	if strings.Count(body, `<tr class="finding">`) == 0 {
		t.Fatalf("the hostile row is not a finding:\n%s", body)
	}
	for _, bad := range []string{"<img", "<script", `'">`} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	for _, good := range []string{"&lt;img src=x onerror=alert(1)&gt;", "&#39;&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;", "&lt;script&gt;alert(3)&lt;/script&gt; &amp;amp;"} {
		if !strings.Contains(body, good) {
			t.Errorf("the page lacks the escaped %q", good)
		}
	}
}

func TestErrorPage(t *testing.T) {
	h := newTestHandler(Config{})
	w := serve(h, postForm(t, "/api/scan", field{"format", "", "html"}, field{"query", "", "DeviceProcessEvents\n| whre x"}, field{"file", "s.csv", "a\n1\n"}))
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d %.500s", w.Code, w.Body)
	}
	checkPageHeaders(t, w)
	if !strings.Contains(w.Body.String(), "line 2, column 3: unknown operator &#34;whre&#34;") {
		t.Errorf("the error page does not place the error:\n%.500s", w.Body)
	}
}

func TestSegments(t *testing.T) {
	s := "rclone.exe copy C:\\data remote: --ignore-existing"
	for _, c := range []struct {
		ms   []detect.Match
		want string
	}{
		{nil, s},
		{[]detect.Match{{Start: 11, End: 15}}, "rclone.exe [copy] C:\\data remote: --ignore-existing"},
		{[]detect.Match{{Start: 32, End: 50}, {Start: 0, End: 6}, {Start: 3, End: 10}}, "[rclone.exe] copy C:\\data remote: [--ignore-existing]"},
		{[]detect.Match{{Start: 0, End: 6}, {Start: 6, End: 10}}, "[rclone.exe] copy C:\\data remote: --ignore-existing"},
		{[]detect.Match{{Start: -5, End: 2}, {Start: 40, End: 999}, {Start: 9, End: 9}}, "[rc]lone.exe copy C:\\data remote: --ignore[-existing]"},
	} {
		var b strings.Builder
		for _, sg := range segments(s, c.ms) {
			if sg.Mark {
				b.WriteString("[" + sg.Text + "]")
			} else {
				b.WriteString(sg.Text)
			}
		}
		if b.String() != c.want {
			t.Errorf("%v: %q, want %q", c.ms, b.String(), c.want)
		}
	}
}

// TestPagesEscape holds page.go to its rule: markup only from constants.
// Every call of lit takes a string literal (or a sum of them, or the
// embedded style); every value goes through esc or num.
func TestPagesEscape(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "page.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var constant func(ast.Expr) bool
	constant = func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.BasicLit:
			return e.Kind == token.STRING
		case *ast.BinaryExpr:
			return e.Op == token.ADD && constant(e.X) && constant(e.Y)
		case *ast.Ident:
			return e.Name == "pageCSS"
		}
		return false
	}
	calls := 0
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "lit" {
			return true
		}
		calls++
		if len(call.Args) != 1 || !constant(call.Args[0]) {
			t.Errorf("%s: lit is given something other than a constant", fset.Position(call.Pos()))
		}
		return true
	})
	if calls < 20 {
		t.Errorf("found %d calls of lit; has page.go changed its writer?", calls)
	}
}

func TestEsc(t *testing.T) {
	var p page
	p.esc("<a href=\"x\">'&\x00\xff</a>")
	if want := "&lt;a href=&#34;x&#34;&gt;&#39;&amp;\uFFFD\uFFFD&lt;/a&gt;"; p.String() != want {
		t.Errorf("esc: %q, want %q", p.String(), want)
	}
}
