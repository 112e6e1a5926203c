package api

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// Why a spool: the facade reads an input more than once. It opens it to
// tell the format and the columns from its first records, and every pass
// over the table opens it again: the rules' pass, one more for
// now=latest (the newest event time), one for the notice that names the
// inputs' time range, one for each table a query names twice. A request
// body can be read only once. Holding it whole would let the Worker's
// memory (128 MB) bound the input size, so the body is streamed instead:
// the first reader to get past what was read so far pulls the next bytes
// from the body and hands them on, and a copy is kept for the readers
// that come later. Exports are repetitive text and shrink three- to
// tenfold, so the copy of a large body is kept deflate-compressed, in
// chunks of spoolChunk bytes.
//
// A body small enough (Content-Length at most RawSpoolBytes, and no
// Content-Encoding) is kept as it is: deflating and inflating it again on
// every pass would cost as much CPU as the scan itself, and it fits. So is
// a gzip body, as it was sent: it is compressed already, and each pass
// inflates it again (see gunzipper in body.go).
//
// The copy has a budget (Config.MaxSpoolBytes, shared by the files of one
// request). When it runs out, the spool stops keeping: the reader at the
// front still streams to the end, so a query or rule set that reads the
// input once works for any size, and only a later pass over bytes that were
// not kept fails, with errNotKept (a 413 naming the budget).
const spoolChunk = 1 << 20

// errNotKept is returned to a reader that needs bytes the spool did not
// keep because its budget ran out.
var errNotKept = errors.New("the input is read more than once by this request and is too large to keep between passes")

// spool turns a body that can be read once into an input that can be
// opened many times (see the comment above).
type spool struct {
	mu     sync.Mutex
	src    io.Reader
	err    error // sticky error of src: io.EOF at its end
	pulled int64 // bytes read from src so far
	chunks []spoolChunkData
	// tail holds the bytes after the sealed chunks, up to pulled, while
	// the spool is keeping.
	tail    []byte
	keeping bool
	plain   bool          // keep chunks as they are, not deflated
	budget  *atomic.Int64 // bytes the request's spools may still keep
	fw      *flate.Writer
	zbuf    bytes.Buffer
	// inflateChunk, when set, inflates a deflated chunk in place of
	// compress/flate (Config.InflateChunk).
	inflateChunk func(dst, src []byte) (int, error)
	lost         atomic.Bool // a reader was refused bytes that were not kept
}

// spoolChunkData is one sealed chunk: spoolChunk bytes, deflated unless
// deflating did not make them smaller.
type spoolChunkData struct {
	b        []byte
	deflated bool
}

// newSpool returns a spool over src that keeps at most what budget allows,
// deflated unless plain is set.
func newSpool(src io.Reader, budget *atomic.Int64, plain bool) *spool {
	return &spool{src: src, keeping: true, budget: budget, plain: plain}
}

// open returns a new reader from the start of the input.
func (s *spool) open() (io.ReadCloser, error) {
	return &spoolReader{s: s}, nil
}

// drain reads the body ahead into the spool while the budget surely holds
// another chunk, so that the parts after a file in a multipart body can be
// read. It reports whether the whole body was read.
func (s *spool) drain() (bool, error) {
	buf := make([]byte, 64<<10)
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.err == io.EOF:
			return true, nil
		case s.err != nil:
			return false, s.err
		case !s.keeping || s.budget.Load() < spoolChunk:
			return false, nil
		}
		n, err := s.src.Read(buf)
		s.keep(buf[:n])
		s.pulled += int64(n)
		if err != nil {
			s.err = err
		}
	}
}

// keep appends bytes read from src to the copy, sealing full chunks.
// Called with mu held. The tail is a buffer of spoolChunk bytes that a
// sealed chunk takes over when it is kept as it is, so that the bytes are
// copied once on their way in.
func (s *spool) keep(b []byte) {
	for s.keeping && len(b) > 0 {
		if s.tail == nil {
			s.tail = make([]byte, 0, spoolChunk)
		}
		n := copy(s.tail[len(s.tail):spoolChunk], b)
		s.tail, b = s.tail[:len(s.tail)+n], b[n:]
		if len(s.tail) < spoolChunk {
			return
		}
		c := s.seal(s.tail)
		if s.budget.Add(-int64(len(c.b))) < 0 {
			s.budget.Add(int64(len(c.b)))
			s.keeping, s.tail = false, nil
			return
		}
		s.chunks = append(s.chunks, c)
		if c.deflated {
			s.tail = s.tail[:0]
		} else {
			s.tail = nil // the chunk holds it now
		}
	}
}

