package logs

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// Windows events come in many shapes: python-evtx's flat objects
// ({"EventID", "Provider", "TimeCreated", ... EventData's fields}), the
// nested {"Event": {"System": {...}, "EventData": {...}}} of evtx_dump and
// Sigma's regression data, Velociraptor's {"System", "EventData"} with
// {"Value": n} ids and epoch-second times, OTRF's flat objects that carry
// EventData as an XML string, and Windows event XML itself. All of them
// become the same flat record: the System fields by their usual names
// (EventID, Provider, TimeCreated, Computer, Channel, ...) and the
// EventData fields by theirs (Image, CommandLine, User, ...).

// flattenWindows turns the members of a Windows event record into its flat
// fields.
func flattenWindows(in []pair, rec *record) []pair {
	for i, p := range in {
		if p.key == "Event" && p.f.kind == fJSONObj {
			inner, err := objectPairs(p.f.b, nil)
			if err == nil {
				rest := make([]pair, 0, len(in)-1)
				rest = append(rest, in[:i]...)
				rest = append(rest, in[i+1:]...)
				in = append(inner, rest...)
			}
			break
		}
	}
	out := rec.flat[:0]
	var xmlData []byte
	for _, p := range in {
		switch {
		case p.key == "System" && p.f.kind == fJSONObj:
			out = flattenSystem(p.f.b, out)
		case (p.key == "EventData" || p.key == "UserData") && p.f.kind == fJSONObj:
			out = flattenData(p.f.b, out, p.key == "UserData")
		case p.key == "#attributes", p.key == "xmlns":
		case p.key == "EventData" && p.f.kind == fJSONStr && bytes.HasPrefix(bytes.TrimSpace(p.f.b), []byte("<")):
			xmlData = p.f.b
			if p.f.esc {
				xmlData, _ = appendJSONUnescaped(nil, p.f.b)
			}
			out = append(out, p) // the original text stays a column too
		default:
			out = append(out, p)
		}
	}
	if xmlData != nil {
		// OTRF: the fields are often also flat; add those that are not.
		eachXMLData(xmlData, func(name string, value []byte) {
			for _, p := range out {
				if p.key == name {
					return
				}
			}
			out = append(out, pair{key: name, f: rawField{b: value, kind: fText}})
		})
	}
	for i := range out {
		if out[i].key == "TimeCreated" && out[i].f.kind == fJSONNum {
			if t, ok := epochText(out[i].f.b); ok {
				out[i].f = rawField{b: t, kind: fText}
			}
		}
	}
	rec.flat = out
	return out
}

// flattenSystem flattens the System element of a nested event.
func flattenSystem(b []byte, out []pair) []pair {
	ps, err := objectPairs(b, nil)
	if err != nil {
		return out
	}
	for _, p := range ps {
		if p.f.kind != fJSONObj {
			out = append(out, p)
			continue
		}
		attrs, err := objectPairs(p.f.b, nil)
		if err != nil {
			out = append(out, p)
			continue
		}
		for _, a := range attrs {
			switch {
			case a.key == "#attributes" && a.f.kind == fJSONObj:
				inner, _ := objectPairs(a.f.b, nil)
				for _, x := range inner {
					out = append(out, pair{key: systemName(p.key, strings.TrimPrefix(x.key, "@")), f: x.f})
				}
			case a.key == "#text", a.key == "Value", a.key == "value":
				out = append(out, pair{key: p.key, f: a.f})
			default:
				out = append(out, pair{key: systemName(p.key, strings.TrimPrefix(a.key, "@")), f: a.f})
			}
		}
	}
	return out
}

// systemName names an attribute of a System element the way flat exports
// do (python-evtx, OTRF, Sentinel).
func systemName(elem, attr string) string {
	switch elem + "." + attr {
	case "Provider.Name":
		return "Provider"
	case "Provider.Guid":
		return "ProviderGuid"
	case "Provider.EventSourceName":
		return "EventSourceName"
	case "TimeCreated.SystemTime":
		return "TimeCreated"
	case "Security.UserID":
		return "UserID"
	case "Correlation.ActivityID":
		return "ActivityID"
	case "Correlation.RelatedActivityID":
		return "RelatedActivityID"
	case "EventID.Qualifiers":
		return "EventIDQualifiers"
	}
	return elem + attr
}

