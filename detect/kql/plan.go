package kql

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"offhunt/detect/data"
)

// A plan is a tree of nodes compiled once from a tabular expression. Rows
// are pushed from the sources through streaming nodes (where, extend,
// project ...) one at a time; only the nodes that need the whole table
// (sort, summarize, join, top, distinct) hold rows.
type node interface {
	columns() []data.Column
	// run pushes every output row to emit. The row passed to emit is only
	// valid during the call; a consumer that keeps it must clone it.
	run(rs *runState, emit func(data.Row) error) error
}

// runState is shared by every node and expression of one Run.
type runState struct {
	ctx context.Context
	now int64
	// mu guards memo and err: a reader may run a scan's filters in
	// several goroutines (data.ScanSpec.NewFilter).
	mu   sync.Mutex
	memo map[any]any // materialize() results and toscalar() values, by node
	err  error       // the first error raised inside an expression
	// timeFilteredAll is set when a where using ago() or now() dropped
	// every row it saw.
	timeFilteredAll bool
	// share, when set, lets the run's first scan join a shared pass over
	// its source (multiscan.go).
	share *shareHook
}

func newRunState(ctx context.Context, now int64) *runState {
	if ctx == nil {
		ctx = context.Background()
	}
	return &runState{ctx: ctx, now: now, memo: map[any]any{}}
}

// fail records an error raised where an expression cannot return one
// (a toscalar() subquery); the statement fails with it when it ends.
func (rs *runState) fail(err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.err == nil {
		rs.err = err
	}
}

// memoized returns the value kept for key, if any.
func (rs *runState) memoized(key any) (any, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	v, ok := rs.memo[key]
	return v, ok
}

// remember keeps v for key. Two goroutines may compute the same value at
// once; both computed it from the same inputs, so either may be kept.
func (rs *runState) remember(key, v any) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.memo[key] = v
}

// errStop is returned by an emit function to stop a scan early (take has
// all it needs). It is not an error to the caller.
var errStop = errors.New("stop")

// plan is one tabular statement, ready to run.
type plan struct {
	root   node
	render string
	now    int64
}

func (p *plan) run(ctx context.Context, share *shareHook, onRow func([]data.Column, data.Row)) (*Result, error) {
	rs := newRunState(ctx, p.now)
	rs.share = share
	t, err := collectEach(rs, p.root, onRow)
	if err == nil {
		err = rs.err
	}
	if err != nil {
		return nil, err
	}
	t.Name = "PrimaryResult"
	return &Result{Table: t, Render: p.render, TimeFilterRemovedAll: len(t.Rows) == 0 && rs.timeFilteredAll}, nil
}

// collect runs a node and materialises its output.
func collect(rs *runState, n node) (*data.Table, error) {
	return collectEach(rs, n, nil)
}

