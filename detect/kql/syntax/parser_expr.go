package syntax

import (
	"strings"

	"offhunt/detect/data"
)

// Operator precedence, loosest first, as in Kusto's grammar: the string
// operators (has, contains, =~ ...) bind tighter than arithmetic, and the
// equality level holds ==, !=, in, has_any and between.
const (
	precOr = 1 + iota
	precAnd
	precEquality
	precRelational
	precAdditive
	precMultiplicative
	precString
	precUnary
	precPostfix
)

type opShape uint8

const (
	shapeBinary  opShape = iota
	shapeList            // in, !in, in~, !in~, has_any, has_all: X op (list)
	shapeBetween         // between, !between: X op (lo .. hi)
)

type opInfo struct {
	prec  int
	shape opShape
}

// binaryOps maps each binary operator, as written, to its precedence and
// shape. `matches` stands for `matches regex`.
var binaryOps = map[string]opInfo{
	"or":  {precOr, shapeBinary},
	"and": {precAnd, shapeBinary},
	"==":  {precEquality, shapeBinary}, "!=": {precEquality, shapeBinary}, "<>": {precEquality, shapeBinary},
	"in": {precEquality, shapeList}, "!in": {precEquality, shapeList},
	"in~": {precEquality, shapeList}, "!in~": {precEquality, shapeList},
	"has_any": {precEquality, shapeList}, "has_all": {precEquality, shapeList},
	"between": {precEquality, shapeBetween}, "!between": {precEquality, shapeBetween},
	"<": {precRelational, shapeBinary}, "<=": {precRelational, shapeBinary},
	">": {precRelational, shapeBinary}, ">=": {precRelational, shapeBinary},
	"+": {precAdditive, shapeBinary}, "-": {precAdditive, shapeBinary},
	"*": {precMultiplicative, shapeBinary}, "/": {precMultiplicative, shapeBinary}, "%": {precMultiplicative, shapeBinary},
	"=~": {precString, shapeBinary}, "!~": {precString, shapeBinary},
	"has": {precString, shapeBinary}, "!has": {precString, shapeBinary},
	"has_cs": {precString, shapeBinary}, "!has_cs": {precString, shapeBinary},
	"hasprefix": {precString, shapeBinary}, "!hasprefix": {precString, shapeBinary},
	"hasprefix_cs": {precString, shapeBinary}, "!hasprefix_cs": {precString, shapeBinary},
	"hassuffix": {precString, shapeBinary}, "!hassuffix": {precString, shapeBinary},
	"hassuffix_cs": {precString, shapeBinary}, "!hassuffix_cs": {precString, shapeBinary},
	"contains": {precString, shapeBinary}, "!contains": {precString, shapeBinary},
	"contains_cs": {precString, shapeBinary}, "!contains_cs": {precString, shapeBinary},
	"startswith": {precString, shapeBinary}, "!startswith": {precString, shapeBinary},
	"startswith_cs": {precString, shapeBinary}, "!startswith_cs": {precString, shapeBinary},
	"endswith": {precString, shapeBinary}, "!endswith": {precString, shapeBinary},
	"endswith_cs": {precString, shapeBinary}, "!endswith_cs": {precString, shapeBinary},
	"like": {precString, shapeBinary}, "!like": {precString, shapeBinary},
	"like_cs": {precString, shapeBinary}, "!like_cs": {precString, shapeBinary},
	":":             {precString, shapeBinary}, // Col:"term", has on one column, as search writes it
	"matches regex": {precString, shapeBinary},
}

// reservedWords cannot be names in an expression without quoting: they
// are operators, or words that end an expression (by, on, with ...).
var reservedWords = map[string]bool{"by": true, "on": true, "with": true}

// isReserved reports whether name must be quoted to be read as a name in
// an expression.
func isReserved(name string) bool {
	if info, ok := binaryOps[name]; ok && info.prec > 0 {
		return true
	}
	return reservedWords[name]
}

// binaryOpAt returns the binary operator at the current token, if any,
// and how many tokens it spans.
func (p *parser) binaryOpAt() (string, opInfo, int) {
	t := p.tok
	var op string
	switch t.Kind {
	case TokIdent:
		if t.Text == "matches" && p.peek(1).Kind == TokIdent && p.peek(1).Text == "regex" {
			return "matches regex", binaryOps["matches regex"], 2
		}
		op = t.Text
	case TokKeyword, TokEq, TokNeq, TokLtGt, TokLt, TokLe, TokGt, TokGe, TokEqTilde, TokNotTilde,
		TokPlus, TokMinus, TokStar, TokSlash, TokPercent, TokColon:
		op = t.Text
	default:
		return "", opInfo{}, 0
	}
	info, ok := binaryOps[op]
	if !ok || op == "matches regex" {
		return "", opInfo{}, 0
	}
	if op == "<>" {
		op = "!="
	}
	return op, info, 1
}