// flattenData flattens EventData (or UserData) of a nested event: its
// members, or its Data elements by their Name.
func flattenData(b []byte, out []pair, user bool) []pair {
	ps, err := objectPairs(b, nil)
	if err != nil {
		return out
	}
	for _, p := range ps {
		switch {
		case p.key == "Data" && (p.f.kind == fJSONArr || p.f.kind == fJSONObj):
			n := 0
			each := func(f rawField) {
				n++
				if f.kind != fJSONObj {
					out = append(out, pair{key: unnamedData(n), f: f})
					return
				}
				m, _ := objectPairs(f.b, nil)
				name, value := "", rawField{kind: fText}
				for _, x := range m {
					switch x.key {
					case "Name", "@Name":
						name = string(x.f.b)
					case "#attributes":
						for _, y := range mustPairs(x.f.b) {
							if y.key == "Name" {
								name = string(y.f.b)
							}
						}
					case "#text", "Value", "value":
						value = x.f
					}
				}
				if name == "" {
					name = unnamedData(n)
				}
				out = append(out, pair{key: name, f: value})
			}
			if p.f.kind == fJSONObj {
				each(p.f)
			} else {
				_, _ = arrayElems(p.f.b, func(_ int, f rawField) { each(f) })
			}
		case p.key == "#attributes", p.key == "xmlns", strings.HasPrefix(p.key, "@"):
		case user && p.f.kind == fJSONObj:
			out = flattenData(p.f.b, out, false)
		default:
			out = append(out, p)
		}
	}
	return out
}

func unnamedData(n int) string {
	if n == 1 {
		return "Data"
	}
	return "Data" + strconv.Itoa(n)
}

func mustPairs(b []byte) []pair {
	ps, _ := objectPairs(b, nil)
	return ps
}

// epochText turns seconds since 1970 (Velociraptor writes event times as
// 1677252794.2268016) into ISO 8601 text, exactly: the digits are read as
// text, not through a float.
func epochText(b []byte) ([]byte, bool) {
	s := string(b)
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < -62135596800 || sec > 253402300799 {
		return nil, false
	}
	var f int64
	for i := 0; i < 7; i++ {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return nil, false
			}
			f += int64(c - '0')
		}
	}
	ticks := data.UnixNanosToTicks(sec*1_000_000_000) + f
	return []byte(data.FormatDateTime(ticks)), true
}

// eachXMLData calls fn for each <Data Name="...">value</Data> of an
// EventData element's XML text.
func eachXMLData(b []byte, fn func(name string, value []byte)) {
	n := 0
	for {
		i := bytes.Index(b, []byte("<Data"))
		if i < 0 {
			return
		}
		b = b[i+5:]
		if len(b) == 0 || (b[0] != ' ' && b[0] != '>' && b[0] != '/' && b[0] != '\t' && b[0] != '\n' && b[0] != '\r') {
			continue
		}
		j := bytes.IndexByte(b, '>')
		if j < 0 {
			return
		}
		tag := b[:j]
		self := j > 0 && tag[j-1] == '/'
		b = b[j+1:]
		var value []byte
		if !self {
			k := bytes.Index(b, []byte("</Data>"))
			if k < 0 {
				return
			}
			value = b[:k]
			b = b[k+7:]
		}
		n++
		name := xmlAttr(tag, "Name")
		if name == "" {
			name = unnamedData(n)
		}
		if bytes.IndexByte(value, '&') >= 0 {
			value = []byte(html.UnescapeString(string(value)))
		}
		fn(name, value)
	}
}

