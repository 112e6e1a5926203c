package logs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/internal/shared"
)

// withScanWorkers runs f with n scan workers and batches of the given
// size, restoring the defaults after.
func withScanWorkers(n, batch int, f func()) {
	savedN, savedB := scanWorkers, batchBytes
	scanWorkers, batchBytes = n, batch
	defer func() { scanWorkers, batchBytes = savedN, savedB }()
	f()
}

// scanTranscript opens content afresh and describes everything a scan
// gives: every row with its line (a plain scan), the rows a filter with
// needles keeps (a spec scan), the event hashes, and the report.
func scanTranscript(t *testing.T, name string, content []byte) string {
	t.Helper()
	ins, err := Open(name, openBytes(content), Options{})
	if err != nil {
		return "open error: " + err.Error()
	}
	var sb strings.Builder
	for _, in := range ins {
		for _, tb := range in.Tables() {
			src := tb.Source
			fmt.Fprintf(&sb, "table %s\n", tb.Name)
			err := src.Scan(context.Background(), nil, func(r data.Row) error {
				for _, v := range r {
					fmt.Fprintf(&sb, "%d:%q ", v.K, data.ToString(v))
				}
				sb.WriteByte('\n')
				return nil
			})
			fmt.Fprintf(&sb, "scan: %v\n", err)
			if hs, ok := src.(data.HashedScanner); ok {
				err := hs.ScanHashed(context.Background(), nil, func(_ data.Row, h data.EventHash) error {
					fmt.Fprintf(&sb, "%x ", h)
					return nil
				})
				fmt.Fprintf(&sb, "\nhashed: %v\n", err)
			}
			if ss, ok := src.(data.SpecSource); ok {
				cols := src.Columns()
				for i, c := range cols {
					if c.Type != data.String || strings.HasPrefix(c.Name, "__") {
						continue
					}
					spec := data.ScanSpec{FilterNeed: make([]bool, len(cols)), Need: make([]bool, len(cols)),
						Needles: []data.Needle{{Column: i, Literals: []string{"a"}}},
						NewFilter: func() func(data.Row) bool {
							return func(r data.Row) bool { return strings.Contains(strings.ToLower(r[i].S), "a") }
						}}
					spec.FilterNeed[i] = true
					spec.Need[len(cols)-1] = true // __line
					err := ss.ScanSpec(context.Background(), spec, func(r data.Row) error {
						fmt.Fprintf(&sb, "%q %s\n", r[i].S, data.ToString(r[len(cols)-1]))
						return nil
					})
					fmt.Fprintf(&sb, "spec %s: %v\n", c.Name, err)
					break
				}
			}
			if err := in.Complete(context.Background()); err != nil {
				fmt.Fprintf(&sb, "complete: %v\n", err)
			}
			fmt.Fprintf(&sb, "report %+v\n", in.Report())
		}
	}
	return sb.String()
}

// parallelCases are CSV texts that test the splitter's cuts: quoted line
// breaks, doubled quotes, blank lines, CRLF and CR-only line ends, broken
// quoting, invalid UTF-8, ragged rows and a file without a final newline.
func parallelCases() map[string]string {
	var gen strings.Builder
	gen.WriteString("Timestamp,FileName,ProcessCommandLine,N\n")
	for i := range 300 {
		cmd := fmt.Sprintf("cmd%d /c copy a b", i)
		switch i % 7 {
		case 1:
			cmd = fmt.Sprintf("\"line one\nline two %d\"", i)
		case 2:
			cmd = fmt.Sprintf("\"say \"\"hi\"\", %d\"", i)
		case 3:
			cmd = "\"a\r\nb\""
		case 4:
			cmd = ""
		}
		fmt.Fprintf(&gen, "2025-09-01T00:%02d:00Z,f%d.exe,%s,%d\n", i%60, i, cmd, i)
		if i%50 == 0 {
			gen.WriteString("\n")
		}
	}
	return map[string]string{
		"gen.csv":        gen.String(),
		"crlf.csv":       strings.ReplaceAll(gen.String(), "\n", "\r\n"),
		"cr.csv":         "a,b\r1,\"x\ry\"\r2,z\r3,w",
		"broken.csv":     "a,b\n1,\"x\"y,z\n2,\"never closed\n3,plain\n4,ab\"c\n5,\"q\"\"\"\n6,last",
		"midquote.csv":   "a,b,c\n1,ab\"c,\"x\ny\"\n2,d,e\n3,f\"g,h\n4,\"i\nj\",k\n5,l,m\n",
		"utf8.csv":       "a,b\n1,caf\xe9\n2,\"\xff\xfe\"\n3,ok\n",
		"ragged.csv":     "a,b,c\n1,2\n3,4,5,6\n\n\n7,8,9\n",
		"nofinalnl.csv":  "a,b\n1,2\n3,\"4\n5\"",
		"tab.tsv":        "a\tb\n1\t\"C:\\x.exe\" -a\n2\tplain\n",
		"semicolon.csv":  "sep=;\na;b\n1;\"x;y\"\n2;z\n",
		"longfield.csv":  "a,b\n1," + strings.Repeat("y", MaxFieldBytes+1) + "\n2,short\n",
		"quotedhead.csv": "\"a\",\"b\"\n\"1\",\"2\"\n",
	}
}

