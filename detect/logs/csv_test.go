package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"offhunt/detect/data"
)

// defenderExport is written the way Defender's advanced hunting exports
// are: a header of column names, 7-digit fractions, empty cells for
// nulls, JSON with doubled quotes, command lines with commas, quotes and
// line breaks.
const defenderExport = "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId,FileSize,AdditionalFields,InitiatingProcessParentFileName\r\n" +
	"2025-09-07T12:00:00.1234567Z,ws1.contoso.local,rclone.exe,\"rclone.exe copy \"\"C:\\Users\\a b\\data\"\" mega:x --ignore-existing --auto-confirm\",4242,2048,\"{\"\"Key\"\":\"\"v\"\",\"\"n\"\":[1,2.5]}\",explorer.exe\r\n" +
	"2025-09-07T12:01:00Z,ws1.contoso.local,cmd.exe,\"cmd.exe /c \"\"echo a,b\"\"\r\nsecond line\",,,,\r\n" +
	"2025-09-07T12:02:00Z,ws1.contoso.local,svchost.exe,svchost.exe -k netsvcs,not-a-number,12,not json,services.exe\r\n"

func TestCSVDefenderExport(t *testing.T) {
	in := mustOpen(t, "exports/export (3).csv", defenderExport)
	if in.Stem() != "export (3)" {
		t.Errorf("Stem = %q", in.Stem())
	}
	src := table(t, in, "DeviceProcessEvents")
	wantCols := "Timestamp:datetime DeviceName:string FileName:string ProcessCommandLine:string ProcessId:long " +
		"FileSize:long AdditionalFields:dynamic InitiatingProcessParentFileName:string TimeGenerated:datetime"
	if got := colTypes(src.Columns()); got != wantCols {
		t.Errorf("columns\n got %s\nwant %s", got, wantCols)
	}
	cols := src.Columns()
	if n := len(cols); cols[n-2].Name != InputColumn || cols[n-1] != (data.Column{Name: LineColumn, Type: data.Long}) {
		t.Errorf("the last columns are not the provenance columns: %v", cols[n-2:])
	}
	rows := scanAll(t, src, nil)
	if len(rows) != 3 {
		t.Fatalf("got %d rows", len(rows))
	}
	r := rows[0]
	if got := data.FormatDateTime(r[0].I); r[0].K != data.KDateTime || got != "2025-09-07T12:00:00.1234567Z" {
		t.Errorf("Timestamp = %v %q", r[0].K, got)
	}
	if col(t, src, r, "TimeGenerated") != r[0] {
		t.Errorf("TimeGenerated does not alias Timestamp")
	}
	if want := `rclone.exe copy "C:\Users\a b\data" mega:x --ignore-existing --auto-confirm`; r[3].S != want {
		t.Errorf("ProcessCommandLine = %q", r[3].S)
	}
	if r[4] != data.NewLong(4242) || r[5] != data.NewLong(2048) {
		t.Errorf("ProcessId, FileSize = %v, %v", r[4], r[5])
	}
	if got := string(data.AppendJSON(nil, r[6])); got != `{"Key":"v","n":[1,2.5]}` {
		t.Errorf("AdditionalFields = %s", got)
	}
	if got := col(t, src, r, InputColumn); got.S != "exports/export (3).csv" {
		t.Errorf("__input = %v", got)
	}
	lines := []int64{2, 3, 5}
	for i, row := range rows {
		if got := col(t, src, row, LineColumn); got != data.NewLong(lines[i]) {
			t.Errorf("row %d: __line = %v, want %d", i+1, got, lines[i])
		}
	}
	if want := "cmd.exe /c \"echo a,b\"\r\nsecond line"; rows[1][3].S != want {
		t.Errorf("multi-line command line = %q", rows[1][3].S)
	}
	if !rows[1][4].IsNull() || rows[1][7] != data.EmptyString {
		t.Errorf("empty cells: %v %v", rows[1][4], rows[1][7])
	}
	// A long that is not a number is null, counted; text in a dynamic
	// column is a string.
	if !rows[2][4].IsNull() || rows[2][6] != data.NewString("not json") {
		t.Errorf("row 3: %v %v", rows[2][4], rows[2][6])
	}
	rep := in.Report()
	if rep.Rows != 3 || rep.BadRows != 1 || len(rep.BadRowSamples) != 1 || rep.BadRowSamples[0].Line != 5 ||
		!strings.Contains(rep.BadRowSamples[0].Reason, `ProcessId: "not-a-number" is not a long`) {
		t.Errorf("report: %+v", rep)
	}
	if rep.Format != "csv" || rep.Schema != "DeviceProcessEvents" || len(rep.SHA256) != 64 || !rep.HasTime ||
		data.FormatDateTime(rep.First) != "2025-09-07T12:00:00.1234567Z" || data.FormatDateTime(rep.Last) != "2025-09-07T12:02:00Z" {
		t.Errorf("report: %+v", rep)
	}
}

