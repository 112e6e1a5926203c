package kql

import (
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/kql/textmatch"
)

// inList is the right side of in, !in, in~, !in~, has_any and has_all: its
// values, gathered once per run. Elements may be scalars, dynamic arrays
// (flattened) or tabular expressions (their first column).
type inList struct {
	static  []data.Value // constant elements
	dynamic []evalFn     // row-dependent elements
	tables  []node       // tabular elements, run once per run
}

func (c *compiler) inElements(list []syntax.Expr, rs *rowScope) (*inList, error) {
	l := &inList{}
	for _, e := range list {
		inner := e
		if p, ok := e.(*syntax.Paren); ok {
			inner = p.X
		}
		if c.isTabular(inner) {
			n, err := c.tabular(inner)
			if err != nil {
				return nil, err
			}
			if len(n.columns()) == 0 {
				return nil, c.errAt(e.Pos(), "the table in this list has no columns")
			}
			l.tables = append(l.tables, n)
			continue
		}
		x, err := c.scalar(e, rs)
		if err != nil {
			return nil, err
		}
		if x.konst != nil {
			l.static = appendFlat(l.static, *x.konst)
		} else {
			l.dynamic = append(l.dynamic, x.eval)
		}
	}
	return l, nil
}

func appendFlat(dst []data.Value, v data.Value) []data.Value {
	if v.K == data.KArray {
		return append(dst, v.Array()...)
	}
	return append(dst, v)
}

// values returns every element for this row and run.
func (l *inList) values(rc *rowCtx, key any) []data.Value {
	vals := l.static
	if len(l.tables) > 0 {
		m, _ := rc.run.memoized(key)
		if cached, ok := m.([]data.Value); ok {
			vals = cached
		} else {
			vals = append([]data.Value(nil), l.static...)
			for _, t := range l.tables {
				err := t.run(rc.run, func(r data.Row) error {
					vals = appendFlat(vals, r[0])
					return nil
				})
				if err != nil {
					rc.run.fail(err)
				}
			}
			rc.run.remember(key, vals)
		}
	}
	if len(l.dynamic) > 0 {
		vals = append([]data.Value(nil), vals...)
		for _, d := range l.dynamic {
			vals = appendFlat(vals, d(rc))
		}
	}
	return vals
}

func (c *compiler) inExpr(x *syntax.InExpr, rs *rowScope) (*cexpr, error) {
	lhs, err := c.scalar(x.X, rs)
	if err != nil {
		return nil, err
	}
	l, err := c.inElements(x.List, rs)
	if err != nil {
		return nil, err
	}
	le := lhs.eval
	var p predFn
	switch x.Op {
	case "has_any", "has_all":
		all := x.Op == "has_all"
		p = c.hasSet(l, le, all)
		if lhs.col >= 0 && len(l.tables) == 0 && len(l.dynamic) == 0 {
			col := rs.cols[lhs.col].Name
			needles := stringNeedles(l.static)
			if all {
				c.note(lhs, rs, setFind(col, textmatch.NewAll(textmatch.Has, needles).FindAll))
			} else {
				c.note(lhs, rs, setFind(col, textmatch.NewAny(textmatch.Has, needles).FindAll))
			}
		}
	case "in", "!in", "in~", "!in~":
		ci := strings.HasSuffix(x.Op, "~")
		neg := strings.HasPrefix(x.Op, "!")
		member := c.memberSet(l, ci)
		p = func(rc *rowCtx) bool {
			v := le(rc)
			return member(rc, v) != neg
		}
		if !neg && lhs.col >= 0 && len(l.tables) == 0 && len(l.dynamic) == 0 {
			op := textmatch.Equal
			if ci {
				op = textmatch.EqualCI
			}
			c.note(lhs, rs, setFind(rs.cols[lhs.col].Name, textmatch.NewAny(op, stringNeedles(l.static)).FindAll))
		}
	default:
		return nil, c.errAt(x.At, "the operator '%s' is not supported", x.Op)
	}
	return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
}

// memberSet returns the membership test of in / in~. Constant lists are
// hashed once; lists that depend on the row or on a table are compared
// element by element.
func (c *compiler) memberSet(l *inList, ci bool) func(rc *rowCtx, v data.Value) bool {
	keyOf := func(v data.Value) string {
		if v.K == data.KString && ci {
			return string(appendKey(nil, data.NewString(strings.ToLower(v.S))))
		}
		return string(appendKey(nil, v))
	}
	build := func(vals []data.Value) map[string]struct{} {
		set := make(map[string]struct{}, len(vals))
		for _, v := range vals {
			if v.K == data.KNull {
				continue
			}
			set[keyOf(v)] = struct{}{}
		}
		return set
	}
	if len(l.tables) == 0 && len(l.dynamic) == 0 {
		set := build(l.static)
		// The common case, a string column against string constants,
		// looks up without encoding a key per row.
		allStrings := true
		for _, v := range l.static {
			if v.K != data.KString {
				allStrings = false
			}
		}
		if allStrings {
			strs := make(map[string]struct{}, len(l.static))
			for _, v := range l.static {
				s := v.S
				if ci {
					s = strings.ToLower(s)
				}
				strs[s] = struct{}{}
			}
			return func(rc *rowCtx, v data.Value) bool {
				if v.K != data.KString {
					if v.K == data.KNull {
						return false
					}
					v = data.NewString(data.ToString(v))
				}
				s := v.S
				if ci {
					s = lowerASCIIIfNeeded(s)
				}
				_, ok := strs[s]
				return ok
			}
		}
		return func(rc *rowCtx, v data.Value) bool {
			if v.K == data.KNull {
				return false
			}
			_, ok := set[keyOf(v)]
			return ok
		}
	}
	key := &struct{ l *inList }{l}
	return func(rc *rowCtx, v data.Value) bool {
		if v.K == data.KNull {
			return false
		}
		for _, e := range l.values(rc, key) {
			if ci && v.K == data.KString && e.K == data.KString {
				if strings.EqualFold(v.S, e.S) {
					return true
				}
				continue
			}
			if equalValues(v, e) == triTrue {
				return true
			}
		}
		return false
	}
}

// lowerASCIIIfNeeded lower-cases s only when it has an upper-case letter,
// so that the common all-lower value costs no allocation.
func lowerASCIIIfNeeded(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// hasSet returns the test of has_any / has_all: one set matcher, built
// once for a constant list, that searches the row for all needles together.
func (c *compiler) hasSet(l *inList, le evalFn, all bool) predFn {
	build := func(vals []data.Value) func(string) bool {
		needles := make([]string, 0, len(vals))
		for _, v := range vals {
			if v.K != data.KNull {
				needles = append(needles, stringText(v))
			}
		}
		if all {
			return textmatch.NewAll(textmatch.Has, needles).Match
		}
		return textmatch.NewAny(textmatch.Has, needles).Match
	}
	if len(l.tables) == 0 && len(l.dynamic) == 0 {
		match := build(l.static)
		return func(rc *rowCtx) bool { return match(stringText(le(rc))) }
	}
	key := &struct{ l *inList }{l}
	return func(rc *rowCtx) bool {
		return build(l.values(rc, key))(stringText(le(rc)))
	}
}

func stringNeedles(vals []data.Value) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v.K != data.KNull {
			out = append(out, stringText(v))
		}
	}
	return out
}
