package textmatch

import (
	"math/bits"
	"strings"
)

// foldMode says how a needle's bytes compare with the haystack's.
type foldMode uint8

const (
	// foldNone compares bytes exactly (the _cs operators, ==).
	foldNone foldMode = iota
	// foldASCII folds ASCII letters; every other byte compares exactly.
	foldASCII
	// foldUnicode also folds non-ASCII letters (Unicode simple folding,
	// see foldAlts); used only when the needle has such a letter.
	foldUnicode
)

// finder locates one needle in haystacks. It is built once per needle and
// never modified, so one finder may serve many goroutines.
type finder struct {
	// n is the needle as given (foldNone, foldUnicode) or with ASCII
	// letters lowered (foldASCII).
	n    string
	mode foldMode
	// off is the needle offset of the byte a search scans for; a1 and a2
	// are that byte's values in the haystack (equal unless it is a letter
	// and the search folds case).
	off    int
	a1, a2 byte
	// off2 is the offset of the second byte indexPair tests (pairOK says
	// whether there is one: the needle has two bytes). pc1 and pc2 are the
	// bytes at off and off2 as compared after OR-ing pm1 and pm2 into the
	// haystack byte: 0x20 for a letter under folding (b|0x20 is a given
	// lower-case letter only for that letter's two cases), else 0.
	off2     int
	pairOK   bool
	pc1, pc2 byte
	pm1, pm2 byte
	// units and leads are for foldUnicode: the needle as alternatives,
	// and the distinct first bytes of the first unit's alternatives.
	units []unit
	leads []byte
}

func newFinder(needle string, fold bool) finder {
	if !fold {
		off := pickAnchor(needle, false)
		f := finder{n: needle, mode: foldNone, off: off}
		if needle != "" {
			f.a1, f.a2 = needle[off], needle[off]
		}
		f.setPair(false)
		return f
	}
	if units, uni := compileUnits(needle); uni {
		f := finder{n: needle, mode: foldUnicode, units: units}
		for _, a := range units[0].alts {
			if strings.IndexByte(string(f.leads), a[0]) < 0 {
				f.leads = append(f.leads, a[0])
			}
		}
		return f
	}
	n := toLowerASCII(needle)
	off := pickAnchor(n, true)
	f := finder{n: n, mode: foldASCII, off: off}
	if n != "" {
		f.a1, f.a2 = n[off], n[off]
		if isLetter(f.a1) {
			f.a2 = f.a1 - ('a' - 'A')
		}
	}
	f.setPair(true)
	return f
}

// setPair chooses the second byte for indexPair: the rarest at another
// offset.
func (f *finder) setPair(fold bool) {
	if len(f.n) < 2 {
		return
	}
	best, bestCost := -1, int(^uint(0)>>1)
	for i := 0; i < len(f.n); i++ {
		if c := anchorCost(f.n[i], fold); i != f.off && c <= bestCost {
			best, bestCost = i, c
		}
	}
	f.off2, f.pairOK = best, true
	f.pc1, f.pm1 = pairByte(f.n[f.off], fold)
	f.pc2, f.pm2 = pairByte(f.n[f.off2], fold)
}

func pairByte(b byte, fold bool) (c, mask byte) {
	if fold && isLetter(b) {
		return lower[b], 0x20
	}
	return b, 0
}

// index returns the first match [s, e) of the needle in hay with s >= from,
// or s = -1. from must be in [0, len(hay)].
func (f *finder) index(hay string, from int) (s, e int) {
	if f.mode == foldUnicode {
		return f.indexUnicode(hay, from)
	}
	s = f.indexBytes(hay, from)
	return s, s + len(f.n)
}

// at reports whether the needle matches hay at s, and where the match ends.
func (f *finder) at(hay string, s int) (e int, ok bool) {
	switch f.mode {
	case foldNone:
		e = s + len(f.n)
		return e, e <= len(hay) && hay[s:e] == f.n
	case foldASCII:
		e = s + len(f.n)
		return e, e <= len(hay) && equalFoldASCII(hay[s:e], f.n)
	}
	return matchUnitsAt(f.units, hay, s)
}

