package textmatch

import "math"

// FoldSet finds whether a text contains any of many ASCII needles,
// ignoring ASCII case, in one pass over the text. It is the prefilter's
// search: readers test a field against every literal a rule pack needs in
// that column (copy, sync, config, mega, rclone, ...), and running one
// Matcher per needle would read the field dozens of times. Substring
// search over a set is what Aho-Corasick automata do, but for the short
// fields of a log (a command line is a few hundred bytes) a table of the
// needles' first two bytes is faster: a position is looked at further only
// when its byte pair starts some needle, which is rare in real text.
//
// Only ASCII letters fold, as in the rest of this package; a needle with a
// byte outside ASCII is refused by NewFoldSet (control characters such as
// the line breaks of a regular expression's literals are fine). It is immutable
// and safe for concurrent use, and Match does not allocate.
//
// A set made by NewMixedFoldSet finds its term needles only as the has
// operator does: a needle that starts (ends) with a term character must
// not be preceded (followed) by one. A rule pack's has_any of rclone's commands holds "copy", "move" and "ls", which
// as bare substrings are in robocopy, removefile and tools: tested as
// terms, 25% of the bench export's rows pass the prefilter instead of 38%.
type FoldSet struct {
	needles []string      // lowered
	edges   []uint8       // per needle, the boundaries it needs (nil: none does)
	single  [256]bool     // one-byte needles, both cases
	single1 [256]uint8    // the boundaries a one-byte needle needs
	singles bool          // some needle is one byte long
	pairs   [1024]uint64  // bitmap of the needles' first two bytes, in every case
	buckets [256][]uint16 // needles (two bytes or more) by a hash of their lowered pair
}

// The boundaries a term set's needle needs (FoldSet.edges).
const (
	edgeLeft  uint8 = 1 << iota // no term character before the match
	edgeRight                   // no term character after the match
)

// NewFoldSet compiles needles; ok is false when there are none, one is
// empty or longer than 65,535 bytes, or one has a byte outside ASCII.
func NewFoldSet(needles []string) (s *FoldSet, ok bool) {
	return NewMixedFoldSet(needles, nil)
}

// NewMixedFoldSet is NewFoldSet where needle i matches as a has term when
// terms[i] is set (terms may be nil: none do), so that the substrings and
// the terms a reader looks for in one field take one pass over it: with
// every terms[i] set, Match(hay) is true exactly when hay has one of the
// needles (case-insensitively). A needle given both ways matches as a
// substring, the weaker.
func NewMixedFoldSet(needles []string, terms []bool) (s *FoldSet, ok bool) {
	if len(needles) == 0 || len(needles) > math.MaxUint16 || terms != nil && len(terms) != len(needles) {
		return nil, false
	}
	s = &FoldSet{}
	seen := make(map[string]int, len(needles)) // needle -> its index in s.needles, -1 for one byte
	for k, n := range needles {
		if n == "" || len(n) > math.MaxUint16 {
			return nil, false
		}
		for i := 0; i < len(n); i++ {
			if n[i] >= 0x80 {
				return nil, false
			}
		}
		n = toLowerASCII(n)
		var edges uint8
		if left, right := hasBoundaries(famHas, n); terms != nil && terms[k] {
			if left {
				edges |= edgeLeft
			}
			if right {
				edges |= edgeRight
			}
		}
		if at, dup := seen[n]; dup {
			if at < 0 {
				for _, c := range cases(n[0]) {
					s.single1[c] &= edges
				}
			} else {
				s.edges[at] &= edges
			}
			continue
		}
		if len(n) == 1 {
			seen[n] = -1
			s.singles = true
			for _, c := range cases(n[0]) {
				s.single[c] = true
				s.single1[c] = edges
			}
			continue
		}
		seen[n] = len(s.needles)
		for _, c0 := range cases(n[0]) {
			for _, c1 := range cases(n[1]) {
				p := pairOf(c0, c1)
				s.pairs[p>>6] |= 1 << (p & 63)
			}
		}
		b := bucketOf(pairOf(n[0], n[1]))
		s.buckets[b] = append(s.buckets[b], uint16(len(s.needles)))
		s.needles = append(s.needles, n)
		s.edges = append(s.edges, edges)
	}
	if terms == nil {
		s.edges = nil // no needle needs a boundary: Match skips the test
	}
	return s, true
}

// bounded reports whether hay[i:e] has the boundaries edges asks for.
func bounded(hay string, i, e int, edges uint8) bool {
	return (edges&edgeLeft == 0 || i == 0 || !alnum[hay[i-1]]) &&
		(edges&edgeRight == 0 || e == len(hay) || !alnum[hay[e]])
}

func pairOf(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

func bucketOf(p uint16) uint8 { return uint8(p>>8) ^ uint8(p)*31 }

// cases returns a lowered byte in both its cases (one, for a non-letter).
func cases(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	return []byte{c}
}

// Match reports whether hay contains one of the needles. It looks at each
// position's two bytes as they are, in a table that holds every case of
// the needles' first two, and folds only at the rare positions where some
// needle may start: the needles of a rule pack start with half the
// alphabet, so a test of the first byte alone passed most positions
// (BenchmarkFoldSet: 1.48 -> 1.87 GB/s natively, 565 -> 600 MB/s in
// WebAssembly).
func (s *FoldSet) Match(hay string) bool {
	n := len(hay)
	if s.singles {
		for i := 0; i < n; i++ {
			if c := hay[i]; s.single[c] && (s.single1[c] == 0 || bounded(hay, i, i+1, s.single1[c])) {
				return true
			}
		}
	}
	for i := 0; i+1 < n; i++ {
		p := pairOf(hay[i], hay[i+1])
		if s.pairs[p>>6]&(1<<(p&63)) == 0 {
			continue
		}
		for _, k := range s.buckets[bucketOf(pairOf(lower[hay[i]], lower[hay[i+1]]))] {
			nd := s.needles[k]
			if len(nd) <= n-i && equalFoldASCII(hay[i:i+len(nd)], nd) &&
				(s.edges == nil || bounded(hay, i, i+len(nd), s.edges[k])) {
				return true
			}
		}
	}
	return false
}

// MatchBytes is Match over a byte slice. hay is only read during the call.
func (s *FoldSet) MatchBytes(hay []byte) bool { return s.Match(bytesView(hay)) }

// LogRarity estimates the natural log of how many of the needles are
// expected to start at a given place of a command line, ignoring case: a
// lower value means a set that rules out more texts. Query planners use it
// to pick the most selective of several prefilters.
func LogRarity(needles []string) float64 {
	sum := 0.0
	for _, n := range needles {
		sum += math.Exp(logChance(toLowerASCII(n), true))
	}
	if sum == 0 {
		return math.Inf(-1)
	}
	return math.Log(sum)
}
