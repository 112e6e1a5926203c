package builtin

import (
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// Conversion and type-test functions. A failed conversion gives null of
// the result type, except tostring, whose result is never null.

func init() {
	register(
		fn("tostring(value: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			if a[0].K == data.KString {
				return data.NewString(a[0].S)
			}
			return data.NewString(data.ToString(a[0]))
		}),
		fn("toint(value: scalar): int", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Int)
		}),
		fn("tolong(value: scalar): long", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Long)
		}),
		fn("toreal(value: scalar): real", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Real)
		}, aliases("todouble")),
		fn("todecimal(value: scalar): decimal", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Decimal)
		}),
		fn("tobool(value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Bool)
		}, aliases("toboolean")),
		fn("toguid(value: scalar): guid", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.Guid)
		}),
		fn("todatetime(value: scalar): datetime", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.DateTime)
		}),
		fn("totimespan(value: scalar): timespan", func(_ *CallContext, a []data.Value) data.Value {
			return Convert(a[0], data.TimeSpan)
		}, aliases("totime")),
		fn("tohex(value: long [, minLength: long]): string", evalToHex),
		fn("gettype(value: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(data.KindTypeName(a[0]))
		}),
		fn("isnull(value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(a[0].K == data.KNull)
		}),
		fn("isnotnull(value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(a[0].K != data.KNull)
		}, aliases("notnull")),
		fn("isempty(value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(isEmptyValue(a[0]))
		}),
		fn("isnotempty(value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(!isEmptyValue(a[0]))
		}, aliases("notempty")),
	)
}

// isEmptyValue: null or the empty string. An empty array or bag is not
// empty (isempty(parse_json("[]")) is false, as documented).
func isEmptyValue(v data.Value) bool {
	return v.K == data.KNull || (v.K == data.KString && v.S == "")
}

// Convert converts v to type t as the to<t>() function does: null when
// the conversion fails. Strings are converted with tostring() rules and
// dynamic with parse_json() rules.
func Convert(v data.Value, t data.Type) data.Value {
	switch t {
	case data.String:
		return data.NewString(data.ToString(v))
	case data.Int:
		if i, ok := data.ToInt(v); ok {
			return data.NewInt(i)
		}
	case data.Long:
		if i, ok := data.ToLong(v); ok {
			return data.NewLong(i)
		}
	case data.Real:
		if f, ok := data.ToReal(v); ok {
			return data.NewReal(f)
		}
	case data.Decimal:
		if f, ok := data.ToReal(v); ok {
			return data.NewDecimal(f)
		}
	case data.Bool:
		if b, ok := data.ToBool(v); ok {
			return boolValue(b)
		}
	case data.DateTime:
		if d, ok := data.ToDateTime(v); ok {
			return data.NewDateTime(d)
		}
	case data.TimeSpan:
		if d, ok := data.ToTimeSpan(v); ok {
			return data.NewTimeSpan(d)
		}
	case data.Guid:
		if g, ok := data.ToGuid(v); ok {
			return data.NewGuid(g)
		}
	case data.Dynamic:
		return parseJSONValue(v)
	}
	return data.Null
}

// evalToHex prints an integer in lower-case hex: a negative long as its
// 64-bit two's complement, a negative int as its 32-bit one
// (tohex(toint(-256), 8) is "ffffff00"), padded with zeros to minLength.
// A value that is not an integer gives "".
func evalToHex(_ *CallContext, a []data.Value) data.Value {
	v := a[0]
	var u uint64
	switch v.K {
	case data.KInt:
		u = uint64(uint32(int32(v.I)))
	case data.KLong:
		u = uint64(v.I)
	default:
		return data.EmptyString
	}
	s := strconv.FormatUint(u, 16)
	if len(a) > 1 {
		n, ok := argLong(a[1])
		if ok && n > int64(len(s)) && n <= 64 {
			s = strings.Repeat("0", int(n)-len(s)) + s
		}
	}
	return data.NewString(s)
}
