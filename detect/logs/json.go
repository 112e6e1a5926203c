package logs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailru/easyjson/jlexer"

	"offhunt/detect/data"
)

// The JSON reader streams records out of any of the shapes exports come
// in: NDJSON (one object a line), objects written one after another
// (Velociraptor), an array of objects, an object that wraps such an array
// (API responses: Defender's {Schema, Results}, Graph's {schema, results},
// {"value": [...]}), and Log Analytics' {tables: [{name, columns, rows}]}.
// It frames one record at a time in the chunk (a depth count that jumps
// over strings with bytes.IndexByte), then reads the record's members with
// easyjson's jlexer, which hands out each value's bytes without decoding
// them: only the values a query needs are ever converted.

// jsonMode is how records sit in the document.
type jsonMode uint8

const (
	jsonSeq     jsonMode = iota // top-level values; an array's elements are records
	jsonWrapped                 // an object; the records are the array under recordsKey
	jsonTables                  // Log Analytics: {"tables": [{"name", "columns", "rows"}]}
)

// recordShape is what a record holds.
type recordShape uint8

const (
	shapeGeneric   recordShape = iota // members are columns
	shapeWindows                      // a Windows event (Sysmon, Security): flat, nested or Velociraptor
	shapeECS                          // Elastic Common Schema / winlogbeat
	shapeStreaming                    // Defender streaming API: {"category", "properties"}
	shapeRows                         // Log Analytics rows: arrays of values by column position
)

// jsonPlan is what opening a JSON input fixed.
type jsonPlan struct {
	mode       jsonMode
	lineMode   bool   // NDJSON: a record is a line
	recordsKey string // jsonWrapped
	schemaKey  string // jsonWrapped with a declared schema
	catIndex   map[string]int
}

// jstate is a state of the document walk.
type jstate uint8

const (
	stTop       jstate = iota
	stArray            // in an array of records
	stObject           // in the wrapping object's members
	stTables           // in the "tables" array
	stTableObj         // in one table's members
	stDone             // after the wrapping object
	stArrayDone        // after a top-level array (more may follow)
)

type jsonDecoder struct {
	s       *scan
	cr      *chunkReader
	plan    *jsonPlan
	shape   recordShape
	line    int64 // the line at cr.pos
	stack   []jstate
	recNo   int64 // records of the current array
	group   int   // the current table (jsonTables)
	tables  int
	capture func(key string, value []byte) // discovery: members of wrappers
	tableAt func(i int)                    // discovery: a table starts
}

func newJSONDecoder(s *scan) *jsonDecoder {
	return &jsonDecoder{s: s, cr: s.cr, plan: &s.in.json, shape: s.in.shape, line: 1, stack: []jstate{stTop}, group: -1}
}

func (d *jsonDecoder) top() jstate    { return d.stack[len(d.stack)-1] }
func (d *jsonDecoder) push(st jstate) { d.stack = append(d.stack, st) }
func (d *jsonDecoder) pop()           { d.stack = d.stack[:len(d.stack)-1] }

// advance consumes n bytes of the window, counting lines.
func (d *jsonDecoder) advance(n int) {
	d.line += int64(bytes.Count(d.cr.window()[:n], []byte{'\n'}))
	d.cr.consume(n)
}

// skipSpace consumes white space and returns the next byte, or io.EOF.
func (d *jsonDecoder) skipSpace() (byte, error) {
	for {
		w := d.cr.window()
		i := 0
		for i < len(w) {
			c := w[i]
			if c == '\n' {
				d.line++
			} else if c != ' ' && c != '\t' && c != '\r' {
				d.cr.consume(i)
				return c, nil
			}
			i++
		}
		d.cr.consume(i)
		if err := d.cr.more(); err != nil {
			return 0, err
		}
	}
}

// frame returns the complete JSON value at the window's start, reading
// more as needed. A value longer than MaxLineBytes is errRecordTooLong,
// one the input ends inside of is io.ErrUnexpectedEOF.
func (d *jsonDecoder) frame() ([]byte, error) {
	for {
		w := d.cr.window()
		if n, ok := frameEnd(w); ok {
			return w[:n], nil
		}
		if d.cr.eof {
			if len(w) > 0 && w[0] != '{' && w[0] != '[' && w[0] != '"' {
				return w, nil // a scalar that ends with the input
			}
			return nil, io.ErrUnexpectedEOF
		}
		if err := d.cr.more(); err != nil {
			return nil, err
		}
	}
}

