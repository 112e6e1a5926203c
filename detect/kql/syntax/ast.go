package syntax

import "offhunt/detect/data"

// The AST is sealed: every node is one of the types below. Scalar and
// tabular expressions share the Expr interface, as in Kusto's own grammar:
// whether `X` names a table or a scalar is decided by the binder, not the
// parser. Tabular operators (the right side of `|`) are Operator nodes.
//
// Every node records the byte offset of its first token (Pos). String()
// prints canonical KQL that parses back to an equal tree (printer.go).

// Node is any AST node.
type Node interface {
	Pos() int
	String() string
}

// Expr is a scalar or tabular expression.
type Expr interface {
	Node
	exprNode()
}

// Operator is a tabular operator: what follows a `|`.
type Operator interface {
	Node
	opNode()
}

// Stmt is a statement of a query.
type Stmt interface {
	Node
	stmtNode()
}

// ---- statements ----

// Query is a whole query: statements separated by `;`.
type Query struct {
	Stmts []Stmt
}

// LetStmt is `let Name = Value;`. Value is an Expr (scalar or tabular) or a
// *FuncDef (a function or view with parameters).
type LetStmt struct {
	At    int
	Name  string
	Value Node
}

// ExprStmt is a tabular expression statement; each gives a result table.
type ExprStmt struct {
	X Expr
}

// SetStmt is `set name [= value];`; it is accepted and ignored, since
// request options have no meaning offline.
type SetStmt struct {
	At    int
	Name  string
	Value Expr // may be nil
}

// Param is a function parameter. A tabular parameter has Tabular set and
// its declared columns in Columns (nil with Star for `T:(*)`).
type Param struct {
	At      int
	Name    string
	Type    data.Type
	Tabular bool
	Star    bool
	Columns []data.Column
	Default Expr // optional default value
}

// FuncDef is `[view] (params) { body }`. The body holds let statements and
// ends with one expression.
type FuncDef struct {
	At     int
	View   bool
	Params []Param
	Body   []Stmt // zero or more LetStmt, then one ExprStmt
}

// ---- scalar and tabular expressions ----

// Ident is a name: a column, a let binding, a table or a parameter.
// Quoted is true for `['name']` / `["name"]`.
type Ident struct {
	At     int
	Name   string
	Quoted bool
}

// Literal is a constant: a string, number, bool, datetime, timespan, guid,
// typed null (`int(null)`), or a dynamic literal (`dynamic([1,"a"])`).
// Type is the literal's static type; Text is its source spelling, which the
// printer reproduces.
type Literal struct {
	At    int
	Type  data.Type
	Value data.Value
	Text  string
}

// Unary is `-x`, `+x`. (`not(x)` is a call.)
type Unary struct {
	At int
	Op string
	X  Expr
}

// Binary is a binary operator: arithmetic (+ - * / %), comparison
// (== != < <= > >=), logical (and or), and the string operators (=~ !~ has
// !has has_cs !has_cs hasprefix ... contains ... startswith ... endswith ...
// matches regex). Op holds the operator as written in lower case
// ("matches regex" with one space).
type Binary struct {
	At int
	Op string
	L  Expr
	R  Expr
}

// InExpr is `X in (list)` and its variants: Op is one of in, !in, in~, !in~,
// has_any, has_all. List holds the elements as written; a single element
// may be a dynamic array or a tabular expression.
type InExpr struct {
	At   int
	Op   string
	X    Expr
	List []Expr
}

// BetweenExpr is `X between (Lo .. Hi)` or `X !between (Lo .. Hi)`.
type BetweenExpr struct {
	At  int
	Not bool
	X   Expr
	Lo  Expr
	Hi  Expr
}

// Call is a function call: a builtin, an aggregate inside summarize, or a
// user function from let. Name is as written.
type Call struct {
	At   int
	Name string
	Args []Expr
}

// Member is `X.Name` (dynamic property access, also `$left.Col`).
type Member struct {
	At   int
	X    Expr
	Name string
}

// Index is `X[I]`: a dynamic array index or a bag key.
type Index struct {
	At    int
	X     Expr
	Index Expr
}

