package logs

import (
	"bytes"
	"context"
	"io"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
)

// view is a table an input serves: its columns and how each is computed
// from a record.
type view struct {
	in       *Input
	name     string
	group    int  // the group whose records it serves
	procOnly bool // only process-creation events (a mapped input)
	alias    string
	cols     []data.Column
	outs     []output
	inputVal data.Value
}

// outKind says how a view's column is computed.
type outKind uint8

const (
	outSlot   outKind = iota // a field of the record, converted to the column's type
	outMapped                // a mapped column (DeviceProcessEvents from Sysmon, ...)
	outInput                 // __input
	outLine                  // __line
	outEmpty                 // a column of the schema the input has nothing for
)

type output struct {
	kind outKind
	slot int // outSlot: the slot; outMapped: the mapper's output
}

// Name returns the table name.
func (v *view) Name() string { return v.name }

// Columns returns the columns; the caller must not change them.
func (v *view) Columns() []data.Column { return v.cols }

// Scan streams the rows. Columns that need marks false are left null, and
// their fields are never converted: that is what lets a query that reads
// three columns of a wide export run at the speed of splitting it.
func (v *view) Scan(ctx context.Context, need []bool, emit func(data.Row) error) error {
	return v.scan(ctx, data.ScanSpec{Need: need}, false, func(r data.Row, _ data.EventHash) error { return emit(r) })
}

// ScanSpec is Scan with the query's filter pushed in (data.SpecSource):
// a record whose text holds none of the spec's literals is passed over
// unconverted; for the others, the filter's columns are converted first,
// and the rest only for rows the filter keeps.
func (v *view) ScanSpec(ctx context.Context, spec data.ScanSpec, emit func(data.Row) error) error {
	return v.scan(ctx, spec, false, func(r data.Row, _ data.EventHash) error { return emit(r) })
}

// ScanHashed is Scan that also gives each row's event hash (see
// data.HashedScanner): a hash of the record's fields as the input holds
// them, never of its provenance.
func (v *view) ScanHashed(ctx context.Context, need []bool, emit func(data.Row, data.EventHash) error) error {
	return v.scan(ctx, data.ScanSpec{Need: need}, true, emit)
}

