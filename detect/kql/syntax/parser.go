package syntax

import (
	"fmt"
	"strings"

	"offhunt/detect/data"
)

// Parse parses a query: statements separated by `;`. The error is always
// a *Error with the position of the first fault. Parse enforces
// MaxQueryLength and MaxNestingDepth and never panics, whatever the input.
func Parse(src string) (*Query, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var q *Query
	if err := p.run(func() { q = p.parseQuery() }); err != nil {
		return nil, err
	}
	return q, nil
}

// ParseExpr parses a single scalar expression, such as the predicate of a
// where clause (`FileName =~ "rclone.exe" and ProcessCommandLine has "copy"`).
func ParseExpr(src string) (Expr, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var x Expr
	if err := p.run(func() {
		p.ctx = exprCtx{want: "an expression"}
		x = p.parseExpr()
		if p.tok.Kind != TokEOF {
			p.fail(p.unexpected(p.tok, "", "end of expression"))
		}
	}); err != nil {
		return nil, err
	}
	return x, nil
}

// parser is a recursive-descent parser over the token slice. Errors unwind
// the recursion as a bailout panic that run recovers; any other panic is
// a bug and is not swallowed.
type parser struct {
	src   string
	toks  []Token
	i     int
	tok   Token // toks[i]
	depth int
	// ctx says what is being parsed, for error messages: "in where",
	// expected "a predicate".
	ctx exprCtx
	// lastOp is the last operator of the pipe expression parsed most
	// recently, so that a stray token after it is reported "in where".
	lastOp string
}

// exprCtx is the context of an error message: where the parser is (`in
// project`) and what it wants there (`a column name`).
type exprCtx struct {
	in   string
	want string
	// after, when set, is the binary operator just read: want is then
	// `an expression after "=="`, formatted only if an error needs it.
	after string
}

// wanted returns what the context expects, for an error message.
func (c exprCtx) wanted() string {
	if c.after != "" {
		return fmt.Sprintf("an expression after %q", c.after)
	}
	return c.want
}

type bailout struct{ err *Error }

func newParser(src string) (*parser, *Error) {
	if len(src) > MaxQueryLength {
		return nil, Errorf("", 0, "the query is too long: %d bytes, the limit is %d bytes", len(src), MaxQueryLength)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{src: src, toks: toks, tok: toks[0]}, nil
}

// run calls f and turns a bailout into its error.
func (p *parser) run(f func()) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) fail(e *Error) {
	panic(bailout{e})
}

func (p *parser) errorf(pos int, format string, args ...any) {
	p.fail(Errorf(p.src, pos, format, args...))
}

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	p.tok = p.toks[p.i]
}