// Star is `*` where an expression allows it: `where * has "x"`,
// `arg_max(x, *)`. (project-away patterns are plain strings.)
type Star struct {
	At int
}

// Paren is a parenthesised expression. It is kept in the tree only around
// tabular expressions used as arguments (`(T | where x)`); for scalars the
// printer adds parentheses from precedence.
type Paren struct {
	At int
	X  Expr
}

// Pipe is `X | Op`.
type Pipe struct {
	X  Expr
	Op Operator
}

// NamedExpr is `Name = X`, or a bare X (Name empty), or `(A, B) = X` for
// functions that return several columns (Names).
type NamedExpr struct {
	At    int
	Name  string
	Names []string
	X     Expr
}

// DatatableExpr is `datatable(Col:type, ...) [values]`.
type DatatableExpr struct {
	At      int
	Columns []data.Column
	Values  []Expr // row-major
}

// PrintExpr is `print [Name=]expr, ...`.
type PrintExpr struct {
	At      int
	Columns []NamedExpr
}

// RangeExpr is `range Col from A to B step S`.
type RangeExpr struct {
	At     int
	Column string
	From   Expr
	To     Expr
	Step   Expr
}

// UnionExpr is `union [kind=inner|outer] [withsource=Col] [isfuzzy=bool]
// Legs...`, also as an operator (UnionOp) after a pipe. A leg is an Ident
// (possibly with a trailing `*` wildcard in Name), a Paren of a tabular
// expression, or any tabular expression.
type UnionExpr struct {
	At         int
	Kind       string // "", "inner", "outer"
	WithSource string
	IsFuzzy    bool
	Legs       []Expr
}

// ExternalDataExpr is `externaldata(Col:type, ...) [ "url", ... ] [with (k=v, ...)]`.
type ExternalDataExpr struct {
	At      int
	Columns []data.Column
	URLs    []string
	With    map[string]string
}

// MaterializeExpr is `materialize(X)`.
type MaterializeExpr struct {
	At int
	X  Expr
}

// SearchExpr is the `search` operator as a source (`search "x"`,
// `search in (T1, T2) pred`), or after a pipe (SearchOp wraps it). In the
// predicate, `Col:"term"` is a Binary with Op ":" (has, on that column).
type SearchExpr struct {
	At     int
	Kind   string   // "", "case_sensitive", "case_insensitive" (kind=...)
	Tables []string // empty: every table
	Pred   Expr     // a bare string means: any column has that term
}

// ---- tabular operators ----

// WhereOp is `where pred` (also `filter`).
type WhereOp struct {
	At   int
	Pred Expr
}

// ProjectOp is `project` (Kind "project") or `extend` (Kind "extend").
// Columns are name=expr pairs.
type ProjectOp struct {
	At      int
	Kind    string // "project" or "extend"
	Columns []NamedExpr
}

// ProjectAwayOp is `project-away` (Keep false) or `project-keep` (Keep
// true) with column names or wildcard patterns.
type ProjectAwayOp struct {
	At       int
	Keep     bool
	Patterns []string
}

// ProjectRenameOp is `project-rename New = Old, ...`.
type ProjectRenameOp struct {
	At    int
	Pairs []RenamePair
}

// RenamePair is one `New = Old` of project-rename.
type RenamePair struct {
	New string
	Old string
}

// ProjectReorderOp is `project-reorder Pattern [asc|desc|granny-asc|granny-desc], ...`.
type ProjectReorderOp struct {
	At       int
	Patterns []string
	Orders   []string // same length as Patterns; "" when not given
}

// SummarizeOp is `summarize Aggs [by Keys]`.
type SummarizeOp struct {
	At   int
	Aggs []NamedExpr
	By   []NamedExpr
}

// SortKey is one key of sort/top: an expression with its direction and
// null placement ("" when not given).
type SortKey struct {
	X     Expr
	Order string // "", "asc", "desc"
	Nulls string // "", "first", "last"
}

// SortOp is `sort by` / `order by`.
type SortOp struct {
	At   int
	Keys []SortKey
}

// TopOp is `top N by key [asc|desc] [nulls first|last]`.
type TopOp struct {
	At   int
	N    Expr
	Keys []SortKey
}

