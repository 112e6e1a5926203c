package data

import (
	"math"
	"strings"
	"time"
)

// This file reads datetime and timespan text, as todatetime(),
// totimespan() and typed parsing of exported logs need. It accepts the
// forms Kusto documents (ISO 8601, RFC 822/850/1123) and the forms
// Microsoft's portals print when a table is exported to CSV
// ("7/5/2023, 2:16:44.756 PM").

// dtTok is one token of datetime text: a run of digits, a run of letters,
// or a single other character. Spaces separate tokens and are dropped.
type dtTok struct {
	kind byte // 'n' number, 'w' word, 'p' punctuation
	text string
	val  int64 // value of a number (saturating; numbers are short in practice)
}

func dtTokens(s string, buf []dtTok) ([]dtTok, bool) {
	toks := buf[:0]
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c >= '0' && c <= '9':
			j := i
			var v int64
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if v < 1e15 {
					v = v*10 + int64(s[j]-'0')
				}
				j++
			}
			toks = append(toks, dtTok{'n', s[i:j], v})
			i = j
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			j := i
			for j < len(s) && s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z' {
				j++
			}
			toks = append(toks, dtTok{'w', s[i:j], 0})
			i = j
		default:
			toks = append(toks, dtTok{'p', s[i : i+1], 0})
			i++
		}
		if len(toks) > 24 {
			return nil, false // no datetime form has this many parts
		}
	}
	return toks, true
}

// monthOf returns 1..12 for an English month name or its three-letter
// abbreviation (any case), else 0. It compares without allocating, since
// it runs once per parsed row.
func monthOf(w string) int {
	if len(w) < 3 {
		return 0
	}
	for i, full := range monthNamesFull {
		if strings.EqualFold(w, full[:3]) || strings.EqualFold(w, full) || (i == 8 && strings.EqualFold(w, "sept")) {
			return i + 1
		}
	}
	return 0
}

var monthNamesFull = [...]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

func isWeekday(w string) bool {
	for _, d := range [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		if strings.EqualFold(w, d) || strings.EqualFold(w, d[:3]) {
			return true
		}
	}
	return false
}

