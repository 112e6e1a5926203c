package syntax

import (
	"fmt"
	"strings"
)

// operatorNames are the tabular operators offhunt runs, as written after a
// pipe (alternative spellings included), for "did you mean" hints.
var operatorNames = []string{
	"where", "filter", "project", "extend", "project-away", "project-keep",
	"project-rename", "project-reorder", "summarize", "sort", "order", "top",
	"take", "limit", "distinct", "count", "join", "lookup", "mv-expand",
	"parse", "parse-where", "evaluate", "getschema", "serialize", "invoke",
	"as", "render", "union", "search",
}

// unsupportedOps are Kusto operators offhunt knows but does not run. They
// parse into UnsupportedOp so that the binder can name them.
var unsupportedOps = map[string]bool{
	"make-series": true, "mv-apply": true, "mvapply": true, "top-nested": true,
	"top-hitters": true, "fork": true, "facet": true, "sample": true,
	"sample-distinct": true, "reduce": true, "scan": true, "partition": true,
	"find": true, "consume": true, "parse-kv": true, "project-smart": true,
	"execute-and-cache": true, "make-graph": true, "graph-match": true,
	"graph-shortest-paths": true, "graph-to-table": true,
	"graph-mark-components": true, "project-by-names": true, "macro-expand": true,
}

// opParam is one `name=value` parameter of an operator (kind=inner,
// hint.strategy=shuffle, isfuzzy=true).
type opParam struct {
	name  string
	value string
}

func isHint(name string) bool { return strings.HasPrefix(name, "hint.") }

// parseParams reads the operator parameters that allowed accepts. A
// string value is decoded; any other value keeps its spelling.
func (p *parser) parseParams(op string, allowed func(string) bool) []opParam {
	var out []opParam
	for p.tok.Kind == TokIdent {
		n, name := 1, p.tok.Text
		for p.peek(n).Kind == TokDot && p.peek(n+1).Kind == TokIdent {
			name += "." + p.peek(n+1).Text
			n += 2
		}
		if p.peek(n).Kind != TokAssign || !allowed(name) {
			break
		}
		for range n + 1 {
			p.next()
		}
		v := p.tok
		var value string
		switch {
		case isStringTok(v):
			value = v.Value().S
		case v.Kind == TokIdent || v.Kind == TokLiteral:
			value = v.Text
		default:
			p.fail(p.unexpected(v, "in "+op, "a value for "+name))
		}
		p.next()
		out = append(out, opParam{name: name, value: value})
	}
	return out
}

