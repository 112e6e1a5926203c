package syntax

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"offhunt/detect/data"
)

// Lex splits a query into tokens, ending with one TokEOF token. Whitespace
// and // comments are skipped. The error, if any, is a *Error at the first
// bad character: an unterminated string, an unknown escape, a number
// followed by letters that are no timespan unit (`90dx`), a typed literal
// whose content does not read (`datetime(yesterday)`).
func Lex(src string) ([]Token, error) {
	toks, err := lex(src)
	if err != nil {
		return toks, err
	}
	return toks, nil // not err: a nil *Error is a non-nil error
}

// lex is Lex with the concrete error type, so that callers need not
// convert.
func lex(src string) ([]Token, *Error) {
	l := lexer{src: src}
	toks := make([]Token, 0, len(src)/3+16)
	for {
		t := l.next()
		if l.err != nil {
			return toks, l.err
		}
		toks = append(toks, t)
		if t.Kind == TokEOF {
			return toks, nil
		}
	}
}

// lexer is a cursor over the query text. It reads bytes and decodes UTF-8
// only where a non-ASCII byte appears, so that lexing does not allocate
// per character; token texts are substrings of src.
type lexer struct {
	src string
	pos int
	err *Error
}

func (l *lexer) at(i int) byte {
	if i < len(l.src) {
		return l.src[i]
	}
	return 0
}

func (l *lexer) fail(pos int, format string, args ...any) Token {
	if l.err == nil {
		l.err = Errorf(l.src, pos, format, args...)
	}
	return Token{Kind: TokEOF, Pos: pos}
}

// skipTrivia skips whitespace (including Unicode spaces such as U+00A0,
// common in queries pasted from web pages, and a byte order mark) and //
// comments.
func (l *lexer) skipTrivia() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.pos++
		case c == '/' && l.at(l.pos+1) == '/':
			nl := strings.IndexByte(l.src[l.pos:], '\n')
			if nl < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += nl + 1
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if r == '\uFEFF' || unicode.IsSpace(r) {
				l.pos += size
				continue
			}
			return
		default:
			return
		}
	}
}

func (l *lexer) tok(kind TokenKind, start, end int) Token {
	l.pos = end
	return Token{Kind: kind, Pos: start, Text: l.src[start:end]}
}

// next returns the next token.
func (l *lexer) next() Token {
	l.skipTrivia()
	start := l.pos
	if start >= len(l.src) {
		return Token{Kind: TokEOF, Pos: len(l.src)}
	}
	c := l.src[start]
	switch {
	case isDigit(c):
		if n := scanRawGuid(l.src, start); n > 0 {
			return l.guidToken(start, start+n)
		}
		return l.number()
	case isIdentStart(c):
		if n := scanRawGuid(l.src, start); n > 0 {
			return l.guidToken(start, start+n)
		}
		return l.word()
	case c == '$':
		end := start + 1
		for end < len(l.src) && isIdentChar(l.src[end]) {
			end++
		}
		if end == start+1 {
			return l.fail(start, "unexpected character %q", "$")
		}
		return l.tok(TokIdent, start, end)
	case c == '"' || c == '\'':
		return l.stringLit(start, start)
	case c == '@':
		if q := l.at(start + 1); q == '"' || q == '\'' {
			return l.stringLit(start, start)
		}
		return l.fail(start, "unexpected character %q", "@")
	case c == '`' || c == '~':
		if strings.HasPrefix(l.src[start:], "```") || strings.HasPrefix(l.src[start:], "~~~") {
			return l.multiLine(start, start)
		}
		return l.fail(start, "unexpected character %q", string(c))
	case c == '!':
		return l.bang(start)
	}
	return l.punct(start, c)
}

