package kql

import (
	"context"
	"fmt"
	"reflect"

	"offhunt/detect/data"
)

// This file runs several programs in one pass over their inputs: a rule
// pack of N rules reads each export once, not N times.
//
// Plans are push-based: a program's scan calls its source with an emit
// function that carries each row up through the program's pipeline, and
// returns when the source is exhausted. Running programs together rests on
// that. The programs are started one after another; when a program's
// first scan is invoked, the scan does not read its source but registers
// the program's emit function with a shared scan of that source and starts
// the next program from inside the call, so the program waits, suspended on
// the stack, in its own scan. When every program is waiting (or has ended
// without reading anything), each source is read once and every row is
// handed to each waiting program's own filters and emit function in turn.
// Then the scans return, innermost first, and each program finishes its
// pipeline (sort, summarize, results) as if it had read the source alone.
// There are no goroutines and no copies of rows: a row is valid during the
// emit calls, as it always was.
//
// Only a program's first scan joins the shared pass; a further scan of the
// same program (the other side of a self-join, a toscalar subquery) reads
// its source on its own, as it would without sharing.

// MaxSharedPrograms bounds the programs that wait on the stack for one
// pass; a larger set is run in several passes.
const MaxSharedPrograms = 256

// ProgramSet is a set of compiled programs that run in one pass over their
// inputs. Each program keeps its own results, Explain and time-filter
// notice; running the set gives the same results as running each program
// on its own.
type ProgramSet struct {
	progs []*Program
	onRow func(prog int) RowFunc
}

// SetError is the error of one program of a set.
type SetError struct {
	Index int // the program's index in the set
	Err   error
}

func (e *SetError) Error() string { return fmt.Sprintf("query %d: %v", e.Index+1, e.Err) }
func (e *SetError) Unwrap() error { return e.Err }

// NewProgramSet groups compiled programs so that they run in one pass.
// Programs compiled against different environments may be grouped: scans
// are shared by source, whatever environment names it.
func NewProgramSet(progs ...*Program) *ProgramSet {
	return &ProgramSet{progs: append([]*Program(nil), progs...)}
}

// CompileSet compiles several queries against one environment. The error
// of a query that does not compile is a *SetError wrapping the
// *syntax.Error.
func CompileSet(srcs []string, env *Env) (*ProgramSet, error) {
	s := &ProgramSet{}
	for i, src := range srcs {
		p, err := Compile(src, env)
		if err != nil {
			return nil, &SetError{Index: i, Err: err}
		}
		s.progs = append(s.progs, p)
	}
	return s, nil
}

// Stream makes the set's runs hand each result row to fn as it is
// produced (see RowFunc); prog is the program's index in the set. fn is
// called on the goroutine that runs the set.
func (s *ProgramSet) Stream(fn func(prog, stmt int, cols []data.Column, row data.Row)) {
	if fn == nil {
		s.onRow = nil
		return
	}
	s.onRow = func(prog int) RowFunc {
		return func(stmt int, cols []data.Column, row data.Row) { fn(prog, stmt, cols, row) }
	}
}

// Programs returns the set's programs, in order.
func (s *ProgramSet) Programs() []*Program { return s.progs }

// Run runs every program in one pass and returns each program's results,
// in the set's order. The first program that fails fails the run with a
// *SetError.
func (s *ProgramSet) Run(ctx context.Context) ([][]*Result, error) {
	results, errs := s.RunEach(ctx)
	for i, err := range errs {
		if err != nil {
			return nil, &SetError{Index: i, Err: err}
		}
	}
	return results, nil
}

// RunEach runs every program in one pass and returns each program's
// results or error: one program's failure does not stop the others.
func (s *ProgramSet) RunEach(ctx context.Context) ([][]*Result, []error) {
	if ctx == nil {
		ctx = context.Background()
	}
	results := make([][]*Result, len(s.progs))
	errs := make([]error, len(s.progs))
	for lo := 0; lo < len(s.progs); lo += MaxSharedPrograms {
		hi := min(lo+MaxSharedPrograms, len(s.progs))
		x := &setRun{ctx: ctx, progs: s.progs[lo:hi], results: results[lo:hi], errs: errs[lo:hi], base: lo, onRow: s.onRow}
		x.runFrom(0)
	}
	return results, errs
}

// shareHook lets the first scan of one program's run join the shared pass.
type shareHook struct {
	used bool
	join func(n *scanNode, rs *runState, emit func(data.Row) error) error
	// recordOnly fails any scan of the run but the one that joins: a
	// program recording for a late now (latenow.go) must read nothing
	// with the now it was compiled with.
	recordOnly bool
}

