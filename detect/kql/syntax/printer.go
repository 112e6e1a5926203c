package syntax

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// The printer turns a tree back into canonical KQL: one line per
// statement, single spaces between tokens, parentheses only where
// precedence needs them, literals in their source spelling. Parse of the
// printed text gives back an equal tree (positions aside), which the
// tests check for every query in the corpora.

type printer struct {
	sb strings.Builder
}

func (p *printer) str(s string) { p.sb.WriteString(s) }

func printNode(n Node) string {
	var p printer
	p.node(n)
	return p.sb.String()
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case Expr:
		p.expr(n, 0)
	case Operator:
		p.op(n)
	case Stmt:
		p.stmt(n)
	case *FuncDef:
		p.funcDef(n)
	case *NamedExpr:
		p.named(*n)
	case *ParseCapture:
		p.capture(n)
	}
}

// String returns the query as canonical KQL, one statement per line.
func (q *Query) String() string {
	var p printer
	for i, st := range q.Stmts {
		if i > 0 {
			p.str(";\n")
		}
		p.stmt(st)
	}
	return p.sb.String()
}

// String prints the node as canonical KQL, as it would stand in a query;
// so do the String methods of every other node below.
func (n *LetStmt) String() string          { return printNode(n) }
func (n *ExprStmt) String() string         { return printNode(n) }
func (n *SetStmt) String() string          { return printNode(n) }
func (n *FuncDef) String() string          { return printNode(n) }
func (n *Ident) String() string            { return printNode(n) }
func (n *Literal) String() string          { return printNode(n) }
func (n *Unary) String() string            { return printNode(n) }
func (n *Binary) String() string           { return printNode(n) }
func (n *InExpr) String() string           { return printNode(n) }
func (n *BetweenExpr) String() string      { return printNode(n) }
func (n *Call) String() string             { return printNode(n) }
func (n *Member) String() string           { return printNode(n) }
func (n *Index) String() string            { return printNode(n) }
func (n *Star) String() string             { return printNode(n) }
func (n *Paren) String() string            { return printNode(n) }
func (n *Pipe) String() string             { return printNode(n) }
func (n *NamedExpr) String() string        { return printNode(n) }
func (n *DatatableExpr) String() string    { return printNode(n) }
func (n *PrintExpr) String() string        { return printNode(n) }
func (n *RangeExpr) String() string        { return printNode(n) }
func (n *UnionExpr) String() string        { return printNode(n) }
func (n *ExternalDataExpr) String() string { return printNode(n) }
func (n *MaterializeExpr) String() string  { return printNode(n) }
func (n *SearchExpr) String() string       { return printNode(n) }
func (n *WhereOp) String() string          { return printNode(n) }
func (n *ProjectOp) String() string        { return printNode(n) }
func (n *ProjectAwayOp) String() string    { return printNode(n) }
func (n *ProjectRenameOp) String() string  { return printNode(n) }
func (n *ProjectReorderOp) String() string { return printNode(n) }
func (n *SummarizeOp) String() string      { return printNode(n) }
func (n *SortOp) String() string           { return printNode(n) }
func (n *TopOp) String() string            { return printNode(n) }
func (n *TakeOp) String() string           { return printNode(n) }
func (n *DistinctOp) String() string       { return printNode(n) }
func (n *CountOp) String() string          { return printNode(n) }
func (n *JoinOp) String() string           { return printNode(n) }
func (n *LookupOp) String() string         { return printNode(n) }
func (n *MvExpandOp) String() string       { return printNode(n) }
func (n *ParseOp) String() string          { return printNode(n) }
func (n *ParseCapture) String() string     { return printNode(n) }
func (n *EvaluateOp) String() string       { return printNode(n) }
func (n *GetSchemaOp) String() string      { return printNode(n) }
func (n *SerializeOp) String() string      { return printNode(n) }
func (n *InvokeOp) String() string         { return printNode(n) }
func (n *AsOp) String() string             { return printNode(n) }
func (n *RenderOp) String() string         { return printNode(n) }
func (n *UnionOp) String() string          { return printNode(n) }
func (n *SearchOp) String() string         { return printNode(n) }
func (n *UnsupportedOp) String() string    { return printNode(n) }

