package kql

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// operator compiles one tabular operator over its input.
func (c *compiler) operator(in node, op syntax.Operator) (node, error) {
	switch o := op.(type) {
	case *syntax.WhereOp:
		return c.where(in, o)
	case *syntax.ProjectOp:
		if o.Kind == "extend" {
			return c.extend(in, o.Columns)
		}
		return c.project(in, o)
	case *syntax.ProjectAwayOp:
		return c.projectAway(in, o)
	case *syntax.ProjectRenameOp:
		return c.projectRename(in, o)
	case *syntax.ProjectReorderOp:
		return c.projectReorder(in, o)
	case *syntax.SummarizeOp:
		return c.summarize(in, o)
	case *syntax.SortOp:
		return c.sort(in, o.Keys, -1, o.At)
	case *syntax.TopOp:
		return c.top(in, o)
	case *syntax.TakeOp:
		n, err := c.countArg(o.N, "take")
		if err != nil {
			return nil, err
		}
		return &takeNode{in: in, n: n}, nil
	case *syntax.DistinctOp:
		return c.distinct(in, o)
	case *syntax.CountOp:
		return &countNode{in: in}, nil
	case *syntax.JoinOp:
		return c.join(in, o.Kind, o.Right, o.On, o.At, false)
	case *syntax.LookupOp:
		return c.join(in, o.Kind, o.Right, o.On, o.At, true)
	case *syntax.MvExpandOp:
		return c.mvExpand(in, o)
	case *syntax.ParseOp:
		return c.parseOp(in, o)
	case *syntax.EvaluateOp:
		return c.evaluate(in, o)
	case *syntax.GetSchemaOp:
		return getSchema(in), nil
	case *syntax.SerializeOp:
		if len(o.Columns) == 0 {
			return in, nil
		}
		return c.extend(in, o.Columns)
	case *syntax.InvokeOp:
		return c.invoke(in, o)
	case *syntax.AsOp:
		named := &namedNode{node: in, name: o.Name}
		c.scope.names[o.Name] = &binding{table: named}
		return named, nil
	case *syntax.RenderOp:
		// A render that is not last still draws nothing offline.
		return in, nil
	case *syntax.UnionOp:
		return c.union(in, o.Union)
	case *syntax.SearchOp:
		return c.search(in, o.Search)
	case *syntax.UnsupportedOp:
		return nil, syntax.NotSupported(c.src, o.At, fmt.Sprintf("the operator '%s'", o.Name))
	}
	return nil, c.errAt(op.Pos(), "the operator %s is not supported", op.String())
}

func (c *compiler) where(in node, o *syntax.WhereOp) (node, error) {
	if pushed, ok := c.pushIntoInnerUnique(in, o); ok {
		return pushed, nil
	}
	rs := &rowScope{cols: in.columns(), used: make([]bool, len(in.columns()))}
	e, err := c.scalar(o.Pred, rs)
	if err != nil {
		return nil, err
	}
	if e.typ != data.Bool && e.typ != data.Unknown && e.typ != data.Dynamic {
		err := c.errAt(o.Pred.Pos(), "where needs a boolean condition, but this is %s", e.typ)
		if b, ok := o.Pred.(*syntax.Binary); ok && b.Op == "=" {
			err.Hint = "use == to compare"
		}
		return nil, err
	}
	if s, ok := in.(*scanNode); ok && !NoPushdown.Load() {
		return c.pushWhere(s, e, rs.used, o.Pred, usesNow(o.Pred)), nil
	}
	f := &filterNode{in: in, pred: e.asPred(), timeFilter: usesNow(o.Pred), reads: rs.used}
	f.pure = !f.timeFilter && c.pure(o.Pred)
	if f.pure && !NoPushdown.Load() {
		if pushed, ok := c.pushChain(in, f); ok {
			return pushed, nil
		}
	}
	return f, nil
}

// usesNow reports whether an expression calls ago() or now().
func usesNow(e syntax.Expr) bool { return countNowCalls(e) > 0 }

// countNowCalls counts the calls of ago() and now() in an expression.
func countNowCalls(e syntax.Expr) int {
	n := 0
	syntax.Walk(e, func(x syntax.Node) bool {
		if call, ok := x.(*syntax.Call); ok && (call.Name == "ago" || call.Name == "now") {
			n++
		}
		return true
	})
	return n
}

// countArg compiles the constant row count of take/top.
func (c *compiler) countArg(e syntax.Expr, op string) (int64, error) {
	v, err := c.scalar(e, nil)
	if err != nil {
		return 0, err
	}
	if v.konst == nil {
		return 0, c.errAt(e.Pos(), "the row count of %s must be a constant", op)
	}
	n, ok := asLong(*v.konst)
	if !ok {
		return 0, c.errAt(e.Pos(), "the row count of %s must be a number", op)
	}
	return n, nil
}

