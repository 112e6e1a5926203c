package kql

import (
	"fmt"
	"sort"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
	"offhunt/detect/kql/syntax"
)

// evaluate runs a plugin. The plugins offhunt has (bag_unpack and pivot)
// produce columns that depend on the data, so their input is read when the
// query is compiled, and the result is served as a table: every later
// operator can then be checked against real column names.
func (c *compiler) evaluate(in node, o *syntax.EvaluateOp) (node, error) {
	switch o.Plugin.Name {
	case "bag_unpack":
		return c.bagUnpack(in, o.Plugin)
	case "pivot":
		return c.pivot(in, o.Plugin)
	}
	return nil, syntax.NotSupported(c.src, o.At, fmt.Sprintf("the plugin '%s'", o.Plugin.Name))
}

func (c *compiler) bagUnpack(in node, call *syntax.Call) (node, error) {
	if len(call.Args) < 1 || len(call.Args) > 2 {
		return nil, c.errAt(call.At, "bag_unpack() takes a column and an optional prefix").WithHint("bag_unpack(column [, prefix])")
	}
	incols := in.columns()
	id, ok := call.Args[0].(*syntax.Ident)
	if !ok || data.ColumnIndex(incols, id.Name) < 0 {
		return nil, c.errAt(call.Args[0].Pos(), "bag_unpack() needs a dynamic column of the input")
	}
	bagCol := data.ColumnIndex(incols, id.Name)
	prefix := ""
	if len(call.Args) == 2 {
		p, err := c.scalar(call.Args[1], nil)
		if err != nil || p.konst == nil {
			return nil, c.errAt(call.Args[1].Pos(), "the prefix of bag_unpack() must be a constant string")
		}
		prefix = data.ToString(*p.konst)
	}
	t, err := collect(c.foldState(), in)
	if err != nil {
		return nil, err
	}
	var keys []string
	seen := map[string]bool{}
	for _, r := range t.Rows {
		if b := r[bagCol].Bag(); b != nil {
			for _, k := range b.Keys() {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	out := &data.Table{}
	for i, col := range incols {
		if i != bagCol {
			out.Columns = append(out.Columns, col)
		}
	}
	base := len(out.Columns)
	for _, k := range keys {
		out.Columns = append(out.Columns, data.Column{Name: prefix + k, Type: data.Dynamic})
	}
	for _, r := range t.Rows {
		row := make(data.Row, 0, len(out.Columns))
		for i, v := range r {
			if i != bagCol {
				row = append(row, v)
			}
		}
		b := r[bagCol].Bag()
		for range keys {
			row = append(row, data.Null)
		}
		for j, k := range keys {
			if v, ok := b.Get(k); ok {
				row[base+j] = v
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return &tableNode{t: out}, nil
}

func (c *compiler) pivot(in node, call *syntax.Call) (node, error) {
	if len(call.Args) < 1 {
		return nil, c.errAt(call.At, "pivot() needs the column to pivot on").WithHint("pivot(pivotColumn [, aggregation(column)] [, column, ...])")
	}
	incols := in.columns()
	rs := &rowScope{cols: incols}
	pid, ok := call.Args[0].(*syntax.Ident)
	if !ok || rs.index(pid.Name) < 0 {
		return nil, c.errAt(call.Args[0].Pos(), "pivot() needs a column of the input to pivot on")
	}
	pcol := rs.index(pid.Name)
	aggName := "count"
	var aggArg *cexpr
	rest := call.Args[1:]
	usedCols := map[int]bool{pcol: true}
	if len(rest) > 0 {
		if ac, ok := rest[0].(*syntax.Call); ok {
			aggName = ac.Name
			if len(ac.Args) > 0 {
				if _, star := ac.Args[0].(*syntax.Star); !star {
					e, err := c.scalar(ac.Args[0], rs)
					if err != nil {
						return nil, err
					}
					aggArg = e
					if e.col >= 0 {
						usedCols[e.col] = true
					}
				}
			}
			rest = rest[1:]
		}
	}
	decl, ok := builtin.LookupAggregate(aggName)
	if !ok {
		return nil, c.errAt(call.At, "unknown aggregation '%s' in pivot()", aggName)
	}
	var groupCols []int
	if len(rest) > 0 {
		for _, a := range rest {
			id, ok := a.(*syntax.Ident)
			if !ok || rs.index(id.Name) < 0 {
				return nil, c.errAt(a.Pos(), "pivot() groups by columns of the input")
			}
			groupCols = append(groupCols, rs.index(id.Name))
		}
	} else {
		for i := range incols {
			if !usedCols[i] && !isHidden(incols[i].Name) {
				groupCols = append(groupCols, i)
			}
		}
	}
	t, err := collect(c.foldState(), in)
	if err != nil {
		return nil, err
	}
	var argTypes []data.Type
	if aggArg != nil {
		argTypes = []data.Type{aggArg.typ}
	}
	type cell struct{ acc builtin.Accumulator }
	type grp struct {
		keys  data.Row
		cells map[string]builtin.Accumulator
	}
	var pivots []string
	seenPivot := map[string]bool{}
	groups := map[string]*grp{}
	var order []*grp
	rc := &rowCtx{run: c.foldState()}
	for _, r := range t.Rows {
		var kb []byte
		keys := make(data.Row, len(groupCols))
		for i, gc := range groupCols {
			keys[i] = r[gc]
			kb = appendKey(kb, r[gc])
		}
		g, ok := groups[string(kb)]
		if !ok {
			g = &grp{keys: keys, cells: map[string]builtin.Accumulator{}}
			groups[string(kb)] = g
			order = append(order, g)
		}
		pv := data.ToString(r[pcol])
		if !seenPivot[pv] {
			seenPivot[pv] = true
			pivots = append(pivots, pv)
		}
		acc, ok := g.cells[pv]
		if !ok {
			acc = decl.New(argTypes)
			g.cells[pv] = acc
		}
		rc.row = r
		if aggArg != nil {
			acc.Add([]data.Value{aggArg.eval(rc)})
		} else {
			acc.Add(nil)
		}
	}
	sort.Strings(pivots)
	rt := data.Long
	if decl.Return != nil {
		if t, msg := decl.Return(argTypes); msg == "" {
			rt = t
		}
	}
	out := &data.Table{}
	for _, gc := range groupCols {
		out.Columns = append(out.Columns, incols[gc])
	}
	for _, p := range pivots {
		out.Columns = append(out.Columns, data.Column{Name: p, Type: concreteType(rt)})
	}
	empty := decl.New(argTypes).Result()
	for _, g := range order {
		row := append(data.Row(nil), g.keys...)
		for _, p := range pivots {
			if acc, ok := g.cells[p]; ok {
				row = append(row, acc.Result())
			} else {
				row = append(row, empty)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return &tableNode{t: out}, nil
}

// search filters tables on a predicate; a bare string means "any column
// has this term". Across several tables the result gains a $table column.
func (c *compiler) search(in node, s *syntax.SearchExpr) (node, error) {
	pred := searchPredicate(s.Pred, s.Kind == "case_sensitive")
	filter := func(n node) (node, error) {
		return c.where(n, &syntax.WhereOp{At: s.At, Pred: pred})
	}
	if in != nil {
		return filter(in)
	}
	var legs []node
	names := s.Tables
	if len(names) == 0 {
		for n, src := range c.tables {
			if src.Name() == n {
				names = append(names, n)
			}
		}
		sort.Strings(names)
	}
	for _, name := range names {
		n, err := c.tableRef(&syntax.Ident{At: s.At, Name: name})
		if err != nil {
			return nil, err
		}
		f, err := filter(n)
		if err != nil {
			if len(s.Tables) == 0 {
				continue // a table without the searched column is skipped
			}
			return nil, err
		}
		legs = append(legs, &namedNode{node: f, name: name})
	}
	if len(legs) == 0 {
		return nil, c.errAt(s.At, "search has no table to look in")
	}
	return c.unionOf(legs, "$table", "outer", nil)
}

// searchPredicate rewrites search's shorthand into ordinary predicates: a
// bare string is `* has "x"`, `Col:"x"` is `Col has "x"`, and a `*` at the
// start or end of the term makes it hassuffix, hasprefix or contains (the
// search operator's page). kind=case_sensitive uses the _cs operators.
func searchPredicate(e syntax.Expr, cs bool) syntax.Expr {
	switch x := e.(type) {
	case *syntax.Literal:
		if x.Type == data.String {
			op, term := searchTerm(x.Value.S, cs)
			return &syntax.Binary{At: x.At, Op: op, L: &syntax.Star{At: x.At}, R: stringLit(x.At, term)}
		}
	case *syntax.Binary:
		switch x.Op {
		case ":":
			if lit, ok := x.R.(*syntax.Literal); ok && lit.Type == data.String {
				op, term := searchTerm(lit.Value.S, cs)
				return &syntax.Binary{At: x.At, Op: op, L: x.L, R: stringLit(lit.At, term)}
			}
		case "and", "or":
			return &syntax.Binary{At: x.At, Op: x.Op, L: searchPredicate(x.L, cs), R: searchPredicate(x.R, cs)}
		}
	case *syntax.Call:
		if x.Name == "not" && len(x.Args) == 1 {
			return &syntax.Call{At: x.At, Name: "not", Args: []syntax.Expr{searchPredicate(x.Args[0], cs)}}
		}
	case *syntax.Paren:
		return &syntax.Paren{At: x.At, X: searchPredicate(x.X, cs)}
	}
	return e
}

func searchTerm(s string, cs bool) (op, term string) {
	lead, trail := strings.HasPrefix(s, "*"), strings.HasSuffix(s, "*") && len(s) > 1
	term = strings.TrimSuffix(strings.TrimPrefix(s, "*"), "*")
	switch {
	case lead && trail:
		op = "contains"
	case lead:
		op = "hassuffix"
	case trail:
		op = "hasprefix"
	default:
		op = "has"
	}
	if cs {
		op += "_cs"
	}
	return op, term
}

func stringLit(at int, s string) *syntax.Literal {
	return &syntax.Literal{At: at, Type: data.String, Value: data.NewString(s), Text: data.QuoteKQL(s)}
}