// ---- pipes and sources ----

// parsePipeExpr reads a tabular (or scalar) expression with its pipes:
// `Source | op | op ...`. It sets lastOp to its last operator's name.
// Nesting is counted by the brackets, calls and function bodies that
// lead here, not by this function.
func (p *parser) parsePipeExpr() Expr {
	x, last := p.parseSource()
	for p.tok.Kind == TokPipe {
		p.next()
		op, name := p.parseOperator()
		x = &Pipe{X: x, Op: op}
		last = name
	}
	p.lastOp = last
	return x
}

// parseSource reads what may start a pipe: print, range, union, search,
// or any expression (a table name, a call, datatable, a parenthesised
// pipe).
func (p *parser) parseSource() (Expr, string) {
	if p.tok.Kind == TokIdent {
		switch p.tok.Text {
		case "print":
			return p.parsePrint(), "print"
		case "range":
			if p.peek(1).Kind == TokIdent && p.isWordAt(2, "from") || p.isQuotedNameAt(1) && p.isWordAt(4, "from") {
				return p.parseRange(), "range"
			}
		case "union":
			return p.parseUnion(), "union"
		case "search":
			return p.parseSearch(), "search"
		case "find", "evaluate", "macro-expand", "entity_group":
			if k := p.peek(1).Kind; k != TokLParen && k != TokPipe && k != TokSemi && k != TokEOF && k != TokRParen {
				p.fail(NotSupported(p.src, p.tok.Pos, "the operator '"+p.tok.Text+"' at the start of a query"))
			}
		}
	}
	return p.parseExpr(), ""
}

// ---- scalar expressions ----

// parseExpr reads an expression without pipes (Kusto's unnamed expression).
func (p *parser) parseExpr() Expr {
	return p.parseBinary(precOr)
}

// parseBinary reads operators of precedence minPrec or tighter, left to
// right (precedence climbing).
func (p *parser) parseBinary(minPrec int) Expr {
	left := p.parseUnary()
	for {
		op, info, n := p.binaryOpAt()
		if n == 0 || info.prec < minPrec {
			return left
		}
		for range n {
			p.next()
		}
		switch info.shape {
		case shapeList:
			list := p.parseList(op)
			left = &InExpr{At: left.Pos(), Op: op, X: left, List: list}
		case shapeBetween:
			lo, hi := p.parseBetween(op)
			left = &BetweenExpr{At: left.Pos(), Not: op == "!between", X: left, Lo: lo, Hi: hi}
		default:
			saved := p.ctx
			p.ctx.after = op
			right := p.parseBinary(info.prec + 1)
			p.ctx = saved
			left = &Binary{At: left.Pos(), Op: op, L: left, R: right}
		}
	}
}

// parseList reads the parenthesised list of in, has_any and their kin.
// An element may be a scalar, a dynamic array, or a tabular expression.
func (p *parser) parseList(op string) []Expr {
	if p.tok.Kind != TokLParen {
		p.fail(p.unexpected(p.tok, "after "+op, `"(" and a list of values`))
	}
	p.enter()
	p.next()
	saved := p.ctx
	p.ctx = exprCtx{in: "in the list of " + op, want: "a value"}
	var list []Expr
	for {
		list = append(list, p.parsePipeExpr())
		if !p.accept(TokComma) {
			break
		}
	}
	if p.tok.Kind != TokRParen {
		p.fail(p.unexpected(p.tok, p.ctx.in, `"," or ")"`))
	}
	p.next()
	p.ctx = saved
	p.leave()
	return list
}

// parseBetween reads `(lo .. hi)`.
func (p *parser) parseBetween(op string) (Expr, Expr) {
	if p.tok.Kind != TokLParen {
		p.fail(p.unexpected(p.tok, "after "+op, `"(" and a range such as (1 .. 10)`))
	}
	p.enter()
	p.next()
	saved := p.ctx
	p.ctx = exprCtx{in: "in " + op, want: "the lower bound"}
	lo := p.parseExpr()
	if p.tok.Kind != TokDotDot {
		p.fail(p.unexpected(p.tok, "in "+op, `".."`))
	}
	p.next()
	p.ctx.want, p.ctx.after = "the upper bound", ""
	hi := p.parseExpr()
	p.expect(TokRParen, "in "+op)
	p.ctx = saved
	p.leave()
	return lo, hi
}

