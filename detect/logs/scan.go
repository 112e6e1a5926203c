package logs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"offhunt/detect/data"
)

// scan is one pass over an input.
type scan struct {
	in        *Input
	ctx       context.Context
	rc        io.ReadCloser
	raw       *countingReader
	text      *bufio.Reader
	cr        *chunkReader
	dec       decoder
	reporting bool
	st        stats
	conv      converter
	check     converter
	rec       record
	n         int64
	lastProg  time.Time
	disc      *discovery // set while an input is being opened
}

// record is one record as a decoder found it.
type record struct {
	line   int64
	group  int
	fields []rawField
	pairs  []pair   // the members of an object record, before resolve
	isObj  bool     // the decoder filled pairs, not fields
	raw    []pair   // a Windows event's members before flattening
	flat   []pair   // a Windows event's flattened members
	bytes  []byte   // the record's text, for the UTF-8 check (nil: none)
	cat    []byte   // a streaming record's category
	extra  []byte   // the ExtraFields object built by resolve
	probs  []string // what is wrong with the record (it is kept)
	ev     eventInfo
	mapped []data.Value // a mapped input's values, once computed
	mapOK  bool
}

// pair is a member of a JSON object (or an element of event XML).
type pair struct {
	key string
	f   rawField
}

func (r *record) problem(s string) { r.probs = append(r.probs, s) }

// decoder reads records of one format.
type decoder interface {
	// next fills rec with the next record, or returns io.EOF. Records it
	// cannot use it reports with s.skip and passes over.
	next(s *scan, rec *record) error
}

// newScan opens the input and positions a decoder on its first record.
func (in *Input) newScan(ctx context.Context) (*scan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &scan{in: in, ctx: ctx}
	in.mu.Lock()
	s.reporting = !in.complete
	in.mu.Unlock()
	rc, err := in.open()
	if err != nil {
		return nil, err
	}
	s.rc = rc
	s.raw = &countingReader{r: rc}
	if s.reporting {
		newDigest := in.opts.NewDigest
		if in.opts.FileDigest != nil {
			newDigest = in.opts.FileDigest
		}
		s.raw.h = newAsyncHash(newDigest)
	}
	s.text, _, err = openText(s.raw, &in.enc)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("%s: %w", in.name, err)
	}
	if err := s.start(); err != nil {
		s.close()
		return nil, s.wrapErr(err)
	}
	return s, nil
}

// start sets up the decoder of the input's format.
func (s *scan) start() error {
	s.cr = newChunkReader(s.text, s.beforeRead)
	switch s.in.kind {
	case kindCSV:
		d, err := newCSVDecoder(s)
		if err != nil {
			return err
		}
		s.dec = d
	case kindJSON:
		s.dec = newJSONDecoder(s)
	case kindXML:
		s.dec = newXMLDecoder(s)
	}
	return nil
}

func (s *scan) close() {
	if s.raw != nil && s.raw.h != nil {
		s.raw.h.stop()
	}
	s.rc.Close()
	if s.cr != nil {
		s.cr.release()
	}
}

// beforeRead runs before each chunk is read: it stops a cancelled scan
// and reports progress.
func (s *scan) beforeRead() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.progress(false)
	return nil
}

func (s *scan) progress(final bool) {
	s.progressAt(s.raw.n, final)
}

// progressAt reports progress with read bytes of the input read.
func (s *scan) progressAt(read int64, final bool) {
	p := s.in.opts.Progress
	if p == nil || s.disc != nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(s.lastProg) < progressInterval {
		return
	}
	s.lastProg = now
	p(Progress{Input: s.in.name, BytesRead: read, Size: s.in.opts.Size, Rows: s.n})
}

// skip counts a record that could not be read at all.
func (s *scan) skip(line int64, reason string) {
	s.st.bad(line, reason)
}

// next returns the next record, resolved into its group's fields and, on a
// reporting scan, checked.
func (s *scan) next() (*record, error) {
	rec := &s.rec
	for {
		if s.n%ctxCheckRows == 0 {
			if err := s.ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec.reset()
		if err := s.dec.next(s, rec); err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, s.wrapErr(err)
		}
		s.n++
		if s.disc != nil {
			return rec, nil
		}
		if !rec.isObj || s.resolve(rec) {
			break
		}
	}
	if s.in.mapper != nil {
		s.in.mapper.classify(rec, s.in.groups[0])
	}
	if s.reporting {
		s.checkRecord(rec)
	}
	s.st.rows++
	return rec, nil
}

func (s *scan) wrapErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if strings.HasPrefix(err.Error(), s.in.name+":") {
		return err
	}
	return fmt.Errorf("%s: %w", s.in.name, readError(err, s.in.enc))
}

