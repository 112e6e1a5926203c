package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"hash"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mailru/easyjson/jwriter"

	"offhunt/detect"
)

// Limits. DefaultMaxBodyBytes is Cloudflare's request body limit on the
// Free and Pro plans (100 MB); a Business or Enterprise account may raise
// OFFHUNT_MAX_BODY_BYTES to its own plan's limit.
const (
	DefaultMaxBodyBytes = 100 << 20
	// DefaultMaxDecodedBytes bounds a gzip body once inflated, so that a
	// small bomb cannot keep the Worker busy for ever.
	DefaultMaxDecodedBytes = 1 << 30
	// DefaultMaxSpoolBytes bounds the compressed copy of the inputs that
	// later passes over them read (see spool.go). With the wasm module,
	// the Go heap and the readers' buffers it stays well inside the
	// Worker's 128 MB.
	DefaultMaxSpoolBytes = 32 << 20
	// DefaultRawSpoolBytes is the largest body kept between passes as it
	// is rather than deflated (see spool.go).
	DefaultRawSpoolBytes = 16 << 20
	// maxFieldBytes bounds a text field of a form: a query or a rule file.
	maxFieldBytes = 1 << 20
	// maxShortFieldBytes bounds the other fields (now, rules, dedupe...).
	maxShortFieldBytes = 4 << 10
	// maxFiles bounds the files of one request.
	maxFiles = 64
)

// Environment variables that configure the Worker (see ConfigFromEnv).
const (
	EnvToken          = "OFFHUNT_TOKEN"
	EnvAllowedOrigins = "OFFHUNT_ALLOWED_ORIGINS"
	EnvMaxBodyBytes   = "OFFHUNT_MAX_BODY_BYTES"
	EnvMaxSpoolBytes  = "OFFHUNT_MAX_SPOOL_BYTES"
	EnvReportMemory   = "OFFHUNT_REPORT_MEMORY"
)

// Config is the Worker's configuration. The zero value serves with the
// default limits, no token and no CORS.
type Config struct {
	// Token, when not empty, is the bearer token that /api/* requires
	// (Authorization: Bearer TOKEN, or the form's token field placed
	// before its file).
	Token string
	// AllowedOrigins are the origins that may call the API from a
	// browser (CORS); empty turns CORS off. "*" allows any origin.
	AllowedOrigins []string
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxDecodedBytes bounds a gzip body inflated; 0 means
	// DefaultMaxDecodedBytes.
	MaxDecodedBytes int64
	// MaxSpoolBytes bounds the copy kept between passes over the inputs;
	// 0 means DefaultMaxSpoolBytes.
	MaxSpoolBytes int64
	// RawSpoolBytes is the largest body whose copy is kept as it is, not
	// deflated; 0 means DefaultRawSpoolBytes, and it is at most
	// MaxSpoolBytes.
	RawSpoolBytes int64
	// Clock gives the wall clock (the default now); nil means time.Now.
	Clock func() time.Time
	// Inflate, when set, decompresses a gzip body (Content-Encoding:
	// gzip) in place of Go's compress/gzip: the Worker's main passes the
	// JS runtime's DecompressionStream, native code, which inflates many
	// times faster than Go compiled to wasm. It is called once per pass
	// over the body, with the body from its start. Should its reader
	// fail, the pass goes on with compress/gzip, whose answer (the data,
	// or the error) is the one that counts.
	Inflate func(gz io.Reader) (io.ReadCloser, error)
	// InflateChunk, when set, inflates the chunks of a spool that keeps
	// its copy deflated (raw DEFLATE, as compress/flate writes it) in
	// place of compress/flate, for the passes after the first: the
	// Worker's main passes DecompressionStream("deflate-raw"). It fills
	// dst from src and returns the bytes written; when it fails, or
	// writes fewer than dst holds, compress/flate inflates the chunk.
	InflateChunk func(dst, src []byte) (int, error)
	// NewDigest, when set, computes the SHA-256 of the inputs' reports
	// (detect.Options.NewDigest): the runtime's own is faster than Go's
	// in WebAssembly.
	NewDigest func() hash.Hash
	// ReportMemory adds the Offhunt-Go-Memory header to every answer: the
	// bytes the Go runtime has taken (in a Worker, the wasm memory, which
	// never shrinks, so its peak). For measuring, not for production.
	ReportMemory bool
}

