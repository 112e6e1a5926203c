package textmatch

import (
	"strings"
	"testing"
)

// FuzzHas compares every operator's Find with the slow reference written
// from the rule text (reference_test.go).
func FuzzHas(f *testing.F) {
	for _, c := range opCases {
		op, _, _ := ParseOp(c.op)
		f.Add(c.hay, c.needle, uint8(op))
	}
	f.Add("xẞy ǅ ΣΑΣ", "ß", uint8(Contains))
	f.Add("aaaaaaaaab", "aaab", uint8(HasSuffix))
	f.Fuzz(func(t *testing.T, hay, needle string, opb uint8) {
		if len(hay) > 200 || len(needle) > 24 {
			return
		}
		op := Op(opb % uint8(numOps))
		m := New(op, needle)
		// Also the haystack in upper case (Unicode rules), so that case
		// folding of non-ASCII letters gets exercised.
		for _, hay := range []string{hay, strings.ToUpper(hay)} {
			s, e, ok := m.Find(hay)
			rs, re, rok := refFind(op, hay, needle)
			if ok != rok || ok && (s != rs || e != re) {
				t.Fatalf("%q %v %q: Find = %d,%d,%v, reference %d,%d,%v", hay, op, needle, s, e, ok, rs, re, rok)
			}
			if m.Match(hay) != ok || m.MatchBytes([]byte(hay)) != ok {
				t.Fatalf("%q %v %q: Match disagrees with Find", hay, op, needle)
			}
			checkSearchers(t, &m.f, hay)
		}
	})
}

// FuzzMatchers checks that the set matchers never panic and agree with
// their needles' Matchers one by one. needles is split at '|'.
func FuzzMatchers(f *testing.F) {
	f.Add("rclone.exe copy --ignore-existing Mega:x", "rclone.exe|copy|-|--ignore-existing|mega|a|b|c|d|Ä", uint8(Has))
	f.Add("North and South America", "south|north", uint8(Has))
	f.Add("Abc", "123|345|abc|ABC|ä", uint8(EqualCI))
	f.Add("", "", uint8(Contains))
	f.Fuzz(func(t *testing.T, hay, list string, opb uint8) {
		if len(hay) > 1000 || len(list) > 1000 {
			return
		}
		op := Op(opb % uint8(numOps))
		needles := strings.Split(list, "|")
		anyM, allM := NewAny(op, needles), NewAll(op, needles)
		var want []Span
		all := true
		seen := map[string]bool{}
		for i, n := range needles {
			if seen[n] {
				continue
			}
			seen[n] = true
			if s, e, ok := New(op, n).Find(hay); ok {
				want = append(want, Span{i, s, e})
			} else {
				all = false
			}
		}
		sortSpans(want)
		if got := anyM.Match(hay); got != (len(want) > 0) {
			t.Fatalf("any %v %q on %q: Match = %v", op, needles, hay, got)
		}
		if got := anyM.FindAll(hay, nil); !spansEqual(got, want) {
			t.Fatalf("any %v %q on %q: FindAll = %v, want %v", op, needles, hay, got, want)
		}
		if got := allM.Match(hay); got != all {
			t.Fatalf("all %v %q on %q: Match = %v, want %v", op, needles, hay, got, all)
		}
		got := allM.FindAll(hay, nil)
		if all && !spansEqual(got, want) || !all && len(got) != 0 {
			t.Fatalf("all %v %q on %q: FindAll = %v, want %v", op, needles, hay, got, want)
		}
	})
}

// checkSearchers checks that the byte searchers a finder switches between
// agree at every starting offset.
func checkSearchers(t *testing.T, f *finder, hay string) {
	if f.mode == foldUnicode || f.n == "" {
		return
	}
	for from := 0; from <= len(hay); from++ {
		want := f.indexBytes(hay, from)
		if got := f.indexRabinKarp(hay, from); got != want {
			t.Fatalf("%q in %q from %d: indexRabinKarp = %d, indexBytes = %d", f.n, hay, from, got, want)
		}
		if f.pairOK {
			if got := f.indexPair(hay, from); got != want {
				t.Fatalf("%q in %q from %d: indexPair = %d, indexBytes = %d", f.n, hay, from, got, want)
			}
		}
	}
}