// punct reads an operator or punctuation token.
func (l *lexer) punct(start int, c byte) Token {
	c2 := l.at(start + 1)
	switch c {
	case '(':
		return l.tok(TokLParen, start, start+1)
	case ')':
		return l.tok(TokRParen, start, start+1)
	case '[':
		return l.tok(TokLBracket, start, start+1)
	case ']':
		return l.tok(TokRBracket, start, start+1)
	case '{':
		return l.tok(TokLBrace, start, start+1)
	case '}':
		return l.tok(TokRBrace, start, start+1)
	case '|':
		return l.tok(TokPipe, start, start+1)
	case ';':
		return l.tok(TokSemi, start, start+1)
	case ',':
		return l.tok(TokComma, start, start+1)
	case ':':
		return l.tok(TokColon, start, start+1)
	case '+':
		return l.tok(TokPlus, start, start+1)
	case '-':
		return l.tok(TokMinus, start, start+1)
	case '*':
		return l.tok(TokStar, start, start+1)
	case '/':
		return l.tok(TokSlash, start, start+1)
	case '%':
		return l.tok(TokPercent, start, start+1)
	case '.':
		if c2 == '.' {
			return l.tok(TokDotDot, start, start+2)
		}
		return l.tok(TokDot, start, start+1)
	case '<':
		switch c2 {
		case '=':
			return l.tok(TokLe, start, start+2)
		case '>':
			return l.tok(TokLtGt, start, start+2)
		}
		return l.tok(TokLt, start, start+1)
	case '>':
		if c2 == '=' {
			return l.tok(TokGe, start, start+2)
		}
		return l.tok(TokGt, start, start+1)
	case '=':
		switch c2 {
		case '=':
			return l.tok(TokEq, start, start+2)
		case '~':
			return l.tok(TokEqTilde, start, start+2)
		case '>':
			return l.tok(TokArrow, start, start+2)
		}
		return l.tok(TokAssign, start, start+1)
	}
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		if r == utf8.RuneError {
			return l.fail(start, "invalid UTF-8 in the query")
		}
		return l.fail(start, "unexpected character %q", string(r))
	}
	return l.fail(start, "unexpected character %q", string(c))
}

// bang reads !=, !~ and the negated operators (!has, !in~, ...).
func (l *lexer) bang(start int) Token {
	switch l.at(start + 1) {
	case '=':
		return l.tok(TokNeq, start, start+2)
	case '~':
		return l.tok(TokNotTilde, start, start+2)
	}
	end := start + 1
	for end < len(l.src) && isIdentChar(l.src[end]) {
		end++
	}
	if end > start+1 {
		if l.at(end) == '~' && l.src[start:end] == "!in" {
			end++
		}
		if negatedKeywords[l.src[start:end]] {
			return l.tok(TokKeyword, start, end)
		}
	}
	l.fail(start, "unexpected character %q", "!")
	l.err.Hint = "KQL negates with not(...), or with operators such as !has, !contains, !in, !="
	return Token{Kind: TokEOF, Pos: start}
}

// word reads an identifier, a hyphenated keyword, in~, a bool literal, an
// obfuscated string (h"...") or a typed literal (datetime(...)).
func (l *lexer) word() Token {
	start := l.pos
	end := start + 1
	for end < len(l.src) && isIdentChar(l.src[end]) {
		end++
	}
	w := l.src[start:end]
	next := l.at(end)
	switch {
	case (w == "h" || w == "H") && (next == '"' || next == '\'' || next == '@' && (l.at(end+1) == '"' || l.at(end+1) == '\'')):
		return l.stringLit(start, end)
	case (w == "h" || w == "H") && (strings.HasPrefix(l.src[end:], "```") || strings.HasPrefix(l.src[end:], "~~~")):
		return l.multiLine(start, end)
	case next == '-':
		best := ""
		for _, kw := range hyphenKeywords {
			if len(kw) > len(best) && strings.HasPrefix(l.src[start:], kw) && !isIdentChar(l.at(start+len(kw))) {
				best = kw
			}
		}
		if best != "" {
			return l.tok(TokKeyword, start, start+len(best))
		}
	case next == '~' && w == "in":
		return l.tok(TokKeyword, start, end+1)
	case next == '(':
		if typ, ok := gooTypes[w]; ok {
			return l.goo(start, end, typ)
		}
	}
	if _, ok := boolWords[w]; ok {
		t := l.tok(TokLiteral, start, end)
		t.Type = data.Bool
		return t
	}
	return l.tok(TokIdent, start, end)
}