// take reports whether scan n may join the pass, and marks the hook used.
func (h *shareHook) take(n *scanNode) bool {
	if h == nil || h.used || !shareable(n.src) {
		return false
	}
	h.used = true
	return true
}

// shareable reports whether a source can be recognised again by identity.
func shareable(src data.Source) bool {
	return src != nil && reflect.TypeOf(src).Comparable()
}

// setRun is one pass of a set.
type setRun struct {
	ctx     context.Context
	progs   []*Program
	results [][]*Result
	errs    []error
	scans   []*sharedScan
	base    int                    // index of progs[0] in the set
	onRow   func(prog int) RowFunc // nil unless the set streams
	// late: now is learnt by this pass; programs that read it record
	// (latenow.go), and recs holds their recordings (nil: run again).
	late   bool
	recs   []*recording
	budget *deferBudget // what the recordings may still hold
}

// runFrom starts program i; the programs after it are started from inside
// its first scan, or after it when it ends without one. The last one
// started reads the sources.
func (x *setRun) runFrom(i int) {
	if i == len(x.progs) {
		for _, s := range x.scans {
			s.run(x.ctx)
		}
		return
	}
	if x.late && x.progs[i].UsesNow() {
		x.runRecording(i)
		return
	}
	joined := false
	hook := &shareHook{join: func(n *scanNode, rs *runState, emit func(data.Row) error) error {
		joined = true
		c := &consumer{n: n, rs: rs, emit: emit}
		x.scanOf(n.src).cons = append(x.scanOf(n.src).cons, c)
		x.runFrom(i + 1)
		return c.err
	}}
	var onRow RowFunc
	if x.onRow != nil {
		onRow = x.onRow(x.base + i)
	}
	x.results[i], x.errs[i] = x.progs[i].run(x.ctx, hook, onRow)
	if !joined {
		x.runFrom(i + 1)
	}
}

func (x *setRun) scanOf(src data.Source) *sharedScan {
	for _, s := range x.scans {
		if s.src == src {
			return s
		}
	}
	s := &sharedScan{src: src}
	x.scans = append(x.scans, s)
	return s
}

// sharedScan is one physical read of a source for every program waiting
// on it.
type sharedScan struct {
	src  data.Source
	cons []*consumer
}

// consumer is one program's scan waiting in a shared scan.
type consumer struct {
	n    *scanNode
	rs   *runState
	emit func(data.Row) error
	// match evaluates the scan's pushed-down filters without counting;
	// nil when it has none.
	match func(data.Row) bool
	done  bool
	err   error
	// rec, when set, records the rows instead of emitting them (latenow.go).
	rec *recording
}

// deliver hands one row to the consumer: its own filters, then its
// pipeline. A panic ends this consumer only.
func (c *consumer) deliver(r data.Row) {
	defer func() {
		if p := recover(); p != nil {
			c.done, c.err = true, fmt.Errorf("internal error while running the query: %v", p)
		}
	}()
	if c.match != nil && !c.match(r) {
		return
	}
	if c.rec != nil {
		if !c.rec.addRow(r) {
			c.done = true
		}
		return
	}
	if err := c.emit(r); err != nil {
		c.done = true
		if err != errStop {
			c.err = err
		}
	}
}

func (s *sharedScan) run(ctx context.Context) {
	if len(s.cons) == 1 && s.cons[0].rec == nil {
		c := s.cons[0]
		c.err = protect(func() error { return c.n.runSpec(c.rs, c.emit) })
		return
	}
	for _, c := range s.cons {
		c.n.resetFilterCounts()
	}
	err := protect(func() error { return s.read(ctx) })
	for _, c := range s.cons {
		if !c.done {
			c.done, c.err = true, err
		}
		c.n.noteTimeFilter(c.rs)
	}
}

