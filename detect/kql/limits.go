package kql

// Limits on what a query may ask for. Logs and queries are hostile input:
// each limit is a named constant with its own clear error, never a crash.
const (
	// MaxQueryLength is the longest query text accepted, in bytes.
	MaxQueryLength = 1 << 20
	// MaxNestingDepth bounds parentheses, pipes and calls nested in one
	// another, so a deeply nested query cannot exhaust the stack.
	MaxNestingDepth = 200
	// MaxHeldRows bounds the rows that sort, summarize groups, join, top,
	// distinct and materialised results may hold in memory at once.
	MaxHeldRows = 5_000_000
	// MaxDynamicDepth bounds the nesting of dynamic values (parse_json, literals).
	MaxDynamicDepth = 100
	// MaxRegexLength bounds the text of a regular expression.
	MaxRegexLength = 32 << 10
	// MaxFunctionDepth bounds user-function calls within calls (recursion).
	MaxFunctionDepth = 64
	// MaxSetSize is the default and largest size of make_set / make_list results.
	MaxSetSize = 1_048_576
	// MaxRangeRows bounds the rows the range operator may produce.
	MaxRangeRows = 10_000_000
)
