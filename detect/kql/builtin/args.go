package builtin

import (
	"math"
	"regexp"

	"offhunt/detect/data"
)

// This file reads evaluated arguments. The binder has already checked
// static types, so a wrong kind here can only come from a dynamic value
// (or a value of unknown type); every reader reports ok == false for it
// and the function gives null, never a panic.

// argString returns the text of a string argument. Non-string values
// (only possible from dynamic arguments) are converted as tostring()
// does, and null is "", since a Kusto string is never null.
func argString(v data.Value) string {
	if v.K == data.KString {
		return v.S
	}
	return data.ToString(v)
}

// argLong reads an integer argument: ints and longs as they are, reals
// truncated, and the text of a number from a dynamic string.
func argLong(v data.Value) (int64, bool) {
	switch v.K {
	case data.KInt, data.KLong:
		return v.I, true
	case data.KReal, data.KDecimal:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) || math.Abs(v.F) >= 9.2e18 {
			return 0, false
		}
		return int64(v.F), true
	case data.KString:
		return data.ParseLong(v.S)
	}
	return 0, false
}

// argReal reads a real argument: numbers, and the text of a number from
// a dynamic string.
func argReal(v data.Value) (float64, bool) {
	switch v.K {
	case data.KInt, data.KLong:
		return float64(v.I), true
	case data.KReal, data.KDecimal:
		return v.F, true
	case data.KString:
		return data.ParseReal(v.S)
	}
	return 0, false
}

// argDateTime reads a datetime argument, or the text of one from a
// dynamic string (JSON has no datetime type, so dynamic datetimes are text).
func argDateTime(v data.Value) (int64, bool) {
	switch v.K {
	case data.KDateTime:
		return v.I, true
	case data.KString:
		return data.ParseDateTime(v.S)
	}
	return 0, false
}

// argTimeSpan reads a timespan argument, or the text of one from a
// dynamic string.
func argTimeSpan(v data.Value) (int64, bool) {
	switch v.K {
	case data.KTimeSpan:
		return v.I, true
	case data.KString:
		return data.ParseTimeSpan(v.S)
	}
	return 0, false
}

// argBool reads a bool argument.
func argBool(v data.Value) (bool, bool) {
	switch v.K {
	case data.KBool:
		return v.I != 0, true
	case data.KString, data.KInt, data.KLong:
		return data.ToBool(v)
	}
	return false, false
}

// Results that are built often.
var (
	nullValue  = data.Null
	trueValue  = data.NewBool(true)
	falseValue = data.NewBool(false)
)

func boolValue(b bool) data.Value {
	if b {
		return trueValue
	}
	return falseValue
}

// MaxRegexLength bounds a regular expression's text. Patterns are almost
// always constants of the query; one built from hostile row data must not
// cost unbounded compile time or memory.
const MaxRegexLength = 32 << 10

// maxCachedRegexes bounds the per-call-site cache; a call site whose
// pattern changes per row (rare: Kusto requires constants for most regex
// arguments) drops the cache when it is full rather than grow it.
const maxCachedRegexes = 64

// regexCache is what a regex-using builtin keeps in CallContext.State:
// compiled patterns by their text. A pattern that does not compile is
// cached as nil so that it is not compiled again for every row.
type regexCache struct {
	last    string
	lastRe  *regexp.Regexp
	lastErr bool
	m       map[string]*regexp.Regexp
}

// regex returns the compiled pattern, from the call site's cache when it
// was seen before. ok is false when the pattern is too long or invalid;
// the function then gives null (an empty string for string results).
//
// A CallContext belongs to one call site and is not shared between
// goroutines, so the cache needs no lock.
func (c *CallContext) regex(pattern string) (*regexp.Regexp, bool) {
	rc, _ := c.State.(*regexCache)
	if rc == nil {
		rc = &regexCache{}
		c.State = rc
	} else if rc.lastRe != nil || rc.lastErr {
		if rc.last == pattern {
			return rc.lastRe, !rc.lastErr
		}
	}
	if re, seen := rc.m[pattern]; seen {
		rc.last, rc.lastRe, rc.lastErr = pattern, re, re == nil
		return re, re != nil
	}
	var re *regexp.Regexp
	if len(pattern) <= MaxRegexLength {
		re, _ = compileKustoRegex(pattern)
	}
	if rc.m == nil || len(rc.m) >= maxCachedRegexes {
		rc.m = make(map[string]*regexp.Regexp)
	}
	rc.m[pattern] = re
	rc.last, rc.lastRe, rc.lastErr = pattern, re, re == nil
	return re, re != nil
}

// compileKustoRegex compiles a Kusto regular expression. Kusto documents
// RE2 syntax (and now the Rust regex crate's, which is the same for
// everything but a few classes); Go's regexp is RE2, so patterns compile
// as they are.
func compileKustoRegex(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(pattern)
}

// ctx returns c, or a fresh context when a caller (a test, a constant
// folder) passed nil.
func ctx(c *CallContext) *CallContext {
	if c == nil {
		return &CallContext{}
	}
	return c
}

// searchRangeArgs reads the optional start, length and occurrence of
// indexof() and array_index_of() (arguments 3 to 5): start 0, length -1
// (to the end) and occurrence 1 when absent; ok is false when one is not a
// number, length is below -1 or occurrence below 1.
func searchRangeArgs(a []data.Value) (start, length, occ int64, ok bool) {
	start, length, occ = 0, -1, 1
	if len(a) > 2 {
		if start, ok = argLong(a[2]); !ok {
			return
		}
	}
	if len(a) > 3 {
		if length, ok = argLong(a[3]); !ok || length < -1 {
			return 0, 0, 0, false
		}
	}
	if len(a) > 4 {
		if occ, ok = argLong(a[4]); !ok || occ < 1 {
			return 0, 0, 0, false
		}
	}
	return start, length, occ, true
}
