package builtin

import (
	"fmt"
	"strings"
	"sync"

	"offhunt/detect/data"
)

// This file turns a function's signature text into its arity and type
// check, so that each scalar function is declared once, as the people
// reading the docs see it:
//
//	substring(source: string, startingIndex: long [, length: long]): string
//
// Parameter types are Kusto's type names plus a few pseudo-types that
// Kusto's own binder uses:
//
//	scalar   any type
//	number   int, long, real or decimal (so are long, int, real, decimal:
//	         Kusto converts numbers between them implicitly)
//	dynamic  dynamic only (array, bag)
//	a|b      either
//
// An optional parameter sits after a '['; "..." repeats the parameter
// before it. An argument whose static type is dynamic or not known before
// run time is accepted for every parameter, as Kusto's binder does, and
// checked by Eval at run time.

// param is one declared parameter.
type param struct {
	name     string
	accepts  []string // type names from the signature
	optional bool
}

// spec is a parsed signature.
type spec struct {
	name     string
	params   []param
	variadic bool // the last parameter repeats
	ret      data.Type
}

// dropBrackets takes the optional-parameter brackets out of a parameter.
var dropBrackets = strings.NewReplacer("[", "", "]", "")

// parseSignature parses signature text; it panics on malformed text,
// since signatures are constants of this package (a test covers them all).
func parseSignature(sig string) spec {
	open := strings.IndexByte(sig, '(')
	closeAt := strings.LastIndex(sig, "):")
	if open <= 0 || closeAt < open {
		panic("builtin: malformed signature: " + sig)
	}
	sp := spec{name: sig[:open]}
	retName := strings.TrimSpace(sig[closeAt+2:])
	if t, ok := data.ParseType(retName); ok {
		sp.ret = t
	} else {
		sp.ret = data.Unknown // computed by a Return function
	}
	// "a: T [, b: U]": the bracket belongs to the parameter after the
	// comma, so move it there before splitting.
	body := strings.ReplaceAll(sig[open+1:closeAt], "[,", ",[")
	optional := false
	for _, part := range strings.Split(body, ",") {
		if strings.Contains(part, "[") {
			optional = true
		}
		part = strings.TrimSpace(dropBrackets.Replace(part))
		if part == "" {
			continue
		}
		if part == "..." {
			sp.variadic = true
			continue
		}
		colon := strings.IndexByte(part, ':')
		if colon < 0 {
			panic("builtin: parameter without a type in " + sig)
		}
		p := param{name: strings.TrimSpace(part[:colon]), optional: optional}
		for _, t := range strings.Split(part[colon+1:], "|") {
			t = strings.TrimSpace(t)
			if _, ok := data.ParseType(t); !ok && t != "scalar" && t != "number" {
				panic("builtin: unknown parameter type " + t + " in " + sig)
			}
			p.accepts = append(p.accepts, t)
		}
		sp.params = append(sp.params, p)
	}
	return sp
}

// arity returns the minimum and maximum argument counts (-1: no maximum).
func (sp spec) arity() (int, int) {
	minArgs := 0
	for _, p := range sp.params {
		if !p.optional {
			minArgs++
		}
	}
	if sp.variadic {
		return minArgs, -1
	}
	return minArgs, len(sp.params)
}

// paramFor returns the parameter that argument i binds to.
func (sp spec) paramFor(i int) (param, bool) {
	if i < len(sp.params) {
		return sp.params[i], true
	}
	if sp.variadic && len(sp.params) > 0 {
		return sp.params[len(sp.params)-1], true
	}
	return param{}, false
}

// check verifies argument types against the parameters and returns an
// error message (without the function's name, which the binder adds).
func (sp spec) check(args []data.Type) string {
	for i, t := range args {
		p, ok := sp.paramFor(i)
		if !ok {
			return fmt.Sprintf("takes at most %d arguments", len(sp.params))
		}
		if !typeAccepted(p.accepts, t) {
			return fmt.Sprintf("expects %s as its %s argument (%s), not %s",
				describeTypes(p.accepts), ordinal(i), p.name, article(t.String()))
		}
	}
	return ""
}

// typeAccepted reports whether an argument of static type t fits a
// parameter declared with the given type names.
func typeAccepted(accepts []string, t data.Type) bool {
	if t == data.Unknown || t == data.Dynamic {
		return true
	}
	for _, a := range accepts {
		switch a {
		case "scalar":
			return true
		case "number", "int", "long", "real", "decimal", "double":
			if t.IsNumeric() {
				return true
			}
		default:
			if want, ok := data.ParseType(a); ok && want == t {
				return true
			}
		}
	}
	return false
}

