package logs

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"offhunt/detect/data"
)

// This file turns a field's bytes, as a reader found them, into a value of
// its column's type. Readers leave fields as raw bytes (rawField) and only
// the fields a query needs are converted; the others are at most checked,
// on the scan that fills the input's report.

// fieldKind says what a field's bytes are.
type fieldKind uint8

const (
	fAbsent    fieldKind = iota // no such field in this record
	fText                       // plain text (CSV unquoted, XML, made by a reader)
	fQuoted                     // CSV quoted content, "" for each quote when esc
	fJSONStr                    // JSON string content without its quotes; escapes when esc
	fJSONNum                    // a JSON number
	fJSONTrue                   // true
	fJSONFalse                  // false
	fJSONNull                   // null
	fJSONObj                    // a JSON object, its text
	fJSONArr                    // a JSON array, its text
)

// rawField is a field as found: bytes in the reader's buffer (valid until
// the next record) and their kind.
type rawField struct {
	b    []byte
	kind fieldKind
	esc  bool
}

// isEmpty reports whether the field holds nothing: absent, null or empty
// text.
func (f rawField) isEmpty() bool {
	switch f.kind {
	case fAbsent, fJSONNull:
		return true
	case fText, fQuoted, fJSONStr:
		return len(f.b) == 0
	}
	return false
}

// arenaSize is the size of the blocks that strings handed to the engine
// are copied into. Copying each value into a block of its own would cost
// an allocation per value; one block holds the values of many rows, and
// blocks are never reused (a row the engine keeps keeps its strings), so
// the garbage collector frees a block once no value in it is used.
const arenaSize = 32 << 10

// arena hands out strings copied into shared blocks.
type arena struct{ buf []byte }

// str returns b as a string that does not share b's memory. Invalid UTF-8
// is replaced by U+FFFD, so that every string the engine sees is text.
func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	if len(b) > arenaSize/4 {
		return string(b)
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, arenaSize)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	// The block is only ever appended to, so these bytes never change.
	return unsafe.String(&a.buf[start], len(b))
}

// scratch is per-scan working memory for unescaping.
type scratch struct {
	buf []byte
}

// text returns the field's text: unescaped, without quotes; JSON scalars
// as written, objects and arrays as their JSON text; nil for absent and
// null. ok is false for a JSON string with a broken escape. The result may
// live in s and is valid until the next call.
func (s *scratch) text(f rawField) ([]byte, bool) {
	switch f.kind {
	case fAbsent, fJSONNull:
		return nil, true
	case fQuoted:
		if !f.esc {
			return f.b, true
		}
		s.buf = s.buf[:0]
		b := f.b
		for {
			i := bytes.IndexByte(b, '"')
			if i < 0 || i+1 >= len(b) {
				s.buf = append(s.buf, b...)
				break
			}
			s.buf = append(s.buf, b[:i+1]...)
			b = b[i+2:] // skip the second quote of the pair
		}
		return s.buf, true
	case fJSONStr:
		if !f.esc {
			return f.b, true
		}
		var ok bool
		s.buf, ok = appendJSONUnescaped(s.buf[:0], f.b)
		return s.buf, ok
	}
	return f.b, true
}

