package kql

import (
	"fmt"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
	"offhunt/detect/kql/syntax"
)

// call compiles a function call in scalar position: a special form, a
// user function from let, or a builtin from the table.
func (c *compiler) call(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if b := c.scope.lookup(x.Name); b != nil && b.fn != nil {
		return c.callUserScalar(x, b, rs)
	}
	switch x.Name {
	case "iff", "iif":
		return c.iff(x, rs)
	case "case":
		return c.caseExpr(x, rs)
	case "coalesce":
		return c.coalesce(x, rs)
	case "not":
		return c.not(x, rs)
	case "toscalar":
		return c.toscalar(x, rs)
	case "column_ifexists":
		return c.columnIfExists(x, rs)
	case "isnull", "isnotnull", "notnull":
		// Handled by the table, but a string is never null: folding here
		// would lose nothing, so fall through.
	}
	if rs != nil && rs.agg != nil {
		if a, ok := builtin.LookupAggregate(x.Name); ok {
			return rs.agg.add(c, x, a, rs)
		}
		if x.Name == "arg_max" || x.Name == "arg_min" || x.Name == "argmax" || x.Name == "argmin" {
			return nil, c.errAt(x.At, "%s() must be a whole aggregation of its own in summarize", x.Name)
		}
	}
	fn, ok := builtin.Lookup(x.Name)
	if !ok {
		if _, isAgg := builtin.LookupAggregate(x.Name); isAgg || x.Name == "arg_max" || x.Name == "arg_min" {
			return nil, c.errAt(x.At, "the aggregation '%s' can only be used in summarize", x.Name)
		}
		if b := c.scope.lookup(x.Name); b != nil {
			return nil, c.errAt(x.At, "'%s' is not a function", x.Name)
		}
		if x.Name == "typeof" {
			return nil, c.errAt(x.At, "typeof() is only allowed where a type is expected")
		}
		return nil, c.unknownFunction(x)
	}
	if fn.Volatile {
		c.nowCalls++
	}
	if n := len(x.Args); n < fn.MinArgs || (fn.MaxArgs >= 0 && n > fn.MaxArgs) {
		return nil, c.errAt(x.At, "%s() takes %s, not %d", x.Name, arity(fn.MinArgs, fn.MaxArgs), n).WithHint("%s", fn.Signature)
	}
	args := make([]*cexpr, len(x.Args))
	types := make([]data.Type, len(x.Args))
	for i, a := range x.Args {
		// typeof(T) as an argument (extract's target type) becomes the
		// type's name.
		if tc, ok := a.(*syntax.Call); ok && tc.Name == "typeof" && len(tc.Args) == 1 {
			if id, ok := tc.Args[0].(*syntax.Ident); ok {
				if t, ok := data.ParseType(id.Name); ok {
					args[i] = constExpr(data.NewString(t.String()), data.String)
					types[i] = data.String
					continue
				}
			}
		}
		e, err := c.scalar(a, rs)
		if err != nil {
			return nil, err
		}
		args[i], types[i] = e, e.typ
	}
	for _, k := range fn.NeedsConstArgs {
		if k < len(args) && args[k].konst == nil {
			return nil, c.errAt(x.Args[k].Pos(), "argument %d of %s() must be a constant", k+1, x.Name).WithHint("%s", fn.Signature)
		}
	}
	rt := fn.Fixed
	if fn.Return != nil || fn.ReturnConst != nil {
		var t data.Type
		var msg string
		if fn.ReturnConst != nil {
			consts := make([]*data.Value, len(args))
			for i, a := range args {
				consts[i] = a.konst
			}
			t, msg = fn.ReturnConst(types, consts)
		} else {
			t, msg = fn.Return(types)
		}
		if msg != "" {
			return nil, c.errAt(x.At, "%s(): %s", x.Name, msg).WithHint("%s", fn.Signature)
		}
		rt = t
	}
	eval := fn.Eval
	site := &builtin.CallContext{Now: c.now}
	id := c.callSites
	c.callSites++
	if len(args) == 0 {
		return &cexpr{typ: rt, col: -1, eval: func(rc *rowCtx) data.Value { return eval(rc.callContext(id, site), nil) }}, nil
	}
	evs := make([]evalFn, len(args))
	for i, a := range args {
		evs[i] = a.eval
	}
	return &cexpr{typ: rt, col: -1, eval: func(rc *rowCtx) data.Value {
		base := len(rc.args)
		for _, e := range evs {
			v := e(rc) // may push and pop above base, or grow the stack
			rc.args = append(rc.args, v)
		}
		out := eval(rc.callContext(id, site), rc.args[base:])
		clear(rc.args[base:])
		rc.args = rc.args[:base]
		return out
	}}, nil
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d argument%s", min, plural(min))
	case min == max:
		return fmt.Sprintf("%d argument%s", min, plural(min))
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (c *compiler) unknownFunction(x *syntax.Call) error {
	var names []string
	for _, b := range builtin.All() {
		names = append(names, b.Name)
	}
	for _, a := range builtin.AllAggregates() {
		names = append(names, a.Name)
	}
	names = append(names, "iff", "iif", "case", "coalesce", "not", "toscalar", "column_ifexists")
	names = append(names, c.scope.functionNames()...)
	if known := unsupportedFunctions[x.Name]; known {
		return syntax.NotSupported(c.src, x.At, fmt.Sprintf("the function '%s'", x.Name))
	}
	err := c.errAt(x.At, "unknown function '%s'", x.Name)
	if best := syntax.Closest(x.Name, names); best != "" {
		err.Msg += fmt.Sprintf("; did you mean '%s'?", best)
	}
	return err
}

// unsupportedFunctions are Kusto functions offhunt knows of but does not
// run; calling one says "not supported" rather than "unknown".
var unsupportedFunctions = map[string]bool{
	"geo_point_to_s2cell": true, "series_decompose": true, "series_fir": true,
	"row_number": true, "prev": true, "next": true, "row_cumsum": true,
	"ipv6_compare": true, "ipv6_is_match": true, "hash_xxhash64": true,
	"percentiles": true, "percentile": true, "tdigest": true, "hll": true,
	"current_database": true, "cluster": true, "database": true, "table": true,
}

func (c *compiler) iff(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) != 3 {
		return nil, c.errAt(x.At, "%s() takes 3 arguments, not %d", x.Name, len(x.Args)).WithHint("iff(condition: bool, then, else)")
	}
	cond, err := c.scalar(x.Args[0], rs)
	if err != nil {
		return nil, err
	}
	th, err := c.scalar(x.Args[1], rs)
	if err != nil {
		return nil, err
	}
	el, err := c.scalar(x.Args[2], rs)
	if err != nil {
		return nil, err
	}
	t := unifyTypes(th.typ, el.typ)
	p, te, ee := cond.asPred(), th.eval, el.eval
	return &cexpr{typ: t, col: -1, eval: func(rc *rowCtx) data.Value {
		if p(rc) {
			return coerce(te(rc), t)
		}
		return coerce(ee(rc), t)
	}}, nil
}

