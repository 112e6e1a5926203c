package builtin

import (
	"encoding/xml"
	"io"
	"strings"

	"offhunt/detect/data"
)

// Functions that parse text into dynamic values: JSON, XML, URLs, file
// paths and Windows command lines.

func init() {
	register(
		fn("parse_json(json: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return parseJSONValue(a[0])
		}, aliases("parsejson", "todynamic", "toobject")),
		fn("parse_xml(xml: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			if a[0].K != data.KString {
				return data.Null
			}
			return parseXML(a[0].S)
		}),
		fn("parse_url(url: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return parseURL(argString(a[0]))
		}, aliases("parseurl")),
		fn("parse_urlquery(query: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			bag := data.NewBag(1)
			q := strings.TrimPrefix(argString(a[0]), "?")
			bag.Set("Query Parameters", data.NewBagValue(parseQuery(q)))
			return data.NewBagValue(bag)
		}, aliases("parseurlquery")),
		fn("parse_path(path: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return parsePath(argString(a[0]))
		}),
		fn("parse_command_line(command_line: string, parser_type: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			if !strings.EqualFold(argString(a[1]), "windows") {
				return data.Null
			}
			args := splitWindowsCommandLine(argString(a[0]))
			out := make([]data.Value, len(args))
			for i, s := range args {
				out[i] = data.NewString(s)
			}
			return data.NewArray(out)
		}),
	)
}

// parseJSONValue is parse_json(): JSON text becomes a dynamic value;
// text that is not JSON stays a dynamic string; empty text is null; a
// value that is already dynamic (or any non-string) is returned as is.
func parseJSONValue(v data.Value) data.Value {
	if v.K != data.KString {
		return v
	}
	s := v.S
	if strings.TrimSpace(s) == "" {
		return data.Null
	}
	out, err := data.ParseJSON(s)
	if err != nil {
		return v
	}
	return out
}

// MaxXMLInput is the longest text parse_xml reads; Kusto documents the
// same 1 MB limit (longer input gives null).
const MaxXMLInput = 1 << 20

// maxXMLDepth bounds element nesting, as data.MaxJSONDepth bounds JSON.
const maxXMLDepth = 100

// xmlNode collects one element while it is being read.
type xmlNode struct {
	name     string
	bag      *data.Bag // attributes ("@name") and children, in order
	text     strings.Builder
	children int
	repeated map[string]bool // child names that already hold an array
}

// parseXML converts XML to dynamic the way Kusto documents (Json.NET's
// conversion): an element becomes a key; attributes become "@name" keys;
// text is the value, or "#text" next to attributes or children; repeated
// children become an array; <e/> is null. Names keep their prefixes;
// comments and processing instructions are skipped. Values stay strings.
// Invalid XML, or input over MaxXMLInput, gives null.
func parseXML(s string) data.Value {
	if len(s) > MaxXMLInput || strings.TrimSpace(s) == "" {
		return data.Null
	}
	dec := xml.NewDecoder(strings.NewReader(s))
	root := &xmlNode{bag: data.NewBag(1)}
	stack := []*xmlNode{root}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return data.Null
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > maxXMLDepth {
				return data.Null
			}
			n := &xmlNode{name: xmlName(t.Name), bag: data.NewBag(len(t.Attr))}
			for _, at := range t.Attr {
				n.bag.Set("@"+xmlName(at.Name), data.NewString(at.Value))
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) < 2 || stack[len(stack)-1].name != xmlName(t.Name) {
				return data.Null
			}
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			parent := stack[len(stack)-1]
			addXMLChild(parent, n.name, n.value())
		case xml.CharData:
			top := stack[len(stack)-1]
			if top != root {
				top.text.Write(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return data.Null // text outside the root element
			}
		}
	}
	if len(stack) != 1 || root.children == 0 {
		return data.Null
	}
	return data.NewBagValue(root.bag)
}

func xmlName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// value is the dynamic form of a finished element.
func (n *xmlNode) value() data.Value {
	text := n.text.String()
	if strings.TrimSpace(text) == "" {
		text = ""
	}
	if n.bag.Len() == 0 {
		if text == "" {
			return data.Null
		}
		return data.NewString(text)
	}
	if text != "" {
		n.bag.Set("#text", data.NewString(text))
	}
	return data.NewBagValue(n.bag)
}

func addXMLChild(parent *xmlNode, name string, v data.Value) {
	parent.children++
	old, exists := parent.bag.Get(name)
	switch {
	case !exists:
		parent.bag.Set(name, v)
	case parent.repeated[name]:
		parent.bag.Set(name, data.NewArray(append(old.Array(), v)))
	default:
		// The second child of that name: the key now holds an array.
		if parent.repeated == nil {
			parent.repeated = map[string]bool{}
		}
		parent.repeated[name] = true
		parent.bag.Set(name, data.NewArray([]data.Value{old, v}))
	}
}

