package logs

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"offhunt/detect/data"
)

// This file reads a CSV input with every core. One goroutine, the
// splitter, reads the text and cuts it into batches of whole records at
// line breaks outside quotes; worker goroutines split each batch into rows,
// check them for the report, apply the prefilters and the query's filter
// (one filter per worker, as data.ScanSpec allows) and convert the rows it
// keeps; the calling goroutine hands the kept rows to the engine batch
// after batch, in the order of the input, so that results, line numbers
// and the report are those of a sequential scan.
//
// The splitter tells a line break inside quotes from one between records by
// counting quotes, which is exact for RFC 4180 text. A worker checks its
// cut: its batch must end exactly where its last record ends. Where it
// does not (broken quoting in the input), or where a record is longer than
// MaxLineBytes, the batch and everything after it are read by the
// sequential reader instead, which reports such records as it always has.
// Nothing is lost or read twice.

// scanWorkers is the number of worker goroutines of a parallel scan; 0
// means GOMAXPROCS. Below two, inputs are read sequentially (as in the
// browser, whose WebAssembly has one thread). Tests change it.
var scanWorkers = 0

// batchBytes is the size of the batches the splitter cuts (a record
// longer than that is a batch of its own). Tests make it small, so that
// small inputs are cut many times.
var batchBytes = chunkSize / 2

// batchesPerWorker bounds the batches in flight (read, being filtered or
// waiting to be emitted) per worker: memory stays a few chunks per core.
const batchesPerWorker = 3

func workerCount() int {
	if scanWorkers > 0 {
		return scanWorkers
	}
	return runtime.GOMAXPROCS(0)
}

// parallel reports whether the scan can be read in parallel: a plain CSV
// input (a mapped one computes columns from several fields; JSON and XML
// are not split yet) on more than one core.
func (s *scan) parallel() bool {
	_, csv := s.dec.(*csvDecoder)
	return csv && s.in.mapper == nil && s.disc == nil && workerCount() > 1
}

// csvBatch is a run of whole records cut from the input, and what a worker
// made of it.
type csvBatch struct {
	buf  *[]byte // owns text
	text []byte
	line int64 // the line the batch starts on
	last bool  // the input ends with it
	// stop means the splitter could not cut here (a record longer than
	// MaxLineBytes): the rest is read sequentially. err is a read error.
	stop bool
	err  error
	rawN int64 // bytes of the raw input read when the batch was cut
	done chan struct{}

	misaligned bool  // the batch does not end where its last record does
	panicked   error // a worker's panic, as an error
	records    int64
	st         stats
	kept       []int // offsets in slab of the rows the filter kept
	slab       []data.Value
	hashes     []data.EventHash
}

// freeBatches keeps batches, their buffers and slabs, between batches and
// scans. A sync.Pool would do, but the collector empties it at every cycle,
// and a fresh megabyte buffer must be zeroed: a bounded free list keeps a
// few (a few megabytes at most) for good.
var freeBatches = make(chan *csvBatch, 16)

// newBatch takes a free batch, or a new one, with a copy of text.
func newBatch(text []byte, line int64) *csvBatch {
	var b *csvBatch
	select {
	case b = <-freeBatches:
	default:
		b = new(csvBatch)
	}
	bufp := b.buf
	slab, kept, hashes := b.slab[:0], b.kept[:0], b.hashes[:0]
	*b = csvBatch{line: line, done: make(chan struct{}), slab: slab, kept: kept, hashes: hashes}
	if bufp == nil || cap(*bufp) < len(text) {
		nb := make([]byte, len(text), max(len(text), chunkSize))
		bufp = &nb
	}
	*bufp = (*bufp)[:len(text)]
	copy(*bufp, text)
	b.buf, b.text = bufp, *bufp
	return b
}

func (b *csvBatch) release() {
	clear(b.slab) // let the collector have the strings
	b.text = nil
	b.st = stats{}
	select {
	case freeBatches <- b:
	default:
	}
}

// quoteSplit finds the record boundaries of CSV text read piece by piece:
// line breaks outside quotes.
type quoteSplit struct {
	nl       byte
	quoting  bool
	inQuote  bool
	scanned  int // bytes of the window looked at
	boundary int // the end of the last whole record in the window (0: none)
}

