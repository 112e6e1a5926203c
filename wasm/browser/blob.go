//go:build js && wasm

package main

import (
	"errors"
	"io"
	"syscall/js"
)

// Chunk sizes: how much of a file one read asks the browser for. Each
// chunk is copied once into Go memory; while the core works on one chunk
// the browser reads the next, so disk and CPU overlap. Memory for a file is
// two chunks, whatever the file's size.
//
// Reads start small and double: a look at a file's head (its format and
// columns) needs little, and the first rows arrive sooner; a browser's read
// costs about 45 ms whatever its size up to a few MiB (Chromium, in a
// worker: 75 MB read in 4 MiB pieces took 0.88 s, in 16 MiB pieces 0.37 s),
// so a long scan reads big chunks.
const (
	firstChunkSize = 1 << 20
	maxChunkSize   = 16 << 20
)

var uint8Array = js.Global().Get("Uint8Array")

// blobReader reads a JavaScript Blob (a File) from the start, chunk by
// chunk, through blob.slice(a, b).arrayBuffer(), done by the page's thread
// when the worker offers offhuntRead (web/worker.js): measured in
// Chromium, a 75 MB scan waited 0.6 s for reads done on the worker's own
// busy thread and 0.15 s for reads done by the page's. It never holds the whole
// file, so an export larger than memory still scans.
type blobReader struct {
	blob   js.Value
	key    string // names the file to the page, which hashes what it reads (pageDigest)
	size   int64
	off    int64    // offset of the next chunk to ask for
	chunk  int64    // size of the next chunk to ask for
	next   js.Value // promise of the next chunk's ArrayBuffer, or undefined
	buf    []byte
	pos    int
	end    int
	read   int64
	closed bool
	onRead func(read int64) // called after each chunk with the bytes read so far
}

func newBlobReader(blob js.Value, key string, size int64, onRead func(int64)) *blobReader {
	r := &blobReader{blob: blob, key: key, size: size, onRead: onRead, next: js.Undefined(), chunk: firstChunkSize}
	r.request()
	return r
}

// request asks the browser for the next chunk, unless the file is read.
func (r *blobReader) request() {
	if r.off >= r.size {
		r.next = js.Undefined()
		return
	}
	end := min(r.off+r.chunk, r.size)
	r.chunk = min(2*r.chunk, maxChunkSize)
	if read := js.Global().Get("offhuntRead"); read.Type() == js.TypeFunction {
		// The page reads for us (web/worker.js says why).
		r.next = read.Invoke(r.blob, float64(r.off), float64(end), r.key)
	} else {
		r.next = r.blob.Call("slice", float64(r.off), float64(end)).Call("arrayBuffer")
	}
	r.off = end
}

// Read implements io.Reader.
func (r *blobReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("read of a closed file")
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.pos == r.end {
		if r.next.IsUndefined() {
			return 0, io.EOF
		}
		ab, err := await(r.next)
		if err != nil {
			r.next = js.Undefined()
			return 0, err
		}
		r.request() // read ahead while this chunk is used
		u8 := uint8Array.New(ab)
		n := u8.Get("length").Int()
		if n == 0 {
			return 0, io.ErrUnexpectedEOF // the file shrank while it was read
		}
		if cap(r.buf) < n {
			r.buf = make([]byte, n)
		}
		r.buf = r.buf[:n]
		js.CopyBytesToGo(r.buf, u8)
		r.pos, r.end = 0, n
		r.read += int64(n)
		if r.onRead != nil {
			r.onRead(r.read)
		}
	}
	n := copy(p, r.buf[r.pos:r.end])
	r.pos += n
	return n, nil
}

// Close implements io.Closer. A chunk still on its way is dropped.
func (r *blobReader) Close() error {
	r.closed = true
	r.buf = nil
	r.next = js.Undefined()
	return nil
}

// await waits for a JavaScript promise. It must run in a goroutine, never
// in a callback: the Go runtime yields to the event loop while it waits.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v  js.Value
		ok bool
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{arg0(args), true}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{arg0(args), false}
		return nil
	})
	p.Call("then", onOK, onErr)
	s := <-ch
	onOK.Release()
	onErr.Release()
	if !s.ok {
		return js.Undefined(), jsError(s.v)
	}
	return s.v, nil
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// jsError turns a rejected promise's reason into a Go error.
func jsError(v js.Value) error {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if msg.Type() == js.TypeString {
			if name.Type() == js.TypeString && name.String() != "" {
				return errors.New(name.String() + ": " + msg.String())
			}
			return errors.New(msg.String())
		}
	}
	return errors.New(v.String())
}
