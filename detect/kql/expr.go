package kql

import (
	"fmt"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/kql/textmatch"
)

// rowCtx is what a compiled expression sees: the current row and the run.
type rowCtx struct {
	row data.Row
	run *runState
	// args is a stack of builtin arguments: a call pushes its evaluated
	// arguments, calls the builtin on them and pops them, so that calls
	// allocate nothing per row. A rowCtx belongs to one goroutine.
	args []data.Value
	// calls holds this goroutine's state of each builtin call site (its
	// compiled regexes), by the site's number: a CallContext is not safe
	// for concurrent use, and a scan's filter runs in several goroutines.
	calls []callSlot
}

// callSlot is one call site's CallContext in a rowCtx. site tells the
// call site apart from another with the same number (compiled by another
// compiler, for a subquery), which then takes the slot over.
type callSlot struct {
	site, cc *builtin.CallContext
}

// callContext returns this rowCtx's CallContext for call site id.
func (rc *rowCtx) callContext(id int, site *builtin.CallContext) *builtin.CallContext {
	if id < len(rc.calls) {
		if s := rc.calls[id]; s.site == site {
			return s.cc
		}
	} else {
		rc.calls = append(rc.calls, make([]callSlot, id+1-len(rc.calls))...)
	}
	cc := &builtin.CallContext{Now: site.Now}
	rc.calls[id] = callSlot{site: site, cc: cc}
	return cc
}

// evalFn computes a value for one row; predFn decides a where predicate
// (null counts as false). Both are closures built once at compile time.
type (
	evalFn func(rc *rowCtx) data.Value
	predFn func(rc *rowCtx) bool
)

// cexpr is a compiled scalar expression.
type cexpr struct {
	typ   data.Type
	eval  evalFn
	pred  predFn      // optional fast path for boolean expressions
	konst *data.Value // set when the expression does not depend on the row or the run
	col   int         // index of the column when the expression is a bare column reference, else -1
	name  string      // the column name Kusto derives for it ("" when none)
}

func constExpr(v data.Value, t data.Type) *cexpr {
	vv := v
	return &cexpr{typ: t, eval: func(*rowCtx) data.Value { return vv }, konst: &vv, col: -1}
}

// asPred returns the expression as a predicate: true only when it is a
// boolean true.
func (e *cexpr) asPred() predFn {
	if e.pred != nil {
		return e.pred
	}
	if e.konst != nil {
		b := e.konst.K == data.KBool && e.konst.I != 0
		return func(*rowCtx) bool { return b }
	}
	ev := e.eval
	return func(rc *rowCtx) bool {
		v := ev(rc)
		return v.K == data.KBool && v.I != 0
	}
}

// rowScope is the schema an expression is compiled against.
type rowScope struct {
	cols []data.Column
	// agg collects aggregate calls when compiling summarize's aggregations.
	agg *aggCollector
	// used, when not nil, records the columns the expression reads.
	used []bool
}

// markUsed records that column i is read (all columns when i < 0).
func (s *rowScope) markUsed(i int) {
	if s == nil || s.used == nil {
		return
	}
	if i < 0 {
		for k := range s.used {
			s.used[k] = true
		}
		return
	}
	if i < len(s.used) {
		s.used[i] = true
	}
}

func (s *rowScope) index(name string) int {
	if s == nil {
		return -1
	}
	return data.ColumnIndex(s.cols, name)
}

// scalar compiles a scalar expression in the row scope rs (nil: no row).
func (c *compiler) scalar(e syntax.Expr, rs *rowScope) (*cexpr, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > syntax.MaxNestingDepth {
		return nil, c.errAt(e.Pos(), "the expression is nested more than %d deep", syntax.MaxNestingDepth)
	}
	out, err := c.scalarInner(e, rs)
	if err != nil {
		return nil, err
	}
	// Fold constants once: an expression of constants gives the same value
	// on every row.
	if out.konst == nil && out.col < 0 && c.isConstTree(e, rs) {
		v := out.eval(&rowCtx{run: c.foldState()})
		out = &cexpr{typ: out.typ, eval: out.eval, konst: &v, col: -1, name: out.name}
		vv := v
		out.eval = func(*rowCtx) data.Value { return vv }
	}
	return out, nil
}