// zoneOffsets are the named zones RFC 822 allows, in minutes east of UTC.
var zoneOffsets = map[string]int{
	"z": 0, "gmt": 0, "ut": 0, "utc": 0,
	"est": -300, "edt": -240, "cst": -360, "cdt": -300,
	"mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}

type dtParser struct {
	t []dtTok
	i int
}

func (p *dtParser) peek() dtTok {
	if p.i < len(p.t) {
		return p.t[p.i]
	}
	return dtTok{}
}

func (p *dtParser) punct(c string) bool {
	if p.i < len(p.t) && p.t[p.i].kind == 'p' && p.t[p.i].text == c {
		p.i++
		return true
	}
	return false
}

func (p *dtParser) num(minDigits, maxDigits int) (int64, bool) {
	if p.i < len(p.t) && p.t[p.i].kind == 'n' && len(p.t[p.i].text) >= minDigits && len(p.t[p.i].text) <= maxDigits {
		p.i++
		return p.t[p.i-1].val, true
	}
	return 0, false
}

// twoDigitYear expands a two-digit year the way .NET's invariant culture
// does (00-29 are 2000-2029, 30-99 are 1930-1999).
func twoDigitYear(y int64) int64 {
	if y < 30 {
		return 2000 + y
	}
	return 1900 + y
}

// ParseDateTime reads datetime text and returns its ticks (UTC). Forms:
//
//	2015-12-31  2015-12  2015/12/31  2015-12-31T23:59:59.1234567Z
//	2015-12-31 23:59  2015-12-31T23:59:59+02:00  (fractions of 1-7 digits)
//	Sat, 8 Nov 2014 15:05:02 GMT  8 Nov 14 15:05 +0100  (RFC 822/1123)
//	Saturday, 08-Nov-14 15:05:02 GMT  (RFC 850)  Nov 8, 2014 3:05 PM
//	7/5/2023, 2:16:44.756 PM  7/5/2023 2:16:44 PM  02/17/2016 08:40:01
//	12-02-2022  (US month-day-year, as .NET's invariant culture reads it)
//
// Text without a zone is UTC. ok is false for anything else, and for
// dates outside 0001-01-01..9999-12-31.
func ParseDateTime(s string) (ticks int64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, false
	}
	var buf [24]dtTok
	toks, ok := dtTokens(s, buf[:0])
	if !ok || len(toks) == 0 {
		return 0, false
	}
	p := dtParser{t: toks}
	var y, mo, d int64
	switch first := p.peek(); {
	case first.kind == 'n' && len(first.text) == 4:
		// ISO 8601 (or yyyy/MM/dd): year, month[, day].
		y, _ = p.num(4, 4)
		sep := p.peek().text
		if sep != "-" && sep != "/" && sep != "." {
			return 0, false
		}
		p.i++
		if mo, ok = p.num(1, 2); !ok {
			return 0, false
		}
		d = 1
		if p.punct(sep) {
			if d, ok = p.num(1, 2); !ok {
				return 0, false
			}
		}
	case first.kind == 'n' && len(first.text) <= 2:
		p.i++
		if sep := p.peek(); sep.kind == 'p' && (sep.text == "/" || sep.text == "-" || sep.text == ".") && p.i+1 < len(p.t) && p.t[p.i+1].kind == 'n' {
			// US month/day/year.
			p.i++
			mo = first.val
			if d, ok = p.num(1, 2); !ok || !p.punct(sep.text) {
				return 0, false
			}
			if y, ok = p.num(4, 4); !ok {
				if y, ok = p.num(2, 2); !ok {
					return 0, false
				}
				y = twoDigitYear(y)
			}
		} else {
			// Day, month name, year: "8 Nov 2014", "08-Nov-14".
			d = first.val
			p.punct("-")
			if w := p.peek(); w.kind != 'w' || monthOf(w.text) == 0 {
				return 0, false
			} else {
				mo = int64(monthOf(w.text))
				p.i++
			}
			p.punct("-")
			if y, ok = p.num(4, 4); !ok {
				if y, ok = p.num(2, 2); !ok {
					return 0, false
				}
				y = twoDigitYear(y)
			}
		}
	case first.kind == 'w':
		if isWeekday(first.text) {
			p.i++
			p.punct(",")
		}
		if w := p.peek(); w.kind == 'w' && monthOf(w.text) != 0 {
			// "Nov 8, 2014"
			mo = int64(monthOf(w.text))
			p.i++
			if d, ok = p.num(1, 2); !ok {
				return 0, false
			}
			p.punct(",")
			if y, ok = p.num(4, 4); !ok {
				return 0, false
			}
			break
		}
		if d, ok = p.num(1, 2); !ok {
			return 0, false
		}
		p.punct("-")
		if w := p.peek(); w.kind != 'w' || monthOf(w.text) == 0 {
			return 0, false
		} else {
			mo = int64(monthOf(w.text))
			p.i++
		}
		p.punct("-")
		if y, ok = p.num(4, 4); !ok {
			if y, ok = p.num(2, 2); !ok {
				return 0, false
			}
			y = twoDigitYear(y)
		}
	default:
		return 0, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > int64(daysIn(int(y), int(mo))) || y < 1 || y > 9999 {
		return 0, false
	}
	ticks = TimeToTicks(time.Date(int(y), time.Month(mo), int(d), 0, 0, 0, 0, time.UTC))

	// Optional time of day, introduced by T, a comma or a space.
	if p.i < len(p.t) {
		if w := p.peek(); w.kind == 'w' && (w.text == "T" || w.text == "t") {
			p.i++
		} else {
			p.punct(",")
		}
		if p.peek().kind == 'n' {
			tod, ok := p.timeOfDay()
			if !ok {
				return 0, false
			}
			ticks += tod
		}
	}
	// Optional zone.
	if p.i < len(p.t) {
		off, ok := p.zone()
		if !ok {
			return 0, false
		}
		ticks -= off
	}
	if p.i != len(p.t) || ticks < MinDateTimeTicks || ticks > MaxDateTimeTicks {
		return 0, false
	}
	return ticks, true
}

// timeOfDay reads h:mm[:ss[.fffffff]] [AM|PM] and returns ticks since
// midnight.
func (p *dtParser) timeOfDay() (int64, bool) {
	h, ok := p.num(1, 2)
	if !ok || !p.punct(":") {
		return 0, false
	}
	m, ok := p.num(2, 2)
	if !ok {
		return 0, false
	}
	var sec, frac int64
	if p.punct(":") {
		if sec, ok = p.num(2, 2); !ok {
			return 0, false
		}
		if p.punct(".") {
			t := p.peek()
			if t.kind != 'n' {
				return 0, false
			}
			p.i++
			frac = fractionTicks(t.text)
		}
	}
	if w := p.peek(); w.kind == 'w' && (strings.EqualFold(w.text, "AM") || strings.EqualFold(w.text, "PM")) {
		p.i++
		if h < 1 || h > 12 {
			return 0, false
		}
		if h == 12 {
			h = 0
		}
		if strings.EqualFold(w.text, "PM") {
			h += 12
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	return h*TicksPerHour + m*TicksPerMinute + sec*TicksPerSecond + frac, true
}

// fractionTicks turns the digits after a decimal point into ticks, using
// the first seven digits (a tick is 10^-7 s) and ignoring the rest.
func fractionTicks(digits string) int64 {
	var f int64
	for i := 0; i < 7; i++ {
		f *= 10
		if i < len(digits) {
			f += int64(digits[i] - '0')
		}
	}
	return f
}

// zone reads a zone designator and returns its offset east of UTC in ticks.
func (p *dtParser) zone() (int64, bool) {
	t := p.peek()
	if t.kind == 'w' {
		if t.text == "Z" || t.text == "z" {
			p.i++
			return 0, true
		}
		off, ok := zoneOffsets[strings.ToLower(t.text)]
		if !ok {
			return 0, false
		}
		p.i++
		// "GMT+2" style is not RFC 822; refuse rather than guess.
		return int64(off) * TicksPerMinute, true
	}
	if t.kind != 'p' || (t.text != "+" && t.text != "-") {
		return 0, false
	}
	p.i++
	sign := int64(1)
	if t.text == "-" {
		sign = -1
	}
	n := p.peek()
	if n.kind != 'n' {
		return 0, false
	}
	p.i++
	var h, m int64
	switch len(n.text) {
	case 4:
		h, m = n.val/100, n.val%100
	case 1, 2:
		h = n.val
		if p.punct(":") {
			var ok bool
			if m, ok = p.num(2, 2); !ok {
				return 0, false
			}
		}
	default:
		return 0, false
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	return sign * (h*TicksPerHour + m*TicksPerMinute), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// DaysInMonth returns the number of days of month m (1..12) of year y.
func DaysInMonth(y, m int) int { return daysIn(y, m) }

// timespanUnits maps the unit suffixes of Kusto's timespan literals to
// ticks.
var timespanUnits = map[string]int64{
	"d": TicksPerDay, "day": TicksPerDay, "days": TicksPerDay,
	"h": TicksPerHour, "hr": TicksPerHour, "hrs": TicksPerHour, "hour": TicksPerHour, "hours": TicksPerHour,
	"m": TicksPerMinute, "min": TicksPerMinute, "minute": TicksPerMinute, "minutes": TicksPerMinute,
	"s": TicksPerSecond, "sec": TicksPerSecond, "second": TicksPerSecond, "seconds": TicksPerSecond,
	"ms": TicksPerMillisecond, "milli": TicksPerMillisecond, "millis": TicksPerMillisecond,
	"millisec": TicksPerMillisecond, "millisecond": TicksPerMillisecond, "milliseconds": TicksPerMillisecond,
	"micro": TicksPerMicrosecond, "micros": TicksPerMicrosecond, "microsec": TicksPerMicrosecond,
	"microsecond": TicksPerMicrosecond, "microseconds": TicksPerMicrosecond,
	"tick": 1, "ticks": 1,
}

var nanoUnits = map[string]bool{"nano": true, "nanos": true, "nanosec": true, "nanosecond": true, "nanoseconds": true}

// ParseTimeSpan reads timespan text and returns its ticks. Forms:
//
//	[-][d.]hh:mm[:ss[.fffffff]]   as Kusto prints timespans (0.00:03:00)
//	[-]d                          a whole number of days, as .NET reads it
//	[-]n[.f]unit                  a literal: 2d, 1.5h, 30m, 10ms, 100ticks
//	                              (the unit suffixes of timespan literals)
//
// ok is false for anything else or on overflow.
func ParseTimeSpan(s string) (ticks int64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = strings.TrimSpace(s[1:])
	}
	// Leading number.
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	intPart := s[:i]
	rest := s[i:]
	switch {
	case rest == "":
		d, ok := atoi64(intPart)
		if !ok || d > MaxDateTimeTicks/TicksPerDay {
			return 0, false
		}
		ticks = d * TicksPerDay
	case strings.IndexByte(rest, ':') >= 0:
		ticks, ok = parseClockSpan(s)
		if !ok {
			return 0, false
		}
	default:
		ticks, ok = parseSpanLiteral(intPart, rest)
		if !ok {
			return 0, false
		}
	}
	if neg {
		ticks = -ticks
	}
	return ticks, true
}

// parseClockSpan reads [d.]hh:mm[:ss[.fffffff]].
func parseClockSpan(s string) (int64, bool) {
	var days int64
	if dot, colon := strings.IndexByte(s, '.'), strings.IndexByte(s, ':'); dot >= 0 && dot < colon {
		d, ok := atoi64(s[:dot])
		if !ok || d > 10_675_199 { // TimeSpan.MaxValue's days
			return 0, false
		}
		days = d
		s = s[dot+1:]
	}
	var buf [3]string
	parts := buf[:0]
	for len(parts) < 3 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			parts = append(parts, s)
			s = ""
			break
		}
		parts = append(parts, s[:i])
		s = s[i+1:]
	}
	if len(parts) < 2 || s != "" { // s != "": a fourth part
		return 0, false
	}
	h, ok1 := atoi64(parts[0])
	m, ok2 := atoi64(parts[1])
	if !ok1 || !ok2 || len(parts[0]) > 2 || len(parts[1]) > 2 || h > 23 || m > 59 {
		return 0, false
	}
	var sec, frac int64
	if len(parts) == 3 {
		secText := parts[2]
		if dot := strings.IndexByte(secText, '.'); dot >= 0 {
			fd := secText[dot+1:]
			if fd == "" || len(fd) > 7 || !allDigits(fd) {
				return 0, false
			}
			frac = fractionTicks(fd)
			secText = secText[:dot]
		}
		var ok bool
		if sec, ok = atoi64(secText); !ok || len(secText) > 2 || sec > 59 {
			return 0, false
		}
	}
	return days*TicksPerDay + h*TicksPerHour + m*TicksPerMinute + sec*TicksPerSecond + frac, true
}

// parseSpanLiteral reads n[.f]unit, given the integer digits and the rest.
func parseSpanLiteral(intPart, rest string) (int64, bool) {
	fracPart := ""
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		fracPart = rest[1:j]
		rest = rest[j:]
	}
	unitName := strings.ToLower(strings.TrimSpace(rest))
	n, ok := atoi64(intPart)
	if !ok {
		return 0, false
	}
	if nanoUnits[unitName] {
		// A tick is 100 ns: convert through a real, rounding to ticks.
		f := (float64(n) + fracValue(fracPart)) / 100
		if f > float64(math.MaxInt64) {
			return 0, false
		}
		return int64(math.Round(f)), true
	}
	unit, ok := timespanUnits[unitName]
	if !ok {
		return 0, false
	}
	if n > math.MaxInt64/unit {
		return 0, false
	}
	return n*unit + int64(math.Round(fracValue(fracPart)*float64(unit))), true
}

func fracValue(digits string) float64 {
	f, scale := 0.0, 1.0
	for i := 0; i < len(digits) && i < 18; i++ {
		scale /= 10
		f += float64(digits[i]-'0') * scale
	}
	return f
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func atoi64(s string) (int64, bool) {
	if !allDigits(s) || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}