// TestCSVQuirks reads one small export written with each quirk real
// exports have, and checks the rows that come out.
func TestCSVQuirks(t *testing.T) {
	const plain = "a,b\n1,x y\n2,\"z\"\n"
	cases := []struct {
		name    string
		content []byte
		format  string
		rows    string // rows as a|b lines
		bad     int64
		reason  string // in the first bad row's reason
	}{
		{"LF", []byte(plain), "csv", "1|x y\n2|z", 0, ""},
		{"CRLF", []byte("a,b\r\n1,x y\r\n2,\"z\"\r\n"), "csv", "1|x y\n2|z", 0, ""},
		{"CR only", []byte("a,b\r1,x y\r2,\"z\"\r"), "csv", "1|x y\n2|z", 0, ""},
		{"no final newline", []byte("a,b\n1,x y\n2,\"z\""), "csv", "1|x y\n2|z", 0, ""},
		{"trailing empty lines", []byte(plain + "\n\r\n"), "csv", "1|x y\n2|z", 0, ""},
		{"UTF-8 BOM", append([]byte("\ufeff"), plain...), "csv", "1|x y\n2|z", 0, ""},
		{"UTF-16 LE BOM", utf16Bytes("a,b\r\n1,é ü\r\n2,\"z\"\r\n", false), "utf-16le csv", "1|é ü\n2|z", 0, ""},
		{"UTF-16 BE BOM", utf16Bytes("a,b\n1,x 😀\n", true), "utf-16be csv", "1|x 😀", 0, ""},
		{"UTF-16 with a lone surrogate", append(utf16Bytes("a,b\n1,x", false), 0x00, 0xD8, '\n', 0), "utf-16le csv", "1|x\uFFFD", 1, "invalid UTF-8"},
		{"semicolons", []byte("a;b\n1;x,y\n2;\"z;w\"\n"), "csv (semicolon-separated)", "1|x,y\n2|z;w", 0, ""},
		{"tabs", []byte("a\tb\n1\tx,y\n"), "tsv", "1|x,y", 0, ""},
		{"tabs with plain-text quotes", []byte("a\tb\n1\t\"C:\\x.exe\" -a\n2\tq\"q\n"), "tsv", "1|\"C:\\x.exe\" -a\n2|q\"q", 0, ""},
		{"Excel sep= line", []byte("sep=;\na;b\n1;x\n"), "csv (semicolon-separated)", "1|x", 0, ""},
		{"multi-line quoted field", []byte("a,b\n1,\"line 1\nline 2\r\nline 3\"\n2,x\n"), "csv", "1|line 1\nline 2\r\nline 3\n2|x", 0, ""},
		{"doubled quotes", []byte("a,b\n1,\"say \"\"hi\"\", then go\"\n"), "csv", "1|say \"hi\", then go", 0, ""},
		{"JSON cell with doubled quotes", []byte("a,b\n1,\"{\"\"Key\"\":\"\"v,w\"\",\"\"n\"\":[1]}\"\n2,\"[]\"\n"), "csv", "1|{\"Key\":\"v,w\",\"n\":[1]}\n2|[]", 0, ""},
		{"ragged short", []byte("a,b\n1\n2,y\n"), "csv", "1|\n2|y", 1, "1 fields where the header has 2"},
		{"ragged long", []byte("a,b\n1,x,extra\n"), "csv", "1|x", 1, "3 fields where the header has 2 (the extra ones are dropped)"},
		{"text after a closing quote", []byte("a,b\n1,\"bad\"quote\n2,y\n"), "csv", "1|\"bad\"quote\n2|y", 1, "goes on after its closing quote"},
		{"a quote never closed", []byte("a,b\n1,\"never closed\n2,y\n"), "csv", "1|\"never closed\n2|y", 1, "never closed"},
		{"invalid UTF-8", []byte("a,b\n1,caf\xe9\n2,y\n"), "csv", "1|caf\uFFFD\n2|y", 1, "invalid UTF-8"},
		{"gzip", gzipBytes(plain), "gzip csv", "1|x y\n2|z", 0, ""},
		{"gzip of UTF-16", gzipBytes(string(utf16Bytes(plain, false))), "gzip utf-16le csv", "1|x y\n2|z", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ins, err := Open("q.csv", openBytes(c.content), Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := ins[0]
			src := in.Tables()[0].Source
			var got []string
			for _, r := range scanAll(t, src, nil) {
				got = append(got, data.ToString(col(t, src, r, "a"))+"|"+data.ToString(col(t, src, r, "b")))
			}
			if g := strings.Join(got, "\n"); g != c.rows {
				t.Errorf("rows\n got %q\nwant %q", g, c.rows)
			}
			if strings.HasPrefix(c.name, "JSON cell") {
				if typ := src.Columns()[1].Type; typ != data.Dynamic {
					t.Errorf("a JSON column is %s, want dynamic", typ)
				}
			}
			rep := in.Report()
			if rep.Format != c.format {
				t.Errorf("format %q, want %q", rep.Format, c.format)
			}
			if rep.BadRows != c.bad {
				t.Errorf("bad rows %d, want %d: %+v", rep.BadRows, c.bad, rep.BadRowSamples)
			}
			if c.reason != "" && (len(rep.BadRowSamples) == 0 || !strings.Contains(rep.BadRowSamples[0].Reason, c.reason)) {
				t.Errorf("reason %+v, want %q", rep.BadRowSamples, c.reason)
			}
		})
	}
}