// seal deflates one chunk at the fastest level; a chunk that does not
// shrink (an uploaded .gz or .zip) is kept as it is, and so is every chunk
// of a plain spool. A chunk kept as it is is raw itself, not a copy.
func (s *spool) seal(raw []byte) spoolChunkData {
	if s.plain {
		return spoolChunkData{b: raw}
	}
	s.zbuf.Reset()
	if s.fw == nil {
		s.fw, _ = flate.NewWriter(&s.zbuf, flate.BestSpeed)
	} else {
		s.fw.Reset(&s.zbuf)
	}
	_, err := s.fw.Write(raw)
	if err == nil {
		err = s.fw.Close()
	}
	if err != nil || s.zbuf.Len() >= len(raw) {
		return spoolChunkData{b: raw}
	}
	return spoolChunkData{b: bytes.Clone(s.zbuf.Bytes()), deflated: true}
}

// spoolReader reads a spool from the start. Readers are independent: each
// has its own offset, and any of them may be the one at the front.
type spoolReader struct {
	s        *spool
	off      int64
	buf      []byte // the chunk that holds off, inflated
	bufStart int64
	scratch  []byte
	closed   bool
}

func (r *spoolReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("read of a closed input")
	}
	if len(p) == 0 {
		return 0, nil
	}
	s := r.s
	for {
		if r.buf != nil && r.off >= r.bufStart && r.off < r.bufStart+int64(len(r.buf)) {
			n := copy(p, r.buf[r.off-r.bufStart:])
			r.off += int64(n)
			return n, nil
		}
		s.mu.Lock()
		sealedEnd := int64(len(s.chunks)) * spoolChunk
		switch {
		case r.off < sealedEnd:
			i := r.off / spoolChunk
			c := s.chunks[i]
			s.mu.Unlock()
			if err := r.load(c); err != nil {
				return 0, err
			}
			r.bufStart = i * spoolChunk
			continue
		case r.off < s.pulled:
			if !s.keeping {
				s.mu.Unlock()
				s.lost.Store(true)
				return 0, errNotKept
			}
			n := copy(p, s.tail[r.off-sealedEnd:])
			s.mu.Unlock()
			r.off += int64(n)
			return n, nil
		}
		// r.off == s.pulled: this reader is at the front.
		if s.err != nil {
			err := s.err
			s.mu.Unlock()
			return 0, err
		}
		n, err := s.src.Read(p)
		s.keep(p[:n])
		s.pulled += int64(n)
		r.off += int64(n)
		if err != nil {
			s.err = err
		}
		s.mu.Unlock()
		if n > 0 {
			return n, nil
		}
		if err == nil {
			continue
		}
		return 0, err
	}
}

// load makes r.buf the inflated bytes of c.
func (r *spoolReader) load(c spoolChunkData) error {
	if !c.deflated {
		r.buf = c.b
		return nil
	}
	if cap(r.scratch) < spoolChunk {
		r.scratch = make([]byte, spoolChunk)
	}
	// A sealed chunk is spoolChunk bytes inflated, no fewer.
	if f := r.s.inflateChunk; f != nil {
		if n, err := f(r.scratch[:spoolChunk], c.b); err == nil && n == spoolChunk {
			r.buf = r.scratch[:n]
			return nil
		}
		// compress/flate decides, as without the hook.
	}
	fr := flate.NewReader(bytes.NewReader(c.b))
	n, err := io.ReadFull(fr, r.scratch[:spoolChunk])
	fr.Close()
	if err != nil {
		return errors.New("the kept copy of the input is damaged")
	}
	r.buf = r.scratch[:n]
	return nil
}

func (r *spoolReader) Close() error {
	r.closed = true
	r.buf, r.scratch = nil, nil
	return nil
}
