//go:build js && wasm

package main

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"syscall/js"
)

// jsDigest is the SHA-256 of an input's report computed by workerd's
// crypto.DigestStream, in the runtime's native code: Go compiled to
// WebAssembly has no SHA instructions, and hashing was about a fifth of a
// scan's CPU. Each Write copies its bytes into the stream once.
type jsDigest struct {
	aw     *awaiter
	stream js.Value
	writer js.Value
	err    error
	sum    []byte
}

// newDigest returns a jsDigest, or Go's SHA-256 where the runtime has no
// DigestStream (workerd has it; browsers do not).
func newDigest() hash.Hash {
	ds := js.Global().Get("crypto").Get("DigestStream")
	if ds.Type() != js.TypeFunction {
		return sha256.New()
	}
	d := &jsDigest{aw: newAwaiter()}
	d.reset(ds)
	return d
}

func (d *jsDigest) reset(ds js.Value) {
	d.stream = ds.New("SHA-256")
	d.writer = d.stream.Call("getWriter")
	d.err, d.sum = nil, nil
}

// Write hands p to the stream and waits until the stream has taken it, so
// that JS never holds more than the block being hashed (a Worker has 128
// MB). Writes come a read chunk at a time, so the waits cost little.
func (d *jsDigest) Write(p []byte) (int, error) {
	if d.err != nil || len(p) == 0 {
		return len(p), nil
	}
	u8 := uint8Array.New(len(p))
	js.CopyBytesToJS(u8, p)
	if _, err := d.aw.await(d.writer.Call("write", u8)); err != nil {
		d.err = err
	}
	return len(p), nil
}

// Sum closes the stream and waits for its digest. hash.Hash has no error
// result: a stream that failed panics, and the scan that asked for the
// digest fails with that error (the handler recovers panics into errors),
// rather than reporting a wrong digest.
func (d *jsDigest) Sum(b []byte) []byte {
	if d.sum == nil {
		if d.err == nil {
			_, d.err = d.aw.await(d.writer.Call("close"))
		}
		var v js.Value
		if d.err == nil {
			v, d.err = d.aw.await(d.stream.Get("digest"))
		}
		if d.err != nil {
			panic(fmt.Errorf("computing the input's SHA-256: %w", d.err))
		}
		u8 := uint8Array.New(v)
		d.sum = make([]byte, u8.Get("length").Int())
		js.CopyBytesToGo(d.sum, u8)
	}
	return append(b, d.sum...)
}

func (d *jsDigest) Reset()         { d.reset(js.Global().Get("crypto").Get("DigestStream")) }
func (d *jsDigest) Size() int      { return sha256.Size }
func (d *jsDigest) BlockSize() int { return sha256.BlockSize }
