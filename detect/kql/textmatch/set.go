package textmatch

import (
	"math"
	"slices"
)

// Span is where one needle of a set matched: hay[Start:End], the first
// occurrence as Matcher.Find reports it. Needle indexes the needles given
// to NewAny or NewAll.
type Span struct {
	Needle     int
	Start, End int
}

// needleSet is the part AnyMatcher and AllMatcher share: the distinct
// needles compiled, each remembering its first index in the caller's list.
type needleSet struct {
	op  Op
	ms  []*Matcher
	idx []int // ms[k] came from needles[idx[k]]
}

func newNeedleSet(op Op, needles []string) needleSet {
	s := needleSet{op: op}
	seen := make(map[string]bool, len(needles))
	for i, n := range needles {
		if seen[n] {
			continue
		}
		seen[n] = true
		s.ms = append(s.ms, New(op, n))
		s.idx = append(s.idx, i)
	}
	return s
}

// Op returns the operator applied to each needle.
func (s *needleSet) Op() Op { return s.op }

// Len returns the number of distinct needles.
func (s *needleSet) Len() int { return len(s.ms) }

// sortSpans orders spans by start, then by needle index; dst is short, and
// an insertion sort allocates nothing.
func sortSpans(spans []Span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spanLess(spans[j], spans[j-1]); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}

func spanLess(a, b Span) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.Needle < b.Needle
}

// AnyMatcher tests a haystack against many needles with one operator and
// reports whether any matches: has_any (op Has), in (Equal), in~
// (EqualCI), or any other Op. It picks its strategy once, in NewAny:
//
//   - in, in~: one hash lookup of the whole haystack;
//   - has_any with many needles: one pass over the haystack's terms, each
//     looked up in a table of the needles' first terms;
//   - otherwise: each needle's Matcher in turn.
//
// It is immutable and safe for concurrent use; Match does not allocate, and
// neither does FindAll when dst has room.
type AnyMatcher struct {
	needleSet
	eq    map[string]int // Equal: needle → index into ms
	ci    *foldIndex     // EqualCI
	terms *termIndex     // Has, HasCS with many needles
	rest  []int          // ms indexes to try one by one
}

// termIndexMin is the number of has / has_cs needles from which has_any
// walks the haystack's terms once instead of searching for each needle:
// one needle's search runs at about 2-5 GB/s over command lines, the term
// walk at about 1-1.5 GB/s however many needles there are (BenchmarkHasAny).
const termIndexMin = 4

// NewAny compiles needles for op. Duplicate needles are compiled once and
// reported under their first index. With no needles, Match is false.
func NewAny(op Op, needles []string) *AnyMatcher {
	a := &AnyMatcher{needleSet: newNeedleSet(op, needles)}
	switch {
	case op == Equal:
		a.eq = make(map[string]int, len(a.ms))
		for k, m := range a.ms {
			a.eq[m.needle] = k
		}
	case op == EqualCI:
		a.ci = newFoldIndex(a.ms)
	case (op == Has || op == HasCS) && len(a.ms) >= termIndexMin:
		a.terms, a.rest = newTermIndex(a.ms, op == HasCS)
	default:
		a.rest = make([]int, len(a.ms))
		for k := range a.rest {
			a.rest[k] = k
		}
	}
	return a
}

// Match reports whether any needle matches hay.
func (a *AnyMatcher) Match(hay string) bool {
	switch {
	case a.eq != nil:
		_, ok := a.eq[hay]
		return ok
	case a.ci != nil:
		return a.ci.lookup(hay) >= 0
	}
	for _, k := range a.rest {
		if a.ms[k].Match(hay) {
			return true
		}
	}
	if a.terms != nil {
		return a.terms.walk(hay, nil, nil, 0)
	}
	return false
}

// MatchBytes is Match over a byte slice. hay is only read during the call.
func (a *AnyMatcher) MatchBytes(hay []byte) bool { return a.Match(bytesView(hay)) }

// FindAll appends to dst one Span for every distinct needle that matches
// hay, ordered by Start, and returns the extended slice; no needle
// matched if nothing was appended.
func (a *AnyMatcher) FindAll(hay string, dst []Span) []Span {
	n0 := len(dst)
	switch {
	case a.eq != nil:
		if k, ok := a.eq[hay]; ok {
			dst = append(dst, Span{a.idx[k], 0, len(hay)})
		}
		return dst
	case a.ci != nil:
		return a.ci.findAll(hay, a, dst)
	}
	for _, k := range a.rest {
		if s, e, ok := a.ms[k].Find(hay); ok {
			dst = append(dst, Span{a.idx[k], s, e})
		}
	}
	if a.terms != nil {
		a.terms.walk(hay, a, &dst, n0)
	}
	sortSpans(dst[n0:])
	return dst
}

// AllMatcher tests a haystack against many needles with one operator and
// reports whether every needle matches: has_all (op Has). Needles are
// tried rarest first (by the byte frequencies of command lines), so a
// haystack that lacks one usually costs a single search. It is immutable
// and safe for concurrent use; Match does not allocate, and neither does
// FindAll when dst has room.
type AllMatcher struct {
	needleSet
	order []int
}

// NewAll compiles needles for op. Duplicate needles are compiled once and
// reported under their first index. With no needles, Match is true (every
// one of none matches).
func NewAll(op Op, needles []string) *AllMatcher {
	a := &AllMatcher{needleSet: newNeedleSet(op, needles)}
	a.order = make([]int, len(a.ms))
	rarity := make([]float64, len(a.ms))
	for k, m := range a.ms {
		a.order[k] = k
		rarity[k] = logChance(m.needle, !op.CaseSensitive())
	}
	slices.SortStableFunc(a.order, func(x, y int) int {
		switch {
		case rarity[x] < rarity[y]:
			return -1
		case rarity[x] > rarity[y]:
			return 1
		}
		return 0
	})
	return a
}

// logChance estimates the log-probability that needle occurs at a given
// place of a command line: the sum of its bytes' log frequencies.
func logChance(needle string, fold bool) float64 {
	p := 0.0
	for i := 0; i < len(needle); i++ {
		p += math.Log(float64(anchorCost(needle[i], fold)) / 65536)
	}
	return p
}

// Match reports whether every needle matches hay.
func (a *AllMatcher) Match(hay string) bool {
	for _, k := range a.order {
		if !a.ms[k].Match(hay) {
			return false
		}
	}
	return true
}

// MatchBytes is Match over a byte slice. hay is only read during the call.
func (a *AllMatcher) MatchBytes(hay []byte) bool { return a.Match(bytesView(hay)) }

// FindAll appends to dst one Span per distinct needle, ordered by Start, if
// every needle matches hay; otherwise it returns dst unchanged.
func (a *AllMatcher) FindAll(hay string, dst []Span) []Span {
	n0 := len(dst)
	for _, k := range a.order {
		s, e, ok := a.ms[k].Find(hay)
		if !ok {
			return dst[:n0]
		}
		dst = append(dst, Span{a.idx[k], s, e})
	}
	sortSpans(dst[n0:])
	return dst
}