// parseOperator reads the operator after a pipe and returns it with its
// name as written, for error messages.
func (p *parser) parseOperator() (Operator, string) {
	t := p.tok
	if t.Kind != TokIdent && t.Kind != TokKeyword {
		p.fail(p.unexpected(t, `after "|"`, "an operator such as where, project or summarize"))
	}
	name := t.Text
	saved := p.ctx
	defer func() { p.ctx = saved }()
	switch name {
	case "where", "filter":
		p.next()
		p.ctx = exprCtx{in: "in " + name, want: "a predicate"}
		return &WhereOp{At: t.Pos, Pred: p.parseExpr()}, name
	case "project", "extend":
		p.next()
		want := "a column name"
		if name == "extend" {
			want = "a column name or expression"
		}
		return &ProjectOp{At: t.Pos, Kind: name, Columns: p.parseNamedList("in "+name, want)}, name
	case "project-away", "project-keep":
		p.next()
		op := &ProjectAwayOp{At: t.Pos, Keep: name == "project-keep"}
		for {
			pat, _ := p.parseWildcardName("in "+name, "a column name or pattern")
			op.Patterns = append(op.Patterns, pat)
			if !p.accept(TokComma) {
				break
			}
		}
		return op, name
	case "project-rename":
		return p.parseProjectRename(), name
	case "project-reorder":
		return p.parseProjectReorder(), name
	case "summarize":
		return p.parseSummarize(), name
	case "sort", "order":
		p.next()
		p.parseParams(name, isHint)
		p.expectWord("by", "in "+name)
		return &SortOp{At: t.Pos, Keys: p.parseSortKeys("in " + name)}, name
	case "top":
		p.next()
		p.parseParams(name, isHint)
		p.ctx = exprCtx{in: "in top", want: "the number of rows"}
		n := p.parseExpr()
		p.expectWord("by", "in top")
		return &TopOp{At: t.Pos, N: n, Keys: p.parseSortKeys("in top")}, name
	case "take", "limit":
		p.next()
		p.parseParams(name, isHint)
		p.ctx = exprCtx{in: "in " + name, want: "the number of rows"}
		return &TakeOp{At: t.Pos, N: p.parseExpr()}, name
	case "distinct":
		p.next()
		p.parseParams(name, isHint)
		if p.tok.Kind == TokStar && p.isEndAt(1) {
			p.next()
			return &DistinctOp{At: t.Pos, Star: true}, name
		}
		op := &DistinctOp{At: t.Pos}
		p.ctx = exprCtx{in: "in distinct", want: "a column name"}
		for {
			op.Columns = append(op.Columns, p.parseExpr())
			if !p.accept(TokComma) {
				break
			}
		}
		return op, name
	case "count":
		p.next()
		return &CountOp{At: t.Pos}, name
	case "join", "lookup":
		return p.parseJoin(), name
	case "mv-expand", "mvexpand":
		return p.parseMvExpand(), name
	case "parse", "parse-where":
		return p.parseParse(), name
	case "evaluate":
		p.next()
		p.parseParams(name, isHint)
		return &EvaluateOp{At: t.Pos, Plugin: p.parseCallOnly("in evaluate", "a plugin call such as bag_unpack(Column)")}, name
	case "getschema":
		p.next()
		return &GetSchemaOp{At: t.Pos}, name
	case "serialize":
		p.next()
		op := &SerializeOp{At: t.Pos}
		if !p.isEnd() {
			op.Columns = p.parseNamedList("in serialize", "a column name")
		}
		return op, name
	case "invoke":
		p.next()
		return &InvokeOp{At: t.Pos, Func: p.parseCallOnly("in invoke", "a function call")}, name
	case "as":
		p.next()
		p.parseParams(name, isHint)
		n, _, _ := p.parseName("in as", "a name")
		return &AsOp{At: t.Pos, Name: n}, name
	case "render":
		return p.parseRender(), name
	case "union":
		return &UnionOp{Union: p.parseUnion()}, name
	case "search":
		return &SearchOp{Search: p.parseSearch()}, name
	}
	if unsupportedOps[name] {
		p.next()
		p.skipOperator()
		return &UnsupportedOp{At: t.Pos, Name: name}, name
	}
	if t.Kind == TokKeyword {
		p.fail(p.unexpected(t, `after "|"`, "an operator such as where, project or summarize"))
	}
	e := Errorf(p.src, t.Pos, "unknown operator %q", name)
	if c := Closest(name, operatorNames); c != "" && editDistance(strings.ToLower(name), c) <= max(1, len(name)/3) {
		e.Hint = fmt.Sprintf("did you mean %q?", c)
	}
	p.fail(e)
	return nil, ""
}

// isEndAt reports whether the token n ahead ends an operator.
func (p *parser) isEndAt(n int) bool {
	switch p.peek(n).Kind {
	case TokEOF, TokPipe, TokSemi, TokRParen, TokRBrace:
		return true
	}
	return false
}

// skipOperator skips an unsupported operator's arguments: everything up to
// the next `|` or `;` outside brackets, or the bracket that closes the
// enclosing expression.
func (p *parser) skipOperator() {
	depth := 0
	for {
		switch p.tok.Kind {
		case TokEOF:
			return
		case TokLParen, TokLBracket, TokLBrace:
			depth++
		case TokRParen, TokRBracket, TokRBrace:
			if depth == 0 {
				return
			}
			depth--
		case TokPipe, TokSemi:
			if depth == 0 {
				return
			}
		}
		p.next()
	}
}

// parseCallOnly reads `name(args)`, for evaluate and invoke.
func (p *parser) parseCallOnly(in, want string) *Call {
	t := p.tok
	switch {
	case t.Kind == TokIdent && p.peek(1).Kind == TokLParen:
		p.next()
		return p.parseCall(t.Text, t.Pos)
	case p.isQuotedNameAt(0) && p.peek(3).Kind == TokLParen:
		name, _, _ := p.parseName("", "")
		return p.parseCall(name, t.Pos)
	}
	p.fail(p.unexpected(t, in, want))
	return nil
}

