package logs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"offhunt/detect/data"
)

// Limits and rhythms of the CSV reader.
const (
	// InferenceRows is how many rows are read to guess the type of a
	// column that no known schema declares.
	InferenceRows = 1000
	// ctxCheckRows is how often (in rows) a scan checks for cancellation:
	// rarely enough to cost nothing, often enough to stop promptly.
	ctxCheckRows = 1024
	// readBufferSize is the read-ahead buffer of a scan.
	readBufferSize = 256 << 10
)

// utf8BOM starts files saved by Excel and PowerShell's Export-Csv.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// CSVSource is a CSV export served as a table. It holds no rows: every
// Scan opens the input again and streams it, so an export larger than
// memory can still be queried, and a table named twice in a query is
// simply read twice.
type CSVSource struct {
	name    string
	stem    string
	open    func() (io.ReadCloser, error)
	cols    []data.Column
	fields  int // columns in the header; cols may add a time alias after them
	alias   int // index in cols of the added time column, or -1
	aliasOf int // index in cols of the column it copies
	badRows atomic.Int64
}

// NewCSVSource reads the header of a CSV export (and, for columns no known
// schema declares, up to InferenceRows rows) to fix its table name and
// columns. open is called again by every Scan.
//
// The table is named after the known Microsoft table the header fits (see
// MatchTable), else after the file's stem. Columns the known table declares
// take its types; others are inferred: long, real, bool, datetime (ISO
// 8601 and the other forms data.ParseDateTime reads), dynamic (JSON objects
// and arrays), else string. Cells convert as data.FromText does: an empty
// cell is null ("" in a string column), and so is a cell that does not fit
// its column's type. When the table has both Timestamp and TimeGenerated
// and the export only one of them, the other is added as a last column
// holding the same value, so that queries written for Defender and for
// Sentinel both run.
func NewCSVSource(name string, open func() (io.ReadCloser, error)) (data.Source, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r, err := newCSVReader(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rec, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty input: a CSV export starts with a header line", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: reading the CSV header: %w", name, err)
	}
	names := columnNames(rec)
	s := &CSVSource{name: Stem(name), stem: Stem(name), open: open, fields: len(names), alias: -1, aliasOf: -1}
	table := matchTable(names)
	if table != nil {
		s.name = table.name
	}
	s.cols = make([]data.Column, len(names))
	var guess []*typeGuess
	for i, n := range names {
		s.cols[i] = data.Column{Name: n, Type: data.String}
		if table != nil {
			if t, ok := table.columnType(n); ok {
				s.cols[i].Type = t
				continue
			}
		}
		if guess == nil {
			guess = make([]*typeGuess, len(names))
		}
		guess[i] = newTypeGuess()
	}
	if guess != nil {
		if err := inferTypes(r, guess); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i, g := range guess {
			if g != nil {
				s.cols[i].Type = g.result()
			}
		}
	}
	if table != nil {
		s.addTimeAlias(table)
	}
	return s, nil
}

// addTimeAlias adds Timestamp or TimeGenerated when the table declares both
// and the export has one: Defender exports carry Timestamp, Sentinel's
// TimeGenerated, and queries use either.
func (s *CSVSource) addTimeAlias(table *tableSpec) {
	const ts, tg = "Timestamp", "TimeGenerated"
	if _, ok := table.columnType(ts); !ok {
		return
	}
	if _, ok := table.columnType(tg); !ok {
		return
	}
	its, itg := data.ColumnIndex(s.cols, ts), data.ColumnIndex(s.cols, tg)
	switch {
	case its >= 0 && itg < 0:
		s.aliasOf = its
		s.cols = append(s.cols, data.Column{Name: tg, Type: s.cols[its].Type})
	case itg >= 0 && its < 0:
		s.aliasOf = itg
		s.cols = append(s.cols, data.Column{Name: ts, Type: s.cols[itg].Type})
	default:
		return
	}
	s.alias = len(s.cols) - 1
}

// Name returns the table name: the known table the export fits, else the
// file's stem.
func (s *CSVSource) Name() string { return s.name }

// Stem returns the file's stem, the name by which a query can reach the
// input whatever its table name (`['export (3)']`).
func (s *CSVSource) Stem() string { return s.stem }

// Columns returns the columns; the caller must not change the slice.
func (s *CSVSource) Columns() []data.Column { return s.cols }

// BadRows returns how many rows of the last complete or cancelled scan had
// a field count other than the header's, or could not be parsed as CSV.
// Rows with too few fields are kept (the missing cells are null) and extra
// fields dropped; unparseable rows are skipped.
func (s *CSVSource) BadRows() int { return int(s.badRows.Load()) }

