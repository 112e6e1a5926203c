//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"syscall/js"

	"github.com/mailru/easyjson"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/ioc"
	"offhunt/detect/output"
	"offhunt/detect/rules"
)

// last holds the newest scan and query results, for the exports the page
// asks for afterwards (CSV is written here, by the core's writer, so that
// its formula neutralisation is the CLI's). A cancelled run replaces the
// whole worker, and these with it.
var last struct {
	findings *detect.Findings
	query    *detect.QueryResult
}

// handleRules answers {type: "rules"}: the built-in pack's metadata and KQL.
func handleRules(js.Value, *reporter) (map[string]any, error) {
	rs, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	list := make([]any, len(rs))
	for i, r := range rs {
		list[i] = ruleValue(r)
	}
	return map[string]any{"rules": list, "version": detect.Version}, nil
}

// handleParseRules answers {type: "parseRules", files: [{name, text}]}:
// each user rule file parsed, or its error at file:line:col.
func handleParseRules(msg js.Value, _ *reporter) (map[string]any, error) {
	files := msg.Get("files")
	out := make([]any, 0, lengthOf(files))
	for i := range lengthOf(files) {
		f := files.Index(i)
		name, text := stringField(f, "name"), stringField(f, "text")
		r, err := rules.Parse(name, text)
		if err != nil {
			out = append(out, map[string]any{"name": name, "error": errorValue(err)})
			continue
		}
		out = append(out, map[string]any{"name": name, "rule": ruleValue(r)})
	}
	return map[string]any{"files": out}, nil
}

func ruleValue(r *rules.Rule) map[string]any {
	return map[string]any{
		"id": r.ID, "title": r.Title, "severity": r.Severity,
		"mitre": strings2any(r.Mitre), "author": r.Author, "released": r.Released,
		"description": r.Description, "actions": r.Actions,
		"references": strings2any(r.References), "falsePositives": r.FalsePositives,
		"query": r.Query, "file": r.File, "queryLine": r.QueryLine,
	}
}

