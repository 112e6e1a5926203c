package page

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// servedDir makes a small built page folder.
func servedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":   "<!doctype html><title>x</title>",
		"app.js":       "\"use strict\";",
		"style.css":    "body{}",
		"offhunt.wasm": "\x00asm\x01\x00\x00\x00",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, ".secret"), []byte("no"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.txt"), []byte("no"), 0o644)
	return dir
}

func TestServer(t *testing.T) {
	srv := httptest.NewServer(&Server{Dir: servedDir(t)})
	defer srv.Close()
	for _, c := range []struct {
		path, method string
		status       int
		ctype        string
	}{
		{"/", "GET", 200, "text/html; charset=utf-8"},
		{"/index.html", "GET", 200, "text/html; charset=utf-8"},
		{"/app.js", "GET", 200, "text/javascript; charset=utf-8"},
		{"/style.css", "HEAD", 200, "text/css; charset=utf-8"},
		{"/offhunt.wasm", "GET", 200, "application/wasm"},
		{"/missing.js", "GET", 404, ""},
		{"/.secret", "GET", 404, ""},
		{"/sub", "GET", 404, ""},
		{"/../outside.txt", "GET", 404, ""},
		{"/%2e%2e/outside.txt", "GET", 404, ""},
		{"/", "POST", 405, ""},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d (%s)", c.method, c.path, resp.StatusCode, c.status, body)
		}
		if c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, resp.Header.Get("Content-Type"), c.ctype)
		}
		if resp.Header.Get("Content-Security-Policy") != CSP {
			t.Errorf("%s: no policy", c.path)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", c.path)
		}
		if bytes.Contains(body, []byte("no")) && c.status == 200 && strings.Contains(c.path, "outside") {
			t.Errorf("%s: served a file outside the folder", c.path)
		}
	}
	for _, must := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(CSP, must) {
			t.Errorf("the policy lacks %q", must)
		}
	}
	if strings.Contains(CSP, "unsafe-inline") || strings.Contains(CSP, "'unsafe-eval'") {
		t.Errorf("the policy allows inline code or eval: %s", CSP)
	}
}

var (
	metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	inline  = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	style   = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	block   = regexp.MustCompile(`<script type="application/octet-stream" id="offhunt-(wasm|worker)" data-encoding="[^"]*">([^<]*)</script>`)
)

func TestOffline(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	index, err := indexHTML(root)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := os.ReadFile(filepath.Join(root, "web", "style.css"))
	app, _ := os.ReadFile(filepath.Join(root, "web", "app.js"))
	html, err := Offline(OfflineParts{Index: index, CSS: css, App: app, Worker: []byte("self.x = 1;"), Wasm: []byte("\x00asm module bytes")})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	m := metaCSP.FindStringSubmatch(s)
	if m == nil {
		t.Fatal("no policy in the offline file")
	}
	csp := m[1]
	for _, must := range []string{"connect-src 'none'", "default-src 'none'", "worker-src blob:", "'wasm-unsafe-eval'"} {
		if !strings.Contains(csp, must) {
			t.Errorf("the offline policy lacks %q: %s", must, csp)
		}
	}
	scripts := inline.FindAllStringSubmatch(s, -1)
	if len(scripts) != 1 || scripts[0][1] != string(app) {
		t.Fatalf("want app.js as the one inline script, got %d", len(scripts))
	}
	if !strings.Contains(csp, hash(app)) {
		t.Errorf("the policy does not allow the script by its hash")
	}
	styles := style.FindAllStringSubmatch(s, -1)
	if len(styles) != 1 || !strings.Contains(csp, hash([]byte(styles[0][1]))) {
		t.Errorf("the style is not allowed by its hash")
	}
	if strings.Contains(s, `src="`) || strings.Contains(s, `href="style.css"`) {
		t.Error("the offline file refers to other files")
	}
	blocks := block.FindAllStringSubmatch(s, -1)
	if len(blocks) != 2 {
		t.Fatalf("%d data blocks, want the worker and the module", len(blocks))
	}
	for _, b := range blocks {
		if _, err := base64.StdEncoding.DecodeString(b[2]); err != nil {
			t.Errorf("%s: not base64: %v", b[1], err)
		}
	}
	if !strings.Contains(s, `id="offhunt-sample"`) || strings.Contains(s, `data-encoding="base64"></script>`) {
		t.Error("the sample is not embedded")
	}
}
