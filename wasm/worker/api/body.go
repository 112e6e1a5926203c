package api

import (
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"offhunt/detect"
	"offhunt/detect/data"
)

// rawTypes are the content types of a raw body: the export itself. The
// readers tell the format from the content; the type only has to be one
// of these.
var rawTypes = map[string]string{
	"text/csv":             ".csv",
	"application/json":     ".json",
	"application/x-ndjson": ".ndjson",
	"application/ndjson":   ".ndjson",
}

// request is the state of one API request: its limits and spools, which
// classify reads to tell a 413 from a 400.
type request struct {
	h      *Handler
	cfg    *Config
	r      *http.Request
	html   bool // answer with an HTML page (a form post from a browser)
	authed bool
	// plain: the body is small enough to keep between passes as it is
	// (see spool.go).
	plain  bool
	budget atomic.Int64
	// limiters and spools are written while the request is read and
	// only read after that. limiters holds the sticky errors of the
	// limits (a limit shared by several readers has one).
	limiters []*atomic.Pointer[tooLargeError]
	spools   []*spool
	// queryHeaderLines is how many header lines were put before the
	// request's query to make it a rule, taken off its errors' lines.
	queryHeaderLines int
}

func (h *Handler) newRequest(r *http.Request) *request {
	req := &request{h: h, cfg: &h.cfg, r: r, html: acceptsHTML(r)}
	req.budget.Store(h.cfg.MaxSpoolBytes)
	return req
}

// acceptsHTML reports whether the client asked for a page: a browser's
// form post sends Accept: text/html,...; programs send */* or JSON.
func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func (req *request) tooLarge() *tooLargeError {
	for _, hit := range req.limiters {
		if e := hit.Load(); e != nil {
			return e
		}
	}
	return nil
}

func (req *request) lostBytes() bool {
	for _, s := range req.spools {
		if s.lost.Load() {
			return true
		}
	}
	return false
}

// limit wraps a reader so that reading past limit bytes fails with a
// tooLargeError that the request remembers.
func (req *request) limit(r io.Reader, limit int64, what string) io.Reader {
	hit := new(atomic.Pointer[tooLargeError])
	req.limiters = append(req.limiters, hit)
	return &limitedReader{r: r, left: limit, limit: limit, what: what, hit: hit}
}

// limitedReader fails a read past limit bytes with a tooLargeError, which
// it stores in hit: readers that share a limit share hit.
type limitedReader struct {
	r     io.Reader
	left  int64
	limit int64
	what  string
	hit   *atomic.Pointer[tooLargeError]
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if e := l.hit.Load(); e != nil {
		return 0, e
	}
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			e := &tooLargeError{what: l.what, limit: l.limit}
			l.hit.Store(e)
			return 0, e
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// params are a request's inputs and options, from its form fields or,
// for a raw body, from the URL's parameters.
type params struct {
	inputs   []detect.Input
	query    string
	hasQuery bool
	rules    []ruleChoice
	now      string
	dedupe   bool
	format   string
	// mr is the multipart body when its last file was not read ahead
	// whole (it did not fit the spool budget): then no part may follow
	// it, which finish checks once the file has been read.
	mr       *multipart.Reader
	lastFile string
}

// ruleChoice is one value of the rules field: "builtin", "none", or the
// text of a rule file (name is its file name, when it came as a file).
type ruleChoice struct {
	name, text string
}

// fieldSet lists the fields (or URL parameters) a route takes.
type fieldSet map[string]bool

func (f fieldSet) names() string {
	var ns []string
	for n := range f {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}

// readParams reads a request's inputs and options. The body is not read
// here beyond the form fields: the inputs are spools that the facade
// streams from.
func (req *request) readParams(fields fieldSet) (*params, *apiError) {
	r := req.r
	ok, sent := req.h.authHeader(r)
	if sent && !ok {
		return nil, unauthorized()
	}
	req.authed = ok
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedType,
			"a Content-Type is needed: multipart/form-data, or a raw export as text/csv, application/json or application/x-ndjson")
	}
	mt, mparams, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedType, "the Content-Type %q does not parse: %v", ct, err)
	}
	_, raw := rawTypes[mt]
	if mt != "multipart/form-data" && !raw {
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedType,
			"Content-Type %s is not taken: send multipart/form-data, or a raw export as text/csv, application/json or application/x-ndjson (gzip with Content-Encoding: gzip)", mt)
	}
	if !req.authed && raw {
		return nil, unauthorized()
	}
	n, known := declaredLength(r)
	switch {
	case !known:
		return nil, errorf(http.StatusLengthRequired, codeLengthRequired, "a Content-Length is needed (the body may be at most %s)", formatBytes(req.cfg.MaxBodyBytes))
	case n > req.cfg.MaxBodyBytes:
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
			Message: (&tooLargeError{what: "the request body", limit: req.cfg.MaxBodyBytes}).Error()}
	case n == 0:
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "the body is empty: post an export")
	}
	body := req.limit(r.Body, req.cfg.MaxBodyBytes, "the request body")
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	req.plain = n <= req.cfg.RawSpoolBytes && (enc == "" || enc == "identity")
	if raw {
		return req.readRaw(body, mt, fields)
	}
	if enc != "" && enc != "identity" {
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedType,
			"Content-Encoding %q is not taken for a form; send a .gz file in it instead, or the raw export with Content-Encoding: gzip", enc)
	}
	return req.readMultipart(body, mparams["boundary"], fields)
}

