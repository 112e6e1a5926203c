package detect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/rules"
)

// Hidden provenance columns. Readers append them to every table they
// serve, so that a finding can name the input and line it came from; names
// that begin with "__" are reserved in Kusto, so no query can collide with
// them, and offhunt never shows them.
const (
	InputColumn = "__input"
	LineColumn  = "__line"
)

// ScanOptions are the options of a scan.
type ScanOptions struct {
	Options
	// Rules to run; nil runs the built-in pack.
	Rules []*rules.Rule
}

// Scan runs detection rules over the inputs and returns the findings.
func Scan(ctx context.Context, inputs []Input, opts ScanOptions) (f *Findings, err error) {
	defer recoverInto(&err)
	rs := opts.Rules
	if rs == nil {
		rs, err = rules.Builtin()
		if err != nil {
			return nil, err
		}
	}
	env, err := buildEnv(inputs)
	if err != nil {
		return nil, err
	}
	now, err := resolveNow(ctx, opts.Options, env)
	if err != nil {
		return nil, err
	}
	env.Now = data.TimeToTicks(now)
	f = &Findings{
		Engine: "offhunt " + Version,
		Now:    now.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Summary: Summary{
			ByRule: Counts{}, BySeverity: Counts{},
			Devices: []string{}, Accounts: []string{},
		},
		Findings: []Finding{},
		Inputs:   []InputReport{},
	}
	timeFiltered := false
	for _, r := range rs {
		f.Rules = append(f.Rules, RuleInfo{ID: r.ID, Title: r.Title, Severity: r.Severity, Mitre: nonNil(r.Mitre)})
		prog, err := kql.Compile(r.Query, env)
		if err != nil {
			if notice, skip := missingInput(r, err); skip {
				f.Notices = append(f.Notices, notice)
				continue
			}
			return nil, ruleError(r, err)
		}
		results, err := prog.Run(ctx)
		if err != nil {
			return nil, fmt.Errorf("rule %s (%s): %w", r.ID, r.File, err)
		}
		for _, res := range results {
			if res.TimeFilterRemovedAll {
				timeFiltered = true
			}
			for _, row := range res.Table.Rows {
				f.Findings = append(f.Findings, makeFinding(r, res.Table.Columns, row))
			}
		}
	}
	if timeFiltered && len(f.Findings) == 0 {
		tr, err := eventTimeRange(ctx, env.Tables)
		if err != nil {
			return nil, err
		}
		f.Notices = append(f.Notices, timeNotice(now, tr))
	}
	sortFindings(f.Findings)
	summarize(f)
	return f, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ruleError places a rule's query error at its file, line and column.
func ruleError(r *rules.Rule, err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		return &rules.FileError{File: r.File, Line: se.Line, Col: se.Col, Msg: se.Msg + hintSuffix(se.Hint)}
	}
	return fmt.Errorf("%s: %w", r.File, err)
}

func hintSuffix(h string) string {
	if h == "" {
		return ""
	}
	return " (" + h + ")"
}

// missingInput recognises a rule that cannot run because the inputs lack
// its table or a column: it is skipped with a notice, never a silent zero.
func missingInput(r *rules.Rule, err error) (string, bool) {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return "", false
	}
	switch {
	case strings.HasPrefix(se.Msg, "unknown table"), strings.HasPrefix(se.Msg, "the table '"):
		return fmt.Sprintf("rule %s skipped: %s", r.ID, se.Msg), true
	case strings.HasPrefix(se.Msg, "unknown column"):
		return fmt.Sprintf("rule %s skipped: the inputs lack a column it needs (%s)", r.ID, se.Msg), true
	}
	return "", false
}

// makeFinding turns a result row into a finding, taking the common fields
// from the columns that hold them when the rule kept them.
func makeFinding(r *rules.Rule, cols []data.Column, row data.Row) Finding {
	get := func(names ...string) data.Value {
		for _, n := range names {
			if i := data.ColumnIndex(cols, n); i >= 0 {
				return row[i]
			}
		}
		return data.Null
	}
	text := func(names ...string) string { return data.ToString(get(names...)) }
	fd := Finding{
		RuleID:      r.ID,
		Severity:    r.Severity,
		Device:      text("DeviceName", "Computer", "Device"),
		FileName:    text("FileName"),
		CommandLine: text("ProcessCommandLine", "CommandLine"),
		Input:       text(InputColumn),
		Matches:     []Match{},
	}
	if t := get("Timestamp", "TimeGenerated"); t.K == data.KDateTime {
		fd.Time = data.FormatDateTime(t.I)
		fd.ticks = t.I
	}
	acct := text("AccountName", "Account", "SubjectUserName")
	if dom := text("AccountDomain"); dom != "" && acct != "" && !strings.Contains(acct, `\`) {
		acct = dom + `\` + acct
	}
	fd.Account = acct
	if l := get(LineColumn); l.K == data.KLong || l.K == data.KInt {
		fd.Line = l.I
	}
	for i, c := range cols {
		if strings.HasPrefix(c.Name, "__") {
			continue
		}
		fd.Row.Columns = append(fd.Row.Columns, c.Name)
		fd.Row.Values = append(fd.Row.Values, row[i])
	}
	return fd
}

// sortFindings orders findings by time, then input and line, then rule, so
// that the output does not depend on the order rules ran in.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.ticks != b.ticks {
			return a.ticks < b.ticks
		}
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.RuleID < b.RuleID
	})
}

func summarize(f *Findings) {
	devices, accounts := map[string]bool{}, map[string]bool{}
	var first, last int64
	for _, fd := range f.Findings {
		f.Summary.ByRule[fd.RuleID]++
		f.Summary.BySeverity[fd.Severity]++
		if fd.Device != "" && !devices[fd.Device] {
			devices[fd.Device] = true
			f.Summary.Devices = append(f.Summary.Devices, fd.Device)
		}
		if fd.Account != "" && !accounts[fd.Account] {
			accounts[fd.Account] = true
			f.Summary.Accounts = append(f.Summary.Accounts, fd.Account)
		}
		if fd.Time != "" {
			if f.Summary.First == "" || fd.ticks < first {
				f.Summary.First, first = fd.Time, fd.ticks
			}
			if f.Summary.Last == "" || fd.ticks > last {
				f.Summary.Last, last = fd.Time, fd.ticks
			}
		}
	}
	sort.Strings(f.Summary.Devices)
	sort.Strings(f.Summary.Accounts)
}
