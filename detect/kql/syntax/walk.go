package syntax

// Walk calls visit for n and, while visit returns true, for every node
// below it, depth first, in source order. Tabular operators and the
// expressions inside them are visited too.
func Walk(n Node, visit func(Node) bool) {
	if n == nil || isNilNode(n) || !visit(n) {
		return
	}
	walkExprs := func(es []Expr) {
		for _, e := range es {
			Walk(e, visit)
		}
	}
	walkNamed := func(ns []NamedExpr) {
		for i := range ns {
			Walk(ns[i].X, visit)
		}
	}
	walkKeys := func(ks []SortKey) {
		for _, k := range ks {
			Walk(k.X, visit)
		}
	}
	switch x := n.(type) {
	case *LetStmt:
		Walk(x.Value, visit)
	case *ExprStmt:
		Walk(x.X, visit)
	case *SetStmt:
		if x.Value != nil {
			Walk(x.Value, visit)
		}
	case *FuncDef:
		for _, p := range x.Params {
			if p.Default != nil {
				Walk(p.Default, visit)
			}
		}
		for _, s := range x.Body {
			Walk(s, visit)
		}
	case *Unary:
		Walk(x.X, visit)
	case *Binary:
		Walk(x.L, visit)
		Walk(x.R, visit)
	case *InExpr:
		Walk(x.X, visit)
		walkExprs(x.List)
	case *BetweenExpr:
		Walk(x.X, visit)
		Walk(x.Lo, visit)
		Walk(x.Hi, visit)
	case *Call:
		walkExprs(x.Args)
	case *Member:
		Walk(x.X, visit)
	case *Index:
		Walk(x.X, visit)
		Walk(x.Index, visit)
	case *Paren:
		Walk(x.X, visit)
	case *Pipe:
		Walk(x.X, visit)
		Walk(x.Op, visit)
	case *DatatableExpr:
		walkExprs(x.Values)
	case *PrintExpr:
		walkNamed(x.Columns)
	case *RangeExpr:
		Walk(x.From, visit)
		Walk(x.To, visit)
		Walk(x.Step, visit)
	case *UnionExpr:
		walkExprs(x.Legs)
	case *MaterializeExpr:
		Walk(x.X, visit)
	case *SearchExpr:
		if x.Pred != nil {
			Walk(x.Pred, visit)
		}
	case *WhereOp:
		Walk(x.Pred, visit)
	case *ProjectOp:
		walkNamed(x.Columns)
	case *SummarizeOp:
		walkNamed(x.Aggs)
		walkNamed(x.By)
	case *SortOp:
		walkKeys(x.Keys)
	case *TopOp:
		Walk(x.N, visit)
		walkKeys(x.Keys)
	case *TakeOp:
		Walk(x.N, visit)
	case *DistinctOp:
		walkExprs(x.Columns)
	case *JoinOp:
		Walk(x.Right, visit)
	case *LookupOp:
		Walk(x.Right, visit)
	case *MvExpandOp:
		for _, c := range x.Columns {
			Walk(c.X, visit)
		}
		if x.Limit != nil {
			Walk(x.Limit, visit)
		}
	case *ParseOp:
		Walk(x.X, visit)
	case *EvaluateOp:
		Walk(x.Plugin, visit)
	case *SerializeOp:
		walkNamed(x.Columns)
	case *InvokeOp:
		Walk(x.Func, visit)
	case *UnionOp:
		Walk(x.Union, visit)
	case *SearchOp:
		Walk(x.Search, visit)
	}
}

// isNilNode catches typed nil pointers stored in a Node interface.
func isNilNode(n Node) bool {
	switch x := n.(type) {
	case *Call:
		return x == nil
	case *UnionExpr:
		return x == nil
	case *SearchExpr:
		return x == nil
	}
	return false
}
