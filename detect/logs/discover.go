package logs

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailru/easyjson/jlexer"

	"offhunt/detect/data"
)

// Opening a JSON or XML input reads a sample of its records (the first
// InferenceRows, or InferenceBytes) to find its tables, their columns (the
// members the records use, in first-seen order) and the types of the
// columns no schema declares. Inputs whose tables can only be known from
// all of them (Log Analytics responses, Defender streaming exports, an API
// response whose schema comes after its results) are read to the end.

// discovery collects what the sample shows.
type discovery struct {
	groups  []*discGroup
	byLabel map[string]int
	eof     bool // the sample reached the end of the input
	objects bool // records are objects (so ExtraFields may be needed)
}

type discGroup struct {
	label    string
	keys     []string
	index    map[string]int
	guesses  []*typeGuess
	declared map[string]data.Type
	order    []string // declared column order
	records  int
}

func (d *discovery) group(label string) *discGroup {
	if d.byLabel == nil {
		d.byLabel = map[string]int{}
	}
	if i, ok := d.byLabel[label]; ok {
		return d.groups[i]
	}
	g := &discGroup{label: label, index: map[string]int{}}
	d.byLabel[label] = len(d.groups)
	d.groups = append(d.groups, g)
	return g
}

// add notes a member of a sample record.
func (g *discGroup) add(key string, f rawField, sample bool) {
	i, ok := g.index[key]
	if !ok {
		if len(g.keys) >= MaxColumns {
			return // to ExtraFields
		}
		key = strings.Clone(key) // it points into the read buffer
		i = len(g.keys)
		g.index[key] = i
		g.keys = append(g.keys, key)
		g.guesses = append(g.guesses, newTypeGuess())
	}
	if sample {
		if f.kind == fText {
			g.guesses[i].addText(f.b)
		} else {
			g.guesses[i].addJSON(f)
		}
	}
}

