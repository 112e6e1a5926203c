package builtin

import (
	"regexp"
	"strings"

	"offhunt/detect/data"
)

// Regular-expression functions. Patterns compile once per call site (see
// CallContext.regex); a pattern that is invalid or longer than
// MaxRegexLength makes the function give null ("" for string results).
// Patterns are not required to be constants: they almost always are (a
// literal or a let), and the per-call-site cache keeps a pattern that
// varies by row bounded, so refusing such queries would gain nothing.

func init() {
	register(
		fn("extract(regex: string, captureGroup: long, source: string [, typeName: string]): string", evalExtract,
			returns(extractType), returnsConst(extractConstType)),
		fn("extract_all(regex: string, captureGroupsOrSource: dynamic|string [, source: string]): dynamic", evalExtractAll,
			display("extract_all(regex: string, [captureGroups: dynamic,] source: string): dynamic")),
		fn("replace_regex(source: string, lookup_regex: string, rewrite_pattern: string): string", evalReplaceRegex),
		fn("trim(regex: string, source: string): string", func(c *CallContext, a []data.Value) data.Value {
			return evalTrim(c, a, true, true)
		}),
		fn("trim_start(regex: string, source: string): string", func(c *CallContext, a []data.Value) data.Value {
			return evalTrim(c, a, true, false)
		}),
		fn("trim_end(regex: string, source: string): string", func(c *CallContext, a []data.Value) data.Value {
			return evalTrim(c, a, false, true)
		}),
		fn("countof(source: string, search: string [, kind: string]): long", evalCountOf),
	)
}

// extractConstType is extract's ReturnConst. Its fourth argument names
// the result type; the binder passes typeof(T) as the constant string "T",
// so the static type is only known from the constant.
func extractConstType(b *Builtin) func(args []data.Type, consts []*data.Value) (data.Type, string) {
	return func(args []data.Type, consts []*data.Value) (data.Type, string) {
		t, msg := b.Return(args)
		if msg != "" || len(args) < 4 || len(consts) < 4 || consts[3] == nil {
			return t, msg
		}
		named, ok := parseTypeName(argString(*consts[3]))
		if !ok {
			return data.Unknown, "expects a type such as typeof(long) as its fourth argument"
		}
		return named, ""
	}
}

// extractType is extract's Return without the constants: a string, or a
// type only known at run time when a target type is given.
func extractType(args []data.Type) (data.Type, string) {
	if len(args) >= 4 {
		return data.Unknown, ""
	}
	return data.String, ""
}

// parseTypeName reads a type name as extract's fourth argument carries
// it: "long", or "typeof(long)" written out.
func parseTypeName(s string) (data.Type, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "typeof(") && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[len("typeof(") : len(s)-1])
	}
	return data.ParseType(s)
}

// evalExtract: extract(regex, group, source[, type]). Group 0 is the whole
// match. No match, a group that does not exist or did not take part in
// the match give "" (null when a target type is given); the match is
// converted as the to*() function of the target type would.
func evalExtract(c *CallContext, a []data.Value) data.Value {
	// With a target type the result is null on failure, except that a
	// string is never null.
	typed := len(a) > 3
	target := data.String
	if typed {
		t, ok := parseTypeName(argString(a[3]))
		if !ok {
			return data.Null
		}
		target = t
	}
	fail := data.EmptyString
	if target != data.String {
		fail = data.Null
	}
	re, ok := ctx(c).regex(argString(a[0]))
	if !ok {
		return fail
	}
	group, ok := argLong(a[1])
	if !ok || group < 0 || group > int64(re.NumSubexp()) {
		return fail
	}
	src := argString(a[2])
	var loc []int
	if group == 0 {
		loc = re.FindStringIndex(src)
	} else {
		loc = re.FindStringSubmatchIndex(src)
	}
	if loc == nil || loc[2*group] < 0 {
		return fail
	}
	text := src[loc[2*group]:loc[2*group+1]]
	if target == data.String {
		return data.NewString(text)
	}
	return Convert(data.NewString(text), target)
}

