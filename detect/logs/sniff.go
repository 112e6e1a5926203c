package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"offhunt/detect/data"
)

// Format is an input's container format as told from its content.
type Format string

// The formats Sniff tells apart.
const (
	FormatCSV     Format = "csv"
	FormatJSON    Format = "json" // a JSON document or NDJSON lines
	FormatXML     Format = "xml"  // Windows event XML
	FormatGzip    Format = "gzip"
	FormatZip     Format = "zip"
	FormatEVTX    Format = "evtx"
	FormatOLE     Format = "ole" // an Office 97-2003 file (XLS)
	FormatUTF16   Format = "utf-16 text"
	FormatEmpty   Format = "empty"
	FormatUnknown Format = "binary"
)

var (
	zipMagic      = []byte("PK\x03\x04")
	zipEmptyMagic = []byte("PK\x05\x06")
	evtxMagic     = []byte("ElfFile\x00")
	oleMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Sniff tells an input's format from its first bytes, never from its name:
// exports are renamed, and a browser may hand over a file with no name.
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return FormatGzip
	case bytes.HasPrefix(head, utf16LEBOM), bytes.HasPrefix(head, utf16BEBOM):
		return FormatUTF16
	}
	return sniffText(bytes.TrimPrefix(head, utf8BOM))
}

// sniffText tells the format of decoded text (or of bytes that are no
// text at all).
func sniffText(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmptyMagic):
		return FormatZip
	case bytes.HasPrefix(head, evtxMagic):
		return FormatEVTX
	case bytes.HasPrefix(head, oleMagic):
		return FormatOLE
	}
	if isBinary(head) {
		return FormatUnknown
	}
	t := bytes.TrimLeft(head, " \t\r\n\f")
	switch {
	case len(t) == 0:
		return FormatEmpty
	case t[0] == '{' || t[0] == '[':
		return FormatJSON
	case t[0] == '<':
		return FormatXML
	}
	return FormatCSV
}

// isBinary reports whether bytes are not text: a NUL, or many control
// characters.
func isBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctl++
		}
	}
	return len(b) > 0 && ctl*10 > len(b)
}

// Open opens an input, tells its format from the content and fixes its
// tables. A ZIP archive gives one input per CSV or JSON entry. open is
// called again by every scan, so it must give the same bytes each time.
func Open(name string, open func() (io.ReadCloser, error), opts Options) ([]*Input, error) {
	return openInput(name, open, opts, false)
}

func openInput(name string, open func() (io.ReadCloser, error), opts Options, inZip bool) ([]*Input, error) {
	in := &Input{name: name, stem: Stem(name), open: open, opts: opts}
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	raw := &countingReader{r: rc}
	text, enc, err := openText(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	in.enc = enc
	head, err := text.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, readError(err, enc))
	}
	switch f := sniffText(head); f {
	case FormatZip:
		switch {
		case enc.gzip:
			return nil, fmt.Errorf("%s: a ZIP archive inside gzip; decompress it first", name)
		case inZip:
			return nil, fmt.Errorf("%s: a ZIP archive inside a ZIP archive; unzip the outer one first", name)
		}
		rc.Close()
		return openZip(name, open, opts)
	case FormatEVTX:
		return nil, fmt.Errorf("%s: EVTX binary logs are not supported yet; export the events as JSON or CSV", name)
	case FormatOLE:
		return nil, fmt.Errorf("%s: an Office 97-2003 file (an XLS workbook?); save the sheet as CSV", name)
	case FormatUnknown:
		return nil, fmt.Errorf("%s: binary data, not a log export; offhunt reads CSV, JSON, NDJSON and Windows event XML, also gzip- or zip-compressed", name)
	case FormatEmpty:
		if len(head) == 0 {
			return nil, fmt.Errorf("%s: the input is empty", name)
		}
		return nil, fmt.Errorf("%s: the input holds only white space", name)
	}
	s := &scan{in: in, ctx: context.Background(), rc: rc, raw: raw, text: text, disc: &discovery{}}
	s.cr = newChunkReader(text, nil)
	defer s.cr.release()
	switch sniffText(head) {
	case FormatJSON:
		err = in.openJSON(s, head)
	case FormatXML:
		err = in.openXML(s, head)
	default:
		err = in.openCSV(s, head)
	}
	if err != nil {
		if errors.Is(err, errEmpty) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if strings.HasPrefix(err.Error(), name+":") {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, readError(err, enc))
	}
	if s.n == 0 && s.st.badRows > 0 {
		return nil, unreadable(name, &s.st)
	}
	in.report = Report{Name: name, Format: in.format, Schema: in.schemaName()}
	return []*Input{in}, nil
}

// unreadable is the error of an input none of whose records could be read.
func unreadable(name string, st *stats) error {
	var reasons []string
	for i, b := range st.samples {
		if i == 3 {
			break
		}
		reasons = append(reasons, fmt.Sprintf("line %d: %s", b.Line, b.Reason))
	}
	return fmt.Errorf("%s: no record could be read (%s)", name, strings.Join(reasons, "; "))
}

// schemaName names what the input was taken for.
func (in *Input) schemaName() string {
	var names []string
	for _, t := range in.Tables() {
		if !containsString(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, ", ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NewSource opens an input and returns its first table. It is Open for a
// caller that expects one table (a CSV or JSON export of one table).
func NewSource(name string, open func() (io.ReadCloser, error)) (data.Source, error) {
	ins, err := Open(name, open, Options{})
	if err != nil {
		return nil, err
	}
	ts := ins[0].Tables()
	if len(ts) == 0 {
		return ins[0].StemSource(), nil
	}
	return ts[0].Source, nil
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