// TestCSVLogAnalyticsPortalExport reads the CSV the Log Analytics portal
// writes: " [UTC]" after datetime column names, US-style times.
func TestCSVLogAnalyticsPortalExport(t *testing.T) {
	in := mustOpen(t, "portal.csv", "\"TimeGenerated [UTC]\",Computer,EventID,CommandLine\n"+
		"\"7/5/2023, 2:16:44.756 PM\",pc1,4688,\"cmd.exe /c whoami\"\n")
	src := table(t, in, "SecurityEvent")
	rows := scanAll(t, src, nil)
	if got := data.FormatDateTime(rows[0][0].I); rows[0][0].K != data.KDateTime || got != "2023-07-05T14:16:44.756Z" {
		t.Errorf("TimeGenerated = %v %q", rows[0][0].K, got)
	}
	if rows[0][2] != data.NewInt(4688) {
		t.Errorf("EventID = %v", rows[0][2])
	}
	dpe := table(t, mustOpen(t, "p.csv", "\"TimeGenerated [UTC]\",DeviceName,FileName,ProcessCommandLine\n\"12/31/2024, 11:59:59.5 PM\",d,f.exe,x\n"), "DeviceProcessEvents")
	r := scanAll(t, dpe, nil)[0]
	if ts := col(t, dpe, r, "Timestamp"); data.FormatDateTime(ts.I) != "2024-12-31T23:59:59.5Z" || ts != r[0] {
		t.Errorf("Timestamp %v does not alias TimeGenerated %v", ts, r[0])
	}
}

