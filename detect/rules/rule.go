// Package rules reads detection rules: .kql files whose header of
// `// key: value` lines carries the metadata, followed by one KQL query
// over a process-event table. Every row the query returns is a finding.
// Each rule stays valid Kusto, so it also runs unchanged in Defender or
// Sentinel. The built-in pack is embedded.
package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is one detection rule.
type Rule struct {
	ID             string
	Title          string
	Severity       string // high | medium | low | informational
	Mitre          []string
	Author         string
	Released       string
	Description    string
	Actions        string
	References     []string
	FalsePositives string
	// Query is the whole file text: the header lines are KQL comments, so
	// the file runs as it is.
	Query string
	// File is where the rule came from ("builtin:rclone-seed-copy-args.kql"
	// or a path), for error messages.
	File string
	// QueryLine is the 1-based line of the file where the query starts.
	QueryLine int
}

// Severities lists the allowed severities, most severe first.
var Severities = []string{"high", "medium", "low", "informational"}

// SeverityRank orders severities: 0 for high, up to 3 for informational.
func SeverityRank(s string) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}

// headerKeys are the keys a rule header may use.
var headerKeys = map[string]bool{
	"id": true, "title": true, "severity": true, "mitre": true, "author": true,
	"released": true, "description": true, "actions": true, "references": true,
	"falsepositives": true, "false-positives": true,
}

// FileError is an error in a rule file, at a line and column.
type FileError struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Parse reads a rule file. The header is the run of `// key: value` lines
// at the top (blank comment lines allowed); a key may continue on the next
// comment lines when they are indented. id, title and severity are required.
func Parse(file, text string) (*Rule, error) {
	r := &Rule{File: file, Query: text}
	lines := strings.Split(text, "\n")
	last := ""
	headerEnd := 0 // the last header line, 1-based
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if !strings.HasPrefix(trimmed, "//") {
			break
		}
		body := strings.TrimPrefix(trimmed, "//")
		if strings.TrimSpace(body) == "" {
			continue
		}
		key, value, ok := strings.Cut(body, ":")
		k := strings.ToLower(strings.TrimSpace(key))
		if !ok || strings.Contains(k, " ") || !headerKeys[k] {
			if last != "" && (strings.HasPrefix(body, "  ") || strings.HasPrefix(body, "\t")) {
				r.appendTo(last, strings.TrimSpace(body))
				headerEnd = i + 1
				continue
			}
			if !ok || strings.Contains(k, " ") {
				return nil, &FileError{File: file, Line: i + 1, Col: 1, Msg: fmt.Sprintf("expected a header line '// key: value', got %q", trimmed)}
			}
			col := strings.Index(line, "//") + 3 + len(body) - len(strings.TrimLeft(body, " \t"))
			return nil, &FileError{File: file, Line: i + 1, Col: col, Msg: fmt.Sprintf("unknown header key %q (keys: id, title, severity, mitre, author, released, description, actions, references, falsepositives)", strings.TrimSpace(key))}
		}
		last, headerEnd = k, i+1
		r.set(k, strings.TrimSpace(value))
	}
	r.QueryLine = i + 1
	switch {
	case r.ID == "":
		return nil, &FileError{File: file, Line: 1, Col: 1, Msg: "the header has no '// id:' line"}
	case r.Title == "":
		return nil, &FileError{File: file, Line: 1, Col: 1, Msg: "the header has no '// title:' line"}
	case r.Severity == "":
		return nil, &FileError{File: file, Line: 1, Col: 1, Msg: "the header has no '// severity:' line"}
	case SeverityRank(r.Severity) == len(Severities):
		return nil, &FileError{File: file, Line: r.headerLine("severity"), Col: 1, Msg: fmt.Sprintf("severity %q: use high, medium, low or informational", r.Severity)}
	}
	if strings.TrimSpace(strings.Join(lines[i:], "\n")) == "" {
		return nil, &FileError{File: file, Line: headerEnd + 1, Col: 1, Msg: "the rule has no query after its header"}
	}
	return r, nil
}

func (r *Rule) set(k, v string) {
	switch k {
	case "id":
		r.ID = v
	case "title":
		r.Title = v
	case "severity":
		r.Severity = strings.ToLower(v)
	case "mitre":
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				r.Mitre = append(r.Mitre, m)
			}
		}
	case "author":
		r.Author = v
	case "released":
		r.Released = v
	case "description":
		r.Description = v
	case "actions":
		r.Actions = v
	case "references":
		for _, ref := range strings.Fields(strings.ReplaceAll(v, ",", " ")) {
			r.References = append(r.References, ref)
		}
	case "falsepositives", "false-positives":
		r.FalsePositives = v
	}
}

func (r *Rule) appendTo(k, more string) {
	switch k {
	case "description":
		r.Description += " " + more
	case "actions":
		r.Actions += " " + more
	case "falsepositives", "false-positives":
		r.FalsePositives += " " + more
	case "references":
		r.set("references", more)
	case "mitre":
		r.set("mitre", more)
	case "title":
		r.Title += " " + more
	}
}

func (r *Rule) headerLine(key string) int {
	for i, l := range strings.Split(r.Query, "\n") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "//"))), key+":") {
			return i + 1
		}
	}
	return 1
}
