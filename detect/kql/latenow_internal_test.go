package kql

import (
	"context"
	"testing"

	"offhunt/detect/data"
)

// TestLateNowOverflow: a program whose recording passes the pass's
// budget (rows or event times) reads its source again once now is known,
// with the results of a run with now fixed.
func TestLateNowOverflow(t *testing.T) {
	day := int64(24 * 3600 * 10_000_000)
	tab := &data.Table{Name: "T", Columns: []data.Column{{Name: "Timestamp", Type: data.DateTime}, {Name: "Cmd", Type: data.String}}}
	for i := range 50 {
		tab.Rows = append(tab.Rows, data.Row{data.NewDateTime(int64(i) * day), data.NewString("rclone.exe copy")})
	}
	now := 49 * day
	query := "T | where Timestamp > ago(10d) | where Cmd has 'rclone'"
	for _, limit := range []struct {
		name        string
		rows, times int
	}{{"rows", 200, MaxDeferredTimes}, {"times", MaxDeferredRowBytes, 10}} {
		func() {
			maxDeferredRowBytes, maxDeferredTimes = limit.rows, limit.times
			defer func() { maxDeferredRowBytes, maxDeferredTimes = MaxDeferredRowBytes, MaxDeferredTimes }()
			src := data.TableSource{T: tab}
			p, err := Compile(query, &Env{Tables: []data.Source{src}})
			if err != nil {
				t.Fatal(err)
			}
			set := NewProgramSet(p)
			x := &setRun{ctx: context.Background(), progs: set.progs, results: make([][]*Result, 1), errs: make([]error, 1), late: true, recs: make([]*recording, 1), budget: &deferBudget{}}
			x.runFrom(0)
			if x.recs[0] != nil {
				t.Errorf("%s: a recording past the budget was kept", limit.name)
			}
			res, errs, err := set.RunEachLateNow(context.Background(), func() (int64, error) { return now, nil })
			if err != nil || errs[0] != nil {
				t.Fatal(err, errs[0])
			}
			if n := len(res[0][0].Table.Rows); n != 10 {
				t.Errorf("%s: %d rows after the overflow, want 10", limit.name, n)
			}
		}()
	}
}
