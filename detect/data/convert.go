package data

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file holds the value conversions of Kusto's to*() functions and the
// comparisons that functions, sorting and set operations share. Every
// conversion reports failure with ok == false; callers turn that into a
// null of the result type, which is what Kusto does.

// ToLong converts v as tolong() does: integers as they are, reals
// truncated toward zero (NaN, infinities and out-of-range reals fail),
// bools as 0/1, datetimes and timespans as ticks, and strings holding an
// integer (or a real, truncated). Null, arrays and bags fail.
func ToLong(v Value) (int64, bool) {
	switch v.K {
	case KInt, KLong, KDateTime, KTimeSpan, KBool:
		return v.I, true
	case KReal, KDecimal:
		return realToLong(v.F)
	case KString:
		return ParseLong(v.S)
	}
	return 0, false
}

// realToLong truncates f toward zero, failing outside int64's range.
func realToLong(f float64) (int64, bool) {
	if math.IsNaN(f) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return 0, false
	}
	return int64(f), true
}

// ParseLong parses the text of an integer the way tolong() reads a
// string: surrounding blanks are ignored, a leading sign is allowed, and a
// real number's text is accepted and truncated ("2.7" gives 2).
func ParseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, ok := ParseReal(s)
	if !ok {
		return 0, false
	}
	return realToLong(f)
}

// ToInt converts v as toint() does: like ToLong, then the value must fit
// in 32 bits (Kusto gives null otherwise).
func ToInt(v Value) (int64, bool) {
	i, ok := ToLong(v)
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, false
	}
	return i, true
}

// ToReal converts v as toreal()/todouble() do: numbers as they are, bools
// as 0/1, datetimes and timespans as ticks, strings holding a number
// (including "NaN", "Infinity", "-Infinity"). Null, arrays and bags fail.
func ToReal(v Value) (float64, bool) {
	switch v.K {
	case KInt, KLong, KDateTime, KTimeSpan, KBool:
		return float64(v.I), true
	case KReal, KDecimal:
		return v.F, true
	case KString:
		return ParseReal(v.S)
	}
	return 0, false
}

// ParseReal parses the text of a real number as Kusto's toreal() reads it.
// Go's parser also accepts hex floats and underscores, which .NET does
// not; those are refused here so that the result matches Kusto.
func ParseReal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 400 {
		return 0, false
	}
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), true
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), true
	case "-infinity", "-inf":
		return math.Inf(-1), true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out-of-range text saturates to ±Inf in both Go and .NET Core.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// ToBool converts v as tobool() does: bools as they are, numbers as
// "not zero", strings "true"/"false" in any case (and integer text, as
// "not zero"). Anything else fails.
func ToBool(v Value) (bool, bool) {
	switch v.K {
	case KBool, KInt, KLong:
		return v.I != 0, true
	case KReal, KDecimal:
		if math.IsNaN(v.F) {
			return false, false
		}
		return v.F != 0, true
	case KString:
		s := strings.TrimSpace(v.S)
		switch {
		case strings.EqualFold(s, "true"):
			return true, true
		case strings.EqualFold(s, "false"):
			return false, true
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i != 0, true
		}
	}
	return false, false
}

// ToDateTime converts v as todatetime() does: datetimes as they are,
// strings in any format ParseDateTime reads. Numbers are not datetimes in
// Kusto (use unixtime_*_todatetime), so they fail.
func ToDateTime(v Value) (int64, bool) {
	switch v.K {
	case KDateTime:
		return v.I, true
	case KString:
		return ParseDateTime(v.S)
	}
	return 0, false
}

// ToTimeSpan converts v as totimespan() does: timespans as they are,
// strings in any form ParseTimeSpan reads, and numbers as ticks.
func ToTimeSpan(v Value) (int64, bool) {
	switch v.K {
	case KTimeSpan, KInt, KLong:
		return v.I, true
	case KReal, KDecimal:
		return realToLong(v.F)
	case KString:
		return ParseTimeSpan(v.S)
	}
	return 0, false
}

