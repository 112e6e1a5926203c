package logs

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"offhunt/detect/data"
)

func openString(s string) func() (io.ReadCloser, error) {
	return openBytes([]byte(s))
}

func openBytes(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// mustOpen opens content as a single input.
func mustOpen(t testing.TB, name, content string) *Input {
	t.Helper()
	ins, err := Open(name, openString(content), Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	if len(ins) != 1 {
		t.Fatalf("Open(%s): %d inputs", name, len(ins))
	}
	return ins[0]
}

// table returns the input's table of that name.
func table(t testing.TB, in *Input, name string) data.Source {
	t.Helper()
	for _, tb := range in.Tables() {
		if tb.Name == name {
			return tb.Source
		}
	}
	var names []string
	for _, tb := range in.Tables() {
		names = append(names, tb.Name)
	}
	t.Fatalf("%s has no table %s (it has %v)", in.Name(), name, names)
	return nil
}

func scanAll(t testing.TB, src data.Source, need []bool) []data.Row {
	t.Helper()
	var rows []data.Row
	err := src.Scan(context.Background(), need, func(r data.Row) error {
		rows = append(rows, r.Clone())
		return nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return rows
}

// col returns the value of the named column in a row of src.
func col(t testing.TB, src data.Source, r data.Row, name string) data.Value {
	t.Helper()
	i := data.ColumnIndex(src.Columns(), name)
	if i < 0 {
		t.Fatalf("no column %s in %s", name, colTypes(src.Columns()))
	}
	return r[i]
}

func colTypes(cols []data.Column) string {
	var parts []string
	for _, c := range cols {
		if strings.HasPrefix(c.Name, "__") {
			continue
		}
		parts = append(parts, c.Name+":"+c.Type.String())
	}
	return strings.Join(parts, " ")
}

// report completes and returns an input's report.
func report(t testing.TB, in *Input) Report {
	t.Helper()
	if err := in.Complete(context.Background()); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	return in.Report()
}

func gzipBytes(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func utf16Bytes(s string, big bool) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2+2*len(units))
	if big {
		out = append(out, 0xFE, 0xFF)
	} else {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range units {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func zipBytes(t testing.TB, files map[string][]byte, order []string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range order {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(files[name])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
