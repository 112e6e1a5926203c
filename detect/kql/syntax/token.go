package syntax

import (
	"strconv"

	"offhunt/detect/data"
)

// TokenKind is the class of a token. Words (where, has, T, count) are all
// TokIdent: KQL's keywords are contextual, so the parser decides what a
// word means where it stands. Only spellings that cannot be names
// (project-away, !has, in~) get their own kind, TokKeyword.
type TokenKind uint8

// The token kinds.
const (
	TokEOF      TokenKind = iota
	TokIdent              // a word: where, T, has, $left
	TokKeyword            // project-away, mv-expand, !has, !in~, in~ ...
	TokLiteral            // a string, number, timespan, bool or typed literal; see Token.Type
	TokLParen             // (
	TokRParen             // )
	TokLBracket           // [
	TokRBracket           // ]
	TokLBrace             // {
	TokRBrace             // }
	TokPipe               // |
	TokSemi               // ;
	TokComma              // ,
	TokDot                // .
	TokDotDot             // ..
	TokColon              // :
	TokAssign             // =
	TokEq                 // ==
	TokNeq                // !=
	TokLtGt               // <>
	TokLt                 // <
	TokLe                 // <=
	TokGt                 // >
	TokGe                 // >=
	TokEqTilde            // =~
	TokNotTilde           // !~
	TokPlus               // +
	TokMinus              // -
	TokStar               // *
	TokSlash              // /
	TokPercent            // %
	TokArrow              // =>
)

var tokenKindNames = [...]string{
	TokEOF:      "end of query",
	TokIdent:    "a name",
	TokKeyword:  "a keyword",
	TokLiteral:  "a literal",
	TokLParen:   `"("`,
	TokRParen:   `")"`,
	TokLBracket: `"["`,
	TokRBracket: `"]"`,
	TokLBrace:   `"{"`,
	TokRBrace:   `"}"`,
	TokPipe:     `"|"`,
	TokSemi:     `";"`,
	TokComma:    `","`,
	TokDot:      `"."`,
	TokDotDot:   `".."`,
	TokColon:    `":"`,
	TokAssign:   `"="`,
	TokEq:       `"=="`,
	TokNeq:      `"!="`,
	TokLtGt:     `"<>"`,
	TokLt:       `"<"`,
	TokLe:       `"<="`,
	TokGt:       `">"`,
	TokGe:       `">="`,
	TokEqTilde:  `"=~"`,
	TokNotTilde: `"!~"`,
	TokPlus:     `"+"`,
	TokMinus:    `"-"`,
	TokStar:     `"*"`,
	TokSlash:    `"/"`,
	TokPercent:  `"%"`,
	TokArrow:    `"=>"`,
}

// String describes the kind the way error messages name what was expected.
func (k TokenKind) String() string {
	if int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return "token(" + strconv.Itoa(int(k)) + ")"
}

// Token is one lexical token. Pos is a byte offset into the query and Text
// the exact source spelling (a substring of the query, so lexing does not
// copy). A literal token also carries its static type; Value decodes it.
// Tokens stay small (32 bytes) because a hostile megabyte query is a
// million of them.
type Token struct {
	Kind TokenKind
	Type data.Type // TokLiteral only
	Pos  int
	Text string
}

// Value returns a literal token's decoded value: the unescaped string, the
// number, the timespan in ticks, null for int(null). The lexer has checked
// the text, so decoding cannot fail. Other tokens have a null value.
func (t Token) Value() data.Value {
	if t.Kind != TokLiteral {
		return data.Null
	}
	return decodeLiteral(t)
}

// End returns the byte offset just past the token.
func (t Token) End() int { return t.Pos + len(t.Text) }

// String returns the token as error messages quote it.
func (t Token) String() string { return describeToken(t) }

