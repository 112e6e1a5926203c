package api

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"offhunt/detect"
	"offhunt/detect/rules"
)

// onceReader fails when it is read after its end, like a request body
// that must not be read twice.
type onceReader struct {
	r     io.Reader
	reads atomic.Int64
}

func (o *onceReader) Read(p []byte) (int, error) {
	o.reads.Add(1)
	return o.r.Read(p)
}

func budget(n int64) *atomic.Int64 {
	b := &atomic.Int64{}
	b.Store(n)
	return b
}

// testData is text that compresses like an export, or random bytes that
// do not compress at all.
func testData(n int, random bool) []byte {
	if random {
		b := make([]byte, n)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	var buf bytes.Buffer
	for i := 0; buf.Len() < n; i++ {
		fmt.Fprintf(&buf, "2025-09-01T07:%02d:%02dZ,host-%d,rclone.exe copy C:\\data remote:bucket --ignore-existing,%d\n", i/60%60, i%60, i%17, i)
	}
	return buf.Bytes()[:n]
}

func readAllFrom(t *testing.T, s *spool, chunk int) []byte {
	t.Helper()
	rc, err := s.open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out bytes.Buffer
	buf := make([]byte, chunk)
	for {
		n, err := rc.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatalf("read at %d: %v", out.Len(), err)
		}
	}
}