func TestCSVTypeInference(t *testing.T) {
	content := "when,count,ratio,flag,blob,text,empty,mixed,hexid,big,zeros\n" +
		"2025-09-07T12:00:00Z,1,1.5,true,\"{\"\"a\"\":1}\",hello,,1,0x1a,99999999999999999999,007\n" +
		"2025-09-07 12:00:01,-2,2,False,[1],world,,x,0x2b,1,010\n" +
		",,,,,,,,,,\n"
	in := mustOpen(t, "C:\\logs\\custom.export.csv", content)
	src := table(t, in, "custom.export")
	want := "when:datetime count:long ratio:real flag:bool blob:dynamic text:string empty:string mixed:string hexid:string big:string zeros:string"
	if got := colTypes(src.Columns()); got != want {
		t.Errorf("types\n got %s\nwant %s", got, want)
	}
	rows := scanAll(t, src, nil)
	if rows[1][1] != data.NewLong(-2) || rows[1][2] != data.NewReal(2) || rows[1][3] != data.NewBool(false) {
		t.Errorf("row 2 = %v", rows[1])
	}
	if rows[0][9].S != "99999999999999999999" || rows[1][10].S != "010" {
		t.Errorf("text kept: %v %v", rows[0][9], rows[1][10])
	}
	for i, v := range rows[2][:11] {
		if src.Columns()[i].Type == data.String {
			if v != data.EmptyString {
				t.Errorf("empty string cell %d = %v", i, v)
			}
		} else if !v.IsNull() {
			t.Errorf("empty typed cell %d = %v", i, v)
		}
	}
}

// TestCSVLateMisfit checks the promise for inferred types: a value after
// the sample that does not fit its column is null, and counted with its
// line; the row is kept.
func TestCSVLateMisfit(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("n,s\n")
	for i := 0; i < InferenceRows+10; i++ {
		sb.WriteString("1,a\n")
	}
	sb.WriteString("oops,b\n")
	in := mustOpen(t, "late.csv", sb.String())
	src := in.Tables()[0].Source
	rows := scanAll(t, src, nil)
	last := rows[len(rows)-1]
	if len(rows) != InferenceRows+11 || !last[0].IsNull() || last[1].S != "b" {
		t.Fatalf("%d rows, last %v", len(rows), last)
	}
	rep := in.Report()
	if rep.BadRows != 1 || rep.BadRowSamples[0].Line != int64(InferenceRows+12) || !strings.Contains(rep.BadRowSamples[0].Reason, `n: "oops" is not a long`) {
		t.Errorf("report %+v", rep)
	}
}

func TestCSVKnownColumnsKeepTheirTypeInUnknownTables(t *testing.T) {
	// A table that fits no schema: every column is inferred, even one
	// that a known table declares, since the input may mean something else.
	src := mustOpen(t, "x.csv", "ProcessId,Note\n0x1a4,a\n").Tables()[0].Source
	if got := colTypes(src.Columns()); got != "ProcessId:string Note:string" {
		t.Errorf("types = %s", got)
	}
}

// TestCSVNeed checks that a scan converts only the columns asked for.
func TestCSVNeed(t *testing.T) {
	src := table(t, mustOpen(t, "e.csv", defenderExport), "DeviceProcessEvents")
	need := make([]bool, len(src.Columns()))
	need[2] = true // FileName
	need[8] = true // TimeGenerated, an alias of Timestamp, which is not needed itself
	rows := scanAll(t, src, need)
	r := rows[0]
	if r[2].S != "rclone.exe" || r[8].K != data.KDateTime {
		t.Errorf("FileName %v, TimeGenerated %v", r[2], r[8])
	}
	for _, i := range []int{0, 1, 3, 4, 5, 6, 7} {
		if !r[i].IsNull() {
			t.Errorf("column %d was not needed but is %v", i, r[i])
		}
	}
}

