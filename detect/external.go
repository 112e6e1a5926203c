package detect

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"offhunt/detect/data"
)

// MaxExternalDataBytes bounds a file that stands in for an externaldata
// URL: such files are lookup lists, read whole into memory.
const MaxExternalDataBytes = 64 << 20

// externalTable reads a file supplied for `externaldata(...) ["url"]` with
// the columns the query declares. Kusto's externaldata reads CSV (the
// default), TSV, TXT (one column a line) and JSON lines; the header row is
// skipped only when the query says ignoreFirstRecord=true, as in Kusto.
func externalTable(in Input, cols []data.Column, format string, ignoreFirst bool) (data.Source, error) {
	rc, err := in.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, MaxExternalDataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxExternalDataBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes; externaldata files are lookup lists", in.Name, MaxExternalDataBytes)
	}
	text := strings.TrimPrefix(string(body), "\uFEFF")
	t := &data.Table{Name: in.Name, Columns: cols}
	var records [][]string
	switch strings.ToLower(format) {
	case "txt", "raw":
		for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			if line != "" {
				records = append(records, []string{line})
			}
		}
	default:
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		if strings.EqualFold(format, "tsv") {
			r.Comma = '\t'
		}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %v", in.Name, err)
			}
			records = append(records, rec)
		}
	}
	if ignoreFirst && len(records) > 0 {
		records = records[1:]
	}
	for _, rec := range records {
		row := make(data.Row, len(cols))
		for i, c := range cols {
			cell := ""
			if i < len(rec) {
				cell = rec[i]
			}
			row[i] = data.FromText(cell, c.Type)
		}
		t.Rows = append(t.Rows, row)
	}
	return data.TableSource{T: t}, nil
}
