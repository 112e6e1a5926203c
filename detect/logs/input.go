package logs

import (
	"context"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"offhunt/detect/data"
)

// Provenance columns. Every table a reader serves ends with these two, so
// that a result row can say where it came from: the input's name and the
// record's 1-based line (its position for JSON arrays). Kusto reserves
// names that start with "__", so no export can collide with them, and the
// engine does not show them.
const (
	InputColumn = "__input"
	LineColumn  = "__line"
)

// ExtraFieldsColumn is the dynamic column of a JSON input that holds the
// members of records that the sample read at open time did not show: the
// columns of a table are fixed before its rows are read, and nothing an
// input holds may be dropped.
const ExtraFieldsColumn = "ExtraFields"

// Options are an opening's settings.
type Options struct {
	// Size is the input's length in bytes when known (for progress).
	Size int64
	// Progress, when set, is called as inputs are read: about every
	// progressInterval, and when a scan ends.
	Progress func(Progress)
	// NewDigest, when set, makes the SHA-256 of a report's sha256 in place
	// of crypto/sha256: a runtime that hashes natively (workerd's
	// crypto.DigestStream) is several times faster than Go compiled to
	// WebAssembly, which has no SHA instructions.
	NewDigest func() hash.Hash
	// FileDigest, when set, computes the SHA-256 of this input's bytes in
	// place of NewDigest: the caller that serves the bytes hashes them as
	// it does (the page, on its own thread, while the engine scans). It is
	// not used for the entries of a ZIP archive, whose reports cover the
	// entry's bytes, not the file's.
	FileDigest func() hash.Hash
}

// Progress reports how far a scan has read one input.
type Progress struct {
	Input     string
	BytesRead int64 // bytes of the input as given
	Size      int64 // the input's size when known, else 0
	Rows      int64 // records read by this scan so far
}

// progressInterval is how often, at most, Progress is called.
const progressInterval = 250 * time.Millisecond

// Table is a table an input serves.
type Table struct {
	Name   string
	Source data.Source
	// Alias is another name the table goes by: the name a Log Analytics
	// response gave it ("PrimaryResult") when its columns fit a known table.
	Alias string
}

// Input is one opened input: what its content was taken for, the tables it
// serves and its report. It holds no rows: every scan opens it again and
// streams it, so an input larger than memory can be queried, and a table
// named twice in a query is read twice.
type Input struct {
	name string
	stem string
	open func() (io.ReadCloser, error)
	opts Options

	enc    textEncoding
	format string // the container format, for the report
	kind   inputKind
	csv    csvPlan
	json   jsonPlan
	shape  recordShape
	groups []*group
	mapper *mapper

	views    []*view
	stemView *view

	mu       sync.Mutex
	complete bool
	report   Report
	dups     map[*view]int64
	notices  []string
}

type inputKind uint8

const (
	kindCSV inputKind = iota
	kindJSON
	kindXML
)

// group is one table's worth of records in an input: most inputs have one;
// a Log Analytics response has one per table, a Defender streaming export
// one per category.
type group struct {
	name     string // the table name
	label    string // the name the input gave it (category, table name)
	slots    []slot
	index    map[string]int
	extra    int // slot of ExtraFields, or -1
	timeSlot int // slot of the event time (Timestamp, TimeGenerated), or -1
	hashes   []uint64
	typed    []int // slots whose type is not string: checked on every reporting scan
	known    bool  // the table is a known schema
}

// slot is a field of a group's records, with the type its values take.
type slot struct {
	name string
	typ  data.Type
}

func newGroup(name string) *group {
	return &group{name: name, index: map[string]int{}, extra: -1, timeSlot: -1}
}

// add appends a slot and returns its index.
func (g *group) add(name string, t data.Type) int {
	g.index[name] = len(g.slots)
	g.slots = append(g.slots, slot{name, t})
	return len(g.slots) - 1
}