// read reads the source once. The physical scan decodes the union of the
// columns the consumers read; its filter accepts a row that some
// consumer's filters accept (counting each filter's rows, for the
// time-filter notice), and its literals and needles are the union of the
// consumers' when every consumer has some. Each row it emits is dispatched to every
// consumer, which applies its own filters again (without counting).
func (s *sharedScan) read(ctx context.Context) error {
	var need []bool
	all := false
	filtered := true
	for _, c := range s.cons {
		n := mergeNeed(c.n.need, c.n.filterNeed)
		if n == nil {
			all = true
		} else if !all {
			need = mergeNeed(n, need)
		}
		if len(c.n.filters) == 0 && len(c.n.chain) == 0 {
			filtered = false
		}
	}
	if all {
		need = nil
	}
	for _, c := range s.cons {
		if c.rec != nil {
			c.match = c.n.recordMatcher(c.rs, nil, c.rec.filter, c.rec.col)
		} else if len(c.n.filters) > 0 {
			c.match = c.n.matcher(c.rs, false, false)
		}
	}
	emit := func(r data.Row) error {
		live := false
		for _, c := range s.cons {
			if !c.done {
				c.deliver(r)
				live = live || !c.done
			}
		}
		if !live {
			return errStop
		}
		return nil
	}
	var err error
	if ss, ok := s.src.(data.SpecSource); ok {
		spec := data.ScanSpec{Need: need}
		if filtered {
			spec.FilterNeed = make([]bool, len(s.cons[0].n.cols))
			var lits []string
			withLits := true
			needles, withNeedles := []data.Needle{}, true
			filterAll := false
			for _, c := range s.cons {
				if c.n.needles == nil {
					withNeedles = false
				}
				needles = mergeNeedles(needles, c.n.needles)
				if c.n.filterNeed == nil {
					filterAll = true // a chain that reads every column
				}
				for i, b := range c.n.filterNeed {
					if b && i < len(spec.FilterNeed) {
						spec.FilterNeed[i] = true
					}
				}
				if c.n.literals == nil {
					withLits = false
				}
				lits = append(lits, c.n.literals...)
			}
			if filterAll {
				spec.FilterNeed = nil
			}
			if withLits {
				spec.Literals = dedupStrings(lits)
			}
			if withNeedles {
				spec.Needles = needles
			}
			spec.NewFilter = func() func(data.Row) bool {
				ms := make([]func(data.Row) bool, len(s.cons))
				for i, c := range s.cons {
					if c.rec != nil {
						ms[i] = c.n.recordMatcher(c.rs, c.rec, c.rec.filter, c.rec.col)
						continue
					}
					ms[i] = c.n.matcher(c.rs, true, true)
				}
				return func(r data.Row) bool {
					ok := false
					for _, m := range ms {
						// Every consumer's filters see the row, so that
						// each counts it as a scan of its own would.
						if m(r) {
							ok = true
						}
					}
					return ok
				}
			}
		}
		err = ss.ScanSpec(ctx, spec, emit)
	} else {
		for _, c := range s.cons {
			if c.rec != nil {
				c.match = c.n.recordMatcher(c.rs, c.rec, c.rec.filter, c.rec.col)
			} else if len(c.n.filters) > 0 || len(c.n.chain) > 0 {
				c.match = c.n.matcher(c.rs, true, true)
			}
		}
		err = s.src.Scan(ctx, need, emit)
	}
	if err == errStop {
		return nil
	}
	return err
}

// matcher returns the scan's pushed-down filters as one predicate for one
// goroutine; count makes it count rows for the time-filter notice, and
// chain makes it run the pushed chain too (chain.go).
func (n *scanNode) matcher(rs *runState, count, chain bool) func(data.Row) bool {
	rc := &rowCtx{run: rs}
	var rest func(data.Row) bool
	if chain {
		rest = n.chainFilter(rs)
	}
	return func(r data.Row) bool {
		rc.row = r
		for _, f := range n.filters {
			if count && f.seen != nil {
				f.seen.Add(1)
			}
			if !f.pred(rc) {
				return false
			}
			if count && f.kept != nil {
				f.kept.Add(1)
			}
		}
		return rest == nil || rest(r)
	}
}

func (n *scanNode) resetFilterCounts() {
	for _, f := range n.filters {
		if f.seen != nil {
			f.seen.Store(0)
			f.kept.Store(0)
		}
	}
}

// noteTimeFilter sets the run's time-filter notice when a pushed-down
// where using ago() or now() saw rows and kept none.
func (n *scanNode) noteTimeFilter(rs *runState) {
	for _, f := range n.filters {
		if f.seen != nil && f.seen.Load() > 0 && f.kept.Load() == 0 {
			rs.timeFilteredAll = true
		}
	}
}

// protect runs f, turning a panic into an error.
func protect(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error while running the query: %v", p)
		}
	}()
	err = f()
	if err == errStop {
		err = nil
	}
	return err
}

func dedupStrings(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