func (p *parser) parseProjectRename() *ProjectRenameOp {
	op := &ProjectRenameOp{At: p.tok.Pos}
	p.next()
	for {
		newName, _, _ := p.parseName("in project-rename", "a new column name")
		p.expect(TokAssign, "in project-rename")
		old, _, _ := p.parseName("in project-rename", "the column to rename")
		op.Pairs = append(op.Pairs, RenamePair{New: newName, Old: old})
		if !p.accept(TokComma) {
			break
		}
	}
	return op
}

func (p *parser) parseProjectReorder() *ProjectReorderOp {
	op := &ProjectReorderOp{At: p.tok.Pos}
	p.next()
	for {
		pat, _ := p.parseWildcardName("in project-reorder", "a column name or pattern")
		order := ""
		switch t := p.tok; {
		case t.Kind == TokIdent && (t.Text == "asc" || t.Text == "desc"),
			t.Kind == TokKeyword && (t.Text == "granny-asc" || t.Text == "granny-desc"):
			order = t.Text
			p.next()
		}
		op.Patterns = append(op.Patterns, pat)
		op.Orders = append(op.Orders, order)
		if !p.accept(TokComma) {
			break
		}
	}
	return op
}

func (p *parser) parseSummarize() *SummarizeOp {
	op := &SummarizeOp{At: p.tok.Pos}
	p.next()
	p.parseParams("summarize", isHint)
	if !p.isWord("by") && !p.isEnd() {
		op.Aggs = p.parseNamedList("in summarize", "an aggregation such as count()")
	}
	if p.isWord("by") {
		p.next()
		op.By = p.parseNamedList("in summarize by", "a column or expression to group by")
	}
	return op
}

// parseSortKeys reads `expr [asc|desc] [nulls first|last], ...`.
func (p *parser) parseSortKeys(in string) []SortKey {
	saved := p.ctx
	defer func() { p.ctx = saved }()
	var keys []SortKey
	for {
		p.ctx = exprCtx{in: in, want: "a column to sort by"}
		k := SortKey{X: p.parseExpr()}
		if p.isWord("asc") || p.isWord("desc") {
			k.Order = p.tok.Text
			p.next()
		}
		if p.isWord("nulls") {
			p.next()
			if !p.isWord("first") && !p.isWord("last") {
				p.fail(p.unexpected(p.tok, "after nulls", `"first" or "last"`))
			}
			k.Nulls = p.tok.Text
			p.next()
		}
		keys = append(keys, k)
		if !p.accept(TokComma) {
			return keys
		}
	}
}

func (p *parser) parseJoin() Operator {
	t := p.tok
	name := t.Text
	p.next()
	kind := ""
	for _, prm := range p.parseParams(name, func(n string) bool { return n == "kind" || isHint(n) }) {
		if prm.name == "kind" {
			kind = prm.value
		}
	}
	p.ctx = exprCtx{in: "in " + name, want: "the right table, such as (T | where ...)"}
	right := p.parseUnary()
	var on []JoinCond
	switch {
	case p.isWord("on"):
		p.next()
		p.ctx = exprCtx{in: "in " + name + " on", want: "a column name or $left.Column == $right.Column"}
		for {
			on = p.joinConds(p.parseExpr(), on)
			if !p.accept(TokComma) {
				break
			}
		}
	case p.isWord("where") && name == "join":
		p.fail(NotSupported(p.src, p.tok.Pos, "join ... where"))
	case name == "lookup":
		p.fail(p.unexpected(p.tok, "in lookup", `"on" and the key columns`))
	}
	if name == "lookup" {
		return &LookupOp{At: t.Pos, Kind: kind, Right: right, On: on}
	}
	return &JoinOp{At: t.Pos, Kind: kind, Right: right, On: on}
}

