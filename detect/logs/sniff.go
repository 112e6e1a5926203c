package logs

import (
	"bytes"
	"fmt"
	"io"

	"offhunt/detect/data"
)

// sniffBytes is how much of an input is looked at to tell its format.
const sniffBytes = 512

// Format is an input format, as told from the content.
type Format string

// The formats Sniff tells apart. Only CSV is read so far; the others are
// recognised so that the error can name them.
const (
	FormatCSV     Format = "csv"
	FormatJSON    Format = "json" // a JSON document or NDJSON lines
	FormatGzip    Format = "gzip"
	FormatZip     Format = "zip"
	FormatEVTX    Format = "evtx"
	FormatUTF16   Format = "utf-16 text"
	FormatUnknown Format = "binary"
)

// Sniff tells an input's format from its first bytes, never from its name:
// exports are renamed, and a browser may hand over a file with no name.
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return FormatGzip
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatZip
	case bytes.HasPrefix(head, []byte("ElfFile\x00")):
		return FormatEVTX
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return FormatUTF16
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	if bytes.IndexByte(head, 0) >= 0 {
		return FormatUnknown
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return FormatJSON
	}
	return FormatCSV
}

// NewSource opens an input, tells its format from the content and returns
// it as a table. Formats other than CSV fail with an error that names the
// format, until their readers exist.
func NewSource(name string, open func() (io.ReadCloser, error)) (data.Source, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(rc, head)
	rc.Close()
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: the input is empty", name)
	}
	switch f := Sniff(head[:n]); f {
	case FormatCSV:
		return NewCSVSource(name, open)
	default:
		return nil, fmt.Errorf("%s: %s input is not supported yet (offhunt reads CSV exports so far)", name, f)
	}
}
