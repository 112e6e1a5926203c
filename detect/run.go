package detect

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// InternalError is what the facade returns when the core panicked: the
// caller (page, Worker, CLI) shows it instead of crashing, and the stack is
// kept for a bug report without echoing any input data.
type InternalError struct {
	Value any
	Stack string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error (please report it): %v", e.Value)
}

func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = &InternalError{Value: r, Stack: string(debug.Stack())}
	}
}

func runQuery(ctx context.Context, query string, inputs []Input, opts Options) (res *QueryResult, err error) {
	defer recoverInto(&err)
	env, set, err := buildEnv(inputs, opts)
	if err != nil {
		return nil, err
	}
	// With now = the newest event, the query runs in the pass that
	// learns it (kql.ProgramSet.RunEachLateNow): the reports that pass
	// fills hold the newest event.
	var now time.Time
	setNow := nowSetter(ctx, opts, set, env, &now)
	latest := opts.Now == "latest"
	if !latest {
		if _, err := setNow(); err != nil {
			return nil, err
		}
	}
	prog, err := kql.Compile(query, env)
	if err != nil {
		return nil, err
	}
	var results []*kql.Result
	if !latest {
		if results, err = prog.Run(ctx); err != nil {
			return nil, err
		}
	} else {
		ps := kql.NewProgramSet(prog)
		all, errs, err := ps.RunEachLateNow(ctx, setNow)
		if err != nil {
			return nil, err
		}
		if errs[0] != nil {
			return nil, errs[0]
		}
		results = all[0]
	}
	// Provenance columns (__input, __line) serve findings; people never
	// see them in a query's result.
	for _, r := range results {
		r.Table = kql.WithoutHidden(r.Table)
	}
	res = &QueryResult{Now: now, Results: results}
	for _, r := range results {
		if r.TimeFilterRemovedAll {
			tr, err := eventTimeRange(ctx, env.Tables)
			if err != nil {
				return nil, err
			}
			res.TimeNotice = timeNotice(now, tr)
			break
		}
	}
	if res.Inputs, err = set.reports(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// timeNotice explains an empty result that a time filter caused.
func timeNotice(now time.Time, tr TimeRange) string {
	msg := fmt.Sprintf("a time filter (ago/now) removed every row: now is %s", now.Format(time.RFC3339))
	if tr.OK {
		msg += fmt.Sprintf(", and the inputs' events run from %s to %s",
			data.FormatDateTime(tr.First), data.FormatDateTime(tr.Last))
	}
	return msg
}

// externalDataFrom resolves externaldata URLs to inputs the user supplied:
// the input whose file name is the URL's last path segment.
func externalDataFrom(inputs []Input) func(url string, cols []data.Column, with map[string]string) (data.Source, error) {
	return func(url string, cols []data.Column, with map[string]string) (data.Source, error) {
		format := with["format"]
		ignoreFirst := strings.EqualFold(with["ignoreFirstRecord"], "true")
		seg := url
		if i := strings.IndexAny(seg, "?#"); i >= 0 {
			seg = seg[:i]
		}
		seg = seg[strings.LastIndex(seg, "/")+1:]
		for _, in := range inputs {
			base := in.Name[strings.LastIndexAny(in.Name, `/\`)+1:]
			if strings.EqualFold(base, seg) {
				return externalTable(in, cols, format, ignoreFirst)
			}
		}
		return nil, fmt.Errorf("externaldata would download %s; offhunt never fetches: download %s and add it beside the export", url, seg)
	}
}

// nowSetter returns a function that resolves the run's now (resolveNow),
// stores it in *now and in env, and returns it in ticks: called at once
// for a fixed now or the wall clock, or by RunEachLateNow once the pass
// has learnt the newest event.
func nowSetter(ctx context.Context, opts Options, set *inputSet, env *kql.Env, now *time.Time) func() (int64, error) {
	return func() (int64, error) {
		t, err := resolveNow(ctx, opts, set)
		if err != nil {
			return 0, err
		}
		*now = t
		env.Now = data.TimeToTicks(t)
		return env.Now, nil
	}
}

// resolveNow turns the caller's choice into the query's now. The newest
// event ("latest") is the latest event time in the inputs' reports, so it
// costs no pass of its own when a run has read the inputs already; inputs
// not read yet are read for their reports here.
func resolveNow(ctx context.Context, opts Options, set *inputSet) (time.Time, error) {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	switch opts.Now {
	case "":
		return clock().UTC(), nil
	case "latest":
		latest, ok, err := set.latestEvent(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			return time.Time{}, fmt.Errorf("--now latest: the inputs hold no event time (no Timestamp or TimeGenerated column with values)")
		}
		return data.TicksToTime(latest), nil
	}
	t, err := time.Parse(time.RFC3339Nano, opts.Now)
	if err != nil {
		if ticks, ok := data.ParseDateTime(opts.Now); ok {
			return data.TicksToTime(ticks), nil
		}
		return time.Time{}, fmt.Errorf("now %q is not an RFC 3339 time (2025-09-07T12:00:00Z) or 'latest'", opts.Now)
	}
	return t.UTC(), nil
}

// TimeRange is the earliest and latest event time of some inputs.
type TimeRange struct {
	First, Last int64
	OK          bool
}

// eventTimeRange reads only the event-time column of each input.
func eventTimeRange(ctx context.Context, tables []data.Source) (TimeRange, error) {
	var r TimeRange
	for _, t := range tables {
		cols := t.Columns()
		idx := -1
		for _, name := range []string{"Timestamp", "TimeGenerated"} {
			if i := data.ColumnIndex(cols, name); i >= 0 && cols[i].Type == data.DateTime {
				idx = i
				break
			}
		}
		if idx < 0 {
			continue
		}
		need := make([]bool, len(cols))
		need[idx] = true
		err := t.Scan(ctx, need, func(row data.Row) error {
			v := row[idx]
			if v.K != data.KDateTime {
				return nil
			}
			if !r.OK || v.I < r.First {
				r.First = v.I
			}
			if !r.OK || v.I > r.Last {
				r.Last = v.I
			}
			r.OK = true
			return nil
		})
		if err != nil {
			return r, err
		}
	}
	return r, nil
}
