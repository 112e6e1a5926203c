package kql

import (
	"context"
	"errors"
	"sync"

	"offhunt/detect/data"
)

// This file runs programs whose now is learnt only by reading their
// inputs (now = the newest event), in the pass that learns it.
//
// A program that reads now only in one time filter pushed into its scan
// (`DeviceProcessEvents | where Timestamp > ago(90d) | where ...`, the
// usual shape of a hunting rule) joins the pass with that filter set
// aside: it records the rows its other filters keep and, for the
// time-filter notice, the event times of the rows that reach the time
// filter. When the pass is over and now is known, the program is compiled
// again with it and run over its recorded rows, which the time filter now
// sees. A program of another shape, or one that would record too much, is
// run again from its sources once now is known, as it always was.

// Limits of what the programs of one pass record, together: a program
// whose recording would pass them reads its source again instead.
const (
	// MaxDeferredRowBytes bounds the rows recorded (about the bytes of
	// their values).
	MaxDeferredRowBytes = 64 << 20
	// MaxDeferredTimes bounds the event times recorded for the notice.
	MaxDeferredTimes = 4 << 20
)

// The limits in force; tests lower them to see a recording overflow.
var maxDeferredRowBytes, maxDeferredTimes = MaxDeferredRowBytes, MaxDeferredTimes

// deferBudget is what the recordings of one pass may still hold.
type deferBudget struct {
	mu       sync.Mutex
	rowBytes int
	times    int
}

// take reserves rowBytes and times, or reports false when they do not fit.
func (b *deferBudget) take(rowBytes, times int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rowBytes+rowBytes > maxDeferredRowBytes || b.times+times > maxDeferredTimes {
		return false
	}
	b.rowBytes += rowBytes
	b.times += times
	return true
}

// give returns what a recording that overflowed held.
func (b *deferBudget) give(rowBytes, times int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rowBytes -= rowBytes
	b.times -= times
}

// errNotDeferred ends the recording run of a program that cannot be run
// over recorded rows; it runs again from its sources.
var errNotDeferred = errors.New("kql: the program reads its sources once now is known")

// recording is what a program recorded during the pass.
type recording struct {
	filter int // index of the time filter among the scan's filters
	col    int // the column it reads
	budget *deferBudget

	rows     []data.Row
	rowBytes int // the budget the rows hold

	mu       sync.Mutex // times and nulls are recorded by the reader's goroutines
	times    []int64
	nulls    bool
	reached  bool
	overflow bool
}

// usable reports whether the recording holds everything the replay needs.
func (r *recording) usable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.overflow
}

// addTime records the event time of a row that reached the time filter.
func (r *recording) addTime(v data.Value) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reached = true
	if v.K != data.KDateTime {
		r.nulls = true
		return
	}
	if n := len(r.times); n > 0 && r.times[n-1] == v.I {
		return // runs of one time are common; one is enough
	}
	if !r.budget.take(0, 1) {
		r.overflow = true
		return
	}
	r.times = append(r.times, v.I)
}

// addRow records a row the program's other filters kept. It reports
// false once the recording is too big to be of use.
func (r *recording) addRow(row data.Row) bool {
	r.mu.Lock()
	over := r.overflow
	r.mu.Unlock()
	if over {
		return false
	}
	size := 0
	for _, v := range row {
		size += 40 + len(v.S)
	}
	if !r.budget.take(size, 0) {
		r.mu.Lock()
		r.overflow = true
		r.mu.Unlock()
		r.budget.give(r.rowBytes, 0)
		r.rows, r.rowBytes = nil, 0
		return false
	}
	r.rowBytes += size
	r.rows = append(r.rows, row.Clone())
	return true
}

// lateTimeFilter finds the scan's one time filter when it holds all of the
// program's nowCalls calls of now() and ago() and reads one datetime
// column: the shape a recording can replay.
func (n *scanNode) lateTimeFilter(nowCalls int) (int, bool) {
	idx := -1
	for i, f := range n.filters {
		if f.timeFilter {
			if idx >= 0 {
				return -1, false
			}
			idx = i
		}
	}
	if idx < 0 {
		return -1, false
	}
	f := n.filters[idx]
	if f.nowCalls != nowCalls || len(f.reads) != 1 || n.cols[f.reads[0]].Type != data.DateTime {
		return -1, false
	}
	return idx, true
}

// recordMatcher is the scan's filter during a recording: the time filter
// is set aside (its column's value recorded when rec is set) and the other
// filters and the chain decide.
func (n *scanNode) recordMatcher(rs *runState, rec *recording, filter, col int) func(data.Row) bool {
	rc := &rowCtx{run: rs}
	rest := n.chainFilter(rs)
	return func(r data.Row) bool {
		rc.row = r
		for i, f := range n.filters {
			if i == filter {
				if rec != nil {
					rec.addTime(r[col])
				}
				continue
			}
			if !f.pred(rc) {
				return false
			}
		}
		return rest == nil || rest(r)
	}
}

