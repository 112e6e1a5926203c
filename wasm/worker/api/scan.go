package api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/mailru/easyjson"
	"github.com/mailru/easyjson/jwriter"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/output"
	"offhunt/detect/rules"
)

var (
	scanFields  = fieldSet{"file": true, "query": true, "rules": true, "now": true, "dedupe": true, "format": true, "token": true}
	queryFields = fieldSet{"file": true, "query": true, "now": true, "dedupe": true, "token": true}
)

// queryRuleFile names the rule made of a scan's query, in errors.
const queryRuleFile = "query"

// queryRuleHeader makes a scan's query a rule: its rows become findings.
const queryRuleHeader = "// id: query\n// title: Query from the request\n// severity: informational\n"

// serveScan answers POST /api/scan: the findings JSON, the same bytes as
// `offhunt scan --format json` for the same input and options, or, for a
// form post from a browser, the findings page.
func (h *Handler) serveScan(w http.ResponseWriter, r *http.Request) {
	req := h.newRequest(r)
	p, e := req.readParams(scanFields)
	if e != nil {
		req.fail(w, e)
		return
	}
	rs, e := req.ruleSet(p)
	if e != nil {
		req.fail(w, e)
		return
	}
	f, err := detect.Scan(r.Context(), p.inputs, detect.ScanOptions{
		Options: detect.Options{Now: p.now, Dedupe: p.dedupe, Clock: h.cfg.Clock, NewDigest: h.cfg.NewDigest},
		Rules:   rs,
	})
	if err != nil {
		req.fail(w, classify(err, req))
		return
	}
	if e := req.afterRun(p); e != nil {
		req.fail(w, e)
		return
	}
	if req.html {
		writeFindingsPage(w, f)
		return
	}
	body, err := easyjson.Marshal(f)
	if err != nil {
		req.fail(w, internalError)
		return
	}
	writeJSON(w, http.StatusOK, append(body, '\n'))
}

// ruleSet resolves the rules field and the query into the rules to run:
// nil (the built-in pack, as the CLI's default) when nothing else is
// asked for.
func (req *request) ruleSet(p *params) ([]*rules.Rule, *apiError) {
	// No rules field means the pack, as the CLI's default; rule files
	// alone replace it, as --rules PATH does.
	builtin, sawBuiltin, none := len(p.rules) == 0, false, false
	var custom []*rules.Rule
	for _, c := range p.rules {
		switch strings.TrimSpace(c.text) {
		case "builtin":
			builtin, sawBuiltin = true, true
		case "none":
			none = true
		default:
			r, err := rules.Parse(inputName(c.name, "rules"), c.text)
			if err != nil {
				return nil, classify(err, req)
			}
			custom = append(custom, r)
		}
	}
	if none && sawBuiltin {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "rules: builtin and none contradict each other")
	}
	if p.hasQuery {
		r, err := req.queryRule(p.query)
		if err != nil {
			return nil, classify(err, req)
		}
		custom = append(custom, r)
	}
	switch {
	case !builtin && len(custom) == 0:
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "nothing to run: with rules=none, give a query or a rule file")
	case builtin && len(custom) == 0:
		return nil, nil
	}
	var out []*rules.Rule
	if builtin {
		bs, err := rules.Builtin()
		if err != nil {
			return nil, internalError
		}
		out = append(out, bs...)
	}
	out = append(out, custom...)
	if err := rules.CheckUnique(out); err != nil {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	return out, nil
}

// queryRule makes a rule of a scan's query. A query that carries its own
// rule header (// id:, // title:, // severity:) is read as a rule file,
// and its header's errors are reported as such. Any
// other gets the Worker's header; its own leading comment lines are
// blanked, so that the rule reader does not take them for header lines,
// and its errors' lines are those of the query as posted.
func (req *request) queryRule(q string) (*rules.Rule, error) {
	if strings.Contains(q, "// id:") || strings.Contains(q, "//id:") {
		return rules.Parse(queryRuleFile, q)
	}
	lines := strings.Split(q, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "//") {
			break
		}
		lines[i] = ""
	}
	req.queryHeaderLines = strings.Count(queryRuleHeader, "\n")
	return rules.Parse(queryRuleFile, queryRuleHeader+strings.Join(lines, "\n"))
}

