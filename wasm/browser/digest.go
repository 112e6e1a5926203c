//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
)

// pageDigest is an input's report SHA-256 as the page computes it: the
// engine's reader worker hashes each piece of the file as it reads it for
// the engine (web/worker.js), while the engine scans. Go compiled to
// WebAssembly has no SHA instructions: hashing here was a fifth of a
// scan's time in Chromium (75 MB: 3.2-3.6 s with it, 2.7-2.9 s without).
//
// Write only counts: the reader has seen the bytes. Sum asks it for the
// digest of the file's first n bytes, which it has once a reading from
// the start has handed them all over.
type pageDigest struct {
	key  string // the file, as blobReader names it to the page
	name string // the input's name, for errors
	n    int64
}

// pageDigests reports whether the page computes digests (a page's
// worker defines offhuntDigest; Node.js, in the adapter's tests, does not).
func pageDigests() bool {
	return js.Global().Get("offhuntDigest").Type() == js.TypeFunction &&
		js.Global().Get("offhuntRead").Type() == js.TypeFunction
}

func (d *pageDigest) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	return len(p), nil
}

func (d *pageDigest) Sum(b []byte) []byte {
	v, err := await(js.Global().Call("offhuntDigest", d.key, float64(d.n)))
	if err != nil {
		// Sum cannot fail; the scan fails with this (an internal error),
		// never with a wrong digest.
		panic(fmt.Errorf("the SHA-256 of %s: %v", d.name, err))
	}
	u8 := uint8Array.New(v)
	if u8.Get("length").Int() != 32 {
		panic(fmt.Errorf("the SHA-256 of %s: the page answered %d bytes", d.name, u8.Get("length").Int()))
	}
	sum := make([]byte, 32)
	js.CopyBytesToGo(sum, u8)
	return append(b, sum...)
}

func (d *pageDigest) Reset()         { d.n = 0 }
func (d *pageDigest) Size() int      { return 32 }
func (d *pageDigest) BlockSize() int { return 64 }
