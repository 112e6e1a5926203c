package logs

import (
	"fmt"
	"strings"
	"testing"

	"offhunt/detect/data"
)

// rowsText renders the named columns of every row: "v1|v2" per row.
func rowsText(t *testing.T, src data.Source, cols ...string) string {
	t.Helper()
	var out []string
	for _, r := range scanAll(t, src, nil) {
		var cells []string
		for _, c := range cols {
			cells = append(cells, data.ToString(col(t, src, r, c)))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return strings.Join(out, "\n")
}

// TestJSONShapes reads the same two records in every JSON shape offhunt
// reads, and checks table, types, rows and lines.
func TestJSONShapes(t *testing.T) {
	cases := []struct {
		name, content, format, table, types, rows string
	}{
		{"array", `[{"a":1,"b":"x","t":"2025-01-02T03:04:05Z"},
{"a":2,"b":"y","t":"2025-01-03T00:00:00Z"}]`, "json", "in", "a:long b:string t:datetime", "1|x|1\n2|y|2"},
		{"ndjson", "{\"a\":1,\"b\":\"x\",\"t\":\"2025-01-02\"}\n\n{\"a\":2,\"b\":\"y\",\"t\":\"2025-01-03\"}\n", "ndjson", "in", "a:long b:string t:datetime", "1|x|1\n2|y|3"},
		{"ndjson CRLF", "{\"a\":1,\"b\":\"x\",\"t\":null}\r\n{\"a\":2,\"b\":\"y\",\"t\":null}\r\n", "ndjson", "in", "a:long b:string t:string", "1|x|1\n2|y|2"},
		{"objects one after another", "{\n \"a\": 1,\n \"b\": \"x\", \"t\": 1.5\n}{\n \"a\": 2,\n \"b\": \"y\", \"t\": 2\n}\n", "json", "in", "a:long b:string t:real", "1|x|1\n2|y|4"},
		{"wrapped array", `{"count":2,"value":[{"a":1,"b":"x","t":true},{"a":2,"b":"y","t":false}]}`, `json (records under "value")`, "in", "a:long b:string t:bool", "1|x|1\n2|y|2"},
		{"defender api, results before schema", `{"Stats":{"x":1},"Results":[{"a":"1","b":"x","t":"2025-01-02T03:04:05.1234567Z"},{"a":2,"b":"y","t":null}],
"Schema":[{"Name":"a","Type":"Int64"},{"Name":"b","Type":"String"},{"Name":"t","Type":"DateTime"}]}`, "defender api json", "in", "a:long b:string t:datetime", "1|x|1\n2|y|2"},
		{"graph api", `{"schema":[{"name":"a","type":"Int32"},{"name":"b","type":"String"},{"name":"t","type":"Object"}],"results":[{"a":1,"b":"x","t":{"k":[1]}},{"a":2,"b":"y","t":"[2]"}]}`, "graph api json", "in", "a:int b:string t:dynamic", "1|x|1\n2|y|2"},
		{"log analytics", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"a","type":"long"},{"name":"b","type":"string"},{"name":"t","type":"timespan"}],"rows":[[1,"x","00:01:00"],[2,"y",null]]}]}`, "log analytics api json", "PrimaryResult", "a:long b:string t:timespan", "1|x|1\n2|y|2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := mustOpen(t, "dir/in.json", c.content)
			src := table(t, in, c.table)
			if got := colTypes(src.Columns()); got != c.types {
				t.Errorf("types %s, want %s", got, c.types)
			}
			if got := rowsText(t, src, "a", "b", LineColumn); got != c.rows {
				t.Errorf("rows\n got %q\nwant %q", got, c.rows)
			}
			rep := in.Report()
			if rep.Format != c.format || rep.BadRows != 0 || rep.Rows != 2 {
				t.Errorf("report %+v, want format %q", rep, c.format)
			}
		})
	}
}

// TestJSONValues checks how JSON values become column values.
func TestJSONValues(t *testing.T) {
	in := mustOpen(t, "v.json", `[{"Timestamp":"2025-09-07T12:00:00.5Z","DeviceName":"ws1","FileName":"a\u00e9\"\\.exe","ProcessCommandLine":"x \"y\"","ProcessId":"0x1a4","AdditionalFields":"{\"k\":\"v\"}","FileSize":12.0},
{"Timestamp":"not a time","DeviceName":7,"FileName":null,"ProcessCommandLine":"","ProcessId":1e3,"AdditionalFields":{"k":[1,{"x":null}]},"FileSize":true}]`)
	src := table(t, in, "DeviceProcessEvents")
	rows := scanAll(t, src, nil)
	r := rows[0]
	if col(t, src, r, "FileName").S != "aé\"\\.exe" || col(t, src, r, "ProcessCommandLine").S != `x "y"` {
		t.Errorf("escapes: %v", r)
	}
	if col(t, src, r, "ProcessId") != data.NewLong(420) || col(t, src, r, "FileSize") != data.NewLong(12) {
		t.Errorf("longs: %v %v", col(t, src, r, "ProcessId"), col(t, src, r, "FileSize"))
	}
	if got := string(data.AppendJSON(nil, col(t, src, r, "AdditionalFields"))); got != `{"k":"v"}` {
		t.Errorf("AdditionalFields from a JSON string = %s", got)
	}
	if ts := col(t, src, r, "TimeGenerated"); data.FormatDateTime(ts.I) != "2025-09-07T12:00:00.5Z" {
		t.Errorf("TimeGenerated alias = %v", ts)
	}
	r = rows[1]
	if !col(t, src, r, "Timestamp").IsNull() || col(t, src, r, "DeviceName").S != "7" || col(t, src, r, "FileName") != data.EmptyString {
		t.Errorf("row 2: %v", r)
	}
	if col(t, src, r, "ProcessId") != data.NewLong(1000) || !col(t, src, r, "FileSize").IsNull() {
		t.Errorf("row 2 longs: %v %v", col(t, src, r, "ProcessId"), col(t, src, r, "FileSize"))
	}
	if got := string(data.AppendJSON(nil, col(t, src, r, "AdditionalFields"))); got != `{"k":[1,{"x":null}]}` {
		t.Errorf("AdditionalFields = %s", got)
	}
	rep := in.Report()
	if rep.BadRows != 1 || rep.BadRowSamples[0].Line != 2 || !strings.Contains(rep.BadRowSamples[0].Reason, `Timestamp: "not a time" is not a datetime`) ||
		!strings.Contains(rep.BadRowSamples[0].Reason, "FileSize") {
		t.Errorf("report %+v", rep)
	}
}

// TestJSONBadRecords checks that broken records are counted with their
// line and reason, and that reading goes on after them.
func TestJSONBadRecords(t *testing.T) {
	cases := []struct {
		name, content string
		rows          string
		bad           []string // "line: reason part"
	}{
		{"ndjson", "{\"a\":1}\n{\"a\":2,\n[1,2]\n{\"a\":3}\nnot json\n{\"a\":4} x\n{\"a\":5}", "1\n3\n5",
			[]string{"2: invalid JSON", "3: not a JSON object", "5: not a JSON object", "6: invalid JSON"}},
		{"array cut short", `[{"a":1},{"a":2},{"a":`, "1\n2", []string{"3: truncated JSON"}},
		{"array with a bad element", `[{"a":1},{"a":2,,},7,{"a":3}]`, "1\n3", []string{"2: invalid JSON", "3: not a JSON object"}},
		{"deep value", `[{"a":1,"d":` + strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1) + `},{"a":2,"d":[]}]`, "1\n2", []string{"1: d: JSON nested deeper than"}},
		{"broken escape", "{\"a\":1,\"s\":\"x\"}\n{\"a\":2,\"s\":\"bad \\q\"}\n", "1\n2", []string{"2: s: a broken escape"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := mustOpen(t, "b.json", c.content)
			src := in.Tables()[0].Source
			if got := rowsText(t, src, "a"); got != c.rows {
				t.Errorf("rows %q, want %q", got, c.rows)
			}
			rep := in.Report()
			var got []string
			for _, b := range rep.BadRowSamples {
				got = append(got, fmt.Sprintf("%d: %s", b.Line, b.Reason))
			}
			if len(got) != len(c.bad) || int(rep.BadRows) != len(c.bad) {
				t.Fatalf("bad rows %d:\n%s", rep.BadRows, strings.Join(got, "\n"))
			}
			for i, want := range c.bad {
				if !strings.HasPrefix(got[i], want[:strings.Index(want, ":")+1]) || !strings.Contains(got[i], want[strings.Index(want, ":")+2:]) {
					t.Errorf("bad row %d = %q, want %q", i, got[i], want)
				}
			}
		})
	}
}

// TestJSONExtraFields checks that members the sample did not show are not
// lost: they go to the ExtraFields column.
func TestJSONExtraFields(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < InferenceRows; i++ {
		sb.WriteString(`{"a":1}` + "\n")
	}
	sb.WriteString(`{"a":2,"late":"x","n":{"k":1}}` + "\n")
	in := mustOpen(t, "x.ndjson", sb.String())
	src := in.Tables()[0].Source
	if got := colTypes(src.Columns()); got != "a:long ExtraFields:dynamic" {
		t.Fatalf("columns %s", got)
	}
	rows := scanAll(t, src, nil)
	last := rows[len(rows)-1]
	if got := string(data.AppendJSON(nil, last[1])); got != `{"late":"x","n":{"k":1}}` {
		t.Errorf("ExtraFields = %s", got)
	}
	if !rows[0][1].IsNull() {
		t.Errorf("ExtraFields of a record without extras = %v", rows[0][1])
	}
}

// TestLogAnalyticsTables reads a Log Analytics response with two tables
// (offhunt's own --format json output loads back the same way): each is a
// table by its name, or by the known table its columns fit.
func TestLogAnalyticsTables(t *testing.T) {
	in := mustOpen(t, "la.json", `{"tables":[
{"name":"PrimaryResult","columns":[{"name":"Timestamp","type":"datetime"},{"name":"DeviceName","type":"string"},{"name":"FileName","type":"string"},{"name":"ProcessCommandLine","type":"string"}],
 "rows":[["2025-09-07T12:00:00Z","ws1","rclone.exe","rclone copy a b"],["2025-09-07T13:00:00Z","ws1","cmd.exe"]]},
{"name":"Table_1","columns":[{"name":"n","type":"long"}],"rows":[[5]]}]}`)
	tables := in.Tables()
	if len(tables) != 2 || tables[0].Name != "DeviceProcessEvents" || tables[0].Alias != "PrimaryResult" || tables[1].Name != "Table_1" {
		t.Fatalf("tables %+v", tables)
	}
	if got := rowsText(t, tables[0].Source, "FileName", "TimeGenerated", LineColumn); got != "rclone.exe|2025-09-07T12:00:00.0000000Z|1\ncmd.exe|2025-09-07T13:00:00.0000000Z|2" {
		t.Errorf("rows %q", got)
	}
	if got := rowsText(t, tables[1].Source, "n"); got != "5" {
		t.Errorf("Table_1 rows %q", got)
	}
	rep := in.Report()
	if rep.Rows != 3 || rep.BadRows != 1 || !strings.Contains(rep.BadRowSamples[0].Reason, "3 values where the table has 4 columns") {
		t.Errorf("report %+v", rep)
	}
	if rep.Schema != "DeviceProcessEvents, Table_1" {
		t.Errorf("schema %q", rep.Schema)
	}
}

// TestDefenderStreaming reads Defender's streaming API records: the table
// comes from each record's category.
func TestDefenderStreaming(t *testing.T) {
	in := mustOpen(t, "stream.json", `{"time":"2025-09-07T12:00:01Z","tenantId":"t","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2025-09-07T12:00:00Z","DeviceName":"ws1","FileName":"rclone.exe","ProcessCommandLine":"rclone copy a b","ProcessId":42}}
{"time":"2025-09-07T12:00:02Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2025-09-07T12:00:01Z","DeviceName":"ws1","RemoteIP":"1.2.3.4","RemotePort":443,"RemoteUrl":"mega.nz"}}
{"time":"2025-09-07T12:00:03Z","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2025-09-07T12:00:02Z","DeviceName":"ws2","FileName":"cmd.exe","ProcessCommandLine":"cmd","ProcessId":7}}
`)
	dpe := table(t, in, "DeviceProcessEvents")
	if got := rowsText(t, dpe, "DeviceName", "FileName", "ProcessId", LineColumn); got != "ws1|rclone.exe|42|1\nws2|cmd.exe|7|3" {
		t.Errorf("DeviceProcessEvents %q", got)
	}
	dne := table(t, in, "DeviceNetworkEvents")
	if got := rowsText(t, dne, "RemoteUrl", "RemotePort", "TimeGenerated"); got != "mega.nz|443|2025-09-07T12:00:01.0000000Z" {
		t.Errorf("DeviceNetworkEvents %q", got)
	}
	if i := data.ColumnIndex(dne.Columns(), "RemotePort"); dne.Columns()[i].Type != data.Int {
		t.Errorf("RemotePort is %s", dne.Columns()[i].Type)
	}
	if rep := in.Report(); rep.Format != "ndjson, defender streaming api" || rep.Rows != 3 {
		t.Errorf("report %+v", rep)
	}
}