// TestSpoolReplays: every open reads the same bytes, whether the body is
// read ahead, streamed by the first reader, or read by several readers
// in turn and at once.
func TestSpoolReplays(t *testing.T) {
	for _, c := range []struct{ random, plain bool }{{false, false}, {true, false}, {false, true}} {
		random, plain := c.random, c.plain
		src := testData(3*spoolChunk+12345, random)
		t.Run(fmt.Sprintf("random=%v,plain=%v", random, plain), func(t *testing.T) {
			s := newSpool(&onceReader{r: bytes.NewReader(src)}, budget(64<<20), plain)
			// A short read (the sniff), then whole passes.
			rc, _ := s.open()
			head := make([]byte, 512)
			if _, err := io.ReadFull(rc, head); err != nil || !bytes.Equal(head, src[:512]) {
				t.Fatalf("head: %v", err)
			}
			rc.Close()
			for pass, chunk := range []int{256 << 10, 7, 1 << 20} {
				if got := readAllFrom(t, s, chunk); !bytes.Equal(got, src) {
					t.Fatalf("pass %d: %d bytes differ from the %d posted", pass, len(got), len(src))
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rc, _ := s.open()
					got, err := io.ReadAll(rc)
					if err == nil && !bytes.Equal(got, src) {
						err = errors.New("concurrent reader got other bytes")
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if kept := int64(64<<20) - s.budget.Load(); !random && !plain && kept > int64(len(src))/3 {
				t.Errorf("the copy of compressible text takes %d bytes of %d", kept, len(src))
			}
		})
	}
}

// TestSpoolConcurrentFromStart: readers that start together, one of them
// pulling from the body while the others replay.
func TestSpoolConcurrentFromStart(t *testing.T) {
	src := testData(2*spoolChunk+999, false)
	s := newSpool(bytes.NewReader(src), budget(64<<20), false)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, _ := s.open()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, src) {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d readers got other bytes", bad.Load())
	}
}

// TestSpoolBudget: past its budget the spool still streams one pass to
// the end; only a second pass fails, with errNotKept, and says so.
func TestSpoolBudget(t *testing.T) {
	src := testData(4*spoolChunk, true)
	s := newSpool(bytes.NewReader(src), budget(spoolChunk+spoolChunk/2), false)
	rc, _ := s.open()
	head := make([]byte, 100)
	io.ReadFull(rc, head)
	rc.Close()
	if got := readAllFrom(t, s, 64<<10); !bytes.Equal(got, src) {
		t.Fatalf("the first pass got %d bytes, want %d", len(got), len(src))
	}
	rc, _ = s.open()
	got, err := io.ReadAll(rc)
	if !errors.Is(err, errNotKept) || !s.lost.Load() {
		t.Fatalf("second pass: %v after %d bytes, want errNotKept", err, len(got))
	}
	if len(got) != spoolChunk || !bytes.Equal(got, src[:len(got)]) {
		t.Fatalf("second pass read %d bytes before failing, want the one kept chunk", len(got))
	}
}

// TestSpoolDrain: a file read ahead whole when it fits, and up to the
// budget when it does not, after which readers continue from the body.
func TestSpoolDrain(t *testing.T) {
	src := testData(3*spoolChunk, true)
	s := newSpool(bytes.NewReader(src), budget(64<<20), false)
	whole, err := s.drain()
	if err != nil || !whole || s.pulled != int64(len(src)) {
		t.Fatalf("drain: whole=%v err=%v pulled=%d", whole, err, s.pulled)
	}
	if got := readAllFrom(t, s, 1000); !bytes.Equal(got, src) {
		t.Fatal("after drain, other bytes")
	}
	s = newSpool(bytes.NewReader(src), budget(spoolChunk+10), false)
	whole, err = s.drain()
	if err != nil || whole {
		t.Fatalf("drain past the budget: whole=%v err=%v", whole, err)
	}
	if got := readAllFrom(t, s, 1000); !bytes.Equal(got, src) {
		t.Fatal("streaming after a partial drain: other bytes")
	}
	// A body error is everyone's error.
	boom := errors.New("connection reset")
	s = newSpool(io.MultiReader(bytes.NewReader(src[:1000]), errReader{boom}), budget(64<<20), false)
	if _, err := s.drain(); !errors.Is(err, boom) {
		t.Fatalf("drain of a failing body: %v", err)
	}
	rc, _ := s.open()
	if _, err := io.ReadAll(rc); !errors.Is(err, boom) {
		t.Fatalf("read of a failing body: %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// bigExport repeats the sample's events until the export is about n
// bytes. With noisy set, every command line gets random text, so that the
// export compresses about as badly as real ones with many unique values.
func bigExport(t testing.TB, n int, noisy bool) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readSample(t))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cmd := -1
	for i, c := range recs[0] {
		if c == "ProcessCommandLine" {
			cmd = i
		}
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	noise := make([]byte, 600)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(recs[0])
	for i := 0; b.Len() < n; i++ {
		rec := append([]string(nil), recs[1+i%(len(recs)-1)]...)
		if noisy {
			for j := range noise {
				noise[j] = byte(rnd.Uint32())
			}
			rec[cmd] += " " + base64.StdEncoding.EncodeToString(noise)
		}
		w.Write(rec)
		w.Flush()
	}
	return b.Bytes()
}

// fullPasses counts how many times the facade reads an input to its end for
// a request: the passes the spool has to serve.
func fullPasses(t *testing.T, export []byte, run func(in detect.Input) error) int {
	t.Helper()
	var reads []*int64
	in := detect.Input{Name: "big.csv", Open: func() (io.ReadCloser, error) {
		n := new(int64)
		reads = append(reads, n)
		return io.NopCloser(&countingReader{r: bytes.NewReader(export), n: n}), nil
	}}
	if err := run(in); err != nil {
		t.Fatal(err)
	}
	passes := 0
	for _, n := range reads {
		if *n == int64(len(export)) {
			passes++
		}
	}
	return passes
}

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// TestScanPassesAndBudget: through the handler, a request that reads a
// large input once works with a spool budget smaller than the input's
// compressed copy; one that reads it twice or more works when the copy
// fits, and is a 413 that says why when it does not. How many passes a
// request takes is the facade's business, so it is counted, not assumed.
func TestScanPassesAndBudget(t *testing.T) {
	export := bigExport(t, 4<<20, true)
	const fixed = "2025-09-08T00:00:00Z"
	query := `DeviceProcessEvents | where FileName =~ "rclone.exe"`
	twice := `union DeviceProcessEvents, DeviceProcessEvents | where FileName =~ "rclone.exe" | count`
	qr, err := rules.Parse(queryRuleFile, queryRuleHeader+query)
	if err != nil {
		t.Fatal(err)
	}
	// A budget for half the compressed export: enough for what the
	// readers look at before the first pass, not for the whole.
	probe := newSpool(bytes.NewReader(export), budget(1<<30), false)
	if whole, err := probe.drain(); !whole || err != nil {
		t.Fatal(whole, err)
	}
	kept := int64(1<<30) - probe.budget.Load()
	small := newTestHandler(Config{MaxSpoolBytes: kept / 2})
	large := newTestHandler(Config{})
	scan := func(now string, rs []*rules.Rule) func(detect.Input) error {
		return func(in detect.Input) error {
			_, err := detect.Scan(context.Background(), []detect.Input{in}, detect.ScanOptions{Options: detect.Options{Now: now, Clock: fixedClock}, Rules: rs})
			return err
		}
	}
	queryRun := func(q string) func(detect.Input) error {
		return func(in detect.Input) error {
			_, err := detect.Query(context.Background(), q, []detect.Input{in}, detect.Options{Now: fixed, Clock: fixedClock})
			return err
		}
	}
	type request struct {
		path   string
		fields []field
		passes func(detect.Input) error
	}
	cases := map[string]request{
		"one rule":                {"/api/scan", []field{{"now", "", fixed}, {"rules", "", "none"}, {"query", "", query}}, scan(fixed, []*rules.Rule{qr})},
		"one rule, now=latest":    {"/api/scan", []field{{"now", "", "latest"}, {"rules", "", "none"}, {"query", "", query}}, scan("latest", []*rules.Rule{qr})},
		"the pack":                {"/api/scan", []field{{"now", "", fixed}}, scan(fixed, nil)},
		"the pack, now=latest":    {"/api/scan", []field{{"now", "", "latest"}}, scan("latest", nil)},
		"a query":                 {"/api/query", []field{{"now", "", fixed}, {"query", "", query}}, queryRun(query)},
		"a query naming it twice": {"/api/query", []field{{"now", "", fixed}, {"query", "", twice}}, queryRun(twice)},
	}
	sawOne, sawMore := false, false
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			passes := fullPasses(t, export, c.passes)
			want := httptest.NewRecorder()
			serve(large, postForm(t, c.path, append(c.fields, field{"file", "big.csv", string(export)})...)).Body.WriteTo(want)
			for _, h := range []*Handler{small, large} {
				w := serve(h, postForm(t, c.path, append(c.fields, field{"file", "big.csv", string(export)})...))
				if h == small && passes > 1 {
					sawMore = true
					e := wantError(t, w, http.StatusRequestEntityTooLarge, codeTooLarge)
					if !strings.Contains(e.Error.Message, "more than once") {
						t.Errorf("413 message %q does not say why", e.Error.Message)
					}
					continue
				}
				sawOne = sawOne || passes == 1
				if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), want.Body.Bytes()) {
					t.Fatalf("%d passes, budget %d: status %d, or another answer than with room to spare: %.300s", passes, h.cfg.MaxSpoolBytes, w.Code, w.Body)
				}
			}
		})
	}
	if !sawOne || !sawMore {
		t.Errorf("the cases no longer cover one pass (%v) and several (%v)", sawOne, sawMore)
	}
	// The raw body goes the same way as the form.
	w := serve(small, post("/api/query?name=big.csv&now="+fixed+"&query="+url.QueryEscape(twice), "text/csv", export))
	if fullPasses(t, export, queryRun(twice)) > 1 {
		wantError(t, w, http.StatusRequestEntityTooLarge, codeTooLarge)
	}
	w = serve(small, post("/api/scan?name=big.csv&rules=none&now="+fixed+"&query="+url.QueryEscape(query), "text/csv", export))
	if fullPasses(t, export, scan(fixed, []*rules.Rule{qr})) == 1 && w.Code != http.StatusOK {
		t.Errorf("raw body, one pass: %d %.300s", w.Code, w.Body)
	}
	// A streamed file must be the last part: a field after it is an
	// error that says so, not silently ignored.
	w = serve(small, postForm(t, "/api/scan", field{"rules", "", "none"}, field{"query", "", query}, field{"file", "big.csv", string(export)}, field{"now", "", fixed}))
	e := wantError(t, w, http.StatusBadRequest, codeBadRequest)
	if !strings.Contains(e.Error.Message, `"now" came after the file`) {
		t.Errorf("message %q", e.Error.Message)
	}
}