// describeToken quotes a token for an error message, shortening long
// string literals so that the message stays on one line.
func describeToken(t Token) string {
	if t.Kind == TokEOF {
		return "end of query"
	}
	s := t.Text
	if len(s) > 40 {
		cut := 37
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}

// hyphenKeywords are the operator names spelled with hyphens. The lexer
// reads each as one TokKeyword when written without spaces, as Kusto does;
// `a - b` with spaces stays a subtraction.
var hyphenKeywords = []string{
	"project-away", "project-keep", "project-rename", "project-reorder", "project-smart",
	"mv-expand", "mv-apply", "parse-where", "parse-kv", "make-series",
	"top-nested", "top-hitters", "sample-distinct", "execute-and-cache",
	"make-graph", "graph-match", "graph-shortest-paths", "graph-to-table",
	"graph-mark-components", "granny-asc", "granny-desc",
}

// negatedKeywords are the `!`-prefixed string and set operators.
var negatedKeywords = map[string]bool{
	"!has": true, "!has_cs": true,
	"!hasprefix": true, "!hasprefix_cs": true,
	"!hassuffix": true, "!hassuffix_cs": true,
	"!contains": true, "!contains_cs": true,
	"!startswith": true, "!startswith_cs": true,
	"!endswith": true, "!endswith_cs": true,
	"!in": true, "!in~": true, "!between": true,
	"!like": true, "!like_cs": true,
}

// boolWords are the spellings of the bool literals.
var boolWords = map[string]bool{
	"true": true, "True": true, "TRUE": true,
	"false": false, "False": false, "FALSE": false,
}

// gooTypes are the type names that form a typed literal when directly
// followed by "(": the text up to ")" is the literal's content, read raw
// (datetime(2015-12-31 23:59:59.9) holds no tokens).
var gooTypes = map[string]data.Type{
	"datetime": data.DateTime, "date": data.DateTime,
	"timespan": data.TimeSpan, "time": data.TimeSpan,
	"guid": data.Guid,
	"int":  data.Int, "int32": data.Int,
	"long": data.Long, "int64": data.Long,
	"real": data.Real, "double": data.Real,
	"decimal": data.Decimal,
	"bool":    data.Bool, "boolean": data.Bool,
}

// timespanUnit is a timespan suffix as a ratio of ticks: nanoseconds are a
// hundredth of a tick.
type timespanUnit struct{ num, den int64 }

// timespanUnits are the suffixes Kusto's tokenizer accepts after a number.
var timespanUnits = map[string]timespanUnit{
	"d": {data.TicksPerDay, 1}, "day": {data.TicksPerDay, 1}, "days": {data.TicksPerDay, 1},
	"h": {data.TicksPerHour, 1}, "hr": {data.TicksPerHour, 1}, "hrs": {data.TicksPerHour, 1},
	"hour": {data.TicksPerHour, 1}, "hours": {data.TicksPerHour, 1},
	"m": {data.TicksPerMinute, 1}, "min": {data.TicksPerMinute, 1},
	"minute": {data.TicksPerMinute, 1}, "minutes": {data.TicksPerMinute, 1},
	"s": {data.TicksPerSecond, 1}, "sec": {data.TicksPerSecond, 1},
	"second": {data.TicksPerSecond, 1}, "seconds": {data.TicksPerSecond, 1},
	"ms": {data.TicksPerMillisecond, 1}, "milli": {data.TicksPerMillisecond, 1},
	"millis": {data.TicksPerMillisecond, 1}, "millisec": {data.TicksPerMillisecond, 1},
	"millisecond": {data.TicksPerMillisecond, 1}, "milliseconds": {data.TicksPerMillisecond, 1},
	"micro": {data.TicksPerMicrosecond, 1}, "micros": {data.TicksPerMicrosecond, 1},
	"microsec": {data.TicksPerMicrosecond, 1}, "microsecond": {data.TicksPerMicrosecond, 1},
	"microseconds": {data.TicksPerMicrosecond, 1},
	"nano":         {1, 100}, "nanos": {1, 100}, "nanosec": {1, 100},
	"nanosecond": {1, 100}, "nanoseconds": {1, 100},
	"tick": {1, 1}, "ticks": {1, 1},
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