// joinConds converts one expression of join's `on` clause into
// conditions: `A`, `$left.A == $right.B`, and `and` of those.
func (p *parser) joinConds(x Expr, out []JoinCond) []JoinCond {
	switch e := x.(type) {
	case *Ident:
		if !strings.HasPrefix(e.Name, "$") || e.Quoted {
			return append(out, JoinCond{Left: e.Name, Right: e.Name})
		}
	case *Binary:
		switch e.Op {
		case "and":
			return p.joinConds(e.R, p.joinConds(e.L, out))
		case "==":
			ls, lc := joinSide(e.L)
			rs, rc := joinSide(e.R)
			switch {
			case ls == "$left" && rs == "$right":
				return append(out, JoinCond{Left: lc, Right: rc})
			case ls == "$right" && rs == "$left":
				return append(out, JoinCond{Left: rc, Right: lc})
			}
		}
	}
	e := Errorf(p.src, x.Pos(), "a join condition must be a column name or $left.Column == $right.Column")
	e.Hint = "write on Key, or on $left.A == $right.B"
	p.fail(e)
	return nil
}

// joinSide splits `$left.Col` into ("$left", "Col").
func joinSide(x Expr) (side, col string) {
	m, ok := x.(*Member)
	if !ok {
		return "", ""
	}
	id, ok := m.X.(*Ident)
	if !ok || id.Quoted || id.Name != "$left" && id.Name != "$right" {
		return "", ""
	}
	return id.Name, m.Name
}

func (p *parser) parseMvExpand() *MvExpandOp {
	op := &MvExpandOp{At: p.tok.Pos}
	p.next()
	for _, prm := range p.parseParams("mv-expand", func(n string) bool {
		return n == "kind" || n == "bagexpansion" || n == "with_itemindex" || isHint(n)
	}) {
		switch prm.name {
		case "kind", "bagexpansion":
			op.Kind = prm.value
		case "with_itemindex":
			op.ItemIndex = prm.value
		}
	}
	for {
		p.ctx = exprCtx{in: "in mv-expand", want: "a column to expand"}
		ne := p.parseNamedExpr()
		if ne.Names != nil {
			p.errorf(ne.At, "mv-expand takes one name per expression, not a list")
		}
		col := MvExpandColumn{Name: ne.Name, X: ne.X}
		if p.isWord("to") {
			p.next()
			p.expectWord("typeof", "in mv-expand")
			p.expect(TokLParen, "in mv-expand")
			col.To = p.parseType("in typeof")
			p.expect(TokRParen, "in mv-expand")
		}
		op.Columns = append(op.Columns, col)
		if !p.accept(TokComma) {
			break
		}
	}
	if p.isWord("limit") {
		p.next()
		p.ctx = exprCtx{in: "in mv-expand limit", want: "the number of rows"}
		op.Limit = p.parseExpr()
	}
	return op
}

func (p *parser) parseParse() *ParseOp {
	t := p.tok
	op := &ParseOp{At: t.Pos, Where: t.Text == "parse-where"}
	p.next()
	for _, prm := range p.parseParams(t.Text, func(n string) bool { return n == "kind" || n == "flags" }) {
		if prm.name == "kind" {
			op.Kind = prm.value
		} else {
			op.Flags = prm.value
		}
	}
	p.ctx = exprCtx{in: "in " + t.Text, want: "the column or expression to parse"}
	op.X = p.parseExpr()
	p.expectWord("with", "in "+t.Text)
	for {
		switch {
		case p.tok.Kind == TokStar:
			op.Pattern = append(op.Pattern, &Star{At: p.tok.Pos})
			p.next()
			continue
		case isStringTok(p.tok):
			op.Pattern = append(op.Pattern, p.parseStringLit())
			continue
		case p.tok.Kind == TokIdent || p.isQuotedNameAt(0):
			name, _, at := p.parseName("", "")
			c := &ParseCapture{At: at, Name: name}
			if p.accept(TokColon) {
				c.Type = p.parseType("for column " + name)
			}
			op.Pattern = append(op.Pattern, c)
			continue
		}
		break
	}
	if len(op.Pattern) == 0 {
		p.fail(p.unexpected(p.tok, "in "+t.Text, `a pattern such as * "text=" Column`))
	}
	return op
}

