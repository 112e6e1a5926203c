package builtin

import (
	"math"

	"offhunt/detect/data"
)

// Numeric functions. Result types follow Kusto's arithmetic: int and long
// give long, any real gives real. A null argument, or a value of the wrong
// kind inside a dynamic argument, gives null.

func init() {
	register(
		fn("round(number: number [, precision: long]): number", evalRound, returns(firstArgType)),
		fn("bin(value: number|datetime|timespan, roundTo: number|timespan): number", evalBin,
			returns(binType), aliases("floor")),
		fn("bin_at(value: number|datetime|timespan, bin_size: number|timespan, fixed_point: number|datetime|timespan): number",
			evalBinAt, returns(binType)),
		fn("ceiling(number: number): number", func(_ *CallContext, a []data.Value) data.Value {
			return mapNumber(a[0], math.Ceil)
		}, returns(firstArgType)),
		fn("abs(x: number|timespan): number", evalAbs, returns(firstArgType)),
		fn("sign(x: number): number", evalSign, returns(firstArgType)),
		fn("sqrt(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 })),
		fn("log(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Log(x), x >= 0 })),
		fn("log10(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Log10(x), x >= 0 })),
		fn("log2(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Log2(x), x >= 0 })),
		fn("exp(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Exp(x), true })),
		fn("exp2(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Exp2(x), true })),
		fn("exp10(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Pow(10, x), true })),
		fn("cos(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Cos(x), true })),
		fn("sin(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Sin(x), true })),
		fn("tan(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Tan(x), true })),
		fn("acos(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Acos(x), true })),
		fn("asin(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Asin(x), true })),
		fn("atan(x: number): real", realFunc(func(x float64) (float64, bool) { return math.Atan(x), true })),
		fn("cot(x: number): real", realFunc(func(x float64) (float64, bool) { return 1 / math.Tan(x), true })),
		fn("degrees(radians: number): real", realFunc(func(x float64) (float64, bool) { return x * 180 / math.Pi, true })),
		fn("radians(degrees: number): real", realFunc(func(x float64) (float64, bool) { return x * math.Pi / 180, true })),
		fn("atan2(y: number, x: number): real", func(_ *CallContext, a []data.Value) data.Value {
			y, ok1 := argReal(a[0])
			x, ok2 := argReal(a[1])
			if !ok1 || !ok2 {
				return data.Null
			}
			return data.NewReal(math.Atan2(y, x))
		}),
		fn("pow(base: number, exponent: number): real", func(_ *CallContext, a []data.Value) data.Value {
			b, ok1 := argReal(a[0])
			e, ok2 := argReal(a[1])
			if !ok1 || !ok2 {
				return data.Null
			}
			return data.NewReal(math.Pow(b, e))
		}),
		fn("pi(): real", func(_ *CallContext, _ []data.Value) data.Value { return data.NewReal(math.Pi) }),
		fn("isnan(number: number): bool", func(_ *CallContext, a []data.Value) data.Value {
			return realTest(a[0], math.IsNaN)
		}),
		fn("isinf(number: number): bool", func(_ *CallContext, a []data.Value) data.Value {
			return realTest(a[0], func(f float64) bool { return math.IsInf(f, 0) })
		}),
		fn("isfinite(number: number): bool", func(_ *CallContext, a []data.Value) data.Value {
			return realTest(a[0], func(f float64) bool { return !math.IsInf(f, 0) && !math.IsNaN(f) })
		}),
		fn("max_of(argument: scalar, ...): scalar", func(_ *CallContext, a []data.Value) data.Value {
			return extremeOf(a, 1)
		}, returns(extremeType), maxArgs(64)),
		fn("min_of(argument: scalar, ...): scalar", func(_ *CallContext, a []data.Value) data.Value {
			return extremeOf(a, -1)
		}, returns(extremeType), maxArgs(64)),
	)
}

func isRealValue(v data.Value) bool { return v.K == data.KReal || v.K == data.KDecimal }
func isIntValue(v data.Value) bool  { return v.K == data.KInt || v.K == data.KLong }

// binType is the result type of bin/bin_at: a datetime or timespan value
// keeps its type; numbers follow arithmetic (real if either is real).
func binType(args []data.Type) (data.Type, string) {
	switch args[0] {
	case data.DateTime, data.TimeSpan:
		if args[1] != data.TimeSpan && args[1] != data.Unknown && args[1] != data.Dynamic {
			return data.Unknown, "expects a timespan as its second argument when binning a " + args[0].String()
		}
		return args[0], ""
	case data.Unknown, data.Dynamic:
		return data.Unknown, ""
	}
	if args[1] == data.TimeSpan {
		return data.Unknown, "expects a number as its second argument when binning a number"
	}
	if args[0] == data.Real || args[1] == data.Real {
		return data.Real, ""
	}
	if args[0] == data.Decimal || args[1] == data.Decimal {
		return data.Decimal, ""
	}
	return data.Long, ""
}

// mapNumber applies f to a real, or returns an integer unchanged as a
// long (ceiling(5) is 5).
func mapNumber(v data.Value, f func(float64) float64) data.Value {
	switch v.K {
	case data.KInt, data.KLong:
		return data.NewLong(v.I)
	case data.KReal:
		return data.NewReal(f(v.F))
	case data.KDecimal:
		return data.NewDecimal(f(v.F))
	case data.KString:
		if x, ok := data.ParseReal(v.S); ok {
			return data.NewReal(f(x))
		}
	}
	return data.Null
}

// realFunc makes the Eval of a real-valued function of one number; ok
// false from f (a domain error such as the log of a negative) gives null.
func realFunc(f func(float64) (float64, bool)) func(*CallContext, []data.Value) data.Value {
	return func(_ *CallContext, a []data.Value) data.Value {
		x, ok := argReal(a[0])
		if !ok {
			return data.Null
		}
		r, ok := f(x)
		if !ok {
			return data.Null
		}
		return data.NewReal(r)
	}
}

func realTest(v data.Value, f func(float64) bool) data.Value {
	switch {
	case isIntValue(v):
		return boolValue(f(float64(v.I)))
	case isRealValue(v):
		return boolValue(f(v.F))
	}
	if x, ok := argReal(v); ok {
		return boolValue(f(x))
	}
	return data.Null
}

// evalRound rounds half away from zero to precision decimal digits
// (negative precision rounds to tens, hundreds ...), as Kusto's examples
// show: round(2.15, 1) is 2.2, round(-50.55, -2) is -100.
func evalRound(_ *CallContext, a []data.Value) data.Value {
	var prec int64
	if len(a) > 1 {
		p, ok := argLong(a[1])
		if !ok {
			return data.Null
		}
		prec = p
	}
	v := a[0]
	if isIntValue(v) {
		if prec >= 0 {
			return data.NewLong(v.I)
		}
		if prec < -18 {
			return data.NewLong(0)
		}
		unit := int64(math.Pow10(int(-prec)))
		q := v.I / unit
		r := v.I % unit
		if 2*abs64(r) >= unit {
			if v.I < 0 {
				q--
			} else {
				q++
			}
		}
		return data.NewLong(q * unit)
	}
	x, ok := argReal(v)
	if !ok {
		return data.Null
	}
	var out float64
	switch {
	case prec > 15:
		out = x
	case prec < -308:
		out = 0
	default:
		scale := math.Pow10(int(prec))
		out = math.Round(x*scale) / scale
		if math.IsNaN(out) || math.IsInf(out, 0) && !math.IsInf(x, 0) {
			out = x
		}
	}
	if v.K == data.KDecimal {
		return data.NewDecimal(out)
	}
	return data.NewReal(out)
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// floorDivInt divides rounding toward minus infinity.
func floorDivInt(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// binNumbers bins v to a multiple of size (counted from anchor). Integer
// inputs give a long, anything real a real. A size that is not positive
// gives null, as Kusto does.
func binNumbers(v, size, anchor data.Value) data.Value {
	if isIntValue(v) && isIntValue(size) && isIntValue(anchor) {
		if size.I <= 0 {
			return data.Null
		}
		return data.NewLong(anchor.I + floorDivInt(v.I-anchor.I, size.I)*size.I)
	}
	x, ok1 := argReal(v)
	s, ok2 := argReal(size)
	o, ok3 := argReal(anchor)
	if !ok1 || !ok2 || !ok3 || !(s > 0) {
		return data.Null
	}
	out := o + math.Floor((x-o)/s)*s
	if v.K == data.KDecimal {
		return data.NewDecimal(out)
	}
	return data.NewReal(out)
}

// binTicks bins a datetime or timespan (in ticks) to a multiple of size
// ticks counted from anchor; datetimes count from 0001-01-01, which is
// how bin(datetime, 1d) lands on midnight.
func binTicks(ticks, size, anchor int64) (int64, bool) {
	if size <= 0 {
		return 0, false
	}
	return anchor + floorDivInt(ticks-anchor, size)*size, true
}

func evalBin(_ *CallContext, a []data.Value) data.Value {
	return binAt(a[0], a[1], data.Null, false)
}

func evalBinAt(_ *CallContext, a []data.Value) data.Value {
	return binAt(a[0], a[1], a[2], true)
}

// binAt implements bin (no anchor) and bin_at.
func binAt(v, size, anchor data.Value, hasAnchor bool) data.Value {
	switch v.K {
	case data.KDateTime, data.KTimeSpan:
		s, ok := argTimeSpan(size)
		if !ok {
			return data.Null
		}
		var o int64
		if hasAnchor {
			if anchor.K != v.K {
				if v.K == data.KDateTime {
					if o, ok = argDateTime(anchor); !ok {
						return data.Null
					}
				} else if o, ok = argTimeSpan(anchor); !ok {
					return data.Null
				}
			} else {
				o = anchor.I
			}
		}
		t, ok := binTicks(v.I, s, o)
		if !ok {
			return data.Null
		}
		if v.K == data.KDateTime {
			if t < data.MinDateTimeTicks || t > data.MaxDateTimeTicks {
				return data.Null
			}
			return data.NewDateTime(t)
		}
		return data.NewTimeSpan(t)
	case data.KNull:
		return data.Null
	}
	if !hasAnchor {
		anchor = data.NewLong(0)
	}
	return binNumbers(v, size, anchor)
}

func evalAbs(_ *CallContext, a []data.Value) data.Value {
	v := a[0]
	switch v.K {
	case data.KInt, data.KLong:
		if v.I == math.MinInt64 {
			return data.Null
		}
		return data.NewLong(abs64(v.I))
	case data.KReal:
		return data.NewReal(math.Abs(v.F))
	case data.KDecimal:
		return data.NewDecimal(math.Abs(v.F))
	case data.KTimeSpan:
		if v.I == math.MinInt64 {
			return data.Null
		}
		return data.NewTimeSpan(abs64(v.I))
	}
	return data.Null
}

func evalSign(_ *CallContext, a []data.Value) data.Value {
	v := a[0]
	switch v.K {
	case data.KInt, data.KLong:
		return data.NewLong(int64(cmpSign(float64(v.I))))
	case data.KReal, data.KDecimal:
		if math.IsNaN(v.F) {
			return data.NewReal(math.NaN())
		}
		return data.NewReal(float64(cmpSign(v.F)))
	}
	return data.Null
}

func cmpSign(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

// extremeType: all arguments of max_of/min_of must be of one family
// (numbers, or one other type); numbers mix to long or real.
func extremeType(args []data.Type) (data.Type, string) {
	var t data.Type = data.Unknown
	for i, a := range args {
		if a == data.Unknown || a == data.Dynamic {
			continue
		}
		switch {
		case t == data.Unknown:
			t = a
		case t.IsNumeric() && a.IsNumeric():
			if a == data.Real || t == data.Real {
				t = data.Real
			} else if a == data.Decimal || t == data.Decimal {
				t = data.Decimal
			} else {
				t = data.Long
			}
		case t != a:
			return data.Unknown, "expects arguments of one type; argument " + ordinal(i) + " is " + article(a.String()) + ", not " + article(t.String())
		}
	}
	if t == data.Int {
		t = data.Long
	}
	return t, ""
}

// scalarFamily groups kinds that compare with each other: numbers are
// one family, every other scalar kind its own; arrays and bags are none.
func scalarFamily(k data.Kind) int {
	switch k {
	case data.KInt, data.KLong, data.KReal, data.KDecimal:
		return 1
	case data.KArray, data.KBag, data.KNull:
		return 0
	}
	return int(k) + 1
}

// extremeOf returns the largest (dir 1) or smallest (dir -1) non-null
// argument, or null when all are null. Mixed integer and real arguments
// give a real, as the result type says. Values from dynamic arguments
// that are arrays or bags, or of another family than the first scalar,
// are ignored like nulls: the binder has checked the static types, so
// only dynamic values can disagree.
func extremeOf(a []data.Value, dir int) data.Value {
	best := data.Null
	anyReal := false
	for _, v := range a {
		fam := scalarFamily(v.K)
		if fam == 0 || (best.K != data.KNull && fam != scalarFamily(best.K)) {
			continue
		}
		if isRealValue(v) {
			anyReal = true
		}
		if best.K == data.KNull || data.Compare(v, best)*dir > 0 {
			best = v
		}
	}
	switch {
	case best.K == data.KInt:
		best = data.NewLong(best.I)
		fallthrough
	case best.K == data.KLong:
		if anyReal {
			return data.NewReal(float64(best.I))
		}
	}
	return best
}
