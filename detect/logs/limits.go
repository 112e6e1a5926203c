package logs

import "offhunt/detect/data"

// Limits of the readers. Logs are hostile input: every amount a reader
// holds in memory has a bound, and crossing it gives a message that names
// the bound instead of an exhausted heap. A reader's memory is its read
// chunk plus the widest row it has met, whatever the size of the input.
const (
	// MaxLineBytes bounds one record: a CSV row (with the lines of its
	// quoted fields) or a JSON record. A longer record is a bad row: it is
	// counted, reported and skipped, and reading goes on after it.
	MaxLineBytes = 16 << 20
	// MaxFieldBytes bounds one value. A longer value becomes null and its
	// row is counted as bad; the rest of the row is kept.
	MaxFieldBytes = 1 << 20
	// MaxColumns bounds the columns of a table (a CSV header, the keys of
	// JSON records). A wider header is an error; keys beyond it in JSON go
	// to the ExtraFields column.
	MaxColumns = 4096
	// MaxJSONDepth bounds the nesting of JSON values. A deeper value is
	// kept as its text, and its row is counted as bad.
	MaxJSONDepth = data.MaxJSONDepth
	// MaxBadRowSamples is how many bad rows a report keeps with their line
	// and reason; all of them are counted.
	MaxBadRowSamples = 100
	// InferenceRows and InferenceBytes bound the sample read when an input
	// is opened: its columns and, for columns no known schema declares,
	// their types come from the first InferenceRows records or
	// InferenceBytes bytes, whichever ends first.
	InferenceRows  = 1000
	InferenceBytes = 8 << 20
	// MaxZipBytes bounds a ZIP archive that has to be read into memory
	// (ZIP needs random access; an input that is a file is read in place).
	// It is the size of the largest Defender export, and leaves room in a
	// Worker's 128 MB.
	MaxZipBytes = 64 << 20
	// MaxZipEntries bounds the entries of a ZIP archive.
	MaxZipEntries = 1000
	// MaxXMLDepth bounds element nesting in Windows event XML.
	MaxXMLDepth = 64
	// maxMembers bounds the fields kept of one record (CSV fields, JSON
	// members, XML data elements); the rest are counted and dropped, so
	// that a row of millions of empty fields cannot take the memory.
	maxMembers = 2 * MaxColumns
)

// Rhythms of a scan.
const (
	// chunkSize is how much a scan reads at a time.
	chunkSize = 1 << 20
	// sniffBytes is how much of an input is looked at to tell its format
	// and, for CSV, its separator.
	sniffBytes = 64 << 10
	// ctxCheckRows is how often (in records) a scan checks for
	// cancellation; it also checks on every chunk read.
	ctxCheckRows = 1024
)
