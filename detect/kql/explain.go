package kql

import (
	"regexp"
	"sort"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
)

// An explainer is one string predicate of the query over a bare column
// (`ProcessCommandLine has "rclone.exe"`), kept at compile time with the
// very matcher the predicate evaluates. Explain reruns these matchers on a
// result row to say which bytes made the query fire; no second matcher is
// written beside the rule. Predicates under a negation (`!has`, `not()`)
// are not recorded: their match is the reason a row was dropped, not kept.
type explainer struct {
	column string
	find   func(text string, dst []Span) []Span
}

// MaxExplainSpans bounds the spans reported for one row.
const MaxExplainSpans = 64

// note records an explainer when the left side is a bare column and the
// predicate is not under a negation.
func (c *compiler) note(l *cexpr, rs *rowScope, find func(text string, dst []Span) []Span) {
	if c.negDepth > 0 || l.col < 0 || rs == nil || l.col >= len(rs.cols) {
		return
	}
	c.explain = append(c.explain, explainer{column: rs.cols[l.col].Name, find: find})
}

func matcherFind(col string, m *textmatch.Matcher) func(string, []Span) []Span {
	return func(text string, dst []Span) []Span {
		if s, e, ok := m.Find(text); ok && e > s {
			dst = append(dst, Span{Column: col, Start: s, End: e})
		}
		return dst
	}
}

func setFind(col string, findAll func(string, []textmatch.Span) []textmatch.Span) func(string, []Span) []Span {
	return func(text string, dst []Span) []Span {
		for _, s := range findAll(text, nil) {
			if s.End > s.Start {
				dst = append(dst, Span{Column: col, Start: s.Start, End: s.End})
			}
		}
		return dst
	}
}

func regexFind(col string, re *regexp.Regexp) func(string, []Span) []Span {
	return func(text string, dst []Span) []Span {
		if loc := re.FindStringIndex(text); loc != nil && loc[1] > loc[0] {
			dst = append(dst, Span{Column: col, Start: loc[0], End: loc[1]})
		}
		return dst
	}
}

// wholeValue explains an equality: the whole value matched.
func wholeValue(col string, test func(string) bool) func(string, []Span) []Span {
	return func(text string, dst []Span) []Span {
		if text != "" && test(text) {
			dst = append(dst, Span{Column: col, Start: 0, End: len(text)})
		}
		return dst
	}
}

// Explain returns the spans of a result row's values that the query's
// string predicates matched: for each recorded predicate whose column the
// row still has, where its matcher finds its needle. Spans are sorted by
// column order, then start, without duplicates.
func (p *Program) Explain(cols []data.Column, row data.Row) []Span {
	var out []Span
	for _, ex := range p.explain {
		i := data.ColumnIndex(cols, ex.column)
		if i < 0 || i >= len(row) || row[i].K == data.KNull {
			continue
		}
		out = ex.find(stringText(row[i]), out)
		if len(out) >= MaxExplainSpans {
			out = out[:MaxExplainSpans]
			break
		}
	}
	order := map[string]int{}
	for i, c := range cols {
		order[c.Name] = i
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Column != y.Column {
			return order[x.Column] < order[y.Column]
		}
		if x.Start != y.Start {
			return x.Start < y.Start
		}
		return x.End < y.End
	})
	dedup := out[:0]
	for i, s := range out {
		if i > 0 && s == out[i-1] {
			continue
		}
		dedup = append(dedup, s)
	}
	return dedup
}