// frameEnd returns the length of the JSON value at the start of b, and
// false when b ends before it does.
func frameEnd(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	switch b[0] {
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); {
			switch b[i] {
			case '"':
				j, ok := stringEnd(b, i)
				if !ok {
					return 0, false
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	case '"':
		return stringEnd(b, 0)
	}
	for i, c := range b {
		switch c {
		case ',', ']', '}', ' ', '\t', '\r', '\n', ':', '{', '[', '"':
			return max(i, 1), true
		}
	}
	return 0, false
}

// stringEnd returns the index after the string that starts at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, true
		}
		j++
	}
}

// next reads the next record into rec.
func (d *jsonDecoder) next(s *scan, rec *record) error {
	for {
		if d.plan.lineMode && d.top() == stTop {
			ok, err := d.nextLine(s, rec)
			if err != nil || ok {
				return err
			}
			continue
		}
		c, err := d.skipSpace()
		if err == io.EOF {
			if top := d.top(); top != stTop && top != stDone && top != stArrayDone {
				line := d.line
				if top == stArray {
					line = d.recNo + 1
				}
				s.skip(line, "the JSON document is truncated (the input ends inside it)")
				d.stack = d.stack[:1]
				d.stack[0] = stDone
			}
			return io.EOF
		}
		if err != nil {
			return err
		}
		switch d.top() {
		case stTop, stArrayDone, stDone:
			switch {
			case c == '[' && d.plan.mode == jsonSeq:
				d.advance(1)
				d.recNo = 0
				d.push(stArray)
			case c == '{' && d.plan.mode == jsonSeq:
				ok, err := d.record(s, rec, d.line)
				if err != nil || ok {
					return err
				}
			case c == '{' && d.top() == stTop:
				d.advance(1)
				d.stack[len(d.stack)-1] = stDone
				d.push(stObject)
			default:
				if err := d.junk(s, "not a JSON object or array"); err != nil {
					return err
				}
			}
		case stArray:
			switch c {
			case ']':
				d.advance(1)
				d.pop()
				if d.top() == stTop {
					d.stack[len(d.stack)-1] = stArrayDone
				}
			case ',':
				d.advance(1)
			default:
				d.recNo++
				ok, err := d.record(s, rec, d.recNo)
				if err != nil || ok {
					return err
				}
			}
		case stObject, stTableObj:
			switch c {
			case '}':
				d.advance(1)
				d.pop()
			case ',':
				d.advance(1)
			case '"':
				if err := d.member(s); err != nil {
					return err
				}
			default:
				if err := d.junk(s, "a JSON object member without a name"); err != nil {
					return err
				}
			}
		case stTables:
			switch c {
			case ']':
				d.advance(1)
				d.pop()
			case ',':
				d.advance(1)
			case '{':
				d.advance(1)
				d.group = d.tables
				d.tables++
				if d.tableAt != nil {
					d.tableAt(d.group)
				}
				d.push(stTableObj)
			default:
				if err := d.junk(s, "a Log Analytics table that is not an object"); err != nil {
					return err
				}
			}
		}
	}
}

// where is the line (or, in an array, the record number) to blame for a
// problem with the record being read.
func (d *jsonDecoder) where() int64 {
	if d.top() == stArray {
		return d.recNo
	}
	return d.line
}

// member reads one member of a wrapping object: the records array, the
// tables array, or something to skip (and, while opening, to capture).
func (d *jsonDecoder) member(s *scan) error {
	kb, err := d.frame()
	if err != nil {
		return d.frameErr(s, err)
	}
	var sc scratch
	kt, _ := sc.text(rawField{b: kb[1 : len(kb)-1], kind: fJSONStr, esc: bytes.IndexByte(kb, '\\') >= 0})
	key := string(kt)
	d.advance(len(kb))
	c, err := d.skipSpace()
	if err != nil {
		return d.eofInside(s, err)
	}
	if c != ':' {
		return d.junk(s, "a JSON object member without a ':'")
	}
	d.advance(1)
	c, err = d.skipSpace()
	if err != nil {
		return d.eofInside(s, err)
	}
	top := d.top()
	switch {
	case c == '[' && top == stObject && d.plan.mode == jsonWrapped && key == d.plan.recordsKey:
		d.advance(1)
		d.recNo = 0
		d.push(stArray)
		return nil
	case c == '[' && top == stObject && d.plan.mode == jsonTables && key == "tables":
		d.advance(1)
		d.push(stTables)
		return nil
	case c == '[' && top == stTableObj && key == "rows":
		d.advance(1)
		d.recNo = 0
		d.push(stArray)
		return nil
	}
	v, err := d.frame()
	if err != nil {
		return d.frameErr(s, err)
	}
	if d.capture != nil {
		d.capture(key, v)
	}
	d.advance(len(v))
	return nil
}