// ToGuid converts v as toguid() does and returns the canonical lower-case
// text. It accepts 32 hex digits with or without the four dashes, and
// optionally in braces or parentheses (as .NET's Guid.Parse does).
func ToGuid(v Value) (string, bool) {
	switch v.K {
	case KGuid:
		return v.S, true
	case KString:
		return ParseGuid(v.S)
	}
	return "", false
}

// ParseGuid parses the text of a guid; see ToGuid.
func ParseGuid(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	var hex [32]byte
	switch len(s) {
	case 32:
		copy(hex[:], s)
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		n := 0
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				continue
			}
			hex[n] = s[i]
			n++
		}
	default:
		// The toguid() docs convert "0123456789ab-cdef-0123-456789abcdef":
		// dashes between groups are accepted wherever they fall, as long
		// as 32 hex digits remain.
		if strings.Count(s, "-") > 4 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			return "", false
		}
		h := strings.ReplaceAll(s, "-", "")
		if len(h) != 32 {
			return "", false
		}
		copy(hex[:], h)
	}
	var out [36]byte
	n := 0
	for i, c := range hex {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", false
		}
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out[n] = '-'
			n++
		}
		out[n] = c
		n++
	}
	return string(out[:]), true
}

// KindTypeName returns the name gettype() gives a value's run-time kind:
// "dictionary" for a bag, "array", "null", and the scalar type names.
func KindTypeName(v Value) string {
	switch v.K {
	case KNull:
		return "null"
	case KBool:
		return "bool"
	case KInt:
		return "int"
	case KLong:
		return "long"
	case KReal:
		return "real"
	case KDecimal:
		return "decimal"
	case KString:
		return "string"
	case KDateTime:
		return "datetime"
	case KTimeSpan:
		return "timespan"
	case KGuid:
		return "guid"
	case KArray:
		return "array"
	case KBag:
		return "dictionary"
	}
	return "null"
}

// IsNumericKind reports whether k is int, long, real or decimal.
func IsNumericKind(k Kind) bool { return k == KInt || k == KLong || k == KReal || k == KDecimal }

// kindRank orders kinds for Compare when values of unrelated kinds meet
// (only possible inside dynamic values): null first, then bools, numbers,
// strings, datetimes, timespans, guids, arrays and bags.
func kindRank(k Kind) int {
	switch k {
	case KNull:
		return 0
	case KBool:
		return 1
	case KInt, KLong, KReal, KDecimal:
		return 2
	case KString:
		return 3
	case KDateTime:
		return 4
	case KTimeSpan:
		return 5
	case KGuid:
		return 6
	case KArray:
		return 7
	case KBag:
		return 8
	}
	return 9
}

// Compare orders two values for sorting, min/max and array sorting: -1,
// 0 or 1. Numbers of different kinds compare by value; NaN sorts before
// every other number (it is grouped with null by sort, and must give a
// total order here); strings compare by bytes (ordinal, as Kusto does);
// null sorts before everything. Values of unrelated kinds order by kind.
func Compare(a, b Value) int {
	if a.K == b.K {
		switch a.K {
		case KNull:
			return 0
		case KBool, KInt, KLong, KDateTime, KTimeSpan:
			return cmpInt(a.I, b.I)
		case KReal, KDecimal:
			return cmpReal(a.F, b.F)
		case KString, KGuid:
			return strings.Compare(a.S, b.S)
		case KArray:
			x, y := a.Array(), b.Array()
			for i := 0; i < len(x) && i < len(y); i++ {
				if c := Compare(x[i], y[i]); c != 0 {
					return c
				}
			}
			return cmpInt(int64(len(x)), int64(len(y)))
		case KBag:
			return strings.Compare(string(AppendJSON(nil, a)), string(AppendJSON(nil, b)))
		}
		return 0
	}
	ra, rb := kindRank(a.K), kindRank(b.K)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	// Both numeric, different kinds: compare exactly, without rounding a
	// large long through float64.
	aInt, bInt := a.K == KInt || a.K == KLong, b.K == KInt || b.K == KLong
	switch {
	case aInt && bInt:
		return cmpInt(a.I, b.I)
	case aInt:
		return cmpIntReal(a.I, b.F)
	case bInt:
		return -cmpIntReal(b.I, a.F)
	}
	return cmpReal(a.F, b.F)
}