// declaredLength is the body's Content-Length, when the request has one.
// Under syumai/workers a missing header shows as ContentLength 0, so the
// header itself is looked at too.
func declaredLength(r *http.Request) (int64, bool) {
	if r.ContentLength > 0 {
		return r.ContentLength, true
	}
	if v := r.Header.Get("Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0
	}
	return 0, false
}

// readRaw takes a body that is the export itself; the options come from
// the URL's parameters.
func (req *request) readRaw(body io.Reader, mediaType string, fields fieldSet) (*params, *apiError) {
	p := &params{}
	q := req.r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	name := ""
	for _, k := range keys {
		if k == "name" {
			name = q.Get(k)
			continue
		}
		if k == "file" || k == "token" || !fields[k] {
			return nil, errorf(http.StatusBadRequest, codeBadRequest, "unknown URL parameter %q; with a raw body the parameters are name, %s", k, without(fields, "file", "token"))
		}
		for _, v := range q[k] {
			if e := p.set(req, k, "", v); e != nil {
				return nil, e
			}
		}
	}
	var open func() (io.ReadCloser, error)
	switch enc := strings.ToLower(strings.TrimSpace(req.r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		sp := req.newSpool(body, req.plain)
		req.spools = append(req.spools, sp)
		open = sp.open
	case "gzip", "x-gzip":
		// The spool keeps the body as it came, compressed: it does not
		// shrink further, and every pass inflates it again, which costs
		// far less than deflating the inflated bytes to keep them.
		sp := req.newSpool(body, true)
		req.spools = append(req.spools, sp)
		// The header is read now, so that a body that is not gzip is a
		// 400 that says so before the facade sees it.
		head, _ := sp.open()
		_, err := gzip.NewReader(head)
		head.Close()
		if err != nil {
			if e := req.tooLarge(); e != nil {
				return nil, classify(e, req)
			}
			return nil, errorf(http.StatusBadRequest, codeMalformedInput, "Content-Encoding is gzip, but the body is not gzip data (%v)", err)
		}
		open = req.gunzipper(sp)
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedType, "Content-Encoding %q is not taken: send gzip, or no encoding", enc)
	}
	p.inputs = []detect.Input{{Name: inputName(name, "input"+rawTypes[mediaType]), Open: open, Size: req.r.ContentLength}}
	p.normalize()
	return p, nil
}

// newSpool returns a spool over src that keeps within the request's
// budget, with the configured chunk inflater.
func (req *request) newSpool(src io.Reader, plain bool) *spool {
	sp := newSpool(src, &req.budget, plain)
	sp.inflateChunk = req.cfg.InflateChunk
	return sp
}

