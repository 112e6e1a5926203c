package logs

import (
	"context"
	"strings"
	"testing"

	"offhunt/detect/data"
)

// benchExport is 10,000 rows shaped like a Defender process export.
func benchExport() string {
	var sb strings.Builder
	sb.WriteString("Timestamp,DeviceName,FileName,FolderPath,ProcessId,ProcessCommandLine,AccountName,InitiatingProcessFileName,AdditionalFields\n")
	for i := 0; i < 10_000; i++ {
		sb.WriteString("2025-09-05T22:14:03.5316721Z,fin-ws-014.contoso.local,rclone.exe,C:\\Users\\Public\\rclone.exe,8312,")
		sb.WriteString(`"rclone.exe copy ""\\fs01\Finance"" mega:x -q --ignore-existing --auto-confirm --transfers 7",jdoe,cmd.exe,"{""Tags"":[""a""]}"` + "\n")
	}
	return sb.String()
}

func BenchmarkCSVScan(b *testing.B) {
	content := benchExport()
	src, err := NewCSVSource("bench.csv", openString(content))
	if err != nil {
		b.Fatal(err)
	}
	some := make([]bool, len(src.Columns()))
	some[0], some[2], some[5] = true, true, true
	for _, bc := range []struct {
		name string
		need []bool
	}{{"all-columns", nil}, {"three-columns", some}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				n := 0
				if err := src.Scan(context.Background(), bc.need, func(data.Row) error { n++; return nil }); err != nil || n != 10_000 {
					b.Fatal(err, n)
				}
			}
		})
	}
}