// String returns the parameter as written in a function's parameter list.
func (prm Param) String() string {
	var p printer
	p.param(prm)
	return p.sb.String()
}

// ---- statements ----

func (p *printer) stmt(st Stmt) {
	switch st := st.(type) {
	case *LetStmt:
		p.str("let ")
		p.name(st.Name)
		p.str(" = ")
		if fd, ok := st.Value.(*FuncDef); ok {
			p.funcDef(fd)
		} else if x, ok := st.Value.(Expr); ok {
			p.expr(x, 0)
		}
	case *ExprStmt:
		p.expr(st.X, 0)
	case *SetStmt:
		p.str("set ")
		p.str(st.Name)
		if st.Value != nil {
			p.str(" = ")
			p.expr(st.Value, 0)
		}
	}
}

func (p *printer) funcDef(fd *FuncDef) {
	if fd.View {
		p.str("view ")
	}
	p.str("(")
	for i, prm := range fd.Params {
		if i > 0 {
			p.str(", ")
		}
		p.param(prm)
	}
	p.str(") { ")
	for i, st := range fd.Body {
		if i > 0 {
			p.str("; ")
		}
		p.stmt(st)
	}
	p.str(" }")
}

func (p *printer) param(prm Param) {
	p.name(prm.Name)
	p.str(":")
	switch {
	case prm.Tabular && prm.Star:
		p.str("(*)")
	case prm.Tabular:
		p.str("(")
		p.columns(prm.Columns)
		p.str(")")
	default:
		p.str(prm.Type.String())
		if prm.Default != nil {
			p.str(" = ")
			p.expr(prm.Default, 0)
		}
	}
}

func (p *printer) columns(cols []data.Column) {
	for i, c := range cols {
		if i > 0 {
			p.str(", ")
		}
		p.name(c.Name)
		p.str(":")
		p.str(c.Type.String())
	}
}

// ---- names ----

func isBareName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	_, isBool := boolWords[s]
	return !isBool
}

// name prints a column, let or parameter name, quoting it when it is no
// plain identifier or is an operator word (`summarize ['by'] = count()`).
func (p *printer) name(s string) {
	if isBareName(s) && !isReserved(s) {
		p.str(s)
		return
	}
	p.quotedName(s)
}

func (p *printer) quotedName(s string) {
	p.str("['")
	p.str(escapeString(s, '\''))
	p.str("']")
}

// specialCallNames would read as something else than a call if printed
// bare before "(".
var specialCallNames = map[string]bool{
	"datatable": true, "externaldata": true, "external_data": true, "materialize": true,
	"dynamic": true, "print": true, "union": true, "search": true,
}

func (p *printer) callName(s string) {
	_, goo := gooTypes[s]
	if (isBareName(s) || isDollarName(s)) && !isReserved(s) && !goo && !specialCallNames[s] {
		p.str(s)
		return
	}
	p.quotedName(s)
}

// identName prints an Ident: bare when the parser would read it back as
// the same unquoted name.
func (p *printer) identName(id *Ident) {
	s := id.Name
	if !id.Quoted && !isReserved(s) {
		if isBareName(s) || isDollarName(s) || isWildcardName(s) {
			p.str(s)
			return
		}
	}
	p.quotedName(s)
}

func isDollarName(s string) bool {
	return len(s) > 1 && s[0] == '$' && isBareName("x"+s[1:])
}

func isWildcardName(s string) bool {
	if !strings.Contains(s, "*") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) && s[i] != '*' {
			return false
		}
	}
	return true
}

// pattern prints a project-away/reorder pattern or a table name that may
// hold wildcards.
func (p *printer) pattern(s string) {
	if isBareName(s) && !isReserved(s) || isWildcardName(s) && !startsWithDigitRun(s) {
		p.str(s)
		return
	}
	p.quotedName(s)
}