// parseUnary reads `-x`, `+x` or a postfix expression. A minus directly
// before a number literal folds into the literal (`-1` is the long -1).
func (p *parser) parseUnary() Expr {
	t := p.tok
	if t.Kind != TokMinus && t.Kind != TokPlus {
		return p.parsePostfix()
	}
	p.next()
	n := p.tok
	if t.Kind == TokMinus && isNumberTok(n) && !isPostfixStart(p.peek(1).Kind) {
		p.next()
		return &Literal{At: t.Pos, Type: n.Type, Value: negate(n.Value()), Text: "-" + n.Text}
	}
	p.enter()
	x := p.parseUnary()
	p.leave()
	return &Unary{At: t.Pos, Op: t.Text, X: x}
}

// isNumberTok reports whether t is a plain number or timespan literal (not
// a typed literal such as long(5)).
func isNumberTok(t Token) bool {
	if t.Kind != TokLiteral || t.Text == "" || !isDigit(t.Text[0]) {
		return false
	}
	switch t.Type {
	case data.Long, data.Real, data.TimeSpan:
		return true
	}
	return false
}

func isPostfixStart(k TokenKind) bool {
	return k == TokDot || k == TokLBracket || k == TokLParen
}

func negate(v data.Value) data.Value {
	switch v.K {
	case data.KLong, data.KInt, data.KTimeSpan:
		v.I = -v.I
	case data.KReal, data.KDecimal:
		v.F = -v.F
	}
	return v
}

// parsePostfix reads a primary expression and its member accesses
// (`.name`, `.['name']`) and indexes (`[i]`).
func (p *parser) parsePostfix() Expr {
	x := p.parsePrimary()
	for {
		switch p.tok.Kind {
		case TokDot:
			p.next()
			switch {
			case p.tok.Kind == TokIdent:
				x = &Member{At: x.Pos(), X: x, Name: p.tok.Text}
				p.next()
			case p.isQuotedNameAt(0):
				name, _, _ := p.parseName("", "")
				x = &Member{At: x.Pos(), X: x, Name: name}
			case p.tok.Kind == TokLBracket:
				x = &Index{At: x.Pos(), X: x, Index: p.parseIndex()}
			default:
				p.fail(p.unexpected(p.tok, `after "."`, "a property name"))
			}
		case TokLBracket:
			x = &Index{At: x.Pos(), X: x, Index: p.parseIndex()}
		default:
			return x
		}
	}
}

// parseIndex reads `[expr]`.
func (p *parser) parseIndex() Expr {
	p.enter()
	p.next()
	saved := p.ctx
	p.ctx = exprCtx{in: "in the index", want: "an index or key"}
	i := p.parseExpr()
	p.expect(TokRBracket, "in the index")
	p.ctx = saved
	p.leave()
	return i
}

// parsePrimary reads a literal, name, call, parenthesised expression,
// `*`, datatable, externaldata, materialize() or dynamic literal.
func (p *parser) parsePrimary() Expr {
	t := p.tok
	switch t.Kind {
	case TokLiteral:
		if t.Type == data.String {
			return p.parseStringLit()
		}
		p.next()
		if isNowLiteral(t) {
			// datetime() is now.
			return &Call{At: t.Pos, Name: "now"}
		}
		return &Literal{At: t.Pos, Type: t.Type, Value: t.Value(), Text: t.Text}
	case TokIdent:
		next := p.peek(1).Kind
		switch t.Text {
		case "datatable":
			if next == TokLParen {
				return p.parseDatatable()
			}
		case "externaldata", "external_data":
			if next == TokLParen {
				return p.parseExternalData()
			}
		case "materialize":
			if next == TokLParen {
				return p.parseMaterialize()
			}
		case "dynamic":
			if next == TokLParen {
				return p.parseDynamic()
			}
		}
		if isReserved(t.Text) {
			p.fail(p.unexpected(t, p.ctx.in, p.ctx.wanted()))
		}
		p.next()
		if p.tok.Kind == TokLParen {
			return p.parseCall(t.Text, t.Pos)
		}
		return &Ident{At: t.Pos, Name: t.Text}
	case TokLBracket:
		if p.isQuotedNameAt(0) {
			name, _, pos := p.parseName("", "")
			if p.tok.Kind == TokLParen {
				return p.parseCall(name, pos)
			}
			return &Ident{At: pos, Name: name, Quoted: true}
		}
	case TokLParen:
		p.enter()
		p.next()
		saved := p.ctx
		p.ctx = exprCtx{in: "in parentheses", want: "an expression"}
		x := p.parsePipeExpr()
		if p.tok.Kind != TokRParen {
			in := p.ctx.in
			if p.lastOp != "" {
				in = "in " + p.lastOp
			}
			p.fail(p.unexpected(p.tok, in, `")"`))
		}
		p.next()
		p.ctx = saved
		p.leave()
		if isTabular(x) {
			if _, ok := x.(*Paren); ok {
				return x
			}
			return &Paren{At: t.Pos, X: x}
		}
		return x
	case TokStar:
		p.next()
		return &Star{At: t.Pos}
	}
	p.fail(p.unexpected(t, p.ctx.in, p.ctx.wanted()))
	return nil
}