// before reports whether the needle matches hay ending at e, and where the
// match starts.
func (f *finder) before(hay string, e int) (s int, ok bool) {
	switch f.mode {
	case foldNone:
		s = e - len(f.n)
		return s, s >= 0 && hay[s:e] == f.n
	case foldASCII:
		s = e - len(f.n)
		return s, s >= 0 && equalFoldASCII(hay[s:e], f.n)
	}
	return matchUnitsBefore(f.units, hay, e)
}

// verify reports whether the needle matches h, which is exactly as long.
func (f *finder) verify(h string) bool {
	if f.mode == foldNone {
		return h == f.n
	}
	return equalFoldASCII(h, f.n)
}

// indexBytes is index for foldNone and foldASCII, where a match is as long
// as the needle. It scans for the needle's rarest byte (both cases of it
// when folding) with strings.IndexByte, which the Go runtime implements
// with vector instructions, and compares the needle around each hit. If
// hits come too densely for that to pay (the byte is common in this
// haystack), it continues with indexPair.
func (f *finder) indexBytes(hay string, from int) int {
	n := len(f.n)
	last := len(hay) - n // the last possible start
	if from > last {
		return -1
	}
	if n == 0 {
		return from
	}
	off := f.off
	end := last + off + 1 // anchor positions are below end
	i := from + off
	fails := 0
	if f.a1 == f.a2 {
		a := f.a1
		for {
			j := strings.IndexByte(hay[i:end], a)
			if j < 0 {
				return -1
			}
			i += j
			s := i - off
			if f.verify(hay[s : s+n]) {
				return s
			}
			if fails++; f.dense(fails, s-from) {
				return f.indexPair(hay, s+1)
			}
			i++
		}
	}
	p1 := indexByteIn(hay, i, end, f.a1)
	p2 := indexByteIn(hay, i, end, f.a2)
	for {
		p := min(p1, p2)
		if p >= end {
			return -1
		}
		s := p - off
		if f.verify(hay[s : s+n]) {
			return s
		}
		if fails++; f.dense(fails, s-from) {
			return f.indexPair(hay, s+1)
		}
		if p == p1 {
			p1 = indexByteIn(hay, p+1, end, f.a1)
		} else {
			p2 = indexByteIn(hay, p+1, end, f.a2)
		}
	}
}

// dense reports whether scanning for one byte has produced so many false
// candidates over scanned bytes that indexPair will be faster: a call of
// strings.IndexByte costs about as much as scanning a few dozen bytes.
func (f *finder) dense(fails, scanned int) bool {
	return f.pairOK && fails >= 3 && fails*densePerFail > scanned
}

// densePerFail is the mean distance between false candidates (in bytes)
// below which indexBytes switches to indexPair; see BenchmarkSearchers.
const densePerFail = 64

// indexPair is index for foldNone and foldASCII that tests eight
// positions at a time (SWAR: SIMD within a 64-bit register) for the
// needle's two rarest bytes at their offsets, and compares the needle
// where both are present. Its speed hardly depends on the haystack, and
// it is the fast path on js/wasm too, where IndexByte is a scalar loop. If
// the candidates keep failing (a haystack made of near-matches), it hands
// the rest to a Rabin-Karp search so that the time stays linear.
func (f *finder) indexPair(hay string, from int) int {
	n := len(f.n)
	last := len(hay) - n
	if from > last {
		return -1
	}
	o1, o2 := f.off, f.off2
	r1, r2 := uint64(f.pc1)*lsb, uint64(f.pc2)*lsb
	m1, m2 := uint64(f.pm1)*lsb, uint64(f.pm2)*lsb
	// Each failed candidate may cost up to n byte compares; allow a few
	// per byte scanned before switching algorithms.
	work := 0
	// h1[s:s+8] and h2[s:s+8] are the bytes at offsets o1 and o2 of the
	// eight candidate starts s..s+7.
	h1, h2 := hay[o1:], hay[o2:]
	stop := min(len(h1), len(h2)) - 8 // last s whose words are in bounds
	s := from
	for {
		var t uint64
		if s, t = scanPair(h1, h2, s, stop, r1, r2, m1, m2); t == 0 {
			break
		}
		for ; t != 0; t &= t - 1 {
			k := s + bits.TrailingZeros64(t)>>3
			if k > last {
				return -1
			}
			if f.verify(hay[k : k+n]) {
				return k
			}
			if work += n; work > 4*(k-from)+256 {
				return f.indexRabinKarp(hay, k+1)
			}
		}
		s += 8
	}
	for ; s <= last; s++ {
		if hay[s+o1]|f.pm1 == f.pc1 && hay[s+o2]|f.pm2 == f.pc2 && f.verify(hay[s:s+n]) {
			return s
		}
	}
	return -1
}