// peek returns the token n places ahead of the current one.
func (p *parser) peek(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

// isWord reports whether the current token is the word w.
func (p *parser) isWord(w string) bool {
	return p.tok.Kind == TokIdent && p.tok.Text == w
}

func (p *parser) accept(k TokenKind) bool {
	if p.tok.Kind == k {
		p.next()
		return true
	}
	return false
}

// expect consumes a token of kind k or reports what was found instead.
func (p *parser) expect(k TokenKind, in string) Token {
	t := p.tok
	if t.Kind != k {
		p.fail(p.unexpected(t, in, k.String()))
	}
	p.next()
	return t
}

// expectWord consumes the word w or reports what was found instead.
func (p *parser) expectWord(w, in string) Token {
	t := p.tok
	if !p.isWord(w) {
		p.fail(p.unexpected(t, in, fmt.Sprintf("%q", w)))
	}
	p.next()
	return t
}

// unexpected makes the error `unexpected "|" in project, expected a column
// name`, with a hint for the usual slips: `=` for `==`, upper-case
// keywords.
func (p *parser) unexpected(t Token, in, want string) *Error {
	msg := "unexpected " + describeToken(t)
	if in != "" {
		msg += " " + in
	}
	if want != "" {
		msg += ", expected " + want
	}
	e := Errorf(p.src, t.Pos, "%s", msg)
	switch {
	case t.Kind == TokAssign && !strings.Contains(want, "name"):
		e.Hint = "use == to compare"
	case t.Kind == TokIdent:
		if lw := strings.ToLower(t.Text); lw != t.Text && (binaryOps[lw].prec > 0 || lw == "by" || lw == "on" || lw == "with") {
			e.Hint = fmt.Sprintf("KQL keywords are case-sensitive: use %q", lw)
		}
	}
	return e
}

// enter counts one level of nesting and refuses to go deeper than
// MaxNestingDepth, so that hostile input cannot exhaust the stack.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxNestingDepth {
		p.errorf(p.tok.Pos, "the query is nested too deeply: more than %d levels of parentheses, calls or functions", MaxNestingDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// isEnd reports whether the current token ends an operator's arguments.
func (p *parser) isEnd() bool {
	switch p.tok.Kind {
	case TokEOF, TokPipe, TokSemi, TokRParen, TokRBrace:
		return true
	}
	return false
}

// ---- statements ----

func (p *parser) parseQuery() *Query {
	q := &Query{}
	for {
		for p.accept(TokSemi) {
		}
		if p.tok.Kind == TokEOF {
			break
		}
		st := p.parseStmt()
		q.Stmts = append(q.Stmts, st)
		if p.tok.Kind == TokSemi || p.tok.Kind == TokEOF {
			continue
		}
		p.fail(p.afterStmt(st))
	}
	if len(q.Stmts) == 0 {
		p.errorf(0, "the query is empty")
	}
	return q
}

// afterStmt reports a token that follows a complete statement.
func (p *parser) afterStmt(st Stmt) *Error {
	switch st.(type) {
	case *LetStmt:
		if p.lastOp != "" {
			return p.unexpected(p.tok, "in "+p.lastOp, `"|" or ";"`)
		}
		return p.unexpected(p.tok, "after the let statement", `";"`)
	case *SetStmt:
		return p.unexpected(p.tok, "after the set statement", `";"`)
	}
	if p.lastOp != "" {
		return p.unexpected(p.tok, "in "+p.lastOp, `"|" or ";"`)
	}
	return p.unexpected(p.tok, "", `"|" or ";"`)
}

func (p *parser) parseStmt() Stmt {
	p.lastOp = ""
	switch {
	case p.isWord("let") && (p.isNameAt(1) || !canFollowName(p.peek(1).Kind)):
		return p.parseLet()
	case p.isWord("set") && p.peek(1).Kind == TokIdent:
		return p.parseSet()
	case p.isWord("declare") || p.isWord("alias") || p.isWord("restrict") || p.isWord("pattern"):
		if k := p.peek(1).Kind; k == TokIdent || k == TokKeyword {
			p.fail(NotSupported(p.src, p.tok.Pos, "the statement '"+p.tok.Text+"'"))
		}
	}
	return &ExprStmt{X: p.parsePipeExpr()}
}

// isWordAt reports whether the word w is n tokens ahead.
func (p *parser) isWordAt(n int, w string) bool {
	t := p.peek(n)
	return t.Kind == TokIdent && t.Text == w
}

// canFollowName reports whether a token of kind k may follow a name in
// an expression. A statement that starts with `let` and a token that
// cannot is a let statement, however malformed (`let = 1`), so that its
// error speaks of let; `let | take 1` still reads a table named let.
func canFollowName(k TokenKind) bool {
	switch k {
	case TokIdent, TokLiteral, TokLBrace, TokColon, TokAssign, TokKeyword:
		return false
	}
	return true
}

// isNameAt reports whether a name (a word or ['quoted']) starts n tokens ahead.
func (p *parser) isNameAt(n int) bool {
	t := p.peek(n)
	if t.Kind == TokIdent {
		return true
	}
	return t.Kind == TokLBracket && p.isQuotedNameAt(n)
}

// isQuotedNameAt reports whether `['name']` starts n tokens ahead.
func (p *parser) isQuotedNameAt(n int) bool {
	return p.peek(n).Kind == TokLBracket && isStringTok(p.peek(n+1)) && p.peek(n+2).Kind == TokRBracket
}

func isStringTok(t Token) bool { return t.Kind == TokLiteral && t.Type == data.String }

// parseName reads a name: a word or ['quoted name'].
func (p *parser) parseName(in, want string) (name string, quoted bool, pos int) {
	t := p.tok
	switch {
	case t.Kind == TokIdent:
		p.next()
		return t.Text, false, t.Pos
	case t.Kind == TokLBracket && p.isQuotedNameAt(0):
		p.next()
		s := p.tok.Value().S
		p.next()
		p.next()
		return s, true, t.Pos
	}
	p.fail(p.unexpected(t, in, want))
	return "", false, 0
}

func (p *parser) parseLet() *LetStmt {
	at := p.tok.Pos
	p.next()
	name, _, _ := p.parseName("in let", "a name")
	p.expect(TokAssign, "in let "+name)
	saved := p.ctx
	p.ctx = exprCtx{in: "in let " + name, want: "an expression"}
	var v Node
	switch {
	case p.isWord("view") && p.peek(1).Kind == TokLParen:
		v = p.parseFuncDef(true)
		p.lastOp = ""
	case p.tok.Kind == TokLParen && p.isFuncDefStart():
		v = p.parseFuncDef(false)
		p.lastOp = ""
	default:
		v = p.parsePipeExpr()
	}
	p.ctx = saved
	return &LetStmt{At: at, Name: name, Value: v}
}

// isFuncDefStart reports whether the "(" at the current token opens a
// parameter list: `()` then `{`, or a name followed by ":".
func (p *parser) isFuncDefStart() bool {
	if p.peek(1).Kind == TokIdent && p.peek(2).Kind == TokColon || p.isQuotedNameAt(1) && p.peek(4).Kind == TokColon {
		return true
	}
	// Otherwise a function only when a "{" follows the matching ")", so
	// that `(a) { a }` is reported as a bad parameter, not a bad let.
	depth := 0
	for i := p.i; i < len(p.toks); i++ {
		switch p.toks[i].Kind {
		case TokLParen:
			depth++
		case TokRParen:
			depth--
			if depth == 0 {
				return i+1 < len(p.toks) && p.toks[i+1].Kind == TokLBrace
			}
		case TokEOF, TokSemi, TokPipe:
			return false
		}
	}
	return false
}

func (p *parser) parseSet() *SetStmt {
	at := p.tok.Pos
	p.next()
	name := p.tok.Text
	p.next()
	for p.tok.Kind == TokDot && p.peek(1).Kind == TokIdent {
		name += "." + p.peek(1).Text
		p.next()
		p.next()
	}
	st := &SetStmt{At: at, Name: name}
	if p.accept(TokAssign) {
		saved := p.ctx
		p.ctx = exprCtx{in: "in set " + name, want: "a value"}
		st.Value = p.parseExpr()
		p.ctx = saved
	}
	return st
}

// parseFuncDef reads `[view] (params) { body }`.
func (p *parser) parseFuncDef(view bool) *FuncDef {
	p.enter()
	defer p.leave()
	fd := &FuncDef{At: p.tok.Pos, View: view}
	if view {
		p.next()
	}
	p.expect(TokLParen, "in the parameter list")
	for p.tok.Kind != TokRParen {
		fd.Params = append(fd.Params, p.parseParam())
		if !p.accept(TokComma) {
			break
		}
	}
	p.expect(TokRParen, "in the parameter list")
	p.expect(TokLBrace, "after the parameter list")
	saved := p.ctx
	for {
		for p.accept(TokSemi) {
		}
		if p.tok.Kind == TokRBrace || p.tok.Kind == TokEOF {
			break
		}
		var st Stmt
		p.lastOp = ""
		if p.isWord("let") && p.isNameAt(1) {
			st = p.parseLet()
		} else {
			p.ctx = exprCtx{in: "in the function body", want: "an expression"}
			st = &ExprStmt{X: p.parsePipeExpr()}
		}
		fd.Body = append(fd.Body, st)
		if p.tok.Kind != TokSemi && p.tok.Kind != TokRBrace {
			in := "in the function body"
			if p.lastOp != "" {
				in = "in " + p.lastOp
			}
			p.fail(p.unexpected(p.tok, in, `";" or "}"`))
		}
	}
	p.ctx = saved
	end := p.expect(TokRBrace, "in the function body")
	if len(fd.Body) == 0 {
		p.errorf(end.Pos, "the function body is empty: it must end with an expression")
	}
	for i, st := range fd.Body {
		_, isExpr := st.(*ExprStmt)
		if last := i == len(fd.Body)-1; last && !isExpr {
			p.errorf(end.Pos, "the function body must end with an expression, not a let statement")
		} else if !last && isExpr {
			p.errorf(st.Pos(), "only let statements may come before the function's result expression")
		}
	}
	return fd
}

// parseParam reads `name:type [= default]`, `T:(col:type, ...)` or `T:(*)`.
func (p *parser) parseParam() Param {
	name, _, at := p.parseName("in the parameter list", "a parameter name")
	prm := Param{At: at, Name: name}
	p.expect(TokColon, "after parameter "+name)
	if p.accept(TokLParen) {
		prm.Tabular = true
		if p.accept(TokStar) {
			prm.Star = true
		} else {
			prm.Columns = p.parseColumnList("in the schema of parameter " + name)
		}
		p.expect(TokRParen, "in the schema of parameter "+name)
		return prm
	}
	prm.Type = p.parseType("for parameter " + name)
	if p.accept(TokAssign) {
		saved := p.ctx
		p.ctx = exprCtx{in: "in the default of parameter " + name, want: "a value"}
		prm.Default = p.parseExpr()
		p.ctx = saved
	}
	return prm
}

// parseColumnList reads `name:type, ...` up to (not including) ")"; a
// trailing comma is accepted, as Kusto does for datatable.
func (p *parser) parseColumnList(in string) []data.Column {
	var cols []data.Column
	for p.tok.Kind != TokRParen {
		name, _, _ := p.parseName(in, "a column name")
		p.expect(TokColon, "after column "+name)
		cols = append(cols, data.Column{Name: name, Type: p.parseType("for column " + name)})
		if !p.accept(TokComma) {
			break
		}
	}
	return cols
}

// typeNames are the spellings suggested for an unknown type.
var typeNames = []string{"bool", "int", "long", "real", "double", "decimal", "string", "datetime", "timespan", "guid", "dynamic"}

// parseType reads a scalar type name.
func (p *parser) parseType(what string) data.Type {
	t := p.tok
	if t.Kind != TokIdent {
		p.fail(p.unexpected(t, what, "a type such as string or long"))
	}
	typ, ok := data.ParseType(t.Text)
	if !ok || typ == data.Unknown {
		e := Errorf(p.src, t.Pos, "unknown type %q %s", t.Text, what)
		if c := Closest(t.Text, typeNames); c != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", c)
		}
		p.fail(e)
	}
	p.next()
	return typ
}
