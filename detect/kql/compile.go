package kql

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// compiler binds names, checks types and builds plans. It runs once per
// query; nothing here runs per row.
type compiler struct {
	src     string
	env     *Env
	now     int64
	scope   *scope
	tables  map[string]data.Source
	depth   int
	fnDepth int
	fold    *runState
	// negDepth counts enclosing negations while compiling, and explain
	// collects the predicates Explain reruns (explain.go).
	negDepth int
	explain  []explainer
	// callSites numbers the builtin calls compiled, for their
	// per-goroutine state (rowCtx.callContext).
	callSites int
	// nowCalls counts the calls of now() and ago() compiled (latenow.go).
	nowCalls int
}

// scope holds let bindings; inner scopes (function bodies) shadow outer ones.
type scope struct {
	parent *scope
	names  map[string]*binding
}

// binding is what a let name denotes: exactly one field is set.
type binding struct {
	scalar *cexpr
	table  node
	fn     *userFunc
}

// userFunc is a function or view from let, with the scope it was defined in.
type userFunc struct {
	def   *syntax.FuncDef
	scope *scope
}

func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.names[name]; ok {
			return b
		}
	}
	return nil
}

func (s *scope) scalarNames() []string {
	var out []string
	for ; s != nil; s = s.parent {
		for n, b := range s.names {
			if b.scalar != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func (s *scope) functionNames() []string {
	var out []string
	for ; s != nil; s = s.parent {
		for n, b := range s.names {
			if b.fn != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func (c *compiler) errAt(pos int, format string, args ...any) *syntax.Error {
	return syntax.Errorf(c.src, pos, format, args...)
}

// foldState is the run state used to fold constants at compile time.
func (c *compiler) foldState() *runState {
	if c.fold == nil {
		c.fold = newRunState(nil, c.now)
	}
	return c.fold
}

func compile(src string, env *Env) (prog *Program, err error) {
	if env == nil {
		env = &Env{}
	}
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("internal error while compiling the query: %v", r)
		}
	}()
	q, err := syntax.Parse(src)
	if err != nil {
		return nil, err
	}
	c := &compiler{src: src, env: env, now: env.Now, scope: &scope{names: map[string]*binding{}}, tables: map[string]data.Source{}}
	for _, t := range env.Tables {
		c.tables[t.Name()] = t
	}
	for name, t := range env.Aliases {
		if _, ok := c.tables[name]; !ok {
			c.tables[name] = t
		}
	}
	p := &Program{src: src, env: env}
	defer func() {
		if p != nil {
			p.explain = c.explain
			p.nowCalls = c.nowCalls
		}
	}()
	for _, st := range q.Stmts {
		es, ok := st.(*syntax.ExprStmt)
		if !ok {
			if err := c.stmt(st); err != nil {
				return nil, err
			}
			continue
		}
		pl, err := c.statementPlan(es.X)
		if err != nil {
			return nil, err
		}
		p.stmts = append(p.stmts, pl)
	}
	if len(p.stmts) == 0 {
		return nil, c.errAt(len(src), "the query has no tabular expression to run").WithHint("end it with a table expression such as DeviceProcessEvents | take 10")
	}
	return p, nil
}

// statementPlan compiles a tabular statement, noting a trailing render.
func (c *compiler) statementPlan(e syntax.Expr) (*plan, error) {
	render := ""
	if pp, ok := e.(*syntax.Pipe); ok {
		if r, ok := pp.Op.(*syntax.RenderOp); ok {
			render = r.Kind
			e = pp.X
		}
	}
	if !c.isTabular(e) {
		return nil, c.errAt(e.Pos(), "a query statement must be a table expression, not a scalar").WithHint("use print to show a scalar: print %s", e.String())
	}
	n, err := c.tabular(e)
	if err != nil {
		return nil, err
	}
	return &plan{root: n, render: render, now: c.now}, nil
}

// stmt compiles a let or set statement into the current scope.
func (c *compiler) stmt(st syntax.Stmt) error {
	switch s := st.(type) {
	case *syntax.SetStmt:
		return nil
	case *syntax.LetStmt:
		switch v := s.Value.(type) {
		case *syntax.FuncDef:
			c.scope.names[s.Name] = &binding{fn: &userFunc{def: v, scope: c.scope}}
			return nil
		case syntax.Expr:
			if c.isTabular(v) {
				n, err := c.tabular(v)
				if err != nil {
					return err
				}
				c.scope.names[s.Name] = &binding{table: n}
				return nil
			}
			e, err := c.scalar(v, nil)
			if err != nil {
				return err
			}
			c.scope.names[s.Name] = &binding{scalar: e}
			return nil
		}
		return c.errAt(s.At, "let '%s' has no value", s.Name)
	case *syntax.ExprStmt:
		return c.errAt(s.Pos(), "a function body may only end with an expression")
	}
	return c.errAt(st.Pos(), "unexpected statement")
}

// isTabular decides whether an expression denotes a table. Names are
// resolved against let bindings, then the inputs.
func (c *compiler) isTabular(e syntax.Expr) bool {
	switch x := e.(type) {
	case *syntax.Pipe, *syntax.DatatableExpr, *syntax.PrintExpr, *syntax.RangeExpr, *syntax.UnionExpr,
		*syntax.ExternalDataExpr, *syntax.MaterializeExpr, *syntax.SearchExpr:
		return true
	case *syntax.Paren:
		return c.isTabular(x.X)
	case *syntax.Ident:
		if b := c.scope.lookup(x.Name); b != nil {
			return b.table != nil || (b.fn != nil && b.fn.def.View)
		}
		if strings.HasSuffix(x.Name, "*") {
			return true
		}
		_, ok := c.tables[x.Name]
		return ok || knownTableName(x.Name)
	case *syntax.Call:
		if b := c.scope.lookup(x.Name); b != nil && b.fn != nil {
			last, ok := b.fn.def.Body[len(b.fn.def.Body)-1].(*syntax.ExprStmt)
			if !ok {
				return false
			}
			saved := c.scope
			c.scope = &scope{parent: b.fn.scope, names: map[string]*binding{}}
			for _, p := range b.fn.def.Params {
				if p.Tabular {
					c.scope.names[p.Name] = &binding{table: &tableNode{t: &data.Table{}}}
				} else {
					c.scope.names[p.Name] = &binding{scalar: constExpr(data.Null, p.Type)}
				}
			}
			for _, st := range b.fn.def.Body[:len(b.fn.def.Body)-1] {
				if ls, ok := st.(*syntax.LetStmt); ok {
					if _, isFn := ls.Value.(*syntax.FuncDef); !isFn {
						if ex, ok := ls.Value.(syntax.Expr); ok && c.isTabular(ex) {
							c.scope.names[ls.Name] = &binding{table: &tableNode{t: &data.Table{}}}
						} else {
							c.scope.names[ls.Name] = &binding{scalar: constExpr(data.Null, data.Unknown)}
						}
					}
				}
			}
			t := c.isTabular(last.X)
			c.scope = saved
			return t
		}
		return x.Name == "materialize" || x.Name == "view"
	}
	return false
}

// knownTableName reports whether name is a table offhunt knows the schema
// of, so that an unknown-table error can say the table is merely absent.
func knownTableName(name string) bool {
	switch name {
	case "DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceEvents",
		"DeviceRegistryEvents", "DeviceImageLoadEvents", "DeviceLogonEvents", "DeviceInfo",
		"DeviceTvmSoftwareInventory", "SecurityEvent", "Event", "Syslog", "SigninLogs":
		return true
	}
	return false
}

// tabular compiles a tabular expression into a plan node.
func (c *compiler) tabular(e syntax.Expr) (node, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > syntax.MaxNestingDepth {
		return nil, c.errAt(e.Pos(), "the query is nested more than %d deep", syntax.MaxNestingDepth)
	}
	switch x := e.(type) {
	case *syntax.Paren:
		return c.tabular(x.X)
	case *syntax.Ident:
		return c.tableRef(x)
	case *syntax.Pipe:
		src, ops := flattenPipe(x)
		in, err := c.tabular(src)
		if err != nil {
			return nil, err
		}
		if s, ok := in.(*scanNode); ok && !NoPushdown.Load() {
			cp := *s
			cp.need = c.neededColumns(ops, s.cols)
			in = &cp
		}
		for _, op := range ops {
			if in, err = c.operator(in, op); err != nil {
				return nil, err
			}
		}
		return in, nil
	case *syntax.DatatableExpr:
		return c.datatable(x)
	case *syntax.PrintExpr:
		return c.print(x)
	case *syntax.RangeExpr:
		return c.rangeExpr(x)
	case *syntax.UnionExpr:
		return c.union(nil, x)
	case *syntax.ExternalDataExpr:
		return c.externalData(x)
	case *syntax.MaterializeExpr:
		return c.materialize(x.X)
	case *syntax.SearchExpr:
		return c.search(nil, x)
	case *syntax.Call:
		if b := c.scope.lookup(x.Name); b != nil && b.fn != nil {
			return c.callUserTabular(x, b)
		}
		if x.Name == "materialize" && len(x.Args) == 1 {
			return c.materialize(x.Args[0])
		}
		if x.Name == "imProcessCreate" || strings.HasPrefix(x.Name, "_Im_") || strings.HasPrefix(x.Name, "_ASim_") || strings.HasPrefix(x.Name, "im") && len(x.Name) > 2 && x.Name[2] >= 'A' && x.Name[2] <= 'Z' {
			return nil, c.asimError(x.At, x.Name)
		}
		return nil, c.errAt(x.At, "unknown tabular function '%s'", x.Name)
	}
	return nil, c.errAt(e.Pos(), "expected a table expression here, not %s", e.String())
}

func (c *compiler) asimError(pos int, name string) error {
	return c.errAt(pos, "'%s' is a Microsoft Sentinel ASIM parser function; it is not supported offline", name).
		WithHint("query the source table (DeviceProcessEvents, SecurityEvent) directly")
}

// tableRef resolves a table name: a let binding, a view, an input, or a
// wildcard.
func (c *compiler) tableRef(x *syntax.Ident) (node, error) {
	if b := c.scope.lookup(x.Name); b != nil {
		switch {
		case b.table != nil:
			return b.table, nil
		case b.fn != nil:
			return c.callUserTabular(&syntax.Call{At: x.At, Name: x.Name}, b)
		}
		return nil, c.errAt(x.At, "'%s' is a scalar, not a table", x.Name)
	}
	if strings.Contains(x.Name, "*") {
		legs := c.matchTables(x.Name)
		if len(legs) == 0 {
			return &tableNode{t: &data.Table{}}, nil
		}
		return c.unionOf(legs, "", "outer", nil)
	}
	if src, ok := c.tables[x.Name]; ok {
		return &scanNode{src: src, cols: src.Columns()}, nil
	}
	if x.Name == "imProcessCreate" || strings.HasPrefix(x.Name, "_Im_") {
		return nil, c.asimError(x.At, x.Name)
	}
	return nil, c.unknownTable(x.At, x.Name)
}

func (c *compiler) unknownTable(pos int, name string) error {
	var names []string
	for n := range c.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	err := c.errAt(pos, "unknown table '%s'", name)
	if best := syntax.Closest(name, names); best != "" {
		err.Msg += fmt.Sprintf("; did you mean '%s'?", best)
	}
	if len(names) == 0 {
		err.Hint = "no tables are loaded; add an export that holds it"
	} else {
		err.Hint = "loaded tables: " + strings.Join(names, ", ")
	}
	if knownTableName(name) && len(names) > 0 {
		err.Msg = fmt.Sprintf("the table '%s' is not among the inputs", name)
	}
	return err
}

// matchTables returns the inputs, and the views declared with let, whose
// names match a wildcard pattern (the union page: views take part in
// wildcard unions, other lets do not).
func (c *compiler) matchTables(pattern string) []node {
	var names []string
	seen := map[string]bool{}
	for n, src := range c.tables {
		if ok, _ := path.Match(pattern, n); ok && src.Name() == n {
			names = append(names, n)
			seen[n] = true
		}
	}
	views := map[string]*binding{}
	for s := c.scope; s != nil; s = s.parent {
		for n, b := range s.names {
			if b.fn != nil && b.fn.def.View && len(b.fn.def.Params) == 0 && !seen[n] {
				if ok, _ := path.Match(pattern, n); ok {
					views[n] = b
					names = append(names, n)
					seen[n] = true
				}
			}
		}
	}
	sort.Strings(names)
	var out []node
	for _, n := range names {
		if b, ok := views[n]; ok {
			if v, err := c.callUserTabular(&syntax.Call{Name: n}, b); err == nil {
				out = append(out, v)
			}
			continue
		}
		src := c.tables[n]
		out = append(out, &namedNode{node: &scanNode{src: src, cols: src.Columns()}, name: n})
	}
	return out
}

// namedNode carries a union leg's source name (for withsource).
type namedNode struct {
	node
	name string
}

// callUserTabular expands a user function or view whose body is tabular.
func (c *compiler) callUserTabular(x *syntax.Call, b *binding) (node, error) {
	fd := b.fn
	body, ok := fd.def.Body[len(fd.def.Body)-1].(*syntax.ExprStmt)
	if !ok {
		return nil, c.errAt(x.At, "the function '%s' has no result expression", x.Name)
	}
	restore, err := c.bindParams(x, fd, nil)
	if err != nil {
		return nil, err
	}
	defer restore()
	for _, st := range fd.def.Body[:len(fd.def.Body)-1] {
		if err := c.stmt(st); err != nil {
			return nil, err
		}
	}
	if !c.isTabular(body.X) {
		return nil, c.errAt(x.At, "'%s' returns a scalar, not a table", x.Name)
	}
	n, err := c.tabular(body.X)
	if err != nil {
		return nil, err
	}
	return &namedNode{node: n, name: x.Name}, nil
}

func (c *compiler) materialize(e syntax.Expr) (node, error) {
	in, err := c.tabular(e)
	if err != nil {
		return nil, err
	}
	return &lazyTableNode{cols: in.columns(), build: func(rs *runState) (*data.Table, error) {
		return collect(rs, in)
	}}, nil
}

func (c *compiler) datatable(x *syntax.DatatableExpr) (node, error) {
	n := len(x.Columns)
	if n == 0 {
		return nil, c.errAt(x.At, "datatable needs at least one column")
	}
	if len(x.Values)%n != 0 {
		return nil, c.errAt(x.At, "datatable has %d values, which is not a multiple of its %d columns", len(x.Values), n)
	}
	t := &data.Table{Columns: x.Columns}
	for i := 0; i < len(x.Values); i += n {
		row := make(data.Row, n)
		for j := 0; j < n; j++ {
			e, err := c.scalar(x.Values[i+j], nil)
			if err != nil {
				return nil, err
			}
			if e.konst == nil {
				return nil, c.errAt(x.Values[i+j].Pos(), "datatable values must be constants")
			}
			v := convertTo(*e.konst, x.Columns[j].Type)
			if v.K == data.KNull && x.Columns[j].Type == data.String {
				v = data.EmptyString
			}
			row[j] = v
		}
		t.Rows = append(t.Rows, row)
	}
	return &tableNode{t: t}, nil
}

func (c *compiler) print(x *syntax.PrintExpr) (node, error) {
	cols := make([]data.Column, len(x.Columns))
	evs := make([]evalFn, len(x.Columns))
	for i, ne := range x.Columns {
		e, err := c.scalar(ne.X, nil)
		if err != nil {
			return nil, err
		}
		name := ne.Name
		if name == "" {
			name = fmt.Sprintf("print_%d", i)
		}
		cols[i] = data.Column{Name: name, Type: concreteType(e.typ)}
		evs[i] = e.eval
	}
	return &lazyTableNode{cols: cols, build: func(rs *runState) (*data.Table, error) {
		rc := &rowCtx{run: rs}
		row := make(data.Row, len(evs))
		for i, e := range evs {
			row[i] = e(rc)
		}
		return &data.Table{Columns: cols, Rows: []data.Row{row}}, nil
	}}, nil
}

// concreteType names a result column's type: an expression whose type is
// only known at run time gives a dynamic column.
func concreteType(t data.Type) data.Type {
	if t == data.Unknown {
		return data.Dynamic
	}
	return t
}

func (c *compiler) rangeExpr(x *syntax.RangeExpr) (node, error) {
	from, err := c.scalar(x.From, nil)
	if err != nil {
		return nil, err
	}
	to, err := c.scalar(x.To, nil)
	if err != nil {
		return nil, err
	}
	step, err := c.scalar(x.Step, nil)
	if err != nil {
		return nil, err
	}
	t := from.typ
	if t == data.Int {
		t = data.Long
	}
	if from.typ.IsNumeric() && step.typ == data.Real {
		t = data.Real
	}
	return &rangeNode{col: data.Column{Name: x.Column, Type: concreteType(t)}, from: from, to: to, step: step}, nil
}

func (c *compiler) externalData(x *syntax.ExternalDataExpr) (node, error) {
	if len(x.URLs) == 0 {
		return nil, c.errAt(x.At, "externaldata needs a URL")
	}
	url := x.URLs[0]
	if c.env.ExternalData == nil {
		return nil, c.errAt(x.At, "externaldata would download %s; offhunt never fetches: download it and add it beside the export", url)
	}
	src, err := c.env.ExternalData(url, x.Columns, x.With)
	if err != nil {
		return nil, c.errAt(x.At, "%v", err)
	}
	return &scanNode{src: src, cols: src.Columns()}, nil
}
