package kql

import (
	"regexp/syntax"
	"slices"

	"offhunt/detect/data"
	ksyntax "offhunt/detect/kql/syntax"
	"offhunt/detect/kql/textmatch"
)

// This file derives a scan's needles (data.ScanSpec.Needles): for a where
// pushed into a scan, the column literals at least one of which every
// matching row must contain. They are the per-column form of the record
// literals of pushdown.go, and sharper: a rule pack needs "ls", "s3" or
// "b2" in the command line, which a record-wide search finds in nearly
// every row's hex hashes, but which few command lines hold. A reader tests
// them on a row's raw fields and converts nothing for a row that has none.

// neverNeedles is the needle list of a predicate no row can match.
var neverNeedles = []data.Needle{}

// requiredNeedles derives the needles of a where predicate over a scan's
// columns; ok is false when nothing can be said. `a and b` needs what the
// rarer side needs, `a or b` what either side needs, and a string operator on a string column needs
// its literal in that column. A column_ifexists of a column the table does
// not have is its default, a constant: a predicate that cannot hold on it
// needs nothing any row could have (neverNeedles).
func (c *compiler) requiredNeedles(e ksyntax.Expr, cols []data.Column) ([]data.Needle, bool) {
	switch x := e.(type) {
	case *ksyntax.Paren:
		return c.requiredNeedles(x.X, cols)
	case *ksyntax.Binary:
		switch x.Op {
		case "and":
			l, lok := c.requiredNeedles(x.L, cols)
			r, rok := c.requiredNeedles(x.R, cols)
			switch {
			case lok && rok:
				if rarerNeedles(r, l) {
					return r, true
				}
				return l, true
			case lok:
				return l, true
			case rok:
				return r, true
			}
			return nil, false
		case "or":
			l, lok := c.requiredNeedles(x.L, cols)
			r, rok := c.requiredNeedles(x.R, cols)
			if lok && rok {
				return mergeNeedles(l, r), true
			}
			return nil, false
		case "has", "has_cs", "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
			"hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "==", "=~":
			lit, ok := c.constStrings(x.R)
			if !ok || len(lit) != 1 {
				return nil, false
			}
			return c.columnNeedle(x.L, cols, lit, false, termOps[x.Op])
		case "matches regex":
			pat, ok := c.constStrings(x.R)
			if !ok || len(pat) != 1 {
				return nil, false
			}
			lits, ok := regexNeedleLiterals(pat[0])
			if !ok {
				return nil, false
			}
			return c.columnNeedle(x.L, cols, lits, true, false)
		}
	case *ksyntax.InExpr:
		var vals []string
		for _, item := range x.List {
			s, ok := c.constStrings(item)
			if !ok {
				return nil, false
			}
			vals = append(vals, s...)
		}
		switch x.Op {
		case "in", "in~", "has_any":
			return c.columnNeedle(x.X, cols, vals, false, true)
		case "has_all":
			// Every needle is required; the rarest is the best single one.
			best, bestRarity := "", 0.0
			for _, v := range vals {
				if r := textmatch.LogRarity([]string{v}); needleLiteral(v) && (best == "" || r < bestRarity) {
					best, bestRarity = v, r
				}
			}
			if best == "" {
				return nil, false
			}
			return c.columnNeedle(x.X, cols, []string{best}, false, true)
		}
	}
	return nil, false
}

// termOps are the binary operators whose literal a matching value holds
// as a has term (data.Needle.Terms): has finds terms, and a value equal
// to the literal holds it from its first byte to its last. in, in~,
// has_any and has_all are the same for lists.
var termOps = map[string]bool{"has": true, "has_cs": true, "==": true, "=~": true}

// columnNeedle is the needle "column e contains one of lits" (as terms:
// data.Needle.Terms). e is a string column, or column_ifexists naming
// one; for column_ifexists of a column the table lacks, the default is
// tested here instead.
func (c *compiler) columnNeedle(e ksyntax.Expr, cols []data.Column, lits []string, asciiOnly, terms bool) ([]data.Needle, bool) {
	if len(lits) == 0 {
		return nil, false
	}
	for _, l := range lits {
		if !needleLiteral(l) {
			return nil, false
		}
	}
	name := ""
	switch x := e.(type) {
	case *ksyntax.Ident:
		name = x.Name
	case *ksyntax.Call:
		if x.Name != "column_ifexists" || len(x.Args) != 2 {
			return nil, false
		}
		n, ok := c.constStrings(x.Args[0])
		if !ok || len(n) != 1 {
			return nil, false
		}
		name = n[0]
		if data.ColumnIndex(cols, name) < 0 {
			def, ok := c.constStrings(x.Args[1])
			if !ok || len(def) != 1 {
				return nil, false
			}
			if set, ok := textmatch.NewFoldSet(lits); ok && !set.Match(def[0]) && textmatch.IsASCII(def[0]) {
				return neverNeedles, true
			}
			return nil, false
		}
	default:
		return nil, false
	}
	i := data.ColumnIndex(cols, name)
	if i < 0 || cols[i].Type != data.String || isHidden(name) {
		return nil, false
	}
	out := make([]string, 0, len(lits))
	for _, l := range lits {
		if l = lowerASCII(l); !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return []data.Needle{{Column: i, Literals: out, ASCIIOnly: asciiOnly, Terms: terms}}, true
}

// needleLiteral reports whether a literal can be searched for with ASCII
// case folding: non-empty printable ASCII.
func needleLiteral(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// regexNeedleLiterals returns literals one of which every match of the
// pattern contains, as the engine compiles it.
func regexNeedleLiterals(pattern string) ([]string, bool) {
	rx, err := compileRegex(pattern)
	if err != nil {
		return nil, false
	}
	re, err := syntax.Parse(rx.String(), syntax.Perl)
	if err != nil {
		return nil, false
	}
	lits, ok := requiredRegexLiterals(re.Simplify())
	if !ok || len(lits) == 0 || len(lits) > maxRegexLiterals {
		return nil, false
	}
	return lits, true
}

// mergeNeedles is the union of two needle lists: needles of the same
// column and kind share one literal list.
func mergeNeedles(a, b []data.Needle) []data.Needle {
	out := make([]data.Needle, 0, len(a)+len(b))
	for _, n := range slices.Concat(a, b) {
		k := slices.IndexFunc(out, func(o data.Needle) bool {
			return o.Column == n.Column && o.ASCIIOnly == n.ASCIIOnly && o.Terms == n.Terms
		})
		if k < 0 {
			out = append(out, data.Needle{Column: n.Column, Literals: slices.Clone(n.Literals), ASCIIOnly: n.ASCIIOnly, Terms: n.Terms})
			continue
		}
		for _, l := range n.Literals {
			if !slices.Contains(out[k].Literals, l) {
				out[k].Literals = append(out[k].Literals, l)
			}
		}
	}
	return out
}

// rarerNeedles reports whether needles a rule out more rows than b, by
// the estimated chance of their literals.
func rarerNeedles(a, b []data.Needle) bool {
	return needleRarity(a) < needleRarity(b)
}

func needleRarity(ns []data.Needle) float64 {
	var all []string
	for _, n := range ns {
		all = append(all, n.Literals...)
	}
	return textmatch.LogRarity(all)
}
