package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/rules"
)

// The pages are written by hand, not executed as html/template
// templates: template execution calls methods by name through reflect,
// which makes the linker keep every exported method of every type: 5 MB
// of wasm, 1 MB gzipped, and the Worker must fit Cloudflare's 3 MB (the
// core alone is 2.8 MB). Even html/template's escaping function alone
// costs 46 kB gzipped, for the same escaping as html.EscapeString. So
// the rule here is simple, and TestPagesEscape holds the file to it:
// markup comes only from string constants (lit), and every value goes
// through esc, which escapes & < > ' " (and replaces NUL and invalid
// UTF-8). Values land only in text and in double-quoted attributes, where
// that escaping is the right one; none goes into a URL, a script or a
// style.

//go:embed style.css
var pageCSS string

// apiCSP is the policy of the JSON answers: they load nothing and may not
// be framed.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// pageCSP is the policy of the pages: no script at all, nothing loaded
// from anywhere, forms post only to this Worker, and the one inline style
// is allowed by its hash. It is computed on first use: a Worker starts a
// new Go instance per request, so nothing runs at start-up that the
// request may not need.
var pageCSP = sync.OnceValue(func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
})

// maxPageFindings bounds the findings the page shows; the JSON has all.
const maxPageFindings = 1000

// page builds an HTML document.
type page struct{ bytes.Buffer }

// lit writes markup; only string constants are passed to it.
func (p *page) lit(s string) { p.WriteString(s) }