// startsWithDigitRun reports whether a wildcard pattern would start with a
// number token ("1*"), which the parser does not read as a name.
func startsWithDigitRun(s string) bool { return s != "" && isDigit(s[0]) }

// memberName prints the name after "." in X.Name.
func (p *printer) memberName(s string) {
	if isBareName(s) {
		p.str(s)
		return
	}
	p.quotedName(s)
}

// paramValue prints an operator parameter's value.
func (p *printer) paramValue(s string) {
	if isBareName(s) {
		p.str(s)
		return
	}
	p.str(quoteString(s))
}

// quoteString returns s as a double-quoted KQL string literal that reads
// back byte for byte (invalid UTF-8 included).
func quoteString(s string) string {
	return `"` + escapeString(s, '"') + `"`
}

func escapeString(s string, quote byte) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == quote:
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c < 0x20:
			sb.WriteString(`\u00`)
			sb.WriteByte("0123456789abcdef"[c>>4])
			sb.WriteByte("0123456789abcdef"[c&0xF])
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// ---- expressions ----

// exprPrec is the precedence of the operator at the top of e: a child
// looser than its context gets parentheses.
func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		if info, ok := binaryOps[e.Op]; ok {
			return info.prec
		}
		return precEquality
	case *InExpr, *BetweenExpr:
		return precEquality
	case *Unary:
		return precUnary
	case *Literal:
		if strings.HasPrefix(e.Text, "-") || e.Text == "" && isNegative(e.Value) {
			return precUnary
		}
		return precPostfix
	case *Pipe, *PrintExpr, *RangeExpr, *UnionExpr, *SearchExpr:
		return 0
	}
	return precPostfix
}

func isNegative(v data.Value) bool {
	switch v.K {
	case data.KInt, data.KLong, data.KTimeSpan:
		return v.I < 0
	case data.KReal, data.KDecimal:
		return v.F < 0 || math.Signbit(v.F)
	}
	return false
}

// expr prints e, in parentheses if it binds looser than minPrec.
func (p *printer) expr(e Expr, minPrec int) {
	if e == nil {
		return
	}
	if exprPrec(e) < minPrec {
		p.str("(")
		p.expr(e, 0)
		p.str(")")
		return
	}
	switch e := e.(type) {
	case *Ident:
		p.identName(e)
	case *Literal:
		p.literal(e)
	case *Unary:
		p.str(e.Op)
		switch x := e.X.(type) {
		case *Unary:
			// "- -x", not "-(-x)": the same tree, one nesting level less.
			p.str(" ")
			p.expr(x, 0)
		case *Literal:
			switch {
			case exprPrec(x) == precUnary: // a negative number: "- -5"
				p.str(" ")
				p.literal(x)
			case x.Text == "" || isDigit(x.Text[0]):
				// "-(5)": "-5" would read as the literal -5.
				p.str("(")
				p.literal(x)
				p.str(")")
			default:
				p.literal(x)
			}
		default:
			p.expr(e.X, precPostfix)
		}
	case *Binary:
		prec := exprPrec(e)
		p.expr(e.L, prec)
		p.str(" ")
		p.str(e.Op)
		p.str(" ")
		p.expr(e.R, prec+1)
	case *InExpr:
		p.expr(e.X, precEquality)
		p.str(" ")
		p.str(e.Op)
		p.str(" (")
		p.exprList(e.List)
		p.str(")")
	case *BetweenExpr:
		p.expr(e.X, precEquality)
		if e.Not {
			p.str(" !between (")
		} else {
			p.str(" between (")
		}
		p.expr(e.Lo, 0)
		p.str(" .. ")
		p.expr(e.Hi, 0)
		p.str(")")
	case *Call:
		p.call(e)
	case *Member:
		p.postfixBase(e.X)
		p.str(".")
		p.memberName(e.Name)
	case *Index:
		p.postfixBase(e.X)
		p.str("[")
		p.expr(e.Index, 0)
		p.str("]")
	case *Star:
		p.str("*")
	case *Paren:
		p.str("(")
		p.expr(e.X, 0)
		p.str(")")
	case *Pipe:
		p.expr(e.X, 0)
		p.str(" | ")
		p.op(e.Op)
	case *DatatableExpr:
		p.str("datatable(")
		p.columns(e.Columns)
		p.str(") [")
		p.exprList(e.Values)
		p.str("]")
	case *PrintExpr:
		p.str("print ")
		p.namedList(e.Columns)
	case *RangeExpr:
		p.str("range ")
		p.name(e.Column)
		p.str(" from ")
		p.expr(e.From, 0)
		p.str(" to ")
		p.expr(e.To, 0)
		p.str(" step ")
		p.expr(e.Step, 0)
	case *UnionExpr:
		p.union(e)
	case *ExternalDataExpr:
		p.externalData(e)
	case *MaterializeExpr:
		p.str("materialize(")
		p.expr(e.X, 0)
		p.str(")")
	case *SearchExpr:
		p.search(e)
	}
}

