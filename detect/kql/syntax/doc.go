// Package syntax holds KQL's tokens, lexer, parser, AST and printer, and
// the one error type (with byte positions) that every stage of the query
// language reports through.
//
// Parse turns query text into a *Query: let, set and tabular expression
// statements whose expressions are the sealed node types of ast.go.
// Scalar and tabular expressions share one Expr interface, as in Kusto's
// own grammar; whether a name is a table or a column is the binder's
// business. ParseExpr reads a single scalar expression.
//
// The lexer (Lex) follows Kusto's tokenizer: // comments; double- and
// single-quoted, verbatim (@"...") and multi-line (```...```) strings, with
// the h prefix for obfuscated ones; numbers with timespan suffixes (90d, 1.5h), typed
// literals read as raw text (datetime(2015-12-31 23:59:59.9), int(null),
// guid(...)), and operator words such as project-away, !has and in~ as
// single tokens. ParseDateTimeText and ParseTimeSpanText, which read the
// text of datetime and timespan literals, are shared with the runtime
// conversions todatetime() and totimespan().
//
// A few spellings are normalised so that later stages see one form: a
// minus before a number is part of the literal (`-1` is the Literal -1,
// `-x` a Unary); `<>` is the Binary "!="; `datetime()` is the Call now();
// adjacent string literals are one Literal; filter, order, limit and
// mvexpand are read as where, sort, take and mv-expand; parentheses are
// kept (Paren) only around tabular expressions. `Col:"term"` (as search
// writes it) is a Binary with Op ":". Known operators offhunt does not
// run (make-series, mv-apply, fork ...) become UnsupportedOp, so that the
// binder can name them.
//
// Errors are *Error values with a byte offset, line and column, a message
// that names what was found and what was expected (`1:17: unexpected "|"
// in project, expected a column name`), and a hint for the common slips
// (`=` for `==`, a misspelt operator). Parse never panics; MaxQueryLength
// and MaxNestingDepth bound the work hostile input can cause.
//
// Every node prints itself as canonical KQL through String(): one line
// per statement, parentheses only where precedence needs them, literals
// in their source spelling. Parsing the printed text gives back an equal
// tree, positions aside; the tests check this for every query of the
// shared corpus and the fuzzers for arbitrary input.
package syntax