// columnName derives the name Kusto gives an unnamed projected expression.
func columnName(ne syntax.NamedExpr, e *cexpr, auto *int) string {
	if ne.Name != "" {
		return ne.Name
	}
	if e.name != "" {
		return e.name
	}
	*auto++
	return fmt.Sprintf("Column%d", *auto)
}

func (c *compiler) project(in node, o *syntax.ProjectOp) (node, error) {
	rs := &rowScope{cols: in.columns(), used: make([]bool, len(in.columns()))}
	var cols []data.Column
	var evs []evalFn
	auto := 0
	seen := map[string]bool{}
	for _, ne := range o.Columns {
		if len(ne.Names) > 0 {
			return nil, syntax.NotSupported(c.src, ne.At, "assigning several columns at once")
		}
		// project accepts wildcards: `project Device*`.
		if id, ok := ne.X.(*syntax.Ident); ok && ne.Name == "" && strings.Contains(id.Name, "*") {
			for i, col := range rs.cols {
				if ok, _ := path.Match(id.Name, col.Name); ok && !seen[col.Name] && !isHidden(col.Name) {
					seen[col.Name] = true
					idx := i
					cols = append(cols, col)
					evs = append(evs, func(rc *rowCtx) data.Value { return rc.row[idx] })
				}
			}
			continue
		}
		e, err := c.scalar(ne.X, rs)
		if err != nil {
			return nil, err
		}
		name := columnName(ne, e, &auto)
		if seen[name] {
			return nil, c.errAt(ne.At, "the column '%s' is projected twice", name)
		}
		seen[name] = true
		cols = append(cols, data.Column{Name: name, Type: concreteType(e.typ)})
		evs = append(evs, e.eval)
	}
	pure := true
	for _, ne := range o.Columns {
		pure = pure && c.pure(ne.X)
	}
	return &projectNode{in: in, cols: cols, exprs: evs, pure: pure, reads: rs.used}, nil
}

// extend appends computed columns; a name that exists is replaced in place.
func (c *compiler) extend(in node, named []syntax.NamedExpr) (node, error) {
	incols := in.columns()
	rs := &rowScope{cols: incols, used: make([]bool, len(incols))}
	cols := append([]data.Column(nil), incols...)
	evs := make([]evalFn, len(incols))
	from := make([]int, len(incols))
	for i := range incols {
		idx := i
		evs[i] = func(rc *rowCtx) data.Value { return rc.row[idx] }
		from[i] = i
	}
	auto := 0
	for _, ne := range named {
		if len(ne.Names) > 0 {
			return nil, syntax.NotSupported(c.src, ne.At, "assigning several columns at once")
		}
		e, err := c.scalar(ne.X, rs)
		if err != nil {
			return nil, err
		}
		name := columnName(ne, e, &auto)
		col := data.Column{Name: name, Type: concreteType(e.typ)}
		if i := data.ColumnIndex(cols, name); i >= 0 {
			cols[i] = col
			evs[i] = e.eval
			from[i] = -1
		} else {
			cols = append(cols, col)
			evs = append(evs, e.eval)
			from = append(from, -1)
		}
	}
	pure := true
	for _, ne := range named {
		pure = pure && c.pure(ne.X)
	}
	return &projectNode{in: in, cols: cols, exprs: evs, from: from, pure: pure, reads: rs.used}, nil
}

// selectColumns builds a projection that keeps the given input columns in order.
func selectColumns(in node, idx []int, names []string) node {
	incols := in.columns()
	cols := make([]data.Column, len(idx))
	evs := make([]evalFn, len(idx))
	for k, i := range idx {
		cols[k] = incols[i]
		if names != nil {
			cols[k].Name = names[k]
		}
		ii := i
		evs[k] = func(rc *rowCtx) data.Value { return rc.row[ii] }
	}
	return &projectNode{in: in, cols: cols, exprs: evs, from: slices.Clone(idx), pure: true, reads: make([]bool, len(incols))}
}

func (c *compiler) projectAway(in node, o *syntax.ProjectAwayOp) (node, error) {
	incols := in.columns()
	match := make([]bool, len(incols))
	for _, p := range o.Patterns {
		found := false
		for i, col := range incols {
			if ok, _ := path.Match(p, col.Name); ok {
				match[i] = true
				found = true
			}
		}
		if !found && !strings.Contains(p, "*") {
			return nil, c.unknownName(o.At, p, &rowScope{cols: incols})
		}
	}
	var idx []int
	for i := range incols {
		if match[i] == o.Keep {
			idx = append(idx, i)
		}
	}
	return selectColumns(in, idx, nil), nil
}

func (c *compiler) projectRename(in node, o *syntax.ProjectRenameOp) (node, error) {
	incols := in.columns()
	names := data.ColumnNames(incols)
	idx := make([]int, len(incols))
	for i := range idx {
		idx[i] = i
	}
	for _, p := range o.Pairs {
		i := data.ColumnIndex(incols, p.Old)
		if i < 0 {
			return nil, c.unknownName(o.At, p.Old, &rowScope{cols: incols})
		}
		names[i] = p.New
	}
	return selectColumns(in, idx, names), nil
}