// xmlAttr returns the value of attribute name in an element's tag text.
func xmlAttr(tag []byte, name string) string {
	for {
		i := bytes.Index(tag, []byte(name+"="))
		if i < 0 {
			return ""
		}
		if i > 0 && tag[i-1] != ' ' && tag[i-1] != '\t' && tag[i-1] != '\n' {
			tag = tag[i+len(name)+1:]
			continue
		}
		v := tag[i+len(name)+1:]
		if len(v) == 0 || (v[0] != '"' && v[0] != '\'') {
			return ""
		}
		end := bytes.IndexByte(v[1:], v[0])
		if end < 0 {
			return ""
		}
		return html.UnescapeString(string(v[1 : 1+end]))
	}
}

// xmlDecoder reads Windows event XML: <Events><Event>...</Event>...</Events>
// as Event Viewer, wevtutil and Get-WinEvent's ToXml() write it. Each Event
// element is a record; its line is where the element starts.
type xmlDecoder struct {
	dec  *xml.Decoder
	done bool
}

// readerFunc adapts a function to io.Reader.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func newXMLDecoder(s *scan) *xmlDecoder {
	r := readerFunc(func(p []byte) (int, error) {
		if err := s.beforeRead(); err != nil {
			return 0, err
		}
		return s.text.Read(p)
	})
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		// The text is UTF-8 by now (openText transcoded UTF-16).
		return in, nil
	}
	return &xmlDecoder{dec: dec}
}

func (d *xmlDecoder) next(s *scan, rec *record) error {
	if d.done {
		return io.EOF
	}
	depth := 0
	for {
		line, _ := d.dec.InputPos()
		tok, err := d.dec.Token()
		if err == io.EOF {
			d.done = true
			return io.EOF
		}
		if err != nil {
			if _, ok := err.(*xml.SyntaxError); ok {
				s.skip(int64(line), "invalid XML: "+err.Error()+"; the rest of the input is not read")
				d.done = true
				return io.EOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxXMLDepth {
				s.skip(int64(line), fmt.Sprintf("XML nested deeper than %d elements (MaxXMLDepth); the rest of the input is not read", MaxXMLDepth))
				d.done = true
				return io.EOF
			}
			if t.Name.Local == "Event" {
				l, _ := d.dec.InputPos()
				rec.line = int64(l)
				if err := d.event(s, rec); err != nil {
					return err
				}
				rec.isObj = true
				return nil
			}
		case xml.EndElement:
			depth--
		}
	}
}

// event reads one Event element into rec.pairs.
func (d *xmlDecoder) event(s *scan, rec *record) error {
	rec.pairs = rec.pairs[:0]
	var path []string
	var text bytes.Buffer
	var dataName string
	dataN := 0
	add := func(key, value string) {
		if len(rec.pairs) < maxMembers {
			rec.pairs = append(rec.pairs, pair{key: key, f: rawField{b: []byte(value), kind: fText}})
		}
	}
	for {
		tok, err := d.dec.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			line, _ := d.dec.InputPos()
			s.skip(int64(line), "invalid XML: "+err.Error()+"; the rest of the input is not read")
			d.done = true
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) >= MaxXMLDepth {
				return fmt.Errorf("XML nested deeper than %d elements (MaxXMLDepth)", MaxXMLDepth)
			}
			path = append(path, t.Name.Local)
			text.Reset()
			section := path[0]
			switch {
			case section == "System" && len(path) == 2:
				for _, a := range t.Attr {
					add(systemName(t.Name.Local, a.Name.Local), a.Value)
				}
			case section == "EventData" && len(path) == 2 && t.Name.Local == "Data":
				dataN++
				dataName = unnamedData(dataN)
				for _, a := range t.Attr {
					if a.Name.Local == "Name" {
						dataName = a.Value
					}
				}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(path) == 0 {
				return nil // </Event>
			}
			section := path[0]
			v := text.String()
			switch {
			case section == "System" && len(path) == 2:
				if strings.TrimSpace(v) != "" {
					add(t.Name.Local, v)
				}
			case section == "EventData" && len(path) == 2:
				add(dataName, v)
			case section == "UserData" && len(path) >= 3:
				add(t.Name.Local, v)
			case section == "RenderingInfo" && len(path) == 2 && t.Name.Local == "Message":
				add("Message", v)
			}
			path = path[:len(path)-1]
			text.Reset()
		}
	}
}