// eofInside reports an input that ends inside the document.
func (d *jsonDecoder) eofInside(s *scan, err error) error {
	if err == io.EOF {
		s.skip(d.line, "the JSON document is truncated (the input ends inside it)")
		d.stack = d.stack[:1]
		d.stack[0] = stDone
		return nil
	}
	return err
}

// frameErr handles a value that could not be framed: too long, or cut off
// by the end of the input. Reading goes on after it where it can.
func (d *jsonDecoder) frameErr(s *scan, err error) error {
	switch err {
	case errRecordTooLong:
		s.skip(d.where(), fmt.Sprintf("a JSON record longer than %d bytes (MaxLineBytes); skipped", MaxLineBytes))
		return d.resync()
	case io.ErrUnexpectedEOF:
		s.skip(d.where(), "truncated JSON: the input ends inside a record")
		d.cr.consume(len(d.cr.window()))
		d.stack = d.stack[:1]
		d.stack[0] = stDone
		return nil
	}
	return err
}

// resync skips to the next line that starts a record ('{' after white
// space) so that one broken record does not take the rest with it.
func (d *jsonDecoder) resync() error {
	for {
		if err := d.cr.skipLine('\n'); err != nil {
			return err
		}
		d.line++
		c, err := d.skipSpace()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if c == '{' {
			return nil
		}
	}
}

// junk skips a value that should not be where it is, counting it.
func (d *jsonDecoder) junk(s *scan, reason string) error {
	line := d.where()
	v, err := d.frame()
	if err != nil {
		return d.frameErr(s, err)
	}
	if len(v) == 0 {
		v = d.cr.window()[:1]
	}
	s.skip(line, reason+": "+quoteValue(v)+"; skipped")
	d.advance(len(v))
	return nil
}

// nextLine reads one NDJSON line. It reports false for a line that held
// no record (blank, or bad and counted).
func (d *jsonDecoder) nextLine(s *scan, rec *record) (bool, error) {
	for {
		w := d.cr.window()
		i := bytes.IndexByte(w, '\n')
		if i < 0 && !d.cr.eof {
			if err := d.cr.more(); err != nil {
				if err == errRecordTooLong {
					s.skip(d.line, fmt.Sprintf("a line longer than %d bytes (MaxLineBytes); skipped", MaxLineBytes))
					if err := d.cr.skipLine('\n'); err != nil {
						return false, err
					}
					d.line++
					return false, nil
				}
				return false, err
			}
			continue
		}
		if i < 0 {
			if len(w) == 0 {
				return false, io.EOF
			}
			i = len(w)
		}
		line := d.line
		text := trimSpace(w[:i])
		d.cr.consume(min(i+1, len(w)))
		d.line++
		if len(text) == 0 {
			return false, nil
		}
		if text[0] != '{' {
			s.skip(line, "not a JSON object: "+quoteValue(text)+"; skipped")
			return false, nil
		}
		return d.decode(s, rec, text, line), nil
	}
}

// record frames and decodes the record at the window's start. It reports
// false when the record was bad (and counted).
func (d *jsonDecoder) record(s *scan, rec *record, line int64) (bool, error) {
	v, err := d.frame()
	if err != nil {
		return false, d.frameErr(s, err)
	}
	ok := d.decode(s, rec, v, line)
	d.advance(len(v))
	return ok, nil
}