// isNowLiteral reports whether t is `datetime()`, which means now.
func isNowLiteral(t Token) bool {
	if t.Kind != TokLiteral || t.Type != data.DateTime {
		return false
	}
	open := strings.IndexByte(t.Text, '(')
	return open >= 0 && strings.TrimSpace(t.Text[open+1:len(t.Text)-1]) == ""
}

// isTabular reports whether x is certainly a tabular expression, so that
// the parentheses around it are kept in the tree (Paren).
func isTabular(x Expr) bool {
	switch x.(type) {
	case *Pipe, *Paren, *DatatableExpr, *PrintExpr, *RangeExpr, *UnionExpr,
		*ExternalDataExpr, *MaterializeExpr, *SearchExpr:
		return true
	}
	return false
}

// parseCall reads the argument list of a call; the name is already read
// and the current token is "(". An argument may be `*` or a tabular
// expression (toscalar(T | count)).
func (p *parser) parseCall(name string, at int) *Call {
	p.enter()
	p.next()
	c := &Call{At: at, Name: name}
	saved := p.ctx
	in := "in " + name + "()"
	p.ctx = exprCtx{in: in, want: "an argument"}
	if p.tok.Kind != TokRParen {
		for {
			c.Args = append(c.Args, p.parsePipeExpr())
			if !p.accept(TokComma) {
				break
			}
		}
	}
	if p.tok.Kind != TokRParen {
		p.fail(p.unexpected(p.tok, in, `"," or ")"`))
	}
	p.next()
	p.ctx = saved
	p.leave()
	return c
}

// parseStringLit reads a string literal and any literals adjacent to it,
// which Kusto concatenates ("a" 'b' is "ab"). The Text keeps each part's
// spelling, joined by a space.
func (p *parser) parseStringLit() *Literal {
	first := p.tok
	p.next()
	if !isStringTok(p.tok) {
		return &Literal{At: first.Pos, Type: data.String, Value: first.Value(), Text: first.Text}
	}
	var val, text strings.Builder
	val.WriteString(first.Value().S)
	text.WriteString(first.Text)
	for isStringTok(p.tok) {
		val.WriteString(p.tok.Value().S)
		text.WriteByte(' ')
		text.WriteString(p.tok.Text)
		p.next()
	}
	return &Literal{At: first.Pos, Type: data.String, Value: data.NewString(val.String()), Text: text.String()}
}

// parseNamedExpr reads `Name = X`, `['name'] = X`, `(A, B) = X` or X.
func (p *parser) parseNamedExpr() NamedExpr {
	at := p.tok.Pos
	switch {
	case p.tok.Kind == TokIdent && p.peek(1).Kind == TokAssign,
		p.isQuotedNameAt(0) && p.peek(3).Kind == TokAssign:
		name, _, _ := p.parseName("", "")
		p.next() // =
		saved := p.ctx
		p.ctx.want, p.ctx.after = "an expression after \""+name+" =\"", ""
		x := p.parseExpr()
		p.ctx = saved
		return NamedExpr{At: at, Name: name, X: x}
	case p.tok.Kind == TokLParen:
		if n, ok := p.nameListLen(); ok {
			p.next()
			var names []string
			for range n {
				name, _, _ := p.parseName("", "")
				names = append(names, name)
				p.accept(TokComma)
			}
			p.next() // )
			p.next() // =
			return NamedExpr{At: at, Names: names, X: p.parseExpr()}
		}
	}
	x := p.parseExpr()
	return NamedExpr{At: x.Pos(), X: x}
}

