package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"offhunt/detect/data"
	"offhunt/detect/kql/textmatch"
)

// String functions. Kusto counts string positions and lengths in
// characters; offhunt counts Unicode code points, and a byte that is not
// valid UTF-8 counts as one character (log data is often mis-encoded, and
// every byte must stay addressable). Results are never null: a string
// function that fails gives "".

func init() {
	register(
		fn("tolower(value: string): string", evalToLower),
		fn("toupper(value: string): string", evalToUpper),
		fn("strlen(source: string): long", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewLong(int64(runeLen(argString(a[0]))))
		}),
		fn("string_size(source: string): long", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewLong(int64(len(argString(a[0]))))
		}),
		fn("substring(source: scalar, startingIndex: long [, length: long]): string", evalSubstring),
		fn("strcat(argument: scalar, ...): string", evalStrcat, maxArgs(64)),
		fn("strcat_delim(delimiter: string, argument1: scalar, argument2: scalar, ...): string", evalStrcatDelim, maxArgs(65)),
		fn("strcat_array(array: dynamic, delimiter: string): string", evalStrcatArray),
		fn("split(source: string, delimiter: string [, requestedIndex: long]): dynamic", evalSplit),
		fn("replace_string(text: string, lookup: string, rewrite: string): string", func(_ *CallContext, a []data.Value) data.Value {
			text, lookup := argString(a[0]), argString(a[1])
			if lookup == "" || !strings.Contains(text, lookup) {
				return data.NewString(text)
			}
			return data.NewString(strings.ReplaceAll(text, lookup, argString(a[2])))
		}),
		fn("reverse(value: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewString(reverseString(argString(a[0])))
		}),
		fn("indexof(source: scalar, lookup: scalar [, start_index: long [, length: long [, occurrence: long]]]): long", evalIndexOf),
		fn("translate(searchList: string, replacementList: string, source: string): string", evalTranslate),
		fn("strrep(value: scalar, multiplier: long [, delimiter: string]): string", evalStrrep),
		fn("strcmp(string1: string, string2: string): long", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewLong(int64(strings.Compare(argString(a[0]), argString(a[1]))))
		}),
		fn("isascii(value: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(textmatch.IsASCII(argString(a[0])))
		}),
		fn("has_any_index(source: string, values: dynamic): long", evalHasAnyIndex),
		fn("isutf8(value: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			return boolValue(utf8.ValidString(argString(a[0])))
		}),
	)
}

// runeLen counts characters: code points, with each invalid byte as one.
// utf8.RuneCountInString counts the same way.
func runeLen(s string) int {
	if textmatch.IsASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// runeOffset returns the byte offset of character n of s (len(s) when n
// is past the end).
func runeOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	i := 0
	for ; n > 0 && i < len(s); n-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// evalToLower lowers ASCII and Unicode letters. The common case, text that
// is already lower-case ASCII, returns the argument without allocating;
// invalid UTF-8 bytes are kept as they are.
func evalToLower(_ *CallContext, a []data.Value) data.Value {
	s := argString(a[0])
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			break
		}
	}
	if i == len(s) {
		return data.NewString(s)
	}
	return data.NewString(mapCase(s, i, unicode.ToLower))
}

// evalToUpper is evalToLower's mirror.
func evalToUpper(_ *CallContext, a []data.Value) data.Value {
	s := argString(a[0])
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			break
		}
	}
	if i == len(s) {
		return data.NewString(s)
	}
	return data.NewString(mapCase(s, i, unicode.ToUpper))
}

// mapCase maps s from byte from on (everything before is unchanged),
// keeping bytes that are not valid UTF-8.
func mapCase(s string, from int, f func(rune) rune) string {
	b := make([]byte, 0, len(s)+4)
	b = append(b, s[:from]...)
	for i := from; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, byte(f(rune(c))))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, c)
		} else {
			b = utf8.AppendRune(b, f(r))
		}
		i += size
	}
	return string(b)
}

