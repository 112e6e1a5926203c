package logs

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
	"unicode/utf8"
)

// This file turns an input's bytes into UTF-8 text: gzip by its magic
// bytes, UTF-16 by its byte order mark, a UTF-8 byte order mark dropped.
// Every scan opens the input afresh and stacks the same layers.

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	gzipMagic  = []byte{0x1f, 0x8b}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// textEncoding is how an input's bytes became text, as the first opening
// found; later openings must find the same.
type textEncoding struct {
	gzip  bool
	utf16 byte // 0, 'l' (little-endian) or 'b' (big-endian)
	bom   bool // a UTF-8 byte order mark was dropped
}

// describe names the layers for a report's format: "gzip utf-16le ".
func (e textEncoding) describe() string {
	s := ""
	if e.gzip {
		s += "gzip "
	}
	switch e.utf16 {
	case 'l':
		s += "utf-16le "
	case 'b':
		s += "utf-16be "
	}
	return s
}

// countingReader counts (and, on a reporting scan, hashes) the bytes of
// the input as given, before any decompression: a report's sha256 is that
// of the file the analyst holds.
type countingReader struct {
	r io.Reader
	n int64
	h *asyncHash
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.n += int64(n)
		if c.h != nil {
			c.h.write(p[:n])
		}
	}
	return n, err
}

// asyncHash computes a SHA-256 in a goroutine of its own, so that on a
// machine with two cores hashing an input costs its scan nothing: the
// scan hands over a copy of each block it reads and goes on parsing.
type asyncHash struct {
	h    hash.Hash
	ch   chan []byte
	free chan []byte
	done chan struct{}
	sum  []byte
	// inline hashes in the caller's goroutine (one thread).
	inline  bool
	stopped bool
}

func newAsyncHash(newDigest func() hash.Hash) *asyncHash {
	h := sha256.New
	if newDigest != nil {
		h = newDigest
	}
	a := &asyncHash{h: h()}
	if runtime.GOMAXPROCS(0) == 1 {
		// One thread (WebAssembly): a goroutine would only add a copy
		// and a hand-off per block.
		a.inline = true
		return a
	}
	a.ch, a.free, a.done = make(chan []byte, 4), make(chan []byte, 4), make(chan struct{})
	go func() {
		defer close(a.done)
		for b := range a.ch {
			a.h.Write(b)
			select {
			case a.free <- b:
			default:
			}
		}
	}()
	return a
}

func (a *asyncHash) write(p []byte) {
	if a.inline {
		a.h.Write(p)
		return
	}
	var b []byte
	select {
	case b = <-a.free:
	default:
	}
	a.ch <- append(b[:0], p...)
}

// stop ends the goroutine without computing the digest (a scan that
// ended before the input did). It may be called after finish.
func (a *asyncHash) stop() {
	if !a.inline && !a.stopped {
		a.stopped = true
		close(a.ch)
		<-a.done
	}
}

// finish waits for the goroutine and returns the digest. It may be called
// more than once; finish or stop must be called for every asyncHash (they
// end the goroutine).
func (a *asyncHash) finish() []byte {
	if a.sum == nil {
		a.stop()
		a.sum = a.h.Sum(nil)
	}
	return a.sum
}

// openText stacks the decoding layers over an opened input and returns the
// text reader, positioned after any byte order mark, with what it found.
// want, when not nil, is what an earlier opening found: an input that
// changed between openings is an error, not a silently different table.
func openText(raw io.Reader, want *textEncoding) (*bufio.Reader, textEncoding, error) {
	var enc textEncoding
	br := bufio.NewReaderSize(raw, sniffBytes)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, enc, err
	}
	if bytes.HasPrefix(head, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, enc, fmt.Errorf("gzip data with a broken header: %v", err)
		}
		enc.gzip = true
		br = bufio.NewReaderSize(gz, sniffBytes)
		head, err = br.Peek(4)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, enc, gzipError(err)
		}
	}
	switch {
	case bytes.HasPrefix(head, utf16LEBOM):
		enc.utf16 = 'l'
	case bytes.HasPrefix(head, utf16BEBOM):
		enc.utf16 = 'b'
	}
	if enc.utf16 != 0 {
		if _, err := br.Discard(2); err != nil {
			return nil, enc, err
		}
		br = bufio.NewReaderSize(&utf16Reader{r: br, big: enc.utf16 == 'b'}, sniffBytes)
		head, _ = br.Peek(3)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		enc.bom = true
		if _, err := br.Discard(3); err != nil {
			return nil, enc, err
		}
	}
	if want != nil && *want != enc {
		return nil, enc, errors.New("the input changed since it was opened (its encoding is not the same)")
	}
	return br, enc, nil
}

// gzipError words a decompression error for an analyst.
func gzipError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the gzip data is truncated (the file was cut short)")
	}
	return fmt.Errorf("the gzip data is corrupt: %v", err)
}

// badUTF16 is what the UTF-16 reader writes for an unpaired surrogate or
// an odd trailing byte: a byte that is never valid UTF-8, so that the row
// holding it is counted like any other invalid text and its value gets
// U+FFFD in that place.
const badUTF16 = 0xFF