// TakeOp is `take N` / `limit N`.
type TakeOp struct {
	At int
	N  Expr
}

// DistinctOp is `distinct cols` or `distinct *` (Star).
type DistinctOp struct {
	At      int
	Star    bool
	Columns []Expr
}

// CountOp is the `count` operator.
type CountOp struct {
	At int
}

// JoinCond is one condition of join's `on`: a column name present on both
// sides (Left == Right, both Idents) or `$left.A == $right.B`.
type JoinCond struct {
	Left  string
	Right string
}

// JoinOp is `join [kind=K] [hints] (Right) on conds`. Kind is as written
// (lower case), "" for the default innerunique.
type JoinOp struct {
	At    int
	Kind  string
	Right Expr
	On    []JoinCond
}

// LookupOp is `lookup [kind=leftouter|inner] (Right) on conds`.
type LookupOp struct {
	At    int
	Kind  string
	Right Expr
	On    []JoinCond
}

// MvExpandOp is `mv-expand [kind=bag|array] [with_itemindex=Name] Col [to typeof(T)], ... [limit N]`.
type MvExpandOp struct {
	At        int
	Kind      string
	ItemIndex string
	Columns   []MvExpandColumn
	Limit     Expr
}

// MvExpandColumn is one expanded expression with its optional result name and type.
type MvExpandColumn struct {
	Name string
	X    Expr
	To   data.Type // Unknown when not given
}

// ParseOp is `parse [kind=simple|regex|relaxed] [flags=F] X with pattern`
// (also parse-where: Where true). The pattern alternates string literals
// and column captures: each element is a *Literal string, a ParseCapture,
// or a Star (`*`, skip).
type ParseOp struct {
	At      int
	Where   bool
	Kind    string
	Flags   string
	X       Expr
	Pattern []Node
}

// ParseCapture is `Name[:type]` inside a parse pattern.
type ParseCapture struct {
	At   int
	Name string
	Type data.Type // Unknown when not given: string
}

// EvaluateOp is `evaluate plugin(args)`.
type EvaluateOp struct {
	At     int
	Plugin *Call
}

// GetSchemaOp is `getschema`.
type GetSchemaOp struct {
	At int
}

// SerializeOp is `serialize [Name = expr, ...]`.
type SerializeOp struct {
	At      int
	Columns []NamedExpr
}

// InvokeOp is `invoke func(args)`: the left side becomes the function's
// first (tabular) argument.
type InvokeOp struct {
	At   int
	Func *Call
}

// AsOp is `as [hint.materialized=true] Name`.
type AsOp struct {
	At   int
	Name string
}

// RenderOp is `render kind [with (props)]`; accepted, the kind is kept as a
// hint for the page.
type RenderOp struct {
	At    int
	Kind  string
	Props map[string]string
}

// UnionOp is `| union ...`: the left side is the first leg.
type UnionOp struct {
	Union *UnionExpr
}

// SearchOp is `| search pred`.
type SearchOp struct {
	Search *SearchExpr
}

// UnsupportedOp is a known Kusto operator offhunt does not run (make-series,
// mv-apply, ...). The parser records it so the error says "the operator
// 'make-series' is not supported yet" at its position instead of a syntax
// error; the binder reports it.
type UnsupportedOp struct {
	At   int
	Name string
}

func (*Ident) exprNode()            {}
func (*Literal) exprNode()          {}
func (*Unary) exprNode()            {}
func (*Binary) exprNode()           {}
func (*InExpr) exprNode()           {}
func (*BetweenExpr) exprNode()      {}
func (*Call) exprNode()             {}
func (*Member) exprNode()           {}
func (*Index) exprNode()            {}
func (*Star) exprNode()             {}
func (*Paren) exprNode()            {}
func (*Pipe) exprNode()             {}
func (*DatatableExpr) exprNode()    {}
func (*PrintExpr) exprNode()        {}
func (*RangeExpr) exprNode()        {}
func (*UnionExpr) exprNode()        {}
func (*ExternalDataExpr) exprNode() {}
func (*MaterializeExpr) exprNode()  {}
func (*SearchExpr) exprNode()       {}

