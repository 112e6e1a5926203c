package output

import (
	"io"
	"strconv"

	"github.com/mailru/easyjson"
	"github.com/mailru/easyjson/jwriter"

	"offhunt/detect/data"
)

// primaryResult and tablePrefix name result tables as the Log Analytics
// query API does: the first is PrimaryResult, the others Table_1, Table_2...
const (
	primaryResult = "PrimaryResult"
	tablePrefix   = "Table_"
)

// WriteJSON writes the tables in the shape of the Log Analytics query API:
//
//	{"tables":[{"name":"PrimaryResult","columns":[{"name":"c","type":"string"}],"rows":[["v"]]}]}
//
// Column types are Kusto's names. Values are written by data.AppendJSON:
// datetimes as ISO 8601 UTC strings ending in Z (a fraction only when it is
// not zero), timespans as Kusto prints them, dynamic values as JSON,
// booleans as true/false, null as null. Strings escape <, > and & and
// replace invalid UTF-8, so that the JSON is valid and safe to embed in a
// page. The output ends with a newline.
func WriteJSON(w io.Writer, tables []*data.Table) error {
	resp := queryResponse{Tables: make([]resultTable, 0, len(tables))}
	for i, t := range tables {
		if t == nil {
			t = &data.Table{}
		}
		name := primaryResult
		if i > 0 {
			name = tablePrefix + strconv.Itoa(i)
		}
		cols := make([]resultColumn, len(t.Columns))
		for j, c := range t.Columns {
			cols[j] = resultColumn{Name: c.Name, Type: typeName(c.Type)}
		}
		resp.Tables = append(resp.Tables, resultTable{Name: name, Columns: cols, Rows: resultRows{rows: t.Rows, width: len(t.Columns)}})
	}
	jw := jwriter.Writer{Flags: jwriter.NilSliceAsEmpty}
	resp.MarshalEasyJSON(&jw)
	jw.RawByte('\n')
	if jw.Error != nil {
		return jw.Error
	}
	_, err := jw.DumpTo(w)
	return err
}

// typeName is the column type the query API reports. A column whose type
// the engine could not fix holds values of any kind: dynamic.
func typeName(t data.Type) string {
	if t == data.Unknown {
		return data.Dynamic.String()
	}
	return t.String()
}

// resultRows writes rows as arrays of raw JSON values. It is a struct, not
// a slice, so that no rows still write [] and never null.
type resultRows struct {
	rows  []data.Row
	width int
}

// MarshalEasyJSON writes the rows; a row shorter than the columns is
// padded with null, so that every row has a value per column.
func (r resultRows) MarshalEasyJSON(w *jwriter.Writer) {
	var scratch []byte
	w.RawByte('[')
	for i, row := range r.rows {
		if i > 0 {
			w.RawByte(',')
		}
		w.RawByte('[')
		for j := 0; j < r.width; j++ {
			if j > 0 {
				w.RawByte(',')
			}
			v := data.Null
			if j < len(row) {
				v = row[j]
			}
			scratch = data.AppendJSON(scratch[:0], v)
			w.Raw(scratch, nil)
		}
		w.RawByte(']')
	}
	w.RawByte(']')
}

var _ easyjson.Marshaler = resultRows{}
