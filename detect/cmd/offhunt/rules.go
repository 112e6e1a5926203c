package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/rules"
)

// ruleJSON is a rule's metadata and query as `offhunt rules --format json`
// prints it.
type ruleJSON struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Severity       string   `json:"severity"`
	Mitre          []string `json:"mitre"`
	Author         string   `json:"author,omitempty"`
	Released       string   `json:"released,omitempty"`
	Description    string   `json:"description,omitempty"`
	FalsePositives string   `json:"falsepositives,omitempty"`
	Actions        string   `json:"actions,omitempty"`
	References     []string `json:"references"`
	File           string   `json:"file"`
	Query          string   `json:"query"`
}

// runRules is `offhunt rules` and `offhunt rules export`.
func runRules(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "export" {
		return runRulesExport(args[1:], stdout, stderr)
	}
	flags := flag.NewFlagSet("rules", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var format string
	var srcs ruleSources
	flags.StringVar(&format, "format", "table", "")
	flags.Var(&srcs, "rules", "")
	pos, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, rulesUsage)
		return exitOK
	}
	if err != nil {
		return failf(stderr, "%v\nRun 'offhunt help rules' for usage.", err)
	}
	if len(pos) > 0 {
		return failf(stderr, "unexpected argument %q: rules lists rules (--rules PATH) or exports them (rules export ...)", pos[0])
	}
	rs, err := loadRules(srcs)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	switch format {
	case "table":
		t := &data.Table{Columns: []data.Column{{Name: "id", Type: data.String}, {Name: "severity", Type: data.String},
			{Name: "mitre", Type: data.String}, {Name: "title", Type: data.String}}}
		for _, r := range rs {
			t.Rows = append(t.Rows, data.Row{data.NewString(r.ID), data.NewString(r.Severity),
				data.NewString(strings.Join(r.Mitre, ", ")), data.NewString(r.Title)})
		}
		w := bufio.NewWriter(stdout)
		section(w, fmt.Sprintf("%d rules", len(rs)), t)
		if err := w.Flush(); err != nil {
			return failf(stderr, "%v", err)
		}
		return exitOK
	case "json":
		out := make([]ruleJSON, len(rs))
		for i, r := range rs {
			out[i] = ruleJSON{ID: r.ID, Title: r.Title, Severity: r.Severity, Mitre: nonNil(r.Mitre), Author: r.Author,
				Released: r.Released, Description: r.Description, FalsePositives: r.FalsePositives, Actions: r.Actions,
				References: nonNil(r.References), File: r.File, Query: r.Query}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return failf(stderr, "%v", err)
		}
		return exitOK
	}
	return failf(stderr, "--format %q: use table or json", format)
}

// runRulesExport is `offhunt rules export --format sentinel DIR`: each rule
// becomes a Sentinel scheduled analytics rule (DIR/<id>.yaml).
func runRulesExport(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("rules export", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var format string
	var srcs ruleSources
	flags.StringVar(&format, "format", "", "")
	flags.Var(&srcs, "rules", "")
	pos, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, rulesUsage)
		return exitOK
	}
	if err != nil {
		return failf(stderr, "%v\nRun 'offhunt help rules' for usage.", err)
	}
	if format != "sentinel" {
		return failf(stderr, "rules export --format %q: the export format is sentinel (Microsoft Sentinel scheduled analytics rules)", format)
	}
	if len(pos) != 1 {
		return failf(stderr, "rules export needs one folder to write to: offhunt rules export --format sentinel DIR")
	}
	dir := pos[0]
	rs, err := loadRules(srcs)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failf(stderr, "%v", err)
	}
	for _, r := range rs {
		b, err := rules.SentinelYAML(r)
		if err != nil {
			return printError(stderr, err)
		}
		p := filepath.Join(dir, r.ID+".yaml")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return failf(stderr, "%v", err)
		}
		fmt.Fprintln(stdout, p)
	}
	return exitOK
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const rulesUsage = `Usage:
  offhunt rules [--rules builtin|PATH]... [--format table|json]
  offhunt rules export --format sentinel [--rules builtin|PATH]... DIR

rules lists the detection rules: the built-in rclone pack, or the rule
files given with --rules (a .kql file or a folder of them; repeatable). The
json format gives each rule's metadata and query.

rules export --format sentinel writes each rule to DIR/<id>.yaml as a
Microsoft Sentinel scheduled analytics rule (the layout of the
Azure-Sentinel repository's detections: every hour over the last hour,
MITRE tactics and techniques, entity mappings for the columns the query
returns), so that the same detections run where the data lives.

A rule file is a header of '// key: value' lines (id, title, severity,
mitre, author, released, description, falsepositives, actions, references)
and one KQL query; every row it returns is a finding.

Exit status: 0 success, 2 error.
`