// finish computes what scans need from the slots.
func (g *group) finish() {
	g.hashes = make([]uint64, len(g.slots))
	g.typed = g.typed[:0]
	for i, s := range g.slots {
		g.hashes[i] = nameHash(s.name)
		if s.typ != data.String {
			g.typed = append(g.typed, i)
		}
	}
	g.timeSlot = -1
	for _, n := range []string{"Timestamp", "TimeGenerated"} {
		if i, ok := g.index[n]; ok && g.slots[i].typ == data.DateTime {
			g.timeSlot = i
			break
		}
	}
}

// Name returns the input's name.
func (in *Input) Name() string { return in.name }

// Stem returns the input's file stem, the name by which a query can reach
// it as it is (`['export (3)']`).
func (in *Input) Stem() string { return in.stem }

// Tables returns the tables the input serves, each named by its schema.
func (in *Input) Tables() []Table {
	var out []Table
	for _, v := range in.views {
		if v == in.stemView && in.mapper != nil {
			continue // the all-events view of a mapped input is its stem only
		}
		out = append(out, Table{Name: v.name, Source: v, Alias: v.alias})
	}
	return out
}

// StemSource returns the input as it is: all its records, for the stem
// alias. For a mapped input (Sysmon, 4688, ECS) this is every event, where
// its DeviceProcessEvents table holds the process creations.
func (in *Input) StemSource() data.Source { return in.stemView }

// Report returns the input's report as far as it is known; Complete makes
// it whole.
func (in *Input) Report() Report {
	in.mu.Lock()
	defer in.mu.Unlock()
	r := in.report
	r.BadRowSamples = append([]BadRow(nil), r.BadRowSamples...)
	r.Notices = append(append([]string(nil), in.notices...), r.Notices...)
	r.Duplicates = 0
	for _, n := range in.dups {
		r.Duplicates += n
	}
	return r
}

// Completed reports whether a scan has read the whole input.
func (in *Input) Completed() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.complete
}

// Complete reads the input to its end if no scan did yet (a query that
// stopped early, a table no query named), so that its report is whole.
func (in *Input) Complete(ctx context.Context) error {
	if in.Completed() {
		return nil
	}
	need := make([]bool, len(in.stemView.cols))
	return in.stemView.Scan(ctx, need, func(data.Row) error { return nil })
}

// RecordDuplicates sets how many events of src, a table an input serves,
// an earlier input of the same table already held. A union calls it once,
// after its first complete scan. It reports false when src is not an
// input's table.
func RecordDuplicates(src data.Source, n int64) bool {
	v, ok := src.(*view)
	if !ok {
		return false
	}
	v.in.mu.Lock()
	defer v.in.mu.Unlock()
	if v.in.dups == nil {
		v.in.dups = map[*view]int64{}
	}
	v.in.dups[v] = n
	return true
}

// commit records a complete scan's findings, once.
func (in *Input) commit(st *stats, sum string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.complete {
		return
	}
	in.complete = true
	r := &in.report
	r.Rows = st.rows
	r.SHA256 = sum
	r.First, r.Last, r.HasTime = st.first, st.last, st.hasTime
	r.BadRows = st.badRows
	r.BadRowSamples = append([]BadRow(nil), st.samples...)
	if st.notProc > 0 {
		kinds := make([]string, 0, len(st.notProcBy))
		for k := range st.notProcBy {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool {
			if a, b := st.notProcBy[kinds[i]], st.notProcBy[kinds[j]]; a != b {
				return a > b
			}
			return kinds[i] < kinds[j]
		})
		for i, k := range kinds {
			kinds[i] = fmt.Sprintf("%s: %d", k, st.notProcBy[k])
		}
		r.Notices = append(r.Notices, fmt.Sprintf("%d of %d events are not process creations (%s): DeviceProcessEvents leaves them out; query ['%s'] for every event",
			st.notProc, st.rows, strings.Join(kinds, ", "), in.stem))
	}
	if st.rows == 0 && st.badRows == 0 {
		r.Notices = append(r.Notices, "the input holds no rows")
	}
}

// notice adds a note to the input's report.
func (in *Input) notice(s string) {
	in.mu.Lock()
	in.notices = append(in.notices, s)
	in.mu.Unlock()
}
