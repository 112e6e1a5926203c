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
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	r := dtReader{s: s}
	var d dtParts
	switch {
	case r.isoDate(&d):
	case r.usDate(&d):
	case r.rfcDate(&d):
	default:
		return 0, false
	}
	if !r.timeAndZone(&d) {
		return 0, false
	}
	return d.ticks()
}

// dtParts are the fields of a datetime as read, before validation.
type dtParts struct {
	year, month, day     int
	hour, minute, second int
	frac                 int64 // ticks within the second
	offset               int64 // zone offset east of UTC, in ticks
}

var daysBefore = [...]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(month, year int) int {
	if month == 2 && isLeap(year) {
		return 29
	}
	return daysBefore[month] - daysBefore[month-1]
}

// ticks validates the fields and converts them to ticks.
func (d *dtParts) ticks() (int64, bool) {
	if d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysIn(d.month, d.year) {
		return 0, false
	}
	if d.hour > 23 || d.minute > 59 || d.second > 59 {
		return 0, false
	}
	y := int64(d.year - 1)
	days := y*365 + y/4 - y/100 + y/400 + int64(daysBefore[d.month-1]) + int64(d.day-1)
	if d.month > 2 && isLeap(d.year) {
		days++
	}
	t := days*data.TicksPerDay + int64(d.hour)*data.TicksPerHour + int64(d.minute)*data.TicksPerMinute +
		int64(d.second)*data.TicksPerSecond + d.frac - d.offset
	if t < data.MinDateTimeTicks || t > data.MaxDateTimeTicks {
		return 0, false
	}
	return t, true
}

// dtReader is a cursor over datetime text.
type dtReader struct {
	s string
	i int
}

