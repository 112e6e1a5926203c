//go:build unix

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailru/easyjson"

	"offhunt/detect"
)

// Environment variables of the tests.
const (
	// requireEnv=1 turns a skip for a missing node or Chromium into a
	// failure: scripts/test-worker sets it.
	requireEnv = "OFFHUNT_REQUIRE_WORKERD"
	// benchEnv=1 runs TestBenchWorker (scripts/bench-worker).
	benchEnv = "OFFHUNT_WORKER_BENCH"
)

// The test instance's settings: a token, and a body limit small enough to
// pass with a test file.
const (
	testMaxBody = 1 << 20
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, w := range started {
		w.stop()
	}
	os.Exit(code)
}

// workerd is one `scripts/worker-dev` run: wrangler dev and workerd.
type workerd struct {
	base  string // http://127.0.0.1:PORT
	token string
	cmd   *exec.Cmd
	log   *syncBuffer
	done  chan struct{}
	// first is how long the first request that the Worker answered took:
	// the cold start (the wasm module instantiated and its code compiled
	// as it runs, a Go instance started). It is sent once wrangler says
	// it is ready, so that it does not wait for workerd's own start too.
	first time.Duration
	// boot is how long wrangler took from its start until it said it
	// was ready (workerd started, the Worker's script and module loaded).
	boot time.Duration
}

var (
	started   []*workerd
	testOnce  sync.Once
	testInst  *workerd
	testStart error
)

// skipWithout skips (or, with requireEnv=1, fails) when a tool is missing.
func skipWithout(t testing.TB, tool, why string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	if os.Getenv(requireEnv) == "1" {
		t.Fatalf("%s is not installed, and %s=1 requires it: %s", tool, requireEnv, why)
	}
	t.Skipf("%s is not installed: skipping (%s; set %s=1 to make this a failure, as scripts/test-worker does)", tool, why, requireEnv)
	return ""
}

// testWorker returns the instance the tests share, started on first use:
// with a token and a 1 MiB body limit.
func testWorker(t *testing.T) *workerd {
	t.Helper()
	skipWithout(t, "node", "the Worker runs on workerd through wrangler, an npm package")
	testOnce.Do(func() {
		token := make([]byte, 16)
		rand.Read(token)
		tok := hex.EncodeToString(token)
		testInst, testStart = startWorkerd(tok, "--var", "OFFHUNT_TOKEN:"+tok, "--var", "OFFHUNT_MAX_BODY_BYTES:"+strconv.Itoa(testMaxBody))
	})
	if testStart != nil {
		t.Fatal(testStart)
	}
	return testInst
}

