package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailru/easyjson/jwriter"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/ioc"
	"offhunt/detect/output"
	"offhunt/detect/rules"
)

// exitFound is scan's exit status when it found something.
const exitFound = 1

// ruleSources collects the repeatable --rules flag.
type ruleSources []string

func (r *ruleSources) String() string     { return strings.Join(*r, ",") }
func (r *ruleSources) Set(s string) error { *r = append(*r, s); return nil }

// loadRules resolves --rules values: "builtin" is the embedded pack, any
// other value a rule file or a folder of them; none means the pack. Two
// rules with one id are an error.
func loadRules(srcs ruleSources) ([]*rules.Rule, error) {
	if len(srcs) == 0 {
		srcs = ruleSources{"builtin"}
	}
	var out []*rules.Rule
	for _, s := range srcs {
		var rs []*rules.Rule
		var err error
		if s == "builtin" {
			rs, err = rules.Builtin()
		} else {
			rs, err = rules.Load(s)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, rules.CheckUnique(out)
}

// iocFlag takes `--ioc FORMAT FILE` out of args: the standard flag package
// gives a flag one value, and this one has two.
func iocFlag(args []string) (rest []string, format, file string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i:]...), format, file, nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "ioc" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, "", "", errors.New("--ioc needs a format and a file: --ioc defender FILE")
			}
			i++
			value = args[i]
		}
		if i+1 >= len(args) {
			return nil, "", "", errors.New("--ioc needs a file after its format: --ioc defender FILE")
		}
		i++
		format, file = value, args[i]
	}
	return rest, format, file, nil
}

