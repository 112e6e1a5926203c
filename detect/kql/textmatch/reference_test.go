package textmatch

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// This file is a slow reference implementation, written straight from the
// rule text (semantics.md §3, and the decisions in doc.go) with no regard
// for speed, so that the tests and fuzzers can compare the fast code
// against it. It deliberately shares no code with the package.

type refTok struct {
	v   rune
	raw bool // an invalid UTF-8 byte
}

// refKey splits s into comparison tokens, folded when fold is set: ASCII
// letters to lower case, non-ASCII runes to the least non-ASCII rune of
// their simple-folding orbit.
func refKey(s string, fold bool) []refTok {
	var out []refTok
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			c := rune(b)
			if fold && 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, refTok{v: c})
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			out = append(out, refTok{v: rune(b), raw: true})
			i++
			continue
		}
		c := r
		if fold {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if f >= 0x80 && f < c {
					c = f
				}
			}
		}
		out = append(out, refTok{v: c})
		i += w
	}
	return out
}

func refEq(a, b string, fold bool) bool {
	return slices.Equal(refKey(a, fold), refKey(b, fold))
}

func refAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

type refSpan struct{ s, e int }

// refOccurrences lists every [s, e) of hay equal to needle, by s.
func refOccurrences(hay, needle string, fold bool) []refSpan {
	var out []refSpan
	for s := 0; s <= len(hay); s++ {
		for e := s; e <= len(hay) && e-s <= 2*len(needle); e++ {
			if refEq(hay[s:e], needle, fold) {
				out = append(out, refSpan{s, e})
				break
			}
		}
	}
	return out
}

// refTerms lists hay's terms: maximal runs of ASCII letters and digits.
func refTerms(s string) []refSpan {
	var out []refSpan
	for i := 0; i < len(s); {
		if !refAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && refAlnum(s[j]) {
			j++
		}
		out = append(out, refSpan{i, j})
		i = j
	}
	return out
}

// refFind is the reference for Matcher.Find.
func refFind(op Op, hay, needle string) (int, int, bool) {
	fold := !op.CaseSensitive()
	occ := refOccurrences(hay, needle, fold)
	first := func(keep func(refSpan) bool) (int, int, bool) {
		for _, o := range occ {
			if keep(o) {
				return o.s, o.e, true
			}
		}
		return 0, 0, false
	}
	switch op {
	case Equal, EqualCI:
		return 0, len(hay), refEq(hay, needle, fold)
	case Contains, ContainsCS:
		return first(func(refSpan) bool { return true })
	case StartsWith, StartsWithCS:
		return first(func(o refSpan) bool { return o.s == 0 })
	case EndsWith, EndsWithCS:
		return first(func(o refSpan) bool { return o.e == len(hay) })
	}
	prefix := op == HasPrefix || op == HasPrefixCS
	suffix := op == HasSuffix || op == HasSuffixCS
	needleTerms := refTerms(needle)
	switch {
	case needle == "" || len(needleTerms) == 0:
		// No term characters: a plain substring.
		return first(func(refSpan) bool { return true })
	case len(needleTerms) == 1 && needleTerms[0] == refSpan{0, len(needle)}:
		// One term: compare with hay's terms.
		n := len(needle)
		for _, t := range refTerms(hay) {
			term := hay[t.s:t.e]
			switch {
			case prefix:
				if len(term) >= n && refEq(term[:n], needle, fold) {
					return t.s, t.s + n, true
				}
			case suffix:
				if len(term) >= n && refEq(term[len(term)-n:], needle, fold) {
					return t.e - n, t.e, true
				}
			default:
				if refEq(term, needle, fold) {
					return t.s, t.e, true
				}
			}
		}
		return 0, 0, false
	}
	// A phrase: the first term character of the match is not preceded by
	// a term character, the last is not followed by one.
	return first(func(o refSpan) bool {
		fa, la := -1, -1
		for i := o.s; i < o.e; i++ {
			if refAlnum(hay[i]) {
				if fa < 0 {
					fa = i
				}
				la = i
			}
		}
		okL := fa == 0 || !refAlnum(hay[fa-1])
		okR := la == len(hay)-1 || !refAlnum(hay[la+1])
		switch {
		case prefix:
			return okL
		case suffix:
			return okR
		}
		return okL && okR
	})
}
