package data

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxJSONDepth bounds the nesting of arrays and objects ParseJSON accepts.
// Log fields are hostile input: without a bound, a field of a million '['
// would exhaust the stack.
const MaxJSONDepth = 100

// Errors ParseJSON reports.
var (
	ErrJSONSyntax = errors.New("invalid JSON")
	ErrJSONDepth  = errors.New("JSON nested too deeply")
)

// ParseJSON parses JSON text into a dynamic value, as parse_json() does:
// objects become bags (key order kept, a repeated key keeps its first
// position and its last value), arrays become arrays, integers that fit
// 32 bits become int and larger ones long (so that gettype() says "int"
// for parse_json('1') as Kusto documents), other numbers real, and null
// becomes null. Like Json.NET, which Kusto uses, it also accepts
// single-quoted strings. Invalid UTF-8 in the text is kept as it is.
// Surrounding white space is allowed; anything else after the value is
// an error.
func ParseJSON(s string) (Value, error) {
	p := jsonParser{s: s}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Null, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return Null, ErrJSONSyntax
	}
	return v, nil
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (Value, error) {
	if p.i >= len(p.s) {
		return Null, ErrJSONSyntax
	}
	switch c := p.s[p.i]; {
	case c == '{':
		if depth >= MaxJSONDepth {
			return Null, ErrJSONDepth
		}
		return p.object(depth + 1)
	case c == '[':
		if depth >= MaxJSONDepth {
			return Null, ErrJSONDepth
		}
		return p.array(depth + 1)
	case c == '"' || c == '\'':
		s, err := p.str()
		if err != nil {
			return Null, err
		}
		return NewString(s), nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		return p.literal()
	}
}

func (p *jsonParser) literal() (Value, error) {
	rest := p.s[p.i:]
	for _, lit := range [...]struct {
		text string
		v    Value
	}{{"true", NewBool(true)}, {"false", NewBool(false)}, {"null", Null},
		{"NaN", NewReal(math.NaN())}, {"Infinity", NewReal(math.Inf(1))}} {
		if len(rest) >= len(lit.text) && rest[:len(lit.text)] == lit.text {
			p.i += len(lit.text)
			return lit.v, nil
		}
	}
	return Null, ErrJSONSyntax
}

func (p *jsonParser) object(depth int) (Value, error) {
	p.i++ // {
	bag := NewBag(4)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return NewBagValue(bag), nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\'') {
			return Null, ErrJSONSyntax
		}
		key, err := p.str()
		if err != nil {
			return Null, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Null, ErrJSONSyntax
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return Null, err
		}
		bag.Set(key, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return Null, ErrJSONSyntax
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return NewBagValue(bag), nil
		default:
			return Null, ErrJSONSyntax
		}
	}
}

func (p *jsonParser) array(depth int) (Value, error) {
	p.i++ // [
	items := []Value{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return NewArray(items), nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return Null, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return Null, ErrJSONSyntax
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return NewArray(items), nil
		default:
			return Null, ErrJSONSyntax
		}
	}
}

// str reads a quoted string starting at p.i. Strings without escapes are
// returned as substrings of the input, without copying.
func (p *jsonParser) str() (string, error) {
	quote := p.s[p.i]
	p.i++
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == quote {
			out := p.s[start:p.i]
			p.i++
			return out, nil
		}
		if c == '\\' {
			return p.strSlow(start, quote)
		}
		if c < 0x20 {
			return "", ErrJSONSyntax
		}
		p.i++
	}
	return "", ErrJSONSyntax
}

func (p *jsonParser) strSlow(start int, quote byte) (string, error) {
	b := make([]byte, 0, p.i-start+16)
	b = append(b, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == quote:
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", ErrJSONSyntax
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			return "", ErrJSONSyntax
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/', '\'':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", ErrJSONSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if x, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, x); d != utf8.RuneError {
							r2 = d
						} else {
							p.i = save
						}
					} else {
						return "", ErrJSONSyntax
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", ErrJSONSyntax
		}
	}
	return "", ErrJSONSyntax
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
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
	p.i += 4
	return r, true
}

func (p *jsonParser) number() (Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
		if p.i < len(p.s) && p.s[p.i] == 'I' { // -Infinity
			if len(p.s)-p.i >= 8 && p.s[p.i:p.i+8] == "Infinity" {
				p.i += 8
				return NewReal(math.Inf(-1)), nil
			}
			return Null, ErrJSONSyntax
		}
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == digits {
		return Null, ErrJSONSyntax
	}
	isReal := false
	if p.i < len(p.s) && p.s[p.i] == '.' {
		isReal = true
		p.i++
		d := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return Null, ErrJSONSyntax
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		isReal = true
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		d := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return Null, ErrJSONSyntax
		}
	}
	text := p.s[start:p.i]
	if !isReal {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return Value{K: KInt, I: n}, nil
			}
			return NewLong(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return Null, ErrJSONSyntax
		}
	}
	return NewReal(f), nil
}