func (c *compiler) scalarInner(e syntax.Expr, rs *rowScope) (*cexpr, error) {
	switch x := e.(type) {
	case *syntax.Literal:
		return constExpr(x.Value, x.Type), nil
	case *syntax.Ident:
		return c.ident(x, rs)
	case *syntax.Paren:
		if c.isTabular(x.X) {
			return nil, c.errAt(x.At, "a tabular expression cannot be used as a scalar here").WithHint("use toscalar() to take a single value")
		}
		return c.scalar(x.X, rs)
	case *syntax.Unary:
		return c.unary(x, rs)
	case *syntax.Binary:
		return c.binary(x, rs)
	case *syntax.InExpr:
		return c.inExpr(x, rs)
	case *syntax.BetweenExpr:
		return c.between(x, rs)
	case *syntax.Call:
		return c.call(x, rs)
	case *syntax.Member:
		return c.member(x, rs)
	case *syntax.Index:
		return c.index(x, rs)
	case *syntax.Star:
		return nil, c.errAt(x.At, "'*' is not allowed here")
	}
	if c.isTabular(e) {
		return nil, c.errAt(e.Pos(), "a tabular expression cannot be used as a scalar here").WithHint("use toscalar() to take a single value")
	}
	return nil, c.errAt(e.Pos(), "unexpected expression %s", e.String())
}

// isConstTree reports whether e depends on no column and no table: such an
// expression is evaluated once at compile time.
func (c *compiler) isConstTree(e syntax.Expr, rs *rowScope) bool {
	switch x := e.(type) {
	case *syntax.Literal:
		return true
	case *syntax.Ident:
		if rs.index(x.Name) >= 0 {
			return false
		}
		b := c.scope.lookup(x.Name)
		return b != nil && b.scalar != nil && b.scalar.konst != nil
	case *syntax.Paren:
		return !c.isTabular(x.X) && c.isConstTree(x.X, rs)
	case *syntax.Unary:
		return c.isConstTree(x.X, rs)
	case *syntax.Binary:
		return c.isConstTree(x.L, rs) && c.isConstTree(x.R, rs)
	case *syntax.BetweenExpr:
		return c.isConstTree(x.X, rs) && c.isConstTree(x.Lo, rs) && c.isConstTree(x.Hi, rs)
	case *syntax.InExpr:
		if !c.isConstTree(x.X, rs) {
			return false
		}
		for _, a := range x.List {
			if !c.isConstTree(a, rs) {
				return false
			}
		}
		return true
	case *syntax.Member:
		return c.isConstTree(x.X, rs)
	case *syntax.Index:
		return c.isConstTree(x.X, rs) && c.isConstTree(x.Index, rs)
	case *syntax.Call:
		if _, ok := builtin.Lookup(x.Name); !ok {
			switch x.Name {
			case "iff", "iif", "case", "coalesce", "not":
			default:
				return false
			}
		} else if c.scope.lookup(x.Name) != nil {
			return false
		}
		if x.Name == "new_guid" || x.Name == "rand" {
			return false
		}
		for _, a := range x.Args {
			if !c.isConstTree(a, rs) {
				return false
			}
		}
		return true
	}
	return false
}