// unifyTypes gives the type of an expression that yields a or b.
func unifyTypes(a, b data.Type) data.Type {
	switch {
	case a == b:
		return a
	case a == data.Unknown:
		return b
	case b == data.Unknown:
		return a
	case a.IsNumeric() && b.IsNumeric():
		if a == data.Real || b == data.Real {
			return data.Real
		}
		if a == data.Decimal || b == data.Decimal {
			return data.Decimal
		}
		return data.Long
	}
	return a
}

// coerce makes a value fit a unified numeric result type.
func coerce(v data.Value, t data.Type) data.Value {
	switch {
	case v.K == data.KNull:
		return nullOf(t)
	case t == data.Real && (v.K == data.KInt || v.K == data.KLong):
		return data.NewReal(float64(v.I))
	case t == data.Long && v.K == data.KInt:
		return data.NewLong(v.I)
	}
	return v
}

func (c *compiler) caseExpr(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) < 3 || len(x.Args)%2 == 0 {
		return nil, c.errAt(x.At, "case() takes pairs of condition and value, then a final else value").WithHint("case(predicate1, then1, [predicate2, then2, ...] else)")
	}
	var preds []predFn
	var vals []evalFn
	t := data.Unknown
	for i := 0; i+1 < len(x.Args); i += 2 {
		p, err := c.scalar(x.Args[i], rs)
		if err != nil {
			return nil, err
		}
		v, err := c.scalar(x.Args[i+1], rs)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p.asPred())
		vals = append(vals, v.eval)
		t = unifyTypes(t, v.typ)
	}
	el, err := c.scalar(x.Args[len(x.Args)-1], rs)
	if err != nil {
		return nil, err
	}
	t = unifyTypes(t, el.typ)
	ee := el.eval
	return &cexpr{typ: t, col: -1, eval: func(rc *rowCtx) data.Value {
		for i, p := range preds {
			if p(rc) {
				return coerce(vals[i](rc), t)
			}
		}
		return coerce(ee(rc), t)
	}}, nil
}