func (r *dtReader) peek() byte {
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

func (r *dtReader) eat(c byte) bool {
	if r.peek() == c {
		r.i++
		return true
	}
	return false
}

func (r *dtReader) spaces() int {
	n := 0
	for r.peek() == ' ' || r.peek() == '\t' {
		r.i++
		n++
	}
	return n
}

// digits reads min..max decimal digits as a number.
func (r *dtReader) digits(min, max int) (int, bool) {
	n, v := 0, 0
	for n < max && isDigit(r.peek()) {
		v = v*10 + int(r.peek()-'0')
		r.i++
		n++
	}
	return v, n >= min
}

// isoDate reads yyyy-MM-dd (or yyyy/MM/dd).
func (r *dtReader) isoDate(d *dtParts) bool {
	save := r.i
	y, ok := r.digits(4, 4)
	if !ok || (r.peek() != '-' && r.peek() != '/') {
		r.i = save
		return false
	}
	sep := r.peek()
	r.i++
	m, ok1 := r.digits(1, 2)
	ok2 := r.eat(sep)
	day, ok3 := r.digits(1, 2)
	if !ok1 || !ok2 || !ok3 {
		r.i = save
		return false
	}
	d.year, d.month, d.day = y, m, day
	return true
}

// usDate reads MM-dd-yyyy or MM/dd/yyyy.
func (r *dtReader) usDate(d *dtParts) bool {
	save := r.i
	m, ok := r.digits(1, 2)
	if !ok || (r.peek() != '-' && r.peek() != '/') {
		r.i = save
		return false
	}
	sep := r.peek()
	r.i++
	day, ok1 := r.digits(1, 2)
	ok2 := r.eat(sep)
	y, ok3 := r.digits(4, 4)
	if !ok1 || !ok2 || !ok3 {
		r.i = save
		return false
	}
	d.year, d.month, d.day = y, m, day
	return true
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var weekdayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// word reads a run of ASCII letters.
func (r *dtReader) word() string {
	start := r.i
	for c := r.peek(); c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'; c = r.peek() {
		r.i++
	}
	return r.s[start:r.i]
}

// nameIndex matches a month or weekday name by its first three letters,
// accepting the full name too ("Nov", "November", "Sat", "Saturday").
func nameIndex(w string, names []string) int {
	if len(w) < 3 {
		return -1
	}
	lw := strings.ToLower(w)
	for i, n := range names {
		if strings.HasPrefix(lw, n) {
			return i
		}
	}
	return -1
}

// rfcDate reads [Weekday,] d Mon yyyy (RFC 822/1123) or [Weekday,]
// dd-Mon-yy (RFC 850).
func (r *dtReader) rfcDate(d *dtParts) bool {
	save := r.i
	if w := r.word(); w != "" {
		if nameIndex(w, weekdayNames) < 0 {
			r.i = save
			return false
		}
		r.eat(',')
		r.spaces()
	}
	day, ok := r.digits(1, 2)
	if !ok {
		r.i = save
		return false
	}
	sep := byte(' ')
	if r.peek() == '-' {
		sep = '-'
		r.i++
	} else if r.spaces() == 0 {
		r.i = save
		return false
	}
	m := nameIndex(r.word(), monthNames)
	if m < 0 {
		r.i = save
		return false
	}
	if sep == '-' {
		if !r.eat('-') {
			r.i = save
			return false
		}
	} else if r.spaces() == 0 {
		r.i = save
		return false
	}
	start := r.i
	y, ok := r.digits(2, 4)
	if !ok || r.i-start == 3 {
		r.i = save
		return false
	}
	if r.i-start == 2 { // .NET's two-digit year window: 00-49 -> 2000s
		if y < 50 {
			y += 2000
		} else {
			y += 1900
		}
	}
	d.year, d.month, d.day = y, m+1, day
	return true
}

// zoneOffsets are the named zones of RFC 822, in hours east of UTC.
var zoneOffsets = map[string]int64{
	"gmt": 0, "ut": 0, "utc": 0, "z": 0,
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}

// timeAndZone reads the optional time of day and zone after the date and
// requires the text to end there.
func (r *dtReader) timeAndZone(d *dtParts) bool {
	if r.i == len(r.s) {
		return true
	}
	if !r.eat('T') && r.spaces() == 0 {
		return false
	}
	if isDigit(r.peek()) {
		h, ok := r.digits(1, 2)
		if !ok || !r.eat(':') {
			return false
		}
		m, ok := r.digits(2, 2)
		if !ok {
			return false
		}
		d.hour, d.minute = h, m
		if r.eat(':') {
			sec, ok := r.digits(2, 2)
			if !ok {
				return false
			}
			d.second = sec
			if r.eat('.') {
				start := r.i
				var f int64
				n := 0
				for isDigit(r.peek()) {
					if n < 7 {
						f = f*10 + int64(r.peek()-'0')
						n++
					}
					r.i++
				}
				if r.i == start {
					return false
				}
				for ; n < 7; n++ {
					f *= 10
				}
				d.frac = f
			}
		}
		// AM/PM, for the US forms.
		save := r.i
		r.spaces()
		switch strings.ToLower(r.word()) {
		case "am":
			if d.hour < 1 || d.hour > 12 {
				return false
			}
			if d.hour == 12 {
				d.hour = 0
			}
		case "pm":
			if d.hour < 1 || d.hour > 12 {
				return false
			}
			if d.hour != 12 {
				d.hour += 12
			}
		default:
			r.i = save
		}
	}
	return r.zone(d)
}

// zone reads an optional Z, named zone or numeric offset and the end.
func (r *dtReader) zone(d *dtParts) bool {
	r.spaces()
	if r.i == len(r.s) {
		return true
	}
	switch c := r.peek(); {
	case c == '+' || c == '-':
		r.i++
		h, ok := r.digits(2, 2)
		if !ok {
			return false
		}
		r.eat(':')
		m, ok := r.digits(2, 2)
		if !ok || h > 14 || m > 59 {
			return false
		}
		off := int64(h)*data.TicksPerHour + int64(m)*data.TicksPerMinute
		if c == '-' {
			off = -off
		}
		d.offset = off
	default:
		off, ok := zoneOffsets[strings.ToLower(r.word())]
		if !ok {
			return false
		}
		d.offset = off * data.TicksPerHour
	}
	r.spaces()
	return r.i == len(r.s)
}

// ParseTimeSpanText reads the text of a timespan literal, or of a string
// given to totimespan(), and returns its 100 ns ticks. It accepts
// [-][d.]hh:mm[:ss[.fffffff]] (`1.02:03:04.5`, `00:30:00`), a number with
// a unit suffix as in literals (`2d`, `1.5h`, `25min`, `100ms`), and a
// bare whole number of days (`3`), as .NET's TimeSpan.Parse does.
func ParseTimeSpanText(s string) (ticks int64, ok bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || !isDigit(s[0]) {
		return 0, false
	}
	if strings.IndexByte(s, ':') >= 0 {
		ticks, ok = clockTimeSpan(s)
	} else if i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		ticks, ok = unitTimeSpan(s[:i], s[i:])
	} else if strings.IndexByte(s, '.') < 0 {
		ticks, ok = unitTimeSpan(s, "d")
	}
	if !ok {
		return 0, false
	}
	if neg {
		ticks = -ticks
	}
	return ticks, true
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

// clockTimeSpan reads [d.]hh:mm[:ss[.fffffff]].
func clockTimeSpan(s string) (int64, bool) {
	r := dtReader{s: s}
	var days int64
	colon := strings.IndexByte(s, ':')
	if dot := strings.IndexByte(s[:colon], '.'); dot >= 0 {
		n, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil || n > 10_675_199 { // TimeSpan.MaxValue in days
			return 0, false
		}
		days = n
		r.i = dot + 1
	}
	h, ok := r.digits(1, 2)
	if !ok || !r.eat(':') || h > 23 {
		return 0, false
	}
	m, ok := r.digits(1, 2)
	if !ok || m > 59 {
		return 0, false
	}
	var sec int
	var frac int64
	if r.eat(':') {
		sec, ok = r.digits(1, 2)
		if !ok || sec > 59 {
			return 0, false
		}
		if r.eat('.') {
			n := 0
			start := r.i
			for isDigit(r.peek()) {
				if n < 7 {
					frac = frac*10 + int64(r.peek()-'0')
					n++
				}
				r.i++
			}
			if r.i == start {
				return 0, false
			}
			for ; n < 7; n++ {
				frac *= 10
			}
		}
	}
	if r.i != len(s) {
		return 0, false
	}
	return days*data.TicksPerDay + int64(h)*data.TicksPerHour + int64(m)*data.TicksPerMinute +
		int64(sec)*data.TicksPerSecond + frac, true
}
