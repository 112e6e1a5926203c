package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"offhunt/detect/data"
)

// MaxCellWidth is the widest a cell of the text table may be, in terminal
// columns. Command lines run to thousands of characters; longer cells end
// in "…" so that a row still fits on a screen. The CSV and JSON formats
// always carry whole values.
const MaxCellWidth = 60

// columnGap separates the columns of the text table.
const columnGap = "  "

// WriteTable writes t as aligned text for people: a header, a rule, the
// rows and a count of them. Numbers are aligned right. Control characters,
// invisible format characters (zero-width spaces, bidirectional overrides
// that would reorder a file name on screen) and invalid UTF-8 are shown
// escaped (\n, \u202e, \xff), so that what an attacker wrote cannot hide
// itself or drive the terminal. A nil table writes nothing.
func WriteTable(w io.Writer, t *data.Table) error {
	if t == nil {
		return nil
	}
	n := len(t.Columns)
	header := make([]string, n)
	widths := make([]int, n)
	for i, c := range t.Columns {
		header[i] = displayText(c.Name)
		widths[i] = textWidth(header[i])
	}
	cells := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		cells[r] = make([]string, n)
		for i := 0; i < n && i < len(row); i++ {
			s := displayText(cellText(row[i]))
			cells[r][i] = s
			widths[i] = max(widths[i], textWidth(s))
		}
	}
	right := make([]bool, n)
	for i, c := range t.Columns {
		right[i] = c.Type.IsNumeric()
	}
	bw := bufio.NewWriter(w)
	var line strings.Builder
	// writeLine writes one line; header and rule lines are aligned left.
	writeLine := func(parts []string, body bool) {
		line.Reset()
		for i, p := range parts {
			if i > 0 {
				line.WriteString(columnGap)
			}
			pad := strings.Repeat(" ", widths[i]-textWidth(p))
			if body && right[i] {
				line.WriteString(pad)
				line.WriteString(p)
			} else {
				line.WriteString(p)
				line.WriteString(pad)
			}
		}
		bw.WriteString(strings.TrimRight(line.String(), " "))
		bw.WriteByte('\n')
	}
	if n > 0 {
		writeLine(header, false)
		rule := make([]string, n)
		for i := range rule {
			rule[i] = strings.Repeat("-", widths[i])
		}
		writeLine(rule, false)
		for _, row := range cells {
			writeLine(row, true)
		}
	}
	if len(t.Rows) == 1 {
		bw.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(bw, "(%d rows)\n", len(t.Rows))
	}
	return bw.Flush()
}

// displayText escapes what must not reach a terminal as it is and cuts
// the text to MaxCellWidth columns.
func displayText(s string) string {
	var sb strings.Builder
	width := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size == 1:
			piece = `\x` + hex2(s[i])
		case r == '\n':
			piece = `\n`
		case r == '\r':
			piece = `\r`
		case r == '\t':
			piece = `\t`
		case r < 0x20 || r == 0x7f:
			piece = `\x` + hex2(byte(r))
		case unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			piece = escapeRune(r)
		default:
			piece = s[i : i+size]
		}
		i += size
		pw := textWidth(piece)
		if width+pw > MaxCellWidth-1 && (i < len(s) || width+pw > MaxCellWidth) {
			sb.WriteString("…")
			return sb.String()
		}
		sb.WriteString(piece)
		width += pw
	}
	return sb.String()
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&0xF]})
}

func escapeRune(r rune) string {
	if r > 0xFFFF {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return `\u` + fmt.Sprintf("%04x", r)
}

// textWidth is the number of terminal columns s takes: wide East Asian
// characters and emoji take two, combining marks none.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

func runeWidth(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me):
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF && r != 0x303F,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}
