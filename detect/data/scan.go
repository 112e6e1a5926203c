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
	// Needles, when not nil, is a sharper promise of the same kind, per
	// column: a row none of whose needles matches cannot pass Filter. A
	// needle matches when the text of its column, as the column's string
	// value reads, contains one of its literals, compared with ASCII case
	// folding. A reader may test a field's raw bytes where they read the
	// same as its value, and must decode it where they may not (CSV's
	// doubled quotes, JSON's escapes). An empty, non-nil list means that no
	// row can pass.
	Needles []Needle
}

// Needle is one column's part of ScanSpec.Needles.
type Needle struct {
	Column int // the source's column, a string column
	// Literals are lower-case printable ASCII, none empty.
	Literals []string
	// ASCIIOnly means the needle only rules out a field whose text is all
	// ASCII: it comes from a (?i) regular expression, which also matches
	// a few non-ASCII letters to ASCII ones (the Kelvin sign K to k).
	ASCIIOnly bool
	// Terms means the literals are has terms: a literal that starts (ends)
	// with an ASCII letter or digit is only found where no letter or digit
	// is before (after) it, as the has operator finds it (and as every
	// whole value that equals the literal holds it).
	Terms bool
}

// SpecSource is a source that can apply a ScanSpec itself. Sources that do
// not implement it are scanned plainly and filtered by the engine.
type SpecSource interface {
	Source
	ScanSpec(ctx context.Context, spec ScanSpec, emit func(Row) error) error
}
