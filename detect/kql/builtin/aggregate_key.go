package builtin

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"offhunt/detect/data"
)

// ValueKey returns a canonical key for v: two values get the same key
// exactly when they are the same value. make_set, dcount and
// count_distinct use it to tell values apart, and the engine uses it for
// distinct, join and summarize keys so that all of them agree on what
// "the same value" means:
//
//   - numbers are keyed by value across int, long, real and decimal, the
//     way == compares them (1, int(1) and 1.0 share a key), which is also
//     how data.Equal treats numbers inside dynamic values;
//   - -0.0 equals 0.0, and every NaN shares one key, so that NaNs group
//     together as sort groups them;
//   - strings are keyed by their bytes (case-sensitive, any bytes);
//   - a string, a guid, a datetime and a timespan never share a key with
//     each other or with a number, even when their text looks alike;
//   - arrays are keyed by their elements in order, bags by their keys and
//     values with the keys sorted (Kusto bags are unordered);
//   - null has one key.
//
// The key is a compact binary string meant for map keys, not for display.
func ValueKey(v data.Value) string {
	var buf [24]byte
	return string(aggAppendKey(buf[:0], v))
}

// Key tags. Each encoding is self-delimiting (fixed width or length
// prefixed), so the key of an array or bag is unambiguous.
const (
	aggKeyNull     = 'n'
	aggKeyFalse    = 'f'
	aggKeyTrue     = 't'
	aggKeyInteger  = 'i' // a whole number that fits int64, from any numeric kind
	aggKeyReal     = 'r' // any other real or decimal: IEEE bits
	aggKeyString   = 's'
	aggKeyGuid     = 'g'
	aggKeyDateTime = 'd'
	aggKeyTimeSpan = 'p'
	aggKeyArray    = 'a'
	aggKeyBag      = 'o'
)

// aggNaNBits is the bit pattern every NaN is keyed as.
var aggNaNBits = math.Float64bits(math.NaN())

func aggAppendKey(b []byte, v data.Value) []byte {
	switch v.K {
	case data.KNull:
		return append(b, aggKeyNull)
	case data.KBool:
		if v.I != 0 {
			return append(b, aggKeyTrue)
		}
		return append(b, aggKeyFalse)
	case data.KInt, data.KLong:
		return aggAppendKeyInt(b, aggKeyInteger, v.I)
	case data.KReal, data.KDecimal:
		f := v.F
		// Whole numbers in int64's range share the integer key, so that
		// 1.0 == 1 holds for keys too. -2^63 is exact in float64; 2^63 is
		// not an int64, hence the asymmetric bounds.
		if f == math.Trunc(f) && f >= -(1<<63) && f < (1<<63) {
			return aggAppendKeyInt(b, aggKeyInteger, int64(f))
		}
		bits := math.Float64bits(f)
		if f != f {
			bits = aggNaNBits
		}
		return aggAppendKeyInt(b, aggKeyReal, int64(bits))
	case data.KString:
		return aggAppendKeyString(append(b, aggKeyString), v.S)
	case data.KGuid:
		return aggAppendKeyString(append(b, aggKeyGuid), v.S)
	case data.KDateTime:
		return aggAppendKeyInt(b, aggKeyDateTime, v.I)
	case data.KTimeSpan:
		return aggAppendKeyInt(b, aggKeyTimeSpan, v.I)
	case data.KArray:
		items := v.Array()
		b = binary.AppendUvarint(append(b, aggKeyArray), uint64(len(items)))
		for _, it := range items {
			b = aggAppendKey(b, it)
		}
		return b
	case data.KBag:
		bag := v.Bag()
		keys := bag.Keys()
		if !slices.IsSorted(keys) {
			keys = slices.Clone(keys)
			slices.Sort(keys)
		}
		b = binary.AppendUvarint(append(b, aggKeyBag), uint64(len(keys)))
		for _, k := range keys {
			it, _ := bag.Get(k)
			b = aggAppendKeyString(b, k)
			b = aggAppendKey(b, it)
		}
		return b
	}
	return append(b, aggKeyNull)
}

func aggAppendKeyInt(b []byte, tag byte, i int64) []byte {
	return binary.BigEndian.AppendUint64(append(b, tag), uint64(i))
}

func aggAppendKeyString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// CompareForArg orders two values for arg_max/arg_min (and min/max):
// negative when a < b, zero when equal, positive when a > b. It is a total
// order, so that a maximum is always defined:
//
//   - null is lower than everything;
//   - numbers compare by value across int, long, real and decimal, exactly
//     (no rounding of large longs through float64); NaN is lower than every
//     other number, as Kusto's sort groups NaN with null;
//   - strings and guids compare ordinally (by bytes), as Kusto's
//     comparison operators do;
//   - datetimes and timespans compare by ticks, bools false < true;
//   - arrays compare element by element, bags by their canonical key;
//   - values of unrelated kinds (only possible in dynamic columns) order by
//     kind: null, bool, number, string, datetime, timespan, guid, array,
//     bag, the same order data.Compare uses.
func CompareForArg(a, b data.Value) int {
	ra, rb := aggKindRank(a.K), aggKindRank(b.K)
	if ra != rb {
		return aggCmpInt(int64(ra), int64(rb))
	}
	switch a.K {
	case data.KNull:
		return 0
	case data.KBool, data.KDateTime, data.KTimeSpan:
		return aggCmpInt(a.I, b.I)
	case data.KInt, data.KLong, data.KReal, data.KDecimal:
		return aggCompareNumbers(a, b)
	case data.KString, data.KGuid:
		return strings.Compare(a.S, b.S)
	case data.KArray:
		x, y := a.Array(), b.Array()
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := CompareForArg(x[i], y[i]); c != 0 {
				return c
			}
		}
		return aggCmpInt(int64(len(x)), int64(len(y)))
	case data.KBag:
		return strings.Compare(ValueKey(a), ValueKey(b))
	}
	return 0
}

func aggKindRank(k data.Kind) int {
	switch k {
	case data.KNull:
		return 0
	case data.KBool:
		return 1
	case data.KInt, data.KLong, data.KReal, data.KDecimal:
		return 2
	case data.KString:
		return 3
	case data.KDateTime:
		return 4
	case data.KTimeSpan:
		return 5
	case data.KGuid:
		return 6
	case data.KArray:
		return 7
	case data.KBag:
		return 8
	}
	return 9
}

func aggIsReal(k data.Kind) bool { return k == data.KReal || k == data.KDecimal }

// aggCompareNumbers compares two numeric values exactly.
func aggCompareNumbers(a, b data.Value) int {
	ar, br := aggIsReal(a.K), aggIsReal(b.K)
	switch {
	case !ar && !br:
		return aggCmpInt(a.I, b.I)
	case ar && br:
		return aggCmpFloat(a.F, b.F)
	case ar:
		return -aggCompareIntFloat(b.I, a.F)
	default:
		return aggCompareIntFloat(a.I, b.F)
	}
}

// aggCompareIntFloat compares an int64 with a float64 without the rounding
// that converting a large int64 to float64 would bring.
func aggCompareIntFloat(i int64, f float64) int {
	if f != f { // NaN is below every number
		return 1
	}
	if c := aggCmpFloat(float64(i), f); c != 0 {
		return c
	}
	// float64(i) == f: f is a whole number of magnitude at most 2^63.
	if f >= 1<<63 {
		return -1
	}
	return aggCmpInt(i, int64(f))
}

func aggCmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func aggCmpFloat(a, b float64) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