// handleScan answers {type: "scan", files: [{file, name}], now, dedupe,
// disabled: [rule ids], userRules: [{name, text}]} with the findings as the
// exact bytes of `offhunt scan --format json` (json) and the inputs that
// could not be read (rejected).
func handleScan(msg js.Value, rep *reporter) (map[string]any, error) {
	rs, err := selectRules(msg)
	if err != nil {
		return nil, err
	}
	inputs := readInputs(msg.Get("files"), rep)
	defer dropParked()
	opts := detect.ScanOptions{Options: options(msg, rep), Rules: rs, OnFinding: rep.finding}
	var f *detect.Findings
	runs := 0
	rejected, err := withoutBadInputs(inputs, func(in []detect.Input) error {
		if runs++; runs > 1 {
			rep.restartLive()
		}
		var err error
		f, err = detect.Scan(context.Background(), in, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.emit(true)
	b, err := FindingsJSON(f)
	if err != nil {
		return nil, err
	}
	last.findings = f
	notice := ""
	for _, n := range f.Notices {
		if strings.Contains(n, "time filter") {
			notice = n
			break
		}
	}
	return map[string]any{
		"json":       string(b),
		"rejected":   rejected,
		"timeNotice": notice,
	}, nil
}

// FindingsJSON is the page's findings download: the bytes that `offhunt
// scan --format json` prints for the same inputs and options (easyjson,
// then a newline).
func FindingsJSON(f *detect.Findings) ([]byte, error) {
	b, err := easyjson.Marshal(f)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// handleQuery answers {type: "query", query, files, now, dedupe} with the
// results in the Log Analytics shape of `offhunt query --format json`
// (json), each result's render hint, the time-filter notice and the input
// reports.
func handleQuery(msg js.Value, rep *reporter) (map[string]any, error) {
	query := stringField(msg, "query")
	inputs := readInputs(msg.Get("files"), rep)
	defer dropParked()
	opts := options(msg, rep)
	var res *detect.QueryResult
	rejected, err := withoutBadInputs(inputs, func(in []detect.Input) error {
		var err error
		res, err = detect.Query(context.Background(), query, in, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.emit(true)
	tables := make([]*data.Table, len(res.Results))
	renders := make([]any, len(res.Results))
	removed := make([]any, len(res.Results))
	for i, r := range res.Results {
		tables[i], renders[i], removed[i] = r.Table, r.Render, r.TimeFilterRemovedAll
	}
	var buf bytes.Buffer
	if err := output.WriteJSON(&buf, tables); err != nil {
		return nil, err
	}
	reports, err := json.Marshal(res.Inputs)
	if err != nil {
		return nil, err
	}
	last.query = res
	return map[string]any{
		"json":                 buf.String(),
		"now":                  res.Now.UTC().Format("2006-01-02T15:04:05.9999999Z07:00"),
		"render":               renders,
		"timeFilterRemovedAll": removed,
		"timeNotice":           res.TimeNotice,
		"inputs":               string(reports),
		"rejected":             rejected,
	}, nil
}

// handleExport answers {type: "export", what, ...} with {text}: CSV written
// by the core's writers (formulas neutralised). what is "findings-csv" (the
// last scan), "findings-json" (the last scan, as the CLI prints it),
// "ioc-defender" (the last scan's indicators as Defender's import CSV),
// "results-csv" with index (a table of the last query), or "table-csv"
// with columns and rows of strings given by the page (a bad-row list, say).
func handleExport(msg js.Value, _ *reporter) (map[string]any, error) {
	var t *data.Table
	switch what := stringField(msg, "what"); what {
	case "findings-csv":
		if last.findings == nil {
			return nil, errors.New("there are no findings to export: scan first")
		}
		t = findingsTable(last.findings)
	case "findings-json":
		if last.findings == nil {
			return nil, errors.New("there are no findings to export: scan first")
		}
		b, err := FindingsJSON(last.findings)
		if err != nil {
			return nil, err
		}
		return map[string]any{"text": string(b)}, nil
	case "ioc-defender":
		if last.findings == nil {
			return nil, errors.New("there are no findings to export: scan first")
		}
		indicators := ioc.FromFindings(last.findings)
		var buf bytes.Buffer
		if err := ioc.WriteDefenderCSV(&buf, indicators); err != nil {
			return nil, err
		}
		return map[string]any{"text": buf.String(), "count": len(indicators), "batch": ioc.DefenderBatch}, nil
	case "results-csv":
		if last.query == nil {
			return nil, errors.New("there are no results to export: run a query first")
		}
		i := msg.Get("index").Int()
		if i < 0 || i >= len(last.query.Results) {
			return nil, fmt.Errorf("there is no result %d", i)
		}
		t = last.query.Results[i].Table
	case "table-csv":
		t = &data.Table{}
		cols := msg.Get("columns")
		for i := range lengthOf(cols) {
			t.Columns = append(t.Columns, data.Column{Name: cols.Index(i).String(), Type: data.String})
		}
		rows := msg.Get("rows")
		for i := range lengthOf(rows) {
			src := rows.Index(i)
			row := make(data.Row, len(t.Columns))
			for j := range row {
				if v := src.Index(j); v.Type() == js.TypeString {
					row[j] = data.NewString(v.String())
				} else if v.Type() == js.TypeNumber {
					row[j] = data.NewLong(int64(v.Float()))
				}
			}
			t.Rows = append(t.Rows, row)
		}
	default:
		return nil, fmt.Errorf("unknown export %q", what)
	}
	var buf bytes.Buffer
	if err := output.WriteCSV(&buf, t); err != nil {
		return nil, err
	}
	return map[string]any{"text": buf.String()}, nil
}

// findingsTable is the findings as one row each, for CSV.
func findingsTable(f *detect.Findings) *data.Table {
	titles := map[string]string{}
	for _, r := range f.Rules {
		titles[r.ID] = r.Title
	}
	names := []string{"Time", "Severity", "RuleId", "RuleTitle", "Device", "Account", "FileName", "CommandLine", "Matched", "Input", "Line"}
	t := &data.Table{}
	for _, n := range names {
		typ := data.String
		if n == "Line" {
			typ = data.Long
		}
		t.Columns = append(t.Columns, data.Column{Name: n, Type: typ})
	}
	for _, fd := range f.Findings {
		var matched []string
		for _, m := range fd.Matches {
			matched = append(matched, m.Column+": "+m.Text)
		}
		t.Rows = append(t.Rows, data.Row{
			data.NewString(fd.Time), data.NewString(fd.Severity), data.NewString(fd.RuleID),
			data.NewString(titles[fd.RuleID]), data.NewString(fd.Device), data.NewString(fd.Account),
			data.NewString(fd.FileName), data.NewString(fd.CommandLine),
			data.NewString(strings.Join(matched, "; ")), data.NewString(fd.Input), data.NewLong(fd.Line),
		})
	}
	return t
}

// selectRules is the rule set of a scan: nil (the built-in pack, as the
// CLI's default) unless the page switched rules off or added its own.
func selectRules(msg js.Value) ([]*rules.Rule, error) {
	disabled := map[string]bool{}
	d := msg.Get("disabled")
	for i := range lengthOf(d) {
		disabled[d.Index(i).String()] = true
	}
	user := msg.Get("userRules")
	if len(disabled) == 0 && lengthOf(user) == 0 {
		return nil, nil
	}
	builtin, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	rs := []*rules.Rule{}
	for _, r := range builtin {
		if !disabled[r.ID] {
			rs = append(rs, r)
		}
	}
	for i := range lengthOf(user) {
		u := user.Index(i)
		r, err := rules.Parse(stringField(u, "name"), stringField(u, "text"))
		if err != nil {
			return nil, err
		}
		if !disabled[r.ID] {
			rs = append(rs, r)
		}
	}
	return rs, rules.CheckUnique(rs)
}

// options reads the run options the page chose.
func options(msg js.Value, rep *reporter) detect.Options {
	return detect.Options{
		Now:      stringField(msg, "now"),
		Dedupe:   msg.Get("dedupe").Truthy(),
		Progress: rep.facade,
	}
}

// readInputs turns the page's files into inputs that stream the files.
// Two files of one name (from two folders) keep apart by a suffix.
func readInputs(files js.Value, rep *reporter) []detect.Input {
	seen := map[string]int{}
	inputs := make([]detect.Input, 0, lengthOf(files))
	fileRuns++
	hashByPage := pageDigests()
	for i := range lengthOf(files) {
		f := files.Index(i)
		blob := f.Get("file")
		name := stringField(f, "name")
		if name == "" {
			name = stringField(blob, "name")
		}
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s (%d)", name, seen[name])
		}
		size := int64(blob.Get("size").Float())
		key := fmt.Sprintf("%d/%d", fileRuns, i)
		in := detect.Input{
			Name: name,
			Size: size,
			Open: func() (io.ReadCloser, error) {
				r, sameRead := openBlob(blob, key, size, func(read int64) { rep.readBytes(name, size, read) })
				if !sameRead {
					rep.opened(name, size)
				}
				return r, nil
			},
		}
		if hashByPage {
			in.FileDigest = func() hash.Hash { return &pageDigest{key: key, name: name} }
		}
		inputs = append(inputs, in)
	}
	return inputs
}

// fileRuns counts the runs that read files, so that the names files get
// on the page (blobReader.key) differ from run to run.
var fileRuns int

// withoutBadInputs runs run over the inputs; when it fails because of one
// input (the error names it), that input is set aside, reported, and the
// run repeated over the others, so that one bad file among good ones does
// not hide the good ones' findings.
func withoutBadInputs(inputs []detect.Input, run func([]detect.Input) error) ([]any, error) {
	rejected := []any{}
	for {
		err := run(inputs)
		if err == nil {
			return rejected, nil
		}
		i := blamedInput(inputs, err)
		if i < 0 || len(inputs) == 1 {
			return nil, err
		}
		rejected = append(rejected, map[string]any{"name": inputs[i].Name, "error": errorValue(err)})
		inputs = append(inputs[:i:i], inputs[i+1:]...)
	}
}

// blamedInput finds the input an error is about: the facade's input errors
// start with the input's name.
func blamedInput(inputs []detect.Input, err error) int {
	var ie *detect.InternalError
	if errors.As(err, &ie) {
		return -1
	}
	msg := err.Error()
	best := -1
	for i, in := range inputs {
		if strings.HasPrefix(msg, in.Name+":") && (best < 0 || len(in.Name) > len(inputs[best].Name)) {
			best = i
		}
	}
	return best
}