func (c *compiler) coalesce(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) < 1 {
		return nil, c.errAt(x.At, "coalesce() takes at least one argument")
	}
	var evs []evalFn
	t := data.Unknown
	for _, a := range x.Args {
		e, err := c.scalar(a, rs)
		if err != nil {
			return nil, err
		}
		evs = append(evs, e.eval)
		t = unifyTypes(t, e.typ)
	}
	return &cexpr{typ: t, col: -1, eval: func(rc *rowCtx) data.Value {
		for _, e := range evs {
			v := e(rc)
			if v.K != data.KNull && !(v.K == data.KString && v.S == "") {
				return coerce(v, t)
			}
		}
		return nullOf(t)
	}}, nil
}

func (c *compiler) not(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) != 1 {
		return nil, c.errAt(x.At, "not() takes 1 argument, not %d", len(x.Args))
	}
	c.negDepth++
	in, err := c.scalar(x.Args[0], rs)
	c.negDepth--
	if err != nil {
		return nil, err
	}
	if in.typ != data.Bool && in.typ != data.Unknown && in.typ != data.Dynamic {
		return nil, c.errAt(x.At, "not() needs a boolean, but this is %s", in.typ)
	}
	ev := in.eval
	return &cexpr{typ: data.Bool, col: -1,
		pred: func(rc *rowCtx) bool {
			v := ev(rc)
			return v.K == data.KBool && v.I == 0
		},
		eval: func(rc *rowCtx) data.Value {
			v := ev(rc)
			if v.K != data.KBool {
				return data.Null
			}
			return data.NewBool(v.I == 0)
		}}, nil
}

// toscalar runs a tabular expression once per run and takes the first
// column of its first row.
func (c *compiler) toscalar(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) != 1 {
		return nil, c.errAt(x.At, "toscalar() takes 1 argument")
	}
	arg := x.Args[0]
	if p, ok := arg.(*syntax.Paren); ok {
		arg = p.X
	}
	if !c.isTabular(arg) {
		return c.scalar(arg, rs)
	}
	n, err := c.tabular(arg)
	if err != nil {
		return nil, err
	}
	cols := n.columns()
	if len(cols) == 0 {
		return nil, c.errAt(x.At, "toscalar() needs a table with at least one column")
	}
	key := &struct{ n node }{n}
	return &cexpr{typ: cols[0].Type, col: -1, eval: func(rc *rowCtx) data.Value {
		rsv := rc.run
		if rsv == nil {
			return data.Null
		}
		if m, _ := rsv.memoized(key); m != nil {
			if v, ok := m.(data.Value); ok {
				return v
			}
		}
		v := nullOf(cols[0].Type)
		err := n.run(rsv, func(r data.Row) error {
			v = r[0]
			return errStop
		})
		if err != nil && err != errStop {
			rsv.fail(err)
		}
		rsv.remember(key, v)
		return v
	}}, nil
}