// TestGzipBomb: an inflated body is bounded too.
func TestGzipBomb(t *testing.T) {
	h := newTestHandler(Config{MaxDecodedBytes: 1 << 20})
	r := post("/api/scan?now=latest", "text/csv", gzipBytes(t, bigExport(t, 2<<20, false)))
	r.Header.Set("Content-Encoding", "gzip")
	e := wantError(t, serve(h, r), http.StatusRequestEntityTooLarge, codeTooLarge)
	if !strings.Contains(e.Error.Message, "decompressed") {
		t.Errorf("message %q", e.Error.Message)
	}
}

// singleMember inflates the first gzip member only and fails on what
// follows it, as workerd's DecompressionStream does; failAfter, when
// positive, makes it fail after that many inflated bytes too.
func singleMember(failAfter int64) func(io.Reader) (io.ReadCloser, error) {
	return func(r io.Reader) (io.ReadCloser, error) {
		br := bufio.NewReader(r)
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		return &strictMember{zr: zr, br: br, left: failAfter}, nil
	}
}

type strictMember struct {
	zr   *gzip.Reader
	br   *bufio.Reader
	left int64
}

func (s *strictMember) Read(p []byte) (int, error) {
	if s.left > 0 && int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.zr.Read(p)
	if s.left > 0 {
		if s.left -= int64(n); s.left == 0 {
			return n, errors.New("broken on purpose")
		}
	}
	if err == io.EOF {
		if _, perr := s.br.Peek(1); perr == nil {
			return n, errors.New("trailing bytes after end of compressed data")
		}
	}
	return n, err
}

