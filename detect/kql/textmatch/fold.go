package textmatch

import (
	"unicode"
	"unicode/utf8"
)

// lower maps every byte to its ASCII lower case; bytes other than 'A'..'Z'
// map to themselves, so non-ASCII bytes (and invalid UTF-8) compare exactly.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// alnum reports the term characters of the has family: ASCII [A-Za-z0-9].
var alnum = func() (t [256]bool) {
	for i := range t {
		t[i] = 'a' <= i && i <= 'z' || 'A' <= i && i <= 'Z' || '0' <= i && i <= '9'
	}
	return t
}()

// isLetter reports ASCII letters, whose two cases both match under folding.
func isLetter(b byte) bool { return lower[b] != b || 'a' <= b && b <= 'z' }

// toLowerASCII returns s with ASCII letters lowered; other bytes are kept.
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if lower[s[i]] != s[i] {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower[b[j]]
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII reports whether h equals the ASCII-lowered needle n under
// ASCII case folding. len(h) must equal len(n).
func equalFoldASCII(h, n string) bool {
	if len(h) != len(n) {
		return false
	}
	for i := 0; i < len(n); i++ {
		if lower[h[i]] != n[i] {
			return false
		}
	}
	return true
}

// foldAlts returns the UTF-8 encodings of the non-ASCII runes that match r
// under Unicode simple case folding (r itself first), or nil if r has no
// such partner. ASCII runes never match a non-ASCII rune and the reverse:
// the Kelvin sign U+212A and the long s U+017F fold to 'k' and 's' in
// Unicode, but are kept apart here, so that an ASCII needle stays a byte
// search and a look-alike letter is not silently equated with a plain one.
func foldAlts(r rune) []string {
	if r < utf8.RuneSelf {
		return nil
	}
	var alts []string
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			alts = append(alts, string(f))
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return append([]string{string(r)}, alts...)
}

// unit is one step of a Unicode-folding needle: one of alts must appear
// next in the haystack. UTF-8 encodings of distinct runes are never
// prefixes of one another, so at most one alternative can match.
type unit struct {
	alts []string
}

// compileUnits splits a needle into units for Unicode case-insensitive
// matching, and reports whether any unit has more than one alternative
// (if none has, ASCII folding is exact and the units are not needed).
func compileUnits(needle string) (units []unit, unicodeFold bool) {
	for i := 0; i < len(needle); {
		b := needle[i]
		if b < utf8.RuneSelf {
			if isLetter(b) {
				units = append(units, unit{alts: []string{string(lower[b]), string(b &^ 0x20)}})
			} else {
				units = append(units, unit{alts: []string{needle[i : i+1]}})
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(needle[i:])
		if r == utf8.RuneError && w == 1 {
			// An invalid byte matches only itself.
			units = append(units, unit{alts: []string{needle[i : i+1]}})
			i++
			continue
		}
		if alts := foldAlts(r); alts != nil {
			units = append(units, unit{alts: alts})
			unicodeFold = true
		} else {
			units = append(units, unit{alts: []string{needle[i : i+w]}})
		}
		i += w
	}
	return units, unicodeFold
}

// matchUnitsAt reports whether units match hay starting at s, and where
// the match ends.
func matchUnitsAt(units []unit, hay string, s int) (e int, ok bool) {
	p := s
next:
	for k := range units {
		for _, a := range units[k].alts {
			if len(hay)-p >= len(a) && hay[p:p+len(a)] == a {
				p += len(a)
				continue next
			}
		}
		return 0, false
	}
	return p, true
}

// matchUnitsBefore reports whether units match hay ending at e, and where
// the match starts.
func matchUnitsBefore(units []unit, hay string, e int) (s int, ok bool) {
	p := e
next:
	for k := len(units) - 1; k >= 0; k-- {
		for _, a := range units[k].alts {
			if p >= len(a) && hay[p-len(a):p] == a {
				p -= len(a)
				continue next
			}
		}
		return 0, false
	}
	return p, true
}

// IsASCII reports whether s holds only bytes below 0x80, eight at a time.
// Searches that fold ASCII letters only are exact on such text; readers and
// the engine use it to know when a case-insensitive test may rule a text out.
func IsASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if (s[i]|s[i+1]|s[i+2]|s[i+3]|s[i+4]|s[i+5]|s[i+6]|s[i+7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// IsASCIIBytes is IsASCII over a byte slice.
func IsASCIIBytes(b []byte) bool { return IsASCII(bytesView(b)) }
