package detect

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"

	"offhunt/internal/shared"
)

// BenchmarkSeedQuery runs the seed query, unchanged, over generated
// DeviceProcessEvents exports of 100k and 1M rows read from disk. It
// reports MB/s through SetBytes and rows/s as a metric.
func BenchmarkSeedQuery(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(rowsName(rows), func(b *testing.B) {
			path := shared.BenchFile(b, rows, false)
			query := shared.ReadSeed(b)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			in := []Input{{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}}
			opts := Options{Now: "2025-12-01T00:00:00Z"}
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := Query(context.Background(), query, in, opts)
				if err != nil {
					b.Fatal(err)
				}
				if got := len(res.Results[0].Table.Rows); got != rows/100_000 {
					b.Fatalf("seed query found %d rows, want %d", got, rows/100_000)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func rowsName(n int) string {
	if n >= 1_000_000 {
		return strconv.Itoa(n/1_000_000) + "M"
	}
	return strconv.Itoa(n/1000) + "k"
}