// gunzipper returns the Open of a gzip body kept in sp: each reader
// inflates the spool from its start, within the limit on the inflated
// size that all of them share.
func (req *request) gunzipper(sp *spool) func() (io.ReadCloser, error) {
	hit := new(atomic.Pointer[tooLargeError])
	req.limiters = append(req.limiters, hit)
	return func() (io.ReadCloser, error) {
		z := &inflater{sp: sp, fast: req.cfg.Inflate}
		if err := z.start(); err != nil {
			return nil, err
		}
		limit := req.cfg.MaxDecodedBytes
		return &gunzipReader{
			limitedReader: limitedReader{r: z, left: limit, limit: limit, what: "the decompressed body", hit: hit},
			z:             z,
		}, nil
	}
}

// gunzipReader is one pass over a gzip body: the inflated bytes, within
// the limit.
type gunzipReader struct {
	limitedReader
	z *inflater
}

func (g *gunzipReader) Close() error { return g.z.Close() }

// inflater inflates a spool with Config.Inflate when it is set, and with
// compress/gzip otherwise. Should the fast one fail, the pass goes on
// with compress/gzip from where it was: workerd's DecompressionStream
// takes a single gzip member, where gzip -d and Go read several in a row,
// and a body that is not valid gzip gets Go's error, the one the native
// handler gives.
type inflater struct {
	sp        *spool
	fast      func(io.Reader) (io.ReadCloser, error)
	raw       io.ReadCloser
	zr        io.ReadCloser
	delivered int64
}

func (z *inflater) start() error {
	z.raw, _ = z.sp.open()
	var err error
	if z.fast != nil {
		z.zr, err = z.fast(z.raw)
	} else {
		z.zr, err = gzip.NewReader(z.raw)
	}
	if err != nil {
		z.raw.Close()
	}
	return err
}

func (z *inflater) Read(p []byte) (int, error) {
	n, err := z.zr.Read(p)
	z.delivered += int64(n)
	if err == nil || err == io.EOF || z.fast == nil {
		return n, err
	}
	z.Close()
	z.fast = nil
	if err := z.start(); err != nil {
		return n, err
	}
	if _, err := io.CopyN(io.Discard, z.zr, z.delivered); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	}
	return n, nil
}

func (z *inflater) Close() error {
	z.zr.Close()
	return z.raw.Close()
}

func without(f fieldSet, drop ...string) string {
	g := fieldSet{}
	for k := range f {
		g[k] = true
	}
	for _, d := range drop {
		delete(g, d)
	}
	return g.names()
}

// readMultipart reads a form: its text fields into params, and each file
// into a spool. A file is read ahead whole while the spool budget holds
// it, so that fields may follow it; one that does not fit is streamed, and
// nothing may come after it.
func (req *request) readMultipart(body io.Reader, boundary string, fields fieldSet) (*params, *apiError) {
	if boundary == "" {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "the multipart/form-data Content-Type has no boundary")
	}
	p := &params{}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, req.bodyError(err, "the multipart body does not parse")
		}
		name := part.FormName()
		if !fields[name] {
			return nil, errorf(http.StatusBadRequest, codeBadRequest, "unknown form field %q; the fields are %s", name, fields.names())
		}
		if name != "file" {
			limit := int64(maxShortFieldBytes)
			if name == "query" || name == "rules" {
				limit = maxFieldBytes
			}
			v, err := io.ReadAll(io.LimitReader(part, limit+1))
			if err != nil {
				return nil, req.bodyError(err, "the multipart body does not parse")
			}
			if int64(len(v)) > limit {
				return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
					Message: (&tooLargeError{what: "the field " + strconv.Quote(name), limit: limit}).Error()}
			}
			if e := p.set(req, name, part.FileName(), string(v)); e != nil {
				return nil, e
			}
			continue
		}
		if !req.authed {
			return nil, unauthorized()
		}
		if len(p.inputs) == maxFiles {
			return nil, errorf(http.StatusBadRequest, codeBadRequest, "more than %d files in one request", maxFiles)
		}
		sp := req.newSpool(part, req.plain)
		whole, err := sp.drain()
		if err != nil {
			return nil, req.bodyError(err, "the multipart body does not parse")
		}
		if whole && sp.pulled == 0 && part.FileName() == "" {
			continue // a form's file field with no file chosen
		}
		req.spools = append(req.spools, sp)
		p.inputs = append(p.inputs, detect.Input{Name: inputName(part.FileName(), "input"), Open: sp.open})
		if !whole {
			p.mr, p.lastFile = mr, p.inputs[len(p.inputs)-1].Name
			break
		}
	}
	if !req.authed {
		return nil, unauthorized()
	}
	if len(p.inputs) == 0 {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "no file: post the export in the form field \"file\"")
	}
	p.normalize()
	return p, nil
}

