package logs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// The CSV reader splits rows itself instead of using encoding/csv:
// encoding/csv allocates every record's strings and cannot skip a field,
// while a query that reads three columns of a 90-column export should pay
// for three. This splitter works in place on large chunks: it finds a
// row's end and its separators with bytes.IndexByte (vectorised), records
// each field as a span of the chunk, and leaves the bytes alone until a
// query asks for the field. Quoted fields (RFC 4180: separators, doubled
// quotes and line breaks inside quotes) take a slower path of their own.

// csvDialect is how a CSV input is written, as sniffed from its start.
type csvDialect struct {
	sep     byte // ',', ';' or '\t'
	nl      byte // '\n', or '\r' for old Mac files that end lines with CR only
	quoting bool // RFC 4180 quotes; false for tab-separated text that writes quotes as plain text
	sepLine bool // the first line is Excel's "sep=;" hint
}

// csvPlan is what opening a CSV input fixed: its dialect and header.
type csvPlan struct {
	dialect csvDialect
	header  []string // the header's fields as written
}

// describe names the dialect for a report's format.
func (d csvDialect) describe() string {
	switch d.sep {
	case ';':
		return "csv (semicolon-separated)"
	case '\t':
		return "tsv"
	}
	return "csv"
}

// sniffCSV tells the dialect from the first bytes of the text.
func sniffCSV(head []byte) csvDialect {
	d := csvDialect{sep: ',', nl: '\n', quoting: true}
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		d.nl = '\r'
	}
	first := head
	if i := bytes.IndexByte(first, d.nl); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimSuffix(first, []byte{'\r'})
	if len(first) == 5 && bytes.HasPrefix(first, []byte("sep=")) {
		d.sep = first[4]
		d.sepLine = true
	} else {
		// The separator is the one the header uses most, outside quotes;
		// ties go to the comma, then the semicolon.
		var commas, semis, tabs int
		inQuote := false
		for _, c := range first {
			switch {
			case c == '"':
				inQuote = !inQuote
			case inQuote:
			case c == ',':
				commas++
			case c == ';':
				semis++
			case c == '\t':
				tabs++
			}
		}
		switch {
		case tabs > commas && tabs > semis:
			d.sep = '\t'
		case semis > commas:
			d.sep = ';'
		}
	}
	if d.sep == '\t' {
		d.quoting = tabQuoting(head, d)
	}
	return d
}

// tabQuoting tells whether tab-separated text uses RFC 4180 quoting.
// Excel quotes when it saves tab-separated text; many tools and hand-made
// files do not, and write `"C:\x.exe" -a` as a plain field. A field that
// starts with a quote and goes on after the closing one means the latter.
func tabQuoting(head []byte, d csvDialect) bool {
	d.quoting = true
	var p csvDecoder
	p.d = d
	for len(head) > 0 {
		st, n, _, bad := p.parseRow(head, false)
		if st == rowNeedMore {
			break
		}
		if bad == reasonMalformedQuote {
			return false
		}
		head = head[n:]
	}
	return true
}

// Results of parseRow.
const (
	rowOK       = iota
	rowNeedMore // the window ends inside the row: read more
	rowBlank    // an empty line
	rowEOF      // nothing left
)

// Reasons a row's quoting was not RFC 4180; the row is kept, read as if
// the field had no quotes.
const (
	reasonMalformedQuote    = "a quoted field goes on after its closing quote (read as plain text)"
	reasonUnterminatedQuote = "a quoted field is never closed (read as plain text up to the end of its line)"
)

// csvSpan is a field of the row being parsed: window[s:e], and whether
// the field was quoted (and holds doubled quotes).
type csvSpan struct {
	s, e        int
	quoted, esc bool
}

type csvDecoder struct {
	d      csvDialect
	cr     *chunkReader
	spans  []csvSpan
	fields int   // fields of the row just parsed (spans keeps maxMembers of them)
	line   int64 // the line number of the window's start
	cols   int   // fields in the header
}

// span records a field of the row being parsed.
func (p *csvDecoder) span(sp csvSpan) {
	p.fields++
	if len(p.spans) < maxMembers {
		p.spans = append(p.spans, sp)
	}
}