// advance looks at the window's bytes after those already seen.
func (q *quoteSplit) advance(w []byte) {
	i := q.scanned
	for i < len(w) {
		if q.inQuote {
			k := bytes.IndexByte(w[i:], '"')
			if k < 0 {
				i = len(w)
				break
			}
			i += k + 1
			q.inQuote = false // a doubled quote closes and opens again
			continue
		}
		k := bytes.IndexByte(w[i:], q.nl)
		end := len(w)
		if k >= 0 {
			end = i + k
		}
		if q.quoting {
			if j := bytes.IndexByte(w[i:end], '"'); j >= 0 {
				i += j + 1
				q.inQuote = true
				continue
			}
		}
		if k < 0 {
			i = len(w)
			break
		}
		i = end + 1
		q.boundary = i
	}
	q.scanned = i
}

// cut forgets the first n bytes of the window (a boundary).
func (q *quoteSplit) cut(n int) {
	q.scanned -= n
	q.boundary = 0
}

// scanParallel reads the rest of s in parallel and emits the rows p keeps.
// It returns done false (and no error) when the rest must be read
// sequentially; s is then positioned where the sequential read goes on.
func (v *view) scanParallel(s *scan, p *rowPlan, newFilter func() func(data.Row) bool, hashed bool, emit func(data.Row, data.EventHash) error) (done bool, err error) {
	dec := s.dec.(*csvDecoder)
	cr := s.cr
	workers := workerCount()
	inFlight := workers * batchesPerWorker
	work := make(chan *csvBatch, inFlight)
	order := make(chan *csvBatch, inFlight)
	quit := make(chan struct{})
	var wg sync.WaitGroup

	// The splitter owns the chunk reader until it ends; progress is
	// reported from here instead, so that only one goroutine touches it.
	onRead := cr.onRead
	cr.onRead = func() error { return s.ctx.Err() }
	var unsent *csvBatch // cut but not queued when quit came: read sequentially too
	wg.Go(func() { unsent = v.split(s, dec, order, work, quit) })
	for range workers {
		wg.Go(func() {
			w := &batchWorker{v: v, s: s, p: p, dec: csvDecoder{d: dec.d, cols: dec.cols}, hashed: hashed}
			if newFilter != nil {
				w.filter = newFilter()
			}
			w.row = make(data.Row, len(v.cols))
			for b := range work {
				select {
				case <-quit:
				default:
					w.run(b)
				}
				close(b.done)
			}
		})
	}
	stopped := false
	shutdown := func() {
		if !stopped {
			stopped = true
			close(quit)
			wg.Wait()
			cr.onRead = onRead
		}
	}
	defer shutdown()

	ncols := len(v.cols)
	for b := range order {
		<-b.done
		switch {
		case b.panicked != nil:
			return true, b.panicked
		case b.err != nil:
			return true, s.wrapErr(b.err)
		case b.stop || b.misaligned:
			shutdown()
			v.resumeSequential(s, dec, b, order, unsent)
			return false, nil
		}
		s.st.merge(&b.st)
		s.n += b.records
		for k, off := range b.kept {
			var h data.EventHash
			if hashed {
				h = b.hashes[k]
			}
			if err := emit(b.slab[off:off+ncols], h); err != nil {
				b.release()
				return true, err
			}
			if k%ctxCheckRows == ctxCheckRows-1 {
				if err := s.ctx.Err(); err != nil {
					return true, err
				}
			}
		}
		s.progressAt(b.rawN, false)
		b.release()
		if err := s.ctx.Err(); err != nil {
			return true, err
		}
	}
	shutdown()
	s.finish()
	return true, nil
}