// postfixBase prints the X of X.Name or X[i]. A number needs parentheses:
// `(5).x`, since `5.x` would read as a malformed number.
func (p *printer) postfixBase(x Expr) {
	if l, ok := x.(*Literal); ok && (l.Text == "" || l.Text[0] == '-' || isDigit(l.Text[0])) {
		p.str("(")
		p.expr(x, 0)
		p.str(")")
		return
	}
	p.expr(x, precPostfix)
}

func (p *printer) exprList(list []Expr) {
	for i, x := range list {
		if i > 0 {
			p.str(", ")
		}
		p.expr(x, 0)
	}
}

func (p *printer) call(c *Call) {
	p.callName(c.Name)
	p.str("(")
	p.exprList(c.Args)
	p.str(")")
}

func (p *printer) named(ne NamedExpr) {
	switch {
	case len(ne.Names) > 0:
		p.str("(")
		for i, n := range ne.Names {
			if i > 0 {
				p.str(", ")
			}
			p.name(n)
		}
		p.str(") = ")
	case ne.Name != "":
		p.name(ne.Name)
		p.str(" = ")
	}
	p.expr(ne.X, 0)
}

func (p *printer) namedList(list []NamedExpr) {
	for i, ne := range list {
		if i > 0 {
			p.str(", ")
		}
		p.named(ne)
	}
}

// literal prints a literal's source spelling, or a spelling made from its
// value when it has none (a literal built by a program, not parsed).
func (p *printer) literal(l *Literal) {
	if l.Text != "" {
		p.str(l.Text)
		return
	}
	p.str(FormatLiteral(l.Type, l.Value))
}

// FormatLiteral spells a value of the given type as a KQL literal that
// reads back as the same value: "abc" as "abc", -5 as long(-5), a null
// datetime as datetime(null).
func FormatLiteral(t data.Type, v data.Value) string {
	if v.IsNull() {
		if t == data.Unknown || t == data.String {
			t = data.Dynamic
		}
		return t.String() + "(null)"
	}
	switch t {
	case data.String:
		return quoteString(v.S)
	case data.Bool:
		if v.Bool() {
			return "true"
		}
		return "false"
	case data.Long:
		if v.I < 0 {
			return "long(" + strconv.FormatInt(v.I, 10) + ")"
		}
		return strconv.FormatInt(v.I, 10)
	case data.Int:
		return "int(" + strconv.FormatInt(v.I, 10) + ")"
	case data.Real, data.Decimal:
		s := strconv.FormatFloat(v.F, 'g', -1, 64)
		switch {
		case math.IsNaN(v.F):
			s = "nan"
		case math.IsInf(v.F, 1):
			s = "+inf"
		case math.IsInf(v.F, -1):
			s = "-inf"
		}
		return t.String() + "(" + s + ")"
	case data.DateTime:
		return "datetime(" + data.FormatDateTimeFull(v.I) + ")"
	case data.TimeSpan:
		return "timespan(" + data.FormatTimeSpan(v.I) + ")"
	case data.Guid:
		return "guid(" + v.S + ")"
	}
	return "dynamic(" + string(data.AppendJSON(nil, v)) + ")"
}