// scanRawGuid returns the length of a bare guid (8-4-4-4-12 hex digits not
// followed by a name character) at start, or 0.
func scanRawGuid(s string, start int) int {
	if len(s)-start < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		c := s[start+i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return 0
			}
		} else if !isHexDigit(c) {
			return 0
		}
	}
	if start+36 < len(s) && isIdentChar(s[start+36]) {
		return 0
	}
	return 36
}

func (l *lexer) guidToken(start, end int) Token {
	t := l.tok(TokLiteral, start, end)
	t.Type = data.Guid
	return t
}

// number reads a long (decimal or 0x hex), a real (1.5, 1e5, 1.5e-3) or a
// timespan (90d, 1.5h). Letters directly after a number must form a
// timespan unit: `90dx` is an error, as it is no number Kusto knows.
func (l *lexer) number() Token {
	start := l.pos
	s := l.src
	i := start
	if s[i] == '0' && (l.at(i+1) == 'x' || l.at(i+1) == 'X') && isHexDigit(l.at(i+2)) {
		i += 2
		for i < len(s) && isHexDigit(s[i]) {
			i++
		}
		if i < len(s) && isIdentChar(s[i]) {
			return l.badNumber(start, i)
		}
		if _, err := strconv.ParseUint(s[start+2:i], 16, 64); err != nil {
			return l.fail(start, "the number %s is out of range for long", s[start:i])
		}
		t := l.tok(TokLiteral, start, i)
		t.Type = data.Long
		return t
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	isReal := false
	if i < len(s) && s[i] == '.' && l.at(i+1) != '.' {
		isReal = true
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	numEnd := i
	if c := l.at(i); c == 'e' || c == 'E' {
		j := i + 1
		if c2 := l.at(j); c2 == '+' || c2 == '-' {
			j++
		}
		if isDigit(l.at(j)) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if !isIdentChar(l.at(j)) {
				t := l.tok(TokLiteral, start, j)
				if f, err := strconv.ParseFloat(t.Text, 64); err != nil && !math.IsInf(f, 0) {
					return l.fail(start, "invalid real number %s", t.Text)
				}
				t.Type = data.Real
				return t
			}
		}
	}
	if i < len(s) && isIdentChar(s[i]) {
		j := i
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		if _, ok := timespanUnits[s[i:j]]; !ok {
			return l.badNumber(start, j)
		}
		if _, ok := unitTimeSpan(s[start:numEnd], s[i:j]); !ok {
			return l.fail(start, "the timespan %s is out of range", s[start:j])
		}
		t := l.tok(TokLiteral, start, j)
		t.Type = data.TimeSpan
		return t
	}
	t := l.tok(TokLiteral, start, numEnd)
	if isReal {
		if f, err := strconv.ParseFloat(t.Text, 64); err != nil && !math.IsInf(f, 0) {
			return l.fail(start, "invalid real number %s", t.Text)
		}
		t.Type = data.Real
		return t
	}
	if _, err := strconv.ParseInt(s[start:intEnd], 10, 64); err != nil {
		return l.fail(start, "the number %s is out of range for long", t.Text)
	}
	t.Type = data.Long
	return t
}

func (l *lexer) badNumber(start, end int) Token {
	l.fail(start, "invalid number %q", l.src[start:end])
	l.err.Hint = "a number may only be followed by a timespan unit such as d, h, m, s or ms; quote names that start with a digit: ['" + l.src[start:end] + "']"
	return Token{Kind: TokEOF, Pos: start}
}

// stringLit reads '...' or "..." (q is the offset of the quote or of the
// @ of a verbatim literal; start includes an h/H prefix). It checks the
// escapes; Token.Value decodes them.
func (l *lexer) stringLit(start, q int) Token {
	s := l.src
	verbatim := false
	if s[q] == '@' {
		verbatim = true
		q++
	}
	quote := s[q]
	i := q + 1
	for {
		if i >= len(s) || s[i] == '\n' || s[i] == '\r' {
			return l.fail(start, "unterminated string literal")
		}
		c := s[i]
		if c == quote {
			if verbatim && l.at(i+1) == quote {
				i += 2
				continue
			}
			break
		}
		if c == '\\' && !verbatim {
			_, n, ok := scanEscape(s, i)
			if !ok {
				end := min(i+2, len(s))
				for end < len(s) && !utf8.RuneStart(s[end]) {
					end++
				}
				return l.fail(i, "invalid escape sequence %q in string literal", s[i:end])
			}
			i += n
			continue
		}
		i++
	}
	t := l.tok(TokLiteral, start, i+1)
	t.Type = data.String
	return t
}

// decodeString returns the value of a string literal token's text.
func decodeString(text string) string {
	if text[0] == 'h' || text[0] == 'H' {
		text = text[1:]
	}
	if strings.HasPrefix(text, "```") || strings.HasPrefix(text, "~~~") {
		return text[3 : len(text)-3]
	}
	if text[0] == '@' {
		quote := text[1:2]
		return strings.ReplaceAll(text[2:len(text)-1], quote+quote, quote)
	}
	body := text[1 : len(text)-1]
	i := strings.IndexByte(body, '\\')
	if i < 0 {
		return body
	}
	var sb strings.Builder
	sb.Grow(len(body))
	sb.WriteString(body[:i])
	for i < len(body) {
		if body[i] == '\\' {
			r, n, _ := scanEscape(body, i)
			sb.WriteRune(r)
			i += n
			continue
		}
		sb.WriteByte(body[i])
		i++
	}
	return sb.String()
}

// decodeLiteral returns the value of a literal token.
func decodeLiteral(t Token) data.Value {
	text := t.Text
	switch t.Type {
	case data.String:
		return data.NewString(decodeString(text))
	case data.Bool:
		if b, ok := boolWords[text]; ok {
			return data.NewBool(b)
		}
	case data.Guid:
		if isHexDigit(text[0]) && len(text) == 36 {
			return data.NewGuid(strings.ToLower(text))
		}
	}
	if !isDigit(text[0]) {
		// A typed literal: datetime(...), int(...), guid(...).
		open := strings.IndexByte(text, '(')
		v, _ := decodeGoo(t.Type, text[open+1:len(text)-1])
		return v
	}
	switch t.Type {
	case data.Long:
		if len(text) > 2 && (text[1] == 'x' || text[1] == 'X') {
			u, _ := strconv.ParseUint(text[2:], 16, 64)
			return data.NewLong(int64(u))
		}
		n, _ := strconv.ParseInt(text, 10, 64)
		return data.NewLong(n)
	case data.Real:
		f, _ := strconv.ParseFloat(text, 64)
		return data.NewReal(f)
	case data.TimeSpan:
		i := strings.IndexFunc(text, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
		ticks, _ := unitTimeSpan(text[:i], text[i:])
		return data.NewTimeSpan(ticks)
	}
	return data.Null
}

// scanEscape reads the backslash escape at s[i] and returns the code
// point it denotes and its length. \x, \u, \U and octal escapes denote
// code points, as in .NET, so `\xE9` is "é"; a UTF-16 surrogate pair
// written as two \u escapes is one code point.
func scanEscape(s string, i int) (rune, int, bool) {
	if i+1 >= len(s) {
		return 0, 0, false
	}
	switch c := s[i+1]; c {
	case '\\', '\'', '"':
		return rune(c), 2, true
	case 'a':
		return '\a', 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'v':
		return '\v', 2, true
	case 'x':
		v, ok := hexValue(s, i+2, 2)
		return rune(v), 4, ok
	case 'u':
		v, ok := hexValue(s, i+2, 4)
		if !ok {
			return 0, 0, false
		}
		if v >= 0xD800 && v < 0xDC00 && i+11 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if lo, ok := hexValue(s, i+8, 4); ok && lo >= 0xDC00 && lo < 0xE000 {
				return rune((v-0xD800)<<10 + (lo - 0xDC00) + 0x10000), 12, true
			}
		}
		return rune(v), 6, true
	case 'U':
		v, ok := hexValue(s, i+2, 8)
		if !ok {
			return 0, 0, false
		}
		if v > unicode.MaxRune {
			v = unicode.ReplacementChar
		}
		return rune(v), 10, true
	default:
		if c >= '0' && c <= '7' {
			n, v := 1, int(c-'0')
			for n < 3 && i+1+n < len(s) && s[i+1+n] >= '0' && s[i+1+n] <= '7' {
				if n == 2 && c > '3' {
					break
				}
				v = v*8 + int(s[i+1+n]-'0')
				n++
			}
			return rune(v), n + 1, true
		}
	}
	return 0, 0, false
}

func hexValue(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		c := s[j]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		v = v<<4 | d
	}
	return v, true
}

