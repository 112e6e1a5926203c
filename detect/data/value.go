package data

import (
	"math"
	"time"
)

// Kind is what a Value holds at run time. Static types (Type) belong to
// columns and expressions; a dynamic column's values may be of any kind.
type Kind uint8

// The kinds of run-time values. A string is never null in Kusto, so KString
// with an empty S is the "missing" string.
const (
	KNull Kind = iota
	KBool
	KInt
	KLong
	KReal
	KDecimal
	KString
	KDateTime
	KTimeSpan
	KGuid
	KArray
	KBag
)

// Value is one Kusto value. It is a small struct passed by value so that
// filtering a row allocates nothing; the payload field used depends on K:
//
//	KBool                       I (0 or 1)
//	KInt, KLong                 I
//	KReal, KDecimal             F (decimal is held as a float64: offhunt
//	                            does not need 128-bit decimals for log data)
//	KString, KGuid              S (a guid in canonical lower-case form)
//	KDateTime                   I: 100 ns ticks since 0001-01-01T00:00:00Z, as Kusto counts
//	KTimeSpan                   I: 100 ns ticks
//	KArray                      X: []Value
//	KBag                        X: *Bag
type Value struct {
	K Kind
	I int64
	F float64
	S string
	X any
}

// Null is the untyped null; its static type comes from the expression.
var Null = Value{}

// EmptyString is the zero string value.
var EmptyString = Value{K: KString}

// Constructors keep call sites short and make the payload field explicit.

// NewBool returns a bool value.
func NewBool(b bool) Value {
	if b {
		return Value{K: KBool, I: 1}
	}
	return Value{K: KBool}
}

// NewInt returns an int (32-bit) value.
func NewInt(i int64) Value { return Value{K: KInt, I: int64(int32(i))} }

// NewLong returns a long value.
func NewLong(i int64) Value { return Value{K: KLong, I: i} }

// NewReal returns a real value.
func NewReal(f float64) Value { return Value{K: KReal, F: f} }

// NewDecimal returns a decimal value.
func NewDecimal(f float64) Value { return Value{K: KDecimal, F: f} }

// NewString returns a string value.
func NewString(s string) Value { return Value{K: KString, S: s} }

// NewGuid returns a guid value from its canonical text.
func NewGuid(s string) Value { return Value{K: KGuid, S: s} }

// NewDateTime returns a datetime from ticks since 0001-01-01.
func NewDateTime(ticks int64) Value { return Value{K: KDateTime, I: ticks} }

// NewTimeSpan returns a timespan of the given ticks.
func NewTimeSpan(ticks int64) Value { return Value{K: KTimeSpan, I: ticks} }

// NewArray returns a dynamic array. The slice is not copied.
func NewArray(items []Value) Value {
	if items == nil {
		items = []Value{}
	}
	return Value{K: KArray, X: items}
}

// NewBagValue returns a dynamic property bag.
func NewBagValue(b *Bag) Value { return Value{K: KBag, X: b} }

// IsNull reports whether v is null of any type.
func (v Value) IsNull() bool { return v.K == KNull }

// Bool returns the value of a KBool.
func (v Value) Bool() bool { return v.I != 0 }

// Array returns the items of a KArray, or nil.
func (v Value) Array() []Value {
	if v.K == KArray {
		return v.X.([]Value)
	}
	return nil
}

// Bag returns the property bag of a KBag, or nil.
func (v Value) Bag() *Bag {
	if v.K == KBag {
		return v.X.(*Bag)
	}
	return nil
}

// Ticks per unit, as Kusto counts time.
const (
	TicksPerMicrosecond int64 = 10
	TicksPerMillisecond int64 = 10_000
	TicksPerSecond      int64 = 10_000_000
	TicksPerMinute      int64 = 60 * TicksPerSecond
	TicksPerHour        int64 = 60 * TicksPerMinute
	TicksPerDay         int64 = 24 * TicksPerHour
)

// unixEpochTicks is 1970-01-01T00:00:00Z in ticks since 0001-01-01.
const unixEpochTicks int64 = 621_355_968_000_000_000

// MinDateTimeTicks and MaxDateTimeTicks bound Kusto's datetime range
// (0001-01-01 to 9999-12-31T23:59:59.9999999).
const (
	MinDateTimeTicks int64 = 0
	MaxDateTimeTicks int64 = 3_155_378_975_999_999_999
)

// TimeToTicks converts a Go time to ticks since 0001-01-01 UTC.
func TimeToTicks(t time.Time) int64 {
	sec := t.Unix()
	return unixEpochTicks + sec*TicksPerSecond + int64(t.Nanosecond())/100
}

// TicksToTime converts ticks since 0001-01-01 to a UTC Go time.
func TicksToTime(ticks int64) time.Time {
	d := ticks - unixEpochTicks
	sec := floorDiv(d, TicksPerSecond)
	rem := d - sec*TicksPerSecond
	return time.Unix(sec, rem*100).UTC()
}

// NewDateTimeFromTime returns a datetime value for t.
func NewDateTimeFromTime(t time.Time) Value { return NewDateTime(TimeToTicks(t)) }

// UnixTicks converts Unix nanoseconds to datetime ticks.
func UnixNanosToTicks(ns int64) int64 { return unixEpochTicks + floorDiv(ns, 100) }

// TicksToUnixNanos converts datetime ticks to Unix nanoseconds (saturating
// outside the range an int64 of nanoseconds can hold).
func TicksToUnixNanos(ticks int64) int64 {
	d := ticks - unixEpochTicks
	if d > math.MaxInt64/100 {
		return math.MaxInt64
	}
	if d < math.MinInt64/100 {
		return math.MinInt64
	}
	return d * 100
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
