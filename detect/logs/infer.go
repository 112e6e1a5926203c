package logs

import (
	"bytes"

	"offhunt/detect/data"
)

// Type inference for the columns that no known schema declares. A column
// takes the narrowest type that every value of the sample fits, and any
// doubt makes it a string: a string column loses nothing, while a typed
// column turns every later value that does not fit into null (counted and
// reported, but gone from the query). So numbers with leading zeros (ids),
// integers too large for a long, and a mix of kinds are strings.

// typeGuess narrows a column's possible types as values are seen.
type typeGuess struct {
	seen                                          bool
	isLong, isReal, isBool, isDate, isDyn, isText bool
	// JSON kinds seen.
	jsonNum, jsonInt, jsonReal, jsonBool, jsonStr, jsonCont bool
}

func newTypeGuess() *typeGuess {
	return &typeGuess{isLong: true, isReal: true, isBool: true, isDate: true, isDyn: true}
}

// addText narrows the guess with a value read as text (a CSV cell, a JSON
// string, an XML value).
func (g *typeGuess) addText(b []byte) {
	s := trimSpace(b)
	if len(s) == 0 {
		return
	}
	g.seen = true
	g.jsonStr = true
	if g.isLong && !plainInteger(s) {
		g.isLong = false
	}
	if g.isReal && !plainReal(s) {
		g.isReal = false
	}
	if g.isBool && !bytes.EqualFold(s, []byte("true")) && !bytes.EqualFold(s, []byte("false")) {
		g.isBool = false
	}
	if g.isDate {
		if _, ok := parseDateTime(s); !ok || !looksLikeDate(s) {
			g.isDate = false
		}
	}
	if g.isDyn && !isJSONContainer(s) {
		g.isDyn = false
	}
}

// addJSON narrows the guess with a JSON value.
func (g *typeGuess) addJSON(f rawField) {
	switch f.kind {
	case fAbsent, fJSONNull:
		return
	case fJSONStr:
		var sc scratch
		t, ok := sc.text(f)
		if !ok {
			g.seen, g.jsonStr = true, true
			g.isLong, g.isReal, g.isBool, g.isDyn, g.isDate = false, false, false, false, false
			return
		}
		// A JSON string is a string: only times are taken from it (JSON
		// has no type for them). Numbers in quotes stay text.
		s := trimSpace(t)
		if len(s) == 0 {
			return
		}
		g.seen, g.jsonStr = true, true
		g.isLong, g.isReal, g.isBool, g.isDyn = false, false, false, false
		if g.isDate {
			if _, ok := parseDateTime(s); !ok || !looksLikeDate(s) {
				g.isDate = false
			}
		}
	case fJSONNum:
		g.seen, g.jsonNum = true, true
		switch {
		case plainInteger(f.b):
			g.jsonInt = true
		case bytes.ContainsAny(f.b, ".eE"):
			g.jsonReal = true
		default:
			g.jsonStr = true // an integer too large for a long: keep its digits
		}
	case fJSONTrue, fJSONFalse:
		g.seen, g.jsonBool = true, true
	case fJSONObj, fJSONArr:
		g.seen, g.jsonCont = true, true
	default:
		g.addText(f.b)
	}
}

// result picks the type. A column with no values at all is a string.
func (g *typeGuess) result() data.Type {
	if !g.seen {
		return data.String
	}
	if g.jsonNum || g.jsonBool || g.jsonCont {
		// JSON values: their own kinds decide.
		switch {
		case g.jsonCont:
			return data.Dynamic
		case g.jsonStr:
			return data.String
		case g.jsonBool && g.jsonNum:
			return data.Dynamic
		case g.jsonBool:
			return data.Bool
		case g.jsonNum && !g.jsonReal:
			return data.Long
		case g.jsonNum:
			return data.Real
		}
	}
	switch {
	case g.isLong:
		return data.Long
	case g.isReal:
		return data.Real
	case g.isBool:
		return data.Bool
	case g.isDate:
		return data.DateTime
	case g.isDyn:
		return data.Dynamic
	}
	return data.String
}

// plainInteger reports whether s is a decimal integer that a long holds
// and that reads back the same: no leading zeros (ids such as "007"), at
// most 18 digits.
func plainInteger(s []byte) bool {
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i = 1
	}
	n := len(s) - i
	if n == 0 || n > 18 {
		return false
	}
	if s[i] == '0' && n > 1 {
		return false
	}
	for _, c := range s[i:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// plainReal reports whether s is a decimal number: digits, an optional
// fraction and exponent. Leading zeros other than "0." make it text.
func plainReal(s []byte) bool {
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i = 1
	}
	digits := 0
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if digits > 1 && s[start] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i == len(s) {
		// An integer: real only while a long would hold it too; more
		// digits are an id or a serial, kept as text.
		return digits <= 18
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

// looksLikeDate keeps bare numbers and words out of datetime columns:
// a date has a separator between its parts.
func looksLikeDate(s []byte) bool {
	return bytes.ContainsAny(s, "-/") || bytes.Count(s, []byte{' '}) >= 2
}

// isJSONContainer reports whether s is a JSON object or array.
func isJSONContainer(s []byte) bool {
	if len(s) < 2 || (s[0] != '{' && s[0] != '[') {
		return false
	}
	v, err := data.ParseJSON(string(s))
	return err == nil && (v.K == data.KBag || v.K == data.KArray)
}
