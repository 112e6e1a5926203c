package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"offhunt/detect/data"
)

// hostile holds the strings logs throw at a writer.
var hostile = []string{
	`plain`,
	`say "hi", then leave`,
	"two\nlines",
	"crlf\r\nline",
	"=HYPERLINK(\"http://x\",\"click\")",
	"+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(A1:A2)",
	"\ttabbed",
	"\rcarriage",
	"bad \xff\xfe utf8",
	"<script>alert(1)</script> & co",
	"rclone\u200b.exe",
	"invoice\u202egpj.exe",
	"bell\x07 esc\x1b[31m red",
	"",
}

func sampleTable() *data.Table {
	bag := data.NewBag(2)
	bag.Set("Key", data.NewString("v<1>"))
	bag.Set("n", data.NewArray([]data.Value{data.NewLong(1), data.NewReal(2.5)}))
	return &data.Table{
		Columns: []data.Column{
			{Name: "Timestamp", Type: data.DateTime},
			{Name: "Count", Type: data.Long},
			{Name: "Ratio", Type: data.Real},
			{Name: "Ok", Type: data.Bool},
			{Name: "Took", Type: data.TimeSpan},
			{Name: "Extra", Type: data.Dynamic},
			{Name: "Id", Type: data.Guid},
			{Name: "Note", Type: data.String},
		},
		Rows: []data.Row{
			{data.NewDateTime(data.TimeToTicks(mustTime("2025-09-07T12:00:00Z"))), data.NewLong(42), data.NewReal(0.5),
				data.NewBool(true), data.NewTimeSpan(90 * data.TicksPerMinute), data.NewBagValue(bag),
				data.NewGuid("0f8fad5b-d9cb-469f-a165-70867728950e"), data.NewString("rclone.exe copy a mega:b")},
			{data.NewDateTime(data.TimeToTicks(mustTime("2025-09-07T12:00:00.5Z"))), data.NewLong(-7), data.NewReal(math.NaN()),
				data.NewBool(false), data.NewTimeSpan(-data.TicksPerDay - data.TicksPerSecond), data.NewArray(nil),
				data.Null, data.NewString("")},
			{data.Null, data.Null, data.Null, data.Null, data.Null, data.Null, data.Null, data.NewString("x")},
		},
	}
}

func hostileTable() *data.Table {
	t := &data.Table{Columns: []data.Column{{Name: "=Name", Type: data.String}, {Name: "N", Type: data.Long}}}
	for i, s := range hostile {
		t.Rows = append(t.Rows, data.Row{data.NewString(s), data.NewLong(int64(-i))})
	}
	return t
}