// appendJSONUnescaped appends the JSON string content b with its escapes
// resolved. ok is false for a broken escape.
func appendJSONUnescaped(dst, b []byte) ([]byte, bool) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			return append(dst, b...), true
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if len(b) < 2 {
			return dst, false
		}
		switch c := b[1]; c {
		case '"', '\\', '/', '\'':
			dst = append(dst, c)
			b = b[2:]
		case 'b':
			dst, b = append(dst, '\b'), b[2:]
		case 'f':
			dst, b = append(dst, '\f'), b[2:]
		case 'n':
			dst, b = append(dst, '\n'), b[2:]
		case 'r':
			dst, b = append(dst, '\r'), b[2:]
		case 't':
			dst, b = append(dst, '\t'), b[2:]
		case 'u':
			r, ok := hex4(b[2:])
			if !ok {
				return dst, false
			}
			b = b[6:]
			if r >= 0xD800 && r < 0xDC00 {
				if len(b) >= 6 && b[0] == '\\' && b[1] == 'u' {
					if r2, ok := hex4(b[2:]); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
						b = b[6:]
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// converter converts fields into values. One per scan: it owns the arena
// and the scratch buffer.
type converter struct {
	a arena
	s scratch
}

// convert returns the field as a value of type t. ok is false when the
// field holds something that does not fit t: the value is then null (the
// empty string for a string column), and the caller counts the row.
// Absent, null and empty fields are null ("" for strings) and fit.
func (c *converter) convert(f rawField, t data.Type) (data.Value, bool) {
	if f.isEmpty() {
		if t == data.String {
			return data.EmptyString, true
		}
		return data.Null, true
	}
	switch t {
	case data.String:
		b, ok := c.s.text(f)
		if !ok {
			return data.EmptyString, false
		}
		if len(b) > MaxFieldBytes {
			return data.EmptyString, false
		}
		return data.NewString(c.a.str(b)), true
	case data.Dynamic:
		return c.dynamic(f)
	}
	switch f.kind {
	case fJSONObj, fJSONArr:
		return data.Null, false
	case fJSONTrue, fJSONFalse:
		if t == data.Bool {
			return data.NewBool(f.kind == fJSONTrue), true
		}
		return data.Null, false
	}
	b, ok := c.s.text(f)
	if !ok {
		return data.Null, false
	}
	return convertText(b, t)
}

// convertText reads text as a value of a scalar type other than string
// and dynamic, the way data.FromText does, with fast paths for the forms
// exports use (ISO 8601 times, decimal integers) and hexadecimal integers
// (Windows logs write process and logon ids as 0x...).
func convertText(b []byte, t data.Type) (data.Value, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return data.Null, true
	}
	switch t {
	case data.Long, data.Int:
		n, ok := parseLong(b)
		if !ok {
			return data.Null, false
		}
		if t == data.Int {
			if n < -1<<31 || n > 1<<31-1 {
				return data.Null, false
			}
			return data.NewInt(n), true
		}
		return data.NewLong(n), true
	case data.DateTime:
		if ticks, ok := parseDateTime(b); ok {
			return data.NewDateTime(ticks), true
		}
		return data.Null, false
	case data.Real, data.Decimal:
		f, ok := data.ParseReal(tmpString(b))
		if !ok {
			return data.Null, false
		}
		if t == data.Decimal {
			return data.NewDecimal(f), true
		}
		return data.NewReal(f), true
	case data.Bool:
		switch {
		case len(b) == 1 && b[0] == '1', bytes.EqualFold(b, []byte("true")):
			return data.NewBool(true), true
		case len(b) == 1 && b[0] == '0', bytes.EqualFold(b, []byte("false")):
			return data.NewBool(false), true
		}
		return data.Null, false
	case data.TimeSpan:
		if ticks, ok := data.ParseTimeSpan(tmpString(b)); ok {
			return data.NewTimeSpan(ticks), true
		}
		return data.Null, false
	case data.Guid:
		if g, ok := data.ParseGuid(tmpString(b)); ok {
			return data.NewGuid(g), true
		}
		return data.Null, false
	}
	return data.Null, false
}

// dynamic converts a field for a dynamic column: JSON objects and arrays
// (also when they come as text, as in a CSV cell) become dynamic values,
// JSON scalars their values, other text a string. Nothing is a misfit
// except JSON nested deeper than MaxJSONDepth, which is kept as a string.
func (c *converter) dynamic(f rawField) (data.Value, bool) {
	switch f.kind {
	case fJSONTrue, fJSONFalse:
		return data.NewBool(f.kind == fJSONTrue), true
	case fJSONNum:
		v, err := data.ParseJSON(string(f.b))
		if err != nil {
			return data.NewString(c.a.str(f.b)), true
		}
		return v, true
	}
	b, ok := c.s.text(f)
	if !ok {
		return data.Null, false
	}
	if len(b) > MaxFieldBytes {
		return data.Null, false
	}
	t := trimSpace(b)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		// ParseJSON returns substrings of its input: give it a copy that
		// outlives the buffer.
		s := c.a.str(t)
		v, err := data.ParseJSON(s)
		if err == nil {
			return v, true
		}
		if err == data.ErrJSONDepth {
			return data.NewString(s), false
		}
		return data.NewString(c.a.str(b)), f.kind != fJSONObj && f.kind != fJSONArr
	}
	return data.NewString(c.a.str(b)), true
}

// fits reports whether a field would convert to type t without becoming
// null: the check a reporting scan makes of the fields nobody asked for.
// Strings and dynamic values fit whatever they hold (up to the limits).
func (c *converter) fits(f rawField, t data.Type) bool {
	if f.isEmpty() {
		return true
	}
	switch t {
	case data.String:
		if len(f.b) > MaxFieldBytes {
			return false
		}
		if f.kind == fJSONStr && f.esc {
			_, ok := c.s.text(f)
			return ok
		}
		return true
	case data.Dynamic:
		if len(f.b) > MaxFieldBytes {
			return false
		}
		b := f.b // braces count the same with CSV's doubled quotes left in
		if f.kind == fJSONStr && f.esc {
			var ok bool
			if b, ok = c.s.text(f); !ok {
				return false
			}
		}
		if t := trimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			return jsonDepth(t) <= MaxJSONDepth
		}
		return true
	}
	_, ok := c.convert(f, t)
	return ok
}

