// Package builtin declares KQL's scalar and aggregation functions as data:
// name, arity, signature, result type and implementation. The binder, the
// evaluator and the documentation all read these tables.
package builtin

import (
	"slices"
	"strings"

	"offhunt/detect/data"
)

// Builtin is a scalar function, declared as data: the binder reads its
// arity and result type, the evaluator calls Eval, and the README's
// function table is generated from the same declarations.
//
// Special forms whose arguments are not all evaluated first (iff, case,
// coalesce, and the like) are handled by the compiler, not here.
type Builtin struct {
	Name      string
	Aliases   []string
	Signature string // for people: "substring(source: string, start: long [, length: long]): string"
	MinArgs   int
	MaxArgs   int // -1: any number
	// Return checks the argument types and gives the result type. A nil
	// Return means the result type is Fixed. It returns an error message
	// (without position) when the arguments do not fit.
	Return func(args []data.Type) (data.Type, string)
	// ReturnConst, when set, refines Return for a binder that knows the
	// values of constant arguments: consts[i] is argument i's value, or
	// nil when that argument is not a constant. extract() needs it: its
	// result type is named by its fourth argument, typeof(T), which the
	// binder passes as the constant string "T". A binder that ignores it
	// gets Return's answer (data.Unknown for a typed extract).
	ReturnConst func(args []data.Type, consts []*data.Value) (data.Type, string)
	Fixed       data.Type
	// Eval computes the result from evaluated arguments. It must not keep
	// args, must not panic on any input (a wrong type gives null), and
	// treats string arguments as arbitrary bytes (they may be invalid UTF-8).
	Eval func(c *CallContext, args []data.Value) data.Value
	// Volatile functions (now, ago) depend on the query's now; they are
	// still folded into constants, since now is fixed for a whole query.
	Volatile bool
	// NeedsConstArgs lists argument indexes that must be constants (a
	// regex pattern, a format string); the binder checks them.
	NeedsConstArgs []int

	// decl holds the signature until it is parsed (see fn): Lookup and
	// All return functions whose fields are all filled in.
	decl *declaration
}

// CallContext is what a builtin sees besides its arguments.
type CallContext struct {
	// Now is the query's now, in datetime ticks (fixed for a whole query).
	Now int64
	// State is a per-call-site cache a builtin may use (a compiled regex).
	State any
}

var builtins = map[string]*Builtin{}

// register adds declarations to the table. Each fn_*.go file calls
// it from an init function with its own group of functions.
func register(list ...*Builtin) {
	for _, b := range list {
		for _, name := range append([]string{b.Name}, b.Aliases...) {
			if _, dup := builtins[name]; dup {
				panic("builtin: builtin declared twice: " + name)
			}
			builtins[name] = b
		}
	}
}

// Lookup returns the scalar function with that name.
func Lookup(name string) (*Builtin, bool) {
	b, ok := builtins[name]
	if !ok {
		return nil, false
	}
	return b.resolve(), true
}

// All returns every scalar function once (not its aliases), for
// documentation and for "did you mean" hints.
func All() []*Builtin {
	seen := map[*Builtin]bool{}
	var out []*Builtin
	for _, b := range builtins {
		if !seen[b] {
			seen[b] = true
			out = append(out, b.resolve())
		}
	}
	slices.SortFunc(out, func(a, b *Builtin) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Aggregate is an aggregation function of summarize, declared as data.
type Aggregate struct {
	Name      string
	Aliases   []string
	Signature string
	MinArgs   int
	MaxArgs   int
	// Prefix names the result column: Kusto names `count()` "count_",
	// `dcount(x)` "dcount_x", `make_set(x)` "set_x".
	Prefix string
	// Return checks argument types and gives the result type.
	Return func(args []data.Type) (data.Type, string)
	// New makes an accumulator for one group. args are the static types of
	// the arguments (after binding).
	New func(args []data.Type) Accumulator
}

// Accumulator aggregates the rows of one group.
type Accumulator interface {
	// Add takes one row's evaluated arguments. It must not keep the slice.
	Add(args []data.Value)
	// Result returns the aggregate; on a group with no rows it gives
	// Kusto's default (0 for counts and sums, [] for make_set, else null).
	Result() data.Value
}

var aggregates = map[string]*Aggregate{}

// registerAggregates adds aggregate declarations to the table.
func registerAggregates(list ...*Aggregate) {
	for _, a := range list {
		for _, name := range append([]string{a.Name}, a.Aliases...) {
			if _, dup := aggregates[name]; dup {
				panic("builtin: aggregate declared twice: " + name)
			}
			aggregates[name] = a
		}
	}
}

// LookupAggregate returns the aggregation function with that name.
func LookupAggregate(name string) (*Aggregate, bool) {
	a, ok := aggregates[name]
	return a, ok
}

// AllAggregates returns every aggregation function once, sorted by name.
func AllAggregates() []*Aggregate {
	seen := map[*Aggregate]bool{}
	var out []*Aggregate
	for _, a := range aggregates {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *Aggregate) int { return strings.Compare(a.Name, b.Name) })
	return out
}
