package detect

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/logs"
)

// inputSet is the inputs of one run: the readers' inputs (a ZIP archive
// gives several), the unions of inputs of one table, and what progress and
// the reports need.
type inputSet struct {
	opts   Options
	inputs []*logs.Input
	unions []*tableUnion

	mu   sync.Mutex
	rows map[string]int64 // per input, the most rows a scan has read
}

// tableUnion is a table served by several inputs.
type tableUnion struct {
	src     data.Source
	members []data.Source
	mu      sync.Mutex
	counted bool
}

// buildEnv opens every input, names its tables by their schema, and unions
// inputs of the same table (counting events that several of them hold, and
// dropping them when opts.Dedupe). Each input is also reachable by its file
// stem, as it is: for a Sysmon or 4688 input that is every event, where
// DeviceProcessEvents holds its process creations.
func buildEnv(inputs []Input, opts Options) (*kql.Env, *inputSet, error) {
	set := &inputSet{opts: opts, rows: map[string]int64{}}
	env := &kql.Env{Aliases: map[string]data.Source{}}
	byTable := map[string][]data.Source{}
	var order []string
	byAlias := map[string][]data.Source{}
	var aliasOrder []string
	addAlias := func(name string, src data.Source) {
		if _, ok := byAlias[name]; !ok {
			aliasOrder = append(aliasOrder, name)
		}
		byAlias[name] = append(byAlias[name], src)
	}
	lopts := logs.Options{NewDigest: opts.NewDigest}
	if opts.Progress != nil {
		lopts.Progress = set.progress
	}
	for _, in := range inputs {
		lopts.Size = in.Size
		lopts.FileDigest = in.FileDigest
		opened, err := logs.Open(in.Name, in.Open, lopts)
		if err != nil {
			return nil, nil, err
		}
		for _, li := range opened {
			set.inputs = append(set.inputs, li)
			for _, t := range li.Tables() {
				if _, ok := byTable[t.Name]; !ok {
					order = append(order, t.Name)
				}
				byTable[t.Name] = append(byTable[t.Name], t.Source)
				if t.Alias != "" {
					addAlias(t.Alias, t.Source)
				}
			}
			addAlias(li.Stem(), li.StemSource())
		}
	}
	for _, name := range order {
		srcs := byTable[name]
		if len(srcs) == 1 {
			env.Tables = append(env.Tables, srcs[0])
			continue
		}
		u := &tableUnion{members: srcs}
		u.src = data.UnionSourcesWith(name, srcs, data.UnionOptions{
			Dedupe:     opts.Dedupe,
			Duplicates: u.record,
		})
		set.unions = append(set.unions, u)
		env.Tables = append(env.Tables, u.src)
	}
	for _, name := range aliasOrder {
		if _, isTable := byTable[name]; isTable {
			continue
		}
		srcs := byAlias[name]
		if len(srcs) == 1 {
			env.Aliases[name] = srcs[0]
			continue
		}
		env.Aliases[name] = data.UnionSources(name, srcs)
	}
	env.ExternalData = externalDataFrom(inputs)
	return env, set, nil
}

// record takes a union's duplicate counts into its inputs' reports.
func (u *tableUnion) record(counts []int64) {
	u.mu.Lock()
	u.counted = true
	u.mu.Unlock()
	for i, n := range counts {
		logs.RecordDuplicates(u.members[i], n)
	}
}

func (u *tableUnion) isCounted() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.counted
}

// progress passes a reader's progress on, with the rows of all inputs.
func (s *inputSet) progress(p logs.Progress) {
	s.mu.Lock()
	if p.Rows > s.rows[p.Input] {
		s.rows[p.Input] = p.Rows
	}
	var total int64
	for _, n := range s.rows {
		total += n
	}
	s.mu.Unlock()
	s.opts.Progress(Progress{Input: p.Input, BytesRead: p.BytesRead, Size: p.Size, Rows: total})
}

// reports returns every input's report. Reports are filled by the scans
// the run made; an input no scan read to its end (a query that stopped
// early, a table no rule named) is read now, so that reports are whole.
func (s *inputSet) reports(ctx context.Context) ([]InputReport, error) {
	if err := s.complete(ctx); err != nil {
		return nil, err
	}
	out := make([]InputReport, 0, len(s.inputs))
	for _, in := range s.inputs {
		out = append(out, inputReport(in.Report()))
	}
	return out, nil
}

// complete reads every input no scan has read to its end, so that its
// report is whole.
func (s *inputSet) complete(ctx context.Context) error {
	for _, u := range s.unions {
		if u.isCounted() {
			continue
		}
		need := make([]bool, len(u.src.Columns()))
		if err := u.src.Scan(ctx, need, func(data.Row) error { return nil }); err != nil {
			return err
		}
	}
	for _, in := range s.inputs {
		if err := in.Complete(ctx); err != nil {
			return err
		}
	}
	return nil
}

// latestEvent is the newest event time among the inputs, from their
// reports (the reader's event-time column: Timestamp or TimeGenerated, or
// a mapped input's event time). Inputs not read to their end are read.
func (s *inputSet) latestEvent(ctx context.Context) (int64, bool, error) {
	if err := s.complete(ctx); err != nil {
		return 0, false, err
	}
	var last int64
	ok := false
	for _, in := range s.inputs {
		if r := in.Report(); r.HasTime && (!ok || r.Last > last) {
			last, ok = r.Last, true
		}
	}
	return last, ok, nil
}

// inputReport converts a reader's report to the results' shape.
func inputReport(r logs.Report) InputReport {
	ir := InputReport{
		Name:          r.Name,
		Format:        r.Format,
		Schema:        r.Schema,
		Rows:          r.Rows,
		SHA256:        r.SHA256,
		BadRows:       r.BadRows,
		BadRowSamples: make([]BadRow, len(r.BadRowSamples)),
		Duplicates:    r.Duplicates,
		Notices:       r.Notices,
	}
	if r.HasTime {
		ir.First, ir.Last = data.FormatDateTime(r.First), data.FormatDateTime(r.Last)
	}
	for i, b := range r.BadRowSamples {
		ir.BadRowSamples[i] = BadRow{Line: b.Line, Reason: b.Reason}
	}
	return ir
}

// BadRowSummary says in one line how many rows of the inputs could not be
// read as they are, and where the first of them is; "" when every row was
// read. The CLI prints it to standard error.
func BadRowSummary(reports []InputReport) string {
	var total int64
	var parts []string
	for _, r := range reports {
		if r.BadRows == 0 {
			continue
		}
		total += r.BadRows
		part := fmt.Sprintf("%s: %d", r.Name, r.BadRows)
		if len(r.BadRowSamples) > 0 {
			b := r.BadRowSamples[0]
			part += fmt.Sprintf(" (first at line %d: %s)", b.Line, b.Reason)
		}
		parts = append(parts, part)
	}
	if total == 0 {
		return ""
	}
	noun := "rows"
	if total == 1 {
		noun = "row"
	}
	return fmt.Sprintf("%d %s could not be read as they are; %s", total, noun, strings.Join(parts, "; "))
}