const lsb = 0x0101010101010101

// scanPair is indexPair's inner loop, a leaf function so that its values
// stay in registers: it returns the first s (from s, in steps of 8, up to
// stop) whose eight candidate starts include one with both bytes, and the
// mask of those (the high bit of byte i for start s+i); or, if there is
// none, the first start it did not test and 0.
func scanPair(h1, h2 string, s, stop int, r1, r2, m1, m2 uint64) (int, uint64) {
	for ; s+8 <= stop; s += 16 {
		a := zeroBytes((load64(h1, s)|m1)^r1) & zeroBytes((load64(h2, s)|m2)^r2)
		b := zeroBytes((load64(h1, s+8)|m1)^r1) & zeroBytes((load64(h2, s+8)|m2)^r2)
		if a|b != 0 {
			if a != 0 {
				return s, a
			}
			return s + 8, b
		}
	}
	if s <= stop {
		if a := zeroBytes((load64(h1, s)|m1)^r1) & zeroBytes((load64(h2, s)|m2)^r2); a != 0 {
			return s, a
		}
		s += 8
	}
	return s, 0
}

// zeroBytes returns x with the high bit of each byte set where that byte
// of x is zero, and every other bit clear (exact: no borrow crosses bytes).
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	return ^((x&low7 + low7) | x | low7)
}

// load64 reads s[i:i+8] as a little-endian word; the compiler turns it
// into one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// indexByteIn returns the index of the first c in hay[i:end], or end.
func indexByteIn(hay string, i, end int, c byte) int {
	if j := strings.IndexByte(hay[i:end], c); j >= 0 {
		return i + j
	}
	return end
}

const rkPrime = 16777619

// indexRabinKarp is a linear-time fallback of indexBytes: a rolling hash
// over the (folded) haystack bytes, with a byte compare on hash equality.
func (f *finder) indexRabinKarp(hay string, from int) int {
	n := len(f.n)
	if len(hay)-from < n {
		return -1
	}
	fold := &lower
	if f.mode == foldNone {
		fold = &identity
	}
	var want, pow uint32 = 0, 1
	for i := 0; i < n; i++ {
		want = want*rkPrime + uint32(f.n[i])
		pow *= rkPrime
	}
	var h uint32
	for i := from; i < from+n; i++ {
		h = h*rkPrime + uint32(fold[hay[i]])
	}
	for s := from; ; s++ {
		if h == want && f.verify(hay[s:s+n]) {
			return s
		}
		if s+n >= len(hay) {
			return -1
		}
		h = h*rkPrime + uint32(fold[hay[s+n]]) - pow*uint32(fold[hay[s]])
	}
}

var identity = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	return t
}()

// maxLeads bounds the distinct first bytes of a rune's folding class
// (TestFoldClassesFit checks every rune).
const maxLeads = 4

// indexUnicode is index for foldUnicode: it scans for the possible first
// bytes of the needle (one IndexByte pass per distinct byte, each resumed
// only when passed) and matches the needle unit by unit at each. Needles
// that need it are rare (a non-ASCII letter), so it favours simplicity:
// unlike indexBytes it has no linear-time fallback, and a haystack of
// near-matches costs time proportional to its length times the needle's.
func (f *finder) indexUnicode(hay string, from int) (s, e int) {
	var next [maxLeads]int
	for k, c := range f.leads {
		next[k] = indexByteIn(hay, from, len(hay), c)
	}
	for {
		p, pk := len(hay), -1
		for k := range f.leads {
			if next[k] < p {
				p, pk = next[k], k
			}
		}
		if pk < 0 {
			return -1, -1
		}
		if e, ok := matchUnitsAt(f.units, hay, p); ok {
			return p, e
		}
		next[pk] = indexByteIn(hay, p+1, len(hay), f.leads[pk])
	}
}