// multiLine reads ```...``` or ~~~...~~~ (q is the offset of the fence;
// start includes an h/H prefix). The content is taken as is.
func (l *lexer) multiLine(start, q int) Token {
	fence := l.src[q : q+3]
	end := strings.Index(l.src[q+3:], fence)
	if end < 0 {
		return l.fail(start, "unterminated multi-line string literal: missing closing %s", fence)
	}
	contentEnd := q + 3 + end
	t := l.tok(TokLiteral, start, contentEnd+3)
	t.Type = data.String
	return t
}

// goo reads a typed literal such as datetime(2015-12-31), int(null) or
// guid(...): the type name directly followed by a parenthesised raw text,
// which may not span lines (as in Kusto's tokenizer).
func (l *lexer) goo(start, open int, typ data.Type) Token {
	i := open + 1
	for i < len(l.src) && l.src[i] != ')' && l.src[i] != '\n' && l.src[i] != '\r' {
		i++
	}
	if i >= len(l.src) || l.src[i] != ')' {
		return l.fail(start, "unterminated %s literal: missing \")\"", l.src[start:open])
	}
	content := l.src[open+1 : i]
	if _, ok := decodeGoo(typ, content); !ok {
		l.fail(start, "invalid %s literal %q", l.src[start:open], l.src[start:i+1])
		l.err.Hint = gooHint(typ)
		return Token{Kind: TokEOF, Pos: start}
	}
	t := l.tok(TokLiteral, start, i+1)
	t.Type = typ
	return t
}