// TestParallelScanMatchesSequential checks that reading a CSV input with
// several workers, cut into batches of many sizes, gives the rows, lines,
// hashes, filtered rows and report of the sequential reader.
func TestParallelScanMatchesSequential(t *testing.T) {
	inputs := map[string][]byte{}
	for name, text := range parallelCases() {
		inputs[name] = []byte(text)
	}
	dir := filepath.Join(shared.Dir(t), "data")
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".tsv")) {
			if b, err := os.ReadFile(p); err == nil {
				inputs[p] = b
			}
		}
		return nil
	})
	if len(inputs) < len(parallelCases())+3 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for name, content := range inputs {
		var want string
		withScanWorkers(1, chunkSize/2, func() { want = scanTranscript(t, name, content) })
		batches := []int{1, 7, 100, 4096}
		if len(content) < 100 {
			batches = nil // small texts: cut at every place
			for b := 1; b <= len(content); b++ {
				batches = append(batches, b)
			}
		}
		for _, workers := range []int{2, 3} {
			for _, batch := range batches {
				var got string
				withScanWorkers(workers, batch, func() { got = scanTranscript(t, name, content) })
				if got != want {
					t.Errorf("%s, %d workers, batches of %d bytes: the parallel scan differs from the sequential one\n%s",
						name, workers, batch, firstDifference(got, want))
				}
			}
		}
	}
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %.600s\nwant: %.600s", i+1, gl, wl)
		}
	}
	return "(no difference)"
}

// TestParallelScanLongRecord checks that a record longer than
// MaxLineBytes, which the splitter cannot cut, hands the rest of the input
// to the sequential reader, which skips and reports it as it always has.
func TestParallelScanLongRecord(t *testing.T) {
	content := []byte("a,b\n1,x\n2,\"" + strings.Repeat("y", MaxLineBytes+10) + "\n3,z\n")
	var want string
	withScanWorkers(1, chunkSize/2, func() { want = scanTranscript(t, "long.csv", content) })
	if !strings.Contains(want, "MaxLineBytes") {
		t.Fatalf("the sequential scan did not report the long record:\n%.1000s", want)
	}
	var got string
	withScanWorkers(2, 64, func() { got = scanTranscript(t, "long.csv", content) })
	if got != want {
		t.Errorf("the parallel scan differs from the sequential one\n%s", firstDifference(got, want))
	}
}

// TestQuoteSplit checks the record boundaries the splitter finds, fed a
// window that grows piece by piece.
func TestQuoteSplit(t *testing.T) {
	text := "1,\"a\nb\",c\n2,\"d\"\"\ne\"\n3,f\n\"4"
	// The records end after "c\n" (10), "e\"\n" (20) and "f\n" (24); the
	// line breaks at 5 and 17 are quoted, and the last record has none yet.
	// The splitter cuts at the last boundary in its window, so each cut is
	// one of these and the last is 24.
	boundary := map[int]bool{10: true, 20: true, 24: true}
	for step := 1; step <= len(text); step++ {
		q := quoteSplit{nl: '\n', quoting: true}
		var got []int
		base := 0
		for end := step; ; end += step {
			end = min(end, len(text))
			q.advance([]byte(text[base:end]))
			if q.boundary > 0 {
				got = append(got, base+q.boundary)
				n := q.boundary
				base += n
				q.cut(n)
			}
			if end == len(text) {
				break
			}
		}
		ok := len(got) > 0 && got[len(got)-1] == 24
		for _, c := range got {
			ok = ok && boundary[c]
		}
		if !ok {
			t.Errorf("window growing by %d: cuts %v, want cuts among 10, 20, 24 ending at 24", step, got)
		}
	}
}

// FuzzParallelCSV reads arbitrary text as CSV sequentially and in
// parallel, cut into batches of a fuzzed size, and requires the same
// transcript (rows, lines, hashes, filtered rows, report).
func FuzzParallelCSV(f *testing.F) {
	for _, text := range parallelCases() {
		if len(text) < 4096 {
			f.Add([]byte(text), uint8(7))
		}
	}
	f.Fuzz(func(t *testing.T, content []byte, batch uint8) {
		if len(content) > 1<<16 {
			return
		}
		var want, got string
		withScanWorkers(1, chunkSize/2, func() { want = scanTranscript(t, "f.csv", content) })
		withScanWorkers(2, int(batch)+1, func() { got = scanTranscript(t, "f.csv", content) })
		if got != want {
			t.Fatalf("batches of %d bytes: the parallel scan differs from the sequential one\n%s", int(batch)+1, firstDifference(got, want))
		}
	})
}
