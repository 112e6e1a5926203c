package data

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
)

// EventHash identifies an event by its fields: two rows that hold the same
// event have the same hash, wherever they came from. It is 128 bits wide so
// that telling a million events apart does not depend on luck.
type EventHash [2]uint64

// HashedScanner is a Source that can hash each row's event cheaply from
// what it read (the raw fields of the input), rather than from the values
// it converted. Readers implement it; UnionSourcesWith uses it to find
// duplicate events without converting columns the query does not need.
type HashedScanner interface {
	Source
	ScanHashed(ctx context.Context, need []bool, emit func(Row, EventHash) error) error
}

// UnionOptions are the choices of UnionSourcesWith.
type UnionOptions struct {
	// Dedupe drops a row whose event an earlier source of the union
	// already held.
	Dedupe bool
	// Duplicates, when set, is called once, after the first scan that
	// reads every source to its end, with how many rows of each source
	// repeat an event of an earlier source. Duplicates within one source
	// are that source's own business and are not counted.
	Duplicates func(counts []int64)
}

// UnionSources serves several inputs of one table as one source: the
// columns of all of them, by name, in first-seen order; a column an input
// lacks is null (or "" for strings) in its rows. Analysts export day by day,
// so one table often arrives as many files.
func UnionSources(name string, srcs []Source) Source {
	return UnionSourcesWith(name, srcs, UnionOptions{})
}

// UnionSourcesWith is UnionSources that also finds events that several
// sources hold (overlapping exports), counts them, and drops them when
// asked. Columns whose names start with "__" (provenance: which input,
// which line) are never part of an event. A column that two sources type
// differently takes a type both fit (long for int and long, real for other
// numbers, else string), so that no source's values are lost.
func UnionSourcesWith(name string, srcs []Source, opts UnionOptions) Source {
	u := &unionSource{name: name, srcs: srcs, opts: opts}
	for _, s := range srcs {
		for _, c := range s.Columns() {
			if i := ColumnIndex(u.cols, c.Name); i < 0 {
				u.cols = append(u.cols, c)
			} else if u.cols[i].Type != c.Type {
				u.cols[i].Type = commonType(u.cols[i].Type, c.Type)
			}
		}
	}
	for _, s := range srcs {
		m := make([]int, len(u.cols))
		conv := make([]Type, len(u.cols))
		for i, c := range u.cols {
			m[i] = ColumnIndex(s.Columns(), c.Name)
			if m[i] >= 0 && s.Columns()[m[i]].Type != c.Type {
				conv[i] = c.Type
			}
		}
		u.maps = append(u.maps, m)
		u.convs = append(u.convs, conv)
	}
	u.line = ColumnIndex(u.cols, "__line")
	return u
}

// commonType is the type that values of types a and b both fit.
func commonType(a, b Type) Type {
	switch {
	case a == b:
		return a
	case a.IsIntegral() && b.IsIntegral():
		return Long
	case a.IsNumeric() && b.IsNumeric():
		return Real
	}
	return String
}

// convertTo converts v to type t for commonType.
func convertTo(v Value, t Type) Value {
	if v.IsNull() {
		if t == String {
			return EmptyString
		}
		return Null
	}
	switch t {
	case Long:
		if n, ok := ToLong(v); ok {
			return NewLong(n)
		}
	case Real:
		if f, ok := ToReal(v); ok {
			return NewReal(f)
		}
	case String:
		return NewString(ToString(v))
	}
	return Null
}

type unionSource struct {
	name  string
	srcs  []Source
	opts  UnionOptions
	cols  []Column
	maps  [][]int
	convs [][]Type
	line  int // index of __line in cols, or -1

	mu sync.Mutex
	// counted is set once a scan has read every source to its end; dups
	// then holds, per source, the __line of each duplicate row, so that
	// later scans drop them without hashing.
	counted bool
	dups    []map[int64]struct{}
}

func (u *unionSource) Name() string      { return u.name }
func (u *unionSource) Columns() []Column { return u.cols }

// Sources returns the inputs the union reads.
func (u *unionSource) Sources() []Source { return u.srcs }

func (u *unionSource) Scan(ctx context.Context, need []bool, emit func(Row) error) error {
	return u.ScanSpec(ctx, ScanSpec{Need: need}, emit)
}

