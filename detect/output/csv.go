package output

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"offhunt/detect/data"
)

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP's list for CSV injection).
const formulaStarts = "=+-@\t\r"

// WriteCSV writes t as RFC 4180 CSV: a header line of column names, then
// one line per row, lines ending in CRLF, fields quoted when they hold a
// comma, a quote or a line break. Null is an empty field. Cell text is the
// same as in the table format, whole (never cut), with invalid UTF-8
// replaced by U+FFFD.
//
// Logs are attacker-controlled, and analysts open CSV in spreadsheets: a
// command line such as =HYPERLINK(...) or @SUM(...) would run as a formula
// there. So a string cell (and a column name) that starts with =, +, -, @,
// a tab or a carriage return is written with a leading single quote
// ('=HYPERLINK(...)), which spreadsheets show as text. Numbers, datetimes
// and timespans are written as they are: a negative number is not a
// formula. A nil table writes nothing.
func WriteCSV(w io.Writer, t *data.Table) error {
	if t == nil {
		return nil
	}
	bw := bufio.NewWriter(w)
	for i, c := range t.Columns {
		if i > 0 {
			bw.WriteByte(',')
		}
		writeCSVField(bw, csvText(c.Name, true))
	}
	bw.WriteString("\r\n")
	for _, row := range t.Rows {
		for i := range t.Columns {
			if i > 0 {
				bw.WriteByte(',')
			}
			if i < len(row) {
				v := row[i]
				writeCSVField(bw, csvText(cellText(v), v.K == data.KString || v.K == data.KGuid))
			}
		}
		bw.WriteString("\r\n")
	}
	return bw.Flush()
}

// writeCSVField writes one field, quoted when it holds a comma, a quote, a
// line break or leading or trailing blanks, with quotes doubled. Unlike
// encoding/csv, it keeps a lone CR inside a field: a carriage return in a
// command line is evidence, not noise.
func writeCSVField(bw *bufio.Writer, s string) {
	if !strings.ContainsAny(s, ",\"\r\n") && strings.TrimSpace(s) == s {
		bw.WriteString(s)
		return
	}
	bw.WriteByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		bw.WriteString(s[:i+1])
		bw.WriteByte('"')
		s = s[i+1:]
	}
	bw.WriteString(s)
	bw.WriteByte('"')
}

// csvText makes a cell safe: valid UTF-8 (each invalid byte becomes
// U+FFFD, as in the JSON format), and, for text, no formula.
func csvText(s string, text bool) string {
	if !utf8.ValidString(s) {
		s = replaceInvalidUTF8(s)
	}
	if text && s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func replaceInvalidUTF8(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}
