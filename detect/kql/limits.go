package kql

// Limits on what a running query may hold. Logs and queries are hostile input:
// each limit is a named constant with its own clear error, never a crash.
const (
	// MaxHeldRows bounds the rows that sort, summarize groups, join, top,
	// distinct and materialised results may hold in memory at once.
	MaxHeldRows = 5_000_000
	// MaxDynamicDepth bounds the nesting of dynamic values made at run time (parse_json).
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
