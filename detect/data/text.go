package data

import "strings"

// FromText converts a field read from a text export to a value of type t:
// an empty field is null (the empty string for string columns), and text
// that does not fit the type is null too. Readers, datatable cells and
// parse captures all convert through here, so that they agree.
func FromText(s string, t Type) Value {
	if t == String {
		return NewString(s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Null
	}
	switch t {
	case Bool:
		switch strings.ToLower(s) {
		case "true", "1":
			return NewBool(true)
		case "false", "0":
			return NewBool(false)
		}
	case Int:
		if n, ok := ParseLong(s); ok {
			return NewInt(n)
		}
	case Long:
		if n, ok := ParseLong(s); ok {
			return NewLong(n)
		}
	case Real:
		if f, ok := ParseReal(s); ok {
			return NewReal(f)
		}
	case Decimal:
		if f, ok := ParseReal(s); ok {
			return NewDecimal(f)
		}
	case DateTime:
		if ticks, ok := ParseDateTime(s); ok {
			return NewDateTime(ticks)
		}
	case TimeSpan:
		if ticks, ok := ParseTimeSpan(s); ok {
			return NewTimeSpan(ticks)
		}
	case Guid:
		if g, ok := ParseGuid(s); ok {
			return NewGuid(g)
		}
	case Dynamic, Unknown:
		if v, err := ParseJSON(s); err == nil {
			return v
		}
		return NewString(s)
	}
	return Null
}