func (c *compiler) ident(x *syntax.Ident, rs *rowScope) (*cexpr, error) {
	if i := rs.index(x.Name); i >= 0 {
		rs.markUsed(i)
		col := rs.cols[i]
		return &cexpr{typ: col.Type, eval: func(rc *rowCtx) data.Value { return rc.row[i] }, col: i, name: col.Name}, nil
	}
	if rs != nil && rs.agg != nil && data.ColumnIndex(rs.agg.input, x.Name) >= 0 {
		return nil, c.errAt(x.At, "the column '%s' must be inside an aggregation such as count(), max() or take_any(), or be a by key", x.Name)
	}
	if b := c.scope.lookup(x.Name); b != nil {
		switch {
		case b.scalar != nil:
			e := *b.scalar
			e.col = -1
			if e.name == "" {
				e.name = x.Name
			}
			return &e, nil
		case b.fn != nil:
			return nil, c.errAt(x.At, "'%s' is a function; call it with parentheses", x.Name)
		default:
			return nil, c.errAt(x.At, "'%s' is a table, not a scalar value", x.Name).WithHint("use toscalar(%s) for a single value, or 'in (%s)' to test membership", x.Name, x.Name)
		}
	}
	switch x.Name {
	case "true", "false":
		return constExpr(data.NewBool(x.Name == "true"), data.Bool), nil
	}
	return nil, c.unknownName(x.At, x.Name, rs)
}

// unknownName explains an unknown name with the closest existing ones.
func (c *compiler) unknownName(pos int, name string, rs *rowScope) error {
	var cands []string
	if rs != nil {
		cands = append(cands, data.ColumnNames(visibleCols(rs.cols))...)
	}
	cands = append(cands, c.scope.scalarNames()...)
	err := c.errAt(pos, "unknown column '%s'", name)
	if best := syntax.Closest(name, cands); best != "" {
		err.Msg += fmt.Sprintf("; did you mean '%s'?", best)
	} else if vis := visibleCols(rsCols(rs)); len(vis) > 0 && len(vis) <= 12 {
		err.Hint = "the columns here are " + strings.Join(data.ColumnNames(vis), ", ")
	}
	return err
}

func (c *compiler) unary(x *syntax.Unary, rs *rowScope) (*cexpr, error) {
	in, err := c.scalar(x.X, rs)
	if err != nil {
		return nil, err
	}
	if x.Op == "+" {
		return &cexpr{typ: in.typ, eval: in.eval, col: -1}, nil
	}
	t := in.typ
	if t != data.Unknown && t != data.Dynamic && !t.IsNumeric() && t != data.TimeSpan {
		return nil, c.errAt(x.At, "unary '-' needs a number or a timespan, not %s", t)
	}
	ev := in.eval
	return &cexpr{typ: t, col: -1, eval: func(rc *rowCtx) data.Value {
		v := ev(rc)
		switch v.K {
		case data.KInt, data.KLong, data.KTimeSpan:
			v.I = -v.I
			return v
		case data.KReal, data.KDecimal:
			v.F = -v.F
			return v
		}
		return data.Null
	}}, nil
}

func (c *compiler) binary(x *syntax.Binary, rs *rowScope) (*cexpr, error) {
	if _, ok := x.L.(*syntax.Star); ok {
		return c.starPredicate(x, rs)
	}
	switch x.Op {
	case "and", "or":
		return c.logical(x, rs)
	}
	l, err := c.scalar(x.L, rs)
	if err != nil {
		return nil, err
	}
	r, err := c.scalar(x.R, rs)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "+", "-", "*", "/", "%":
		op := x.Op[0]
		t, ok := arithType(op, l.typ, r.typ)
		if !ok {
			return nil, c.errAt(x.At, "operator '%s' cannot be applied to %s and %s", x.Op, l.typ, r.typ)
		}
		le, re := l.eval, r.eval
		return &cexpr{typ: t, col: -1, eval: func(rc *rowCtx) data.Value { return arith(op, le(rc), re(rc)) }}, nil
	case "==", "!=", "<", "<=", ">", ">=":
		return c.comparison(x, l, r, rs)
	case "matches regex":
		return c.matchesRegex(x, l, r, rs)
	}
	return c.stringOp(x, l, r, rs)
}

