package kql

import (
	"fmt"
	"math"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
	"offhunt/detect/kql/syntax"
)

// aggCollector gathers the aggregate calls of one summarize aggregation
// expression: each call becomes a slot, and the expression around it is
// evaluated after the group is complete, over the slots' results.
type aggCollector struct {
	input []data.Column
	slots []aggSlot
}

type aggSlot struct {
	decl  *builtin.Aggregate
	args  []evalFn
	types []data.Type
}

func (a *aggCollector) add(c *compiler, x *syntax.Call, decl *builtin.Aggregate, outer *rowScope) (*cexpr, error) {
	if n := len(x.Args); n < decl.MinArgs || (decl.MaxArgs >= 0 && n > decl.MaxArgs) {
		return nil, c.errAt(x.At, "%s() takes %s, not %d", x.Name, arity(decl.MinArgs, decl.MaxArgs), n).WithHint("%s", decl.Signature)
	}
	in := &rowScope{cols: a.input}
	slot := aggSlot{decl: decl}
	for _, arg := range x.Args {
		if _, ok := arg.(*syntax.Star); ok && (x.Name == "count" || x.Name == "countif") {
			continue
		}
		e, err := c.scalar(arg, in)
		if err != nil {
			return nil, err
		}
		slot.args = append(slot.args, e.eval)
		slot.types = append(slot.types, e.typ)
	}
	rt := data.Dynamic
	if decl.Return != nil {
		t, msg := decl.Return(slot.types)
		if msg != "" {
			return nil, c.errAt(x.At, "%s(): %s", x.Name, msg).WithHint("%s", decl.Signature)
		}
		rt = t
	}
	i := len(a.slots)
	a.slots = append(a.slots, slot)
	return &cexpr{typ: rt, col: -1, eval: func(rc *rowCtx) data.Value { return rc.row[i] }}, nil
}

// summarizeNode groups rows and aggregates each group.
type summarizeNode struct {
	in       node
	cols     []data.Column
	keys     []evalFn
	keyTypes []data.Type
	slots    []aggSlot
	outs     []evalFn // one per aggregation column, over the slot results
	args     []*argAgg
	noBy     bool
}

// argAgg is an arg_max / arg_min aggregation: it keeps the columns of the
// row with the extreme value.
type argAgg struct {
	max  bool
	by   evalFn
	take []int // input column indexes copied from the chosen row
}

type group struct {
	keys  data.Row
	accs  []builtin.Accumulator
	best  []data.Value // per argAgg: the extreme value
	rows  []data.Row   // per argAgg: the chosen columns
	order int
}

func (n *summarizeNode) columns() []data.Column { return n.cols }

func (n *summarizeNode) newGroup(keys data.Row, order int) *group {
	g := &group{keys: keys, order: order}
	for _, s := range n.slots {
		g.accs = append(g.accs, s.decl.New(s.types))
	}
	g.best = make([]data.Value, len(n.args))
	g.rows = make([]data.Row, len(n.args))
	return g
}

