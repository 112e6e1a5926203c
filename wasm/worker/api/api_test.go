package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"offhunt/detect"
	"offhunt/detect/rules"
)

func TestHealth(t *testing.T) {
	h := newTestHandler(Config{Token: "secret"}) // health needs no token
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		w := serve(h, httptest.NewRequest(m, "/healthz", nil))
		if w.Code != http.StatusOK {
			t.Fatalf("%s /healthz: %d %.500s", m, w.Code, w.Body)
		}
		checkCommonHeaders(t, w)
	}
	w := serve(h, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	want := `{"status":"ok","engine":"offhunt ` + detect.Version + `"}` + "\n"
	if w.Body.String() != want {
		t.Errorf("body %q, want %q", w.Body, want)
	}
}

func TestRulesRoute(t *testing.T) {
	w := serve(newTestHandler(Config{}), httptest.NewRequest(http.MethodGet, "/api/rules", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("%d %.500s", w.Code, w.Body)
	}
	checkCommonHeaders(t, w)
	var got struct {
		Engine string `json:"engine"`
		Rules  []struct {
			ID, Title, Severity, Query string
			Mitre                      []string
		} `json:"rules"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v: %.500s", err, w.Body)
	}
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != len(pack) || len(pack) == 0 {
		t.Fatalf("%d rules, want the pack's %d", len(got.Rules), len(pack))
	}
	for i, r := range pack {
		g := got.Rules[i]
		if g.ID != r.ID || g.Title != r.Title || g.Severity != r.Severity || g.Query != r.Query || len(g.Mitre) != len(r.Mitre) {
			t.Errorf("rule %d: %+v, want %s %q", i, g, r.ID, r.Title)
		}
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := newTestHandler(Config{})
	wantError(t, serve(h, httptest.NewRequest(http.MethodGet, "/nope", nil)), http.StatusNotFound, codeNotFound)
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, "/api/scan", "POST"},
		{http.MethodPut, "/api/query", "POST"},
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodDelete, "/healthz", "GET, HEAD"},
		{http.MethodPost, "/api/rules", "GET, HEAD"},
		{http.MethodOptions, "/api/scan", "POST"}, // CORS is off: no preflight
	} {
		w := serve(h, httptest.NewRequest(c.method, c.path, strings.NewReader("x")))
		wantError(t, w, http.StatusMethodNotAllowed, codeMethod)
		if got := w.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
}

// TestContentErrors covers the answers to bodies that are refused before
// any data is read: 411, 413, 415, and the 400s of a form.
func TestContentErrors(t *testing.T) {
	h := newTestHandler(Config{MaxBodyBytes: 4096})
	sample := readSample(t)

	noLength := httptest.NewRequest(http.MethodPost, "/api/scan", io.NopCloser(bytes.NewReader(sample)))
	noLength.ContentLength = -1 // chunked
	noLength.Header.Set("Content-Type", "text/csv")
	wantError(t, serve(h, noLength), http.StatusLengthRequired, codeLengthRequired)

	e := wantError(t, serve(h, post("/api/scan", "text/csv", sample)), http.StatusRequestEntityTooLarge, codeTooLarge)
	if !strings.Contains(e.Error.Message, "4 KiB") {
		t.Errorf("413 message %q does not name the limit", e.Error.Message)
	}
	// A length that lies is caught while reading.
	lying := post("/api/scan", "text/csv", sample)
	lying.Header.Set("Content-Length", "100")
	lying.ContentLength = 100
	wantError(t, serve(h, lying), http.StatusRequestEntityTooLarge, codeTooLarge)
	form, ct := multipartBody(t, field{"file", "big.csv", string(sample)})
	lyingForm := post("/api/scan", ct, form.Bytes())
	lyingForm.Header.Set("Content-Length", "1000")
	lyingForm.ContentLength = 1000
	wantError(t, serve(h, lyingForm), http.StatusRequestEntityTooLarge, codeTooLarge)

	for _, ct := range []string{"", "application/xml", "text/html", "multipart/mixed; boundary=x", "text/csv; charset"} {
		wantError(t, serve(h, post("/api/scan", ct, []byte("a,b\n1,2\n"))), http.StatusUnsupportedMediaType, codeUnsupportedType)
	}
	br := post("/api/scan", "text/csv", []byte("a,b\n1,2\n"))
	br.Header.Set("Content-Encoding", "br")
	wantError(t, serve(h, br), http.StatusUnsupportedMediaType, codeUnsupportedType)
	gzForm := postForm(t, "/api/scan", field{"file", "a.csv", "a\n1\n"})
	gzForm.Header.Set("Content-Encoding", "gzip")
	wantError(t, serve(h, gzForm), http.StatusUnsupportedMediaType, codeUnsupportedType)

	wantError(t, serve(h, post("/api/scan", "text/csv", nil)), http.StatusBadRequest, codeBadRequest)
	notGzip := post("/api/scan", "text/csv", []byte("a,b\n1,2\n"))
	notGzip.Header.Set("Content-Encoding", "gzip")
	wantError(t, serve(h, notGzip), http.StatusBadRequest, codeMalformedInput)
	wantError(t, serve(h, post("/api/scan", "multipart/form-data", []byte("x"))), http.StatusBadRequest, codeBadRequest)
	wantError(t, serve(h, post("/api/scan", "multipart/form-data; boundary=zz", []byte("not multipart"))), http.StatusBadRequest, codeMalformedInput)

	for _, c := range []struct {
		name   string
		fields []field
		want   string
	}{
		{"no file", []field{{"now", "", "latest"}}, "no file"},
		{"unknown field", []field{{"qeury", "", "x"}, {"file", "a.csv", "a\n1\n"}}, `unknown form field "qeury"`},
		{"bad now", []field{{"now", "", "yesterday"}, {"file", "a.csv", "a\n1\n"}}, `now "yesterday"`},
		{"bad dedupe", []field{{"dedupe", "", "maybe"}, {"file", "a.csv", "a\n1\n"}}, `dedupe "maybe"`},
		{"bad format", []field{{"format", "", "xml"}, {"file", "a.csv", "a\n1\n"}}, `format "xml"`},
		{"query twice", []field{{"query", "", "T"}, {"query", "", "T"}, {"file", "a.csv", "a\n1\n"}}, "twice"},
		{"rules none and builtin", []field{{"rules", "", "none"}, {"rules", "", "builtin"}, {"file", "a.csv", "a\n1\n"}}, "contradict"},
		{"nothing to run", []field{{"rules", "", "none"}, {"file", "a.csv", "a\n1\n"}}, "nothing to run"},
	} {
		w := serve(h, postForm(t, "/api/scan", c.fields...))
		e := wantError(t, w, http.StatusBadRequest, codeBadRequest)
		if !strings.Contains(e.Error.Message, c.want) {
			t.Errorf("%s: message %q, want it to say %q", c.name, e.Error.Message, c.want)
		}
	}
	wantError(t, serve(h, post("/api/scan?qeury=x", "text/csv", []byte("a\n1\n"))), http.StatusBadRequest, codeBadRequest)
	big := strings.Repeat("x", maxShortFieldBytes+1)
	wantError(t, serve(newTestHandler(Config{}), postForm(t, "/api/scan", field{"now", "", big}, field{"file", "a.csv", "a\n1\n"})),
		http.StatusRequestEntityTooLarge, codeTooLarge)
}

// TestMalformedInput: data the readers cannot read is a 400 that says
// why, with the line when the reader knows it; never a 500.
func TestMalformedInput(t *testing.T) {
	h := newTestHandler(Config{})
	for _, c := range []struct {
		name string
		body string
		line int
	}{
		{"binary", "\x00\x01\x02\x03binary", 0},
		{"JSON cut short", "{\"Timestamp\": \"2025-09-01T00:00:00Z\",\n\"DeviceName\": ", 1},
		{"damaged zip", "PK\x03\x04garbage", 0},
		{"damaged gzip file", "\x1f\x8bgarbage", 0},
	} {
		w := serve(h, post("/api/scan", "text/csv", []byte(c.body)))
		e := wantError(t, w, http.StatusBadRequest, codeMalformedInput)
		if _, err := facadeScan(t, []detect.Input{bytesInput("input.csv", []byte(c.body))}, detect.Options{}, nil); err == nil || !strings.Contains(e.Error.Message, err.Error()) {
			t.Errorf("%s: message %q, want the readers' %v", c.name, e.Error.Message, err)
		}
		if e.Error.Line != c.line {
			t.Errorf("%s: line %d, want %d (%s)", c.name, e.Error.Line, c.line, e.Error.Message)
		}
	}
}

func TestQueryErrors(t *testing.T) {
	h := newTestHandler(Config{})
	sample := readSample(t)
	// In a scan the query becomes a rule; its errors keep the query's
	// own lines and columns.
	for _, q := range []string{"DeviceProcessEvents\n| whre x", "// a comment first\nDeviceProcessEvents\n| whre x"} {
		w := serve(h, postForm(t, "/api/scan", field{"query", "", q}, field{"file", "s.csv", string(sample)}))
		e := wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
		wantLine := strings.Count(q, "\n") + 1
		if e.Error.Line != wantLine || e.Error.Col != 3 {
			t.Errorf("scan query %q: at %d:%d, want %d:3 (%s)", q, e.Error.Line, e.Error.Col, wantLine, e.Error.Message)
		}
	}
	w := serve(h, postForm(t, "/api/query", field{"query", "", "DeviceProcessEvents | whre x"}, field{"file", "s.csv", string(sample)}))
	e := wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
	if e.Error.Line != 1 || e.Error.Col != 23 || !strings.Contains(e.Error.Message, "whre") {
		t.Errorf("query error %+v, want 1:23 naming whre", e.Error)
	}
	// A raw body takes the query from the URL.
	w = serve(h, post("/api/query?query=DeviceProcessEvents%0A%7C%20take%20-", "text/csv", sample))
	e = wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
	if e.Error.Line != 2 {
		t.Errorf("raw query error %+v, want line 2", e.Error)
	}
	// A posted rule file that does not compile: its own line and column.
	rule := "// id: mine\n// title: Mine\n// severity: low\nDeviceProcessEvents\n| where FileName = 'x'\n"
	w = serve(h, postForm(t, "/api/scan", field{"rules", "mine.kql", rule}, field{"file", "s.csv", string(sample)}))
	e = wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
	if e.Error.Line != 5 || !strings.Contains(e.Error.Message, "mine.kql") {
		t.Errorf("rule file error %+v, want line 5 naming mine.kql", e.Error)
	}
	// A rule header that does not parse.
	w = serve(h, postForm(t, "/api/scan", field{"rules", "bad.kql", "// id: x\n// title: X\n// severity: urgent\nT"}, field{"file", "s.csv", string(sample)}))
	wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
	// A query with a rule header of its own is read as a rule file.
	w = serve(h, postForm(t, "/api/scan", field{"query", "", "// id: q\n// title: Q\n// severity: urgent\nDeviceProcessEvents"}, field{"file", "s.csv", string(sample)}))
	e = wantError(t, w, http.StatusUnprocessableEntity, codeQuery)
	if e.Error.Line != 3 || !strings.Contains(e.Error.Message, "urgent") {
		t.Errorf("query header error %+v, want line 3 naming urgent", e.Error)
	}
	// /api/query needs a query.
	wantError(t, serve(h, postForm(t, "/api/query", field{"file", "s.csv", string(sample)})), http.StatusBadRequest, codeBadRequest)
}

func TestToken(t *testing.T) {
	h := newTestHandler(Config{Token: "s3cret-token"})
	sample := readSample(t)
	raw := func(auth string) *http.Request {
		r := post("/api/scan?now=latest", "text/csv", sample)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret-token-and-more", "Basic czNjcmV0LXRva2Vu", "s3cret-token"} {
		w := serve(h, raw(auth))
		wantError(t, w, http.StatusUnauthorized, codeUnauthorized)
		if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: Bearer")
		}
	}
	if w := serve(h, raw("Bearer s3cret-token")); w.Code != http.StatusOK {
		t.Fatalf("right token: %d %.500s", w.Code, w.Body)
	}
	// The rules list and the query route are guarded too; the form and
	// the health check are not.
	r := httptest.NewRequest(http.MethodGet, "/api/rules", nil)
	wantError(t, serve(h, r), http.StatusUnauthorized, codeUnauthorized)
	r.Header.Set("Authorization", "bearer s3cret-token")
	if w := serve(h, r); w.Code != http.StatusOK {
		t.Errorf("rules with token: %d", w.Code)
	}
	wantError(t, serve(h, postForm(t, "/api/query", field{"query", "", "T"}, field{"file", "a.csv", "a\n1\n"})), http.StatusUnauthorized, codeUnauthorized)
	if w := serve(h, httptest.NewRequest(http.MethodGet, "/", nil)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="token"`) {
		t.Errorf("form with a token configured: %d, token field: %v", w.Code, strings.Contains(w.Body.String(), `name="token"`))
	}
	// The form's token field counts when it comes before the file.
	w := serve(h, postForm(t, "/api/scan", field{"token", "", "s3cret-token"}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	if w.Code != http.StatusOK {
		t.Errorf("token field first: %d %.500s", w.Code, w.Body)
	}
	wantError(t, serve(h, postForm(t, "/api/scan", field{"file", "s.csv", string(sample)}, field{"token", "", "s3cret-token"})), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, serve(h, postForm(t, "/api/scan", field{"token", "", "nope"}, field{"file", "s.csv", string(sample)})), http.StatusUnauthorized, codeUnauthorized)
	// Without a token configured, a token field is ignored.
	if w := serve(newTestHandler(Config{}), postForm(t, "/api/scan", field{"token", "", "x"}, field{"file", "s.csv", string(sample)})); w.Code != http.StatusOK {
		t.Errorf("token field, no token configured: %d %.500s", w.Code, w.Body)
	}
}

func TestCORS(t *testing.T) {
	off := newTestHandler(Config{})
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set("Origin", "https://soc.example")
	if w := serve(off, r); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS is on without allowed origins")
	}
	on := newTestHandler(Config{AllowedOrigins: []string{"https://soc.example"}})
	if w := serve(on, r); w.Header().Get("Access-Control-Allow-Origin") != "https://soc.example" {
		t.Errorf("allowed origin not echoed: %v", w.Header())
	}
	pre := httptest.NewRequest(http.MethodOptions, "/api/scan", nil)
	pre.Header.Set("Origin", "https://soc.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	w := serve(on, pre)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Methods") != "POST" ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
	other := httptest.NewRequest(http.MethodOptions, "/api/scan", nil)
	other.Header.Set("Origin", "https://evil.example")
	w = serve(on, other)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", w.Code, w.Header())
	}
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvAllowedOrigins: "https://a.example/, https://b.example", EnvMaxBodyBytes: "2048"}[k]
	})
	if err != nil || len(cfg.AllowedOrigins) != 2 || cfg.AllowedOrigins[0] != "https://a.example" || cfg.MaxBodyBytes != 2048 {
		t.Errorf("ConfigFromEnv: %+v, %v", cfg, err)
	}
	if _, err := ConfigFromEnv(func(k string) string {
		if k == EnvMaxBodyBytes {
			return "lots"
		}
		return ""
	}); err == nil {
		t.Errorf("ConfigFromEnv took a bad limit")
	}
	w = serve(Misconfigured(errors.New(EnvMaxBodyBytes+"=lots: want a number")), httptest.NewRequest(http.MethodGet, "/", nil))
	wantError(t, w, http.StatusInternalServerError, codeMisconfigured)
}