// decode reads a framed record's members (or elements) into rec.
func (d *jsonDecoder) decode(s *scan, rec *record, b []byte, line int64) bool {
	rec.line = line
	rec.bytes = b
	if d.shape == shapeRows || (d.plan.mode == jsonTables && d.top() == stArray) {
		rec.group = max(d.group, 0)
		if b[0] != '[' {
			s.skip(line, "a Log Analytics row that is not an array: "+quoteValue(b)+"; skipped")
			return false
		}
		if s.disc != nil {
			return true
		}
		n := len(s.in.groups[rec.group].slots)
		rec.setFields(n)
		i, err := arrayElems(b, func(i int, f rawField) {
			if i < n {
				rec.fields[i] = f
			}
		})
		if err != nil {
			s.skip(line, "invalid JSON: "+jsonErr(err)+"; skipped")
			return false
		}
		if i != n && !(s.in.groups[rec.group].extra >= 0 && i == n-1) {
			rec.problem(fmt.Sprintf("%d values where the table has %d columns", i, n) + raggedTail(i, n))
		}
		return true
	}
	if b[0] != '{' {
		s.skip(line, "not a JSON object: "+quoteValue(b)+"; skipped")
		return false
	}
	var err error
	switch d.shape {
	case shapeStreaming:
		err = decodeStreaming(b, rec)
	case shapeWindows:
		rec.raw, err = objectPairs(b, rec.raw[:0])
		if err == nil {
			rec.pairs = flattenWindows(rec.raw, rec)
		}
	default:
		rec.pairs, err = objectPairs(b, rec.pairs[:0])
	}
	if err != nil {
		s.skip(line, "invalid JSON: "+jsonErr(err)+"; skipped")
		return false
	}
	rec.isObj = true
	return true
}

// jsonErr words a jlexer error.
func jsonErr(err error) string {
	var le *jlexer.LexerError
	if errors.As(err, &le) {
		return fmt.Sprintf("%s at byte %d of the record", le.Reason, le.Offset+1)
	}
	if err == io.EOF {
		return "the record ends too early"
	}
	return err.Error()
}

// objectPairs appends the members of the JSON object b.
func objectPairs(b []byte, pairs []pair) ([]pair, error) {
	l := jlexer.Lexer{Data: b}
	l.Delim('{')
	for !l.IsDelim('}') {
		key := l.UnsafeFieldName(false)
		l.WantColon()
		raw := l.Raw()
		l.WantComma()
		if !l.Ok() {
			break
		}
		if len(pairs) < maxMembers {
			pairs = append(pairs, pair{key: key, f: classify(raw)})
		}
	}
	l.Delim('}')
	l.Consumed()
	return pairs, l.Error()
}

// arrayElems calls fn for each element of the JSON array b and returns
// how many there were.
func arrayElems(b []byte, fn func(i int, f rawField)) (int, error) {
	l := jlexer.Lexer{Data: b}
	l.Delim('[')
	i := 0
	for !l.IsDelim(']') {
		raw := l.Raw()
		l.WantComma()
		if !l.Ok() {
			break
		}
		fn(i, classify(raw))
		i++
	}
	l.Delim(']')
	l.Consumed()
	return i, l.Error()
}

// classify tells a raw JSON value's kind; a string loses its quotes.
func classify(raw []byte) rawField {
	if len(raw) == 0 {
		return rawField{kind: fJSONNull}
	}
	switch raw[0] {
	case '"':
		c := raw[1 : len(raw)-1]
		return rawField{b: c, kind: fJSONStr, esc: bytes.IndexByte(c, '\\') >= 0}
	case '{':
		return rawField{b: raw, kind: fJSONObj}
	case '[':
		return rawField{b: raw, kind: fJSONArr}
	case 't':
		return rawField{b: raw, kind: fJSONTrue}
	case 'f':
		return rawField{b: raw, kind: fJSONFalse}
	case 'n':
		return rawField{kind: fJSONNull}
	}
	return rawField{b: raw, kind: fJSONNum}
}

// decodeStreaming reads a Defender streaming API record: the table comes
// from its category ("AdvancedHunting-DeviceProcessEvents"), the columns
// from its properties.
func decodeStreaming(b []byte, rec *record) error {
	var env streamingRecord
	l := jlexer.Lexer{Data: b}
	env.UnmarshalEasyJSON(&l)
	if err := l.Error(); err != nil {
		return err
	}
	rec.cat = []byte(env.Category)
	if len(env.Properties) == 0 || env.Properties[0] != '{' {
		rec.pairs = rec.pairs[:0]
		return nil
	}
	var err error
	rec.pairs, err = objectPairs(env.Properties, rec.pairs[:0])
	return err
}

// streamingTable is the table a streaming category names.
func streamingTable(category string) string {
	return strings.TrimPrefix(category, "AdvancedHunting-")
}

// wrapperKeys are the names under which API responses and tools wrap an
// array of records.
var wrapperKeys = []string{"Results", "results", "value", "records", "events", "data", "items", "rows", "logs", "entries", "hits", "Records", "Events"}