func (v *view) scan(ctx context.Context, spec data.ScanSpec, hashed bool, emit func(data.Row, data.EventHash) error) error {
	s, err := v.in.newScan(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	p := v.rowPlan(spec)
	if s.parallel() {
		done, err := v.scanParallel(s, p, spec.NewFilter, hashed, emit)
		if done || err != nil {
			return err
		}
		// The rest of the input is read on here, in order.
	}
	var filter func(data.Row) bool
	if spec.NewFilter != nil {
		filter = spec.NewFilter()
	}
	row := make(data.Row, len(v.cols))
	g := v.in.groups[v.group]
	for {
		rec, err := s.next()
		if err == io.EOF {
			s.finish()
			return nil
		}
		if err != nil {
			return err
		}
		if !p.take(rec, row, &s.conv, filter) {
			continue
		}
		var h data.EventHash
		if hashed {
			h = eventHash(g, rec.fields)
		}
		if err := emit(row, h); err != nil {
			return err
		}
	}
}

// rowPlan is what a scan does with each record of a view: the prefilters
// that pass it over unconverted, the columns its filter reads (first),
// and the others the query needs (then).
type rowPlan struct {
	v           *view
	first, then []int
	lits        *recordLiterals
	needles     *needleTest
}

func (v *view) rowPlan(spec data.ScanSpec) *rowPlan {
	marked := func(set []bool, i int) bool { return set == nil || (i < len(set) && set[i]) }
	p := &rowPlan{v: v}
	for i := range v.outs {
		switch {
		case spec.NewFilter != nil && marked(spec.FilterNeed, i):
			p.first = append(p.first, i)
		case marked(spec.Need, i):
			p.then = append(p.then, i)
		}
	}
	if spec.NewFilter == nil {
		p.first, p.then = p.then, nil
	}
	p.needles = v.needleTest(spec.Needles)
	if p.needles == nil {
		// The needles say more than the record literals, and cost less
		// than a search of the whole record.
		p.lits = v.prefilter(spec.Literals)
	}
	return p
}

// take decides a record: false passes it over; true fills row (with the
// converter c) for the filter, which kept it.
func (p *rowPlan) take(rec *record, row data.Row, c *converter, filter func(data.Row) bool) bool {
	v := p.v
	if rec.group != v.group || (v.procOnly && !rec.ev.process) {
		return false
	}
	if p.lits != nil && p.lits.ruleOut(rec) {
		return false
	}
	if p.needles != nil && !p.needles.maybe(rec, c) {
		return false
	}
	if m := v.in.mapper; m != nil && !rec.mapOK && len(p.first)+len(p.then) > 0 {
		m.compute(rec, v.in.groups[v.group], c)
	}
	v.fill(row, p.first, rec, c)
	if filter != nil {
		if !filter(row) {
			return false
		}
		v.fill(row, p.then, rec, c)
	}
	return true
}

// fill computes the columns plan of row from rec.
func (v *view) fill(row data.Row, plan []int, rec *record, c *converter) {
	for _, i := range plan {
		o := v.outs[i]
		switch o.kind {
		case outSlot:
			row[i], _ = c.convert(rec.fields[o.slot], v.cols[i].Type)
		case outMapped:
			row[i] = rec.mapped[o.slot]
		case outInput:
			row[i] = v.inputVal
		case outLine:
			row[i] = data.NewLong(rec.line)
		case outEmpty:
			if v.cols[i].Type == data.String {
				row[i] = data.EmptyString
			} else {
				row[i] = data.Null
			}
		}
	}
}

// recordLiterals is a spec's record literals (data.ScanSpec.Literals) as a
// view tests them: a record whose raw text holds none is passed over.
type recordLiterals struct {
	set  *textmatch.FoldSet
	none bool // an empty list: no record can pass
}

// prefilter prepares a spec's literals, or returns nil when there are
// none to test. A mapped view takes none: its columns are computed
// (ActionType is "ProcessCreated", an integrity level is named from a
// SID), so a row can match text its record does not hold.
func (v *view) prefilter(literals []string) *recordLiterals {
	if literals == nil || v.in.mapper != nil {
		return nil
	}
	if len(literals) == 0 {
		return &recordLiterals{none: true}
	}
	set, ok := textmatch.NewFoldSet(literals) // refuses "", which is in every record
	if !ok {
		return nil
	}
	return &recordLiterals{set: set}
}

// ruleOut reports whether rec cannot pass: its text holds none of the
// literals, and no JSON \u escape could spell one it does not show.
func (l *recordLiterals) ruleOut(rec *record) bool {
	if rec.bytes == nil || hasUnicodeEscape(rec) {
		return false
	}
	return l.none || !l.set.MatchBytes(rec.bytes)
}

// hasUnicodeEscape reports whether a JSON record writes characters as
// \u escapes, which could spell a literal the raw text does not show.
func hasUnicodeEscape(rec *record) bool {
	return rec.isObj && bytes.Contains(rec.bytes, []byte(`\u`))
}

// newView makes the plain view of a group: its slots as columns, the
// Timestamp/TimeGenerated alias when its table declares both, and the
// provenance columns.
func (in *Input) newView(gi int) *view {
	g := in.groups[gi]
	v := &view{in: in, name: g.name, group: gi, inputVal: data.NewString(in.name)}
	for i, s := range g.slots {
		v.cols = append(v.cols, data.Column{Name: s.name, Type: s.typ})
		v.outs = append(v.outs, output{kind: outSlot, slot: i})
	}
	if g.known {
		if alias, of, ok := timeAlias(g); ok {
			v.cols = append(v.cols, data.Column{Name: alias, Type: g.slots[of].typ})
			v.outs = append(v.outs, output{kind: outSlot, slot: of})
		}
	}
	v.addProvenance()
	return v
}

func (v *view) addProvenance() {
	v.cols = append(v.cols, data.Column{Name: InputColumn, Type: data.String}, data.Column{Name: LineColumn, Type: data.Long})
	v.outs = append(v.outs, output{kind: outInput}, output{kind: outLine})
}

// timeAlias returns the column to add when a known table declares both
// Timestamp and TimeGenerated and the group has only one: Defender exports
// carry Timestamp, Sentinel's TimeGenerated, and hunting queries use
// either.
func timeAlias(g *group) (alias string, of int, ok bool) {
	spec := lookupTable(g.name)
	if spec == nil {
		return "", 0, false
	}
	const ts, tg = "Timestamp", "TimeGenerated"
	if _, ok := spec.columnType(ts); !ok {
		return "", 0, false
	}
	if _, ok := spec.columnType(tg); !ok {
		return "", 0, false
	}
	its, hasTS := g.index[ts]
	itg, hasTG := g.index[tg]
	switch {
	case hasTS && !hasTG:
		return tg, its, true
	case hasTG && !hasTS:
		return ts, itg, true
	}
	return "", 0, false
}

var (
	_ data.HashedScanner = (*view)(nil)
	_ data.SpecSource    = (*view)(nil)
)