// ScanSpec scans the sources in order. The spec is passed on to each
// source that takes one (its columns mapped to the source's), except on a
// scan that must hash every event to count duplicates: that one filters
// rows itself, after hashing them.
func (u *unionSource) ScanSpec(ctx context.Context, spec ScanSpec, emit func(Row) error) error {
	u.mu.Lock()
	counted, dups := u.counted, u.dups
	u.mu.Unlock()
	// Hash when duplicates still have to be counted, or when they must be
	// dropped and are not known by line.
	hashing := len(u.srcs) > 1 && (!counted || (u.opts.Dedupe && dups == nil))
	var seen map[EventHash]struct{}
	var counts []int64
	var lines []map[int64]struct{}
	if hashing {
		seen = map[EventHash]struct{}{}
		counts = make([]int64, len(u.srcs))
		if u.line >= 0 {
			lines = make([]map[int64]struct{}, len(u.srcs))
		}
	}
	var filter func(Row) bool
	if spec.NewFilter != nil {
		filter = spec.NewFilter()
	}
	need := spec.Need
	if filter != nil {
		need = mergeNeeds(spec.Need, spec.FilterNeed)
	}
	out := make(Row, len(u.cols))
	for k, s := range u.srcs {
		m, conv := u.maps[k], u.convs[k]
		// toSource maps a set of the union's columns to the source's.
		toSource := func(set []bool) []bool {
			if set == nil {
				return nil
			}
			sn := make([]bool, len(s.Columns()))
			for i, j := range m {
				if j >= 0 && i < len(set) && set[i] {
					sn[j] = true
				}
			}
			if u.line >= 0 && m[u.line] >= 0 && (u.opts.Dedupe || hashing) {
				sn[m[u.line]] = true
			}
			return sn
		}
		fill := func(r Row) {
			for i, j := range m {
				switch {
				case j < 0 && u.cols[i].Type == String:
					out[i] = EmptyString
				case j < 0:
					out[i] = Null
				case conv[i] != Unknown && (need == nil || (i < len(need) && need[i])):
					out[i] = convertTo(r[j], conv[i])
				default:
					out[i] = r[j]
				}
			}
		}
		// keep fills the row and applies the filter, when the source did not.
		keep := func(r Row) bool {
			fill(r)
			return filter == nil || filter(out)
		}
		var drop map[int64]struct{}
		if u.opts.Dedupe && dups != nil {
			drop = dups[k]
		}
		last := k == len(u.srcs)-1
		var cur map[EventHash]struct{} // this source's events, added to seen after it
		if hashing && !last {
			cur = map[EventHash]struct{}{}
		}
		var err error
		switch {
		case hashing:
			onRow := func(r Row, h EventHash) error {
				if _, dup := seen[h]; dup {
					counts[k]++
					if lines != nil {
						if lines[k] == nil {
							lines[k] = map[int64]struct{}{}
						}
						lines[k][lineOf(r, m[u.line])] = struct{}{}
					}
					if u.opts.Dedupe {
						return nil
					}
				} else if cur != nil {
					cur[h] = struct{}{}
				}
				if !keep(r) {
					return nil
				}
				return emit(out)
			}
			if hs, ok := s.(HashedScanner); ok {
				err = hs.ScanHashed(ctx, toSource(need), onRow)
			} else {
				cols := s.Columns()
				err = s.Scan(ctx, nil, func(r Row) error { return onRow(r, hashRow(cols, r)) })
			}
		default:
			onRow := func(r Row) error {
				if drop != nil {
					if _, dup := drop[lineOf(r, m[u.line])]; dup {
						return nil
					}
				}
				fill(r)
				return emit(out)
			}
			if ss, ok := s.(SpecSource); ok {
				sspec := ScanSpec{Need: toSource(spec.Need), Literals: spec.Literals, Needles: needlesToSource(spec.Needles, m, s.Columns())}
				if filter != nil {
					sspec.FilterNeed = toSource(spec.FilterNeed)
					sspec.NewFilter = func() func(Row) bool { return keep }
				}
				err = ss.ScanSpec(ctx, sspec, onRow)
			} else {
				err = s.Scan(ctx, toSource(need), func(r Row) error {
					if !keep(r) {
						return nil
					}
					return onRow(r)
				})
			}
		}
		if err != nil {
			return err
		}
		for h := range cur {
			seen[h] = struct{}{}
		}
	}
	if hashing {
		u.mu.Lock()
		first := !u.counted
		u.counted = true
		if lines != nil && u.dups == nil {
			u.dups = lines
			for k := range u.dups {
				if u.dups[k] == nil {
					u.dups[k] = map[int64]struct{}{}
				}
			}
		}
		u.mu.Unlock()
		if first && u.opts.Duplicates != nil {
			u.opts.Duplicates(counts)
		}
	}
	return nil
}

// mergeNeeds is the union of two column sets (nil means every column).
func mergeNeeds(a, b []bool) []bool {
	if a == nil || b == nil {
		return nil
	}
	out := make([]bool, max(len(a), len(b)))
	for i := range out {
		out[i] = (i < len(a) && a[i]) || (i < len(b) && b[i])
	}
	return out
}

func lineOf(r Row, j int) int64 {
	if j < 0 || j >= len(r) {
		return -1
	}
	return r[j].I
}

var _ SpecSource = (*unionSource)(nil)

var unionSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// hashRow hashes a row's values (every column but provenance) for a
// source that cannot hash its events itself.
func hashRow(cols []Column, r Row) EventHash {
	var h EventHash
	var buf []byte
	for i, c := range cols {
		if strings.HasPrefix(c.Name, "__") || i >= len(r) || r[i].IsNull() || (r[i].K == KString && r[i].S == "") {
			continue
		}
		buf = append(buf[:0], c.Name...)
		buf = append(buf, 0)
		buf = appendHashKey(buf, r[i])
		for k := range h {
			x := maphash.Bytes(unionSeeds[k], buf)
			h[k] += mix64(x)
		}
	}
	return h
}

// mix64 scrambles a per-column hash before the columns' hashes are summed
// (a sum, so that column order does not matter).
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// needlesToSource maps a union's needles to one of its sources (m maps the
// union's columns to the source's). A needle on a column the source lacks
// is dropped, since the union fills that column with nothing a literal can
// be in; a needle on a column the source types otherwise drops them all.
func needlesToSource(ns []Needle, m []int, cols []Column) []Needle {
	if ns == nil {
		return nil
	}
	out := []Needle{}
	for _, n := range ns {
		if n.Column < 0 || n.Column >= len(m) {
			return nil
		}
		j := m[n.Column]
		if j < 0 {
			continue
		}
		if cols[j].Type != String {
			return nil
		}
		n.Column = j
		out = append(out, n)
	}
	return out
}