func TestWriteJSONShape(t *testing.T) {
	tab := &data.Table{
		Columns: []data.Column{{Name: "c", Type: data.String}},
		Rows:    []data.Row{{data.NewString("v")}},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []*data.Table{tab}); err != nil {
		t.Fatal(err)
	}
	want := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"c","type":"string"}],"rows":[["v"]]}]}` + "\n"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestWriteJSONValues(t *testing.T) {
	var buf bytes.Buffer
	empty := &data.Table{Columns: []data.Column{{Name: "x", Type: data.Long}}}
	if err := WriteJSON(&buf, []*data.Table{sampleTable(), empty, nil}); err != nil {
		t.Fatal(err)
	}
	want := `{"tables":[{"name":"PrimaryResult","columns":[` +
		`{"name":"Timestamp","type":"datetime"},{"name":"Count","type":"long"},{"name":"Ratio","type":"real"},` +
		`{"name":"Ok","type":"bool"},{"name":"Took","type":"timespan"},{"name":"Extra","type":"dynamic"},` +
		`{"name":"Id","type":"guid"},{"name":"Note","type":"string"}],"rows":[` +
		`["2025-09-07T12:00:00Z",42,0.5,true,"01:30:00",{"Key":"v\u003c1\u003e","n":[1,2.5]},"0f8fad5b-d9cb-469f-a165-70867728950e","rclone.exe copy a mega:b"],` +
		`["2025-09-07T12:00:00.5Z",-7,"NaN",false,"-1.00:00:01",[],null,""],` +
		`[null,null,null,null,null,null,null,"x"]]},` +
		`{"name":"Table_1","columns":[{"name":"x","type":"long"}],"rows":[]},` +
		`{"name":"Table_2","columns":[],"rows":[]}]}` + "\n"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestWriteJSONNoTables(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != `{"tables":[]}`+"\n" {
		t.Errorf("got %s", buf.String())
	}
}

func TestWriteJSONHostile(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []*data.Table{hostileTable()}); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !utf8.Valid(out) || !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	if bytes.ContainsAny(out, "<>&") {
		t.Errorf("HTML characters not escaped: %s", out)
	}
	var resp struct {
		Tables []struct {
			Columns []struct{ Name, Type string }
			Rows    [][]any
		}
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	rows := resp.Tables[0].Rows
	for i, s := range hostile {
		want := replaceInvalidUTF8(s)
		if got := rows[i][0]; got != want {
			t.Errorf("row %d: got %q, want %q", i, got, want)
		}
	}
	if resp.Tables[0].Columns[0].Name != "=Name" {
		t.Errorf("JSON names are not neutralised: %q", resp.Tables[0].Columns[0].Name)
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	want := "Timestamp,Count,Ratio,Ok,Took,Extra,Id,Note\r\n" +
		`2025-09-07T12:00:00Z,42,0.5,true,01:30:00,"{""Key"":""v\u003c1\u003e"",""n"":[1,2.5]}",0f8fad5b-d9cb-469f-a165-70867728950e,rclone.exe copy a mega:b` + "\r\n" +
		"2025-09-07T12:00:00.5Z,-7,NaN,false,-1.00:00:01,[],,\r\n" +
		",,,,,,,x\r\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestWriteCSVHostile(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hostileTable()); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) {
		t.Error("CSV is not valid UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back: %v", err)
	}
	// A lone CR is kept, inside quotes.
	if !bytes.Contains(buf.Bytes(), []byte("\"'\rcarriage\"")) {
		t.Errorf("CR cell not written whole: %q", buf.String())
	}
	if recs[0][0] != "'=Name" {
		t.Errorf("header = %q", recs[0][0])
	}
	for i, s := range hostile {
		want := replaceInvalidUTF8(s)
		if want != "" && strings.ContainsRune("=+-@\t\r", rune(want[0])) {
			want = "'" + want
		}
		// encoding/csv reads CRLF inside a quoted field back as LF.
		want = strings.ReplaceAll(want, "\r\n", "\n")
		if got := recs[i+1][0]; got != want {
			t.Errorf("row %d: got %q, want %q", i, got, want)
		}
		// Numbers are not text: a negative number keeps its sign.
		if i > 0 && !strings.HasPrefix(recs[i+1][1], "-") {
			t.Errorf("row %d: number %q", i, recs[i+1][1])
		}
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleTable()); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Timestamp               Count  Ratio  Ok     Took         Extra                                 Id                                    Note\n" +
		"----------------------  -----  -----  -----  -----------  ------------------------------------  ------------------------------------  ------------------------\n" +
		"2025-09-07T12:00:00Z       42    0.5  true   01:30:00     {\"Key\":\"v\\u003c1\\u003e\",\"n\":[1,2.5]}  0f8fad5b-d9cb-469f-a165-70867728950e  rclone.exe copy a mega:b\n" +
		"2025-09-07T12:00:00.5Z     -7    NaN  false  -1.00:00:01  []\n" +
		"                                                                                                                                      x\n" +
		"(3 rows)\n"
	if got := buf.String(); got != want {
		lines := strings.Split(got, "\n")
		wlines := strings.Split(want, "\n")
		for i := range max(len(lines), len(wlines)) {
			var g, w string
			if i < len(lines) {
				g = lines[i]
			}
			if i < len(wlines) {
				w = wlines[i]
			}
			if g != w {
				t.Errorf("line %d\n got %q\nwant %q", i+1, g, w)
			}
		}
	}
}

func TestWriteTableHostile(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, hostileTable()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !utf8.ValidString(out) {
		t.Error("table is not valid UTF-8")
	}
	for _, bad := range []string{"\x07", "\x1b", "\r", "\u200b", "\u202e", "\t"} {
		if strings.Contains(out, bad) {
			t.Errorf("table holds %q raw", bad)
		}
	}
	for _, want := range []string{`two\nlines`, `crlf\r\nline`, `\ttabbed`, `bad \xff\xfe utf8`,
		`rclone\u200b.exe`, `invoice\u202egpj.exe`, `bell\x07 esc\x1b[31m red`, `say "hi", then leave`} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %s:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != len(hostile)+3 {
		t.Errorf("%d lines, want %d", lines, len(hostile)+3)
	}
}

func TestDisplayTextCuts(t *testing.T) {
	cases := []struct{ in, want string }{
		{strings.Repeat("a", MaxCellWidth), strings.Repeat("a", MaxCellWidth)},
		{strings.Repeat("a", MaxCellWidth+1), strings.Repeat("a", MaxCellWidth-1) + "…"},
		{strings.Repeat("a", MaxCellWidth-1) + "\n", strings.Repeat("a", MaxCellWidth-1) + "…"},
		{strings.Repeat("a", MaxCellWidth-2) + "\n", strings.Repeat("a", MaxCellWidth-2) + `\n`},
		{strings.Repeat("界", MaxCellWidth), strings.Repeat("界", (MaxCellWidth-1)/2) + "…"},
	}
	for _, c := range cases {
		got := displayText(c.in)
		if got != c.want {
			t.Errorf("displayText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if w := textWidth(got); w > MaxCellWidth {
			t.Errorf("width %d > %d", w, MaxCellWidth)
		}
	}
}

func TestNilTable(t *testing.T) {
	var buf bytes.Buffer
	if WriteTable(&buf, nil) != nil || WriteCSV(&buf, nil) != nil || buf.Len() != 0 {
		t.Errorf("nil table wrote %q", buf.String())
	}
}

func TestWriteTableNoRows(t *testing.T) {
	var buf bytes.Buffer
	tab := &data.Table{Columns: []data.Column{{Name: "FileName", Type: data.String}}}
	if err := WriteTable(&buf, tab); err != nil {
		t.Fatal(err)
	}
	if want := "FileName\n--------\n(0 rows)\n"; buf.String() != want {
		t.Errorf("got %q", buf.String())
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	for name, err := range map[string]error{
		"table": WriteTable(failWriter{}, sampleTable()),
		"csv":   WriteCSV(failWriter{}, sampleTable()),
		"json":  WriteJSON(failWriter{}, []*data.Table{sampleTable()}),
	} {
		if !errors.Is(err, errWrite) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
