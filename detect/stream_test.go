package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"offhunt/detect/data"
	"offhunt/detect/rules"
)

// TestLatestNowWithoutItsOwnPass scans every test export with now = the
// newest event, streaming findings, and requires (1) the same result as a
// scan with that time given as a fixed now, (2) that time to be the
// newest "last" of the input reports, and no older than the newest event
// of the tables the rules read (a Sysmon export's newest event may be one
// that is not a process creation), and (3) the streamed findings to be the
// result's findings.
func TestLatestNowWithoutItsOwnPass(t *testing.T) {
	checked := 0
	for _, in := range testExportSets(t) {
		var streamed []Finding
		latest, err := Scan(context.Background(), in, ScanOptions{
			Options:   Options{Now: "latest"},
			OnFinding: func(fd Finding) { streamed = append(streamed, fd) },
		})
		if err != nil {
			if !strings.Contains(err.Error(), "hold no event time") && !strings.Contains(err.Error(), "not supported") {
				t.Errorf("%s: %v", inputNames(in), err)
			}
			continue
		}
		fixed, err := Scan(context.Background(), in, ScanOptions{Options: Options{Now: latest.Now}})
		if err != nil {
			t.Fatalf("%s: %v", inputNames(in), err)
		}
		if a, b := mustJSON(t, latest), mustJSON(t, fixed); a != b {
			t.Errorf("%s: now=latest differs from now=%s:\n%s\nwant:\n%s", inputNames(in), latest.Now, a, b)
		}
		env, _, err := buildEnv(in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := eventTimeRange(context.Background(), env.Tables)
		if err != nil {
			t.Fatal(err)
		}
		newest := ""
		for _, r := range latest.Inputs {
			newest = max(newest, r.Last)
		}
		if !sameSecond(newest, latest.Now) {
			t.Errorf("%s: now=latest is %s; the newest event the reports show is %s", inputNames(in), latest.Now, newest)
		}
		if got := data.FormatDateTime(tr.Last); !tr.OK || got > newest {
			t.Errorf("%s: now=latest is %s; the tables' newest event is %s", inputNames(in), latest.Now, got)
		}
		sortFindings(streamed)
		if a, b := mustJSON(t, nonNilFindings(streamed)), mustJSON(t, latest.Findings); a != b {
			t.Errorf("%s: streamed findings differ from the result's:\n%s\nwant:\n%s", inputNames(in), a, b)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d scans checked", checked)
	}
}

// sameSecond compares an RFC 3339 time of the findings (whole seconds)
// with a datetime as offhunt formats it (with fractions).
func sameSecond(datetime, rfc3339 string) bool {
	return strings.HasPrefix(datetime, strings.TrimSuffix(rfc3339, "Z"))
}

func nonNilFindings(f []Finding) []Finding {
	if f == nil {
		return []Finding{}
	}
	return f
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// countingInput is an export generated in memory whose reads are counted:
// how many times it was read to its end (passes; the first look at its
// head to learn its schema is not one) and how many bytes were read so far.
type countingInput struct {
	text   []byte
	passes atomic.Int64
	read   atomic.Int64
}

func (c *countingInput) input(name string) Input {
	return Input{Name: name, Size: int64(len(c.text)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(&countedReader{r: bytes.NewReader(c.text), c: c}), nil
	}}
}

type countedReader struct {
	r   io.Reader
	c   *countingInput
	eof bool
}

func (r *countedReader) Read(p []byte) (int, error) {
	// Small reads, as a browser's chunks are small next to a big export.
	n, err := r.r.Read(p[:min(len(p), 64<<10)])
	r.c.read.Add(int64(n))
	if err == io.EOF && !r.eof {
		r.eof = true
		r.c.passes.Add(1)
	}
	return n, err
}

// bigExport is a Defender export of n benign events with rclone copies
// (seen by the rules that do not read now, and by the seed rule, which
// does) at the given rows.
func bigExport(n int, rcloneAt ...int) []byte {
	var b bytes.Buffer
	b.WriteString("Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,ProcessCommandLine,AccountName\n")
	at := map[int]bool{}
	for _, i := range rcloneAt {
		at[i] = true
	}
	for i := range n {
		ts := time.Date(2025, 9, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339)
		if at[i] {
			fmt.Fprintf(&b, "%s,dev%d,host%d,ProcessCreated,rclone.exe,C:\\Users\\Public\\rclone.exe,\"rclone.exe copy C:\\data remote:exfil --ignore-existing --auto-confirm\",user%d\n", ts, i%7, i%7, i%5)
			continue
		}
		fmt.Fprintf(&b, "%s,dev%d,host%d,ProcessCreated,notepad.exe,C:\\Windows\\notepad.exe,\"notepad.exe C:\\notes\\day%d.txt\",user%d\n", ts, i%7, i%7, i, i%5)
	}
	return b.Bytes()
}

// TestScanStreamsFindingsEarly checks that a finding reaches OnFinding
// while most of the export is still unread, with now = the newest event
// (which is known only at the end), and that the rules that read now
// cost one more pass and the others none.
func TestScanStreamsFindingsEarly(t *testing.T) {
	c := &countingInput{text: bigExport(200000, 50, 199990)}
	var firstAt int64 = -1
	var streamed []Finding
	f, err := Scan(context.Background(), []Input{c.input("big.csv")}, ScanOptions{
		Options: Options{Now: "latest"},
		OnFinding: func(fd Finding) {
			if firstAt < 0 {
				firstAt = c.read.Load()
			}
			streamed = append(streamed, fd)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(c.text))
	if firstAt < 0 || firstAt > size/4 {
		t.Errorf("the first finding came after %d of %d bytes; want it in the first quarter", firstAt, size)
	}
	if len(streamed) != len(f.Findings) || len(f.Findings) == 0 {
		t.Errorf("streamed %d findings, the result holds %d", len(streamed), len(f.Findings))
	}
	seed := 0
	for _, fd := range f.Findings {
		if fd.RuleID == "rclone-seed-copy-args" {
			seed++
		}
	}
	if seed != 2 {
		t.Errorf("the seed rule (which reads now) found %d events, want 2", seed)
	}
	if got := c.passes.Load(); got != 1 {
		t.Errorf("the pack with now=latest read the export %d times, want 1 (the seed rule records its rows until now is known)", got)
	}

	// Without the seed rule no rule reads now: one pass in all.
	var noNow []*rules.Rule
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pack {
		if r.ID != "rclone-seed-copy-args" {
			noNow = append(noNow, r)
		}
	}
	c.passes.Store(0)
	f, err = Scan(context.Background(), []Input{c.input("big.csv")}, ScanOptions{Options: Options{Now: "latest"}, Rules: noNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.passes.Load(); got != 1 {
		t.Errorf("rules that do not read now, with now=latest, read the export %d times, want 1", got)
	}
	if f.Now != "2025-09-03T07:33:19Z" {
		t.Errorf("now = %s, want the newest event 2025-09-03T07:33:19Z", f.Now)
	}

	// A query that does not read now: one pass; one that does: two.
	for query, want := range map[string]int64{
		"DeviceProcessEvents | where FileName =~ 'rclone.exe'":                         1,
		"DeviceProcessEvents | where Timestamp > ago(1h) and FileName =~ 'rclone.exe'": 2,
	} {
		c.passes.Store(0)
		res, err := Query(context.Background(), query, []Input{c.input("big.csv")}, Options{Now: "latest"})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.passes.Load(); got != want {
			t.Errorf("%s: read the export %d times, want %d", query, got, want)
		}
		if n := len(res.Results[0].Table.Rows); n != 2 && !strings.Contains(query, "ago") || strings.Contains(query, "ago") && n != 1 {
			t.Errorf("%s: %d rows", query, n)
		}
	}
}