// serveQuery answers POST /api/query: the query's result tables in the
// shape of the Log Analytics query API, as `offhunt query --format json`
// prints them. A notice that a time filter removed every row goes in the
// Offhunt-Notice header.
func (h *Handler) serveQuery(w http.ResponseWriter, r *http.Request) {
	req := h.newRequest(r)
	req.html = false
	p, e := req.readParams(queryFields)
	if e != nil {
		req.fail(w, e)
		return
	}
	req.html = false
	if !p.hasQuery {
		req.fail(w, errorf(http.StatusBadRequest, codeBadRequest, "no query: send the KQL in the field \"query\" (or the URL parameter query with a raw body)"))
		return
	}
	res, err := detect.Query(r.Context(), p.query, p.inputs, detect.Options{Now: p.now, Dedupe: p.dedupe, Clock: h.cfg.Clock, NewDigest: h.cfg.NewDigest})
	if err != nil {
		req.fail(w, classify(err, req))
		return
	}
	if e := req.afterRun(p); e != nil {
		req.fail(w, e)
		return
	}
	var buf bytes.Buffer
	tables := make([]*data.Table, 0, len(res.Results))
	for _, rr := range res.Results {
		tables = append(tables, rr.Table)
	}
	if err := output.WriteJSON(&buf, tables); err != nil {
		req.fail(w, internalError)
		return
	}
	if res.TimeNotice != "" {
		w.Header().Set("Offhunt-Notice", strings.ToValidUTF8(strings.Map(noControl, res.TimeNotice), "?"))
	}
	writeJSON(w, http.StatusOK, buf.Bytes())
}

func noControl(r rune) rune {
	if r < 0x20 || r == 0x7f || r > 0x7e {
		return '?'
	}
	return r
}

// serveRules answers GET /api/rules: the built-in pack's metadata and
// queries.
func (h *Handler) serveRules(w http.ResponseWriter, r *http.Request) {
	if ok, _ := h.authHeader(r); !ok {
		writeJSONError(w, unauthorized())
		return
	}
	rs, err := rules.Builtin()
	if err != nil {
		writeJSONError(w, internalError)
		return
	}
	jw := jwriter.Writer{}
	jw.RawString(`{"engine":`)
	jw.String("offhunt " + detect.Version)
	jw.RawString(`,"rules":[`)
	for i, r := range rs {
		if i > 0 {
			jw.RawByte(',')
		}
		field := func(name, v string, first bool) {
			if !first {
				jw.RawByte(',')
			}
			jw.String(name)
			jw.RawByte(':')
			jw.String(v)
		}
		list := func(name string, vs []string) {
			jw.RawByte(',')
			jw.String(name)
			jw.RawString(":[")
			for j, v := range vs {
				if j > 0 {
					jw.RawByte(',')
				}
				jw.String(v)
			}
			jw.RawByte(']')
		}
		jw.RawByte('{')
		field("id", r.ID, true)
		field("title", r.Title, false)
		field("severity", r.Severity, false)
		list("mitre", r.Mitre)
		field("author", r.Author, false)
		field("released", r.Released, false)
		field("description", r.Description, false)
		field("actions", r.Actions, false)
		field("falsePositives", r.FalsePositives, false)
		list("references", r.References)
		field("file", r.File, false)
		field("query", r.Query, false)
		jw.RawByte('}')
	}
	jw.RawString("]}\n")
	writeJSON(w, http.StatusOK, jw.Buffer.BuildBytes())
}

// afterRun checks a run that succeeded: a limit passed or bytes not kept
// mean that some reader saw less than the whole input, whatever it made of
// that, so the answer would not be the input's; and a streamed file must
// have been the form's last part.
func (req *request) afterRun(p *params) *apiError {
	if req.tooLarge() != nil || req.lostBytes() {
		return classify(errNotKept, req)
	}
	return p.finish(req)
}

// fail writes an error answer: a page for a browser's form post, JSON
// otherwise.
func (req *request) fail(w http.ResponseWriter, e *apiError) {
	if req.html {
		writeErrorPage(w, e)
		return
	}
	writeJSONError(w, e)
}