// evalSubstring: substring(source, start[, length]) in characters. A
// negative start counts from the end; a start past the end, or a negative
// length, gives "".
func evalSubstring(_ *CallContext, a []data.Value) data.Value {
	s := argString(a[0])
	start, ok := argLong(a[1])
	if !ok {
		return data.EmptyString
	}
	n := int64(runeLen(s))
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if start >= n {
		return data.EmptyString
	}
	length := n - start
	if len(a) > 2 {
		l, ok := argLong(a[2])
		if !ok || l < 0 {
			return data.EmptyString
		}
		if l < length {
			length = l
		}
	}
	if int64(len(s)) == n { // ASCII: characters are bytes
		return data.NewString(s[start : start+length])
	}
	from := runeOffset(s, int(start))
	to := from + runeOffset(s[from:], int(length))
	return data.NewString(s[from:to])
}

func evalStrcat(_ *CallContext, a []data.Value) data.Value {
	if len(a) == 1 {
		return data.NewString(argString(a[0]))
	}
	var sb strings.Builder
	for _, v := range a {
		sb.WriteString(argString(v))
	}
	return data.NewString(sb.String())
}

func evalStrcatDelim(_ *CallContext, a []data.Value) data.Value {
	delim := argString(a[0])
	var sb strings.Builder
	for i, v := range a[1:] {
		if i > 0 {
			sb.WriteString(delim)
		}
		sb.WriteString(argString(v))
	}
	return data.NewString(sb.String())
}

// evalStrcatArray joins an array's elements, each converted as tostring()
// does; a value that is not an array gives "".
func evalStrcatArray(_ *CallContext, a []data.Value) data.Value {
	items := a[0].Array()
	if len(items) == 0 {
		return data.EmptyString
	}
	delim := argString(a[1])
	var sb strings.Builder
	for i, v := range items {
		if i > 0 {
			sb.WriteString(delim)
		}
		sb.WriteString(argString(v))
	}
	return data.NewString(sb.String())
}

// evalSplit: split(source, delimiter[, index]). An empty source gives
// [""]; with an index the result is a one-element array, or an empty
// array when the index is out of range. An empty delimiter does not split.
func evalSplit(_ *CallContext, a []data.Value) data.Value {
	s, delim := argString(a[0]), argString(a[1])
	var parts []string
	if delim == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, delim)
	}
	if len(a) > 2 {
		idx, ok := argLong(a[2])
		if !ok {
			return data.Null
		}
		if idx < 0 || idx >= int64(len(parts)) {
			return data.NewArray(nil)
		}
		return data.NewArray([]data.Value{data.NewString(parts[idx])})
	}
	out := make([]data.Value, len(parts))
	for i, p := range parts {
		out[i] = data.NewString(p)
	}
	return data.NewArray(out)
}

func reverseString(s string) string {
	if len(s) < 2 {
		return s
	}
	b := make([]byte, len(s))
	if textmatch.IsASCII(s) {
		for i := 0; i < len(s); i++ {
			b[len(s)-1-i] = s[i]
		}
		return string(b)
	}
	end := len(b)
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		copy(b[end-size:end], s[i:i+size])
		end -= size
		i += size
	}
	return string(b)
}

// evalIndexOf: indexof(source, lookup[, start[, length[, occurrence]]]),
// in characters. Non-string arguments are converted to strings, as Kusto
// does (indexof(1234567, 5, 1, 4) is 4). A negative start counts from the
// end. length -1 means "to the end"; otherwise the characters examined
// are start..start+length inclusive, which is what Kusto's documented
// examples show (indexof("abcdefgabcdefg", "cde", 1, 10, 2) is 9).
// Returns -1 when not found, and null for a length below -1 or an
// occurrence below 1.
func evalIndexOf(_ *CallContext, a []data.Value) data.Value {
	src, look := argString(a[0]), argString(a[1])
	start, length, occ, ok := searchRangeArgs(a)
	if !ok {
		return data.Null
	}
	ascii := textmatch.IsASCII(src)
	n := int64(len(src))
	if !ascii {
		n = int64(utf8.RuneCountInString(src))
	}
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if start > n {
		return data.NewLong(-1)
	}
	end := n
	if length >= 0 && start+length+1 < n {
		end = start + length + 1
	}
	from, to := int(start), int(end)
	if !ascii {
		from = runeOffset(src, int(start))
		to = from + runeOffset(src[from:], int(end-start))
	}
	window := src[from:to]
	pos := 0
	for {
		i := strings.Index(window[pos:], look)
		if i < 0 {
			return data.NewLong(-1)
		}
		pos += i
		occ--
		if occ == 0 {
			break
		}
		if look == "" {
			pos++
			if pos > len(window) {
				return data.NewLong(-1)
			}
			continue
		}
		pos++ // occurrences may overlap
	}
	if ascii {
		return data.NewLong(start + int64(pos))
	}
	return data.NewLong(start + int64(utf8.RuneCountInString(window[:pos])))
}

