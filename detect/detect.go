// Package detect is offhunt's facade: it takes inputs (exports of process
// events) and options, and runs queries and detection rules over them. The
// CLI, the browser adapter and the Worker are thin layers over this package;
// it does no I/O of its own beyond reading the inputs it is handed, so it
// compiles for js/wasm unchanged.
package detect

import (
	"context"
	"hash"
	"io"
	"time"

	"offhunt/detect/kql"
)

// Version is the engine version reported in results.
const Version = "0.1.0"

// Input is one export to read. Open may be called more than once (a query
// may scan a table twice); for a stream that cannot be reopened the caller
// buffers it (the CLI does so for standard input).
type Input struct {
	Name string
	Open func() (io.ReadCloser, error)
	// Size is the input's length in bytes when known (for progress), else 0.
	Size int64
	// FileDigest, when set, computes the SHA-256 of the input's bytes for
	// its report in place of offhunt (logs.Options.FileDigest): Write gets
	// the bytes as read, Sum gives the digest. The page sets it: its own
	// thread hashes the file as it hands it over.
	FileDigest func() hash.Hash
}

// Options are the caller's choices for one run.
type Options struct {
	// Now is "" (the wall clock), "latest" (the newest event time among the
	// inputs) or an RFC 3339 time.
	Now string
	// Clock gives the wall clock; nil means time.Now. Tests fix it.
	Clock func() time.Time
	// Dedupe drops exact duplicate events across inputs of one table
	// (overlapping day-by-day exports); they are counted either way.
	Dedupe bool
	// Progress, when set, is called as inputs are read (at most every few
	// hundred milliseconds' worth of data), for progress bars.
	Progress func(Progress)
	// NewDigest, when set, computes the inputs' SHA-256 (logs.Options).
	NewDigest func() hash.Hash
}

// Progress reports how far reading has come.
type Progress struct {
	Input     string // the input being read
	BytesRead int64  // bytes of that input read so far
	Size      int64  // the input's size when known, else 0
	Rows      int64  // rows read so far across all inputs
}

// QueryResult is what Query returns: the resolved now and one result per
// tabular statement.
type QueryResult struct {
	Now     time.Time
	Results []*kql.Result
	// TimeNotice is set when a result is empty because a time filter
	// removed every row; it names now and the inputs' time range.
	TimeNotice string
	// Inputs describes each input as it was read (format, schema, rows,
	// bad rows with their lines).
	Inputs []InputReport
}

// Query runs a KQL query over the inputs.
func Query(ctx context.Context, query string, inputs []Input, opts Options) (*QueryResult, error) {
	return runQuery(ctx, query, inputs, opts)
}
