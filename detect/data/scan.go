package data

import "context"

// ScanSpec tells a source what a query will do with its rows, so that a
// reader can do less: decode only the columns a filter reads, drop rows the
// filter rejects before decoding the rest, and skip whole rows whose raw
// bytes cannot match.
type ScanSpec struct {
	// Need marks the columns the rest of the query reads after Filter;
	// nil means every column. Columns not needed may be left null.
	Need []bool
	// NewFilter, when set, makes a filter that decides each row first;
	// only the columns marked in FilterNeed are decoded when it is called,
	// and rows it rejects are never emitted. A filter is not safe for
	// concurrent use: a reader that works in several goroutines makes one
	// per goroutine.
	NewFilter  func() func(Row) bool
	FilterNeed []bool
	// Literals, when not nil, is a promise from the query: a row whose raw
	// text (the bytes of its record as stored) contains none of these
	// strings, compared with ASCII case folding, cannot pass Filter. Each
	// literal is printable ASCII without quote, backslash or slash, so it
	// reads the same raw and decoded in CSV and JSON.
	Literals []string
}

// SpecSource is a source that can apply a ScanSpec itself. Sources that do
// not implement it are scanned plainly and filtered by the engine.
type SpecSource interface {
	Source
	ScanSpec(ctx context.Context, spec ScanSpec, emit func(Row) error) error
}