func (n *summarizeNode) run(rs *runState, emit func(data.Row) error) error {
	groups := map[string]*group{}
	var order []*group
	rc := &rowCtx{run: rs}
	var keyBuf []byte
	keyVals := make(data.Row, len(n.keys))
	var argBuf []data.Value
	if n.noBy {
		g := n.newGroup(nil, 0)
		groups[""] = g
		order = append(order, g)
	}
	err := n.in.run(rs, func(r data.Row) error {
		rc.row = r
		keyBuf = keyBuf[:0]
		for i, k := range n.keys {
			keyVals[i] = k(rc)
			keyBuf = appendKey(keyBuf, keyVals[i])
		}
		g, ok := groups[string(keyBuf)]
		if !ok {
			if len(groups) >= MaxHeldRows {
				return heldRowsError("summarize")
			}
			g = n.newGroup(keyVals.Clone(), len(order))
			groups[string(keyBuf)] = g
			order = append(order, g)
		}
		for i, s := range n.slots {
			argBuf = argBuf[:0]
			for _, a := range s.args {
				argBuf = append(argBuf, a(rc))
			}
			g.accs[i].Add(argBuf)
		}
		for i, a := range n.args {
			v := a.by(rc)
			if g.rows[i] == nil || (!isNullish(v) && (isNullish(g.best[i]) || better(v, g.best[i], a.max))) {
				g.best[i] = v
				row := make(data.Row, len(a.take))
				for k, ci := range a.take {
					row[k] = r[ci]
				}
				g.rows[i] = row
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	out := make(data.Row, len(n.cols))
	slotRow := make(data.Row, len(n.slots))
	for _, g := range order {
		k := copy(out, g.keys)
		for i := range n.slots {
			slotRow[i] = g.accs[i].Result()
		}
		rc.row = slotRow
		ai := 0
		for _, o := range n.outs {
			if o == nil { // an arg_max/arg_min: its columns follow
				a := n.args[ai]
				if g.rows[ai] == nil {
					for range a.take {
						out[k] = data.Null
						k++
					}
					out[k] = data.Null
					k++
				} else {
					out[k] = g.best[ai]
					k++
					k += copy(out[k:], g.rows[ai])
				}
				ai++
				continue
			}
			out[k] = o(rc)
			k++
		}
		for i := range out {
			if out[i].K == data.KNull && n.cols[i].Type == data.String {
				out[i] = data.EmptyString
			}
		}
		if err := emit(out); err != nil {
			return err
		}
	}
	return nil
}

func better(v, best data.Value, max bool) bool {
	c := sortCompare(v, best)
	if max {
		return c > 0
	}
	return c < 0
}

func (c *compiler) summarize(in node, o *syntax.SummarizeOp) (node, error) {
	incols := in.columns()
	rs := &rowScope{cols: incols}
	n := &summarizeNode{in: in, noBy: len(o.By) == 0}
	names := map[string]int{}
	uniq := func(name string) string {
		if k, ok := names[name]; ok {
			names[name] = k + 1
			for {
				cand := fmt.Sprintf("%s%d", name, k)
				if _, taken := names[cand]; !taken {
					names[cand] = 1
					return cand
				}
				k++
			}
		}
		names[name] = 1
		return name
	}
	auto := 0
	keyNames := map[string]bool{}
	for _, ne := range o.By {
		e, err := c.scalar(ne.X, rs)
		if err != nil {
			return nil, err
		}
		name := ne.Name
		if name == "" {
			name = keyName(ne.X, e)
		}
		if name == "" {
			auto++
			name = fmt.Sprintf("Column%d", auto)
		}
		name = uniq(name)
		keyNames[name] = true
		n.cols = append(n.cols, data.Column{Name: name, Type: concreteType(e.typ)})
		n.keys = append(n.keys, e.eval)
		n.keyTypes = append(n.keyTypes, e.typ)
	}
	coll := &aggCollector{input: incols}
	for _, ne := range o.Aggs {
		if call, ok := ne.X.(*syntax.Call); ok && isArgExtreme(call.Name) {
			cols, a, err := c.argExtreme(call, ne, rs, keyNames)
			if err != nil {
				return nil, err
			}
			for i := range cols {
				cols[i].Name = uniq(cols[i].Name)
			}
			n.cols = append(n.cols, cols...)
			n.args = append(n.args, a)
			n.outs = append(n.outs, nil)
			continue
		}
		aggScope := &rowScope{agg: coll}
		e, err := c.scalar(ne.X, aggScope)
		if err != nil {
			return nil, err
		}
		name := ne.Name
		if name == "" {
			name = aggName(ne.X, rs)
		}
		if name == "" {
			auto++
			name = fmt.Sprintf("Column%d", auto)
		}
		n.cols = append(n.cols, data.Column{Name: uniq(name), Type: concreteType(e.typ)})
		n.outs = append(n.outs, e.eval)
	}
	n.slots = coll.slots
	if len(o.Aggs) == 0 && len(o.By) == 0 {
		return nil, c.errAt(o.At, "summarize needs an aggregation or a by clause")
	}
	return n, nil
}

func isArgExtreme(name string) bool {
	switch name {
	case "arg_max", "arg_min", "argmax", "argmin":
		return true
	}
	return false
}

// keyName is the name of an unnamed by key: a column keeps its name, and
// bin(Column, size) is named after the column, as Kusto does.
func keyName(x syntax.Expr, e *cexpr) string {
	if e.name != "" {
		return e.name
	}
	if call, ok := x.(*syntax.Call); ok && (call.Name == "bin" || call.Name == "floor" || call.Name == "bin_at") && len(call.Args) > 0 {
		if id, ok := call.Args[0].(*syntax.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// aggName is Kusto's default name of an aggregation column: the
// aggregate's prefix, "_", and the name of its first argument.
func aggName(x syntax.Expr, rs *rowScope) string {
	call, ok := x.(*syntax.Call)
	if !ok {
		return ""
	}
	decl, ok := builtin.LookupAggregate(call.Name)
	if !ok {
		return ""
	}
	arg := ""
	if len(call.Args) > 0 {
		switch a := call.Args[0].(type) {
		case *syntax.Ident:
			arg = a.Name
		case *syntax.Member:
			arg = memberName(a)
		}
	}
	if decl.Prefix == "" {
		return arg // take_any(State) is named State
	}
	return decl.Prefix + "_" + arg
}

func memberName(m *syntax.Member) string {
	switch b := m.X.(type) {
	case *syntax.Ident:
		return b.Name + "_" + m.Name
	case *syntax.Member:
		return memberName(b) + "_" + m.Name
	}
	return m.Name
}

// argExtreme compiles arg_max / arg_min: the first argument is maximised
// (minimised); the others name the columns to take from that row, with *
// for every column not already a key.
func (c *compiler) argExtreme(call *syntax.Call, ne syntax.NamedExpr, rs *rowScope, keyNames map[string]bool) ([]data.Column, *argAgg, error) {
	if len(call.Args) < 1 {
		return nil, nil, c.errAt(call.At, "%s() needs the expression to maximise", call.Name).WithHint("arg_max(ExprToMaximize, * | Column, ...)")
	}
	by, err := c.scalar(call.Args[0], rs)
	if err != nil {
		return nil, nil, err
	}
	a := &argAgg{max: call.Name == "arg_max" || call.Name == "argmax", by: by.eval}
	name := ne.Name
	if name == "" {
		name = by.name
	}
	if name == "" {
		if a.max {
			name = "max_expr"
		} else {
			name = "min_expr"
		}
	}
	cols := []data.Column{{Name: name, Type: concreteType(by.typ)}}
	taken := map[string]bool{name: true}
	add := func(i int) {
		col := rs.cols[i]
		if taken[col.Name] {
			return
		}
		taken[col.Name] = true
		a.take = append(a.take, i)
		cols = append(cols, col)
	}
	for _, arg := range call.Args[1:] {
		switch x := arg.(type) {
		case *syntax.Star:
			for i, col := range rs.cols {
				if !keyNames[col.Name] {
					add(i)
				}
			}
		case *syntax.Ident:
			i := rs.index(x.Name)
			if i < 0 {
				return nil, nil, c.unknownName(x.At, x.Name, rs)
			}
			add(i)
		default:
			return nil, nil, syntax.NotSupported(c.src, arg.Pos(), "a computed column inside "+call.Name+"()")
		}
	}
	return cols, a, nil
}

// appendKey encodes a value into a group or set key. Int and long encode
// alike so that 1 and int(1) group together; reals encode by bits, with
// every NaN alike.
func appendKey(b []byte, v data.Value) []byte {
	switch v.K {
	case data.KNull:
		return append(b, 0)
	case data.KBool, data.KInt, data.KLong:
		b = append(b, 1)
		return appendU64(b, uint64(v.I))
	case data.KReal, data.KDecimal:
		b = append(b, 2)
		f := v.F
		if math.IsNaN(f) {
			f = math.NaN()
		}
		if f == 0 {
			f = 0
		}
		return appendU64(b, math.Float64bits(f))
	case data.KString, data.KGuid:
		b = append(b, 3)
		b = appendU64(b, uint64(len(v.S)))
		return append(b, v.S...)
	case data.KDateTime:
		b = append(b, 4)
		return appendU64(b, uint64(v.I))
	case data.KTimeSpan:
		b = append(b, 5)
		return appendU64(b, uint64(v.I))
	}
	b = append(b, 6)
	s := data.ToString(v)
	b = appendU64(b, uint64(len(s)))
	return append(b, s...)
}

func appendU64(b []byte, u uint64) []byte {
	return append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
}
