package syntax

// Limits on query text. Queries are hostile input: each limit is a named
// constant with its own clear error, never a crash.
const (
	// MaxQueryLength is the longest query text accepted, in bytes.
	MaxQueryLength = 1 << 20
	// MaxNestingDepth bounds parentheses, pipes and calls nested in one
	// another, so that a deeply nested query cannot exhaust the stack.
	MaxNestingDepth = 200
	// MaxDynamicDepth bounds the nesting of dynamic literals.
	MaxDynamicDepth = 100
)
