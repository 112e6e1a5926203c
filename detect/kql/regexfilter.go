package kql

import (
	"regexp/syntax"
	"slices"

	"offhunt/detect/kql/textmatch"
)

// A regexFilter is a cheap test that rules a text out before a regular
// expression runs on it: the literals at least one of which every match
// must contain, found with textmatch's case-insensitive search. Go's
// regexp finds no literal prefix in a (?i) pattern or one that begins
// with an alternation, so without this test it tries every position of
// every row; rules use such patterns in their first where.
//
// The search folds ASCII letters only, while (?i) also matches a few
// non-ASCII letters to ASCII ones (U+212A KELVIN SIGN to k, U+017F to s):
// so the test only rules out texts that are pure ASCII, and a text with
// any other byte goes to the regex. Then the test never changes a result.
type regexFilter struct {
	set *textmatch.FoldSet    // the literals, when all are printable ASCII
	any *textmatch.AnyMatcher // otherwise
}

// maxRegexLiterals bounds the literals of one regexFilter.
const maxRegexLiterals = 64

// newRegexFilter derives the filter of a pattern, or returns nil when no
// literal is required.
func newRegexFilter(pattern string) *regexFilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, ok := requiredRegexLiterals(re.Simplify())
	if !ok || len(lits) == 0 || len(lits) > maxRegexLiterals {
		return nil
	}
	if set, ok := textmatch.NewFoldSet(lits); ok {
		return &regexFilter{set: set}
	}
	return &regexFilter{any: textmatch.NewAny(textmatch.Contains, lits)}
}

// literalsIn reports whether s contains one of the filter's literals.
func (f *regexFilter) literalsIn(s string) bool {
	if f.set != nil {
		return f.set.Match(s)
	}
	return f.any.Match(s)
}

// rulesOut reports whether no match of the pattern can be in s.
func (f *regexFilter) rulesOut(s string) bool {
	return f != nil && !f.literalsIn(s) && textmatch.IsASCII(s)
}

// requiredRegexLiterals returns strings at least one of which every match
// of re contains; ok is false when nothing can be said. The parser factors
// alternations (drive|dropbox becomes d(?:rive|ropbox)), so runs of a
// concatenation whose strings are known exactly are multiplied out again.
func requiredRegexLiterals(re *syntax.Regexp) ([]string, bool) {
	if set, ok := exactStrings(re); ok && !slices.Contains(set, "") {
		return set, true
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return requiredRegexLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return requiredRegexLiterals(re.Sub[0])
	case syntax.OpConcat:
		var best []string
		consider := func(l []string) {
			if len(l) > 0 && !slices.Contains(l, "") && (best == nil || betterLiterals(l, best)) {
				best = l
			}
		}
		run := []string{""}
		for _, sub := range re.Sub {
			if set, ok := exactStrings(sub); ok {
				if run = product(run, set); run != nil {
					continue
				}
			}
			consider(run)
			run = []string{""}
			if l, ok := requiredRegexLiterals(sub); ok {
				consider(l)
			}
		}
		consider(run)
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l, ok := requiredRegexLiterals(sub)
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		return all, len(all) <= maxRegexLiterals
	}
	return nil, false
}

// exactStrings returns every string re matches, lowered, when they are few.
func exactStrings(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		return []string{lowerASCII(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 8 {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if l := lowerASCII(string(r)); !slices.Contains(out, l) {
					out = append(out, l)
				}
			}
		}
		return out, len(out) > 0 && len(out) <= 8
	case syntax.OpCapture:
		return exactStrings(re.Sub[0])
	case syntax.OpQuest:
		set, ok := exactStrings(re.Sub[0])
		return append(set, ""), ok
	case syntax.OpConcat:
		run := []string{""}
		for _, sub := range re.Sub {
			set, ok := exactStrings(sub)
			if !ok {
				return nil, false
			}
			if run = product(run, set); run == nil {
				return nil, false
			}
		}
		return run, true
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			set, ok := exactStrings(sub)
			if !ok {
				return nil, false
			}
			all = append(all, set...)
		}
		return all, len(all) <= maxRegexLiterals
	}
	return nil, false
}

// product concatenates every string of a with every string of b, or
// returns nil when that would give more than maxRegexLiterals strings.
func product(a, b []string) []string {
	if len(a)*len(b) > maxRegexLiterals {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if s := x + y; !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