// finish ends a scan that reached the end of the input: on a reporting
// scan, the report is committed.
func (s *scan) finish() {
	s.progress(true)
	if !s.reporting {
		return
	}
	// Read what a decoder left unread (trailing bytes after the records)
	// so that the digest covers the whole input.
	_, _ = io.Copy(io.Discard, s.raw)
	s.in.commit(&s.st, hexSum(s.raw.h.finish()))
}

func (r *record) reset() {
	r.line, r.group = 0, 0
	r.pairs = r.pairs[:0]
	r.isObj = false
	r.bytes, r.cat, r.extra = nil, nil, nil
	r.probs = r.probs[:0]
	r.ev = eventInfo{}
	r.mapOK = false
}

// setFields sizes rec.fields for n slots, all absent.
func (r *record) setFields(n int) {
	if cap(r.fields) < n {
		r.fields = make([]rawField, n)
		return
	}
	r.fields = r.fields[:n]
	clear(r.fields)
}

// resolve maps an object record's members to its group's slots. Members
// no slot names go to ExtraFields. It reports false for a record of a
// group the input does not have (a category that appeared after the
// sample), which is counted as bad.
func (s *scan) resolve(rec *record) bool {
	if rec.cat != nil {
		gi, ok := s.in.json.catIndex[string(rec.cat)]
		if !ok {
			s.skip(rec.line, "a record of category "+quoteValue(rec.cat)+", which the input's first records did not show; skipped")
			return false
		}
		rec.group = gi
	}
	g := s.in.groups[rec.group]
	rec.setFields(len(g.slots))
	var extra []byte
	for _, p := range rec.pairs {
		if i, ok := g.index[p.key]; ok {
			rec.fields[i] = p.f
			continue
		}
		if g.extra < 0 {
			continue // only during discovery, which does not resolve
		}
		if extra == nil {
			extra = append(make([]byte, 0, 64), '{')
		} else {
			extra = append(extra, ',')
		}
		extra = data.AppendJSONString(extra, p.key)
		extra = append(extra, ':')
		extra = appendFieldJSON(extra, p.f)
	}
	if extra != nil {
		rec.extra = append(extra, '}')
		rec.fields[g.extra] = rawField{b: rec.extra, kind: fJSONObj}
	}
	return true
}

// appendFieldJSON writes a field as JSON.
func appendFieldJSON(b []byte, f rawField) []byte {
	switch f.kind {
	case fJSONStr:
		b = append(b, '"')
		b = append(b, f.b...)
		return append(b, '"')
	case fJSONNum, fJSONTrue, fJSONFalse, fJSONObj, fJSONArr:
		return append(b, f.b...)
	case fAbsent, fJSONNull:
		return append(b, "null"...)
	}
	var sc scratch
	t, _ := sc.text(f)
	return data.AppendJSONString(b, string(t))
}

// checkRecord finds what is wrong with a kept record, on a reporting scan:
// invalid UTF-8, values that do not fit their column, values a mapping
// cannot convert. It also takes the record's event time.
func (s *scan) checkRecord(rec *record) {
	checkRecord(s.in, &s.st, &s.check, &s.conv, rec)
}

// checkRecord is scan.checkRecord with the statistics and converters
// given, so that the goroutines of a parallel scan (parallel.go) each
// keep their own.
func checkRecord(in *Input, st *stats, check, conv *converter, rec *record) {
	g := in.groups[rec.group]
	if rec.bytes != nil && !utf8.Valid(rec.bytes) {
		rec.problem("invalid UTF-8 (replaced with U+FFFD)")
	}
	m := in.mapper
	for _, i := range g.typed {
		f := rec.fields[i]
		if i == g.timeSlot && m == nil {
			// The event time: converted once, for the check and the
			// report's time range (fits converts a datetime too).
			if v, ok := check.convert(f, data.DateTime); !ok {
				rec.problem(misfitReason(g.slots[i].name, f, g.slots[i].typ))
			} else if v.K == data.KDateTime {
				st.time(v.I)
			}
			continue
		}
		if !check.fits(f, g.slots[i].typ) {
			rec.problem(misfitReason(g.slots[i].name, f, g.slots[i].typ))
		}
	}
	if len(rec.bytes) > MaxFieldBytes || in.kind != kindCSV {
		for i, f := range rec.fields {
			if g.slots[i].typ == data.String && !check.fits(f, data.String) {
				rec.problem(misfitReason(g.slots[i].name, f, data.String))
			}
		}
	}
	if m != nil {
		m.compute(rec, g, conv)
		if !rec.ev.process {
			st.notProc++
			if st.notProcBy == nil {
				st.notProcBy = map[string]int64{}
			}
			st.notProcBy[rec.ev.describe()]++
		}
		if t := rec.mapped[m.timeOut]; t.K == data.KDateTime {
			st.time(t.I)
		}
	}
	if len(rec.probs) > 0 {
		st.bad(rec.line, joinReasons(rec.probs))
	}
}