func (p *parser) parseRender() *RenderOp {
	op := &RenderOp{At: p.tok.Pos}
	p.next()
	if p.tok.Kind != TokIdent {
		p.fail(p.unexpected(p.tok, "in render", "a chart kind such as timechart"))
	}
	op.Kind = p.tok.Text
	p.next()
	if !p.isWord("with") {
		return op
	}
	p.next()
	p.expect(TokLParen, "in render with")
	op.Props = map[string]string{}
	last := ""
	for p.tok.Kind != TokRParen {
		if p.tok.Kind == TokIdent && p.peek(1).Kind == TokAssign || p.isQuotedNameAt(0) && p.peek(3).Kind == TokAssign || last == "" {
			name, _, _ := p.parseName("in render with", "a property name")
			p.expect(TokAssign, "in render with")
			last = name
			op.Props[name] = p.renderValue()
		} else {
			// ycolumns=a, b: a further name of a list-valued property.
			op.Props[last] += ", " + p.renderValue()
		}
		if !p.accept(TokComma) {
			break
		}
	}
	p.expect(TokRParen, "in render with")
	return op
}

// renderValue reads a render property's value and returns its source text.
func (p *parser) renderValue() string {
	start := p.tok
	if p.tok.Kind == TokComma || p.tok.Kind == TokRParen || p.tok.Kind == TokEOF {
		p.fail(p.unexpected(p.tok, "in render with", "a value"))
	}
	p.ctx = exprCtx{in: "in render with", want: "a value"}
	p.parseExpr()
	end := p.toks[p.i-1].End()
	return p.src[start.Pos:end]
}

// ---- sources ----

func (p *parser) parsePrint() *PrintExpr {
	at := p.tok.Pos
	p.next()
	return &PrintExpr{At: at, Columns: p.parseNamedList("in print", "an expression")}
}

func (p *parser) parseRange() *RangeExpr {
	r := &RangeExpr{At: p.tok.Pos}
	p.next()
	r.Column, _, _ = p.parseName("in range", "a column name")
	saved := p.ctx
	p.expectWord("from", "in range")
	p.ctx = exprCtx{in: "in range", want: "the start value"}
	r.From = p.parseExpr()
	p.expectWord("to", "in range")
	p.ctx.want, p.ctx.after = "the end value", ""
	r.To = p.parseExpr()
	p.expectWord("step", "in range")
	p.ctx.want, p.ctx.after = "the step", ""
	r.Step = p.parseExpr()
	p.ctx = saved
	return r
}

func (p *parser) parseUnion() *UnionExpr {
	u := &UnionExpr{At: p.tok.Pos}
	p.next()
	for _, prm := range p.parseParams("union", func(n string) bool {
		return n == "kind" || n == "withsource" || n == "with_source" || n == "isfuzzy" || isHint(n)
	}) {
		switch prm.name {
		case "kind":
			u.Kind = prm.value
		case "withsource", "with_source":
			u.WithSource = prm.value
		case "isfuzzy":
			u.IsFuzzy = strings.EqualFold(prm.value, "true")
		}
	}
	saved := p.ctx
	for {
		p.ctx = exprCtx{in: "in union", want: "a table name or (tabular expression)"}
		u.Legs = append(u.Legs, p.parseUnionLeg())
		if !p.accept(TokComma) {
			break
		}
	}
	p.ctx = saved
	return u
}

// parseUnionLeg reads a table name (wildcards allowed), a call, or a
// parenthesised tabular expression.
func (p *parser) parseUnionLeg() Expr {
	t := p.tok
	switch {
	case t.Kind == TokLParen:
		// A parenthesised leg is tabular; keep the parentheses unless they
		// hold a plain name or call, which read back the same without.
		switch x := p.parsePrimary().(type) {
		case *Ident, *Call, *Paren:
			return x
		default:
			return &Paren{At: t.Pos, X: x}
		}
	case t.Kind == TokIdent && p.peek(1).Kind == TokLParen, p.isQuotedNameAt(0) && p.peek(3).Kind == TokLParen:
		return p.parsePostfix()
	case t.Kind == TokIdent || t.Kind == TokStar || p.isQuotedNameAt(0):
		name, quoted := p.parseWildcardName("in union", "a table name")
		return &Ident{At: t.Pos, Name: name, Quoted: quoted}
	}
	p.fail(p.unexpected(t, p.ctx.in, p.ctx.wanted()))
	return nil
}