// Scan streams the rows. Columns that need marks false are left null, so
// that nobody pays for converting cells the query never reads.
func (s *CSVSource) Scan(ctx context.Context, need []bool, emit func(data.Row) error) error {
	rc, err := s.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r, err := newCSVReader(rc)
	if err != nil {
		return fmt.Errorf("%s: %w", s.stem, err)
	}
	if _, err := r.Read(); err != nil {
		if err == io.EOF {
			return fmt.Errorf("%s: the input lost its header since it was opened", s.stem)
		}
		return fmt.Errorf("%s: %w", s.stem, err)
	}
	wanted := func(i int) bool { return need == nil || (i < len(need) && need[i]) }
	convertField := make([]bool, s.fields)
	for i := range convertField {
		convertField[i] = wanted(i) || (i == s.aliasOf && wanted(s.alias))
	}
	var bad int64
	defer func() { s.badRows.Store(bad) }()
	row := make(data.Row, len(s.cols))
	for n := 0; ; n++ {
		if n%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		before := r.InputOffset()
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) && r.InputOffset() > before {
				bad++
				continue
			}
			return fmt.Errorf("%s: %w", s.stem, err)
		}
		if len(rec) != s.fields {
			bad++
		}
		for i := 0; i < s.fields; i++ {
			if !convertField[i] {
				row[i] = data.Null
				continue
			}
			cell := ""
			if i < len(rec) {
				cell = rec[i]
			}
			row[i] = data.FromText(cell, s.cols[i].Type)
		}
		if s.alias >= 0 {
			row[s.alias] = row[s.aliasOf]
		}
		if err := emit(row); err != nil {
			return err
		}
	}
}

// newCSVReader skips a UTF-8 byte order mark and sets the reader up the
// way exports need: quotes strict (a stray quote is a bad row, not a
// silently merged field), any field count (counted as bad rows), and the
// record slice reused between rows (its strings are not).
func newCSVReader(rc io.Reader) (*csv.Reader, error) {
	br := bufio.NewReaderSize(rc, readBufferSize)
	head, err := br.Peek(len(utf8BOM))
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	if bytes.Equal(head, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, err
		}
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	r.LazyQuotes = false
	r.FieldsPerRecord = -1
	return r, nil
}

// columnNames cleans a header: names are trimmed, the " [UTC]" that the
// Log Analytics portal adds to datetime columns ("TimeGenerated [UTC]") is
// dropped, an empty name becomes ColumnN (its 1-based position) and a
// repeated name gets a number, as Kusto names columns it has to invent.
func columnNames(header []string) []string {
	names := make([]string, len(header))
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		n := strings.TrimSuffix(strings.TrimSpace(h), " [UTC]")
		if n == "" {
			n = "Column" + strconv.Itoa(i+1)
		}
		if seen[n] {
			base := n
			for k := 1; seen[n]; k++ {
				n = base + strconv.Itoa(k)
			}
		}
		seen[n] = true
		names[i] = n
	}
	return names
}

// Stem returns a file name without its folders and its last extension:
// "C:\exports\export (3).csv" becomes "export (3)". An empty result
// becomes "input", since a table needs a name.
func Stem(name string) string {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" {
		return "input"
	}
	return base
}

// isJSONContainer reports whether s holds a JSON object or array, the test
// for inferring a dynamic column.
func isJSONContainer(s string) bool {
	if s[0] != '{' && s[0] != '[' {
		return false
	}
	v, err := data.ParseJSON(s)
	return err == nil && (v.K == data.KBag || v.K == data.KArray)
}

// typeGuess narrows a column's possible types as cells are seen.
type typeGuess struct {
	seen                                   bool
	isLong, isReal, isBool, isDate, isJSON bool
}

func newTypeGuess() *typeGuess {
	return &typeGuess{isLong: true, isReal: true, isBool: true, isDate: true, isJSON: true}
}

func (g *typeGuess) add(cell string) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return
	}
	g.seen = true
	if g.isLong {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			g.isLong = false
		}
	}
	if g.isReal {
		if _, ok := data.ParseReal(s); !ok {
			g.isReal = false
		}
	}
	if g.isBool {
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			g.isBool = false
		}
	}
	if g.isDate {
		if _, ok := data.ParseDateTime(s); !ok {
			g.isDate = false
		}
	}
	if g.isJSON {
		g.isJSON = isJSONContainer(s)
	}
}

// result picks the narrowest type every seen cell fits; a column with no
// values at all is a string.
func (g *typeGuess) result() data.Type {
	switch {
	case !g.seen:
		return data.String
	case g.isLong:
		return data.Long
	case g.isReal:
		return data.Real
	case g.isBool:
		return data.Bool
	case g.isDate:
		return data.DateTime
	case g.isJSON:
		return data.Dynamic
	}
	return data.String
}

// inferTypes reads up to InferenceRows rows into the guesses. Rows that
// do not parse are left to Scan to count.
func inferTypes(r *csv.Reader, guess []*typeGuess) error {
	for n := 0; n < InferenceRows; n++ {
		before := r.InputOffset()
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) && r.InputOffset() > before {
				continue
			}
			return err
		}
		for i, g := range guess {
			if g != nil && i < len(rec) {
				g.add(rec[i])
			}
		}
	}
	return nil
}

// CSVSource is a data.Source.
var _ data.Source = (*CSVSource)(nil)
