package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is the one error type of the query language: syntax errors from
// the lexer and parser, semantic errors from the binder, and limits. Pos is
// a byte offset into Src; Line and Col (1-based, Col counted in characters)
// are derived from it when the error is made.
type Error struct {
	Src  string // the query text, for the snippet; may be empty
	Pos  int
	Line int
	Col  int
	Msg  string
	Hint string // optional advice: "did you mean ...", a signature
}

// Error returns "line:col: message".
func (e *Error) Error() string {
	s := fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Snippet returns the offending source line with a caret under the fault,
// or "" when the source is unknown.
func (e *Error) Snippet() string {
	if e.Src == "" || e.Line == 0 {
		return ""
	}
	lines := strings.Split(e.Src, "\n")
	if e.Line > len(lines) {
		return ""
	}
	line := strings.TrimRight(lines[e.Line-1], "\r")
	pad := strings.Repeat(" ", max(e.Col-1, 0))
	// Keep tabs so that the caret lines up in a terminal.
	var sb strings.Builder
	for i, r := range line {
		if i >= len(pad) {
			break
		}
		if r == '\t' {
			sb.WriteByte('\t')
		} else {
			sb.WriteByte(' ')
		}
	}
	if sb.Len() < len(pad) {
		sb.WriteString(pad[sb.Len():])
	}
	return line + "\n" + sb.String()[:min(sb.Len(), len(pad))] + "^"
}

// Detailed returns the error with its snippet, for people.
func (e *Error) Detailed() string {
	s := e.Error()
	if sn := e.Snippet(); sn != "" {
		s += "\n" + sn
	}
	return s
}

// LineCol converts a byte offset in src to a 1-based line and a 1-based
// column counted in characters.
func LineCol(src string, pos int) (line, col int) {
	if pos > len(src) {
		pos = len(src)
	}
	if pos < 0 {
		pos = 0
	}
	line = 1 + strings.Count(src[:pos], "\n")
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	col = 1 + utf8.RuneCountInString(src[start:pos])
	return line, col
}

// Errorf makes an Error at pos in src.
func Errorf(src string, pos int, format string, args ...any) *Error {
	line, col := LineCol(src, pos)
	return &Error{Src: src, Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// WithHint sets the hint and returns e.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// NotSupported reports a Kusto construct offhunt does not run yet. The
// words "not supported" are part of the contract: the page, the CLI and the
// tests look for them.
func NotSupported(src string, pos int, what string) *Error {
	return Errorf(src, pos, "%s is not supported yet", what)
}

// Closest returns the candidate nearest to name by edit distance (case
// folded), if it is near enough to be a plausible typo.
func Closest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := max(2, len(name)/3)
	if bestD <= limit || strings.Contains(strings.ToLower(best), ln) || strings.Contains(ln, strings.ToLower(best)) && len(best) > 3 {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
