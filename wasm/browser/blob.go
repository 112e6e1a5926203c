//go:build js && wasm

package main

import (
	"errors"
	"io"
	"syscall/js"

	"offhunt/detect/logs"
)

// Chunk sizes: how much of a file one read asks the browser for. While the
// core works on one chunk the browser reads the next ones, so disk and CPU
// overlap; the chunks wait in JavaScript memory, at most readAheadBytes
// beyond the bytes the reader has, whatever the file's size.
//
// Reads start small and double: a look at a file's head (its format and
// columns) needs little, and the first rows arrive sooner; a browser's read
// costs about 45 ms whatever its size up to a few MiB (Chromium, in a
// worker: 75 MB read in 4 MiB pieces took 0.88 s, in 16 MiB pieces 0.37
// s), so a long scan reads big chunks. A reader asks at once for every
// chunk up to readAheadBytes (1, 2, 4, 8 and 16 MiB): the reads of the
// first 31 MiB run side by side instead of one after the other, each
// waiting for the core to finish the chunk before.
const (
	firstChunkSize = 1 << 20
	maxChunkSize   = 16 << 20
	readAheadBytes = 2 * maxChunkSize
)

var uint8Array = js.Global().Get("Uint8Array")

// parkBytes bounds the head of a file a reader keeps for the next open of
// the file (see parked): opening a file reads at most logs.InferenceBytes
// of it to learn its columns, and a little more in whole chunks.
const parkBytes = 2 * logs.InferenceBytes

// blobReader reads a JavaScript Blob (a File) from the start, chunk by
// chunk, through blob.slice(a, b).arrayBuffer(), done by the engine's
// reader worker when the worker offers offhuntRead (web/worker.js):
// measured in Chromium, a 75 MB scan waited 0.6 s for reads done on the
// engine's own busy thread and 0.15 s for reads done by another. It never
// holds the whole file, so an export larger than memory still scans.
//
// A chunk stays in JavaScript memory; each Read copies the piece asked
// for straight into the caller's buffer, so the bytes are copied once into
// Go and the WebAssembly memory holds no chunk at all (a Go-side chunk
// buffer cost the first scan 30-50 ms of allocation per size it grew to).
type blobReader struct {
	blob     js.Value
	key      string // names the file to the reader worker, which hashes what it reads (pageDigest)
	size     int64
	stream   int        // numbers the reader to the reader worker, which hands its chunks over in order
	off      int64      // offset of the next chunk to ask for
	chunk    int64      // size of the next chunk to ask for
	ahead    []js.Value // promises of the next chunks' ArrayBuffers, in file order
	received int64      // bytes the page has handed over

	// head holds the chunks from the file's start while they come to at
	// most parkBytes (keep), so that a reader closed there can be parked
	// and read again from the start; next is the head chunk to read next.
	head []js.Value
	keep bool
	next int

	cur    js.Value // the chunk being read (a Uint8Array), or undefined
	pos    int
	end    int
	read   int64 // bytes of the file this open has read
	closed bool
	onRead func(read int64) // called after each chunk with the bytes read so far
}

// parked is the last reader closed before it went past its file's head: a
// look at the file (its format and columns) before a scan. The scan's open
// of the same file takes it over, rewound to the start, with the next
// chunks already on their way, instead of reading the head again (which
// cost the start of every scan a read of 50-100 ms).
var parked *blobReader

// streams counts the readers made, to number them (blobReader.stream).
var streams int

// openBlob returns a reader of blob from its start: the parked one for
// key when there is one, else a new one. sameRead is true when the parked
// reader had not read the whole file: the look at its head goes on into a
// scan, which is the same read of the file, not a second pass.
func openBlob(blob js.Value, key string, size int64, onRead func(int64)) (r *blobReader, sameRead bool) {
	if p := parked; p != nil {
		parked = nil
		if p.key == key {
			sameRead = p.read < p.size
			p.closed, p.next, p.cur, p.pos, p.end, p.read, p.onRead = false, 0, js.Undefined(), 0, 0, 0, onRead
			return p, sameRead
		}
	}
	return newBlobReader(blob, key, size, onRead), false
}

// dropParked lets a parked reader go when a run ends.
func dropParked() {
	if parked != nil {
		parked.cur, parked.ahead, parked.head = js.Undefined(), nil, nil
		parked = nil
	}
}

func newBlobReader(blob js.Value, key string, size int64, onRead func(int64)) *blobReader {
	streams++
	r := &blobReader{blob: blob, key: key, size: size, stream: streams, onRead: onRead, cur: js.Undefined(), chunk: firstChunkSize, keep: true}
	r.request()
	return r
}

// request asks the browser for the next chunks, as long as they end at
// most readAheadBytes beyond the bytes received (the first always).
func (r *blobReader) request() {
	for r.off < r.size {
		end := min(r.off+r.chunk, r.size)
		if len(r.ahead) > 0 && end-r.received > readAheadBytes {
			return
		}
		r.chunk = min(2*r.chunk, maxChunkSize)
		if read := js.Global().Get("offhuntRead"); read.Type() == js.TypeFunction {
			// The reader worker reads for us (web/worker.js says why).
			r.ahead = append(r.ahead, read.Invoke(r.blob, float64(r.off), float64(end), r.key, r.stream))
		} else {
			r.ahead = append(r.ahead, r.blob.Call("slice", float64(r.off), float64(end)).Call("arrayBuffer"))
		}
		r.off = end
	}
}

// nextChunk makes the next chunk current: a kept head chunk, else the
// next one the page hands over.
func (r *blobReader) nextChunk() error {
	if r.next < len(r.head) {
		r.cur = r.head[r.next]
		r.next++
	} else {
		if len(r.ahead) == 0 {
			return io.EOF
		}
		next := r.ahead[0]
		r.ahead = r.ahead[1:]
		ab, err := await(next)
		if err != nil {
			r.ahead = nil
			return err
		}
		r.cur = uint8Array.New(ab)
		n := int64(r.cur.Get("length").Int())
		if n == 0 {
			return io.ErrUnexpectedEOF // the file shrank while it was read
		}
		r.received += n
		r.request() // read ahead while this chunk is used
		if r.keep && r.received <= parkBytes {
			r.head = append(r.head, r.cur)
			r.next = len(r.head)
		} else {
			r.keep, r.head, r.next = false, nil, 0
		}
	}
	r.pos, r.end = 0, r.cur.Get("length").Int()
	r.read += int64(r.end)
	if r.onRead != nil {
		r.onRead(r.read)
	}
	return nil
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
		if err := r.nextChunk(); err != nil {
			return 0, err
		}
	}
	n := min(len(p), r.end-r.pos)
	if r.pos == 0 && n == r.end {
		js.CopyBytesToGo(p, r.cur)
	} else {
		js.CopyBytesToGo(p[:n], r.cur.Call("subarray", r.pos, r.pos+n))
	}
	r.pos += n
	return n, nil
}

// Close implements io.Closer. A reader still within its file's head is
// parked for the next open of the file (openBlob); otherwise the chunks
// on their way are dropped.
func (r *blobReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.keep && r.received > 0 {
		parked = r
		return nil
	}
	r.cur, r.ahead, r.head = js.Undefined(), nil, nil
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
