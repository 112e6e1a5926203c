package kql

import (
	"slices"
	"sync/atomic"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// This file moves work from the engine into the reader. A where directly
// above a table scan becomes the scan's filter, so a reader decodes only
// the filter's columns for rows it rejects; the literals every matching row
// must contain become a prefilter, so a reader can skip rows without
// splitting them; and the columns the rest of the pipeline reads are
// computed, so the others need not be decoded at all.

// scanFilter is one where pushed into a scan.
type scanFilter struct {
	pred       predFn
	timeFilter bool
	seen, kept *atomic.Int64
	// For a time filter: the calls of now() and ago() in its text, and
	// the columns it reads (latenow.go).
	nowCalls int
	reads    []int
}

// pushWhere returns a copy of the scan with the predicate added to its
// filter; scans are shared by let bindings, so they are never changed.
func (c *compiler) pushWhere(s *scanNode, pred *cexpr, used []bool, p syntax.Expr, timeFilter bool) *scanNode {
	cp := *s
	f := scanFilter{pred: pred.asPred(), timeFilter: timeFilter}
	if timeFilter {
		f.seen, f.kept = new(atomic.Int64), new(atomic.Int64)
		f.nowCalls = countNowCalls(p)
		for i, u := range used {
			if u {
				f.reads = append(f.reads, i)
			}
		}
	}
	cp.filters = append(append([]scanFilter(nil), s.filters...), f)
	cp.filterNeed = make([]bool, len(s.cols))
	copy(cp.filterNeed, s.filterNeed)
	for i, u := range used {
		if u && i < len(cp.filterNeed) {
			cp.filterNeed[i] = true
		}
	}
	if ns, ok := c.requiredNeedles(p, s.cols); ok && (s.needles == nil || rarerNeedles(ns, s.needles)) {
		cp.needles = ns
		if lits, ok := recordLiterals(ns); ok {
			cp.literals = lits
		}
	}
	return &cp
}

// newFilter builds the scan's filter for one goroutine of the reader.
func (n *scanNode) newFilter(rs *runState) func() func(data.Row) bool {
	if len(n.filters) == 0 && len(n.chain) == 0 {
		return nil
	}
	return func() func(data.Row) bool { return n.matcher(rs, true, true) }
}

// NoPushdown turns off filter pushdown and prefiltering, so that a test
// can check they change no result.
var NoPushdown atomic.Bool

func (n *scanNode) runSpec(rs *runState, emit func(data.Row) error) error {
	for _, f := range n.filters {
		if f.seen != nil {
			f.seen.Store(0)
			f.kept.Store(0)
		}
	}
	newFilter := n.newFilter(rs)
	var err error
	if ss, ok := n.src.(data.SpecSource); ok {
		spec := data.ScanSpec{Need: n.need, FilterNeed: n.filterNeed, Literals: n.literals, Needles: n.needles, NewFilter: newFilter}
		err = ss.ScanSpec(rs.ctx, spec, emit)
	} else {
		need := mergeNeed(n.need, n.filterNeed)
		if newFilter == nil {
			err = n.src.Scan(rs.ctx, need, emit)
		} else {
			filter := newFilter()
			err = n.src.Scan(rs.ctx, need, func(r data.Row) error {
				if filter(r) {
					return emit(r)
				}
				return nil
			})
		}
	}
	for _, f := range n.filters {
		if f.seen != nil && f.seen.Load() > 0 && f.kept.Load() == 0 {
			rs.timeFilteredAll = true
		}
	}
	return err
}

// mergeNeed is the union of two column sets (nil means every column).
func mergeNeed(a, b []bool) []bool {
	if a == nil {
		return nil
	}
	out := make([]bool, len(a))
	for i := range a {
		out[i] = a[i] || (i < len(b) && b[i])
	}
	return out
}

// recordLiterals turns needles into record literals (ScanSpec.Literals)
// for readers that search a whole record: the needles' literals, when
// every one reads the same raw as decoded (safeLiteral) and none comes
// from a regular expression, whose (?i) also matches non-ASCII letters.
func recordLiterals(ns []data.Needle) ([]string, bool) {
	out := []string{}
	for _, n := range ns {
		if n.ASCIIOnly {
			return nil, false
		}
		for _, l := range n.Literals {
			if !safeLiteral(l) {
				return nil, false
			}
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out, true
}

// constStrings returns the string values of a constant: a string literal,
// a dynamic array of strings, or a let name bound to one.
func (c *compiler) constStrings(e syntax.Expr) ([]string, bool) {
	var v data.Value
	switch x := e.(type) {
	case *syntax.Literal:
		v = x.Value
	case *syntax.Ident:
		b := c.scope.lookup(x.Name)
		if b == nil || b.scalar == nil || b.scalar.konst == nil {
			return nil, false
		}
		v = *b.scalar.konst
	case *syntax.Call:
		ce, err := c.scalar(x, nil)
		if err != nil || ce.konst == nil {
			return nil, false
		}
		v = *ce.konst
	default:
		return nil, false
	}
	switch v.K {
	case data.KString:
		return []string{v.S}, true
	case data.KArray:
		var out []string
		for _, it := range v.Array() {
			if it.K != data.KString {
				return nil, false
			}
			out = append(out, it.S)
		}
		return out, true
	}
	return nil, false
}

// safeLiteral reports whether a literal reads the same in a record's raw
// bytes as in its decoded value: printable ASCII without the characters
// CSV or JSON writers escape.
func safeLiteral(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 || b > 0x7e {
			return false
		}
		switch b {
		case '"', '\\', '/', '<', '>', '&':
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// betterLiterals prefers the set whose shortest literal is longer (rarer),
// then the smaller set.
func betterLiterals(a, b []string) bool {
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(s []string) int {
	m := 1 << 30
	for _, x := range s {
		m = min(m, len(x))
	}
	return m
}

// neededColumns works out which columns of a scanned table a pipeline
// reads: the names its operators mention, up to the first operator that
// narrows the columns (project, summarize, count, distinct). Anything it
// cannot see through (a join, a wildcard, a user function, `*`) keeps
// every column. It errs on the side of reading more.
func (c *compiler) neededColumns(ops []syntax.Operator, cols []data.Column) []bool {
	names := map[string]bool{}
	all := false
	collect := func(n syntax.Node) {
		syntax.Walk(n, func(n syntax.Node) bool {
			switch x := n.(type) {
			case *syntax.Ident:
				names[x.Name] = true
			case *syntax.Star:
				all = true
			case *syntax.Call:
				if b := c.scope.lookup(x.Name); b != nil && b.fn != nil {
					all = true
				}
				if x.Name == "column_ifexists" || x.Name == "pack_all" || x.Name == "bag_pack_columns" {
					all = true
				}
			}
			return !all
		})
	}
	narrowed := false
	leading := true // wheres right above the scan become its filter: FilterNeed covers them
loop:
	for _, op := range ops {
		if _, ok := op.(*syntax.WhereOp); !ok {
			leading = false
		}
		switch o := op.(type) {
		case *syntax.WhereOp:
			if !leading {
				collect(o)
			}
		case *syntax.SortOp, *syntax.TopOp, *syntax.TakeOp:
			collect(o)
		case *syntax.ProjectOp:
			collect(o)
			if o.Kind == "project" {
				narrowed = true
				break loop
			}
		case *syntax.SummarizeOp:
			collect(o)
			narrowed = true
			break loop
		case *syntax.CountOp:
			narrowed = true
			break loop
		case *syntax.DistinctOp:
			if o.Star {
				all = true
				break loop
			}
			collect(o)
			narrowed = true
			break loop
		case *syntax.RenderOp:
		default:
			all = true
			break loop
		}
		if all {
			break
		}
	}
	if all || !narrowed {
		return nil
	}
	need := make([]bool, len(cols))
	for i, col := range cols {
		need[i] = names[col.Name]
	}
	return need
}

// flattenPipe splits `S | op1 | op2` into its source and operators.
func flattenPipe(e syntax.Expr) (syntax.Expr, []syntax.Operator) {
	var ops []syntax.Operator
	for {
		p, ok := e.(*syntax.Pipe)
		if !ok {
			break
		}
		ops = append(ops, p.Op)
		e = p.X
	}
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	return e, ops
}