// evalExtractAll: extract_all(regex[, captureGroups], source). Every
// match contributes the selected groups: the result is an array of
// strings when one group is selected (or the regex has one), otherwise an
// array of arrays. captureGroups lists group numbers (0 is the whole
// match) or names. No match gives null. A regex without groups yields the
// whole matches.
func evalExtractAll(c *CallContext, a []data.Value) data.Value {
	re, ok := ctx(c).regex(argString(a[0]))
	if !ok {
		return data.Null
	}
	src := a[len(a)-1]
	var groups []int
	if len(a) == 3 {
		sel := a[1].Array()
		if a[1].K != data.KArray || len(sel) == 0 {
			return data.Null
		}
		for _, g := range sel {
			if g.K == data.KString {
				i := re.SubexpIndex(g.S)
				if i < 0 {
					return data.Null
				}
				groups = append(groups, i)
				continue
			}
			i, ok := argLong(g)
			if !ok || i < 0 || i > int64(re.NumSubexp()) {
				return data.Null
			}
			groups = append(groups, int(i))
		}
	} else {
		for i := 1; i <= re.NumSubexp(); i++ {
			groups = append(groups, i)
		}
		if len(groups) == 0 {
			groups = []int{0}
		}
	}
	text := argString(src)
	matches := re.FindAllStringSubmatchIndex(text, -1)
	if len(matches) == 0 {
		return data.Null
	}
	out := make([]data.Value, len(matches))
	for i, m := range matches {
		if len(groups) == 1 {
			out[i] = data.NewString(submatch(text, m, groups[0]))
			continue
		}
		row := make([]data.Value, len(groups))
		for j, g := range groups {
			row[j] = data.NewString(submatch(text, m, g))
		}
		out[i] = data.NewArray(row)
	}
	return data.NewArray(out)
}

func submatch(s string, loc []int, g int) string {
	if 2*g+1 >= len(loc) || loc[2*g] < 0 {
		return ""
	}
	return s[loc[2*g]:loc[2*g+1]]
}

// evalReplaceRegex replaces every match; in the rewrite pattern \0 is the
// whole match and \1..\9 the groups (Kusto's syntax; '$' is literal).
func evalReplaceRegex(c *CallContext, a []data.Value) data.Value {
	src := argString(a[0])
	re, ok := ctx(c).regex(argString(a[1]))
	if !ok {
		return data.EmptyString
	}
	rewrite := argString(a[2])
	matches := re.FindAllStringSubmatchIndex(src, -1)
	if len(matches) == 0 {
		return data.NewString(src)
	}
	var b strings.Builder
	b.Grow(len(src))
	last := 0
	for _, m := range matches {
		b.WriteString(src[last:m[0]])
		for i := 0; i < len(rewrite); i++ {
			ch := rewrite[i]
			if ch == '\\' && i+1 < len(rewrite) && rewrite[i+1] >= '0' && rewrite[i+1] <= '9' {
				b.WriteString(submatch(src, m, int(rewrite[i+1]-'0')))
				i++
				continue
			}
			b.WriteByte(ch)
		}
		last = m[1]
	}
	b.WriteString(src[last:])
	return data.NewString(b.String())
}

// trimCache holds the anchored forms of one trim pattern.
type trimCache struct {
	pattern    string
	start, end *regexp.Regexp
	ok         bool
}

// evalTrim removes leading and/or trailing runs of matches of the regex
// (trim(@"[^\w]+", "-  Te st1// $") is "Te st1").
func evalTrim(c *CallContext, a []data.Value, leading, trailing bool) data.Value {
	c = ctx(c)
	pattern, src := argString(a[0]), argString(a[1])
	tc, _ := c.State.(*trimCache)
	if tc == nil || tc.pattern != pattern {
		tc = &trimCache{pattern: pattern}
		if len(pattern) <= MaxRegexLength {
			s, err1 := compileKustoRegex(`^(?:` + pattern + `)+`)
			e, err2 := compileKustoRegex(`(?:` + pattern + `)+$`)
			tc.start, tc.end, tc.ok = s, e, err1 == nil && err2 == nil
		}
		c.State = tc
	}
	if !tc.ok {
		return data.EmptyString
	}
	s := src
	if leading {
		if loc := tc.start.FindStringIndex(s); loc != nil {
			s = s[loc[1]:]
		}
	}
	if trailing {
		if loc := tc.end.FindStringIndex(s); loc != nil {
			s = s[:loc[0]]
		}
	}
	return data.NewString(s)
}

// evalCountOf counts occurrences: plain matches may overlap
// (countof("aaaa", "aa") is 3), regex matches do not.
func evalCountOf(c *CallContext, a []data.Value) data.Value {
	src, search := argString(a[0]), argString(a[1])
	kind := "normal"
	if len(a) > 2 {
		kind = argString(a[2])
	}
	switch kind {
	case "normal", "":
		if search == "" {
			return data.NewLong(0)
		}
		n, pos := 0, 0
		for {
			i := strings.Index(src[pos:], search)
			if i < 0 {
				break
			}
			n++
			pos += i + 1
		}
		return data.NewLong(int64(n))
	case "regex":
		re, ok := ctx(c).regex(search)
		if !ok {
			return data.Null
		}
		return data.NewLong(int64(len(re.FindAllStringIndex(src, -1))))
	}
	return data.Null
}
