//go:build js && wasm

package main

import (
	"errors"
	"io"
	"net/http"
	"syscall/js"
)

// This file moves bytes between the JS runtime and Go with as little work
// in Go as it can: Go compiled to wasm runs several times slower than the
// runtime's native code, and every await of a JS promise suspends Go and
// resumes it from the event loop.
//
//   - The request body is read straight from its ReadableStream into the
//     caller's buffer: one copy per byte from JS into Go. (syumai/workers'
//     own reader copies each chunk into a new slice, then into a
//     bytes.Buffer, then out of it.)
//   - A gzip body is inflated by the runtime's DecompressionStream, native
//     zlib, instead of compress/gzip in wasm; Go feeds it the compressed
//     bytes and reads the inflated ones.
//   - So are the deflated chunks of the copy that the spool keeps of a
//     large body, for the passes after the first. (Deflating them stays
//     with compress/flate: CompressionStream's zlib, at its default level,
//     was slower here than Go's fastest level in wasm.)

var (
	uint8Array = js.Global().Get("Uint8Array")
	// ignore is a promise handler that drops the outcome: a write whose
	// stream is torn down on purpose rejects, and an unhandled rejection
	// would be reported.
	ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })
)

// awaiter waits for JS promises, one at a time, with one pair of
// callbacks for all of them (a js.Func per await would cost an allocation
// on both sides each time).
type awaiter struct {
	then, catch js.Func
	ch          chan settled
}

type settled struct {
	v  js.Value
	ok bool
}

func newAwaiter() *awaiter {
	a := &awaiter{ch: make(chan settled, 1)}
	a.then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		a.ch <- settled{v: arg0(args), ok: true}
		return nil
	})
	a.catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		a.ch <- settled{v: arg0(args)}
		return nil
	})
	return a
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// await waits for p; a rejection is an error with the reason's text.
func (a *awaiter) await(p js.Value) (js.Value, error) {
	p.Call("then", a.then, a.catch)
	s := <-a.ch
	if !s.ok {
		return js.Value{}, jsError(s.v)
	}
	return s.v, nil
}

// release frees the callbacks; only when no await is pending.
func (a *awaiter) release() {
	a.then.Release()
	a.catch.Release()
}

func jsError(v js.Value) error {
	switch v.Type() {
	case js.TypeObject:
		if m := v.Get("message"); m.Type() == js.TypeString {
			return errors.New(m.String())
		}
	case js.TypeString:
		return errors.New(v.String())
	}
	return errors.New("JavaScript error")
}

// streamReader reads a JS ReadableStream of bytes. workerd hands a body
// or a DecompressionStream's output over in chunks of 4 KiB, and each
// read is an await: so it reads with a BYOB reader and workerd's
// readAtLeast, which fills a buffer of readChunk bytes in one await, and
// falls back to the default reader (its chunks as they come) where the
// stream takes no BYOB reader. Each byte is copied once, from the JS
// buffer into the caller's.
type streamReader struct {
	stream js.Value // the stream, until open takes its reader
	reader js.Value // the stream's reader
	byob   bool
	buf    js.Value // byob: the ArrayBuffer read into, between reads
	size   int      // byob: its size
	aw     *awaiter
	chunk  js.Value // the chunk being read out, or undefined
	off, n int
	err    error // sticky: io.EOF at the end
	// wrap turns the stream's error into the one Read returns.
	wrap func(error) error
}

// readChunk is the size of a BYOB read: a few hundred KiB, so that the
// awaits cost little beside the bytes, and the copies stay small.
const readChunk = 256 << 10

// newStreamReader reads stream with BYOB reads of size bytes.
func newStreamReader(stream js.Value, size int) *streamReader {
	return &streamReader{stream: stream, size: size, aw: newAwaiter(), chunk: js.Undefined(), buf: js.Undefined()}
}

// open takes the stream's reader, on the first read: a body that is never
// read (a request refused on its headers) is never locked, and workerd
// then disposes of it as it would without Go.
func (r *streamReader) open() {
	s := r.stream
	r.stream = js.Undefined()
	opts := js.Global().Get("Object").New()
	opts.Set("mode", "byob")
	if res := tryCall(s, "getReader", opts); res.Truthy() && res.Get("readAtLeast").Type() == js.TypeFunction {
		r.reader, r.byob = res, true
		r.buf = js.Global().Get("ArrayBuffer").New(r.size)
		return
	}
	r.reader = s.Call("getReader")
}

// tryCall calls v.name(args...) and returns its result, or undefined
// when it throws.
func tryCall(v js.Value, name string, args ...any) (res js.Value) {
	defer func() {
		if recover() != nil {
			res = js.Undefined()
		}
	}()
	return v.Call(name, args...)
}