// declare sets a group's declared columns (an API schema).
func (g *discGroup) declare(cols []apiColumn) {
	g.declared = map[string]data.Type{}
	g.order = g.order[:0]
	for _, c := range cols {
		name := firstNonEmpty(c.Name, c.NameLower, c.ColumnName)
		typ := firstNonEmpty(c.Type, c.TypeLower, c.ColumnType, c.DataType)
		if name == "" {
			continue
		}
		g.declared[name] = apiType(typ)
		g.order = append(g.order, name)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// decodeColumns reads a column declaration array with the generated
// decoder of apiColumn.
func decodeColumns(b []byte) ([]apiColumn, error) {
	l := jlexer.Lexer{Data: b}
	var out []apiColumn
	l.Delim('[')
	for !l.IsDelim(']') {
		var c apiColumn
		c.UnmarshalEasyJSON(&l)
		out = append(out, c)
		l.WantComma()
	}
	l.Delim(']')
	return out, l.Error()
}

// detectShape tells what a JSON record holds from its members.
func detectShape(ps []pair) recordShape {
	has := func(k string) (rawField, bool) {
		for _, p := range ps {
			if p.key == k {
				return p.f, true
			}
		}
		return rawField{}, false
	}
	if c, ok := has("category"); ok && c.kind == fJSONStr && strings.HasPrefix(string(c.b), "AdvancedHunting-") {
		if p, ok := has("properties"); ok && p.kind == fJSONObj {
			return shapeStreaming
		}
	}
	if e, ok := has("Event"); ok && e.kind == fJSONObj {
		if inner, err := objectPairs(e.b, nil); err == nil {
			for _, p := range inner {
				if p.key == "System" {
					return shapeWindows
				}
			}
		}
	}
	_, sys := has("System")
	_, ed := has("EventData")
	if sys && ed {
		return shapeWindows
	}
	if _, ok := has("EventID"); ok {
		_, prov := has("Provider")
		_, ch := has("Channel")
		_, src := has("EventSourceName")
		if prov || ch || src {
			return shapeWindows
		}
	}
	if _, ok := has("@timestamp"); ok {
		for _, p := range ps {
			switch {
			case p.key == "process" || p.key == "ecs" || p.key == "event" || p.key == "winlog" || p.key == "host":
				return shapeECS
			case strings.HasPrefix(p.key, "process.") || strings.HasPrefix(p.key, "event."):
				return shapeECS
			}
		}
	}
	return shapeGeneric
}

// openJSON reads the sample of a JSON input and fixes its tables.
func (in *Input) openJSON(s *scan, head []byte) error {
	in.kind = kindJSON
	in.json = planJSON(head)
	d := newJSONDecoder(s)
	disc := s.disc
	shapeKnown := false
	full := in.json.mode == jsonTables
	schemaSeen := in.json.schemaKey == ""
	if in.json.mode == jsonTables {
		in.shape, d.shape, shapeKnown = shapeRows, shapeRows, true
	}
	var tableNames []string
	var capErr error
	d.capture = func(key string, v []byte) {
		switch {
		case d.top() == stTableObj && key == "name":
			var sc scratch
			t, _ := sc.text(classify(v))
			tableNames[d.group] = string(t)
		case d.top() == stTableObj && key == "columns":
			cols, err := decodeColumns(v)
			if err != nil {
				capErr = fmt.Errorf("the columns of a Log Analytics table are not valid JSON: %s", jsonErr(err))
				return
			}
			disc.groups[d.group].declare(cols)
		case d.top() == stObject && key == in.json.schemaKey:
			cols, err := decodeColumns(v)
			if err != nil {
				capErr = fmt.Errorf("the %s of the API response is not valid JSON: %s", key, jsonErr(err))
				return
			}
			disc.group("").declare(cols)
			schemaSeen = true
		}
	}
	d.tableAt = func(i int) {
		tableNames = append(tableNames, fmt.Sprintf("Table_%d", i))
		disc.group(fmt.Sprintf("#%d", i))
	}
	rec := &s.rec
	for {
		if capErr != nil {
			return capErr
		}
		sampling := s.n < InferenceRows && s.raw.n < InferenceBytes
		if !sampling && !full && schemaSeen && in.shape != shapeStreaming {
			break
		}
		rec.reset()
		err := d.next(s, rec)
		if err == io.EOF {
			disc.eof = true
			break
		}
		if err != nil {
			return err
		}
		s.n++
		if !shapeKnown && rec.isObj {
			in.shape = detectShape(rec.pairs)
			d.shape = in.shape
			shapeKnown = true
			switch in.shape {
			case shapeWindows:
				rec.raw = append(rec.raw[:0], rec.pairs...)
				rec.pairs = flattenWindows(rec.raw, rec)
			case shapeStreaming:
				if err := decodeStreaming(rec.bytes, rec); err != nil {
					return err
				}
			}
		}
		switch {
		case in.shape == shapeRows:
			// Log Analytics declares every column's type.
			disc.groups[rec.group].records++
		case in.shape == shapeStreaming:
			disc.objects = true
			g := disc.group(string(rec.cat))
			g.records++
			for _, p := range rec.pairs {
				g.add(p.key, p.f, g.records <= InferenceRows)
			}
			full = true
		case rec.isObj:
			disc.objects = true
			g := disc.group("")
			g.records++
			for _, p := range rec.pairs {
				g.add(p.key, p.f, sampling)
			}
		}
	}
	if capErr != nil {
		return capErr
	}
	if s.n == 0 && s.st.badRows == 0 {
		declared := false
		for _, g := range disc.groups {
			declared = declared || len(g.order) > 0
		}
		if !declared {
			if in.json.mode == jsonTables && len(disc.groups) == 0 {
				return fmt.Errorf("a Log Analytics response with no tables")
			}
			return fmt.Errorf("the JSON holds no records")
		}
	}
	in.format = in.enc.describe() + in.jsonFormat()
	return in.buildGroups(disc, tableNames)
}

// jsonFormat names a JSON input's container and shape for its report.
func (in *Input) jsonFormat() string {
	var f string
	switch {
	case in.json.mode == jsonTables:
		f = "log analytics api json"
	case in.json.schemaKey == "Schema":
		f = "defender api json"
	case in.json.schemaKey == "schema":
		f = "graph api json"
	case in.json.mode == jsonWrapped:
		f = "json (records under \"" + in.json.recordsKey + "\")"
	case in.json.lineMode:
		f = "ndjson"
	default:
		f = "json"
	}
	switch in.shape {
	case shapeWindows:
		f += ", windows events"
	case shapeECS:
		f += ", ecs"
	case shapeStreaming:
		f += ", defender streaming api"
	}
	return f
}

// openXML reads the sample of Windows event XML.
func (in *Input) openXML(s *scan, head []byte) error {
	in.kind = kindXML
	in.shape = shapeWindows
	if !strings.Contains(string(head), "<Event") {
		return fmt.Errorf("XML that is not Windows event XML (<Events><Event>...); offhunt reads Windows event XML, CSV and JSON")
	}
	d := newXMLDecoder(s)
	disc := s.disc
	rec := &s.rec
	for s.n < InferenceRows && s.raw.n < InferenceBytes {
		rec.reset()
		err := d.next(s, rec)
		if err == io.EOF {
			disc.eof = true
			break
		}
		if err != nil {
			return err
		}
		s.n++
		disc.objects = true
		g := disc.group("")
		g.records++
		for _, p := range rec.pairs {
			g.add(p.key, p.f, true)
		}
	}
	in.format = in.enc.describe() + "windows event xml"
	return in.buildGroups(disc, nil)
}

// buildGroups turns what the sample showed into the input's groups and
// views.
func (in *Input) buildGroups(disc *discovery, tableNames []string) error {
	if len(disc.groups) == 0 {
		disc.group("")
	}
	for gi, dg := range disc.groups {
		name := in.stem
		switch {
		case in.shape == shapeStreaming:
			name = streamingTable(dg.label)
		case in.json.mode == jsonTables && gi < len(tableNames):
			name = tableNames[gi]
		}
		g := newGroup(name)
		g.label = name
		cols := dg.order
		for _, k := range dg.keys {
			if _, ok := dg.declared[k]; !ok {
				cols = append(cols, k)
			}
		}
		if in.shape != shapeWindows && in.shape != shapeECS {
			spec := lookupTable(name)
			if spec == nil {
				spec = matchTable(cols)
			}
			if spec != nil {
				g.name, g.known = spec.name, true
			}
		}
		for _, k := range cols {
			t := data.Unknown
			if g.known {
				if ct, ok := lookupTable(g.name).columnType(k); ok {
					t = ct
				}
			}
			if t == data.Unknown {
				if dt, ok := dg.declared[k]; ok {
					t = dt
				}
			}
			if t == data.Unknown {
				t = data.String
				if i, ok := dg.index[k]; ok && dg.guesses != nil && i < len(dg.guesses) {
					t = dg.guesses[i].result()
				}
			}
			g.add(k, t)
		}
		if disc.objects && (!disc.eof || len(dg.keys) >= MaxColumns) {
			if _, taken := g.index[ExtraFieldsColumn]; !taken {
				g.extra = g.add(ExtraFieldsColumn, data.Dynamic)
			}
		}
		g.finish()
		in.groups = append(in.groups, g)
		if in.shape == shapeStreaming {
			if in.json.catIndex == nil {
				in.json.catIndex = map[string]int{}
			}
			in.json.catIndex[dg.label] = gi
		}
	}
	if in.shape == shapeWindows || in.shape == shapeECS {
		in.mapper = newMapper(in.shape, in.groups[0])
		in.mappedViews()
		return nil
	}
	for gi := range in.groups {
		v := in.newView(gi)
		if in.json.mode == jsonTables && gi < len(tableNames) && tableNames[gi] != v.name {
			v.alias = tableNames[gi]
		}
		in.views = append(in.views, v)
	}
	in.stemView = in.views[0]
	return nil
}
