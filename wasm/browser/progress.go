//go:build js && wasm

package main

import (
	"bytes"
	"sync"
	"syscall/js"
	"time"

	"github.com/mailru/easyjson"

	"offhunt/detect"
)

// progressEvery is the shortest time between two progress messages: often
// enough for a smooth bar, rare enough to cost nothing.
const progressEvery = 100 * time.Millisecond

// liveFindingsLimit bounds the findings a scan shows while it runs: enough
// for an analyst to start on, few enough that a rule firing on every row
// cannot flood the page before the full, sorted list arrives.
const liveFindingsLimit = 200

// reporter sends progress to the page. It hears from two places: the file
// readers (bytes, after each chunk) and the facade's Options.Progress
// (rows). A query may read an input more than once (one pass per rule, or
// a sort), so each reopening of an input counts as a new pass.
type reporter struct {
	fn js.Value // progress(object), or undefined

	mu     sync.Mutex
	last   time.Time
	input  string
	bytes  int64
	size   int64
	rows   int64
	pass   int
	passes map[string]int

	// Findings found since the last message (JSON objects), how many were
	// sent in all, and whether the page must drop the ones it has (a run
	// repeated without a bad input).
	live      [][]byte
	liveSent  int
	liveReset bool
}

func newReporter(fn js.Value) *reporter {
	return &reporter{fn: fn, passes: map[string]int{}}
}

// opened records that input is read again from its start.
func (r *reporter) opened(input string, size int64) {
	r.mu.Lock()
	r.passes[input]++
	r.input, r.size, r.bytes, r.pass = input, size, 0, r.passes[input]
	r.mu.Unlock()
	r.emit(false)
}

// readBytes records how far the reader of input has come.
func (r *reporter) readBytes(input string, size, read int64) {
	r.mu.Lock()
	r.input, r.size, r.bytes = input, size, read
	r.mu.Unlock()
	r.emit(false)
}

// facade records the core's own progress report.
func (r *reporter) facade(p detect.Progress) {
	r.mu.Lock()
	if p.Rows > r.rows {
		r.rows = p.Rows
	}
	r.mu.Unlock()
	r.emit(false)
}

// finding queues a finding the scan just found. The first one is sent at
// once: it is what an analyst waits for.
func (r *reporter) finding(fd detect.Finding) {
	if r == nil || r.fn.Type() != js.TypeFunction {
		return
	}
	r.mu.Lock()
	if r.liveSent+len(r.live) >= liveFindingsLimit {
		r.mu.Unlock()
		return
	}
	b, err := easyjson.Marshal(fd)
	if err != nil {
		r.mu.Unlock()
		return // shown with the full list at the end
	}
	r.live = append(r.live, b)
	first := r.liveSent == 0 && len(r.live) == 1
	r.mu.Unlock()
	r.emit(first)
}

// restartLive tells the page to drop the findings shown so far: the run
// starts again.
func (r *reporter) restartLive() {
	r.mu.Lock()
	r.live, r.liveSent, r.liveReset = nil, 0, true
	r.mu.Unlock()
}

// emit sends a progress message when enough time has passed, or always
// when force is set.
func (r *reporter) emit(force bool) {
	if r == nil || r.fn.Type() != js.TypeFunction {
		return
	}
	r.mu.Lock()
	now := time.Now()
	if !force && now.Sub(r.last) < progressEvery {
		r.mu.Unlock()
		return
	}
	r.last = now
	msg := map[string]any{
		"input":     r.input,
		"bytesRead": float64(r.bytes),
		"size":      float64(r.size),
		"rows":      float64(r.rows),
		"pass":      r.pass,
	}
	if len(r.live) > 0 || r.liveReset {
		// One JSON array: the page parses it once, and Go builds no
		// JavaScript object per field.
		msg["findings"] = "[" + string(bytes.Join(r.live, []byte(","))) + "]"
		msg["findingsReset"] = r.liveReset
		r.liveSent += len(r.live)
		r.live, r.liveReset = nil, false
	}
	r.mu.Unlock()
	r.fn.Invoke(js.ValueOf(msg))
}