func gooHint(typ data.Type) string {
	switch typ {
	case data.DateTime:
		return "write an ISO 8601 date such as datetime(2025-09-07 12:00:00), or datetime(null)"
	case data.TimeSpan:
		return "write timespan(1.02:03:04), timespan(2d) or timespan(null)"
	case data.Guid:
		return "write guid(74be27de-1e4e-49d9-b579-fe0b331d3642) or guid(null)"
	case data.Bool:
		return "write bool(true), bool(false) or bool(null)"
	}
	return "write a number or null, e.g. " + typ.String() + "(null)"
}

// unquoteGoo strips one pair of matching quotes, for datetime('2022-12-02').
func unquoteGoo(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// decodeGoo decodes the content of a typed literal. An empty datetime()
// is valid (it means now; the parser turns it into now()) and decodes to
// null.
func decodeGoo(typ data.Type, content string) (data.Value, bool) {
	c := strings.TrimSpace(content)
	if c == "null" {
		return data.Null, true
	}
	switch typ {
	case data.DateTime:
		if c == "" {
			return data.Null, true
		}
		if t, ok := ParseDateTimeText(unquoteGoo(c)); ok {
			return data.NewDateTime(t), true
		}
		if t, ok := dateTimeFromParts(c); ok {
			return data.NewDateTime(t), true
		}
	case data.TimeSpan:
		c = unquoteGoo(c)
		if t, ok := ParseTimeSpanText(c); ok {
			return data.NewTimeSpan(t), true
		}
		// timespan(5 seconds)
		if i := strings.IndexAny(c, " \t"); i > 0 {
			if t, ok := ParseTimeSpanText(c[:i] + strings.TrimSpace(c[i:])); ok {
				return data.NewTimeSpan(t), true
			}
		}
	case data.Guid:
		if g, ok := canonicalGuid(unquoteGoo(c)); ok {
			return data.NewGuid(g), true
		}
	case data.Int, data.Long:
		if n, ok := parseIntegerText(c); ok {
			if typ == data.Int {
				if n < math.MinInt32 || n > math.MaxInt32 {
					return data.Null, false
				}
				return data.NewInt(n), true
			}
			return data.NewLong(n), true
		}
	case data.Real, data.Decimal:
		f, ok := parseRealLiteralText(c)
		if !ok || typ == data.Decimal && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return data.Null, false
		}
		if typ == data.Decimal {
			return data.NewDecimal(f), true
		}
		return data.NewReal(f), true
	case data.Bool:
		switch strings.ToLower(c) {
		case "true", "1":
			return data.NewBool(true), true
		case "false", "0":
			return data.NewBool(false), true
		}
	}
	return data.Null, false
}