// ConfigFromEnv reads the configuration from environment variables (Worker
// vars and secrets): OFFHUNT_TOKEN, OFFHUNT_ALLOWED_ORIGINS (origins
// separated by commas or spaces), OFFHUNT_MAX_BODY_BYTES and
// OFFHUNT_MAX_SPOOL_BYTES (positive integers), OFFHUNT_REPORT_MEMORY (1).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{Token: getenv(EnvToken), ReportMemory: getenv(EnvReportMemory) == "1"}
	for _, o := range strings.FieldsFunc(getenv(EnvAllowedOrigins), func(r rune) bool { return r == ',' || r == ' ' }) {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, strings.TrimRight(o, "/"))
	}
	for _, v := range []struct {
		name string
		dst  *int64
	}{{EnvMaxBodyBytes, &cfg.MaxBodyBytes}, {EnvMaxSpoolBytes, &cfg.MaxSpoolBytes}} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("%s=%q: want a positive number of bytes", v.name, s)
		}
		*v.dst = n
	}
	return cfg, nil
}

func (c *Config) fill() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxDecodedBytes <= 0 {
		c.MaxDecodedBytes = DefaultMaxDecodedBytes
	}
	if c.MaxSpoolBytes <= 0 {
		c.MaxSpoolBytes = DefaultMaxSpoolBytes
	}
	if c.RawSpoolBytes <= 0 {
		c.RawSpoolBytes = DefaultRawSpoolBytes
	}
	c.RawSpoolBytes = min(c.RawSpoolBytes, c.MaxSpoolBytes)
	if c.Clock == nil {
		c.Clock = time.Now
	}
}

// Handler serves the Worker's routes (see the package comment).
type Handler struct {
	cfg       Config
	tokenHash [sha256.Size]byte
	configErr error
}

// New returns the Worker's handler.
func New(cfg Config) *Handler {
	cfg.fill()
	h := &Handler{cfg: cfg}
	if cfg.Token != "" {
		h.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	return h
}

// Misconfigured returns a handler that answers every request with a 500
// naming the configuration error (a setting, never request data), for a
// Worker whose variables do not parse.
func Misconfigured(err error) http.Handler {
	return &Handler{configErr: err}
}

// route is one path: the methods it takes and whether the token guards it.
type route struct {
	methods []string
	guarded bool
	serve   func(h *Handler, w http.ResponseWriter, r *http.Request)
}

var routes = map[string]route{
	"/":          {methods: []string{http.MethodGet, http.MethodHead}, serve: (*Handler).serveForm},
	"/healthz":   {methods: []string{http.MethodGet, http.MethodHead}, serve: (*Handler).serveHealth},
	"/api/rules": {methods: []string{http.MethodGet, http.MethodHead}, guarded: true, serve: (*Handler).serveRules},
	"/api/scan":  {methods: []string{http.MethodPost}, guarded: true, serve: (*Handler).serveScan},
	"/api/query": {methods: []string{http.MethodPost}, guarded: true, serve: (*Handler).serveQuery},
}

// ServeHTTP answers one request. Every answer carries Cache-Control:
// no-store and a Content-Security-Policy; nothing of a request is logged.
// A panic becomes a 500 with a generic message: nothing of the request or
// the panic is echoed.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Security-Policy", apiCSP)
	sw := &statusWriter{ResponseWriter: w, reportMemory: h.cfg.ReportMemory}
	defer func() {
		if p := recover(); p != nil {
			if !sw.wrote {
				writeJSONError(sw, internalError)
			}
		}
	}()
	if h.configErr != nil {
		writeJSONError(sw, errorf(http.StatusInternalServerError, codeMisconfigured, "the Worker is misconfigured: %v", h.configErr))
		return
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		writeJSONError(sw, errorf(http.StatusNotFound, codeNotFound, "no such path; the routes are GET /, POST /api/scan, POST /api/query, GET /api/rules and GET /healthz"))
		return
	}
	cors := h.cors(sw, r)
	if r.Method == http.MethodOptions && cors {
		hdr.Set("Access-Control-Allow-Methods", strings.Join(rt.methods, ", "))
		hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Encoding")
		hdr.Set("Access-Control-Max-Age", "600")
		sw.WriteHeader(http.StatusNoContent)
		return
	}
	if !allowed(rt.methods, r.Method) {
		hdr.Set("Allow", strings.Join(rt.methods, ", "))
		writeJSONError(sw, errorf(http.StatusMethodNotAllowed, codeMethod, "%s takes %s, not %s", r.URL.Path, strings.Join(rt.methods, " or "), r.Method))
		return
	}
	rt.serve(h, sw, r)
}

