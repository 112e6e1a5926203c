package kql_test

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/kql/syntax"
)

// The script tests live in testdata/*.test; testdata/README.md describes
// the format. Every expectation is written by hand from Kusto's
// documentation: there is no -update flag, on purpose.

//go:embed testdata/*.test
var scriptFiles embed.FS

// minScripts is the size the script corpus must keep.
const minScripts = 150

// defaultScriptNow is the query's now when a script does not set one.
const defaultScriptNow = "2025-09-10T00:00:00Z"

func TestScripts(t *testing.T) {
	names, err := fs.Glob(scriptFiles, "testdata/*.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < minScripts {
		t.Errorf("only %d script files in testdata; want at least %d", len(names), minScripts)
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(path.Base(name), ".test"), func(t *testing.T) {
			src, err := scriptFiles.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := parseScript(string(src))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(sc.cases) == 1 {
				runScriptCase(t, sc.cases[0])
				return
			}
			for _, c := range sc.cases {
				t.Run(fmt.Sprintf("line%d", c.line), func(t *testing.T) { runScriptCase(t, c) })
			}
		})
	}
}

// ---- the script format ----

// scriptCol is a column of a header line: a name and, when written, a type.
type scriptCol struct {
	name  string
	typ   data.Type
	typed bool
}

// scriptBlock is a table written in a script: a header line, then rows of cells.
type scriptBlock struct {
	line     int
	name     string // the table's name (input, external), or "" (expect)
	cols     []scriptCol
	rows     [][]string
	rowLines []int
}

// expectBlock is one expected result table.
type expectBlock struct {
	scriptBlock
	unordered bool
	render    string // "" when not checked
	hasRender bool
}

// errorBlock is an expected error.
type errorBlock struct {
	line     int
	compile  bool     // the error must come from Compile, not Run
	exact    string   // the whole Error() text, when not contains
	contains []string // substrings of Error()
	at       [2]int   // line, col; zero when not checked
	hasExact bool
}

// scriptCase is one query with what it must give, and the environment the
// script had set up before the query.
type scriptCase struct {
	line      int
	inputs    []*scriptBlock
	externals []*scriptBlock
	aliases   [][2]string // alias name, table name
	now       int64
	query     string
	expects   []*expectBlock
	err       *errorBlock
}

type scriptFile struct {
	cases []*scriptCase
}

var directiveWords = map[string]bool{
	"input": true, "external": true, "alias": true, "now": true,
	"query": true, "expect": true, "error": true,
}

func isDirective(line string) bool {
	w, _, _ := strings.Cut(line, " ")
	return directiveWords[w]
}