// parseURL splits an absolute URL into Kusto's bag: Scheme, Host, Port,
// Path, Username, Password, Query Parameters (a bag; a repeated key keeps
// its last value) and Fragment. Text that is not an absolute URL gives
// the bag with empty parts.
func parseURL(s string) data.Value {
	var scheme, user, pass, host, port, path, query, frag string
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		scheme = s[:i]
		rest := s[i+3:]
		if j := strings.IndexByte(rest, '#'); j >= 0 {
			frag = rest[j+1:]
			rest = rest[:j]
		}
		if j := strings.IndexByte(rest, '?'); j >= 0 {
			query = rest[j+1:]
			rest = rest[:j]
		}
		authority := rest
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			authority, path = rest[:j], rest[j:]
		}
		if j := strings.LastIndexByte(authority, '@'); j >= 0 {
			userinfo := authority[:j]
			authority = authority[j+1:]
			user = userinfo
			if k := strings.IndexByte(userinfo, ':'); k >= 0 {
				user, pass = userinfo[:k], userinfo[k+1:]
			}
		}
		host = authority
		if strings.HasPrefix(authority, "[") {
			if k := strings.IndexByte(authority, ']'); k > 0 {
				host = authority[1:k]
				if strings.HasPrefix(authority[k+1:], ":") {
					port = authority[k+2:]
				}
			}
		} else if k := strings.LastIndexByte(authority, ':'); k >= 0 {
			host, port = authority[:k], authority[k+1:]
		}
	}
	bag := data.NewBag(8)
	bag.Set("Scheme", data.NewString(scheme))
	bag.Set("Host", data.NewString(host))
	bag.Set("Port", data.NewString(port))
	bag.Set("Path", data.NewString(path))
	bag.Set("Username", data.NewString(user))
	bag.Set("Password", data.NewString(pass))
	bag.Set("Query Parameters", data.NewBagValue(parseQuery(query)))
	bag.Set("Fragment", data.NewString(frag))
	return data.NewBagValue(bag)
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// parseQuery reads k1=v1&k2=v2 into a bag, decoding %xx and '+'.
func parseQuery(q string) *data.Bag {
	bag := data.NewBag(4)
	if q == "" {
		return bag
	}
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		bag.Set(urlDecode(k, true), data.NewString(urlDecode(v, true)))
	}
	return bag
}

// parsePath splits a file path (Windows, UNC, Unix, or a file:// URL)
// into Kusto's bag: Scheme, RootPath, DirectoryPath, DirectoryName,
// Filename, Extension and AlternateDataStreamName. The documented
// examples (cases.tsv id parse_path) fix the details: the directory path
// keeps the root ("C:\temp"), the extension is after the last dot of the
// file name, and an NTFS stream name follows a colon in the file name.
func parsePath(p string) data.Value {
	var scheme, root, dir, dirName, file, ext, stream string
	rest := p
	if i := strings.Index(rest, "://"); i > 1 && validScheme(rest[:i]) {
		scheme = rest[:i]
		rest = rest[i+3:]
	}
	if len(rest) >= 2 && rest[1] == ':' && (rest[0]|0x20 >= 'a' && rest[0]|0x20 <= 'z') {
		root = rest[:2]
	}
	sep := strings.LastIndexAny(rest, `\/`)
	if sep >= 0 {
		dir, file = rest[:sep], rest[sep+1:]
		if dir == root && root != "" || dir == "" {
			dir = rest[:sep+1] // "C:\" or "/": the root directory itself
		}
		trimmed := strings.TrimRight(dir, `\/`)
		if k := strings.LastIndexAny(trimmed, `\/`); k >= 0 {
			dirName = trimmed[k+1:]
		} else if trimmed != root {
			dirName = trimmed
		}
	} else {
		file = rest[len(root):]
	}
	if k := strings.IndexByte(file, ':'); k >= 0 {
		file, stream = file[:k], file[k+1:]
	}
	if k := strings.LastIndexByte(file, '.'); k >= 0 {
		ext = file[k+1:]
	}
	bag := data.NewBag(7)
	bag.Set("Scheme", data.NewString(scheme))
	bag.Set("RootPath", data.NewString(root))
	bag.Set("DirectoryPath", data.NewString(dir))
	bag.Set("DirectoryName", data.NewString(dirName))
	bag.Set("Filename", data.NewString(file))
	bag.Set("Extension", data.NewString(ext))
	bag.Set("AlternateDataStreamName", data.NewString(stream))
	return data.NewBagValue(bag)
}

// splitWindowsCommandLine splits a command line as CommandLineToArgvW
// does. The program name (first argument) ends at the next space, or at
// the closing quote when it starts with one, with no escapes. For the
// other arguments, 2n backslashes before a quote give n backslashes and
// the quote toggles quoting; 2n+1 give n backslashes and a literal quote;
// backslashes elsewhere are literal; "" inside quotes is a literal quote.
// Spaces and tabs separate arguments outside quotes.
func splitWindowsCommandLine(s string) []string {
	var args []string
	i := 0
	// Program name.
	if i < len(s) && s[i] == '"' {
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			args = append(args, s[i+1:])
			return args
		}
		args = append(args, s[i+1:i+1+j])
		i += j + 2
	} else {
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j == 0 && len(s) == 0 {
			return []string{}
		}
		args = append(args, s[i:j])
		i = j
	}
	var cur []byte
	inQuotes, have := false, false
	for i < len(s) {
		c := s[i]
		switch {
		case (c == ' ' || c == '\t') && !inQuotes:
			if have {
				args = append(args, string(cur))
				cur, have = cur[:0], false
			}
			i++
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur = append(cur, strings.Repeat(`\`, n/2)...)
				if n%2 == 1 {
					cur = append(cur, '"')
					i++
				}
			} else {
				cur = append(cur, strings.Repeat(`\`, n)...)
			}
			have = true
		case c == '"':
			if inQuotes && i+1 < len(s) && s[i+1] == '"' {
				cur = append(cur, '"')
				i += 2
			} else {
				inQuotes = !inQuotes
				i++
			}
			have = true
		default:
			cur = append(cur, c)
			have = true
			i++
		}
	}
	if have {
		args = append(args, string(cur))
	}
	return args
}