// replay runs a scan over the rows recorded for it: the time filter's
// notice from the recorded times, then the rows through all its filters.
func (r *recording) replay(n *scanNode, rs *runState, emit func(data.Row) error) error {
	f := n.filters[r.filter]
	if r.reached {
		kept := false
		row := make(data.Row, len(n.cols))
		rc := &rowCtx{run: rs, row: row}
		if r.nulls {
			kept = f.pred(rc)
		}
		for _, t := range r.times {
			if kept {
				break
			}
			row[r.col] = data.NewDateTime(t)
			kept = f.pred(rc)
		}
		if !kept {
			rs.timeFilteredAll = true
		}
	}
	m := n.matcher(rs, false, true)
	for i, row := range r.rows {
		if i&1023 == 0 {
			if err := rs.ctx.Err(); err != nil {
				return err
			}
		}
		if !m(row) {
			continue
		}
		if err := emit(row); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	return nil
}

// runRecording runs program i of a late-now pass in recording mode, and
// the programs after it from inside its scan.
func (x *setRun) runRecording(i int) {
	p := x.progs[i]
	joined := false
	var rec *recording
	hook := &shareHook{recordOnly: true}
	hook.join = func(n *scanNode, rs *runState, emit func(data.Row) error) error {
		joined = true
		filter, ok := n.lateTimeFilter(p.nowCalls)
		if !ok || len(p.stmts) != 1 {
			x.runFrom(i + 1)
			return errNotDeferred
		}
		rec = &recording{filter: filter, col: n.filters[filter].reads[0], budget: x.budget}
		c := &consumer{n: n, rs: rs, emit: emit, rec: rec}
		x.scanOf(n.src).cons = append(x.scanOf(n.src).cons, c)
		x.runFrom(i + 1)
		return c.err
	}
	_, err := p.run(x.ctx, hook, nil)
	if !joined {
		x.runFrom(i + 1)
	}
	if err == nil && rec != nil && rec.usable() {
		x.recs[i] = rec
	}
}

// RunEachLateNow runs the set in one pass when now is the newest event of
// the inputs, known only once they are read. The programs that do not
// read now run as in RunEach; those that do record what they need (see
// above). When the pass is over, resolveNow gives now (and may read the
// inputs still unread); each program that reads now is compiled again
// with it and run over its recording, or, when it could not record, from
// its sources in one further pass. Results are those RunEach gives with
// the programs compiled with that now; Programs returns the programs as
// they finally ran.
func (s *ProgramSet) RunEachLateNow(ctx context.Context, resolveNow func() (int64, error)) ([][]*Result, []error, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	results := make([][]*Result, len(s.progs))
	errs := make([]error, len(s.progs))
	if len(s.progs) == 0 {
		_, err := resolveNow()
		return results, errs, err
	}
	for lo := 0; lo < len(s.progs); lo += MaxSharedPrograms {
		hi := min(lo+MaxSharedPrograms, len(s.progs))
		x := &setRun{ctx: ctx, progs: s.progs[lo:hi], results: results[lo:hi], errs: errs[lo:hi], base: lo, onRow: s.onRow,
			late: true, recs: make([]*recording, hi-lo), budget: &deferBudget{}}
		x.runFrom(0)
		now, err := resolveNow()
		if err != nil {
			return nil, nil, err
		}
		var again []*Program
		var againAt []int
		for k := lo; k < hi; k++ {
			p := s.progs[k]
			if !p.UsesNow() {
				continue
			}
			env := Env{}
			if p.env != nil {
				env = *p.env
			}
			env.Now = now
			q, err := Compile(p.src, &env)
			if err != nil {
				results[k], errs[k] = nil, err
				continue
			}
			s.progs[k] = q
			var onRow RowFunc
			if s.onRow != nil {
				onRow = s.onRow(k)
			}
			if rec := x.recs[k-lo]; rec != nil {
				hook := &shareHook{join: func(n *scanNode, rs *runState, emit func(data.Row) error) error {
					if filter, ok := n.lateTimeFilter(q.nowCalls); !ok || filter != rec.filter {
						return n.runSpec(rs, emit) // not the scan recorded: read it
					}
					return rec.replay(n, rs, emit)
				}}
				results[k], errs[k] = q.run(ctx, hook, onRow)
				continue
			}
			again, againAt = append(again, q), append(againAt, k)
		}
		if len(again) > 0 {
			y := &setRun{ctx: ctx, progs: again, results: make([][]*Result, len(again)), errs: make([]error, len(again))}
			if s.onRow != nil {
				y.onRow = func(j int) RowFunc { return s.onRow(againAt[j]) }
			}
			y.runFrom(0)
			for j, k := range againAt {
				results[k], errs[k] = y.results[j], y.errs[j]
			}
		}
	}
	return results, errs, nil
}