// cmpIntReal compares an integer with a real exactly; NaN is lowest.
func cmpIntReal(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 1
	case f >= 9.223372036854775807e18:
		return -1
	case f < -9.223372036854775808e18:
		return 1
	}
	t := math.Trunc(f)
	if c := cmpInt(i, int64(t)); c != 0 {
		return c
	}
	return cmpReal(t, f) // i == trunc(f): the fraction decides
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpReal(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
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

// Equal reports whether two values are the same value, as set functions,
// array_index_of and `in` over dynamic arrays need: numbers of different
// kinds are equal when their values are, strings compare exactly, arrays
// and bags compare deeply (bags ignoring key order). Null equals null here,
// so that sets can hold one null; operators that need SQL-like null
// semantics check for null before calling Equal.
func Equal(a, b Value) bool {
	if a.K != b.K {
		if IsNumericKind(a.K) && IsNumericKind(b.K) {
			return Compare(a, b) == 0
		}
		return false
	}
	switch a.K {
	case KNull:
		return true
	case KBool, KInt, KLong, KDateTime, KTimeSpan:
		return a.I == b.I
	case KReal, KDecimal:
		return a.F == b.F || (math.IsNaN(a.F) && math.IsNaN(b.F))
	case KString, KGuid:
		return a.S == b.S
	case KArray:
		x, y := a.Array(), b.Array()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case KBag:
		x, y := a.Bag(), b.Bag()
		if x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// HashKey returns a string that is the same for two values exactly when
// Equal says they are equal (for numbers: when they are the same number
// of the same integral/real family), for use as a map key by set
// functions. Integers and reals holding the same whole number share a key.
func HashKey(v Value) string {
	var b []byte
	return string(appendHashKey(b, v))
}

func appendHashKey(b []byte, v Value) []byte {
	switch v.K {
	case KNull:
		return append(b, 'n')
	case KBool:
		if v.I != 0 {
			return append(b, 'T')
		}
		return append(b, 'F')
	case KInt, KLong:
		b = append(b, 'i')
		return strconv.AppendInt(b, v.I, 10)
	case KReal, KDecimal:
		if v.F == math.Trunc(v.F) && math.Abs(v.F) < 9e18 {
			b = append(b, 'i')
			return strconv.AppendInt(b, int64(v.F), 10)
		}
		b = append(b, 'r')
		return strconv.AppendFloat(b, v.F, 'g', -1, 64)
	case KString:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(v.S)), 10)
		b = append(b, ':')
		return append(b, v.S...)
	case KGuid:
		b = append(b, 'g')
		return append(b, v.S...)
	case KDateTime:
		b = append(b, 'd')
		return strconv.AppendInt(b, v.I, 10)
	case KTimeSpan:
		b = append(b, 't')
		return strconv.AppendInt(b, v.I, 10)
	case KArray:
		b = append(b, '[')
		for _, it := range v.Array() {
			b = appendHashKey(b, it)
			b = append(b, ',')
		}
		return append(b, ']')
	case KBag:
		bag := v.Bag()
		keys := append([]string(nil), bag.Keys()...)
		slices.Sort(keys)
		b = append(b, '{')
		for _, k := range keys {
			b = strconv.AppendInt(b, int64(len(k)), 10)
			b = append(b, ':')
			b = append(b, k...)
			it, _ := bag.Get(k)
			b = appendHashKey(b, it)
			b = append(b, ',')
		}
		return append(b, '}')
	}
	return b
}