// parseScript parses a script file. Errors name the line.
func parseScript(src string) (*scriptFile, error) {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	now, err := parseDateTimeText(defaultScriptNow)
	if err != nil {
		return nil, err
	}
	var (
		sc        scriptFile
		inputs    []*scriptBlock
		externals []*scriptBlock
		aliases   [][2]string
		cur       *scriptCase
	)
	i := 0
	fail := func(ln int, format string, args ...any) error {
		return fmt.Errorf("line %d: %s", ln, fmt.Sprintf(format, args...))
	}
	// readBlock reads a header line and rows, up to a blank line, a
	// directive or the end. Lines starting with # are comments.
	readBlock := func(b *scriptBlock) error {
		header := false
		for ; i < len(lines); i++ {
			l := lines[i]
			trimmed := strings.TrimSpace(l)
			if trimmed == "" || isDirective(l) {
				break
			}
			if strings.HasPrefix(trimmed, "#") {
				continue
			}
			if !header {
				cols, err := parseHeader(trimmed)
				if err != nil {
					return fail(i+1, "%v", err)
				}
				b.cols = cols
				header = true
				continue
			}
			cells, err := splitCells(trimmed)
			if err != nil {
				return fail(i+1, "%v", err)
			}
			if len(cells) != len(b.cols) {
				return fail(i+1, "%d cells for %d columns", len(cells), len(b.cols))
			}
			b.rows = append(b.rows, cells)
			b.rowLines = append(b.rowLines, i+1)
		}
		if !header {
			return fail(b.line, "a table needs a header line (Name:type, ...)")
		}
		return nil
	}
	for i < len(lines) {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			i++
			continue
		}
		word, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		ln := i + 1
		switch word {
		case "input", "external":
			if rest == "" {
				return nil, fail(ln, "%s needs a name", word)
			}
			b := &scriptBlock{line: ln, name: rest}
			i++
			if err := readBlock(b); err != nil {
				return nil, err
			}
			if word == "input" {
				inputs = append(inputs, b)
			} else {
				externals = append(externals, b)
			}
		case "alias":
			name, table, ok := strings.Cut(rest, "=")
			if !ok {
				return nil, fail(ln, "alias wants: alias NAME = TABLE")
			}
			aliases = append(aliases, [2]string{strings.TrimSpace(name), strings.TrimSpace(table)})
			i++
		case "now":
			ticks, err := parseDateTimeText(rest)
			if err != nil {
				return nil, fail(ln, "now: %v", err)
			}
			now = ticks
			i++
		case "query":
			cur = &scriptCase{line: ln, inputs: inputs, externals: externals, aliases: aliases, now: now}
			sc.cases = append(sc.cases, cur)
			i++
			var q []string
			for ; i < len(lines); i++ {
				w, _, _ := strings.Cut(lines[i], " ")
				if w == "expect" || w == "error" {
					break
				}
				q = append(q, lines[i])
			}
			for len(q) > 0 && strings.TrimSpace(q[len(q)-1]) == "" {
				q = q[:len(q)-1]
			}
			if len(q) == 0 {
				return nil, fail(ln, "empty query")
			}
			cur.query = strings.Join(q, "\n")
		case "expect":
			if cur == nil {
				return nil, fail(ln, "expect before any query")
			}
			if cur.err != nil {
				return nil, fail(ln, "a query expects either results or an error")
			}
			e := &expectBlock{scriptBlock: scriptBlock{line: ln}}
			for _, opt := range strings.Fields(rest) {
				switch {
				case opt == "unordered":
					e.unordered = true
				case strings.HasPrefix(opt, "render="):
					e.render = strings.TrimPrefix(opt, "render=")
					e.hasRender = true
				default:
					return nil, fail(ln, "unknown expect option %q", opt)
				}
			}
			i++
			if err := readBlock(&e.scriptBlock); err != nil {
				return nil, err
			}
			cur.expects = append(cur.expects, e)
		case "error":
			if cur == nil {
				return nil, fail(ln, "error before any query")
			}
			if len(cur.expects) > 0 || cur.err != nil {
				return nil, fail(ln, "a query expects either results or one error")
			}
			e := &errorBlock{line: ln}
			contains := false
			for _, opt := range strings.Fields(rest) {
				switch opt {
				case "compile":
					e.compile = true
				case "contains":
					contains = true
				default:
					return nil, fail(ln, "unknown error option %q", opt)
				}
			}
			i++
			for ; i < len(lines); i++ {
				l := lines[i]
				if strings.TrimSpace(l) == "" || isDirective(l) {
					break
				}
				if strings.HasPrefix(l, "#") {
					continue
				}
				if !contains {
					if e.hasExact {
						return nil, fail(i+1, "an exact error is one line; use 'error contains' for several")
					}
					e.exact, e.hasExact = l, true
					continue
				}
				if pos, ok := strings.CutPrefix(l, "at "); ok {
					var line, col int
					if _, err := fmt.Sscanf(pos, "%d:%d", &line, &col); err != nil {
						return nil, fail(i+1, "at wants LINE:COL: %v", err)
					}
					e.at = [2]int{line, col}
					continue
				}
				e.contains = append(e.contains, l)
			}
			cur.err = e
		default:
			return nil, fail(ln, "unknown directive %q", word)
		}
	}
	if len(sc.cases) == 0 {
		return nil, errors.New("no query in the script")
	}
	for _, c := range sc.cases {
		if len(c.expects) == 0 && c.err == nil {
			return nil, fmt.Errorf("line %d: the query has neither expect nor error", c.line)
		}
	}
	return &sc, nil
}