// bodyError answers an error met while reading the body: a passed limit
// is a 413, anything else a 400 that says what did not parse.
func (req *request) bodyError(err error, what string) *apiError {
	if e := req.tooLarge(); e != nil {
		return classify(e, req)
	}
	return errorf(http.StatusBadRequest, codeMalformedInput, "%s: %v", what, err)
}

// set takes one field or URL parameter.
func (p *params) set(req *request, name, fileName, v string) *apiError {
	switch name {
	case "token":
		if req.cfg.Token != "" {
			if !req.h.tokenMatches(strings.TrimSpace(v)) {
				return unauthorized()
			}
			req.authed = true
		}
	case "query":
		if p.hasQuery {
			return errorf(http.StatusBadRequest, codeBadRequest, "the field \"query\" is given twice")
		}
		p.query, p.hasQuery = v, true
	case "rules":
		p.rules = append(p.rules, ruleChoice{name: fileName, text: v})
	case "now":
		p.now = strings.TrimSpace(v)
		if !validNow(p.now) {
			return errorf(http.StatusBadRequest, codeBadRequest, "now %q: use latest, an RFC 3339 time such as 2025-09-07T12:00:00Z, or nothing for the current time", p.now)
		}
	case "dedupe":
		b, ok := parseBool(v)
		if !ok {
			return errorf(http.StatusBadRequest, codeBadRequest, "dedupe %q: use true or false", v)
		}
		p.dedupe = b
	case "format":
		switch f := strings.TrimSpace(v); f {
		case "json", "html":
			p.format = f
			req.html = f == "html"
		default:
			return errorf(http.StatusBadRequest, codeBadRequest, "format %q: use json or html", f)
		}
	}
	return nil
}

// normalize drops an empty query: the form's textarea left empty.
func (p *params) normalize() {
	if p.hasQuery && strings.TrimSpace(p.query) == "" {
		p.query, p.hasQuery = "", false
	}
}

// finish runs after the inputs were read: when the last file was
// streamed, nothing may follow it in the form.
func (p *params) finish(req *request) *apiError {
	if p.mr == nil {
		return nil
	}
	part, err := p.mr.NextPart()
	switch {
	case err == nil:
		return errorf(http.StatusBadRequest, codeBadRequest,
			"the form field %q came after the file %q, which was too large to read ahead: put every field before the file", part.FormName(), p.lastFile)
	case errors.Is(err, io.EOF):
		return nil
	}
	if e := req.tooLarge(); e != nil {
		return classify(e, req)
	}
	return nil
}

func validNow(s string) bool {
	if s == "" || s == "latest" {
		return true
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	_, ok := data.ParseDateTime(s)
	return ok
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true, true
	case "", "0", "false", "off", "no":
		return false, true
	}
	return false, false
}

// inputName is the name an input is reported under: the file name a
// client sent, without folders (browsers send none; other clients may) or
// control characters, else def.
func inputName(name, def string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > 255 {
		name = name[:255]
	}
	if name == "" || name == "." || name == ".." {
		return def
	}
	return strings.ToValidUTF8(name, "\uFFFD")
}