// esc writes a value escaped for text and for double-quoted attributes.
func (p *page) esc(s string) {
	p.WriteString(html.EscapeString(strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")))
}

func (p *page) num(n int64) { p.WriteString(strconv.FormatInt(n, 10)) }

func (p *page) head(title string) {
	p.lit("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"referrer\" content=\"no-referrer\">\n<title>")
	p.esc(title)
	p.lit("</title>\n<style>")
	p.lit(pageCSS)
	p.lit("</style>\n</head>\n<body>\n<main>\n")
}

func (p *page) foot() { p.lit("</main>\n</body>\n</html>\n") }

// writePage sends a page with the pages' headers.
func writePage(w http.ResponseWriter, status int, p *page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP())
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Length", strconv.Itoa(p.Len()))
	w.WriteHeader(status)
	w.Write(p.Bytes())
}

// serveForm answers GET /: the form, which works without JavaScript. The
// file comes last, so that a large file streams (see readMultipart).
func (h *Handler) serveForm(w http.ResponseWriter, r *http.Request) {
	p := &page{}
	p.head("offhunt: scan an export")
	p.lit(`<h1>offhunt</h1>
<p>Checks an export of process events (Defender XDR DeviceProcessEvents, Sentinel, Sysmon, Windows 4688: CSV, JSON or NDJSON) for data exfiltration with the built-in rules and, if you like, your own KQL. The file is read as it arrives; nothing of it is stored, cached or logged.</p>
<form method="post" action="/api/scan" enctype="multipart/form-data" accept-charset="utf-8">
<input type="hidden" name="format" value="html">
`)
	if h.cfg.Token != "" {
		p.lit(`<label for="token">Access token
<input id="token" type="password" name="token" autocomplete="off" required></label>
`)
	}
	p.lit(`<label for="rules">Rules
<select id="rules" name="rules">
<option value="builtin" selected>The built-in rule pack</option>
<option value="none">Only my query</option>
</select></label>
<label for="query">KQL <small>optional: every row it returns becomes a finding</small>
<textarea id="query" name="query" rows="6" spellcheck="false" placeholder="DeviceProcessEvents&#10;| where FileName =~ &#34;rclone.exe&#34;"></textarea></label>
<label for="now">Now <small>for ago() and now(): latest (the newest event in the file), an RFC 3339 time such as 2025-09-07T12:00:00Z, or empty for the current time</small>
<input id="now" type="text" name="now" value="latest" autocomplete="off" spellcheck="false"></label>
<label class="check"><input type="checkbox" name="dedupe" value="true"> Drop exact duplicate events across files</label>
<label for="file">Export <small>one or more files, at most `)
	p.esc(formatBytes(h.cfg.MaxBodyBytes))
	p.lit(` in all</small>
<input id="file" type="file" name="file" required multiple></label>
<button type="submit">Scan</button>
</form>
<h2>For programs</h2>
<p><code>POST /api/scan</code> with the same fields, or with the export as the body (<code>text/csv</code>, <code>application/json</code>, <code>application/x-ndjson</code>, optionally <code>Content-Encoding: gzip</code>), answers the findings as JSON. <code>POST /api/query</code> runs KQL and answers the Log Analytics result shape. <code>GET /api/rules</code> lists the rules.</p>
`)
	p.foot()
	writePage(w, http.StatusOK, p)
}

// writeErrorPage answers a browser's form post that failed.
func writeErrorPage(w http.ResponseWriter, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="offhunt"`)
	}
	p := &page{}
	p.head("offhunt: error")
	p.lit("<h1>The scan did not run</h1>\n<p class=\"error\" id=\"error\">")
	if e.Line > 0 {
		p.lit("line ")
		p.num(int64(e.Line))
		if e.Col > 0 {
			p.lit(", column ")
			p.num(int64(e.Col))
		}
		p.lit(": ")
	}
	p.esc(e.Message)
	p.lit("</p>\n<p>")
	p.num(int64(e.Status))
	p.lit(" ")
	p.esc(http.StatusText(e.Status))
	p.lit(" · <a href=\"/\">Back to the form</a></p>\n")
	p.foot()
	writePage(w, e.Status, p)
}

// writeFindingsPage renders the findings: notices, a summary, the rules,
// the inputs, and a table with the matched text marked.
func writeFindingsPage(w http.ResponseWriter, f *detect.Findings) {
	p := &page{}
	p.head("offhunt: findings")
	n := len(f.Findings)
	p.lit("<h1 id=\"count\">")
	p.num(int64(n))
	if n == 1 {
		p.lit(" finding</h1>\n")
	} else {
		p.lit(" findings</h1>\n")
	}
	p.lit("<p><a href=\"/\">Scan another export</a> · ")
	p.esc(f.Engine)
	p.lit(" · now ")
	p.esc(f.Now)
	p.lit("</p>\n")
	for _, s := range f.Notices {
		p.lit("<p class=\"notice\">")
		p.esc(s)
		p.lit("</p>\n")
	}

	p.lit("<h2>Summary</h2>\n<dl>\n")
	for _, s := range rules.Severities {
		p.lit("<dt class=\"sev sev-")
		p.esc(s)
		p.lit("\">")
		p.esc(s)
		p.lit("</dt><dd>")
		p.num(int64(f.Summary.BySeverity[s]))
		p.lit("</dd>\n")
	}
	if f.Summary.First != "" {
		p.lit("<dt>Time</dt><dd>")
		p.esc(f.Summary.First)
		p.lit(" to ")
		p.esc(f.Summary.Last)
		p.lit("</dd>\n")
	}
	p.lit("<dt>Devices</dt><dd>")
	p.list(f.Summary.Devices)
	p.lit("</dd>\n<dt>Accounts</dt><dd>")
	p.list(f.Summary.Accounts)
	p.lit("</dd>\n</dl>\n")

	p.lit("<table id=\"rules\">\n<thead><tr><th>Rule</th><th>Severity</th><th>MITRE</th><th class=\"num\">Findings</th></tr></thead>\n<tbody>\n")
	titles := map[string]string{}
	for _, r := range f.Rules {
		titles[r.ID] = r.Title
		p.lit("<tr><td>")
		p.esc(r.Title)
		p.lit(" <small>")
		p.esc(r.ID)
		p.lit("</small></td><td class=\"sev sev-")
		p.esc(r.Severity)
		p.lit("\">")
		p.esc(r.Severity)
		p.lit("</td><td>")
		p.esc(strings.Join(r.Mitre, ", "))
		p.lit("</td><td class=\"num\">")
		p.num(int64(f.Summary.ByRule[r.ID]))
		p.lit("</td></tr>\n")
	}
	p.lit("</tbody>\n</table>\n")

	p.lit("<h2>Inputs</h2>\n<table id=\"inputs\">\n<thead><tr><th>File</th><th>Format</th><th>Table</th><th class=\"num\">Rows</th><th class=\"num\">Bad rows</th><th class=\"num\">Duplicates</th><th>From</th><th>To</th></tr></thead>\n<tbody>\n")
	for _, in := range f.Inputs {
		p.lit("<tr><td>")
		p.esc(in.Name)
		p.lit("</td><td>")
		p.esc(in.Format)
		p.lit("</td><td>")
		p.esc(in.Schema)
		p.lit("</td><td class=\"num\">")
		p.num(in.Rows)
		p.lit("</td><td class=\"num\">")
		p.num(in.BadRows)
		p.lit("</td><td class=\"num\">")
		p.num(in.Duplicates)
		p.lit("</td><td>")
		p.esc(in.First)
		p.lit("</td><td>")
		p.esc(in.Last)
		p.lit("</td></tr>\n")
		for _, b := range in.BadRowSamples {
			p.lit("<tr><td colspan=\"8\"><small>line ")
			p.num(b.Line)
			p.lit(": ")
			p.esc(b.Reason)
			p.lit("</small></td></tr>\n")
		}
		for _, s := range in.Notices {
			p.lit("<tr><td colspan=\"8\"><small>")
			p.esc(s)
			p.lit("</small></td></tr>\n")
		}
	}
	p.lit("</tbody>\n</table>\n")

	if n > 0 {
		p.lit("<h2>Findings</h2>\n<table id=\"findings\">\n<thead><tr><th>Time</th><th>Severity</th><th>Rule</th><th>Device</th><th>Account</th><th>File</th><th>Command line</th><th>Where</th></tr></thead>\n<tbody>\n")
		for i := range f.Findings {
			if i == maxPageFindings {
				break
			}
			p.finding(&f.Findings[i], titles)
		}
		p.lit("</tbody>\n</table>\n")
		if n > maxPageFindings {
			p.lit("<p class=\"notice\">")
			p.num(int64(n - maxPageFindings))
			p.lit(" more findings are not shown here; the JSON answer (POST /api/scan without format=html) has all of them.</p>\n")
		}
	}
	p.foot()
	writePage(w, http.StatusOK, p)
}

func (p *page) list(vs []string) {
	if len(vs) == 0 {
		p.lit("none")
		return
	}
	p.esc(strings.Join(vs, ", "))
}

// finding writes one row, marking the matches in the file name and the
// command line, and listing matches in other columns below them.
func (p *page) finding(fd *detect.Finding, titles map[string]string) {
	byCol := map[string][]detect.Match{}
	var cols []string
	for _, m := range fd.Matches {
		if _, ok := byCol[m.Column]; !ok {
			cols = append(cols, m.Column)
		}
		byCol[m.Column] = append(byCol[m.Column], m)
	}
	cmdCol := ""
	for _, c := range []string{"ProcessCommandLine", "CommandLine"} {
		if v, ok := rowValue(fd, c); ok && v == fd.CommandLine {
			cmdCol = c
			break
		}
	}
	rule := titles[fd.RuleID]
	if rule == "" {
		rule = fd.RuleID
	}
	p.lit("<tr class=\"finding\"><td>")
	p.esc(fd.Time)
	p.lit("</td><td class=\"sev sev-")
	p.esc(fd.Severity)
	p.lit("\">")
	p.esc(fd.Severity)
	p.lit("</td><td>")
	p.esc(rule)
	p.lit("</td><td>")
	p.esc(fd.Device)
	p.lit("</td><td>")
	p.esc(fd.Account)
	p.lit("</td><td>")
	p.marked(fd.FileName, byCol["FileName"])
	p.lit("</td><td class=\"cmd\">")
	p.marked(fd.CommandLine, byCol[cmdCol])
	for _, c := range cols {
		if c == "FileName" || c == cmdCol {
			continue
		}
		v, _ := rowValue(fd, c)
		p.lit("<br><small>")
		p.esc(c)
		p.lit(":</small> ")
		p.marked(v, byCol[c])
	}
	p.lit("</td><td>")
	p.esc(fd.Input)
	if fd.Line > 0 {
		p.lit(":")
		p.num(fd.Line)
	}
	p.lit("</td></tr>\n")
}

// marked writes s with the matched runs in <mark>.
func (p *page) marked(s string, ms []detect.Match) {
	for _, sg := range segments(s, ms) {
		if sg.Mark {
			p.lit("<mark>")
			p.esc(sg.Text)
			p.lit("</mark>")
		} else {
			p.esc(sg.Text)
		}
	}
}

// rowValue is a column of the finding's event as text.
func rowValue(fd *detect.Finding, col string) (string, bool) {
	for i, c := range fd.Row.Columns {
		if c == col && i < len(fd.Row.Values) {
			return data.ToString(fd.Row.Values[i]), true
		}
	}
	return "", false
}

// segment is a run of a value's text, marked when a rule matched it.
type segment struct {
	Text string
	Mark bool
}

// segments cuts s at the matches' byte offsets (clamped to s, merged where
// they overlap or touch) into plain and marked runs.
func segments(s string, ms []detect.Match) []segment {
	type span struct{ a, b int }
	var spans []span
	for _, m := range ms {
		a, b := max(m.Start, 0), min(m.End, len(s))
		if a < b {
			spans = append(spans, span{a, b})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.a <= merged[n-1].b {
			merged[n-1].b = max(merged[n-1].b, sp.b)
			continue
		}
		merged = append(merged, sp)
	}
	var out []segment
	add := func(t string, mark bool) {
		if t != "" {
			out = append(out, segment{Text: t, Mark: mark})
		}
	}
	pos := 0
	for _, sp := range merged {
		add(s[pos:sp.a], false)
		add(s[sp.a:sp.b], true)
		pos = sp.b
	}
	add(s[pos:], false)
	return out
}
