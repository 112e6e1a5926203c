package logs

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Report says how an input was read: what it was taken for, how many rows
// it gave, and every row that could not be read as it is. Reports are
// filled by the scans a query makes anyway; the first scan that reads an
// input to its end completes the report, and later scans do not count
// again (see Input.Complete for inputs no query read to the end).
type Report struct {
	Name   string
	Format string // "csv", "gzip ndjson, windows events", ...
	Schema string // the table the input serves, e.g. "DeviceProcessEvents"
	// Rows counts the records read, bad ones that were kept included.
	Rows   int64
	SHA256 string // of the input's bytes as given (before decompression)
	// First and Last are the earliest and latest event time, in ticks,
	// when HasTime.
	First, Last int64
	HasTime     bool
	// BadRows counts the records that could not be read as they are: some
	// were skipped (unparseable), some kept with a value made null or
	// repaired; each sample says which.
	BadRows       int64
	BadRowSamples []BadRow
	// Duplicates counts the events of this input that an earlier input of
	// the same table already held.
	Duplicates int64
	Notices    []string
}

// BadRow is one bad record: its line (the record's position for JSON
// arrays) and what was wrong.
type BadRow struct {
	Line   int64
	Reason string
}

// stats accumulates one scan's findings about its input.
type stats struct {
	rows      int64
	badRows   int64
	samples   []BadRow
	first     int64
	last      int64
	hasTime   bool
	notProc   int64            // records of a mapped input that are not process creations
	notProcBy map[string]int64 // of those, how many per event kind ("Sysmon 5")
}

func (s *stats) time(t int64) {
	if !s.hasTime || t < s.first {
		s.first = t
	}
	if !s.hasTime || t > s.last {
		s.last = t
	}
	s.hasTime = true
}

// merge adds the statistics of the records that follow those of s (a
// parallel scan's batch), keeping the samples in order.
func (s *stats) merge(o *stats) {
	s.rows += o.rows
	s.badRows += o.badRows
	for _, b := range o.samples {
		if len(s.samples) < MaxBadRowSamples {
			s.samples = append(s.samples, b)
		}
	}
	if o.hasTime {
		s.time(o.first)
		s.time(o.last)
	}
	s.notProc += o.notProc
	for k, n := range o.notProcBy {
		if s.notProcBy == nil {
			s.notProcBy = map[string]int64{}
		}
		s.notProcBy[k] += n
	}
}

// bad counts one bad record with its reason.
func (s *stats) bad(line int64, reason string) {
	s.badRows++
	if len(s.samples) < MaxBadRowSamples {
		s.samples = append(s.samples, BadRow{Line: line, Reason: reason})
	}
}

// maxReasonValue bounds how much of an offending value a reason quotes.
const maxReasonValue = 40

// quoteValue quotes a value for a reason, shortened and made printable.
func quoteValue(b []byte) string {
	s := string(b)
	if len(s) > maxReasonValue {
		cut := maxReasonValue
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

// hexSum formats a digest.
func hexSum(b []byte) string { return hex.EncodeToString(b) }

// joinReasons puts a record's several problems in one reason.
func joinReasons(rs []string) string {
	const most = 3
	if len(rs) > most {
		return strings.Join(rs[:most], "; ") + "; and " + strconv.Itoa(len(rs)-most) + " more"
	}
	return strings.Join(rs, "; ")
}
