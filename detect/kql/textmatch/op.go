package textmatch

// Op is a KQL string operator, without negation: the negated forms (!has,
// !=, !~, ...) are the same Op with the result inverted by the caller (see
// ParseOp).
type Op uint8

// The operators. Each case-insensitive operator is followed by its
// case-sensitive form, except for the pair ==, =~ where == is the
// case-sensitive one.
const (
	Equal        Op = iota // ==
	EqualCI                // =~
	Contains               // contains
	ContainsCS             // contains_cs
	StartsWith             // startswith
	StartsWithCS           // startswith_cs
	EndsWith               // endswith
	EndsWithCS             // endswith_cs
	Has                    // has
	HasCS                  // has_cs
	HasPrefix              // hasprefix
	HasPrefixCS            // hasprefix_cs
	HasSuffix              // hassuffix
	HasSuffixCS            // hassuffix_cs
	numOps
)

var opNames = [numOps]string{
	Equal: "==", EqualCI: "=~",
	Contains: "contains", ContainsCS: "contains_cs",
	StartsWith: "startswith", StartsWithCS: "startswith_cs",
	EndsWith: "endswith", EndsWithCS: "endswith_cs",
	Has: "has", HasCS: "has_cs",
	HasPrefix: "hasprefix", HasPrefixCS: "hasprefix_cs",
	HasSuffix: "hassuffix", HasSuffixCS: "hassuffix_cs",
}

// String returns the operator's KQL spelling ("has", "contains_cs", "==").
func (op Op) String() string {
	if op < numOps {
		return opNames[op]
	}
	return "textmatch.Op(invalid)"
}

// CaseSensitive reports whether the operator compares letters exactly.
func (op Op) CaseSensitive() bool {
	if op == Equal || op == EqualCI {
		return op == Equal
	}
	return (op-Contains)%2 == 1
}

// family is the operator with case sensitivity removed.
type family uint8

const (
	famEqual family = iota
	famContains
	famStartsWith
	famEndsWith
	famHas
	famHasPrefix
	famHasSuffix
)

func (op Op) family() family {
	if op <= EqualCI {
		return famEqual
	}
	return family(1 + (op-Contains)/2)
}

// opByName lists every spelling ParseOp accepts, from the Kusto parser's
// keyword table (microsoft/Kusto-Query-Language SyntaxFacts): the
// documented operators plus the legacy aliases containscs, notcontains,
// notcontainscs.
var opByName = map[string]struct {
	op  Op
	neg bool
}{
	"==": {Equal, false}, "!=": {Equal, true},
	"=~": {EqualCI, false}, "!~": {EqualCI, true},
	"contains": {Contains, false}, "!contains": {Contains, true}, "notcontains": {Contains, true},
	"contains_cs": {ContainsCS, false}, "!contains_cs": {ContainsCS, true},
	"containscs": {ContainsCS, false}, "notcontainscs": {ContainsCS, true},
	"startswith": {StartsWith, false}, "!startswith": {StartsWith, true},
	"startswith_cs": {StartsWithCS, false}, "!startswith_cs": {StartsWithCS, true},
	"endswith": {EndsWith, false}, "!endswith": {EndsWith, true},
	"endswith_cs": {EndsWithCS, false}, "!endswith_cs": {EndsWithCS, true},
	"has": {Has, false}, "!has": {Has, true},
	"has_cs": {HasCS, false}, "!has_cs": {HasCS, true},
	"hasprefix": {HasPrefix, false}, "!hasprefix": {HasPrefix, true},
	"hasprefix_cs": {HasPrefixCS, false}, "!hasprefix_cs": {HasPrefixCS, true},
	"hassuffix": {HasSuffix, false}, "!hassuffix": {HasSuffix, true},
	"hassuffix_cs": {HasSuffixCS, false}, "!hassuffix_cs": {HasSuffixCS, true},
}

// ParseOp maps a KQL binary string operator to its Op and whether it is the
// negated form: "has" → (Has, false), "!has" → (Has, true), "!=" → (Equal,
// true), "!~" → (EqualCI, true). Spellings are case-sensitive, as KQL
// keywords are. ok is false for anything else, including the set operators
// (see ParseSetOp) and "matches regex".
func ParseOp(name string) (op Op, negated bool, ok bool) {
	e, ok := opByName[name]
	return e.op, e.neg, ok
}

// ParseSetOp maps a KQL operator over a list of values to the Op applied to
// each value and how the results combine: "has_any" → (Has, all=false),
// "has_all" → (Has, all=true), "in" → (Equal), "in~" → (EqualCI), "!in" and
// "!in~" negated. Use NewAny for all=false and NewAll for all=true.
func ParseSetOp(name string) (op Op, all, negated, ok bool) {
	switch name {
	case "has_any":
		return Has, false, false, true
	case "has_all":
		return Has, true, false, true
	case "in":
		return Equal, false, false, true
	case "!in":
		return Equal, false, true, true
	case "in~":
		return EqualCI, false, false, true
	case "!in~":
		return EqualCI, false, true, true
	}
	return 0, false, false, false
}
