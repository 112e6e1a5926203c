package detect

import (
	"sort"

	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"

	"offhunt/detect/data"
)

// RowJSON is an event's columns as a JSON object, in the table's column
// order, each value printed as data.AppendJSON prints it. It is written by
// hand because the keys are only known at run time, and its order must be
// stable for the findings to be the same bytes everywhere.
type RowJSON struct {
	Columns []string
	Values  []data.Value
}

// MarshalEasyJSON writes the row as an object.
func (r RowJSON) MarshalEasyJSON(w *jwriter.Writer) {
	w.RawByte('{')
	var buf []byte
	for i, c := range r.Columns {
		if i > 0 {
			w.RawByte(',')
		}
		w.Raw(data.AppendJSONString(buf[:0], c), nil)
		w.RawByte(':')
		var v data.Value
		if i < len(r.Values) {
			v = r.Values[i]
		}
		buf = data.AppendJSON(buf[:0], v)
		w.Raw(buf, nil)
	}
	w.RawByte('}')
}

// MarshalJSON implements json.Marshaler.
func (r RowJSON) MarshalJSON() ([]byte, error) {
	w := jwriter.Writer{}
	r.MarshalEasyJSON(&w)
	return w.BuildBytes()
}

// UnmarshalEasyJSON reads a row object back; values become dynamic values.
func (r *RowJSON) UnmarshalEasyJSON(l *jlexer.Lexer) {
	r.Columns, r.Values = nil, nil
	if l.IsNull() {
		l.Skip()
		return
	}
	l.Delim('{')
	for !l.IsDelim('}') {
		key := l.UnsafeString()
		l.WantColon()
		raw := l.Raw()
		v, err := data.ParseJSON(string(raw))
		if err != nil {
			v = data.Null
		}
		r.Columns = append(r.Columns, key)
		r.Values = append(r.Values, v)
		l.WantComma()
	}
	l.Delim('}')
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *RowJSON) UnmarshalJSON(b []byte) error {
	l := jlexer.Lexer{Data: b}
	r.UnmarshalEasyJSON(&l)
	return l.Error()
}

// Counts is a count per name, written with its keys sorted so that the
// same findings are always the same bytes.
type Counts map[string]int

// MarshalEasyJSON writes the counts with sorted keys.
func (c Counts) MarshalEasyJSON(w *jwriter.Writer) {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.RawByte('{')
	for i, k := range keys {
		if i > 0 {
			w.RawByte(',')
		}
		w.String(k)
		w.RawByte(':')
		w.Int(c[k])
	}
	w.RawByte('}')
}

// MarshalJSON implements json.Marshaler.
func (c Counts) MarshalJSON() ([]byte, error) {
	w := jwriter.Writer{}
	c.MarshalEasyJSON(&w)
	return w.BuildBytes()
}

// UnmarshalEasyJSON reads counts back.
func (c *Counts) UnmarshalEasyJSON(l *jlexer.Lexer) {
	*c = Counts{}
	if l.IsNull() {
		l.Skip()
		return
	}
	l.Delim('{')
	for !l.IsDelim('}') {
		key := l.String()
		l.WantColon()
		(*c)[key] = l.Int()
		l.WantComma()
	}
	l.Delim('}')
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *Counts) UnmarshalJSON(b []byte) error {
	l := jlexer.Lexer{Data: b}
	c.UnmarshalEasyJSON(&l)
	return l.Error()
}