// runScan is `offhunt scan`.
func runScan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, iocFormat, iocFile, err := iocFlag(args)
	if err != nil {
		return failf(stderr, "%v\nRun 'offhunt help scan' for usage.", err)
	}
	if iocFile != "" && iocFormat != "defender" {
		return failf(stderr, "--ioc %q: the indicator format is defender (Microsoft Defender's custom indicator import CSV)", iocFormat)
	}
	flags := flag.NewFlagSet("scan", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var now, format string
	var dedupe bool
	var srcs ruleSources
	flags.StringVar(&now, "now", "", "")
	flags.StringVar(&format, "format", "table", "")
	flags.BoolVar(&dedupe, "dedupe", false, "")
	flags.Var(&srcs, "rules", "")
	files, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, scanUsage)
		return exitOK
	}
	if err != nil {
		return failf(stderr, "%v\nRun 'offhunt help scan' for usage.", err)
	}
	write, ok := findingWriters[format]
	if !ok {
		return failf(stderr, "--format %q: use table, csv, json or ndjson", format)
	}
	if len(files) == 0 {
		return failf(stderr, "no input: give one or more exports (FILE, or - for standard input)\nRun 'offhunt help scan' for usage.")
	}
	rs, err := loadRules(srcs)
	if err != nil {
		return failf(stderr, "%v", err)
	}
	inputs, cleanup, err := openInputs(files, stdin, false)
	defer cleanup()
	if err != nil {
		return failf(stderr, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f, err := detect.Scan(ctx, inputs, detect.ScanOptions{Options: detect.Options{Now: now, Dedupe: dedupe}, Rules: rs})
	if err != nil {
		return printError(stderr, err)
	}
	if err := write(stdout, f); err != nil {
		return failf(stderr, "writing the findings: %v", err)
	}
	if summary := detect.BadRowSummary(f.Inputs); summary != "" {
		fmt.Fprintf(stderr, "offhunt: note: %s\n", summary)
	}
	for _, n := range f.Notices {
		if strings.HasPrefix(n, "a time filter") {
			n += "; rerun with --now latest to count time back from the newest event"
		}
		fmt.Fprintf(stderr, "offhunt: note: %s\n", n)
	}
	if iocFile != "" {
		if err := writeIndicators(iocFile, ioc.FromFindings(f), stderr); err != nil {
			return failf(stderr, "writing indicators: %v", err)
		}
	}
	if len(f.Findings) > 0 {
		return exitFound
	}
	return exitOK
}

// writeIndicators writes Defender's import CSV to path; past
// ioc.DefenderBatch indicators, the rest go to path-2.csv, path-3.csv ...,
// since Defender imports at most that many per file.
func writeIndicators(path string, indicators []ioc.Indicator, stderr io.Writer) error {
	batches := ioc.Batches(indicators)
	for i, b := range batches {
		p := path
		if i > 0 {
			ext := filepath.Ext(path)
			p = strings.TrimSuffix(path, ext) + "-" + strconv.Itoa(i+1) + ext
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		err = ioc.WriteDefenderCSV(f, b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "offhunt: wrote %d indicators to %s (Defender: Settings > Endpoints > Indicators > Import; review before importing)\n", len(b), p)
	}
	return nil
}

// findingWriters are scan's --format choices.
var findingWriters = map[string]func(io.Writer, *detect.Findings) error{
	"json":   writeFindingsJSON,
	"ndjson": writeFindingsNDJSON,
	"csv":    writeFindingsCSV,
	"table":  writeFindingsTable,
}

// writeFindingsJSON writes the findings contract of design.md.
func writeFindingsJSON(w io.Writer, f *detect.Findings) error {
	jw := jwriter.Writer{}
	f.MarshalEasyJSON(&jw)
	jw.RawByte('\n')
	_, err := jw.DumpTo(w)
	return err
}

// writeFindingsNDJSON writes one finding per line, for log pipelines.
func writeFindingsNDJSON(w io.Writer, f *detect.Findings) error {
	bw := bufio.NewWriter(w)
	for _, fd := range f.Findings {
		jw := jwriter.Writer{}
		fd.MarshalEasyJSON(&jw)
		jw.RawByte('\n')
		if _, err := jw.DumpTo(bw); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeFindingsCSV writes one line per finding, through output.WriteCSV,
// which keeps hostile cells from acting as spreadsheet formulas.
func writeFindingsCSV(w io.Writer, f *detect.Findings) error {
	names := []string{"time", "severity", "ruleId", "device", "account", "fileName", "commandLine", "matches", "input", "line"}
	t := &data.Table{Name: "findings"}
	for _, n := range names {
		typ := data.String
		if n == "line" {
			typ = data.Long
		}
		t.Columns = append(t.Columns, data.Column{Name: n, Type: typ})
	}
	for _, fd := range f.Findings {
		var ms []string
		for _, m := range fd.Matches {
			ms = append(ms, fmt.Sprintf("%s[%d:%d]=%s", m.Column, m.Start, m.End, m.Text))
		}
		line := data.Null
		if fd.Line > 0 {
			line = data.NewLong(fd.Line)
		}
		t.Rows = append(t.Rows, data.Row{
			data.NewString(fd.Time), data.NewString(fd.Severity), data.NewString(fd.RuleID),
			data.NewString(fd.Device), data.NewString(fd.Account), data.NewString(fd.FileName),
			data.NewString(fd.CommandLine), data.NewString(strings.Join(ms, "; ")),
			data.NewString(fd.Input), line,
		})
	}
	return output.WriteCSV(w, t)
}

// writeFindingsTable writes the findings for people: counts by rule and
// severity, the devices and accounts with first and last seen, then each
// finding with the text that made its rule fire marked «like this».
func writeFindingsTable(w io.Writer, f *detect.Findings) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "offhunt scan: %s from %s", plural(len(f.Findings), "finding"), plural(len(f.Rules), "rule"))
	switch len(f.Inputs) {
	case 0:
	case 1:
		bw.WriteString(" over 1 input")
	default:
		fmt.Fprintf(bw, " over %d inputs", len(f.Inputs))
	}
	fmt.Fprintf(bw, " (now %s)\n", f.Now)
	if f.Summary.First != "" {
		fmt.Fprintf(bw, "events from %s to %s\n", f.Summary.First, f.Summary.Last)
	}

	byRule := &data.Table{Columns: []data.Column{{Name: "rule", Type: data.String}, {Name: "severity", Type: data.String},
		{Name: "findings", Type: data.Long}, {Name: "title", Type: data.String}}}
	infos := append([]detect.RuleInfo(nil), f.Rules...)
	sort.SliceStable(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		if f.Summary.ByRule[a.ID] != f.Summary.ByRule[b.ID] {
			return f.Summary.ByRule[a.ID] > f.Summary.ByRule[b.ID]
		}
		if rules.SeverityRank(a.Severity) != rules.SeverityRank(b.Severity) {
			return rules.SeverityRank(a.Severity) < rules.SeverityRank(b.Severity)
		}
		return a.ID < b.ID
	})
	for _, r := range infos {
		byRule.Rows = append(byRule.Rows, data.Row{data.NewString(r.ID), data.NewString(r.Severity),
			data.NewLong(int64(f.Summary.ByRule[r.ID])), data.NewString(r.Title)})
	}
	section(bw, "Findings by rule", byRule)

	bySev := &data.Table{Columns: []data.Column{{Name: "severity", Type: data.String}, {Name: "findings", Type: data.Long}}}
	for _, s := range rules.Severities {
		if n := f.Summary.BySeverity[s]; n > 0 {
			bySev.Rows = append(bySev.Rows, data.Row{data.NewString(s), data.NewLong(int64(n))})
		}
	}
	if len(bySev.Rows) > 0 {
		section(bw, "Findings by severity", bySev)
	}
	if t := seenTable("device", f.Findings, func(fd detect.Finding) string { return fd.Device }); len(t.Rows) > 0 {
		section(bw, "Devices", t)
	}
	if t := seenTable("account", f.Findings, func(fd detect.Finding) string { return fd.Account }); len(t.Rows) > 0 {
		section(bw, "Accounts", t)
	}

	if len(f.Findings) > 0 {
		bw.WriteString("\nFindings (matched text «marked»)\n")
	}
	for i, fd := range f.Findings {
		when := fd.Time
		if when == "" {
			when = "(no time)"
		}
		fmt.Fprintf(bw, "\n%d. %s  %s  %s", i+1, when, strings.ToUpper(fd.Severity), fd.RuleID)
		for _, s := range []string{fd.Device, fd.Account} {
			if s != "" {
				bw.WriteString("  " + escapeText(s))
			}
		}
		bw.WriteString("\n")
		shown := findingColumns(fd)
		if fd.Input != "" {
			src := fd.Input
			if fd.Line > 0 {
				src += " line " + strconv.FormatInt(fd.Line, 10)
			}
			shown = append(shown, shownColumn{"source", escapeText(src)})
		}
		width := 0
		for _, c := range shown {
			width = max(width, len(c.name))
		}
		for _, c := range shown {
			fmt.Fprintf(bw, "   %-*s  %s\n", width, c.name, c.text)
		}
	}
	return bw.Flush()
}

// plural writes a count and a noun: "1 finding", "3 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// section writes a titled table without output.WriteTable's row count.
func section(w *bufio.Writer, title string, t *data.Table) {
	var sb strings.Builder
	_ = output.WriteTable(&sb, t)
	text := strings.TrimRight(sb.String(), "\n")
	if i := strings.LastIndexByte(text, '\n'); i >= 0 && strings.HasPrefix(text[i+1:], "(") {
		text = text[:i]
	}
	fmt.Fprintf(w, "\n%s\n%s\n", title, text)
}

// seenTable counts findings per device (or account) with the first and
// last time each was seen.
func seenTable(what string, fs []detect.Finding, key func(detect.Finding) string) *data.Table {
	type seen struct {
		n           int64
		first, last string
	}
	m := map[string]*seen{}
	var names []string
	for _, fd := range fs {
		k := key(fd)
		if k == "" {
			continue
		}
		s := m[k]
		if s == nil {
			s = &seen{}
			m[k] = s
			names = append(names, k)
		}
		s.n++
		if fd.Time != "" {
			if s.first == "" || fd.Time < s.first {
				s.first = fd.Time
			}
			if fd.Time > s.last {
				s.last = fd.Time
			}
		}
	}
	sort.Strings(names)
	t := &data.Table{Columns: []data.Column{{Name: what, Type: data.String}, {Name: "findings", Type: data.Long},
		{Name: "first seen", Type: data.String}, {Name: "last seen", Type: data.String}}}
	for _, k := range names {
		s := m[k]
		t.Rows = append(t.Rows, data.Row{data.NewString(k), data.NewLong(s.n), data.NewString(s.first), data.NewString(s.last)})
	}
	return t
}

type shownColumn struct{ name, text string }

// findingColumns are the lines a finding shows: its file and command line
// always, and every other column a match points into, each with the
// matched spans marked.
func findingColumns(fd detect.Finding) []shownColumn {
	values := map[string]string{}
	var order []string
	for i, c := range fd.Row.Columns {
		if i < len(fd.Row.Values) {
			values[c] = data.ToString(fd.Row.Values[i])
			order = append(order, c)
		}
	}
	spans := map[string][]detect.Match{}
	for _, m := range fd.Matches {
		spans[m.Column] = append(spans[m.Column], m)
	}
	show := func(col string) bool {
		return col == "FileName" || col == "FolderPath" || col == "ProcessCommandLine" || len(spans[col]) > 0
	}
	var out []shownColumn
	for _, c := range order {
		if show(c) && values[c] != "" {
			out = append(out, shownColumn{c, markSpans(values[c], spans[c])})
		}
	}
	if len(out) == 0 && fd.CommandLine != "" {
		out = append(out, shownColumn{"commandLine", escapeText(fd.CommandLine)})
	}
	return out
}

// markSpans returns text, escaped for a terminal, with each matched span
// between « and »; overlapping spans are merged.
func markSpans(text string, ms []detect.Match) string {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	var merged [][2]int
	for _, m := range ms {
		if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
			continue
		}
		if n := len(merged); n > 0 && m.Start <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], m.End)
			continue
		}
		merged = append(merged, [2]int{m.Start, m.End})
	}
	var sb strings.Builder
	pos := 0
	for _, s := range merged {
		sb.WriteString(escapeText(text[pos:s[0]]))
		sb.WriteString("«" + escapeText(text[s[0]:s[1]]) + "»")
		pos = s[1]
	}
	sb.WriteString(escapeText(text[pos:]))
	return sb.String()
}

