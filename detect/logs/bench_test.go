package logs

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"offhunt/detect/data"
	"offhunt/internal/shared"
)

// benchRows is the size of the generated exports the benchmarks read
// (about 75 MB of CSV).
const benchRows = 100_000

func fileOpener(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// openBench opens a generated DeviceProcessEvents export.
func openBench(b *testing.B, ndjson bool) (*Input, int64) {
	path := shared.BenchFile(b, benchRows, ndjson)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := Open(path, fileOpener(path), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return ins[0], st.Size()
}

// needOf marks the named columns of src.
func needOf(src data.Source, names ...string) []bool {
	need := make([]bool, len(src.Columns()))
	for _, n := range names {
		need[data.ColumnIndex(src.Columns(), n)] = true
	}
	return need
}

// benchScan reads the export: the first scan of each iteration fills the
// report (sha256, every typed field checked), as a query's first pass does.
func benchScan(b *testing.B, ndjson bool, cols ...string) {
	in, size := openBench(b, ndjson)
	src := in.Tables()[0].Source
	var need []bool
	if len(cols) > 0 {
		need = needOf(src, cols...)
	}
	for _, report := range []bool{false, true} {
		name := "rescan"
		if report {
			name = "first-scan"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if report {
					in.mu.Lock()
					in.complete = false
					in.mu.Unlock()
				}
				n := 0
				err := src.Scan(context.Background(), need, func(data.Row) error { n++; return nil })
				if err != nil || n != benchRows {
					b.Fatal(err, n)
				}
			}
			reportRates(b, size, processCPU()-cpu)
		})
	}
}

// reportRates reports rows per second and, where the CPU time is known,
// MB per CPU second (every thread of the process: the hashing goroutine
// and the collector included).
func reportRates(b *testing.B, size int64, cpu time.Duration) {
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkCSV reads a generated Defender export for a query that touches
// three columns (FileName, ProcessCommandLine, Timestamp), and for one
// that reads every column.
func BenchmarkCSV(b *testing.B) {
	b.Run("three-columns", func(b *testing.B) { benchScan(b, false, "Timestamp", "FileName", "ProcessCommandLine") })
	b.Run("all-columns", func(b *testing.B) { benchScan(b, false) })
}

// BenchmarkCSVPushdown reads the export for a where that the engine pushes
// into the reader: `ProcessCommandLine has "mega:"`, with "mega:" as the
// required literal, FileName and Timestamp read after it.
func BenchmarkCSVPushdown(b *testing.B) {
	in, size := openBench(b, false)
	src := in.Tables()[0].Source.(data.SpecSource)
	cols := src.Columns()
	cl := data.ColumnIndex(cols, "ProcessCommandLine")
	spec := data.ScanSpec{
		Need:       needOf(src, "Timestamp", "FileName"),
		FilterNeed: needOf(src, "ProcessCommandLine"),
		Literals:   []string{"mega:"},
		NewFilter: func() func(data.Row) bool {
			return func(r data.Row) bool { return strings.Contains(r[cl].S, "mega:") }
		},
	}
	for _, report := range []bool{false, true} {
		name := "rescan"
		if report {
			name = "first-scan"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if report {
					in.mu.Lock()
					in.complete = false
					in.mu.Unlock()
				}
				n := 0
				if err := src.ScanSpec(context.Background(), spec, func(data.Row) error { n++; return nil }); err != nil || n != benchRows/100_000 {
					b.Fatal(err, n)
				}
			}
			reportRates(b, size, processCPU()-cpu)
		})
	}
}

// BenchmarkNDJSON is BenchmarkCSV over the same rows as NDJSON.
func BenchmarkNDJSON(b *testing.B) {
	b.Run("three-columns", func(b *testing.B) { benchScan(b, true, "Timestamp", "FileName", "ProcessCommandLine") })
	b.Run("all-columns", func(b *testing.B) { benchScan(b, true) })
}

// BenchmarkNDJSONEncodingJSON reads the same NDJSON with encoding/json,
// the standard library's way (a Decoder, each line into a map of raw
// messages, the three columns unmarshalled), to compare with the jlexer
// reader above.
func BenchmarkNDJSONEncodingJSON(b *testing.B) {
	path := shared.BenchFile(b, benchRows, true)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { reportRates(b, st.Size(), processCPU()-cpu) }()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		dec := json.NewDecoder(bufio.NewReaderSize(f, chunkSize))
		n := 0
		for {
			var m map[string]json.RawMessage
			if err := dec.Decode(&m); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			var ts, fn, cl string
			_ = json.Unmarshal(m["Timestamp"], &ts)
			_ = json.Unmarshal(m["FileName"], &fn)
			_ = json.Unmarshal(m["ProcessCommandLine"], &cl)
			n++
		}
		f.Close()
		if n != benchRows {
			b.Fatal(n)
		}
	}
}

// dpeRecord is a typed struct for the generated NDJSON, the way a program
// using encoding/json would read it.
type dpeRecord struct {
	Timestamp, DeviceID, DeviceName, ActionType, FileName, FolderPath, SHA1, SHA256, MD5    string
	FileSize                                                                                int64
	ProcessVersionInfoCompanyName, ProcessVersionInfoProductName                            string
	ProcessVersionInfoProductVersion, ProcessVersionInfoInternalFileName                    string
	ProcessVersionInfoOriginalFileName, ProcessVersionInfoFileDescription                   string
	ProcessID                                                                               int64 `json:"ProcessId"`
	ProcessCommandLine, ProcessIntegrityLevel, ProcessTokenElevation, ProcessCreationTime   string
	AccountDomain, AccountName, AccountSid, AccountUpn, AccountObjectID                     string
	LogonID                                                                                 int64 `json:"LogonId"`
	InitiatingProcessAccountDomain, InitiatingProcessAccountName, InitiatingProcessFileName string
	InitiatingProcessFolderPath                                                             string
	InitiatingProcessID                                                                     int64 `json:"InitiatingProcessId"`
	InitiatingProcessCommandLine, InitiatingProcessCreationTime                             string
	InitiatingProcessParentFileName                                                         string
	ReportID                                                                                int64 `json:"ReportId"`
}

// BenchmarkNDJSONEncodingJSONStruct reads the NDJSON with encoding/json
// into a typed struct, line by line.
func BenchmarkNDJSONEncodingJSONStruct(b *testing.B) {
	path := shared.BenchFile(b, benchRows, true)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { reportRates(b, st.Size(), processCPU()-cpu) }()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, chunkSize), MaxLineBytes)
		n := 0
		for sc.Scan() {
			var r dpeRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
		if n != benchRows {
			b.Fatal(n)
		}
	}
}