// nameListLen reports whether `(A, B, ...) =` starts at the current token
// and how many names it holds.
func (p *parser) nameListLen() (int, bool) {
	i, n := 1, 0
	for {
		switch {
		case p.peek(i).Kind == TokIdent:
			i++
		case p.isQuotedNameAt(i):
			i += 3
		default:
			return 0, false
		}
		n++
		switch p.peek(i).Kind {
		case TokComma:
			i++
		case TokRParen:
			return n, p.peek(i+1).Kind == TokAssign
		default:
			return 0, false
		}
	}
}

// parseNamedList reads one or more comma-separated named expressions.
func (p *parser) parseNamedList(in, want string) []NamedExpr {
	saved := p.ctx
	p.ctx = exprCtx{in: in, want: want}
	var list []NamedExpr
	for {
		list = append(list, p.parseNamedExpr())
		if !p.accept(TokComma) {
			break
		}
		p.ctx.want, p.ctx.after = want, ""
	}
	p.ctx = saved
	return list
}

// parseWildcardName reads a column or table name that may hold `*`
// wildcards (`Device*`, `*_1`), written without spaces, or a ['quoted']
// name.
func (p *parser) parseWildcardName(in, want string) (string, bool) {
	if p.isQuotedNameAt(0) {
		name, _, _ := p.parseName("", "")
		return name, true
	}
	t := p.tok
	if t.Kind != TokIdent && t.Kind != TokStar {
		p.fail(p.unexpected(t, in, want))
	}
	end := t.End()
	var sb strings.Builder
	sb.WriteString(t.Text)
	p.next()
	for t.Text[0] != '$' && p.tok.Pos == end && (p.tok.Kind == TokIdent && p.tok.Text[0] != '$' || p.tok.Kind == TokStar ||
		p.tok.Kind == TokLiteral && p.tok.Type == data.Long && isAllDigits(p.tok.Text)) {
		sb.WriteString(p.tok.Text)
		end = p.tok.End()
		p.next()
	}
	return sb.String(), false
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// ---- dynamic literals ----

// parseDynamic reads dynamic(...): JSON-like arrays, property bags,
// strings, numbers, true/false/null and typed literals.
func (p *parser) parseDynamic() *Literal {
	start := p.tok
	p.next() // dynamic
	p.next() // (
	v := p.parseDynValue(0)
	end := p.expect(TokRParen, "in the dynamic literal")
	return &Literal{At: start.Pos, Type: data.Dynamic, Value: v, Text: p.src[start.Pos:end.End()]}
}

const dynWant = "a value (a number, string, bool, null, [array] or {property bag})"

func (p *parser) parseDynValue(depth int) data.Value {
	if depth > MaxDynamicDepth {
		p.errorf(p.tok.Pos, "the dynamic literal is nested too deeply: more than %d levels", MaxDynamicDepth)
	}
	t := p.tok
	switch t.Kind {
	case TokLBracket:
		p.next()
		items := []data.Value{}
		for p.tok.Kind != TokRBracket {
			items = append(items, p.parseDynValue(depth+1))
			if !p.accept(TokComma) {
				break
			}
		}
		p.expect(TokRBracket, "in the dynamic array")
		return data.NewArray(items)
	case TokLBrace:
		p.next()
		bag := data.NewBag(4)
		for p.tok.Kind != TokRBrace {
			k := p.tok
			var key string
			switch {
			case isStringTok(k), k.Kind == TokIdent:
				key = k.Text
				if k.Kind == TokLiteral {
					key = k.Value().S
				}
			default:
				p.fail(p.unexpected(k, "in the dynamic property bag", "a property name"))
			}
			p.next()
			p.expect(TokColon, "in the dynamic property bag")
			bag.Set(key, p.parseDynValue(depth+1))
			if !p.accept(TokComma) {
				break
			}
		}
		p.expect(TokRBrace, "in the dynamic property bag")
		return data.NewBagValue(bag)
	case TokLiteral:
		p.next()
		if isNowLiteral(t) {
			p.errorf(t.Pos, "datetime() (now) is not allowed in a dynamic literal")
		}
		return t.Value()
	case TokMinus, TokPlus:
		n := p.peek(1)
		if isNumberTok(n) {
			p.next()
			p.next()
			if t.Kind == TokMinus {
				return negate(n.Value())
			}
			return n.Value()
		}
	case TokIdent:
		switch t.Text {
		case "null":
			p.next()
			return data.Null
		case "dynamic":
			if p.peek(1).Kind == TokLParen {
				return p.parseDynamic().Value
			}
		}
	}
	p.fail(p.unexpected(t, "in the dynamic literal", dynWant))
	return data.Null
}