// parseHeader parses "Name:type, ['a b']:string, Other".
func parseHeader(s string) ([]scriptCol, error) {
	parts, err := splitCells(s)
	if err != nil {
		return nil, err
	}
	cols := make([]scriptCol, 0, len(parts))
	for _, p := range parts {
		var c scriptCol
		rest := p
		if strings.HasPrefix(p, "[") {
			q := p[1:]
			if len(q) < 2 || (q[0] != '\'' && q[0] != '"') {
				return nil, fmt.Errorf("bad quoted column name %q", p)
			}
			end := strings.Index(q[1:], string(q[0])+"]")
			if end < 0 {
				return nil, fmt.Errorf("bad quoted column name %q", p)
			}
			c.name = q[1 : 1+end]
			rest = q[1+end+2:]
		} else {
			name, typ, hasType := strings.Cut(p, ":")
			c.name = strings.TrimSpace(name)
			rest = ""
			if hasType {
				rest = ":" + typ
			}
		}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			tname, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return nil, fmt.Errorf("bad column %q", p)
			}
			t, ok := data.ParseType(strings.TrimSpace(tname))
			if !ok {
				return nil, fmt.Errorf("unknown type %q", tname)
			}
			c.typ, c.typed = t, true
		}
		if c.name == "" {
			return nil, fmt.Errorf("empty column name in %q", s)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// splitCells splits a line at the commas that are outside quotes and
// brackets, and trims the cells.
func splitCells(s string) ([]string, error) {
	var cells []string
	depth := 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' && c != '`' {
					j++
					continue
				}
				if s[j] == c {
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
			i = j
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				cells = append(cells, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced brackets in %q", s)
	}
	return append(cells, strings.TrimSpace(s[start:])), nil
}

// ---- values in their canonical text form ----

var (
	reDateTime = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$`)
	reTimeSpan = regexp.MustCompile(`^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$`)
	reInteger  = regexp.MustCompile(`^[-+]?\d+$`)
	reReal     = regexp.MustCompile(`^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$`)
)

func fraction7(s string) int64 {
	if s == "" {
		return 0
	}
	s += strings.Repeat("0", 7-len(s))
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// parseDateTimeText reads 2025-09-07, 2025-09-07T12:00:00Z,
// 2025-09-07 12:00:00.1234567 and the like, always UTC.
func parseDateTimeText(s string) (int64, error) {
	m := reDateTime.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("not a datetime: %q", s)
	}
	n := func(i int) int {
		v, _ := strconv.Atoi(m[i])
		return v
	}
	t := time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), n(6), 0, time.UTC)
	if t.Year() != n(1) || int(t.Month()) != n(2) || t.Day() != n(3) {
		return 0, fmt.Errorf("not a valid date: %q", s)
	}
	return data.TimeToTicks(t) + fraction7(m[7]), nil
}

// parseTimeSpanText reads [-][d.]hh:mm:ss[.fffffff].
func parseTimeSpanText(s string) (int64, error) {
	m := reTimeSpan.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("not a timespan: %q", s)
	}
	n := func(i int) int64 {
		v, _ := strconv.ParseInt(m[i], 10, 64)
		return v
	}
	ticks := n(2)*data.TicksPerDay + n(3)*data.TicksPerHour + n(4)*data.TicksPerMinute + n(5)*data.TicksPerSecond + fraction7(m[6])
	if m[1] == "-" {
		ticks = -ticks
	}
	return ticks, nil
}

func parseRealText(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), nil
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), nil
	case "-inf", "-infinity":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

func unquoteText(s string) (string, error) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		// Single quotes hold text as in a Go double-quoted string.
		inner := s[1 : len(s)-1]
		inner = strings.ReplaceAll(inner, `\'`, `'`)
		inner = strings.ReplaceAll(inner, `"`, `\"`)
		return strconv.Unquote(`"` + inner + `"`)
	}
	return strconv.Unquote(s)
}