func (*WhereOp) opNode()          {}
func (*ProjectOp) opNode()        {}
func (*ProjectAwayOp) opNode()    {}
func (*ProjectRenameOp) opNode()  {}
func (*ProjectReorderOp) opNode() {}
func (*SummarizeOp) opNode()      {}
func (*SortOp) opNode()           {}
func (*TopOp) opNode()            {}
func (*TakeOp) opNode()           {}
func (*DistinctOp) opNode()       {}
func (*CountOp) opNode()          {}
func (*JoinOp) opNode()           {}
func (*LookupOp) opNode()         {}
func (*MvExpandOp) opNode()       {}
func (*ParseOp) opNode()          {}
func (*EvaluateOp) opNode()       {}
func (*GetSchemaOp) opNode()      {}
func (*SerializeOp) opNode()      {}
func (*InvokeOp) opNode()         {}
func (*AsOp) opNode()             {}
func (*RenderOp) opNode()         {}
func (*UnionOp) opNode()          {}
func (*SearchOp) opNode()         {}
func (*UnsupportedOp) opNode()    {}

func (*LetStmt) stmtNode()  {}
func (*ExprStmt) stmtNode() {}
func (*SetStmt) stmtNode()  {}

// Pos methods.

func (n *Ident) Pos() int            { return n.At }
func (n *Literal) Pos() int          { return n.At }
func (n *Unary) Pos() int            { return n.At }
func (n *Binary) Pos() int           { return n.At }
func (n *InExpr) Pos() int           { return n.At }
func (n *BetweenExpr) Pos() int      { return n.At }
func (n *Call) Pos() int             { return n.At }
func (n *Member) Pos() int           { return n.At }
func (n *Index) Pos() int            { return n.At }
func (n *Star) Pos() int             { return n.At }
func (n *Paren) Pos() int            { return n.At }
func (n *Pipe) Pos() int             { return n.X.Pos() }
func (n *NamedExpr) Pos() int        { return n.At }
func (n *DatatableExpr) Pos() int    { return n.At }
func (n *PrintExpr) Pos() int        { return n.At }
func (n *RangeExpr) Pos() int        { return n.At }
func (n *UnionExpr) Pos() int        { return n.At }
func (n *ExternalDataExpr) Pos() int { return n.At }
func (n *MaterializeExpr) Pos() int  { return n.At }
func (n *SearchExpr) Pos() int       { return n.At }
func (n *WhereOp) Pos() int          { return n.At }
func (n *ProjectOp) Pos() int        { return n.At }
func (n *ProjectAwayOp) Pos() int    { return n.At }
func (n *ProjectRenameOp) Pos() int  { return n.At }
func (n *ProjectReorderOp) Pos() int { return n.At }
func (n *SummarizeOp) Pos() int      { return n.At }
func (n *SortOp) Pos() int           { return n.At }
func (n *TopOp) Pos() int            { return n.At }
func (n *TakeOp) Pos() int           { return n.At }
func (n *DistinctOp) Pos() int       { return n.At }
func (n *CountOp) Pos() int          { return n.At }
func (n *JoinOp) Pos() int           { return n.At }
func (n *LookupOp) Pos() int         { return n.At }
func (n *MvExpandOp) Pos() int       { return n.At }
func (n *ParseOp) Pos() int          { return n.At }
func (n *ParseCapture) Pos() int     { return n.At }
func (n *EvaluateOp) Pos() int       { return n.At }
func (n *GetSchemaOp) Pos() int      { return n.At }
func (n *SerializeOp) Pos() int      { return n.At }
func (n *InvokeOp) Pos() int         { return n.At }
func (n *AsOp) Pos() int             { return n.At }
func (n *RenderOp) Pos() int         { return n.At }
func (n *UnionOp) Pos() int          { return n.Union.At }
func (n *SearchOp) Pos() int         { return n.Search.At }
func (n *UnsupportedOp) Pos() int    { return n.At }
func (n *LetStmt) Pos() int          { return n.At }
func (n *ExprStmt) Pos() int         { return n.X.Pos() }
func (n *SetStmt) Pos() int          { return n.At }
func (n *FuncDef) Pos() int          { return n.At }