// parseRow splits the row at the start of b. atEOF says b is all there is.
// It returns the parse status, the bytes the row took (with its line
// break), the lines it spans and, for a row that was kept though its
// quoting was broken, why.
func (p *csvDecoder) parseRow(b []byte, atEOF bool) (st, consumed int, lines int64, bad string) {
	p.spans, p.fields = p.spans[:0], 0
	sep, nl := p.d.sep, p.d.nl
	if len(b) == 0 {
		if atEOF {
			return rowEOF, 0, 0, ""
		}
		return rowNeedMore, 0, 0, ""
	}
	if b[0] == nl {
		return rowBlank, 1, 1, ""
	}
	if nl == '\n' && b[0] == '\r' {
		if len(b) == 1 && !atEOF {
			return rowNeedMore, 0, 0, ""
		}
		if len(b) == 1 || b[1] == '\n' {
			return rowBlank, min(2, len(b)), 1, ""
		}
	}
	lines = 1
	i := 0
	rowEnd := -1 // the line break that ends the current line, once looked for
	for {
		// A field starts at i.
		if p.d.quoting && i < len(b) && b[i] == '"' {
			j := i + 1
			esc, closed := false, false
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					if !atEOF && len(b) < MaxLineBytes {
						return rowNeedMore, 0, 0, ""
					}
					if bad == "" {
						bad = reasonUnterminatedQuote
					}
					break
				}
				j += k + 1
				if j == len(b) {
					if !atEOF {
						return rowNeedMore, 0, 0, ""
					}
					closed = true
					break
				}
				c := b[j]
				if c == '"' {
					esc = true
					j++
					continue
				}
				if c == sep || c == nl {
					closed = true
					break
				}
				if c == '\r' && nl == '\n' {
					if j+1 == len(b) && !atEOF {
						return rowNeedMore, 0, 0, ""
					}
					if j+1 == len(b) || b[j+1] == '\n' {
						closed = true
						break
					}
				}
				if bad == "" {
					bad = reasonMalformedQuote
				}
				break
			}
			if closed {
				lines += int64(bytes.Count(b[i+1:j-1], []byte{nl}))
				p.span(csvSpan{i + 1, j - 1, true, esc})
				i = j
				rowEnd = -1
				if i == len(b) {
					return rowOK, i, lines, bad
				}
				switch b[i] {
				case sep:
					i++
					continue
				case '\r':
					if nl == '\n' && i+1 < len(b) && b[i+1] == '\n' {
						i++ // \r\n
					}
				}
				return rowOK, min(i+1, len(b)), lines, bad
			}
			// Not RFC 4180: read the field as plain text from its quote.
		}
		if rowEnd < i {
			k := bytes.IndexByte(b[i:], nl)
			if k < 0 {
				if !atEOF {
					return rowNeedMore, 0, 0, ""
				}
				rowEnd = len(b)
			} else {
				rowEnd = i + k
			}
		}
		if k := bytes.IndexByte(b[i:rowEnd], sep); k >= 0 {
			p.span(csvSpan{s: i, e: i + k})
			i += k + 1
			continue
		}
		e := rowEnd
		if nl == '\n' && e > i && b[e-1] == '\r' {
			e--
		}
		p.span(csvSpan{s: i, e: e})
		if rowEnd == len(b) {
			return rowOK, rowEnd, lines, bad
		}
		return rowOK, rowEnd + 1, lines, bad
	}
}

// readRow reads the next non-blank row into p.spans (relative to the
// window), skipping rows longer than MaxLineBytes. It returns the row's
// first line, its text, and why its quoting was broken.
func (p *csvDecoder) readRow(s *scan) (line int64, text []byte, bad string, err error) {
	for {
		w := p.cr.window()
		st, n, lines, bad := p.parseRow(w, p.cr.eof)
		switch st {
		case rowEOF:
			return 0, nil, "", io.EOF
		case rowBlank:
			p.cr.consume(n)
			p.line += lines
			continue
		case rowNeedMore:
			if err := p.cr.more(); err != nil {
				if err != errRecordTooLong {
					return 0, nil, "", err
				}
				if s != nil {
					s.skip(p.line, fmt.Sprintf("a row longer than %d bytes (MaxLineBytes) without an end; skipped", MaxLineBytes))
				}
				if err := p.cr.skipLine(p.d.nl); err != nil {
					return 0, nil, "", err
				}
				p.line++
			}
			continue
		}
		line = p.line
		p.line += lines
		text = w[:n]
		p.cr.consume(n)
		return line, text, bad, nil
	}
}

// newCSVDecoder reads the header of a scan's input and checks it against
// the header the input was opened with.
func newCSVDecoder(s *scan) (*csvDecoder, error) {
	in := s.in
	p := &csvDecoder{d: in.csv.dialect, cr: s.cr, line: 1}
	header, err := p.readHeader()
	if err != nil {
		return nil, err
	}
	if !equalStrings(header, in.csv.header) {
		return nil, fmt.Errorf("%s: the input changed since it was opened (its CSV header is not the same)", in.name)
	}
	p.cols = len(header)
	return p, nil
}

