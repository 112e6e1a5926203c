package kql

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

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

// deferBudget is what the recordings of one pass hold, together. It is
// counted with atomics: the reader's goroutines record event times at once.
type deferBudget struct {
	rowBytes atomic.Int64
	times    atomic.Int64
}

// take reserves rowBytes and times, or reports false when they do not fit.
func (b *deferBudget) take(rowBytes, times int) bool {
	if b.rowBytes.Add(int64(rowBytes)) > int64(maxDeferredRowBytes) || b.times.Add(int64(times)) > int64(maxDeferredTimes) {
		b.give(rowBytes, times)
		return false
	}
	return true
}

// give returns what take reserved.
func (b *deferBudget) give(rowBytes, times int) {
	b.rowBytes.Add(-int64(rowBytes))
	b.times.Add(-int64(times))
}

// errNotDeferred ends the recording run of a program that cannot be run
// over recorded rows; it runs again from its sources.
var errNotDeferred = errors.New("kql: the program reads its sources once now is known")

// recording is what a program recorded during the pass.
type recording struct {
	filter int // index of the time filter among the scan's filters
	col    int // the column it reads
	budget *deferBudget

	rows     []data.Row // recorded by the goroutine that emits rows
	rowBytes int        // the budget the rows hold

	mu       sync.Mutex  // guards slots
	slots    []*timeSlot // one per goroutine of the reader
	overflow atomic.Bool
}

// timeSlot holds the event times one of the reader's goroutines saw reach
// the time filter, so that recording one takes no lock.
type timeSlot struct {
	times   []int64
	nulls   bool // a row whose time was null reached it
	reached bool
}

// slot gives a goroutine of the reader its own timeSlot.
func (r *recording) slot() *timeSlot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &timeSlot{}
	r.slots = append(r.slots, s)
	return s
}

// usable reports whether the recording holds everything the replay needs.
func (r *recording) usable() bool { return !r.overflow.Load() }

// addTime records the event time of a row that reached the time filter.
func (r *recording) addTime(s *timeSlot, v data.Value) {
	s.reached = true
	if v.K != data.KDateTime {
		s.nulls = true
		return
	}
	if n := len(s.times); n > 0 && s.times[n-1] == v.I || r.overflow.Load() {
		return // runs of one time are common; one is enough
	}
	if !r.budget.take(0, 1) {
		r.overflow.Store(true)
		return
	}
	s.times = append(s.times, v.I)
}

// addRow records a row the program's other filters kept. It reports
// false once the recording is too big to be of use.
func (r *recording) addRow(row data.Row) bool {
	if r.overflow.Load() {
		r.free()
		return false
	}
	size := 0
	for _, v := range row {
		size += 40 + len(v.S)
	}
	if !r.budget.take(size, 0) {
		r.overflow.Store(true)
		r.free()
		return false
	}
	r.rowBytes += size
	r.rows = append(r.rows, row.Clone())
	return true
}

// free gives back the rows of a recording that overflowed.
func (r *recording) free() {
	r.budget.give(r.rowBytes, 0)
	r.rows, r.rowBytes = nil, 0
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
	var slot *timeSlot
	if rec != nil {
		slot = rec.slot()
	}
	return func(r data.Row) bool {
		rc.row = r
		for i, f := range n.filters {
			if i == filter {
				if rec != nil {
					rec.addTime(slot, r[col])
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
	reached, kept := false, false
	row := make(data.Row, len(n.cols))
	rc := &rowCtx{run: rs, row: row}
	for _, s := range r.slots {
		reached = reached || s.reached
		if s.nulls && !kept {
			row[r.col] = data.Null
			kept = f.pred(rc)
		}
		for _, t := range s.times {
			if kept {
				break
			}
			row[r.col] = data.NewDateTime(t)
			kept = f.pred(rc)
		}
	}
	if reached && !kept {
		rs.timeFilteredAll = true
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
