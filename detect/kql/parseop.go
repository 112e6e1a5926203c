package kql

import (
	"regexp"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// parseNode is parse and parse-where: a pattern of literals and captures
// compiled once into a regular expression.
type parseNode struct {
	in      node
	cols    []data.Column
	src     evalFn
	re      *regexp.Regexp
	targets []int
	types   []data.Type
	where   bool
}

func (n *parseNode) columns() []data.Column { return n.cols }

func (n *parseNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	nin := len(n.in.columns())
	out := make(data.Row, len(n.cols))
	return n.in.run(rs, func(r data.Row) error {
		rc.row = r
		copy(out, r[:nin])
		text := stringText(n.src(rc))
		m := n.re.FindStringSubmatchIndex(text)
		if m == nil {
			if n.where {
				return nil
			}
			for i, t := range n.targets {
				out[t] = nullOf(n.types[i])
			}
			return emit(out)
		}
		for i, t := range n.targets {
			s, e := m[2*(i+1)], m[2*(i+1)+1]
			if s < 0 {
				out[t] = nullOf(n.types[i])
				continue
			}
			v := convertTo(data.NewString(text[s:e]), n.types[i])
			if n.where && v.K == data.KNull && n.types[i] != data.String {
				return nil // parse-where drops rows whose captures do not convert
			}
			out[t] = v
		}
		return emit(out)
	})
}

func (c *compiler) parseOp(in node, o *syntax.ParseOp) (node, error) {
	incols := in.columns()
	rs := &rowScope{cols: incols}
	src, err := c.scalar(o.X, rs)
	if err != nil {
		return nil, err
	}
	kind := o.Kind
	switch kind {
	case "", "simple", "relaxed", "regex":
	default:
		return nil, c.errAt(o.At, "unknown parse kind '%s'", kind).WithHint("kind=simple, kind=regex or kind=relaxed")
	}
	n := &parseNode{in: in, cols: append([]data.Column(nil), incols...), src: src.eval, where: o.Where}
	var sb strings.Builder
	if strings.Contains(o.Flags, "i") {
		sb.WriteString("(?i)")
	}
	if strings.Contains(o.Flags, "s") {
		sb.WriteString("(?s)")
	}
	sb.WriteString("^")
	for i, el := range o.Pattern {
		last := i == len(o.Pattern)-1
		switch p := el.(type) {
		case *syntax.Literal:
			text := data.ToString(p.Value)
			if kind == "regex" {
				sb.WriteString("(?:" + text + ")")
			} else {
				sb.WriteString(regexp.QuoteMeta(text))
			}
		case *syntax.Star:
			sb.WriteString("(?:.*?)")
			if last {
				sb.WriteString("$")
			}
		case *syntax.ParseCapture:
			t := p.Type
			if t == data.Unknown {
				t = data.String
			}
			switch {
			case kind == "regex":
				sb.WriteString("(.*)")
			case t == data.Int || t == data.Long:
				sb.WriteString(`(-?\d+)`)
			case t == data.Real || t == data.Decimal:
				sb.WriteString(`(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`)
			case last:
				sb.WriteString("(.*)")
			default:
				sb.WriteString("(.*?)")
			}
			idx := data.ColumnIndex(n.cols, p.Name)
			if idx < 0 {
				idx = len(n.cols)
				n.cols = append(n.cols, data.Column{Name: p.Name, Type: t})
			} else {
				n.cols[idx].Type = t
			}
			n.targets = append(n.targets, idx)
			n.types = append(n.types, t)
		default:
			return nil, c.errAt(el.Pos(), "unexpected element in the parse pattern")
		}
	}
	re, err := compileRegex(sb.String())
	if err != nil {
		return nil, c.errAt(o.At, "the parse pattern is not a valid regular expression: %v", err)
	}
	n.re = re
	return n, nil
}
