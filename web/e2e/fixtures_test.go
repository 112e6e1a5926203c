//go:build browser

package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"offhunt/detect"
)

// samplePath is the sample export the page's "Try a sample" also embeds.
func samplePath() string {
	return filepath.Join(root, "detect", "testdata", "sample_dpe.csv")
}

// readSample returns the sample's header and rows.
func readSample(t *testing.T) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(samplePath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

// writeCSV writes rows under a header as CSV.
func writeCSV(t *testing.T, path string, header []string, rows [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// objects turns rows into JSON objects; empty cells are left out, as
// Defender's JSON exports leave out nulls.
func objects(header []string, rows [][]string) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		o := map[string]any{}
		for j, h := range header {
			if j < len(r) && r[j] != "" {
				o[h] = r[j]
			}
		}
		out[i] = o
	}
	return out
}

// sampleVariants writes the sample as CSV, JSON (an array of objects),
// NDJSON (an object a line) and gzip (of the CSV), named by format.
func sampleVariants(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	header, rows := readSample(t)
	raw, err := os.ReadFile(samplePath())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"csv": filepath.Join(dir, "export.csv")}
	if err := os.WriteFile(out["csv"], raw, 0o644); err != nil {
		t.Fatal(err)
	}
	objs := objects(header, rows)
	js, err := json.MarshalIndent(objs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out["json"] = filepath.Join(dir, "export.json")
	if err := os.WriteFile(out["json"], js, 0o644); err != nil {
		t.Fatal(err)
	}
	var nd bytes.Buffer
	for _, o := range objs {
		b, _ := json.Marshal(o)
		nd.Write(b)
		nd.WriteByte('\n')
	}
	out["ndjson"] = filepath.Join(dir, "export.ndjson")
	if err := os.WriteFile(out["ndjson"], nd.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	out["gzip"] = filepath.Join(dir, "export.csv.gz")
	if err := os.WriteFile(out["gzip"], gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// fileInputs are inputs for the core, named as the browser names files
// (the base name), so that native runs and the page's see the same input.
func fileInputs(paths ...string) []detect.Input {
	var in []detect.Input
	for _, p := range paths {
		st, _ := os.Stat(p)
		var size int64
		if st != nil {
			size = st.Size()
		}
		in = append(in, detect.Input{
			Name: filepath.Base(p),
			Size: size,
			Open: func() (io.ReadCloser, error) { return os.Open(p) },
		})
	}
	return in
}

// nativeScan runs the core's Scan in this process, as the CLI does.
func nativeScan(now string, paths ...string) (*detect.Findings, error) {
	return detect.Scan(context.Background(), fileInputs(paths...), detect.ScanOptions{Options: detect.Options{Now: now}})
}

// bigExport writes an export of about size bytes: the sample's rows other
// than rclone's, repeated, so a scan of it takes a while and finds little.
func bigExport(t *testing.T, size int64) string {
	t.Helper()
	return writeBigExport(t, size, false)
}

// bigExportFindingsFirst is bigExport that starts with every row of the
// sample, rclone's included, so a scan finds something at once and then
// reads on for a while.
func bigExportFindingsFirst(t *testing.T, size int64) string {
	t.Helper()
	return writeBigExport(t, size, true)
}

func writeBigExport(t *testing.T, size int64, sampleFirst bool) string {
	t.Helper()
	header, rows := readSample(t)
	var quiet [][]string
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(strings.Join(r, ",")), "rclone") && !strings.Contains(strings.Join(r, ","), "--config") {
			quiet = append(quiet, r)
		}
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(header)
	if sampleFirst {
		w.WriteAll(rows)
	}
	var n int64
	for i := 0; n < size; i++ {
		r := quiet[i%len(quiet)]
		w.Write(r)
		if i%1000 == 0 {
			w.Flush()
			st, _ := f.Stat()
			n = st.Size() + int64(bw.Buffered())
		}
	}
	w.Flush()
	bw.Flush()
	f.Close()
	return path
}