// parseIntegerText reads an optionally signed decimal or 0x integer.
func parseIntegerText(c string) (int64, bool) {
	neg := false
	if c != "" && (c[0] == '-' || c[0] == '+') {
		neg = c[0] == '-'
		c = strings.TrimSpace(c[1:])
	}
	if c == "" || !isDigit(c[0]) {
		return 0, false
	}
	var u uint64
	var err error
	if len(c) > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X') {
		u, err = strconv.ParseUint(c[2:], 16, 64)
	} else {
		u, err = strconv.ParseUint(c, 10, 64)
	}
	if err != nil {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// parseRealLiteralText reads the content of real(...): a number, nan,
// inf, +inf, -inf.
func parseRealLiteralText(c string) (float64, bool) {
	switch c {
	case "nan", "NaN":
		return math.NaN(), true
	case "inf", "+inf", "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-inf", "-Infinity":
		return math.Inf(-1), true
	}
	body := strings.TrimLeft(c, "+-")
	if body == "" || !(isDigit(body[0]) || body[0] == '.' && len(body) > 1 && isDigit(body[1])) {
		return 0, false
	}
	for i := 0; i < len(body); i++ {
		if b := body[i]; !(isDigit(b) || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(c, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// canonicalGuid returns a guid's canonical lower-case 8-4-4-4-12 form; it
// accepts the form with or without dashes.
func canonicalGuid(s string) (string, bool) {
	h := s
	switch len(s) {
	case 36:
		if scanRawGuid(s, 0) != 36 {
			return "", false
		}
		h = strings.ReplaceAll(s, "-", "")
	case 32:
	default:
		return "", false
	}
	for i := 0; i < 32; i++ {
		if !isHexDigit(h[i]) {
			return "", false
		}
	}
	h = strings.ToLower(h)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// dateTimeFromParts reads the datetime(2025, 6, 14[, h, m, s]) form some
// documentation examples use.
func dateTimeFromParts(c string) (int64, bool) {
	parts := strings.Split(c, ",")
	if len(parts) < 3 || len(parts) > 6 {
		return 0, false
	}
	var v [6]int
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return 0, false
		}
		v[i] = n
	}
	if v[0] < 1 || v[0] > 9999 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > data.DaysInMonth(v[0], v[1]) ||
		v[3] > 23 || v[4] > 59 || v[5] > 59 {
		return 0, false
	}
	return data.TimeToTicks(time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC)), true
}