func (s *strictMember) Close() error { return s.zr.Close() }

// TestInflateFallback: a Config.Inflate that fails (on a body of several
// gzip members, which workerd's DecompressionStream refuses, or
// anywhere) changes nothing in the answer: the pass goes on with
// compress/gzip, and a body that is not valid gzip gets its error.
func TestInflateFallback(t *testing.T) {
	export := bigExport(t, 1<<20, true)
	cut := bytes.IndexByte(export[len(export)/2:], '\n') + len(export)/2 + 1
	header := export[:bytes.IndexByte(export, '\n')+1]
	members := append(gzipBytes(t, export[:cut]), gzipBytes(t, export[cut:])...)
	one := gzipBytes(t, export)
	goH := newTestHandler(Config{})
	ask := func(h *Handler, body []byte) *httptest.ResponseRecorder {
		r := post("/api/scan?now=latest&name=big.csv", "text/csv", body)
		r.Header.Set("Content-Encoding", "gzip")
		return serve(h, r)
	}
	want := ask(goH, one)
	if want.Code != http.StatusOK {
		t.Fatalf("%d %.300s", want.Code, want.Body)
	}
	for _, c := range []struct {
		name    string
		inflate func(io.Reader) (io.ReadCloser, error)
		body    []byte
	}{
		{"one member", singleMember(0), one},
		{"two members", singleMember(0), members},
		{"failing midway", singleMember(300_000), one},
		{"failing midway, two members", singleMember(300_000), members},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := ask(newTestHandler(Config{Inflate: c.inflate}), c.body)
			if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), want.Body.Bytes()) {
				t.Fatalf("status %d, or another answer than compress/gzip's: %.300s", w.Code, w.Body)
			}
		})
	}
	// Damaged data: the same error with and without Inflate.
	damaged := bytes.Clone(one)
	for i := len(damaged) / 2; i < len(damaged)/2+64; i++ {
		damaged[i] ^= 0x55
	}
	truncated := one[:len(one)/2]
	trailing := append(bytes.Clone(gzipBytes(t, header)), "not gzip"...)
	for name, body := range map[string][]byte{"damaged": damaged, "truncated": truncated, "trailing junk": trailing} {
		t.Run(name, func(t *testing.T) {
			want := ask(goH, body)
			got := ask(newTestHandler(Config{Inflate: singleMember(0)}), body)
			if want.Code == http.StatusOK || got.Code != want.Code || got.Body.String() != want.Body.String() {
				t.Errorf("with Inflate %d %s; with compress/gzip %d %s", got.Code, got.Body, want.Code, want.Body)
			}
		})
	}
}

// TestSpoolInflateChunk: a Config.InflateChunk inflates the deflated
// chunks for the passes after the first; when it fails or comes up short,
// compress/flate does, and the bytes are the same.
func TestSpoolInflateChunk(t *testing.T) {
	src := testData(5*spoolChunk+spoolChunk/3, false)
	goFlate := func(dst, src []byte) (int, error) {
		return io.ReadFull(flate.NewReader(bytes.NewReader(src)), dst)
	}
	for name, f := range map[string]func(dst, src []byte) (int, error){
		"inflates": goFlate,
		"fails":    func([]byte, []byte) (int, error) { return 0, errors.New("broken on purpose") },
		"short": func(dst, src []byte) (int, error) {
			n, err := goFlate(dst, src)
			return n - 1, err
		},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			s := newSpool(bytes.NewReader(src), budget(64<<20), false)
			s.inflateChunk = func(dst, src []byte) (int, error) {
				calls++
				return f(dst, src)
			}
			for pass := 0; pass < 2; pass++ {
				if got := readAllFrom(t, s, 100_000); !bytes.Equal(got, src) {
					t.Fatalf("pass %d: %d bytes differ from the %d written", pass, len(got), len(src))
				}
			}
			if calls < 5 {
				t.Errorf("the hook inflated %d chunks; the second pass alone reads 5", calls)
			}
		})
	}
}
