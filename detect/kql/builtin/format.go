package builtin

import (
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// format_datetime and format_timespan: .NET-style custom format strings,
// with the specifiers Kusto documents. A run of one letter is one
// specifier (yyyy, MM, fff ...); text in quotes and characters after a
// backslash are copied; any other character is copied as a separator.

func init() {
	register(
		fn("format_datetime(date: datetime, format: string): string", evalFormatDateTime),
		fn("format_timespan(timespan: timespan, format: string): string", evalFormatTimeSpan),
	)
}

var (
	dayNames       = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNamesLong = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// maxFormatLength bounds the format text; formats are constants of the
// query, but a hostile one must not cost much per row.
const maxFormatLength = 1024

// appendPadded appends n with at least width digits.
func appendPadded(b []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendFraction appends the first n digits of a seven-digit tick
// fraction; trim (the F specifier) drops trailing zeros.
func appendFraction(b []byte, frac int64, n int, trim bool) []byte {
	if n > 7 {
		n = 7
	}
	var d [7]byte
	for i := 6; i >= 0; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	digits := d[:n]
	if trim {
		for len(digits) > 0 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
	}
	return append(b, digits...)
}

// formatWalk splits a format into runs and literals, calling spec for
// each run of a letter in letters and appending everything else.
func formatWalk(format, letters string, b []byte, spec func(b []byte, c byte, n int) []byte) []byte {
	for i := 0; i < len(format); {
		c := format[i]
		switch {
		case c == '\\' && i+1 < len(format):
			b = append(b, format[i+1])
			i += 2
		case c == '\'' || c == '"':
			j := strings.IndexByte(format[i+1:], c)
			if j < 0 {
				b = append(b, format[i+1:]...)
				return b
			}
			b = append(b, format[i+1:i+1+j]...)
			i += j + 2
		case strings.IndexByte(letters, c) >= 0:
			n := 1
			for i+n < len(format) && format[i+n] == c {
				n++
			}
			b = spec(b, c, n)
			i += n
		default:
			b = append(b, c)
			i++
		}
	}
	return b
}

// evalFormatDateTime formats with d dd ddd dddd, f..fffffff, F..FFFFFFF,
// h hh (12-hour), H HH, m mm, M MM MMM MMMM, s ss, y yy yyy yyyy, t tt.
func evalFormatDateTime(_ *CallContext, a []data.Value) data.Value {
	ticks, ok := argDateTime(a[0])
	format := argString(a[1])
	if !ok || len(format) > maxFormatLength {
		return data.EmptyString
	}
	t := data.TicksToTime(ticks)
	frac := ticks % data.TicksPerSecond
	b := formatWalk(format, "dfFhHmMsyt", make([]byte, 0, len(format)+8), func(b []byte, c byte, n int) []byte {
		switch c {
		case 'd':
			switch n {
			case 1, 2:
				return appendPadded(b, int64(t.Day()), n)
			case 3:
				return append(b, dayNames[t.Weekday()][:3]...)
			}
			return append(b, dayNames[t.Weekday()]...)
		case 'f', 'F':
			return appendFraction(b, frac, n, c == 'F')
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			return appendPadded(b, int64(h), min(n, 2))
		case 'H':
			return appendPadded(b, int64(t.Hour()), min(n, 2))
		case 'm':
			return appendPadded(b, int64(t.Minute()), min(n, 2))
		case 's':
			return appendPadded(b, int64(t.Second()), min(n, 2))
		case 'M':
			switch n {
			case 1, 2:
				return appendPadded(b, int64(t.Month()), n)
			case 3:
				return append(b, monthNamesLong[t.Month()-1][:3]...)
			}
			return append(b, monthNamesLong[t.Month()-1]...)
		case 'y':
			switch n {
			case 1:
				return appendPadded(b, int64(t.Year()%100), 1)
			case 2:
				return appendPadded(b, int64(t.Year()%100), 2)
			}
			return appendPadded(b, int64(t.Year()), n)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				return append(b, ampm[0])
			}
			return append(b, ampm...)
		}
		return b
	})
	return data.NewString(string(b))
}

// evalFormatTimeSpan formats with d..dddddddd (days, zero-padded to the
// run's length), h hh H HH, m mm, s ss, f..fffffff, F..FFFFFFF. A negative
// timespan is printed with a leading '-'.
func evalFormatTimeSpan(_ *CallContext, a []data.Value) data.Value {
	ticks, ok := argTimeSpan(a[0])
	format := argString(a[1])
	if !ok || len(format) > maxFormatLength {
		return data.EmptyString
	}
	var b []byte
	u := ticks
	if u < 0 {
		b = append(b, '-')
		u = -u
		if u < 0 { // MinInt64
			return data.EmptyString
		}
	}
	days := u / data.TicksPerDay
	hours := u % data.TicksPerDay / data.TicksPerHour
	minutes := u % data.TicksPerHour / data.TicksPerMinute
	secs := u % data.TicksPerMinute / data.TicksPerSecond
	frac := u % data.TicksPerSecond
	b = formatWalk(format, "dfFhHms", b, func(b []byte, c byte, n int) []byte {
		switch c {
		case 'd':
			return appendPadded(b, days, min(n, 8))
		case 'h', 'H':
			return appendPadded(b, hours, min(n, 2))
		case 'm':
			return appendPadded(b, minutes, min(n, 2))
		case 's':
			return appendPadded(b, secs, min(n, 2))
		case 'f', 'F':
			return appendFraction(b, frac, n, c == 'F')
		}
		return b
	})
	return data.NewString(string(b))
}
