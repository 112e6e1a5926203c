package syntax

import (
	"math"
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// ParseDateTimeText reads the text of a datetime literal, or of a string
// given to todatetime(), as Kusto does, and returns its 100 ns ticks since
// 0001-01-01 UTC. It accepts:
//
//	ISO 8601      2015-12-31, 2015-12-31 23:59:59.9, 2015-12-31T23:59:59.9999999Z,
//	              2018-02-24T15:14, 2015-12-31T23:59:59+01:00 (also / between the date parts)
//	US order      12-02-2022, 02/17/2016 08:40:01 (month first, as .NET's invariant culture)
//	RFC 822/1123  Sat, 8 Nov 2014 15:05:02 GMT, 8 Nov 2014 15:05 +0100
//	RFC 850       Saturday, 08-Nov-14 15:05:02 GMT
//
// Times without a zone are UTC. A fraction keeps at most 7 digits (ticks);
// further digits are dropped. The result must lie in 0001-01-01 ..
// 9999-12-31T23:59:59.9999999.
func ParseDateTimeText(s string) (ticks int64, ok bool) {
	// One parser serves literals, todatetime() and the readers, so that
	// they all accept the same texts.
	return data.ParseDateTime(s)
}

// ParseTimeSpanText reads the text of a timespan literal, or of a string
// given to totimespan(), and returns its 100 ns ticks. It accepts
// [-][d.]hh:mm[:ss[.fffffff]] (`1.02:03:04.5`, `00:30:00`), a number with
// a unit suffix as in literals (`2d`, `1.5h`, `25min`, `100ms`), and a
// bare whole number of days (`3`), as .NET's TimeSpan.Parse does.
func ParseTimeSpanText(s string) (ticks int64, ok bool) {
	return data.ParseTimeSpan(s)
}

// unitTimeSpan converts a number (digits with an optional fraction) and a
// unit suffix to ticks, refusing values that overflow.
func unitTimeSpan(num, unit string) (int64, bool) {
	u, ok := timespanUnits[unit]
	if !ok || num == "" {
		return 0, false
	}
	intPart, frac, _ := strings.Cut(num, ".")
	if intPart == "" {
		return 0, false
	}
	for i := 0; i < len(frac); i++ {
		if !isDigit(frac[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || n > math.MaxInt64/u.num {
		return 0, false
	}
	t := n * u.num / u.den
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, false
		}
		add := int64(math.Round(f * float64(u.num) / float64(u.den)))
		if t > math.MaxInt64-add {
			return 0, false
		}
		t += add
	}
	return t, true
}
