package builtin

import (
	"strings"
	"testing"

	"offhunt/detect/data"
)

// Helpers for the scalar function tests: build values tersely, call a
// function the way the binder and evaluator do, and show results as text.

// testNow is the query's now in these tests: 2024-01-15T10:30:00Z.
var testNow = mustDT("2024-01-15T10:30:00Z")

func mustDT(s string) int64 {
	t, ok := data.ParseDateTime(s)
	if !ok {
		panic("bad test datetime " + s)
	}
	return t
}

func S(s string) data.Value  { return data.NewString(s) }
func L(i int64) data.Value   { return data.NewLong(i) }
func I(i int64) data.Value   { return data.NewInt(i) }
func R(f float64) data.Value { return data.NewReal(f) }
func B(b bool) data.Value    { return data.NewBool(b) }
func DT(s string) data.Value { return data.NewDateTime(mustDT(s)) }
func TS(s string) data.Value {
	t, ok := data.ParseTimeSpan(s)
	if !ok {
		panic("bad test timespan " + s)
	}
	return data.NewTimeSpan(t)
}

// dynTag marks a primitive test value as coming from a dynamic
// expression, so that call() binds it with static type dynamic. (X is
// unused for primitive kinds; functions never look at it.)
type dynTag struct{}

// D parses JSON into a dynamic value.
func D(s string) data.Value {
	v, err := data.ParseJSON(s)
	if err != nil {
		panic("bad test JSON " + s)
	}
	if v.X == nil {
		v.X = dynTag{}
	}
	return v
}

var N = data.Null

// staticType is the type the binder would see for a literal argument.
func staticType(v data.Value) data.Type {
	if _, ok := v.X.(dynTag); ok {
		return data.Dynamic
	}
	switch v.K {
	case data.KNull:
		return data.Unknown
	case data.KBool:
		return data.Bool
	case data.KInt:
		return data.Int
	case data.KLong:
		return data.Long
	case data.KReal:
		return data.Real
	case data.KDecimal:
		return data.Decimal
	case data.KString:
		return data.String
	case data.KDateTime:
		return data.DateTime
	case data.KTimeSpan:
		return data.TimeSpan
	case data.KGuid:
		return data.Guid
	}
	return data.Dynamic
}

// kindFits reports whether a result value may be of static type t.
func kindFits(v data.Value, t data.Type) bool {
	if v.K == data.KNull || t == data.Unknown || t == data.Dynamic {
		return t != data.String || v.K != data.KNull // strings are never null
	}
	return staticType(v) == t
}

// call binds and evaluates name(args...) and checks that the result fits
// the static type.
func call(t *testing.T, name string, args ...data.Value) data.Value {
	t.Helper()
	b, ok := Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered", name)
	}
	if len(args) < b.MinArgs || (b.MaxArgs >= 0 && len(args) > b.MaxArgs) {
		t.Fatalf("%s takes %d..%d arguments, got %d", name, b.MinArgs, b.MaxArgs, len(args))
	}
	types := make([]data.Type, len(args))
	for i, a := range args {
		types[i] = staticType(a)
	}
	rt := b.Fixed
	if b.Return != nil {
		var msg string
		rt, msg = b.Return(types)
		if msg != "" {
			t.Fatalf("%s: bind error: %s", name, msg)
		}
	}
	v := b.Eval(&CallContext{Now: testNow}, args)
	if !kindFits(v, rt) {
		t.Errorf("%s(%s) = %s of kind %s, but the static type is %s", name, showArgs(args), fshow(v), data.KindTypeName(v), rt)
	}
	return v
}

// fshow prints a result: "null" for null, JSON for arrays and bags, the
// tostring() text otherwise (strings are never null, so "null" is not
// ambiguous in these tests, which avoid the string "null").
func fshow(v data.Value) string {
	switch v.K {
	case data.KNull:
		return "null"
	case data.KArray, data.KBag:
		return string(data.AppendJSON(nil, v))
	}
	return data.ToString(v)
}

func showArgs(args []data.Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fshow(a)
	}
	return strings.Join(parts, ", ")
}

// fcase is one row of a function test table.
type fcase struct {
	fn   string
	args []data.Value
	want string
}

func a(v ...data.Value) []data.Value { return v }

func runCases(t *testing.T, cases []fcase) {
	t.Helper()
	for _, tc := range cases {
		got := fshow(call(t, tc.fn, tc.args...))
		if got != tc.want {
			t.Errorf("%s(%s) = %s, want %s", tc.fn, showArgs(tc.args), got, tc.want)
		}
	}
}

// bindError returns the binder's message for name with arguments of the
// given types ("" when they fit).
func bindError(name string, types ...data.Type) string {
	b, ok := Lookup(name)
	if !ok {
		return "not registered"
	}
	_, msg := b.Return(types)
	return msg
}
