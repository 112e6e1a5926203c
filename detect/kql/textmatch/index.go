package textmatch

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// foldIndex finds the =~ needles equal to a haystack with one hash lookup:
// needles and haystacks are hashed in case-folded form (foldHash), and a
// hash hit is confirmed with the needle's Matcher.
type foldIndex struct {
	ms   []*Matcher
	head map[uint64]int32 // hash → first ms index with that hash
	next []int32          // ms index → next one with the same hash, or -1
}

func newFoldIndex(ms []*Matcher) *foldIndex {
	x := &foldIndex{ms: ms, head: make(map[uint64]int32, len(ms)), next: make([]int32, len(ms))}
	for k := len(ms) - 1; k >= 0; k-- {
		h := foldHash(ms[k].needle)
		x.next[k] = -1
		if j, ok := x.head[h]; ok {
			x.next[k] = j
		}
		x.head[h] = int32(k)
	}
	return x
}

// lookup returns the index of the first needle equal to hay, or -1.
func (x *foldIndex) lookup(hay string) int {
	k, ok := x.head[foldHash(hay)]
	if !ok {
		return -1
	}
	for ; k >= 0; k = x.next[k] {
		if x.ms[k].Match(hay) {
			return int(k)
		}
	}
	return -1
}

// findAll appends a span for every needle equal to hay (several distinct
// needles can be, as "abc" and "ABC" are).
func (x *foldIndex) findAll(hay string, a *AnyMatcher, dst []Span) []Span {
	k, ok := x.head[foldHash(hay)]
	if !ok {
		return dst
	}
	for ; k >= 0; k = x.next[k] {
		if x.ms[k].Match(hay) {
			dst = append(dst, Span{a.idx[k], 0, len(hay)})
		}
	}
	return dst
}

// foldHash hashes s so that strings equal under this package's case
// folding hash equally: ASCII letters lowered, non-ASCII letters replaced
// by the least member of their folding class (see foldAlts), invalid UTF-8
// bytes hashed as themselves, marked apart from runes. FNV-1a, 64 bits.
func foldHash(s string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			h = (h ^ uint64(lower[b])) * prime
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			h = (h ^ (uint64(b) | 1<<32)) * prime
		} else {
			h = (h ^ uint64(canonicalFold(r))) * prime
		}
		i += w
	}
	return h
}

// canonicalFold returns the least non-ASCII rune that folds with r (r
// itself if none), for non-ASCII r.
func canonicalFold(r rune) rune {
	c := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf && f < c {
			c = f
		}
	}
	return c
}

// termIndex answers has_any over many needles in one pass: it walks the
// haystack's terms and looks each up in a table of the needles' first
// terms. A has needle's first term always matches a whole term of the
// haystack (it is bounded by the needle's own separators or by the term
// boundary rule), so a needle can only match where its first term is a
// haystack term; the rest of the needle is then compared in place.
type termIndex struct {
	fold bool
	// first[min(len, 63)] has bit b&63 set for the lowered first byte b
	// of every first term of that length, to skip most haystack terms
	// without hashing them.
	first [64]uint64
	last  [64]uint64 // the same for last bytes
	slots []termSlot // open addressing, linear probing, power of 2
	cands []int32    // ms indexes, grouped by slot
	ms    []*Matcher
	lead  []int // ms index → bytes before the needle's first term
}

type termSlot struct {
	term   string // the first term (ASCII-lowered when folding); "" = empty slot
	hash   uint64
	lo, hi int32 // cands[lo:hi]
}

// newTermIndex indexes the has needles of ms by first term, and returns
// the ms indexes it could not index: needles without term characters, and
// needles folded with Unicode rules, whose first term may not sit at a
// fixed offset in the haystack.
func newTermIndex(ms []*Matcher, cs bool) (*termIndex, []int) {
	x := &termIndex{fold: !cs, ms: ms, lead: make([]int, len(ms))}
	groups := map[string][]int32{}
	var order []string
	var rest []int
	for k, m := range ms {
		n := m.needle
		i := 0
		for i < len(n) && !alnum[n[i]] {
			i++
		}
		j := i
		for j < len(n) && alnum[n[j]] {
			j++
		}
		if i == len(n) || m.f.mode == foldUnicode {
			rest = append(rest, k)
			continue
		}
		x.lead[k] = i
		t := n[i:j]
		if x.fold {
			t = toLowerASCII(t)
		}
		if groups[t] == nil {
			order = append(order, t)
		}
		groups[t] = append(groups[t], int32(k))
		x.first[min(len(t), 63)] |= 1 << (lower[t[0]] & 63)
		x.last[min(len(t), 63)] |= 1 << (lower[t[len(t)-1]] & 63)
	}
	size := 1 << bits.Len(uint(2*len(order)))
	x.slots = make([]termSlot, size)
	for _, t := range order {
		h := x.hash(t)
		p := h & uint64(size-1)
		for x.slots[p].term != "" {
			p = (p + 1) & uint64(size-1)
		}
		lo := int32(len(x.cands))
		x.cands = append(x.cands, groups[t]...)
		x.slots[p] = termSlot{term: t, hash: h, lo: lo, hi: int32(len(x.cands))}
	}
	return x, rest
}