// collectEach is collect that also hands each row, once held, to onRow.
func collectEach(rs *runState, n node, onRow func([]data.Column, data.Row)) (*data.Table, error) {
	t := &data.Table{Columns: n.columns()}
	err := n.run(rs, func(r data.Row) error {
		if len(t.Rows) >= MaxHeldRows {
			return fmt.Errorf("the result holds more than %d rows; narrow the query (where, take, summarize)", MaxHeldRows)
		}
		t.Rows = append(t.Rows, r.Clone())
		if onRow != nil {
			onRow(t.Columns, t.Rows[len(t.Rows)-1])
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return t, nil
}

// heldRowsError is the error of an operator that would hold too many rows.
func heldRowsError(op string) error {
	return fmt.Errorf("%s would hold more than %d rows in memory; filter or summarize first", op, MaxHeldRows)
}

// scanNode reads a source table.
type scanNode struct {
	src  data.Source
	cols []data.Column
	need []bool // columns the query reads after the filters; nil: all
	// Pushed-down where predicates, the columns they read, and the
	// literals a matching row must contain (pushdown.go), and the same
	// per column (needles.go).
	filters    []scanFilter
	filterNeed []bool
	literals   []string
	needles    []data.Needle
	// chain is a pure pipeline above the scan that its filter also runs
	// (chain.go).
	chain []chainStep
}

func (n *scanNode) columns() []data.Column { return n.cols }

func (n *scanNode) run(rs *runState, emit func(data.Row) error) error {
	var err error
	if rs.share.take(n) {
		err = rs.share.join(n, rs, emit)
	} else if rs.share != nil && rs.share.recordOnly {
		err = errNotDeferred
	} else {
		err = n.runSpec(rs, emit)
	}
	if err == errStop {
		return nil
	}
	return err
}

// tableNode serves a materialised table (datatable, print, results).
type tableNode struct {
	t *data.Table
}

func (n *tableNode) columns() []data.Column { return n.t.Columns }

func (n *tableNode) run(rs *runState, emit func(data.Row) error) error {
	for i, r := range n.t.Rows {
		if i&1023 == 0 {
			if err := rs.ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// lazyTableNode computes its table on first use within a run (print of
// row-independent expressions that need the run state, materialize()).
type lazyTableNode struct {
	cols  []data.Column
	build func(rs *runState) (*data.Table, error)
}

func (n *lazyTableNode) columns() []data.Column { return n.cols }

func (n *lazyTableNode) run(rs *runState, emit func(data.Row) error) error {
	m, _ := rs.memoized(n)
	t, ok := m.(*data.Table)
	if !ok {
		var err error
		t, err = n.build(rs)
		if err != nil {
			return err
		}
		rs.remember(n, t)
	}
	return (&tableNode{t: t}).run(rs, emit)
}

// filterNode is where.
type filterNode struct {
	in   node
	pred predFn
	// timeFilter marks a where whose predicate uses ago() or now(): when
	// it drops every row it sees, the result says so, since exports are
	// often read long after they were taken.
	timeFilter bool
	pure       bool   // a pure predicate, not a time filter (chain.go)
	reads      []bool // the input columns pred reads; nil: unknown
}

func (n *filterNode) columns() []data.Column { return n.in.columns() }

func (n *filterNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	var seen, kept int64
	err := n.in.run(rs, func(r data.Row) error {
		rc.row = r
		seen++
		if n.pred(rc) {
			kept++
			return emit(r)
		}
		return nil
	})
	if n.timeFilter && seen > 0 && kept == 0 {
		rs.timeFilteredAll = true
	}
	return err
}

// projectNode computes a new row from each input row: project, extend,
// project-away, project-rename, project-reorder and friends all compile to
// one of these. Columns taken over unchanged (from[i] >= 0) are copied, not
// evaluated: an extend of one column over a 40-column export would
// otherwise call 40 closures a row, and a leading run of them in their
// input order is one copy.
type projectNode struct {
	in    node
	cols  []data.Column
	exprs []evalFn
	from  []int  // the input column out[i] copies, or -1: exprs[i] computes it; nil: all computed
	pure  bool   // computing it twice gives the same row (chain.go)
	reads []bool // the input columns exprs read (those from copies aside); nil: unknown
}

func (n *projectNode) columns() []data.Column { return n.cols }

func (n *projectNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	out := make(data.Row, len(n.exprs))
	prefix := n.copiedPrefix()
	return n.in.run(rs, func(r data.Row) error {
		rc.row = r
		n.project(out, rc, prefix)
		return emit(out)
	})
}

// copiedPrefix is the length of the leading run of columns copied from
// the same places of the input row.
func (n *projectNode) copiedPrefix() int {
	prefix := 0
	for prefix < len(n.from) && n.from[prefix] == prefix {
		prefix++
	}
	return prefix
}

// project fills out from rc.row; prefix is copiedPrefix().
func (n *projectNode) project(out data.Row, rc *rowCtx, prefix int) {
	r := rc.row
	copy(out[:prefix], r[:prefix])
	for i := prefix; i < len(out); i++ {
		if i < len(n.from) && n.from[i] >= 0 {
			out[i] = r[n.from[i]]
		} else {
			out[i] = n.exprs[i](rc)
		}
	}
}

// takeNode is take / limit.
type takeNode struct {
	in node
	n  int64
}

func (n *takeNode) columns() []data.Column { return n.in.columns() }

func (n *takeNode) run(rs *runState, emit func(data.Row) error) error {
	if n.n <= 0 {
		return nil
	}
	var seen int64
	err := n.in.run(rs, func(r data.Row) error {
		if err := emit(r); err != nil {
			return err
		}
		seen++
		if seen >= n.n {
			return errStop
		}
		return nil
	})
	if err == errStop {
		return nil
	}
	return err
}

// countNode is the count operator.
type countNode struct{ in node }

func (n *countNode) columns() []data.Column {
	return []data.Column{{Name: "Count", Type: data.Long}}
}

func (n *countNode) run(rs *runState, emit func(data.Row) error) error {
	var c int64
	if err := n.in.run(rs, func(data.Row) error { c++; return nil }); err != nil {
		return err
	}
	return emit(data.Row{data.NewLong(c)})
}

// rangeNode is the range operator.
type rangeNode struct {
	col            data.Column
	from, to, step *cexpr
}

func (n *rangeNode) columns() []data.Column { return []data.Column{n.col} }

func (n *rangeNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	from, to, step := n.from.eval(rc), n.to.eval(rc), n.step.eval(rc)
	if from.IsNull() || to.IsNull() || step.IsNull() {
		return nil
	}
	row := make(data.Row, 1)
	cur := from
	for i := 0; ; i++ {
		if i >= MaxRangeRows {
			return fmt.Errorf("range would produce more than %d rows", MaxRangeRows)
		}
		c, ok := compareValues(cur, to)
		if !ok {
			return nil
		}
		stepSign, _ := compareValues(step, zeroLike(step))
		if (stepSign > 0 && c > 0) || (stepSign < 0 && c < 0) || stepSign == 0 && i > 0 {
			return nil
		}
		row[0] = convertTo(cur, n.col.Type)
		if err := emit(row); err != nil {
			return err
		}
		cur = arith('+', cur, step)
		if cur.IsNull() {
			return nil
		}
		if i&1023 == 0 {
			if err := rs.ctx.Err(); err != nil {
				return err
			}
		}
	}
}

func zeroLike(v data.Value) data.Value {
	switch v.K {
	case data.KReal, data.KDecimal:
		return data.NewReal(0)
	case data.KTimeSpan:
		return data.NewTimeSpan(0)
	}
	return data.NewLong(0)
}
