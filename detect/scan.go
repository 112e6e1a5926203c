package detect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

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
	// OnFinding, when set, is called with each finding as the rules find
	// it, while the inputs are still being read, so that a page can show
	// the first findings long before the last byte. It is called on the
	// scanning goroutine, in no particular order across rules; the
	// returned Findings hold the same findings, sorted.
	OnFinding func(Finding)
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
	env, set, err := buildEnv(inputs, opts.Options)
	if err != nil {
		return nil, err
	}
	// With now = the newest event, now is known only once the inputs are
	// read; rules are compiled first (against no particular now) and
	// those that never read it run before it is known (runScan).
	latest := opts.Now == "latest"
	var now time.Time
	setNow := nowSetter(ctx, opts.Options, set, env, &now)
	if !latest {
		if _, err := setNow(); err != nil {
			return nil, err
		}
	}
	f = &Findings{
		Engine: "offhunt " + Version,
		Summary: Summary{
			ByRule: Counts{}, BySeverity: Counts{},
			Devices: []string{}, Accounts: []string{},
		},
		Findings: []Finding{},
		Inputs:   []InputReport{},
	}
	for _, r := range rs {
		f.Rules = append(f.Rules, RuleInfo{ID: r.ID, Title: r.Title, Severity: r.Severity, Mitre: nonNil(r.Mitre)})
	}
	parts := tableParts(set)
	ran, progs, notices, err := compileRules(rs, env, parts, inputs, opts.Dedupe)
	if err != nil {
		return nil, err
	}
	f.Notices = append(f.Notices, notices...)
	all := make([][]*kql.Result, len(progs))
	errs := make([]error, len(progs))
	stream := findingStream(opts.OnFinding, ran)
	if !latest {
		if err := runRulesInto(ctx, progs, all, errs, nil, stream); err != nil {
			return nil, err
		}
	} else {
		// One pass runs every rule and fills the reports, which hold the
		// newest event; rules that read now record what they need and
		// finish once it is known (kql.ProgramSet.RunEachLateNow).
		if err := runRulesInto(ctx, progs, all, errs, setNow, stream); err != nil {
			return nil, err
		}
	}
	f.Now = now.UTC().Format("2006-01-02T15:04:05Z07:00")
	timeFiltered := false
	for i, r := range ran {
		if errs[i] != nil {
			return nil, fmt.Errorf("rule %s (%s): %w", r.ID, r.File, errs[i])
		}
		for _, res := range all[i] {
			if res.TimeFilterRemovedAll {
				timeFiltered = true
			}
			for _, row := range res.Table.Rows {
				fd := makeFinding(r, res.Table.Columns, row)
				fd.Matches = matches(progs[i], res.Table.Columns, row)
				f.Findings = append(f.Findings, fd)
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
	if f.Inputs, err = set.reports(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// compileRules compiles the rules that can run on these inputs; a rule
// whose table or columns the inputs lack is skipped with a notice.
func compileRules(rs []*rules.Rule, env *kql.Env, parts map[string][]tablePart, inputs []Input, dedupe bool) (ran []*rules.Rule, progs []*kql.Program, notices []string, err error) {
	for _, r := range rs {
		prog, err := kql.Compile(r.Query, env)
		if err != nil {
			if notice, skip := missingInput(r, err, inputs); skip {
				notices = append(notices, notice)
				continue
			}
			return nil, nil, nil, ruleError(r, err)
		}
		if renv, more := envFor(r, env, parts, dedupe); renv != env {
			notices = append(notices, more...)
			if prog, err = kql.Compile(r.Query, renv); err != nil {
				return nil, nil, nil, ruleError(r, err)
			}
		}
		ran, progs = append(ran, r), append(progs, prog)
	}
	return ran, progs, notices, nil
}

// findingStream turns the rows the rules produce into findings for
// onFinding, or is nil when there is no one to tell.
func findingStream(onFinding func(Finding), ran []*rules.Rule) func(i int, prog *kql.Program, cols []data.Column, row data.Row) {
	if onFinding == nil {
		return nil
	}
	return func(i int, prog *kql.Program, cols []data.Column, row data.Row) {
		fd := makeFinding(ran[i], cols, row)
		fd.Matches = matches(prog, cols, row)
		onFinding(fd)
	}
}

// onePass runs the rules of a scan together, reading each input once;
// tests turn it off to check that it changes no finding.
var onePass = true

// runRulesInto runs the programs, in one pass unless onePass is off, and
// stores each one's results and error at its index. With lateNow, now is
// learnt by the pass (RunEachLateNow) and progs gets the programs as they
// ran. stream, when set, hears each result row as it is produced.
func runRulesInto(ctx context.Context, progs []*kql.Program, all [][]*kql.Result, errs []error, lateNow func() (int64, error), stream func(i int, prog *kql.Program, cols []data.Column, row data.Row)) error {
	run := func(set *kql.ProgramSet, at []int) error {
		if stream != nil {
			// The program as it runs: one that reads a late now is
			// compiled again once now is known.
			set.Stream(func(k, _ int, cols []data.Column, row data.Row) { stream(at[k], set.Programs()[k], cols, row) })
		}
		var res [][]*kql.Result
		var es []error
		if lateNow != nil {
			var err error
			if res, es, err = set.RunEachLateNow(ctx, lateNow); err != nil {
				return err
			}
		} else {
			res, es = set.RunEach(ctx)
		}
		for k, i := range at {
			all[i], errs[i], progs[i] = res[k], es[k], set.Programs()[k]
		}
		return nil
	}
	if onePass {
		at := make([]int, len(progs))
		for i := range at {
			at[i] = i
		}
		return run(kql.NewProgramSet(progs...), at)
	}
	if len(progs) == 0 && lateNow != nil {
		_, err := lateNow() // no rule runs, but now is still the newest event
		return err
	}
	for i := range progs {
		if err := run(kql.NewProgramSet(progs[i]), []int{i}); err != nil {
			return err
		}
	}
	return nil
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
func missingInput(r *rules.Rule, err error, inputs []Input) (string, bool) {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return "", false
	}
	which := "the inputs lack"
	if len(inputs) == 1 {
		which = inputs[0].Name + " lacks"
	}
	switch {
	case isMissingTable(se):
		return fmt.Sprintf("rule %s skipped: %s", r.ID, se.Msg), true
	case isMissingColumn(se):
		return fmt.Sprintf("rule %s skipped: %s a column it needs (%s)", r.ID, which, se.Msg), true
	}
	return "", false
}

func isMissingTable(se *syntax.Error) bool {
	return strings.HasPrefix(se.Msg, "unknown table") || strings.HasPrefix(se.Msg, "the table '")
}

func isMissingColumn(se *syntax.Error) bool {
	return strings.HasPrefix(se.Msg, "unknown column")
}

// matches explains a finding: the spans of its values that the rule's own
// string predicates matched (kql.Program.Explain), with their text.
func matches(prog *kql.Program, cols []data.Column, row data.Row) []Match {
	out := []Match{}
	for _, sp := range prog.Explain(cols, row) {
		i := data.ColumnIndex(cols, sp.Column)
		if i < 0 || i >= len(row) {
			continue
		}
		text := row[i].S
		if row[i].K != data.KString {
			text = data.ToString(row[i])
		}
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			continue
		}
		out = append(out, Match{Column: sp.Column, Start: sp.Start, End: sp.End, Text: text[sp.Start:sp.End]})
	}
	return out
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

// tablePart is one input's share of a table that several inputs serve.
type tablePart struct {
	input string
	src   data.Source
}

// tableParts lists, for each table that several inputs serve (a union),
// the input each part comes from, so that a rule can be checked against
// each input on its own: a rule that needs a column one export lacks (a
// slim export that left out the PE version columns) is skipped for that
// export with a notice, and still runs over the others.
func tableParts(set *inputSet) map[string][]tablePart {
	out := map[string][]tablePart{}
	for _, in := range set.inputs {
		for _, t := range in.Tables() {
			out[t.Name] = append(out[t.Name], tablePart{in.Name(), t.Source})
		}
	}
	return out
}

// envFor returns the environment rule r runs in: env itself, or, when some
// input of a union lacks a column r needs, env with that table rebuilt from
// the inputs that have it (deduplicated as the run asks), and a notice for
// each input left out.
func envFor(r *rules.Rule, env *kql.Env, parts map[string][]tablePart, dedupe bool) (*kql.Env, []string) {
	out := env
	var notices []string
	for ti, table := range env.Tables {
		ps := parts[table.Name()]
		if len(ps) < 2 {
			continue
		}
		var keep []data.Source
		for _, p := range ps {
			probe := *env
			probe.Tables = slices.Clone(env.Tables)
			probe.Tables[ti] = p.src
			_, err := kql.Compile(r.Query, &probe)
			var se *syntax.Error
			if err != nil && errors.As(err, &se) && isMissingColumn(se) {
				notices = append(notices, fmt.Sprintf("rule %s skipped for %s: it lacks a column the rule needs (%s)", r.ID, p.input, se.Msg))
				continue
			}
			keep = append(keep, p.src)
		}
		if len(keep) == len(ps) {
			continue
		}
		if out == env {
			cp := *env
			cp.Tables = slices.Clone(env.Tables)
			out = &cp
		}
		if len(keep) == 1 {
			out.Tables[ti] = keep[0]
		} else {
			out.Tables[ti] = data.UnionSourcesWith(table.Name(), keep, data.UnionOptions{Dedupe: dedupe})
		}
	}
	return out, notices
}