// headMember is a member of the first object of a document, as far as the
// sniffed head shows it.
type headMember struct {
	key   string
	first byte // the first byte of its value
}

// headMembers lists the members of the object at the start of head. done
// says the object ends within head; end is its length then.
func headMembers(head []byte) (ms []headMember, end int, done bool) {
	l := jlexer.Lexer{Data: head}
	l.Delim('{')
	for !l.IsDelim('}') {
		key := l.String()
		l.WantColon()
		if !l.Ok() {
			return ms, 0, false
		}
		// Peek at the value's first byte.
		rest := valueStart(head, l.GetPos())
		if len(rest) == 0 {
			return ms, 0, false
		}
		ms = append(ms, headMember{key, rest[0]})
		l.SkipRecursive()
		l.WantComma()
		if !l.Ok() {
			return ms, 0, false
		}
	}
	l.Delim('}')
	if !l.Ok() {
		return ms, 0, false
	}
	return ms, l.GetPos(), true
}

// planJSON decides how the records of a JSON document sit in it, from its
// first bytes.
func planJSON(head []byte) jsonPlan {
	p := jsonPlan{mode: jsonSeq}
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return p
	}
	ms, end, done := headMembers(t)
	has := func(key string, first byte) bool {
		for _, m := range ms {
			if m.key == key && (first == 0 || m.first == first) {
				return true
			}
		}
		return false
	}
	switch {
	case has("tables", '['):
		p.mode = jsonTables
		return p
	case has("Results", '[') && has("Schema", 0), has("Results", '[') && !done:
		p.mode, p.recordsKey, p.schemaKey = jsonWrapped, "Results", "Schema"
		return p
	case has("results", '[') && has("schema", 0):
		p.mode, p.recordsKey, p.schemaKey = jsonWrapped, "results", "schema"
		return p
	}
	if done {
		after := bytes.TrimLeft(t[end:], " \t\r\n")
		if len(after) > 0 {
			// More values follow: a sequence of records.
			nl := bytes.IndexByte(t, '\n')
			p.lineMode = nl < 0 || nl >= end
			return p
		}
	}
	// One object: a wrapper when it holds an array of objects under a
	// usual name, else a single record.
	for _, k := range wrapperKeys {
		if has(k, '[') && arrayOfObjects(t, k) {
			p.mode, p.recordsKey = jsonWrapped, k
			return p
		}
	}
	if !done {
		// An object larger than the head: under any name, an array of
		// objects is what it wraps.
		for _, m := range ms {
			if m.first == '[' && arrayOfObjects(t, m.key) {
				p.mode, p.recordsKey = jsonWrapped, m.key
				return p
			}
		}
	}
	if done {
		nl := bytes.IndexByte(t, '\n')
		p.lineMode = nl < 0 || nl >= end
	}
	return p
}

// arrayOfObjects reports whether the member key of the object at the
// start of b holds an array whose first element is an object (or that is
// empty).
func arrayOfObjects(b []byte, key string) bool {
	l := jlexer.Lexer{Data: b}
	l.Delim('{')
	for !l.IsDelim('}') {
		k := l.String()
		l.WantColon()
		if !l.Ok() {
			return false
		}
		if k == key {
			rest := valueStart(b, l.GetPos())
			if len(rest) < 2 || rest[0] != '[' {
				return false
			}
			in := bytes.TrimLeft(rest[1:], " \t\r\n")
			return len(in) > 0 && (in[0] == '{' || in[0] == ']')
		}
		l.SkipRecursive()
		l.WantComma()
	}
	return false
}

// apiType reads a column type as API schemas write it: Kusto names
// ("datetime"), .NET names ("DateTime", "System.Int64"), or Graph's.
func apiType(s string) data.Type {
	if t, ok := data.ParseType(strings.ToLower(s)); ok {
		return t
	}
	if t, ok := data.ParseType("System." + s); ok {
		return t
	}
	switch strings.ToLower(s) {
	case "int64", "long":
		return data.Long
	case "int32", "int":
		return data.Int
	case "boolean", "sbyte":
		return data.Bool
	case "double", "single":
		return data.Real
	case "object":
		return data.Dynamic
	}
	return data.String
}

// valueStart returns b from the value of a member whose name ends at pos
// (jlexer leaves the ':' for its next token).
func valueStart(b []byte, pos int) []byte {
	rest := bytes.TrimLeft(b[pos:], " \t\r\n")
	if len(rest) > 0 && rest[0] == ':' {
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	}
	return rest
}
