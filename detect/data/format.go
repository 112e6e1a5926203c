package data

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatDateTime prints ticks as ISO 8601 UTC ending in Z, with the fraction
// only when it is non-zero and without trailing zeros: the form of the Log
// Analytics query API and of offhunt's JSON output.
func FormatDateTime(ticks int64) string {
	var b []byte
	return string(AppendDateTime(b, ticks, false))
}

// FormatDateTimeFull prints ticks with all seven fraction digits, as Kusto's
// tostring() does ("2015-12-31T23:59:59.9000000Z").
func FormatDateTimeFull(ticks int64) string {
	var b []byte
	return string(AppendDateTime(b, ticks, true))
}

// AppendDateTime appends the ISO 8601 form of ticks to b.
func AppendDateTime(b []byte, ticks int64, fullFraction bool) []byte {
	t := TicksToTime(ticks)
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	frac := floorMod(ticks, TicksPerSecond)
	if frac != 0 || fullFraction {
		var d [7]byte
		for i := 6; i >= 0; i-- {
			d[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 7
		if !fullFraction {
			for n > 0 && d[n-1] == '0' {
				n--
			}
		}
		b = append(b, '.')
		b = append(b, d[:n]...)
	}
	return append(b, 'Z')
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// FormatTimeSpan prints ticks as Kusto does: [-][d.]hh:mm:ss[.fffffff].
func FormatTimeSpan(ticks int64) string {
	return string(AppendTimeSpan(nil, ticks))
}

// AppendTimeSpan appends the Kusto form of a timespan to b.
func AppendTimeSpan(b []byte, ticks int64) []byte {
	u := uint64(ticks)
	if ticks < 0 {
		b = append(b, '-')
		u = uint64(-ticks)
		if ticks == math.MinInt64 {
			u = uint64(math.MaxInt64) + 1
		}
	}
	days := u / uint64(TicksPerDay)
	rem := u % uint64(TicksPerDay)
	if days > 0 {
		b = strconv.AppendUint(b, days, 10)
		b = append(b, '.')
	}
	h := rem / uint64(TicksPerHour)
	rem %= uint64(TicksPerHour)
	m := rem / uint64(TicksPerMinute)
	rem %= uint64(TicksPerMinute)
	s := rem / uint64(TicksPerSecond)
	frac := rem % uint64(TicksPerSecond)
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, m)
	b = append(b, ':')
	b = append2(b, s)
	if frac != 0 {
		var d [7]byte
		for i := 6; i >= 0; i-- {
			d[i] = byte('0' + frac%10)
			frac /= 10
		}
		b = append(b, '.')
		b = append(b, d[:]...)
	}
	return b
}

func append2(b []byte, n uint64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// FormatReal prints a real the way Kusto's tostring() does: the shortest
// text that reads back as the same number, "NaN", "Infinity", "-Infinity".
func FormatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a >= 1e15 || a < 1e-5) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ToString converts a value to its string form, as Kusto's tostring() does:
// null becomes the empty string, dynamic values become compact JSON, a
// dynamic string becomes its text without quotes.
func ToString(v Value) string {
	switch v.K {
	case KNull:
		return ""
	case KString, KGuid:
		return v.S
	case KBool:
		if v.I != 0 {
			return "true"
		}
		return "false"
	case KInt, KLong:
		return strconv.FormatInt(v.I, 10)
	case KReal, KDecimal:
		return FormatReal(v.F)
	case KDateTime:
		return FormatDateTimeFull(v.I)
	case KTimeSpan:
		return FormatTimeSpan(v.I)
	case KArray, KBag:
		return string(AppendJSON(nil, v))
	}
	return ""
}

// AppendJSON appends v as JSON. Datetimes and timespans become strings, NaN
// and infinities become the strings Kusto's API prints, nulls become null.
func AppendJSON(b []byte, v Value) []byte {
	switch v.K {
	case KNull:
		return append(b, "null"...)
	case KBool:
		if v.I != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case KInt, KLong:
		return strconv.AppendInt(b, v.I, 10)
	case KReal, KDecimal:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return AppendJSONString(b, FormatReal(v.F))
		}
		if v.F == math.Trunc(v.F) && math.Abs(v.F) < 1e15 {
			return strconv.AppendFloat(b, v.F, 'f', -1, 64)
		}
		return strconv.AppendFloat(b, v.F, 'g', -1, 64)
	case KString, KGuid:
		return AppendJSONString(b, v.S)
	case KDateTime:
		b = append(b, '"')
		b = AppendDateTime(b, v.I, false)
		return append(b, '"')
	case KTimeSpan:
		b = append(b, '"')
		b = AppendTimeSpan(b, v.I)
		return append(b, '"')
	case KArray:
		b = append(b, '[')
		for i, it := range v.X.([]Value) {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, it)
		}
		return append(b, ']')
	case KBag:
		bag := v.X.(*Bag)
		b = append(b, '{')
		for i, k := range bag.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k)
			b = append(b, ':')
			b = AppendJSON(b, bag.vals[k])
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// so that the output is always valid JSON; <, > and & are escaped so that
// JSON embedded in HTML cannot close a script element.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// JSONString returns s as a JSON string literal.
func JSONString(s string) string { return string(AppendJSONString(nil, s)) }

// QuoteKQL returns s as a KQL string literal that reads back as s.
func QuoteKQL(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if r < 0x20 {
				sb.WriteString(`\u00`)
				sb.WriteByte(hexDigits[r>>4])
				sb.WriteByte(hexDigits[r&0xF])
			} else {
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
