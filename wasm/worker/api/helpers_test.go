package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailru/easyjson"

	"offhunt/detect"
	"offhunt/detect/rules"
)

// samplePath is the repository's sample export: 12 events, 3 of them
// rclone runs.
const samplePath = "../../../detect/testdata/sample_dpe.csv"

// fixedClock is the wall clock of every test: the default now.
func fixedClock() time.Time { return time.Date(2025, 9, 8, 0, 0, 0, 0, time.UTC) }

func newTestHandler(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = fixedClock
	}
	return New(cfg)
}

func readSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// field is one part of a multipart body; a file when fileName is set.
type field struct {
	name, fileName, value string
}

func multipartBody(t testing.TB, fields ...field) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		var w io.Writer
		var err error
		if f.fileName != "" || f.name == "file" {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="`+f.name+`"; filename="`+f.fileName+`"`)
			h.Set("Content-Type", "application/octet-stream")
			w, err = mw.CreatePart(h)
		} else {
			w, err = mw.CreateFormField(f.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// post builds a POST with a known length, as a client sends it.
func post(path, contentType string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Content-Length", itoa(len(body)))
	return r
}

func postForm(t testing.TB, path string, fields ...field) *http.Request {
	t.Helper()
	body, ct := multipartBody(t, fields...)
	return post(path, ct, body.Bytes())
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// errorBody is the JSON error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Line    int    `json:"line"`
		Col     int    `json:"col"`
	} `json:"error"`
}

// wantError checks an error answer's status and code and returns it.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	var e errorBody
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %.500s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body: %.500s", ct, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %.500s", err, w.Body)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error %+v, want code %q and a message", e.Error, code)
	}
	checkCommonHeaders(t, w)
	return e
}

// checkCommonHeaders checks what every answer carries.
func checkCommonHeaders(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if w.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("no Content-Security-Policy")
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no X-Content-Type-Options: nosniff")
	}
}

// bytesInput is an input over bytes, as the CLI reads a file.
func bytesInput(name string, b []byte) detect.Input {
	return detect.Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// facadeScan is what the CLI prints for the same inputs and options:
// detect.Scan's findings marshalled with easyjson, and a newline.
func facadeScan(t testing.TB, inputs []detect.Input, opts detect.Options, rs []*rules.Rule) ([]byte, error) {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fixedClock
	}
	f, err := detect.Scan(context.Background(), inputs, detect.ScanOptions{Options: opts, Rules: rs})
	if err != nil {
		return nil, err
	}
	b, err := easyjson.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n'), nil
}
