package kql

import (
	"math"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
)

// This file holds the value semantics of Kusto's operators: arithmetic
// typing, comparison, equality and truthiness, with nulls handled the way
// the null-values page documents.

// tri is a three-valued boolean: Kusto predicates can be null.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triNull
)

func triOf(v data.Value) tri {
	switch v.K {
	case data.KBool:
		if v.I != 0 {
			return triTrue
		}
		return triFalse
	case data.KNull:
		return triNull
	}
	return triNull
}

func (t tri) value() data.Value {
	switch t {
	case triTrue:
		return data.NewBool(true)
	case triFalse:
		return data.NewBool(false)
	}
	return data.Null
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// isNumericKind reports whether k is int, long, real or decimal.
func isNumericKind(k data.Kind) bool {
	return k == data.KInt || k == data.KLong || k == data.KReal || k == data.KDecimal
}

// asReal converts a numeric value to float64.
func asReal(v data.Value) (float64, bool) {
	switch v.K {
	case data.KInt, data.KLong:
		return float64(v.I), true
	case data.KReal, data.KDecimal:
		return v.F, true
	case data.KBool:
		return float64(v.I), true
	}
	return 0, false
}

// asLong converts an integral value to int64.
func asLong(v data.Value) (int64, bool) {
	switch v.K {
	case data.KInt, data.KLong, data.KBool:
		return v.I, true
	case data.KReal, data.KDecimal:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return 0, false
		}
		return int64(v.F), true
	}
	return 0, false
}