func allowed(methods []string, m string) bool {
	for _, a := range methods {
		if a == m {
			return true
		}
	}
	return false
}

// cors adds the CORS headers when the request's origin is allowed, and
// reports whether it is. With no allowed origins, CORS stays off and a
// browser refuses cross-origin answers.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(h.cfg.AllowedOrigins) == 0 {
		return false
	}
	w.Header().Add("Vary", "Origin")
	for _, o := range h.cfg.AllowedOrigins {
		if o == "*" || o == origin {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", "Offhunt-Notice")
			return true
		}
	}
	return false
}

// authHeader checks the Authorization header against the token. It
// reports whether the request is authorised (always, with no token), and
// whether it sent a header at all.
func (h *Handler) authHeader(r *http.Request) (ok, sent bool) {
	if h.cfg.Token == "" {
		return true, false
	}
	v := r.Header.Get("Authorization")
	if v == "" {
		return false, false
	}
	scheme, tok, found := strings.Cut(v, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return false, true
	}
	return h.tokenMatches(strings.TrimSpace(tok)), true
}

// tokenMatches compares a token with the configured one in constant time:
// both are hashed first, so that not even the length leaks.
func (h *Handler) tokenMatches(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], h.tokenHash[:]) == 1
}

func unauthorized() *apiError {
	return errorf(http.StatusUnauthorized, codeUnauthorized, "this Worker needs a token: send Authorization: Bearer TOKEN")
}

func (h *Handler) serveHealth(w http.ResponseWriter, r *http.Request) {
	jw := jwriter.Writer{}
	jw.RawString(`{"status":"ok","engine":`)
	jw.String("offhunt " + detect.Version)
	jw.RawString("}\n")
	writeJSON(w, http.StatusOK, jw.Buffer.BuildBytes())
}

// statusWriter remembers whether the answer has started, so that a panic
// after that is not answered twice.
type statusWriter struct {
	http.ResponseWriter
	wrote        bool
	reportMemory bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote && w.reportMemory {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.Header().Set("Offhunt-Go-Memory", strconv.FormatUint(m.Sys, 10))
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// writeJSON writes a JSON answer.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSONError writes {"error":{"code","message","line","col"}}.
func writeJSONError(w http.ResponseWriter, e *apiError) {
	jw := jwriter.Writer{}
	jw.RawString(`{"error":{"code":`)
	jw.String(e.Code)
	jw.RawString(`,"message":`)
	jw.String(e.Message)
	if e.Line > 0 {
		jw.RawString(`,"line":`)
		jw.Int(e.Line)
	}
	if e.Col > 0 {
		jw.RawString(`,"col":`)
		jw.Int(e.Col)
	}
	jw.RawString("}}\n")
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="offhunt"`)
	}
	writeJSON(w, e.Status, jw.Buffer.BuildBytes())
}