// parseTyped reads a cell of a typed column into a value.
func parseTyped(s string, t data.Type) (data.Value, error) {
	if s == "null" {
		if t == data.String {
			return data.EmptyString, nil
		}
		return data.Null, nil
	}
	switch t {
	case data.String:
		u, err := unquoteText(s)
		if err != nil {
			return data.Null, fmt.Errorf("a string cell must be quoted: %s", s)
		}
		return data.NewString(u), nil
	case data.Bool:
		switch s {
		case "true":
			return data.NewBool(true), nil
		case "false":
			return data.NewBool(false), nil
		}
	case data.Int, data.Long:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return data.Null, err
		}
		if t == data.Int {
			return data.NewInt(n), nil
		}
		return data.NewLong(n), nil
	case data.Real, data.Decimal:
		f, err := parseRealText(s)
		if err != nil {
			return data.Null, err
		}
		if t == data.Decimal {
			return data.NewDecimal(f), nil
		}
		return data.NewReal(f), nil
	case data.DateTime:
		ticks, err := parseDateTimeText(s)
		if err != nil {
			return data.Null, err
		}
		return data.NewDateTime(ticks), nil
	case data.TimeSpan:
		ticks, err := parseTimeSpanText(s)
		if err != nil {
			return data.Null, err
		}
		return data.NewTimeSpan(ticks), nil
	case data.Guid:
		if u, err := unquoteText(s); err == nil {
			s = u
		}
		return data.NewGuid(strings.ToLower(s)), nil
	case data.Dynamic:
		v, err := data.ParseJSON(s)
		if err != nil {
			return data.Null, fmt.Errorf("dynamic cell %s: %v", s, err)
		}
		return v, nil
	}
	return data.Null, fmt.Errorf("cannot read %q as %s", s, t)
}

// buildTable makes an input table from a block.
func buildTable(b *scriptBlock) (*data.Table, error) {
	tab := &data.Table{Name: b.name}
	for _, c := range b.cols {
		if !c.typed {
			return nil, fmt.Errorf("line %d: input column %s needs a type", b.line, c.name)
		}
		tab.Columns = append(tab.Columns, data.Column{Name: c.name, Type: c.typ})
	}
	for r, cells := range b.rows {
		row := make(data.Row, len(cells))
		for i, cell := range cells {
			v, err := parseTyped(cell, b.cols[i].typ)
			if err != nil {
				return nil, fmt.Errorf("line %d, column %s: %v", b.rowLines[r], b.cols[i].name, err)
			}
			row[i] = v
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab, nil
}

// ---- comparing results ----

const realTolerance = 1e-9

func closeReals(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	d := math.Abs(a - b)
	return d <= realTolerance || d <= realTolerance*math.Max(math.Abs(a), math.Abs(b))
}

func isNumeric(v data.Value) bool {
	return v.K == data.KInt || v.K == data.KLong || v.K == data.KReal || v.K == data.KDecimal
}

func numberOf(v data.Value) float64 {
	if v.K == data.KReal || v.K == data.KDecimal {
		return v.F
	}
	return float64(v.I)
}

// sameValue compares an expected value (read from a typed cell) with an
// actual one. A string is never null in Kusto, so "" and null are the
// same string.
func sameValue(exp, act data.Value, t data.Type) bool {
	if exp.K == data.KNull {
		return act.K == data.KNull || (t == data.String && act.K == data.KString && act.S == "")
	}
	switch t {
	case data.String:
		if act.K == data.KNull {
			return exp.S == ""
		}
		return (act.K == data.KString || act.K == data.KGuid) && act.S == exp.S
	case data.Bool:
		return act.K == data.KBool && act.I == exp.I
	case data.Int, data.Long:
		return (act.K == data.KInt || act.K == data.KLong) && act.I == exp.I
	case data.Real, data.Decimal:
		return isNumeric(act) && closeReals(exp.F, numberOf(act))
	case data.DateTime:
		return act.K == data.KDateTime && act.I == exp.I
	case data.TimeSpan:
		return act.K == data.KTimeSpan && act.I == exp.I
	case data.Guid:
		return (act.K == data.KGuid || act.K == data.KString) && strings.EqualFold(act.S, exp.S)
	case data.Dynamic:
		return sameDynamic(toGeneric(exp), act)
	}
	return false
}

// toGeneric turns a value into what encoding/json would decode its JSON
// into, with json.Number for numbers.
func toGeneric(v data.Value) any {
	switch v.K {
	case data.KNull:
		return nil
	case data.KBool:
		return v.I != 0
	case data.KInt, data.KLong:
		return json.Number(strconv.FormatInt(v.I, 10))
	case data.KReal, data.KDecimal:
		return json.Number(strconv.FormatFloat(v.F, 'g', -1, 64))
	case data.KString, data.KGuid:
		return v.S
	case data.KDateTime:
		return data.FormatDateTime(v.I)
	case data.KTimeSpan:
		return data.FormatTimeSpan(v.I)
	case data.KArray:
		items := v.Array()
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = toGeneric(it)
		}
		return out
	case data.KBag:
		b := v.Bag()
		out := make(map[string]any, b.Len())
		for _, k := range b.Keys() {
			x, _ := b.Get(k)
			out[k] = toGeneric(x)
		}
		return out
	}
	return nil
}

// parseJSONGeneric decodes JSON text keeping numbers as json.Number.
func parseJSONGeneric(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing text after JSON value %q", s)
	}
	return v, nil
}