// split is the splitter: it cuts the text after dec's position into
// batches, sending each to order (for the emitter) and to work (for a
// worker), until the input ends, a batch cannot be cut, or quit. It
// returns the batch it had cut but not queued when quit came.
func (v *view) split(s *scan, dec *csvDecoder, order, work chan<- *csvBatch, quit <-chan struct{}) (unsent *csvBatch) {
	defer close(work)
	defer close(order)
	send := func(b *csvBatch) bool {
		select {
		case order <- b:
		case <-quit:
			unsent = b
			return false
		}
		if b.text == nil {
			close(b.done)
			return true
		}
		select {
		case work <- b:
			return true
		case <-quit:
			close(b.done)
			return false
		}
	}
	defer func() {
		if r := recover(); r != nil {
			b := &csvBatch{done: make(chan struct{}), err: fmt.Errorf("internal error while reading: %v", r)}
			send(b)
		}
	}()
	cr := s.cr
	q := quoteSplit{nl: dec.d.nl, quoting: dec.d.quoting}
	line := dec.line
	cutAt := func(n int) bool {
		w := cr.window()
		b := newBatch(w[:n], line)
		b.rawN = s.raw.n
		line += int64(bytes.Count(w[:n], []byte{dec.d.nl}))
		cr.consume(n)
		q.cut(n)
		return send(b)
	}
	for {
		if w := cr.window(); len(w) >= batchBytes || cr.eof {
			lim := min(len(w), batchBytes)
			q.advance(w[:lim])
			if q.boundary == 0 && lim < len(w) {
				q.advance(w) // a record longer than a batch
			}
			if q.boundary > 0 {
				if !cutAt(q.boundary) {
					return
				}
				continue
			}
			if cr.eof {
				if len(w) > 0 {
					b := newBatch(w, line)
					b.last, b.rawN = true, s.raw.n
					cr.consume(len(w))
					send(b)
				}
				return
			}
		}
		switch err := cr.more(); {
		case err == errRecordTooLong:
			send(&csvBatch{stop: true, line: line, done: make(chan struct{})})
			return
		case err != nil && err != io.EOF:
			send(&csvBatch{err: err, done: make(chan struct{})})
			return
		}
	}
}

// resumeSequential positions s to read on sequentially from batch b: the
// text of b and of the batches cut after it comes first, then what the
// chunk reader holds and the rest of the input.
func (v *view) resumeSequential(s *scan, dec *csvDecoder, b *csvBatch, order <-chan *csvBatch, unsent *csvBatch) {
	var pending [][]byte
	if len(b.text) > 0 {
		pending = append(pending, b.text)
	}
	for later := range order {
		if len(later.text) > 0 {
			pending = append(pending, later.text)
		}
	}
	if unsent != nil && len(unsent.text) > 0 {
		pending = append(pending, unsent.text)
	}
	old := s.cr
	rest := append([]byte(nil), old.window()...)
	readers := make([]io.Reader, 0, len(pending)+2)
	for _, t := range pending {
		readers = append(readers, bytes.NewReader(t))
	}
	readers = append(readers, bytes.NewReader(rest))
	if !old.eof {
		readers = append(readers, old.src)
	}
	old.release()
	s.cr = newChunkReader(io.MultiReader(readers...), s.beforeRead)
	dec.cr = s.cr
	dec.line = b.line
}

// batchWorker is one worker goroutine's state.
type batchWorker struct {
	v      *view
	s      *scan
	p      *rowPlan
	dec    csvDecoder
	rec    record
	conv   converter
	check  converter
	filter func(data.Row) bool
	row    data.Row
	hashed bool
}

// run splits, checks and filters the records of b.
func (w *batchWorker) run(b *csvBatch) {
	defer func() {
		if r := recover(); r != nil {
			b.panicked = fmt.Errorf("internal error while reading: %v", r)
		}
	}()
	g := w.v.in.groups[w.v.group]
	reporting := w.s.reporting
	text := b.text
	w.dec.line = b.line
	for off := 0; ; {
		st, n, lines, bad := w.dec.parseRow(text[off:], b.last)
		switch st {
		case rowEOF:
			return
		case rowNeedMore:
			b.misaligned = off < len(text)
			return
		case rowBlank:
			off += n
			w.dec.line += lines
			continue
		}
		rec := &w.rec
		rec.reset()
		w.dec.record(rec, w.dec.line, text[off:off+n], bad)
		w.dec.line += lines
		off += n
		b.records++
		if reporting {
			checkRecord(w.v.in, &b.st, &w.check, &w.conv, rec)
		}
		b.st.rows++
		if !w.p.take(rec, w.row, &w.conv, w.filter) {
			continue
		}
		// Only the columns the plan filled are copied: the others are
		// left null, as data.ScanSpec allows, and a wide export's rows
		// cost what the query reads.
		off := len(b.slab)
		b.kept = append(b.kept, off)
		b.slab = slices.Grow(b.slab, len(w.row))[:off+len(w.row)]
		clear(b.slab[off:])
		for _, i := range w.p.first {
			b.slab[off+i] = w.row[i]
		}
		for _, i := range w.p.then {
			b.slab[off+i] = w.row[i]
		}
		if w.hashed {
			b.hashes = append(b.hashes, eventHash(g, rec.fields))
		}
	}
}
