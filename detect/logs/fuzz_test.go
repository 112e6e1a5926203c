package logs

import (
	"context"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
)

// The fuzz tests feed every reader arbitrary bytes. The properties: no
// panic; an input that cannot be opened fails with an error that names
// it; every row has a value per column; every bad row has a line (or
// record number) and a reason; a second scan gives the same rows.

// fuzzInput checks the properties for one content.
func fuzzInput(t *testing.T, content []byte) {
	ins, err := Open("f", openBytes(content), Options{})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "f") {
			t.Fatalf("error without the input's name: %v", err)
		}
		return
	}
	for _, in := range ins {
		srcs := []data.Source{in.StemSource()}
		for _, tb := range in.Tables() {
			srcs = append(srcs, tb.Source)
		}
		for _, src := range srcs {
			var first []string
			for pass := 0; pass < 2; pass++ {
				var got []string
				err := src.Scan(context.Background(), nil, func(r data.Row) error {
					if len(r) != len(src.Columns()) {
						t.Fatalf("a row of %d values for %d columns", len(r), len(src.Columns()))
					}
					if l := r[len(r)-1]; l.K != data.KLong || l.I < 1 {
						t.Fatalf("__line = %v", l)
					}
					got = append(got, data.ToString(r[0]))
					return nil
				})
				if err != nil {
					if !strings.HasPrefix(err.Error(), in.Name()) {
						t.Fatalf("scan error without the input's name: %v", err)
					}
					return
				}
				if pass == 0 {
					first = got
				} else if strings.Join(first, "\x00") != strings.Join(got, "\x00") {
					t.Fatalf("two scans differ")
				}
			}
		}
		for _, tb := range in.Tables() {
			fuzzPushdown(t, tb.Source)
		}
		rep := in.Report()
		for _, b := range rep.BadRowSamples {
			if b.Line < 1 || b.Reason == "" {
				t.Fatalf("bad row without a line or reason: %+v", b)
			}
		}
		if rep.BadRows < int64(len(rep.BadRowSamples)) {
			t.Fatalf("report counts %d bad rows and has %d samples", rep.BadRows, len(rep.BadRowSamples))
		}
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(defenderExport))
	f.Add([]byte("a,b\n1,\"2\n"))
	f.Add([]byte("\ufeffTimeGenerated,Computer,EventID\n2025-01-01,pc,4688\n"))
	f.Add([]byte("x\n\"\"\"\n"))
	f.Add([]byte("a;b\r1;\"x\"y\r"))
	f.Add([]byte("sep=\t\na\tb\n\"q\" r\ts\n"))
	f.Add(utf16Bytes("a,b\n1,2\n", false))
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) > 0 && (content[0] == '{' || content[0] == '[' || content[0] == '<') {
			content = append([]byte("c,"), content...)
		}
		fuzzInput(t, content)
	})
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`[{"a":1,"b":"x"},{"a":2}]`))
	f.Add([]byte("{\"a\":1}\n{\"a\":\n"))
	f.Add([]byte(`{"Schema":[{"Name":"a","Type":"Int64"}],"Results":[{"a":"1"}]}`))
	f.Add([]byte(`{"tables":[{"name":"T","columns":[{"name":"a","type":"long"}],"rows":[[1],[2,3],["x"]]}]}`))
	f.Add([]byte(`{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2025-01-01","FileName":"a"}}`))
	f.Add([]byte(`{"EventID":1,"Provider":"Microsoft-Windows-Sysmon","Image":"C:\\a.exe","Hashes":"SHA256=AB","User":"D\\u"}`))
	f.Add([]byte(`{"System":{"EventID":{"Value":1},"TimeCreated":{"SystemTime":1.5}},"EventData":{"Data":[{"@Name":"Image","#text":"x"}]}}`))
	f.Add([]byte(`{"@timestamp":"2025-01-01T00:00:00Z","process":{"command_line":"x"}}`))
	f.Add([]byte(`{"value":[{"a":[[[[{}]]]]}]}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		fuzzInput(t, content)
	})
}

func FuzzXML(f *testing.F) {
	f.Add([]byte(`<Events><Event><System><EventID>1</EventID><Provider Name="Microsoft-Windows-Sysmon"/><Computer>pc</Computer></System><EventData><Data Name="Image">C:\a.exe</Data></EventData></Event></Events>`))
	f.Add([]byte(`<?xml version="1.0"?><Events><Event><System><EventID>4688</EventID></System><EventData><Data Name="NewProcessName">x</Data></EventData></Event>`))
	f.Add([]byte(`<Event><UserData><X><Y>1</Y></X></UserData></Event><Event>`))
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) == 0 || content[0] != '<' {
			content = append([]byte("<Event>"), content...)
		}
		fuzzInput(t, content)
	})
}

// FuzzOpen feeds any bytes to the sniffer: gzip, ZIP, UTF-16 and binary
// included.
func FuzzOpen(f *testing.F) {
	f.Add(gzipBytes("a,b\n1,2\n"))
	f.Add(utf16Bytes("[{\"a\":1}]", true))
	f.Add([]byte("PK\x03\x04\x14\x00"))
	f.Add([]byte("ElfFile\x00"))
	f.Add([]byte("\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, content []byte) {
		fuzzInput(t, content)
	})
}

// fuzzPushdown checks that the literal prefilter keeps every row a filter
// on a string column keeps.
func fuzzPushdown(t *testing.T, src data.Source) {
	ss, ok := src.(data.SpecSource)
	if !ok {
		return
	}
	var plain []data.Row
	if err := src.Scan(context.Background(), nil, func(r data.Row) error { plain = append(plain, r.Clone()); return nil }); err != nil {
		return
	}
	for i, c := range src.Columns() {
		if c.Type != data.String || strings.HasPrefix(c.Name, "__") || i > 3 {
			continue
		}
		for _, w := range []string{"a", "e:"} {
			want := 0
			for _, r := range plain {
				if strings.Contains(strings.ToLower(r[i].S), w) {
					want++
				}
			}
			got := 0
			spec := data.ScanSpec{Literals: []string{w}, FilterNeed: make([]bool, len(src.Columns())),
				NewFilter: func() func(data.Row) bool {
					return func(r data.Row) bool { return strings.Contains(strings.ToLower(r[i].S), w) }
				}}
			spec.FilterNeed[i] = true
			if err := ss.ScanSpec(context.Background(), spec, func(data.Row) error { got++; return nil }); err != nil {
				t.Fatalf("ScanSpec: %v", err)
			}
			if got != want {
				t.Fatalf("column %s, literal %q: %d rows pushed down, %d scanned", c.Name, w, got, want)
			}
			got = 0
			spec.Literals, spec.Needles = nil, []data.Needle{{Column: i, Literals: []string{w}}}
			if err := ss.ScanSpec(context.Background(), spec, func(data.Row) error { got++; return nil }); err != nil {
				t.Fatalf("ScanSpec: %v", err)
			}
			if got != want {
				t.Fatalf("column %s, needle %q: %d rows pushed down, %d scanned", c.Name, w, got, want)
			}
			// As a term (has), the needle keeps every row has keeps.
			has := textmatch.New(textmatch.Has, w)
			want, got = 0, 0
			for _, r := range plain {
				if has.Match(r[i].S) {
					want++
				}
			}
			spec.Needles = []data.Needle{{Column: i, Literals: []string{w}, Terms: true}}
			spec.NewFilter = func() func(data.Row) bool { return func(r data.Row) bool { return has.Match(r[i].S) } }
			if err := ss.ScanSpec(context.Background(), spec, func(data.Row) error { got++; return nil }); err != nil {
				t.Fatalf("ScanSpec: %v", err)
			}
			if got != want {
				t.Fatalf("column %s, term needle %q: %d rows pushed down, %d scanned", c.Name, w, got, want)
			}
		}
	}
}