// jsonDepth returns the deepest nesting of JSON text (strings skipped).
func jsonDepth(b []byte) int {
	depth, most := 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
			most = max(most, depth)
		case '}', ']':
			depth--
		}
	}
	return most
}

// misfitReason says why a field did not fit its column.
func misfitReason(column string, f rawField, t data.Type) string {
	b := f.b
	switch {
	case len(b) > MaxFieldBytes:
		return column + ": the value is longer than " + strconv.Itoa(MaxFieldBytes) + " bytes (MaxFieldBytes); left empty"
	case f.kind == fJSONStr && f.esc && !validEscapes(b):
		return column + ": a broken escape in a JSON string " + quoteValue(b) + "; left empty"
	case t == data.Dynamic:
		return column + ": JSON nested deeper than " + strconv.Itoa(MaxJSONDepth) + " levels (MaxJSONDepth); kept as text"
	}
	return column + ": " + quoteValue(b) + " is not a " + t.String() + "; left empty"
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// parseLong reads a decimal integer (a real's text is truncated, as
// tolong() does) or a hexadecimal one written 0x....
func parseLong(b []byte) (int64, bool) {
	if len(b) > 0 && len(b) <= 18 {
		neg := b[0] == '-'
		i := 0
		if neg || b[0] == '+' {
			i = 1
		}
		if i < len(b) {
			var n int64
			j := i
			for ; j < len(b); j++ {
				c := b[j]
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int64(c-'0')
			}
			if j == len(b) {
				if neg {
					n = -n
				}
				return n, true
			}
		}
	}
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		u, err := strconv.ParseUint(string(b[2:]), 16, 64)
		if err != nil {
			return 0, false
		}
		return int64(u), true
	}
	return data.ParseLong(tmpString(b))
}

// parseDateTime reads a datetime, fast for the ISO 8601 forms exports
// write ("2023-12-21T19:04:59.0109752Z", "2023-02-24 15:33:14.223") and
// through data.ParseDateTime for everything else it reads.
func parseDateTime(b []byte) (int64, bool) {
	if t, ok := parseISOFast(b); ok {
		return t, true
	}
	if len(b) > 64 {
		return 0, false
	}
	return data.ParseDateTime(tmpString(b))
}

// tmpString views b as a string for a parser that does not keep it (the
// data.Parse* functions return numbers or new strings), to spare a copy
// per value.
func tmpString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseISOFast reads yyyy-MM-dd[Thh:mm[:ss[.f{1,}]]][Z] (T or a space) in
// UTC, and fails (leaving the text to the general parser) on anything
// else, zones with offsets included.
func parseISOFast(b []byte) (int64, bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || mo < 1 || mo > 12 || d < 1 || d > int64(data.DaysInMonth(int(y), int(mo))) {
		return 0, false
	}
	ticks := daysFromCivil(y, mo, d) * data.TicksPerDay
	rest := b[10:]
	if len(rest) == 0 {
		return ticks, true
	}
	if len(rest) < 6 || (rest[0] != 'T' && rest[0] != ' ' && rest[0] != 't') || rest[3] != ':' {
		return 0, false
	}
	h, ok1 := digits(rest[1:3])
	m, ok2 := digits(rest[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	ticks += h*data.TicksPerHour + m*data.TicksPerMinute
	rest = rest[6:]
	if len(rest) >= 3 && rest[0] == ':' {
		s, ok := digits(rest[1:3])
		if !ok || s > 59 {
			return 0, false
		}
		ticks += s * data.TicksPerSecond
		rest = rest[3:]
		if len(rest) >= 2 && rest[0] == '.' {
			i := 1
			var frac int64
			for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
				if i <= 7 {
					frac = frac*10 + int64(rest[i]-'0')
				}
			}
			if i == 1 {
				return 0, false
			}
			for k := i; k <= 7; k++ {
				frac *= 10
			}
			ticks += frac
			rest = rest[i:]
		}
	}
	if len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z') {
		rest = rest[1:]
	}
	if len(rest) != 0 || ticks > data.MaxDateTimeTicks {
		return 0, false
	}
	return ticks, true
}

func digits(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// daysFromCivil returns the days from 0001-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	// era*146097 + doe counts from 0000-03-01; 0001-01-01 is day 306.
	return era*146097 + doe - 306
}

func validEscapes(b []byte) bool {
	_, ok := appendJSONUnescaped(nil, b)
	return ok
}
