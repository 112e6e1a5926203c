package logs

import (
	"slices"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
)

// needleTest is a scan spec's needles (data.ScanSpec.Needles) prepared for
// a view: for each record slot that some needle reads, the literals of all
// its needles as one FoldSet (substrings and has terms together), so that
// each field is read once. A record none of whose needles match is passed
// over before any field is converted.
type needleTest struct {
	cols []needleCol
}

type needleCol struct {
	slot      int
	set       *textmatch.FoldSet
	asciiOnly bool // a needle of the slot comes from a (?i) regular expression
}

// needleTest prepares the needles, or returns nil when the view cannot
// test them (a mapped view computes its columns; see prefilter).
func (v *view) needleTest(needles []data.Needle) *needleTest {
	if needles == nil || v.in.mapper != nil {
		return nil
	}
	type slotNeedles struct {
		slot      int
		lits      []string
		terms     []bool
		asciiOnly bool
	}
	var slots []*slotNeedles
	for _, n := range needles {
		if n.Column < 0 || n.Column >= len(v.outs) || v.cols[n.Column].Type != data.String {
			return nil
		}
		switch o := v.outs[n.Column]; o.kind {
		case outSlot:
			k := slices.IndexFunc(slots, func(s *slotNeedles) bool { return s.slot == o.slot })
			if k < 0 {
				k = len(slots)
				slots = append(slots, &slotNeedles{slot: o.slot})
			}
			s := slots[k]
			s.asciiOnly = s.asciiOnly || n.ASCIIOnly
			for _, l := range n.Literals {
				s.lits = append(s.lits, l)
				s.terms = append(s.terms, n.Terms)
			}
		case outEmpty:
			// The column is always empty, and no literal is.
		default:
			return nil
		}
	}
	t := &needleTest{}
	for _, s := range slots {
		set, ok := textmatch.NewMixedFoldSet(s.lits, s.terms)
		if !ok {
			return nil
		}
		t.cols = append(t.cols, needleCol{slot: s.slot, set: set, asciiOnly: s.asciiOnly})
	}
	return t
}

// maybe reports whether rec may pass the filter: some needle's column
// holds one of its literals (or, for an ASCII-only needle, is not all
// ASCII). Fields are read as the converter reads them, raw where that is
// the same text and decoded in c's scratch buffer where it is not.
func (t *needleTest) maybe(rec *record, c *converter) bool {
	for i := range t.cols {
		n := &t.cols[i]
		if n.slot >= len(rec.fields) {
			continue
		}
		b, ok := c.s.text(rec.fields[n.slot])
		if !ok || n.set.MatchBytes(b) || n.asciiOnly && !textmatch.IsASCIIBytes(b) {
			return true
		}
	}
	return false
}
