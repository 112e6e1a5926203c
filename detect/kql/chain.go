package kql

import (
	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
	"slices"
)

// This file pushes a stateless pipeline into its scan's filter. A rule
// often extends a column and filters on it (extend Args =
// parse_command_line(...) | where Args matches regex ...): only the wheres
// right above the scan become its filter (pushdown.go), so every row those
// keep would cross into the rest of the pipeline one by one, on the
// goroutine that runs it. When a where follows a chain of extends, projects
// and wheres over a scan, the scan's filter runs that whole chain instead,
// in the reader's goroutines (one instance each, data.ScanSpec.NewFilter),
// and a row reaches the pipeline only if the chain keeps it; the pipeline
// then computes the chain again for the few rows that remain. Results do
// not change, so long as computing an expression twice gives the same
// value: a chain stops at anything that may not (rand(), row_number(), a
// subquery, a user function) and at a where using ago() or now(), whose
// "the time filter dropped every row" notice counts the rows it sees.

// chainStep is one operator of a pushed chain: a projection or a where.
type chainStep struct {
	proj  *projectNode
	pred  predFn
	reads []bool // a where's columns
}

// pushChain returns where's node when the where can join the filter of
// the scan below a pure chain: the filter node over a copy of the chain
// whose scan runs the chain and the predicate as part of its filter. ok is
// false when in is not such a chain.
func (c *compiler) pushChain(in node, f *filterNode) (node, bool) {
	var steps []chainStep
	var scan *scanNode
	for n := in; scan == nil; {
		switch x := n.(type) {
		case *scanNode:
			scan = x
		case *projectNode:
			if !x.pure {
				return nil, false
			}
			steps = append(steps, chainStep{proj: x})
			n = x.in
		case *filterNode:
			if !x.pure {
				return nil, false
			}
			steps = append(steps, chainStep{pred: x.pred, reads: x.reads})
			n = x.in
		default:
			return nil, false
		}
	}
	if len(steps) == 0 {
		return nil, false // a where right above the scan is pushed as a filter
	}
	for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
		steps[i], steps[j] = steps[j], steps[i]
	}
	cp := *scan
	cp.chain = append(steps, chainStep{pred: f.pred, reads: f.reads})
	// The reader converts the columns the chain reads before the filter
	// decides, and the rest only for rows it keeps.
	if reads := chainReads(cp.chain, len(scan.cols)); reads != nil {
		cp.filterNeed = mergeNeed(reads, scan.filterNeed)
	} else {
		cp.filterNeed = mergeNeed(scan.need, scan.filterNeed)
	}
	out := *f
	out.in = rebase(in, scan, &cp)
	return &out, true
}

// chainReads works out the scan columns a chain's wheres depend on,
// following them down through its projections; nil when a step does not
// know what it reads.
func chainReads(steps []chainStep, scanCols int) []bool {
	var need []bool // in the columns of the step being looked at
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		if st.proj == nil {
			if st.reads == nil {
				return nil
			}
			if need == nil {
				need = make([]bool, len(st.reads))
			}
			for k, r := range st.reads {
				if r && k < len(need) {
					need[k] = true
				}
			}
			continue
		}
		p := st.proj
		if p.reads == nil || need == nil {
			return nil
		}
		below := slices.Clone(p.reads)
		for k, nd := range need {
			if !nd {
				continue
			}
			if k >= len(p.from) || p.from[k] < 0 {
				continue // computed: its expression's columns are in reads
			}
			if p.from[k] < len(below) {
				below[p.from[k]] = true
			}
		}
		need = below
	}
	if len(need) != scanCols {
		return nil
	}
	return need
}

// rebase copies the chain from n down to old with new in old's place.
func rebase(n node, old, new *scanNode) node {
	switch x := n.(type) {
	case *scanNode:
		if x == old {
			return new
		}
	case *projectNode:
		cp := *x
		cp.in = rebase(x.in, old, new)
		return &cp
	case *filterNode:
		cp := *x
		cp.in = rebase(x.in, old, new)
		return &cp
	}
	return n
}

// chainFilter returns the scan's chain as a predicate for one goroutine;
// nil when the scan has none.
func (n *scanNode) chainFilter(rs *runState) func(data.Row) bool {
	if len(n.chain) == 0 {
		return nil
	}
	steps := n.chain
	rcs := make([]rowCtx, len(steps))
	outs := make([]data.Row, len(steps))
	prefixes := make([]int, len(steps))
	for i, st := range steps {
		rcs[i].run = rs
		if st.proj != nil {
			outs[i] = make(data.Row, len(st.proj.exprs))
			prefixes[i] = st.proj.copiedPrefix()
		}
	}
	return func(r data.Row) bool {
		row := r
		for i, st := range steps {
			rc := &rcs[i]
			rc.row = row
			if st.proj == nil {
				if !st.pred(rc) {
					return false
				}
				continue
			}
			st.proj.project(outs[i], rc, prefixes[i])
			row = outs[i]
		}
		return true
	}
}

// impureCalls are the functions whose value may differ when computed
// again for the same row (or that run a query of their own).
var impureCalls = map[string]bool{
	"rand": true, "new_guid": true, "row_number": true, "row_cumsum": true,
	"prev": true, "next": true, "toscalar": true, "materialize": true,
	"row_rank_dense": true, "row_rank_min": true, "row_window_session": true,
}

// pure reports whether expressions give the same value every time they
// are computed for a row: no impure function, no user function, no
// subquery.
func (c *compiler) pure(exprs ...syntax.Node) bool {
	ok := true
	for _, e := range exprs {
		syntax.Walk(e, func(n syntax.Node) bool {
			switch x := n.(type) {
			case *syntax.Call:
				if impureCalls[x.Name] {
					ok = false
				}
				if b := c.scope.lookup(x.Name); b != nil && b.fn != nil {
					ok = false
				}
			case *syntax.Pipe:
				ok = false
			case *syntax.Ident:
				if b := c.scope.lookup(x.Name); b != nil && b.scalar == nil {
					ok = false // a table or function name, not a value
				}
			}
			return ok
		})
	}
	return ok
}
