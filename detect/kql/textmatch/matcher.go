package textmatch

import "unsafe"

// Matcher is one operator with one needle, compiled: New does all the work
// that depends only on the needle (case folding, the byte to scan for, the
// term structure of a has needle), and Match does only the per-row search.
// A Matcher is immutable and safe for concurrent use; Match, Find and their
// []byte forms do not allocate.
type Matcher struct {
	op     Op
	fam    family
	needle string
	f      finder
	// left and right say whether a match of a has-family needle must start
	// / end at a term boundary (see has.go).
	left, right bool
}

// New compiles needle for op. It panics if op is not one of the Op
// constants.
func New(op Op, needle string) *Matcher {
	if op >= numOps {
		panic("textmatch.New: invalid Op " + op.String())
	}
	m := &Matcher{op: op, fam: op.family(), needle: needle, f: newFinder(needle, !op.CaseSensitive())}
	m.left, m.right = hasBoundaries(m.fam, needle)
	return m
}

// Op returns the operator m was compiled for.
func (m *Matcher) Op() Op { return m.op }

// Needle returns the needle m was compiled for, as given to New.
func (m *Matcher) Needle() string { return m.needle }

// Match reports whether hay satisfies the operator: for Has, whether
// `hay has needle` is true in KQL.
func (m *Matcher) Match(hay string) bool {
	_, _, ok := m.Find(hay)
	return ok
}

// Find is Match, and also returns the bytes of hay that made it match: the
// first (leftmost) occurrence of the needle, hay[start:end]. For the has
// family that is the needle's occurrence itself (for hasprefix "ame" in
// "North America", the span of "Ame", not of the whole term); for == and
// =~ it is all of hay; an empty needle matches an empty span (at 0, or at
// len(hay) for the endswith operators). Under Unicode case folding the span
// can differ in length from the needle.
func (m *Matcher) Find(hay string) (start, end int, ok bool) {
	f := &m.f
	switch m.fam {
	case famEqual:
		if f.mode == foldNone {
			return 0, len(hay), hay == f.n
		}
		if f.mode == foldASCII {
			return 0, len(hay), equalFoldASCII(hay, f.n)
		}
		e, ok := f.at(hay, 0)
		return 0, len(hay), ok && e == len(hay)
	case famStartsWith:
		e, ok := f.at(hay, 0)
		if !ok {
			return 0, 0, false
		}
		return 0, e, true
	case famEndsWith:
		s, ok := f.before(hay, len(hay))
		if !ok {
			return 0, 0, false
		}
		return s, len(hay), true
	case famContains:
		s, e := f.index(hay, 0)
		if s < 0 {
			return 0, 0, false
		}
		return s, e, true
	}
	return m.findHas(hay)
}

// MatchBytes is Match over a byte slice. hay is only read during the call.
func (m *Matcher) MatchBytes(hay []byte) bool {
	return m.Match(bytesView(hay))
}

// FindBytes is Find over a byte slice. hay is only read during the call.
func (m *Matcher) FindBytes(hay []byte) (start, end int, ok bool) {
	return m.Find(bytesView(hay))
}

// bytesView returns b's bytes as a string without copying. The string must
// not outlive the call it is made for: the caller may change b afterwards.
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