// arith applies a binary arithmetic operator with Kusto's typing rules:
// any real operand makes a real; ints and longs give a long; integer
// division truncates and modulo is never negative; datetimes and timespans
// combine as the datetime-timespan arithmetic page describes. A null
// operand, or a pair of kinds the operator does not take, gives null.
func arith(op byte, a, b data.Value) data.Value {
	if a.K == data.KNull || b.K == data.KNull {
		return data.Null
	}
	ak, bk := a.K, b.K
	switch {
	case (ak == data.KInt || ak == data.KLong) && (bk == data.KInt || bk == data.KLong):
		x, y := a.I, b.I
		switch op {
		case '+':
			return data.NewLong(x + y)
		case '-':
			return data.NewLong(x - y)
		case '*':
			return data.NewLong(x * y)
		case '/':
			if y == 0 {
				return data.Null
			}
			if x == math.MinInt64 && y == -1 {
				return data.NewLong(x)
			}
			return data.NewLong(x / y)
		case '%':
			if y == 0 {
				return data.Null
			}
			if y == -1 {
				return data.NewLong(0)
			}
			m := x % y
			if m < 0 {
				if y < 0 {
					m -= y
				} else {
					m += y
				}
			}
			return data.NewLong(m)
		}
	case isNumericKind(ak) && isNumericKind(bk):
		x, _ := asReal(a)
		y, _ := asReal(b)
		var r float64
		switch op {
		case '+':
			r = x + y
		case '-':
			r = x - y
		case '*':
			r = x * y
		case '/':
			r = x / y
		case '%':
			r = math.Mod(x, y)
			if r < 0 {
				r += math.Abs(y)
			}
		}
		if ak == data.KDecimal || bk == data.KDecimal {
			if ak != data.KReal && bk != data.KReal {
				return data.NewDecimal(r)
			}
		}
		return data.NewReal(r)
	case ak == data.KDateTime && bk == data.KDateTime:
		if op == '-' {
			return data.NewTimeSpan(a.I - b.I)
		}
	case ak == data.KDateTime && bk == data.KTimeSpan:
		switch op {
		case '+':
			return data.NewDateTime(a.I + b.I)
		case '-':
			return data.NewDateTime(a.I - b.I)
		}
	case ak == data.KTimeSpan && bk == data.KDateTime:
		if op == '+' {
			return data.NewDateTime(a.I + b.I)
		}
	case ak == data.KTimeSpan && bk == data.KTimeSpan:
		switch op {
		case '+':
			return data.NewTimeSpan(a.I + b.I)
		case '-':
			return data.NewTimeSpan(a.I - b.I)
		case '/':
			if b.I == 0 {
				return data.Null
			}
			return data.NewReal(float64(a.I) / float64(b.I))
		case '%':
			if b.I == 0 {
				return data.Null
			}
			m := a.I % b.I
			if m < 0 {
				m += abs64(b.I)
			}
			return data.NewTimeSpan(m)
		}
	case ak == data.KTimeSpan && isNumericKind(bk):
		y, _ := asReal(b)
		switch op {
		case '*':
			return data.NewTimeSpan(int64(math.Round(float64(a.I) * y)))
		case '/':
			if y == 0 {
				return data.Null
			}
			return data.NewTimeSpan(int64(math.Round(float64(a.I) / y)))
		}
	case isNumericKind(ak) && bk == data.KTimeSpan:
		x, _ := asReal(a)
		if op == '*' {
			return data.NewTimeSpan(int64(math.Round(x * float64(b.I))))
		}
	}
	return data.Null
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// arithType gives the static result type of an arithmetic operator.
func arithType(op byte, a, b data.Type) (data.Type, bool) {
	if a == data.Unknown || b == data.Unknown || a == data.Dynamic || b == data.Dynamic {
		return data.Unknown, true
	}
	switch {
	case a.IsIntegral() && b.IsIntegral():
		return data.Long, true
	case a.IsNumeric() && b.IsNumeric():
		if (a == data.Decimal || b == data.Decimal) && a != data.Real && b != data.Real {
			return data.Decimal, true
		}
		return data.Real, true
	case a == data.DateTime && b == data.DateTime:
		return data.TimeSpan, op == '-'
	case a == data.DateTime && b == data.TimeSpan:
		return data.DateTime, op == '+' || op == '-'
	case a == data.TimeSpan && b == data.DateTime:
		return data.DateTime, op == '+'
	case a == data.TimeSpan && b == data.TimeSpan:
		if op == '/' {
			return data.Real, true
		}
		return data.TimeSpan, op == '+' || op == '-' || op == '%'
	case a == data.TimeSpan && b.IsNumeric():
		return data.TimeSpan, op == '*' || op == '/'
	case a.IsNumeric() && b == data.TimeSpan:
		return data.TimeSpan, op == '*'
	}
	return data.Unknown, false
}

// compareValues orders two values for <, >, sort and min/max. ok is false
// when the kinds cannot be compared (or either is null).
func compareValues(a, b data.Value) (int, bool) {
	if a.K == data.KNull || b.K == data.KNull {
		return 0, false
	}
	switch {
	case (a.K == data.KInt || a.K == data.KLong || a.K == data.KBool) && (b.K == data.KInt || b.K == data.KLong || b.K == data.KBool):
		return cmp64(a.I, b.I), true
	case isNumericKind(a.K) && isNumericKind(b.K):
		x, _ := asReal(a)
		y, _ := asReal(b)
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		case x == y:
			return 0, true
		}
		// NaN sorts with nulls: below everything.
		xn, yn := math.IsNaN(x), math.IsNaN(y)
		switch {
		case xn && yn:
			return 0, true
		case xn:
			return -1, true
		default:
			return 1, true
		}
	case a.K == b.K:
		switch a.K {
		case data.KDateTime, data.KTimeSpan:
			return cmp64(a.I, b.I), true
		case data.KString, data.KGuid:
			return strings.Compare(a.S, b.S), true
		case data.KArray, data.KBag:
			return strings.Compare(data.ToString(a), data.ToString(b)), true
		}
	case a.K == data.KString && b.K == data.KGuid, a.K == data.KGuid && b.K == data.KString:
		return strings.Compare(strings.ToLower(a.S), strings.ToLower(b.S)), true
	}
	return 0, false
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// equalValues implements ==: a null operand makes the result null except
// when exactly one side is null (then false), per the null-values page.
func equalValues(a, b data.Value) tri {
	if a.K == data.KNull || b.K == data.KNull {
		if a.K == data.KNull && b.K == data.KNull {
			return triNull
		}
		// A dynamic null is not a missing string: "" == dynamic(null) is false.
		return triFalse
	}
	if a.K == data.KString && b.K == data.KString {
		return boolTri(a.S == b.S)
	}
	if a.K == data.KArray || a.K == data.KBag || b.K == data.KArray || b.K == data.KBag {
		return boolTri(data.ToString(a) == data.ToString(b) && (a.K == b.K))
	}
	if c, ok := compareValues(a, b); ok {
		return boolTri(c == 0)
	}
	// Different kinds that do not compare: a string against a number
	// compares the string forms, as Kusto does for dynamic values.
	if a.K == data.KString || b.K == data.KString {
		return boolTri(data.ToString(a) == data.ToString(b))
	}
	return triFalse
}

// sortCompare orders values for sort, top and arg_max: nulls (and NaN)
// come first in ascending order; values of different kinds order by kind so
// that the order is total.
func sortCompare(a, b data.Value) int {
	an, bn := isNullish(a), isNullish(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	if c, ok := compareValues(a, b); ok {
		return c
	}
	return cmp64(int64(a.K), int64(b.K))
}

func isNullish(v data.Value) bool {
	return v.K == data.KNull || ((v.K == data.KReal || v.K == data.KDecimal) && math.IsNaN(v.F))
}

// convertTo casts v to the static type t, as a typed column would hold it:
// used for datatable cells, typed parameters, parse captures and
// mv-expand's `to typeof()`. It is the to<t>() conversion, except that a
// value stays as it is for a dynamic or unknown target.
func convertTo(v data.Value, t data.Type) data.Value {
	switch t {
	case data.Unknown, data.Dynamic:
		return v
	case data.String:
		if v.K == data.KString {
			return v
		}
	}
	return builtin.Convert(v, t)
}

// nullOf returns the value a column of type t holds when it has nothing:
// "" for strings, null for every other type.
func nullOf(t data.Type) data.Value {
	if t == data.String {
		return data.EmptyString
	}
	return data.Null
}