// mix is the per-byte step of the term hash.
func mix(h uint64, b byte) uint64 { return bits.RotateLeft64(h, 7) ^ uint64(b) }

func finish(h uint64) uint64 { return (h ^ h>>29) * 0x9E3779B97F4A7C15 }

// hash is the term hash of an index key (already folded when folding).
func (x *termIndex) hash(t string) uint64 {
	var h uint64
	for i := 0; i < len(t); i++ {
		h = mix(h, t[i])
	}
	return finish(h)
}

// walk scans hay's terms. With a == nil it reports whether some needle
// matches, stopping at the first. Otherwise it appends to *dst a span for
// the first occurrence of every needle that matches and is not in
// (*dst)[n0:] yet, and reports whether it appended any.
func (x *termIndex) walk(hay string, a *AnyMatcher, dst *[]Span, n0 int) bool {
	found := false
	ts := -1        // the start of the term being read, or -1 between terms
	var prev uint64 // t of the previous word
	for base := 0; base < len(hay); base += 8 {
		var w uint64
		if base+8 <= len(hay) {
			w = load64(hay, base)
		} else {
			for k := len(hay) - 1; k >= base; k-- { // zero bytes pad: separators
				w = w<<8 | uint64(hay[k])
			}
		}
		// t has the high bit of each byte of w that is a term byte (ASCII
		// letter or digit), tested for the eight bytes at once: with x7 the
		// low seven bits, 0x30 <= x7 <= 0x39 or 0x61 <= x7|0x20 <= 0x7A, and
		// the high bit clear. (By hand: a function would not be inlined.)
		x7 := w &^ hi
		l7 := x7 | 0x20*lsb
		t := ((x7+0x50*lsb)&^(x7+0x46*lsb) | (l7+0x1F*lsb)&^(l7+0x05*lsb)) &^ w & hi
		// A byte whose class differs from the byte before it starts a
		// term (if it is a term byte) or ends one; they alternate.
		for ev := t ^ (t<<8 | prev>>56); ev != 0; ev &= ev - 1 {
			pos := base + bits.TrailingZeros64(ev)>>3
			if ts < 0 {
				ts = pos
				continue
			}
			if x.maybe(hay, ts, pos) && x.probe(hay, ts, pos, a, dst, n0) {
				if a == nil {
					return true
				}
				found = true
			}
			ts = -1
		}
		prev = t
	}
	if ts >= 0 && x.maybe(hay, ts, len(hay)) && x.probe(hay, ts, len(hay), a, dst, n0) {
		found = true
	}
	return found
}

const hi = 0x8080808080808080

// maybe reports whether hay[ts:te] might be a first term: whether some
// first term has its length, first byte and last byte.
func (x *termIndex) maybe(hay string, ts, te int) bool {
	n := min(te-ts, 63)
	return x.first[n]&(1<<(lower[hay[ts]]&63)) != 0 && x.last[n]&(1<<(lower[hay[te-1]]&63)) != 0
}

// probe looks the term hay[ts:te] up and tries the needles whose first
// term it is, as walk describes.
func (x *termIndex) probe(hay string, ts, te int, a *AnyMatcher, dst *[]Span, n0 int) bool {
	cls := &termByteExact
	if x.fold {
		cls = &termByteFold
	}
	var h uint64
	for i := ts; i < te; i++ {
		h = mix(h, cls[hay[i]])
	}
	h = finish(h)
	found := false
	mask := uint64(len(x.slots) - 1)
	for p := h & mask; x.slots[p].term != ""; p = (p + 1) & mask {
		sl := &x.slots[p]
		if sl.hash != h || len(sl.term) != te-ts || !x.termEqual(hay[ts:te], sl.term) {
			continue
		}
		for _, k := range x.cands[sl.lo:sl.hi] {
			m := x.ms[k]
			s := ts - x.lead[k]
			if s < 0 {
				continue
			}
			e, ok := m.f.at(hay, s)
			if !ok || !m.bounded(hay, s, e) {
				continue
			}
			if a == nil {
				return true
			}
			if !hasNeedle((*dst)[n0:], a.idx[k]) {
				*dst = append(*dst, Span{a.idx[k], s, e})
				found = true
			}
		}
		break
	}
	return found
}

// termByteExact and termByteFold map each term byte (ASCII letter or
// digit) to itself, or to its lower case, and every separator to 0, so
// that the term walk classifies and folds a byte with one load.
var termByteExact, termByteFold = func() (exact, fold [256]byte) {
	for i := range exact {
		if alnum[i] {
			exact[i], fold[i] = byte(i), lower[i]
		}
	}
	return exact, fold
}()

func (x *termIndex) termEqual(h, t string) bool {
	if x.fold {
		return equalFoldASCII(h, t)
	}
	return h == t
}

func hasNeedle(spans []Span, needle int) bool {
	for _, s := range spans {
		if s.Needle == needle {
			return true
		}
	}
	return false
}