// sameDynamic compares a decoded JSON value with an actual dynamic value:
// numbers by value (1 and 1.0 are the same), bags by key set, datetimes and
// timespans inside dynamic values against their ISO / Kusto text.
func sameDynamic(exp any, act data.Value) bool {
	switch e := exp.(type) {
	case nil:
		return act.K == data.KNull
	case bool:
		return act.K == data.KBool && (act.I != 0) == e
	case json.Number:
		f, err := parseRealText(e.String())
		return err == nil && isNumeric(act) && closeReals(f, numberOf(act))
	case string:
		switch act.K {
		case data.KString, data.KGuid:
			return act.S == e
		case data.KDateTime:
			t, err := parseDateTimeText(e)
			return err == nil && t == act.I
		case data.KTimeSpan:
			t, err := parseTimeSpanText(e)
			return err == nil && t == act.I
		case data.KReal, data.KDecimal:
			f, err := parseRealText(e)
			return err == nil && closeReals(f, act.F)
		}
		return false
	case []any:
		items := act.Array()
		if act.K != data.KArray || len(items) != len(e) {
			return false
		}
		for i := range e {
			if !sameDynamic(e[i], items[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b := act.Bag()
		if act.K != data.KBag || b.Len() != len(e) {
			return false
		}
		for k, ev := range e {
			av, ok := b.Get(k)
			if !ok || !sameDynamic(ev, av) {
				return false
			}
		}
		return true
	}
	return false
}

// expectedCell is a cell of an expected table, ready to compare.
type expectedCell struct {
	text  string
	typ   data.Type // the column's declared type, or the inferred one
	val   data.Value
	dyn   any
	isDyn bool
}

// inferType guesses the type of a cell of an untyped column.
func inferType(s string) data.Type {
	switch {
	case s == "null":
		return data.Unknown
	case s == "true" || s == "false":
		return data.Bool
	case strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "'") || strings.HasPrefix(s, "`"):
		return data.String
	case strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{"):
		return data.Dynamic
	case reDateTime.MatchString(s):
		return data.DateTime
	case reTimeSpan.MatchString(s):
		return data.TimeSpan
	case reInteger.MatchString(s):
		return data.Long
	}
	return data.Real
}

func prepareCell(s string, col scriptCol) (expectedCell, error) {
	t := col.typ
	if !col.typed {
		t = inferType(s)
		if t == data.Unknown {
			return expectedCell{text: s, typ: data.Unknown}, nil
		}
	}
	c := expectedCell{text: s, typ: t}
	if t == data.Dynamic {
		g, err := parseJSONGeneric(s)
		if err != nil {
			return c, fmt.Errorf("dynamic cell %s: %v", s, err)
		}
		c.dyn, c.isDyn = g, true
		return c, nil
	}
	v, err := parseTyped(s, t)
	if err != nil {
		return c, err
	}
	c.val = v
	return c, nil
}

func (c expectedCell) matches(act data.Value, typed bool) bool {
	if c.typ == data.Unknown { // null in an untyped column
		return act.K == data.KNull || (act.K == data.KString && act.S == "")
	}
	if c.isDyn {
		return sameDynamic(c.dyn, act)
	}
	if !typed {
		// An untyped column compares by value across kinds: numbers by
		// value, strings against dynamic strings.
		switch c.typ {
		case data.Long, data.Real:
			return isNumeric(act) && closeReals(numberOf(c.val), numberOf(act))
		}
	}
	return sameValue(c.val, act, c.typ)
}

// formatCell prints a value in the script's canonical form.
func formatCell(v data.Value) string {
	switch v.K {
	case data.KNull:
		return "null"
	case data.KBool:
		return strconv.FormatBool(v.I != 0)
	case data.KInt, data.KLong:
		return strconv.FormatInt(v.I, 10)
	case data.KReal, data.KDecimal:
		switch {
		case math.IsNaN(v.F):
			return "nan"
		case math.IsInf(v.F, 1):
			return "inf"
		case math.IsInf(v.F, -1):
			return "-inf"
		}
		s := strconv.FormatFloat(v.F, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case data.KString:
		return strconv.Quote(v.S)
	case data.KGuid:
		return v.S
	case data.KDateTime:
		return data.FormatDateTime(v.I)
	case data.KTimeSpan:
		return data.FormatTimeSpan(v.I)
	case data.KArray, data.KBag:
		return string(data.AppendJSON(nil, v))
	}
	return "?"
}

func formatHeader(cols []data.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		name := c.Name
		if strings.ContainsAny(name, " ,:[]'\"") || name == "" {
			name = "['" + name + "']"
		}
		parts[i] = name + ":" + c.Type.String()
	}
	return strings.Join(parts, ", ")
}

// formatTable prints a result in the script's canonical form, for failure
// messages.
func formatTable(t *data.Table) string {
	if t == nil {
		return "(nil table)\n"
	}
	var sb strings.Builder
	sb.WriteString(formatHeader(t.Columns))
	sb.WriteByte('\n')
	for _, r := range t.Rows {
		for i, v := range r {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(formatCell(v))
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// compareResult checks one result against an expect block and returns the
// differences, or nothing.
func compareResult(e *expectBlock, res *kql.Result) []string {
	var diffs []string
	tab := res.Table
	if tab == nil {
		return []string{"the result has no table"}
	}
	if len(tab.Columns) != len(e.cols) {
		diffs = append(diffs, fmt.Sprintf("got %d columns, want %d", len(tab.Columns), len(e.cols)))
	} else {
		for i, c := range e.cols {
			if tab.Columns[i].Name != c.name {
				diffs = append(diffs, fmt.Sprintf("column %d is named %q, want %q", i, tab.Columns[i].Name, c.name))
			}
			if c.typed && tab.Columns[i].Type != c.typ {
				diffs = append(diffs, fmt.Sprintf("column %s has type %s, want %s", c.name, tab.Columns[i].Type, c.typ))
			}
		}
	}
	if e.hasRender && res.Render != e.render {
		diffs = append(diffs, fmt.Sprintf("render is %q, want %q", res.Render, e.render))
	}
	if len(diffs) > 0 {
		return diffs
	}
	want := make([][]expectedCell, len(e.rows))
	for r, cells := range e.rows {
		want[r] = make([]expectedCell, len(cells))
		for i, s := range cells {
			c, err := prepareCell(s, e.cols[i])
			if err != nil {
				return []string{fmt.Sprintf("line %d: %v", e.rowLines[r], err)}
			}
			want[r][i] = c
		}
	}
	rowMatches := func(w []expectedCell, got data.Row) bool {
		if len(got) != len(w) {
			return false
		}
		for i := range w {
			if !w[i].matches(got[i], e.cols[i].typed) {
				return false
			}
		}
		return true
	}
	if len(tab.Rows) != len(want) {
		diffs = append(diffs, fmt.Sprintf("got %d rows, want %d", len(tab.Rows), len(want)))
	}
	if e.unordered {
		used := make([]bool, len(tab.Rows))
		for r, w := range want {
			found := false
			for j, got := range tab.Rows {
				if !used[j] && rowMatches(w, got) {
					used[j], found = true, true
					break
				}
			}
			if !found {
				diffs = append(diffs, fmt.Sprintf("expected row at line %d is missing", e.rowLines[r]))
			}
		}
		for j, got := range tab.Rows {
			if !used[j] && len(tab.Rows) > len(want) {
				diffs = append(diffs, fmt.Sprintf("unexpected row %s", formatRow(got)))
			}
		}
	} else {
		for r := 0; r < len(want) && r < len(tab.Rows); r++ {
			if !rowMatches(want[r], tab.Rows[r]) {
				diffs = append(diffs, fmt.Sprintf("row %d (line %d): got %s", r, e.rowLines[r], formatRow(tab.Rows[r])))
			}
		}
	}
	return diffs
}

func formatRow(r data.Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = formatCell(v)
	}
	return strings.Join(parts, ", ")
}

// ---- running ----

// externalResolver serves externaldata from the script's external blocks:
// the block whose name is the last path segment of the URL.
func externalResolver(blocks []*scriptBlock) (func(string, []data.Column, map[string]string) (data.Source, error), error) {
	tables := map[string]*data.Table{}
	for _, b := range blocks {
		t, err := buildTable(b)
		if err != nil {
			return nil, err
		}
		tables[b.name] = t
	}
	return func(u string, cols []data.Column, with map[string]string) (data.Source, error) {
		name := lastURLSegment(u)
		if t, ok := tables[name]; ok {
			return data.TableSource{T: t}, nil
		}
		return nil, fmt.Errorf("externaldata: no input named %q was supplied for %s", name, u)
	}, nil
}

// lastURLSegment returns the file name a URL points at: its last path
// segment, unescaped, without query or fragment.
func lastURLSegment(u string) string {
	p := u
	if parsed, err := url.Parse(u); err == nil {
		p = parsed.Path
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if s, err := url.PathUnescape(p); err == nil {
		p = s
	}
	return p
}

// compileAndRun compiles and runs a query, turning a panic into an error so
// that one bad script does not stop the others. compiled reports whether
// Compile succeeded.
func compileAndRun(query string, env *kql.Env) (res []*kql.Result, compiled bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	prog, err := kql.Compile(query, env)
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err = prog.Run(ctx)
	return res, true, err
}

func runScriptCase(t *testing.T, c *scriptCase) {
	t.Helper()
	env := &kql.Env{Now: c.now}
	byName := map[string]data.Source{}
	for _, b := range c.inputs {
		tab, err := buildTable(b)
		if err != nil {
			t.Fatal(err)
		}
		src := scriptSource(data.TableSource{T: tab})
		env.Tables = append(env.Tables, src)
		byName[b.name] = src
	}
	for _, a := range c.aliases {
		src, ok := byName[a[1]]
		if !ok {
			t.Fatalf("alias %s: no input %s", a[0], a[1])
		}
		if env.Aliases == nil {
			env.Aliases = map[string]data.Source{}
		}
		env.Aliases[a[0]] = src
	}
	if len(c.externals) > 0 {
		resolve, err := externalResolver(c.externals)
		if err != nil {
			t.Fatal(err)
		}
		env.ExternalData = resolve
	}
	results, compiled, err := compileAndRun(c.query, env)
	if c.err != nil {
		checkScriptError(t, c, err, compiled)
		return
	}
	if err != nil {
		t.Fatalf("query at line %d failed: %v\nquery:\n%s", c.line, err, c.query)
	}
	if len(results) != len(c.expects) {
		t.Fatalf("query at line %d gave %d results, want %d", c.line, len(results), len(c.expects))
	}
	for i, e := range c.expects {
		if diffs := compareResult(e, results[i]); len(diffs) > 0 {
			t.Errorf("result %d (expect at line %d) differs:\n  %s\nquery:\n%s\ngot:\n%s", i, e.line,
				strings.Join(diffs, "\n  "), c.query, formatTable(results[i].Table))
		}
	}
}

func checkScriptError(t *testing.T, c *scriptCase, err error, compiled bool) {
	t.Helper()
	e := c.err
	if err == nil {
		t.Fatalf("query at line %d succeeded; want an error (line %d)\nquery:\n%s", c.line, e.line, c.query)
	}
	msg := err.Error()
	if e.compile && compiled {
		t.Errorf("error came from Run, want it from Compile: %s", msg)
	}
	if e.hasExact && msg != e.exact {
		t.Errorf("error is\n  %s\nwant\n  %s", msg, e.exact)
	}
	for _, s := range e.contains {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	if e.at != [2]int{} {
		var se *syntax.Error
		if !errors.As(err, &se) {
			t.Errorf("error %q is not a *syntax.Error with a position; want %d:%d", msg, e.at[0], e.at[1])
		} else if se.Line != e.at[0] || se.Col != e.at[1] {
			t.Errorf("error %q is at %d:%d, want %d:%d", msg, se.Line, se.Col, e.at[0], e.at[1])
		}
	}
}

// TestScriptFormat checks the script reader itself on a small script, so
// that a broken reader cannot make every script pass.
func TestScriptFormat(t *testing.T) {
	src := "# comment\ninput T\nA:long, ['b c']:string, D:dynamic\n1, \"x, y\", {\"k\": [1, 2]}\n\nnow 2025-01-02T03:04:05Z\nquery\nT\n| take 1\nexpect unordered render=table\nA:long, ['b c']:string, D\n1, \"x, y\", {\"k\":[1,2.0]}\n\nquery\nT | foo\nerror compile contains\nat 1:5\nfoo\n"
	sc, err := parseScript(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.cases) != 2 {
		t.Fatalf("got %d cases, want 2", len(sc.cases))
	}
	c := sc.cases[0]
	if c.query != "T\n| take 1" {
		t.Errorf("query = %q", c.query)
	}
	if got := data.FormatDateTime(c.now); got != "2025-01-02T03:04:05Z" {
		t.Errorf("now = %s", got)
	}
	tab, err := buildTable(c.inputs[0])
	if err != nil {
		t.Fatal(err)
	}
	if tab.Columns[1].Name != "b c" || tab.Rows[0][1].S != "x, y" {
		t.Errorf("table = %v", tab)
	}
	e := c.expects[0]
	if !e.unordered || e.render != "table" {
		t.Errorf("expect options = %+v", e)
	}
	res := &kql.Result{Table: tab, Render: "table"}
	if d := compareResult(e, res); len(d) > 0 {
		t.Errorf("compare: %v", d)
	}
	bad := &kql.Result{Table: &data.Table{Columns: tab.Columns, Rows: []data.Row{{data.NewLong(2), data.NewString("x, y"), tab.Rows[0][2]}}}, Render: "table"}
	if d := compareResult(e, bad); len(d) == 0 {
		t.Error("a wrong row compared equal")
	}
	er := sc.cases[1].err
	if er == nil || !er.compile || er.at != [2]int{1, 5} || len(er.contains) != 1 {
		t.Errorf("error block = %+v", er)
	}
	for _, tc := range []struct {
		s    string
		t    data.Type
		want string
	}{
		{"1.02:03:04.5", data.TimeSpan, "1.02:03:04.5000000"},
		{"-00:00:01", data.TimeSpan, "-00:00:01"},
		{"2025-09-07", data.DateTime, "2025-09-07T00:00:00Z"},
		{"2025-09-07 12:00:00.1234567", data.DateTime, "2025-09-07T12:00:00.1234567Z"},
		{`"a\tb"`, data.String, `"a\tb"`},
		{`'it\'s'`, data.String, `"it's"`},
		{"nan", data.Real, "nan"},
	} {
		v, err := parseTyped(tc.s, tc.t)
		if err != nil {
			t.Errorf("parseTyped(%q): %v", tc.s, err)
			continue
		}
		if got := formatCell(v); got != tc.want {
			t.Errorf("parseTyped(%q) prints %s, want %s", tc.s, got, tc.want)
		}
	}
	if got := lastURLSegment("https://x.example/a%20b/lots-project.txt?raw=1"); got != "lots-project.txt" {
		t.Errorf("lastURLSegment = %q", got)
	}
}