// evalTranslate replaces each character of searchList found in source by
// the character at the same position of replacementList; when
// replacementList is shorter, its last character is used, and when it is
// empty the characters are removed (the documented examples).
func evalTranslate(_ *CallContext, a []data.Value) data.Value {
	search, repl, src := []rune(argString(a[0])), []rune(argString(a[1])), argString(a[2])
	if len(search) == 0 || src == "" {
		return data.NewString(src)
	}
	var b strings.Builder
	b.Grow(len(src))
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(src[i])
			i++
			continue
		}
		i += size
		k := -1
		for j, sr := range search {
			if sr == r {
				k = j
				break
			}
		}
		switch {
		case k < 0:
			b.WriteRune(r)
		case len(repl) == 0:
		case k < len(repl):
			b.WriteRune(repl[k])
		default:
			b.WriteRune(repl[len(repl)-1])
		}
	}
	return data.NewString(b.String())
}

// maxStrrep is the largest multiplier strrep honours (Kusto's limit);
// maxStrrepBytes keeps a hostile value from building a huge string.
const (
	maxStrrep      = 1024
	maxStrrepBytes = 16 << 20
)

// evalStrrep repeats a value (converted to a string) with an optional
// delimiter between the copies.
func evalStrrep(_ *CallContext, a []data.Value) data.Value {
	s := argString(a[0])
	n, ok := argLong(a[1])
	if !ok || n <= 0 {
		return data.EmptyString
	}
	if n > maxStrrep {
		n = maxStrrep
	}
	delim := ""
	if len(a) > 2 {
		delim = argString(a[2])
	}
	if (int64(len(s))+int64(len(delim)))*n > maxStrrepBytes {
		return data.EmptyString
	}
	var sb strings.Builder
	sb.Grow(int(n) * (len(s) + len(delim)))
	for i := int64(0); i < n; i++ {
		if i > 0 {
			sb.WriteString(delim)
		}
		sb.WriteString(s)
	}
	return data.NewString(sb.String())
}

// hasAnyCache keeps the matchers of has_any_index's values, which are
// almost always a constant array: they are rebuilt only when the values
// change.
type hasAnyCache struct {
	needles  []string
	matchers []*textmatch.Matcher
}

// evalHasAnyIndex returns the index of the first element of values that
// source has (as the has operator decides: a whole term, case-insensitive),
// or -1. Elements that are not strings are converted as tostring() does.
func evalHasAnyIndex(c *CallContext, a []data.Value) data.Value {
	items := a[1].Array()
	if a[1].K != data.KArray {
		return data.Null
	}
	c = ctx(c)
	hc, _ := c.State.(*hasAnyCache)
	if hc == nil || !sameNeedles(hc.needles, items) {
		hc = &hasAnyCache{needles: make([]string, len(items)), matchers: make([]*textmatch.Matcher, len(items))}
		for i, it := range items {
			hc.needles[i] = argString(it)
			hc.matchers[i] = textmatch.New(textmatch.Has, hc.needles[i])
		}
		c.State = hc
	}
	src := argString(a[0])
	for i, m := range hc.matchers {
		if m.Match(src) {
			return data.NewLong(int64(i))
		}
	}
	return data.NewLong(-1)
}

func sameNeedles(needles []string, items []data.Value) bool {
	if len(needles) != len(items) {
		return false
	}
	for i, it := range items {
		if it.K != data.KString || it.S != needles[i] {
			if it.K == data.KString || data.ToString(it) != needles[i] {
				return false
			}
		}
	}
	return true
}