func (c *compiler) projectReorder(in node, o *syntax.ProjectReorderOp) (node, error) {
	incols := in.columns()
	used := make([]bool, len(incols))
	var idx []int
	for k, p := range o.Patterns {
		var group []int
		for i, col := range incols {
			if ok, _ := path.Match(p, col.Name); ok && !used[i] {
				group = append(group, i)
			}
		}
		if len(group) == 0 && !strings.Contains(p, "*") {
			return nil, c.unknownName(o.At, p, &rowScope{cols: incols})
		}
		if ord := o.Orders[k]; ord != "" {
			desc := strings.HasSuffix(ord, "desc")
			for a := 1; a < len(group); a++ {
				for b := a; b > 0; b-- {
					x, y := incols[group[b-1]].Name, incols[group[b]].Name
					if (x > y) != desc && x != y {
						group[b-1], group[b] = group[b], group[b-1]
					}
				}
			}
		}
		for _, i := range group {
			used[i] = true
			idx = append(idx, i)
		}
	}
	for i := range incols {
		if !used[i] {
			idx = append(idx, i)
		}
	}
	return selectColumns(in, idx, nil), nil
}

// getSchema describes the input's columns as a table.
func getSchema(in node) node {
	t := &data.Table{Columns: []data.Column{
		{Name: "ColumnName", Type: data.String},
		{Name: "ColumnOrdinal", Type: data.Int},
		{Name: "DataType", Type: data.String},
		{Name: "ColumnType", Type: data.String},
	}}
	for i, col := range visibleCols(in.columns()) {
		t.Rows = append(t.Rows, data.Row{
			data.NewString(col.Name), data.NewInt(int64(i)),
			data.NewString(col.Type.SystemName()), data.NewString(col.Type.String()),
		})
	}
	return &tableNode{t: t}
}

func (c *compiler) invoke(in node, o *syntax.InvokeOp) (node, error) {
	b := c.scope.lookup(o.Func.Name)
	if b == nil || b.fn == nil {
		return nil, c.errAt(o.At, "invoke needs a function defined with let; '%s' is not one", o.Func.Name)
	}
	params := b.fn.def.Params
	if len(params) == 0 || !params[0].Tabular {
		return nil, c.errAt(o.At, "the function '%s' must take a table as its first parameter to be invoked", o.Func.Name)
	}
	// Bind the left side under a hidden name and pass it as the first argument.
	hidden := fmt.Sprintf("__invoke_%d", o.At)
	c.scope.names[hidden] = &binding{table: in}
	args := append([]syntax.Expr{&syntax.Ident{At: o.At, Name: hidden}}, o.Func.Args...)
	return c.callUserTabular(&syntax.Call{At: o.Func.At, Name: o.Func.Name, Args: args}, b)
}

// pushIntoInnerUnique moves a filter on left-side columns below an
// innerunique join, as Kusto's planner does. It changes results, not only
// speed: innerunique keeps one left row per key, so filtering first decides
// which one survives (the join-innerunique-filter example of the join docs).
func (c *compiler) pushIntoInnerUnique(in node, o *syntax.WhereOp) (node, bool) {
	j, ok := in.(*joinNode)
	if !ok || j.kind != "innerunique" {
		return nil, false
	}
	lcols := j.left.columns()
	for _, name := range identNames(o.Pred) {
		i := data.ColumnIndex(lcols, name)
		if i < 0 || data.ColumnIndex(j.cols, name) != i {
			return nil, false
		}
	}
	e, err := c.scalar(o.Pred, &rowScope{cols: lcols})
	if err != nil || (e.typ != data.Bool && e.typ != data.Unknown) {
		return nil, false
	}
	cp := *j
	cp.left = &filterNode{in: j.left, pred: e.asPred()}
	return &cp, true
}

// identNames lists the names an expression refers to.
func identNames(e syntax.Expr) []string {
	var out []string
	var walk func(e syntax.Expr)
	walk = func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Ident:
			out = append(out, x.Name)
		case *syntax.Binary:
			walk(x.L)
			walk(x.R)
		case *syntax.Unary:
			walk(x.X)
		case *syntax.Paren:
			walk(x.X)
		case *syntax.Call:
			for _, a := range x.Args {
				walk(a)
			}
		case *syntax.InExpr:
			walk(x.X)
			for _, a := range x.List {
				walk(a)
			}
		case *syntax.BetweenExpr:
			walk(x.X)
			walk(x.Lo)
			walk(x.Hi)
		case *syntax.Member:
			walk(x.X)
		case *syntax.Index:
			walk(x.X)
			walk(x.Index)
		case *syntax.Literal:
		case *syntax.Star:
			out = append(out, "*")
		default:
			out = append(out, "*") // anything else: do not push
		}
	}
	walk(e)
	return out
}