func describeTypes(accepts []string) string {
	words := make([]string, len(accepts))
	for i, a := range accepts {
		switch a {
		case "scalar":
			words[i] = "a scalar"
		case "number", "int", "long", "real", "decimal":
			words[i] = "a number"
		default:
			words[i] = article(a)
		}
	}
	return strings.Join(words, " or ")
}

func article(name string) string {
	switch name[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + name
	}
	return "a " + name
}

func ordinal(i int) string {
	names := [...]string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%dth", i+1)
}

// fn declares a scalar function from its signature and implementation.
// Options adjust what the signature cannot say (aliases, a computed result
// type, a larger variadic bound).
//
// The signature is parsed when the function is first looked up, not here:
// every Worker request starts a new Go instance, and parsing all of them
// at init cost it milliseconds for functions that most queries never name.
// fn only takes the name, which the table is keyed by, and the options
// that registration needs.
func fn(sig string, eval func(c *CallContext, args []data.Value) data.Value, opts ...option) *Builtin {
	open := strings.IndexByte(sig, '(')
	if open <= 0 {
		panic("builtin: malformed signature: " + sig)
	}
	b := &Builtin{
		Name:      sig[:open],
		Signature: sig,
		Eval:      eval,
		decl:      &declaration{sig: sig, opts: opts},
	}
	for _, o := range opts {
		if o.now != nil {
			o.now(b)
		}
	}
	return b
}

// declaration is what fn keeps of a scalar function until its signature
// is parsed: by resolve, once, on the function's first lookup.
type declaration struct {
	once sync.Once
	sig  string
	opts []option
}

// resolve parses the signature of b (once; safe for concurrent use) and
// fills in what it says: the arity, the result type and the type check.
func (b *Builtin) resolve() *Builtin {
	d := b.decl
	if d == nil {
		return b
	}
	d.once.Do(func() {
		sp := parseSignature(d.sig)
		minArgs, maxArgs := sp.arity()
		b.MinArgs, b.MaxArgs, b.Fixed = minArgs, maxArgs, sp.ret
		ret := sp.ret
		b.Return = func(args []data.Type) (data.Type, string) {
			if msg := sp.check(args); msg != "" {
				return data.Unknown, msg
			}
			return ret, ""
		}
		for _, o := range d.opts {
			if o.parsed != nil {
				o.parsed(b, sp)
			}
		}
	})
	return b
}

// option adjusts a declaration made by fn: now, as it is declared (what
// registration and the docs need), or once the signature is parsed.
type option struct {
	now    func(b *Builtin)
	parsed func(b *Builtin, sp spec)
}

// aliases adds other names for the function (deprecated spellings).
func aliases(names ...string) option {
	return option{now: func(b *Builtin) { b.Aliases = append(b.Aliases, names...) }}
}

// display replaces the signature shown to people, for the few functions
// whose optional parameter is not the last one (extract_all).
func display(sig string) option {
	return option{now: func(b *Builtin) { b.Signature = sig }}
}

// maxArgs bounds a variadic function (strcat takes at most 64).
func maxArgs(n int) option {
	return option{parsed: func(b *Builtin, _ spec) { b.MaxArgs = n }}
}

// returns computes the result type from the argument types, after the
// signature's check has passed. It returns "" or an error message.
func returns(f func(args []data.Type) (data.Type, string)) option {
	return option{parsed: func(b *Builtin, sp spec) {
		b.Return = func(args []data.Type) (data.Type, string) {
			if msg := sp.check(args); msg != "" {
				return data.Unknown, msg
			}
			return f(args)
		}
	}}
}

// returnsConst sets ReturnConst from the function's (parsed) Return.
func returnsConst(f func(b *Builtin) func(args []data.Type, consts []*data.Value) (data.Type, string)) option {
	return option{parsed: func(b *Builtin, _ spec) { b.ReturnConst = f(b) }}
}

// volatile marks functions that read the query's now.
func volatile() option {
	return option{now: func(b *Builtin) { b.Volatile = true }}
}

// firstArgType is a Return for functions whose result has the type of
// their first argument (round, abs, ceiling ...); int widens to long as
// in Kusto's arithmetic, and a dynamic argument leaves the type to run
// time.
func firstArgType(args []data.Type) (data.Type, string) {
	if len(args) == 0 {
		return data.Unknown, ""
	}
	switch args[0] {
	case data.Int:
		return data.Long, ""
	case data.Dynamic:
		return data.Unknown, ""
	}
	return args[0], ""
}