func (c *compiler) columnIfExists(x *syntax.Call, rs *rowScope) (*cexpr, error) {
	if len(x.Args) != 2 {
		return nil, c.errAt(x.At, "column_ifexists() takes 2 arguments").WithHint("column_ifexists(columnName: string, defaultValue)")
	}
	name, err := c.scalar(x.Args[0], nil)
	if err != nil || name.konst == nil || name.konst.K != data.KString {
		return nil, c.errAt(x.Args[0].Pos(), "the first argument of column_ifexists() must be a constant column name")
	}
	if i := rs.index(name.konst.S); i >= 0 {
		rs.markUsed(i)
		col := rs.cols[i]
		return &cexpr{typ: col.Type, col: i, name: col.Name, eval: func(rc *rowCtx) data.Value { return rc.row[i] }}, nil
	}
	return c.scalar(x.Args[1], rs)
}

// callUserScalar expands a user function whose body is a scalar
// expression at the call site: its parameters are bound to the compiled
// arguments, so the body sees the caller's row.
func (c *compiler) callUserScalar(x *syntax.Call, b *binding, rs *rowScope) (*cexpr, error) {
	fd := b.fn
	body, ok := fd.def.Body[len(fd.def.Body)-1].(*syntax.ExprStmt)
	if !ok {
		return nil, c.errAt(x.At, "the function '%s' has no result expression", x.Name)
	}
	if c.isTabular(body.X) {
		return nil, c.errAt(x.At, "'%s' returns a table, not a scalar", x.Name)
	}
	restore, err := c.bindParams(x, fd, rs)
	if err != nil {
		return nil, err
	}
	defer restore()
	for _, st := range fd.def.Body[:len(fd.def.Body)-1] {
		if err := c.stmt(st); err != nil {
			return nil, err
		}
	}
	out, err := c.scalar(body.X, rs)
	if err != nil {
		return nil, err
	}
	cp := *out
	cp.col = -1
	return &cp, nil
}

// bindParams opens the function's scope, binding each parameter to its
// argument (or default), and returns a function that closes it again.
func (c *compiler) bindParams(x *syntax.Call, fd *userFunc, rs *rowScope) (func(), error) {
	c.fnDepth++
	if c.fnDepth > MaxFunctionDepth {
		c.fnDepth--
		return nil, c.errAt(x.At, "functions call one another more than %d deep (recursion?)", MaxFunctionDepth)
	}
	params := fd.def.Params
	if len(x.Args) > len(params) {
		c.fnDepth--
		return nil, c.errAt(x.At, "%s() takes %d argument%s, not %d", x.Name, len(params), plural(len(params)), len(x.Args)).WithHint("%s", fd.signature(x.Name))
	}
	saved := c.scope
	inner := &scope{parent: fd.scope, names: map[string]*binding{}}
	for i, p := range params {
		var arg syntax.Expr
		if i < len(x.Args) {
			arg = x.Args[i]
		} else if p.Default != nil {
			arg = p.Default
		} else {
			c.fnDepth--
			return nil, c.errAt(x.At, "%s() needs the argument '%s'", x.Name, p.Name).WithHint("%s", fd.signature(x.Name))
		}
		if p.Tabular {
			n, err := c.tabular(arg)
			if err != nil {
				c.fnDepth--
				return nil, err
			}
			inner.names[p.Name] = &binding{table: n}
			continue
		}
		e, err := c.scalar(arg, rs)
		if err != nil {
			c.fnDepth--
			return nil, err
		}
		if p.Type != data.Unknown && e.typ != data.Unknown && e.typ != p.Type && !(p.Type.IsNumeric() && e.typ.IsNumeric()) && p.Type != data.Dynamic && e.typ != data.Dynamic {
			c.fnDepth--
			return nil, c.errAt(arg.Pos(), "argument '%s' of %s() must be %s, not %s", p.Name, x.Name, p.Type, e.typ).WithHint("%s", fd.signature(x.Name))
		}
		if p.Type != data.Unknown && p.Type != e.typ && e.konst != nil {
			e = constExpr(convertTo(*e.konst, p.Type), p.Type)
		}
		inner.names[p.Name] = &binding{scalar: e}
	}
	c.scope = inner
	return func() {
		c.scope = saved
		c.fnDepth--
	}, nil
}

func (f *userFunc) signature(name string) string {
	var parts []string
	for _, p := range f.def.Params {
		if p.Tabular {
			parts = append(parts, p.Name+": (table)")
		} else {
			parts = append(parts, p.Name+": "+p.Type.String())
		}
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}