func (r *streamReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.reader.IsUndefined() && r.err == nil {
		r.open()
	}
	for r.off >= r.n {
		if r.err != nil {
			return 0, r.err
		}
		var res js.Value
		var err error
		if r.byob {
			view := uint8Array.New(r.buf, 0, r.size)
			res, err = r.aw.await(r.reader.Call("readAtLeast", r.size, view))
		} else {
			res, err = r.aw.await(r.reader.Call("read"))
		}
		if err == nil && res.Get("done").Bool() {
			err = io.EOF
		}
		if err != nil {
			if err != io.EOF && r.wrap != nil {
				err = r.wrap(err)
			}
			r.err = err
			continue
		}
		r.chunk = res.Get("value")
		if r.byob {
			// The read took the buffer over; its view gives it back.
			r.buf = r.chunk.Get("buffer")
		}
		r.off, r.n = 0, r.chunk.Get("byteLength").Int()
	}
	src := r.chunk
	if r.off > 0 {
		src = r.chunk.Call("subarray", r.off)
	}
	n := js.CopyBytesToGo(p, src)
	r.off += n
	if r.off >= r.n {
		r.chunk = js.Undefined()
	}
	return n, nil
}

// Close cancels the stream; what was not read is dropped.
func (r *streamReader) Close() error {
	if r.err == nil {
		r.err = errors.New("read of a closed body")
	}
	r.chunk = js.Undefined()
	if !r.reader.IsUndefined() {
		r.reader.Call("cancel").Call("catch", ignore)
	}
	r.aw.release()
	return nil
}

// rawJSBody is what syumai/workers' request body offers: the JS stream
// it would read from.
type rawJSBody interface {
	GetRawJSBody() js.Value
}

// directBody serves h with each request's body read by a streamReader.
func directBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := r.Body.(rawJSBody); ok {
			if s := b.GetRawJSBody(); s.Truthy() {
				r.Body = newStreamReader(s, readChunk)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// inflateChunk is how many compressed bytes go to the DecompressionStream
// at a time.
const inflateChunk = 64 << 10

// jsInflate is the Worker's Config.Inflate: gz, inflated by a
// DecompressionStream. A goroutine writes the compressed bytes into it;
// the stream's backpressure keeps it a chunk or so ahead of the reader.
func jsInflate(gz io.Reader) (io.ReadCloser, error) {
	ds := js.Global().Get("DecompressionStream").New("gzip")
	out := newStreamReader(ds.Get("readable"), readChunk)
	z := &jsInflater{out: out, w: ds.Get("writable").Call("getWriter"), done: make(chan struct{})}
	out.wrap = z.readError
	go z.pump(gz, z.w)
	return z, nil
}

// jsInflater is one pass over a gzip body through a DecompressionStream.
type jsInflater struct {
	out  *streamReader
	w    js.Value      // the writer pump writes with
	done chan struct{} // closed when pump has returned
	// srcErr is the error reading the compressed bytes (a limit, bytes
	// the spool did not keep): Read reports it rather than the stream's
	// abort. Written by pump before it aborts the stream.
	srcErr error
}

func (z *jsInflater) pump(gz io.Reader, w js.Value) {
	defer close(z.done)
	aw := newAwaiter()
	defer aw.release()
	buf := make([]byte, inflateChunk)
	for {
		n, err := gz.Read(buf)
		if n > 0 {
			// ready is rejected once the reader has cancelled the
			// stream or it failed: then nothing more is wanted.
			if _, e := aw.await(w.Get("ready")); e != nil {
				return
			}
			u := uint8Array.New(n)
			js.CopyBytesToJS(u, buf[:n])
			w.Call("write", u).Call("catch", ignore)
		}
		switch {
		case err == io.EOF:
			w.Call("close").Call("catch", ignore)
			return
		case err != nil:
			z.srcErr = err
			w.Call("abort", err.Error()).Call("catch", ignore)
			return
		}
	}
}

// readError is the error of a pass whose stream failed.
func (z *jsInflater) readError(err error) error {
	<-z.done // the stream fails after pump set srcErr, if it did
	if z.srcErr != nil {
		return z.srcErr
	}
	return errors.New("gzip: " + err.Error())
}

func (z *jsInflater) Read(p []byte) (int, error) { return z.out.Read(p) }

// Close cancels the stream and waits for pump, which then stops writing,
// so that the caller may close gz. The abort rejects the writer's ready,
// should pump be waiting for it.
func (z *jsInflater) Close() error {
	z.out.Close()
	z.w.Call("abort").Call("catch", ignore)
	<-z.done
	return nil
}

// jsInflateChunk is the Worker's Config.InflateChunk: one chunk of the
// spool (raw DEFLATE) through a DecompressionStream("deflate-raw"), read
// back in one BYOB read of len(dst) bytes.
func jsInflateChunk(dst, src []byte) (int, error) {
	ds := js.Global().Get("DecompressionStream").New("deflate-raw")
	w := ds.Get("writable").Call("getWriter")
	u := uint8Array.New(len(src))
	js.CopyBytesToJS(u, src)
	w.Call("write", u).Call("catch", ignore)
	w.Call("close").Call("catch", ignore)
	out := newStreamReader(ds.Get("readable"), len(dst))
	defer out.Close()
	n, err := io.ReadFull(out, dst)
	if err == io.ErrUnexpectedEOF {
		err = nil // fewer bytes than dst holds: the caller sees n
	}
	return n, err
}
