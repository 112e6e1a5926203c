package textmatch

// The has family works on terms: maximal runs of ASCII letters and digits
// (see the package documentation for why ASCII). Every needle, whether one
// term, a phrase with separators ("rclone.exe", "-enc", @"\Windows\"), or
// no term at all ("*"), is matched by one rule: hay must contain the needle
// (case per operator) at a place where
//
//   - if the needle starts with a term character, the hay byte before the
//     match is not one (for has and hasprefix);
//   - if the needle ends with a term character, the hay byte after the
//     match is not one (for has and hassuffix).
//
// Separators inside the needle match literally, so every inner term of the
// needle is a whole term of hay, and a needle's leading or trailing
// separators are themselves the boundary. For a one-term needle this is
// exactly "some term of hay equals the needle" (has), "starts with it"
// (hasprefix), "ends with it" (hassuffix); for a phrase it is semantics.md
// §3.2's recommended rule; for a needle without term characters it is a
// substring search. hasprefix of a phrase lets only its last term be a
// prefix ("rclone.ex" matches "rclone.exe"), hassuffix only its first term
// be a suffix ("clone.exe" matches "myrclone.exe").

// hasBoundaries returns the boundary checks a has-family needle needs.
func hasBoundaries(fam family, needle string) (left, right bool) {
	if needle == "" {
		return false, false
	}
	starts, ends := alnum[needle[0]], alnum[needle[len(needle)-1]]
	switch fam {
	case famHas:
		return starts, ends
	case famHasPrefix:
		return starts, false
	case famHasSuffix:
		return false, ends
	}
	return false, false
}

// bounded reports whether the match hay[s:e] satisfies m's term boundaries.
func (m *Matcher) bounded(hay string, s, e int) bool {
	return (!m.left || s == 0 || !alnum[hay[s-1]]) &&
		(!m.right || e == len(hay) || !alnum[hay[e]])
}

// findHas returns the first occurrence of the needle that satisfies the
// term boundaries, trying the occurrences left to right. After a failed
// occurrence it skips the starts that must fail too: if the needle starts
// with a term character, a match starts at a term start, so none inside
// the current term; if it ends with one, a match ends at a term end, so
// none before the end of the term the occurrence ended in. That keeps the
// work linear in len(hay) whenever the needle starts or ends with a term
// character (with Unicode folding only the first skip applies).
func (m *Matcher) findHas(hay string) (start, end int, ok bool) {
	for from := 0; ; {
		s, e := m.f.index(hay, from)
		if s < 0 {
			return 0, 0, false
		}
		if m.bounded(hay, s, e) {
			return s, e, true
		}
		from = s + 1
		if m.left {
			for from < len(hay) && alnum[hay[from]] {
				from++
			}
		}
		if m.right && m.f.mode != foldUnicode {
			te := e
			for te < len(hay) && alnum[hay[te]] {
				te++
			}
			from = max(from, te-len(m.f.n))
		}
	}
}