// escapeText shows what must not reach a terminal as it is: control and
// invisible format characters (bidirectional overrides) and invalid UTF-8
// are written escaped, as the query's table format does.
func escapeText(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&sb, `\x%02x`, s[i])
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			fmt.Fprintf(&sb, `\u%04x`, r)
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

const scanUsage = `Usage:
  offhunt scan [--now T|latest] [--rules builtin|PATH]... [--format table|csv|json|ndjson]
               [--dedupe] [--ioc defender FILE] FILE...

Runs detection rules over the exports and reports every row a rule returns
as a finding: the rule, the event, and the text that made the rule fire.

  --rules builtin|PATH   the rules to run: builtin (the embedded rclone pack,
                         the default), a .kql rule file, or a folder of them;
                         repeat to combine (--rules builtin --rules mine/)
  --now T|latest         the now of ago() and now(): an RFC 3339 time, or
                         latest, the newest event in the inputs (for old
                         exports); default: the wall clock
  --format F             table (for people, the default), csv (one line per
                         finding), json (the findings document: engine, now,
                         inputs, rules, findings with their matched spans,
                         summary) or ndjson (one finding per line)
  --dedupe               drop events that several exports hold (overlapping
                         day-by-day exports); they are counted either way
  --ioc defender FILE    also write the indicators found (SHA256 of the
                         rclone binaries seen, the servers their command lines
                         name, the seed's rclone.org blocks) as Microsoft
                         Defender's custom indicator import CSV

A rule that needs a table or a column an export lacks is skipped for that
export, with a note on standard error; it never passes as clean.

Examples:
  offhunt scan --now latest export.csv
  offhunt scan --format json --rules builtin --rules my-rules/ *.csv > findings.json
  offhunt scan --ioc defender indicators.csv export.csv

Exit status: 0 no findings, 1 findings, 2 error.
`