// panicReader panics with text that must not be echoed.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("SECRET-ROW-DATA in a panic") }

func TestPanicIsGeneric500(t *testing.T) {
	h := newTestHandler(Config{})
	// In the handler's own reading (the form is read ahead)...
	_, ct := multipartBody(t, field{"file", "a.csv", "x"})
	r := httptest.NewRequest(http.MethodPost, "/api/scan", io.MultiReader(strings.NewReader("--"+strings.TrimPrefix(ct, "multipart/form-data; boundary=")+"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"), panicReader{}))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Content-Length", "100000")
	w := serve(h, r)
	e := wantError(t, w, http.StatusInternalServerError, codeInternal)
	// ...and inside the facade, which reads a raw body.
	r = httptest.NewRequest(http.MethodPost, "/api/scan", panicReader{})
	r.Header.Set("Content-Type", "text/csv")
	r.Header.Set("Content-Length", "100000")
	w2 := serve(h, r)
	wantError(t, w2, http.StatusInternalServerError, codeInternal)
	for _, body := range []string{w.Body.String(), w2.Body.String(), e.Error.Message} {
		if strings.Contains(body, "SECRET") || strings.Contains(body, "goroutine") {
			t.Errorf("a 500 echoes the panic: %s", body)
		}
	}
}

func TestReportMemory(t *testing.T) {
	cfg, err := ConfigFromEnv(func(k string) string {
		if k == EnvReportMemory {
			return "1"
		}
		return ""
	})
	if err != nil || !cfg.ReportMemory {
		t.Fatalf("ConfigFromEnv: %+v %v", cfg, err)
	}
	w := serve(newTestHandler(cfg), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if w.Header().Get("Offhunt-Go-Memory") == "" {
		t.Errorf("no Offhunt-Go-Memory header")
	}
	if w := serve(newTestHandler(Config{}), httptest.NewRequest(http.MethodGet, "/healthz", nil)); w.Header().Get("Offhunt-Go-Memory") != "" {
		t.Errorf("Offhunt-Go-Memory without OFFHUNT_REPORT_MEMORY")
	}
}