// ---- operators ----

func (p *printer) op(op Operator) {
	switch op := op.(type) {
	case *WhereOp:
		p.str("where ")
		p.expr(op.Pred, 0)
	case *ProjectOp:
		p.str(op.Kind)
		p.str(" ")
		p.namedList(op.Columns)
	case *ProjectAwayOp:
		if op.Keep {
			p.str("project-keep ")
		} else {
			p.str("project-away ")
		}
		for i, pat := range op.Patterns {
			if i > 0 {
				p.str(", ")
			}
			p.pattern(pat)
		}
	case *ProjectRenameOp:
		p.str("project-rename ")
		for i, pr := range op.Pairs {
			if i > 0 {
				p.str(", ")
			}
			p.name(pr.New)
			p.str(" = ")
			p.name(pr.Old)
		}
	case *ProjectReorderOp:
		p.str("project-reorder ")
		for i, pat := range op.Patterns {
			if i > 0 {
				p.str(", ")
			}
			p.pattern(pat)
			if i < len(op.Orders) && op.Orders[i] != "" {
				p.str(" ")
				p.str(op.Orders[i])
			}
		}
	case *SummarizeOp:
		p.str("summarize")
		if len(op.Aggs) > 0 {
			p.str(" ")
			p.namedList(op.Aggs)
		}
		if len(op.By) > 0 {
			p.str(" by ")
			p.namedList(op.By)
		}
	case *SortOp:
		p.str("sort by ")
		p.sortKeys(op.Keys)
	case *TopOp:
		p.str("top ")
		p.expr(op.N, 0)
		p.str(" by ")
		p.sortKeys(op.Keys)
	case *TakeOp:
		p.str("take ")
		p.expr(op.N, 0)
	case *DistinctOp:
		p.str("distinct ")
		if op.Star {
			p.str("*")
		} else {
			p.exprList(op.Columns)
		}
	case *CountOp:
		p.str("count")
	case *JoinOp:
		p.join("join", op.Kind, op.Right, op.On)
	case *LookupOp:
		p.join("lookup", op.Kind, op.Right, op.On)
	case *MvExpandOp:
		p.mvExpand(op)
	case *ParseOp:
		p.parseOp(op)
	case *EvaluateOp:
		p.str("evaluate ")
		p.call(op.Plugin)
	case *GetSchemaOp:
		p.str("getschema")
	case *SerializeOp:
		p.str("serialize")
		if len(op.Columns) > 0 {
			p.str(" ")
			p.namedList(op.Columns)
		}
	case *InvokeOp:
		p.str("invoke ")
		p.call(op.Func)
	case *AsOp:
		p.str("as ")
		p.name(op.Name)
	case *RenderOp:
		p.str("render ")
		p.str(op.Kind)
		if op.Props != nil {
			p.str(" with (")
			keys := make([]string, 0, len(op.Props))
			for k := range op.Props {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for i, k := range keys {
				if i > 0 {
					p.str(", ")
				}
				p.name(k)
				p.str("=")
				p.str(op.Props[k])
			}
			p.str(")")
		}
	case *UnionOp:
		p.union(op.Union)
	case *SearchOp:
		p.search(op.Search)
	case *UnsupportedOp:
		p.str(op.Name)
	}
}

func (p *printer) sortKeys(keys []SortKey) {
	for i, k := range keys {
		if i > 0 {
			p.str(", ")
		}
		p.expr(k.X, 0)
		if k.Order != "" {
			p.str(" ")
			p.str(k.Order)
		}
		if k.Nulls != "" {
			p.str(" nulls ")
			p.str(k.Nulls)
		}
	}
}

func (p *printer) join(kw, kind string, right Expr, on []JoinCond) {
	p.str(kw)
	if kind != "" {
		p.str(" kind=")
		p.paramValue(kind)
	}
	p.str(" ")
	p.expr(right, precUnary)
	if len(on) == 0 {
		return
	}
	p.str(" on ")
	for i, c := range on {
		if i > 0 {
			p.str(", ")
		}
		if c.Left == c.Right && isBareName(c.Left) && !isReserved(c.Left) {
			p.str(c.Left)
			continue
		}
		p.str("$left.")
		p.memberName(c.Left)
		p.str(" == $right.")
		p.memberName(c.Right)
	}
}

func (p *printer) mvExpand(op *MvExpandOp) {
	p.str("mv-expand")
	if op.Kind != "" {
		p.str(" kind=")
		p.paramValue(op.Kind)
	}
	if op.ItemIndex != "" {
		p.str(" with_itemindex=")
		p.paramValue(op.ItemIndex)
	}
	for i, c := range op.Columns {
		if i > 0 {
			p.str(",")
		}
		p.str(" ")
		switch c.Name {
		case "kind", "bagexpansion", "with_itemindex":
			// Quoted, or it would read as the parameter of that name.
			p.quotedName(c.Name)
			p.str(" = ")
			p.expr(c.X, 0)
		default:
			p.named(NamedExpr{Name: c.Name, X: c.X})
		}
		if c.To != data.Unknown {
			p.str(" to typeof(")
			p.str(c.To.String())
			p.str(")")
		}
	}
	if op.Limit != nil {
		p.str(" limit ")
		p.expr(op.Limit, 0)
	}
}

func (p *printer) parseOp(op *ParseOp) {
	if op.Where {
		p.str("parse-where")
	} else {
		p.str("parse")
	}
	if op.Kind != "" {
		p.str(" kind=")
		p.paramValue(op.Kind)
	}
	if op.Flags != "" {
		p.str(" flags=")
		p.paramValue(op.Flags)
	}
	p.str(" ")
	p.expr(op.X, 0)
	p.str(" with")
	for _, el := range op.Pattern {
		p.str(" ")
		switch el := el.(type) {
		case *Literal:
			p.literal(el)
		case *ParseCapture:
			p.capture(el)
		case *Star:
			p.str("*")
		}
	}
}

func (p *printer) capture(c *ParseCapture) {
	p.name(c.Name)
	if c.Type != data.Unknown {
		p.str(":")
		p.str(c.Type.String())
	}
}

func (p *printer) union(u *UnionExpr) {
	p.str("union")
	if u.Kind != "" {
		p.str(" kind=")
		p.paramValue(u.Kind)
	}
	if u.WithSource != "" {
		p.str(" withsource=")
		p.paramValue(u.WithSource)
	}
	if u.IsFuzzy {
		p.str(" isfuzzy=true")
	}
	for i, leg := range u.Legs {
		if i > 0 {
			p.str(",")
		}
		p.str(" ")
		if id, ok := leg.(*Ident); ok && !id.Quoted && (isWildcardName(id.Name) || isBareName(id.Name)) && !startsWithDigitRun(id.Name) {
			p.str(id.Name)
			continue
		}
		p.expr(leg, precPostfix)
	}
}

func (p *printer) search(s *SearchExpr) {
	p.str("search ")
	if s.Kind != "" {
		p.str("kind=")
		p.paramValue(s.Kind)
		p.str(" ")
	}
	if len(s.Tables) > 0 {
		p.str("in (")
		for i, t := range s.Tables {
			if i > 0 {
				p.str(", ")
			}
			p.pattern(t)
		}
		p.str(") ")
	}
	p.expr(s.Pred, 0)
}

func (p *printer) externalData(e *ExternalDataExpr) {
	p.str("externaldata(")
	p.columns(e.Columns)
	p.str(") [")
	for i, u := range e.URLs {
		if i > 0 {
			p.str(", ")
		}
		p.str(quoteString(u))
	}
	p.str("]")
	if e.With != nil {
		p.str(" with (")
		keys := make([]string, 0, len(e.With))
		for k := range e.With {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				p.str(", ")
			}
			p.name(k)
			p.str("=")
			if v := e.With[k]; isBareName(v) || boolWords[v] || v == "false" || v == "False" || v == "FALSE" {
				p.str(v)
			} else {
				p.str(quoteString(v))
			}
		}
		p.str(")")
	}
}