func (c *compiler) logical(x *syntax.Binary, rs *rowScope) (*cexpr, error) {
	l, err := c.scalar(x.L, rs)
	if err != nil {
		return nil, err
	}
	r, err := c.scalar(x.R, rs)
	if err != nil {
		return nil, err
	}
	for _, side := range []struct {
		e *cexpr
		n syntax.Expr
	}{{l, x.L}, {r, x.R}} {
		if t := side.e.typ; t != data.Bool && t != data.Unknown && t != data.Dynamic {
			return nil, c.errAt(side.n.Pos(), "'%s' needs boolean operands, but this is %s", x.Op, t)
		}
	}
	le, re := l.eval, r.eval
	lp, rp := l.asPred(), r.asPred()
	if x.Op == "and" {
		return &cexpr{typ: data.Bool, col: -1,
			pred: func(rc *rowCtx) bool { return lp(rc) && rp(rc) },
			eval: func(rc *rowCtx) data.Value {
				a := triOf(le(rc))
				if a == triFalse {
					return data.NewBool(false)
				}
				b := triOf(re(rc))
				switch {
				case b == triFalse:
					return data.NewBool(false)
				case a == triNull || b == triNull:
					return data.Null
				}
				return data.NewBool(true)
			}}, nil
	}
	return &cexpr{typ: data.Bool, col: -1,
		pred: func(rc *rowCtx) bool { return lp(rc) || rp(rc) },
		eval: func(rc *rowCtx) data.Value {
			a := triOf(le(rc))
			if a == triTrue {
				return data.NewBool(true)
			}
			b := triOf(re(rc))
			switch {
			case b == triTrue:
				return data.NewBool(true)
			case a == triNull || b == triNull:
				return data.Null
			}
			return data.NewBool(false)
		}}, nil
}

// comparable reports whether two static types may be compared.
func comparableTypes(a, b data.Type) bool {
	switch {
	case a == data.Unknown || b == data.Unknown || a == data.Dynamic || b == data.Dynamic:
		return true
	case a == b:
		return true
	case a.IsNumeric() && b.IsNumeric():
		return true
	case a == data.Bool && b.IsNumeric(), b == data.Bool && a.IsNumeric():
		return true
	case (a == data.String && b == data.Guid) || (a == data.Guid && b == data.String):
		return true
	}
	return false
}

func (c *compiler) comparison(x *syntax.Binary, l, r *cexpr, rs *rowScope) (*cexpr, error) {
	if !comparableTypes(l.typ, r.typ) {
		// Comparing a datetime with a string literal is common in pasted
		// queries; Kusto rejects it, and so does offhunt, with a hint.
		err := c.errAt(x.At, "cannot compare %s with %s using '%s'", l.typ, r.typ, x.Op)
		if l.typ == data.DateTime || r.typ == data.DateTime {
			err.Hint = "write the time as datetime(2025-09-07) or use todatetime()"
		}
		return nil, err
	}
	le, re := l.eval, r.eval
	// Fast path: a string column against a constant string.
	if x.Op == "==" || x.Op == "!=" {
		if l.typ == data.String && r.konst != nil && r.konst.K == data.KString {
			needle := r.konst.S
			if x.Op == "==" {
				if l.col >= 0 {
					c.note(l, rs, wholeValue(rs.cols[l.col].Name, func(s string) bool { return s == needle }))
				}
				p := func(rc *rowCtx) bool { return le(rc).S == needle }
				return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
			}
			p := func(rc *rowCtx) bool { return le(rc).S != needle }
			return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
		}
	}
	var f func(a, b data.Value) tri
	switch x.Op {
	case "==":
		f = equalValues
	case "!=":
		f = func(a, b data.Value) tri {
			t := equalValues(a, b)
			switch t {
			case triTrue:
				return triFalse
			case triFalse:
				return triTrue
			}
			return triNull
		}
	default:
		op := x.Op
		f = func(a, b data.Value) tri {
			c, ok := compareValues(a, b)
			if !ok {
				if a.K == data.KNull || b.K == data.KNull {
					return triNull
				}
				return triFalse
			}
			switch op {
			case "<":
				return boolTri(c < 0)
			case "<=":
				return boolTri(c <= 0)
			case ">":
				return boolTri(c > 0)
			}
			return boolTri(c >= 0)
		}
	}
	return &cexpr{typ: data.Bool, col: -1,
		pred: func(rc *rowCtx) bool { return f(le(rc), re(rc)) == triTrue },
		eval: func(rc *rowCtx) data.Value { return f(le(rc), re(rc)).value() }}, nil
}