func TestCSVHeaderNames(t *testing.T) {
	src := mustOpen(t, "h.csv", " a ,,a,a1,a,\"b [UTC]\"\n").Tables()[0].Source
	got := strings.Join(data.ColumnNames(src.Columns()[:6]), ",")
	if got != "a,Column2,a1,a11,a2,b" {
		t.Errorf("names = %s", got)
	}
}

func TestCSVLimits(t *testing.T) {
	// A row longer than MaxLineBytes is skipped, and reading goes on.
	long := "a,b\n1,x\n2," + strings.Repeat("y", MaxLineBytes+10) + "\n3,z\n"
	in := mustOpen(t, "long.csv", long)
	rows := scanAll(t, in.Tables()[0].Source, nil)
	rep := in.Report()
	if len(rows) != 2 || rows[1][0] != data.NewLong(3) || rep.BadRows != 1 || rep.BadRowSamples[0].Line != 3 ||
		!strings.Contains(rep.BadRowSamples[0].Reason, "MaxLineBytes") {
		t.Errorf("%d rows, report %+v", len(rows), rep)
	}
	// A field longer than MaxFieldBytes is left empty; the row is kept.
	wide := "a,b\n1," + strings.Repeat("y", MaxFieldBytes+1) + "\n"
	in = mustOpen(t, "wide.csv", wide)
	rows = scanAll(t, in.Tables()[0].Source, nil)
	rep = in.Report()
	if len(rows) != 1 || rows[0][1] != data.EmptyString || rep.BadRows != 1 || !strings.Contains(rep.BadRowSamples[0].Reason, "MaxFieldBytes") {
		t.Errorf("%d rows, report %+v", len(rows), rep)
	}
	// A header wider than MaxColumns is an error.
	_, err := Open("cols.csv", openString(strings.Repeat("c,", MaxColumns)+"c\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "MaxColumns") {
		t.Errorf("wide header: %v", err)
	}
}

func TestCSVScanStops(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("n\n")
	for i := 0; i < 5000; i++ {
		sb.WriteString("1\n")
	}
	src := mustOpen(t, "many.csv", sb.String()).Tables()[0].Source
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := src.Scan(ctx, nil, func(data.Row) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > ctxCheckRows+1 {
		t.Errorf("cancelled scan: err %v after %d rows", err, n)
	}
	stop := errors.New("stop")
	n = 0
	err = src.Scan(context.Background(), nil, func(data.Row) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("emit error: %v after %d rows", err, n)
	}
}

func TestCSVInputChanges(t *testing.T) {
	content := "a,b\n1,2\n"
	in, err := Open("c.csv", func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	content = "x,y\n1,2\n"
	err = in[0].Tables()[0].Source.Scan(context.Background(), nil, func(data.Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "changed since it was opened") {
		t.Errorf("changed header: %v", err)
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"export (3).csv":      "export (3)",
		"/a/b/c.tar.gz":       "c.tar",
		`C:\x\DeviceProcess`:  "DeviceProcess",
		".hidden":             ".hidden",
		"":                    "input",
		"dir/":                "input",
		"stdin":               "stdin",
		"weird name.CSV":      "weird name",
		`mixed/slashes\f.csv`: "f",
	}
	for in, want := range cases {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]Format{
		"a,b\n1,2":                   FormatCSV,
		"\ufeffTimestamp,FileName\n": FormatCSV,
		"  {\"tables\":[]}":          FormatJSON,
		"[{\"a\":1}]":                FormatJSON,
		"<?xml version='1.0'?>":      FormatXML,
		"\x1f\x8b\x08\x00":           FormatGzip,
		"PK\x03\x04rest":             FormatZip,
		"ElfFile\x00rest":            FormatEVTX,
		"\xff\xfeT\x00i\x00":         FormatUTF16,
		"abc\x00def":                 FormatUnknown,
		" \n\t":                      FormatEmpty,
	}
	for in, want := range cases {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestOpenErrors checks the messages for what offhunt cannot read: each
// names what was found and what to do.
func TestOpenErrors(t *testing.T) {
	xlsx := zipBytes(t, map[string][]byte{"[Content_Types].xml": []byte("<x/>"), "xl/workbook.xml": []byte("<w/>")}, []string{"[Content_Types].xml", "xl/workbook.xml"})
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "x: the input is empty"},
		{"blank", []byte(" \r\n "), "x: the input holds only white space"},
		{"bom only", []byte("\ufeff"), "x: the input is empty"},
		{"evtx", []byte("ElfFile\x00\x00\x00\x00"), "x: EVTX binary logs are not supported yet; export the events as JSON or CSV"},
		{"gzip evtx", gzipBytes("ElfFile\x00\x00"), "EVTX binary logs are not supported yet"},
		{"xlsx", xlsx, "x: an Excel workbook (XLSX); save the sheet as CSV"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "save the sheet as CSV"},
		{"binary", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "x: binary data"},
		{"broken gzip", []byte{0x1f, 0x8b, 0x08, 0x00, 0x00}, "gzip"},
		{"truncated gzip", truncatedGzip(), "truncated"},
		{"other xml", []byte("<html><body/></html>"), "not Windows event XML"},
		{"empty json", []byte("[]"), "holds no records"},
		{"empty log analytics", []byte(`{"tables":[]}`), "no tables"},
		{"no json record readable", []byte("{\"a\":1,,}\n{\"b\"\n"), "no record could be read"},
		{"zip with nothing", zipBytes(t, map[string][]byte{"a.png": []byte("\x89PNG\x00\x00")}, []string{"a.png"}), "no CSV or JSON export inside; skipped: a.png (binary data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ins, err := Open("x", openBytes(c.content), Options{})
			if err == nil && len(ins) == 1 {
				// a truncated gzip is found while reading
				err = ins[0].Complete(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// TestZip reads the exports inside a ZIP archive, each as its own input,
// and names the entries it skipped.
func TestZip(t *testing.T) {
	files := map[string][]byte{
		"day1.csv":       []byte(defenderExport),
		"nested/day2.gz": gzipBytes("[{\"Timestamp\":\"2025-09-08T00:00:00Z\",\"DeviceName\":\"d\",\"FileName\":\"f.exe\",\"ProcessCommandLine\":\"f\"}]"),
		"notes.evtx":     []byte("ElfFile\x00\x00"),
		"empty.csv":      nil,
	}
	z := zipBytes(t, files, []string{"day1.csv", "notes.evtx", "nested/day2.gz", "empty.csv"})
	ins, err := Open("exports.zip", openBytes(z), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Name() != "exports.zip/day1.csv" || ins[1].Name() != "exports.zip/nested/day2.gz" {
		t.Fatalf("inputs: %v", ins)
	}
	if ins[1].Stem() != "day2" {
		t.Errorf("stem %q", ins[1].Stem())
	}
	for i, want := range []int{3, 1} {
		if rows := scanAll(t, table(t, ins[i], "DeviceProcessEvents"), nil); len(rows) != want {
			t.Errorf("%s: %d rows", ins[i].Name(), len(rows))
		}
	}
	rep := report(t, ins[0])
	if len(rep.Notices) != 1 || !strings.Contains(rep.Notices[0], "notes.evtx (EVTX binary logs are not supported yet") || !strings.Contains(rep.Notices[0], "empty.csv (the input is empty)") {
		t.Errorf("notices %q", rep.Notices)
	}
	if r := report(t, ins[1]); r.Format != "gzip json" {
		t.Errorf("format %q", r.Format)
	}
}

// truncatedGzip is a gzip file cut short, as a broken download leaves it.
func truncatedGzip() []byte {
	var sb strings.Builder
	sb.WriteString("a,b\n")
	x := uint32(1)
	for i := 0; i < 20000; i++ {
		x = x*1664525 + 1013904223
		fmt.Fprintf(&sb, "%d,%x\n", i, x)
	}
	b := gzipBytes(sb.String())
	return b[:len(b)/2]
}