// repoRoot is the folder above that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's folder")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startWorkerd runs scripts/worker-dev on free ports (it builds what is
// missing) and waits until the Worker answers /healthz.
func startWorkerd(token string, flags ...string) (*workerd, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	inspector, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{strconv.Itoa(port), "--inspector-port", strconv.Itoa(inspector)}, flags...)
	w := &workerd{base: fmt.Sprintf("http://127.0.0.1:%d", port), token: token, log: &syncBuffer{}, done: make(chan struct{})}
	w.cmd = exec.Command(filepath.Join(root, "scripts", "worker-dev"), args...)
	w.cmd.Dir = root
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	// Its own process group, so that stop reaches everything it started.
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	started = append(started, w)
	go func() { w.cmd.Wait(); close(w.done) }()
	// Building the Worker and installing wrangler may take minutes the
	// first time; after that, wrangler is ready in seconds.
	begin := time.Now()
	deadline := begin.Add(6 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-w.done:
			return nil, fmt.Errorf("scripts/worker-dev exited before the Worker answered:\n%s", w.log)
		default:
		}
		// Wait for wrangler's "Ready on" (for a minute at most: should
		// its wording change, the polling below still finds the Worker).
		if !strings.Contains(w.log.String(), "Ready on") && time.Since(begin) < time.Minute {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if w.boot == 0 {
			w.boot = time.Since(begin)
		}
		start := time.Now()
		res, err := http.Get(w.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				w.first = time.Since(start)
				return w, nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	w.stop()
	return nil, fmt.Errorf("the Worker did not answer /healthz within 6 minutes:\n%s", w.log)
}

// stop ends scripts/worker-dev's process group; its trap stops wrangler's.
// Should that not happen in time, the groups are killed.
func (w *workerd) stop() {
	pgid := w.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(15 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	if m := regexp.MustCompile(`process group (\d+)`).FindStringSubmatch(w.log.String()); m != nil {
		if g, err := strconv.Atoi(m[1]); err == nil && g > 1 {
			syscall.Kill(-g, syscall.SIGKILL) // already gone, normally
		}
	}
}

// syncBuffer collects a process's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// samplePath is the repository's sample export.
const samplePath = "../../../detect/testdata/sample_dpe.csv"

func readSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// facadeFindings is what detect.Scan gives in this process for the same
// bytes and options: the bytes the CLI prints with --format json.
func facadeFindings(t testing.TB, name string, b []byte, now string) []byte {
	t.Helper()
	in := detect.Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
	f, err := detect.Scan(context.Background(), []detect.Input{in}, detect.ScanOptions{Options: detect.Options{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := easyjson.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// request sends a request to the Worker and reads the answer.
func (w *workerd) request(t testing.TB, method, path, contentType string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, w.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\nworker-dev said:\n%s", method, path, err, w.log)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func (w *workerd) auth() map[string]string {
	return map[string]string{"Authorization": "Bearer " + w.token}
}

// form builds a multipart body: name/value pairs, and the file last.
func form(t testing.TB, fileName string, file []byte, fields ...string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func wantStatus(t testing.TB, res *http.Response, body []byte, status int, contains string) {
	t.Helper()
	if res.StatusCode != status || !strings.Contains(string(body), contains) {
		t.Fatalf("status %d, want %d with %q; body: %.500s", res.StatusCode, status, contains, body)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

func TestWorkerdForm(t *testing.T) {
	w := testWorker(t)
	res, body := w.request(t, http.MethodGet, "/", "", nil, nil)
	wantStatus(t, res, body, http.StatusOK, `<form method="post" action="/api/scan" enctype="multipart/form-data"`)
	for _, want := range []string{`name="file"`, `name="rules"`, `name="query"`, `name="now"`, `name="token"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'sha256-") {
		t.Errorf("CSP %q", csp)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestWorkerdScanSameAsCLI: a multipart upload and a raw gzip body give,
// on workerd, the findings detect.Scan gives in this process, byte for
// byte.
func TestWorkerdScanSameAsCLI(t *testing.T) {
	w := testWorker(t)
	sample := readSample(t)
	want := facadeFindings(t, "sample_dpe.csv", sample, "latest")

	body, ct := form(t, "sample_dpe.csv", sample, "now", "latest")
	res, got := w.request(t, http.MethodPost, "/api/scan", ct, body, w.auth())
	wantStatus(t, res, got, http.StatusOK, "")
	if !bytes.Equal(got, want) {
		t.Errorf("multipart: findings differ from detect.Scan's:\nworkerd: %.500s\nfacade:  %.500s", got, want)
	}

	h := w.auth()
	h["Content-Encoding"] = "gzip"
	res, got = w.request(t, http.MethodPost, "/api/scan?now=latest&name=sample_dpe.csv", "text/csv", gzipBytes(sample), h)
	wantStatus(t, res, got, http.StatusOK, "")
	if !bytes.Equal(got, want) {
		t.Errorf("raw gzip: findings differ from detect.Scan's:\nworkerd: %.500s\nfacade:  %.500s", got, want)
	}

	// Two gzip members in a row, as gzip -d reads them: workerd's
	// DecompressionStream takes one, and the Worker goes on with Go's
	// reader.
	cut := bytes.IndexByte(sample[len(sample)/2:], '\n') + len(sample)/2 + 1
	members := append(gzipBytes(sample[:cut]), gzipBytes(sample[cut:])...)
	res, got = w.request(t, http.MethodPost, "/api/scan?now=latest&name=sample_dpe.csv", "text/csv", members, h)
	wantStatus(t, res, got, http.StatusOK, "")
	if !bytes.Equal(got, want) {
		t.Errorf("two gzip members: findings differ from detect.Scan's:\nworkerd: %.500s\nfacade:  %.500s", got, want)
	}

	// Bodies that take many reads, inflated and plain (within the test
	// Worker's limit of testMaxBody).
	rows := sample[bytes.IndexByte(sample, '\n')+1:]
	for _, c := range []struct {
		size int
		gz   bool
	}{{3 << 20, true}, {testMaxBody * 7 / 8, false}} {
		big := append(bytes.Clone(sample), bytes.Repeat(rows, (c.size-len(sample))/len(rows))...)
		want := facadeFindings(t, "big.csv", big, "latest")
		body, hdr := big, w.auth()
		if c.gz {
			body, hdr = gzipBytes(big), h
		}
		res, got := w.request(t, http.MethodPost, "/api/scan?now=latest&name=big.csv", "text/csv", body, hdr)
		wantStatus(t, res, got, http.StatusOK, "")
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes, gzip %v: findings differ from detect.Scan's:\nworkerd: %.500s\nfacade:  %.500s", len(big), c.gz, got, want)
		}
	}
}

func TestWorkerdErrors(t *testing.T) {
	w := testWorker(t)
	sample := readSample(t)
	big := bytes.Repeat(sample, testMaxBody/len(sample)+1)
	res, body := w.request(t, http.MethodPost, "/api/scan", "text/csv", big, w.auth())
	wantStatus(t, res, body, http.StatusRequestEntityTooLarge, `"code":"too_large"`)

	fb, ct := form(t, "s.csv", sample, "query", "DeviceProcessEvents\n| whre x", "now", "latest")
	res, body = w.request(t, http.MethodPost, "/api/query", ct, fb, w.auth())
	wantStatus(t, res, body, http.StatusUnprocessableEntity, `"line":2,"col":3}`)

	res, body = w.request(t, http.MethodPost, "/api/scan", "application/xml", []byte("<x/>"), w.auth())
	wantStatus(t, res, body, http.StatusUnsupportedMediaType, `"code":"unsupported_media_type"`)
	res, body = w.request(t, http.MethodGet, "/api/scan", "", nil, w.auth())
	wantStatus(t, res, body, http.StatusMethodNotAllowed, `"code":"method_not_allowed"`)
	res, body = w.request(t, http.MethodPost, "/api/scan", "text/csv", []byte("\x00\x01binary"), w.auth())
	wantStatus(t, res, body, http.StatusBadRequest, `"code":"malformed_input"`)
}

func TestWorkerdToken(t *testing.T) {
	w := testWorker(t)
	sample := readSample(t)
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer not-the-token"}} {
		res, body := w.request(t, http.MethodPost, "/api/scan?now=latest", "text/csv", sample, h)
		wantStatus(t, res, body, http.StatusUnauthorized, `"code":"unauthorized"`)
		res, body = w.request(t, http.MethodGet, "/api/rules", "", nil, h)
		wantStatus(t, res, body, http.StatusUnauthorized, `"code":"unauthorized"`)
	}
	res, body := w.request(t, http.MethodGet, "/api/rules", "", nil, w.auth())
	wantStatus(t, res, body, http.StatusOK, `"id":"rclone-seed-copy-args"`)
	res, body = w.request(t, http.MethodGet, "/healthz", "", nil, nil)
	wantStatus(t, res, body, http.StatusOK, `"status":"ok"`)
}