// stringText gives the string form of a value for the string operators:
// strings as they are, other values as tostring() prints them.
func stringText(v data.Value) string {
	if v.K == data.KString {
		return v.S
	}
	return data.ToString(v)
}

func (c *compiler) stringOp(x *syntax.Binary, l, r *cexpr, rs *rowScope) (*cexpr, error) {
	op, neg, ok := textmatch.ParseOp(x.Op)
	if !ok {
		return nil, c.errAt(x.At, "the operator '%s' is not supported", x.Op)
	}
	le := l.eval
	var p predFn
	if r.konst != nil {
		m := textmatch.New(op, stringText(*r.konst))
		p = func(rc *rowCtx) bool { return m.Match(stringText(le(rc))) }
		if !neg && l.col >= 0 {
			c.note(l, rs, matcherFind(rs.cols[l.col].Name, m))
		}
	} else {
		re := r.eval
		p = func(rc *rowCtx) bool {
			return textmatch.New(op, stringText(re(rc))).Match(stringText(le(rc)))
		}
	}
	if neg {
		inner := p
		p = func(rc *rowCtx) bool { return !inner(rc) }
	}
	return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
}

func (c *compiler) matchesRegex(x *syntax.Binary, l, r *cexpr, rs *rowScope) (*cexpr, error) {
	le := l.eval
	if r.konst == nil {
		// A pattern computed per row (often a let column holding a
		// regex) is compiled once per distinct text.
		re := r.eval
		cache := newRegexCache()
		p := func(rc *rowCtx) bool {
			rx, err := cache.get(stringText(re(rc)))
			if err != nil {
				rc.run.fail(c.errAt(x.R.Pos(), "bad regular expression: %v", err))
				return false
			}
			return rx.MatchString(stringText(le(rc)))
		}
		return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
	}
	re, err := compileRegex(stringText(*r.konst))
	if err != nil {
		return nil, c.errAt(x.R.Pos(), "bad regular expression: %v", err)
	}
	if l.col >= 0 {
		c.note(l, rs, regexFind(rs.cols[l.col].Name, re))
	}
	pf := newRegexFilter(re.String())
	p := func(rc *rowCtx) bool {
		s := stringText(le(rc))
		return !pf.rulesOut(s) && re.MatchString(s)
	}
	return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
}

// starPredicate compiles `* has "x"` and friends: true when any column's
// text satisfies the operator.
func (c *compiler) starPredicate(x *syntax.Binary, rs *rowScope) (*cexpr, error) {
	r, err := c.scalar(x.R, rs)
	if err != nil {
		return nil, err
	}
	if r.konst == nil {
		return nil, c.errAt(x.R.Pos(), "'*' can only be compared with a constant")
	}
	op, neg, ok := textmatch.ParseOp(x.Op)
	if !ok {
		if x.Op != "==" {
			return nil, c.errAt(x.At, "'* %s' is not supported", x.Op)
		}
		op = textmatch.Equal
	}
	m := textmatch.New(op, stringText(*r.konst))
	rs.markUsed(-1)
	ncols := 0
	var hidden []bool
	if rs != nil {
		ncols = len(rs.cols)
		hidden = make([]bool, ncols)
		for i, col := range rs.cols {
			hidden[i] = isHidden(col.Name)
		}
	}
	p := func(rc *rowCtx) bool {
		for i := 0; i < ncols && i < len(rc.row); i++ {
			v := rc.row[i]
			if v.K == data.KNull || hidden[i] {
				continue
			}
			if m.Match(stringText(v)) {
				return !neg
			}
		}
		return neg
	}
	return &cexpr{typ: data.Bool, col: -1, pred: p, eval: func(rc *rowCtx) data.Value { return data.NewBool(p(rc)) }}, nil
}