// utf16Reader transcodes UTF-16 to UTF-8 as it is read. Excel's "Unicode
// text" and PowerShell 5's Out-File write UTF-16 with a byte order mark.
type utf16Reader struct {
	r      io.Reader
	big    bool
	in     [16 << 10]byte
	inN    int
	out    []byte
	outPos int
	hi     uint16 // a high surrogate waiting for its pair
	err    error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for u.outPos == len(u.out) {
		if u.err != nil {
			return 0, u.err
		}
		n, err := u.r.Read(u.in[u.inN:])
		u.inN += n
		if err != nil {
			u.err = err
		}
		u.out, u.outPos = u.out[:0], 0
		i := 0
		for ; i+1 < u.inN; i += 2 {
			var c uint16
			if u.big {
				c = uint16(u.in[i])<<8 | uint16(u.in[i+1])
			} else {
				c = uint16(u.in[i+1])<<8 | uint16(u.in[i])
			}
			u.unit(c)
		}
		rest := copy(u.in[:], u.in[i:u.inN])
		u.inN = rest
		if u.err != nil {
			if u.hi != 0 {
				u.out = append(u.out, badUTF16)
				u.hi = 0
			}
			if u.inN > 0 {
				u.out = append(u.out, badUTF16)
				u.inN = 0
			}
		}
	}
	n := copy(p, u.out[u.outPos:])
	u.outPos += n
	return n, nil
}

func (u *utf16Reader) unit(c uint16) {
	switch {
	case u.hi != 0 && c >= 0xDC00 && c <= 0xDFFF:
		r := (rune(u.hi)-0xD800)<<10 | (rune(c) - 0xDC00) + 0x10000
		u.out = utf8.AppendRune(u.out, r)
		u.hi = 0
		return
	case u.hi != 0:
		u.out = append(u.out, badUTF16)
		u.hi = 0
	}
	switch {
	case c >= 0xD800 && c <= 0xDBFF:
		u.hi = c
	case c >= 0xDC00 && c <= 0xDFFF:
		u.out = append(u.out, badUTF16)
	default:
		u.out = utf8.AppendRune(u.out, rune(c))
	}
}

// errRecordTooLong is returned by chunkReader.more when the buffer holds
// MaxLineBytes of one record and still has not seen its end.
var errRecordTooLong = errors.New("record too long")

// chunkReader holds a window of the text: buf[pos:end] is read but not yet
// consumed. It reads chunkSize at a time and grows only when one record
// does not fit, up to MaxLineBytes, so its memory is the chunk plus the
// widest record. Readers parse in place: slices of buf stay valid until
// the next call to more.
type chunkReader struct {
	src      io.Reader
	buf      []byte
	pos, end int
	eof      bool
	// onRead is called before each read (cancellation, progress).
	onRead func() error
}

// chunkPool keeps read buffers between scans: a query scans its inputs
// several times, and a buffer holds nothing once its scan ends (values
// handed to the engine are copies).
var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

func newChunkReader(src io.Reader, onRead func() error) *chunkReader {
	return &chunkReader{src: src, buf: *chunkPool.Get().(*[]byte), onRead: onRead}
}

// release returns the reader's buffer to the pool (a grown one is left to
// the collector). The reader must not be used after.
func (c *chunkReader) release() {
	if len(c.buf) == chunkSize {
		b := c.buf
		chunkPool.Put(&b)
	}
	c.buf = nil
}

// window returns the unconsumed bytes.
func (c *chunkReader) window() []byte { return c.buf[c.pos:c.end] }

// consume marks n bytes of the window as read.
func (c *chunkReader) consume(n int) { c.pos += n }

// more reads more text into the window, keeping the unconsumed bytes. It
// returns io.EOF at the end of the text, errRecordTooLong when the window
// is MaxLineBytes long and still the caller asks for more.
func (c *chunkReader) more() error {
	if c.eof {
		return io.EOF
	}
	if c.onRead != nil {
		if err := c.onRead(); err != nil {
			return err
		}
	}
	if c.pos > 0 {
		c.end = copy(c.buf, c.buf[c.pos:c.end])
		c.pos = 0
	}
	if len(c.buf)-c.end < chunkSize/2 {
		if c.end >= MaxLineBytes {
			return errRecordTooLong
		}
		grown := make([]byte, max(min(2*len(c.buf), MaxLineBytes+chunkSize), c.end+chunkSize))
		copy(grown, c.buf[:c.end])
		c.buf = grown
	}
	for {
		n, err := c.src.Read(c.buf[c.end:])
		c.end += n
		if err == io.EOF {
			c.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// readError words an error met while reading the text of an input.
func readError(err error, enc textEncoding) error {
	if enc.gzip && (errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) || isFlateError(err)) {
		return gzipError(err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the input is truncated (it ends in the middle of its data)")
	}
	return err
}

func isFlateError(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce)
}

// skipLine drops the rest of the current line (up to and including the
// next newline byte nl), reading as much as it takes. It is how a reader
// gets past a record it cannot use.
func (c *chunkReader) skipLine(nl byte) error {
	for {
		w := c.window()
		if i := bytes.IndexByte(w, nl); i >= 0 {
			c.consume(i + 1)
			return nil
		}
		c.consume(len(w))
		if err := c.more(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}
