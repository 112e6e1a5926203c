package builtin

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"offhunt/detect/data"
)

// Base64 and URL encodings. Decoders that fail give "" (a string result
// is never null in Kusto; the documentation's "null" displays as empty).

func init() {
	register(
		fn("base64_encode_tostring(value: string): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(base64.StdEncoding.EncodeToString([]byte(argString(a[0]))))
		}, aliases("base64_encodestring")),
		fn("base64_decode_tostring(base64_string: string): string", func(_ *CallContext, a []data.Value) data.Value {
			b, ok := decodeBase64(argString(a[0]))
			if !ok || !utf8.Valid(b) {
				return data.EmptyString
			}
			return data.NewString(string(b))
		}, aliases("base64_decodestring")),
		fn("base64_decode_toarray(base64_string: string): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			b, ok := decodeBase64(argString(a[0]))
			if !ok {
				return data.Null
			}
			out := make([]data.Value, len(b))
			for i, c := range b {
				out[i] = data.NewLong(int64(c))
			}
			return data.NewArray(out)
		}),
		fn("url_decode(encoded_url: string): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(urlDecode(argString(a[0]), true))
		}),
		fn("url_encode(url: string): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(urlEncode(argString(a[0]), true))
		}),
		fn("url_encode_component(url: string): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(urlEncode(argString(a[0]), false))
		}),
	)
}

// decodeBase64 decodes standard base64 as .NET's Convert.FromBase64String
// does: white space is ignored and padding is expected, though text that
// lacks only its padding is accepted too (command lines often lose it).
func decodeBase64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// urlDecode decodes %xx escapes (and '+' as a space when plus is set), as
// .NET's HttpUtility.UrlDecode does; a '%' that starts no valid escape is
// kept as it is.
func urlDecode(s string, plus bool) string {
	if strings.IndexByte(s, '%') < 0 && (!plus || strings.IndexByte(s, '+') < 0) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' && plus:
			b = append(b, ' ')
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// urlEncode percent-encodes s as .NET's HttpUtility.UrlEncode does
// (Kusto's url_encode): letters, digits and -_.!*() stay, a space becomes
// '+' (or %20 for url_encode_component), every other byte becomes %xx in
// lower-case hex.
func urlEncode(s string, spaceAsPlus bool) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '!', c == '*', c == '(', c == ')':
			b.WriteByte(c)
		case c == ' ' && spaceAsPlus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