// readHeader reads the optional "sep=" line and the header row.
func (p *csvDecoder) readHeader() ([]string, error) {
	if p.d.sepLine {
		if err := p.cr.skipLine(p.d.nl); err != nil {
			return nil, err
		}
		p.line++
	}
	_, text, _, err := p.readRow(nil)
	if err == io.EOF {
		return nil, errEmpty
	}
	if err != nil {
		return nil, err
	}
	if p.fields > MaxColumns {
		return nil, fmt.Errorf("the CSV header has %d columns, more than %d (MaxColumns)", p.fields, MaxColumns)
	}
	out := make([]string, len(p.spans))
	var sc scratch
	for i, sp := range p.spans {
		t, _ := sc.text(spanField(text, sp))
		out[i] = string(t)
	}
	return out, nil
}

// spanField is the field of a row's text that sp marks.
func spanField(text []byte, sp csvSpan) rawField {
	if sp.quoted {
		return rawField{b: text[sp.s:sp.e], kind: fQuoted, esc: sp.esc}
	}
	return rawField{b: text[sp.s:sp.e], kind: fText}
}

var errEmpty = errors.New("the input is empty")

// next reads the next row into rec.
func (p *csvDecoder) next(s *scan, rec *record) error {
	line, text, bad, err := p.readRow(s)
	if err != nil {
		return err
	}
	p.record(rec, line, text, bad)
	return nil
}

// record fills rec from the row just parsed (p.spans), whose text and
// first line are given.
func (p *csvDecoder) record(rec *record, line int64, text []byte, bad string) {
	rec.line = line
	rec.bytes = text
	n := p.cols
	rec.setFields(n)
	for i, sp := range p.spans {
		if i >= n {
			break
		}
		rec.fields[i] = spanField(text, sp)
	}
	if p.fields != n {
		rec.problem(fmt.Sprintf("%d fields where the header has %d", p.fields, n) + raggedTail(p.fields, n))
	}
	if bad != "" {
		rec.problem(bad)
	}
}

func raggedTail(got, want int) string {
	if got < want {
		return " (the missing ones are empty)"
	}
	return " (the extra ones are dropped)"
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// columnNames cleans a header: names are trimmed, the " [UTC]" that the
// Log Analytics portal adds to datetime columns ("TimeGenerated [UTC]") is
// dropped, an empty name becomes ColumnN (its 1-based position) and a
// repeated name gets a number, as Kusto names columns it has to invent.
func columnNames(header []string) []string {
	names := make([]string, len(header))
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		n := strings.TrimSpace(h)
		if len(n) > 6 && strings.EqualFold(n[len(n)-6:], " [UTC]") {
			n = strings.TrimSpace(n[:len(n)-6])
		}
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

// openCSV reads the header and a sample of rows of a CSV input being
// opened (s reads it) and fixes its table: named after the known table
// its header fits, typed by that table's schema where it declares a column
// and from the sample elsewhere.
func (in *Input) openCSV(s *scan, head []byte) error {
	in.kind = kindCSV
	in.csv.dialect = sniffCSV(head)
	p := &csvDecoder{d: in.csv.dialect, cr: s.cr, line: 1}
	header, err := p.readHeader()
	if err != nil {
		return err
	}
	in.csv.header = header
	in.format = in.enc.describe() + in.csv.dialect.describe()
	names := columnNames(header)
	p.cols = len(names)
	spec := matchTable(names)
	g := newGroup(in.stem)
	if spec != nil {
		g.name, g.known = spec.name, true
	}
	guesses := make([]*typeGuess, len(names))
	for i, n := range names {
		t := data.Unknown
		if spec != nil {
			if ct, ok := spec.columnType(n); ok {
				t = ct
			}
		}
		if t == data.Unknown {
			guesses[i] = newTypeGuess()
		}
		g.add(n, t)
	}
	var sc scratch
	for rows := 0; rows < InferenceRows && s.raw.n < InferenceBytes; rows++ {
		_, text, _, err := p.readRow(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for i, sp := range p.spans {
			if i >= len(guesses) || guesses[i] == nil {
				continue
			}
			t, _ := sc.text(spanField(text, sp))
			guesses[i].addText(t)
		}
		s.n++
	}
	for i, gs := range guesses {
		if gs != nil {
			g.slots[i].typ = gs.result()
		}
	}
	g.finish()
	in.groups = []*group{g}
	v := in.newView(0)
	in.views = []*view{v}
	in.stemView = v
	return nil
}
