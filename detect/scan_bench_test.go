package detect

import (
	"context"
	"io"
	"os"
	"testing"

	"offhunt/internal/shared"
)

// BenchmarkScan runs the built-in pack over generated DeviceProcessEvents
// exports of 100k and 1M rows read from disk (one pass for the whole pack).
// It reports MB/s through SetBytes and rows/s as a metric.
func BenchmarkScan(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(rowsName(rows), func(b *testing.B) {
			path := shared.BenchFile(b, rows, false)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			in := []Input{{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}}
			opts := ScanOptions{Options: Options{Now: "2025-12-01T00:00:00Z"}}
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				f, err := Scan(context.Background(), in, opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Findings) == 0 {
					b.Fatal("the pack found nothing")
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