func (c *compiler) between(x *syntax.BetweenExpr, rs *rowScope) (*cexpr, error) {
	v, err := c.scalar(x.X, rs)
	if err != nil {
		return nil, err
	}
	lo, err := c.scalar(x.Lo, rs)
	if err != nil {
		return nil, err
	}
	hi, err := c.scalar(x.Hi, rs)
	if err != nil {
		return nil, err
	}
	ve, loe, hie := v.eval, lo.eval, hi.eval
	not := x.Not
	f := func(rc *rowCtx) tri {
		a, l, h := ve(rc), loe(rc), hie(rc)
		if l.K == data.KDateTime && h.K == data.KTimeSpan {
			h = data.NewDateTime(l.I + h.I)
		}
		c1, ok1 := compareValues(a, l)
		c2, ok2 := compareValues(a, h)
		if !ok1 || !ok2 {
			return triNull
		}
		in := c1 >= 0 && c2 <= 0
		return boolTri(in != not)
	}
	return &cexpr{typ: data.Bool, col: -1,
		pred: func(rc *rowCtx) bool { return f(rc) == triTrue },
		eval: func(rc *rowCtx) data.Value { return f(rc).value() }}, nil
}

func (c *compiler) member(x *syntax.Member, rs *rowScope) (*cexpr, error) {
	base, err := c.scalar(x.X, rs)
	if err != nil {
		return nil, err
	}
	if base.typ != data.Dynamic && base.typ != data.Unknown {
		return nil, c.errAt(x.At, "'.%s' needs a dynamic value, but this is %s", x.Name, base.typ).WithHint("use parse_json() to turn a JSON string into a dynamic value")
	}
	be := base.eval
	key := x.Name
	name := key
	if base.name != "" {
		name = base.name + "_" + key
	}
	return &cexpr{typ: data.Dynamic, col: -1, name: name, eval: func(rc *rowCtx) data.Value {
		return dynamicGet(be(rc), data.NewString(key))
	}}, nil
}

func (c *compiler) index(x *syntax.Index, rs *rowScope) (*cexpr, error) {
	base, err := c.scalar(x.X, rs)
	if err != nil {
		return nil, err
	}
	idx, err := c.scalar(x.Index, rs)
	if err != nil {
		return nil, err
	}
	if base.typ != data.Dynamic && base.typ != data.Unknown {
		return nil, c.errAt(x.At, "indexing needs a dynamic value, but this is %s", base.typ)
	}
	be, ie := base.eval, idx.eval
	name := ""
	if base.name != "" && idx.konst != nil {
		name = base.name + "_" + data.ToString(*idx.konst)
	}
	return &cexpr{typ: data.Dynamic, col: -1, name: name, eval: func(rc *rowCtx) data.Value {
		return dynamicGet(be(rc), ie(rc))
	}}, nil
}

// dynamicGet reads a bag key or an array index (negative from the end).
func dynamicGet(base, key data.Value) data.Value {
	switch base.K {
	case data.KBag:
		if key.K != data.KString {
			return data.Null
		}
		v, _ := base.Bag().Get(key.S)
		return v
	case data.KArray:
		i, ok := asLong(key)
		if !ok || key.K == data.KReal {
			return data.Null
		}
		arr := base.Array()
		if i < 0 {
			i += int64(len(arr))
		}
		if i < 0 || i >= int64(len(arr)) {
			return data.Null
		}
		return arr[i]
	case data.KString:
		// A string column holding JSON is indexed after parsing, as
		// Kusto does for dynamic-typed string values.
		if len(base.S) > 0 && (base.S[0] == '{' || base.S[0] == '[') {
			if d, err := data.ParseJSON(base.S); err == nil {
				return dynamicGet(d, key)
			}
		}
	}
	return data.Null
}