func (p *parser) parseSearch() *SearchExpr {
	s := &SearchExpr{At: p.tok.Pos}
	p.next()
	for _, prm := range p.parseParams("search", func(n string) bool { return n == "kind" || isHint(n) }) {
		if prm.name == "kind" {
			s.Kind = prm.value
		}
	}
	if p.isWord("in") && p.peek(1).Kind == TokLParen {
		p.next()
		p.next()
		for {
			name, _ := p.parseWildcardName("in search in", "a table name")
			s.Tables = append(s.Tables, name)
			if !p.accept(TokComma) {
				break
			}
		}
		p.expect(TokRParen, "in search in")
	}
	saved := p.ctx
	p.ctx = exprCtx{in: "in search", want: `a predicate or a "term"`}
	s.Pred = p.parseExpr()
	p.ctx = saved
	return s
}

func (p *parser) parseDatatable() *DatatableExpr {
	d := &DatatableExpr{At: p.tok.Pos}
	p.next()
	p.expect(TokLParen, "in datatable")
	d.Columns = p.parseColumnList("in datatable")
	p.expect(TokRParen, "in the datatable schema")
	p.expect(TokLBracket, "in datatable")
	saved := p.ctx
	p.ctx = exprCtx{in: "in the datatable values", want: "a value"}
	for p.tok.Kind != TokRBracket {
		d.Values = append(d.Values, p.parseExpr())
		if !p.accept(TokComma) {
			break
		}
	}
	p.expect(TokRBracket, "in the datatable values")
	p.ctx = saved
	if len(d.Columns) > 0 && len(d.Values)%len(d.Columns) != 0 {
		p.errorf(d.At, "datatable has %d values, which is not a whole number of rows of %d columns", len(d.Values), len(d.Columns))
	}
	return d
}

func (p *parser) parseExternalData() *ExternalDataExpr {
	e := &ExternalDataExpr{At: p.tok.Pos}
	p.next()
	p.expect(TokLParen, "in externaldata")
	e.Columns = p.parseColumnList("in externaldata")
	p.expect(TokRParen, "in the externaldata schema")
	p.expect(TokLBracket, "in externaldata")
	for p.tok.Kind != TokRBracket {
		if !isStringTok(p.tok) {
			p.fail(p.unexpected(p.tok, "in externaldata", "a URL string"))
		}
		e.URLs = append(e.URLs, p.parseStringLit().Value.S)
		if !p.accept(TokComma) {
			break
		}
	}
	p.expect(TokRBracket, "in externaldata")
	if len(e.URLs) == 0 {
		p.errorf(e.At, "externaldata needs at least one URL")
	}
	if !p.isWord("with") {
		return e
	}
	p.next()
	p.expect(TokLParen, "in externaldata with")
	e.With = map[string]string{}
	for p.tok.Kind != TokRParen {
		name, _, _ := p.parseName("in externaldata with", "a property name")
		p.expect(TokAssign, "in externaldata with")
		switch v := p.tok; {
		case isStringTok(v):
			e.With[name] = p.parseStringLit().Value.S
		case v.Kind == TokIdent || v.Kind == TokLiteral:
			e.With[name] = v.Text
			p.next()
		default:
			p.fail(p.unexpected(v, "in externaldata with", "a value"))
		}
		if !p.accept(TokComma) {
			break
		}
	}
	p.expect(TokRParen, "in externaldata with")
	return e
}

func (p *parser) parseMaterialize() *MaterializeExpr {
	m := &MaterializeExpr{At: p.tok.Pos}
	p.next()
	p.enter()
	p.expect(TokLParen, "in materialize")
	saved := p.ctx
	p.ctx = exprCtx{in: "in materialize()", want: "a tabular expression"}
	m.X = p.parsePipeExpr()
	if p.tok.Kind != TokRParen {
		in := "in materialize()"
		if p.lastOp != "" {
			in = "in " + p.lastOp
		}
		p.fail(p.unexpected(p.tok, in, `")"`))
	}
	p.next()
	p.ctx = saved
	p.leave()
	return m
}
