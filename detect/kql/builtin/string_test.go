package builtin

import (
	"strings"
	"testing"

	"offhunt/detect/data"
)

func TestStringFunctions(t *testing.T) {
	runCases(t, []fcase{
		{"tolower", a(S("AbC")), "abc"},
		{"tolower", a(S("ÀÉÎ")), "àéî"},
		{"tolower", a(S("A\xffB")), "a\xffb"},
		{"tolower", a(N), ""},
		{"toupper", a(S("abc-é")), "ABC-É"},
		{"toupper", a(D(`123`)), "123"},
		{"strlen", a(S("hello")), "5"},
		{"strlen", a(S("⒦⒰⒮⒯⒪")), "5"},
		{"strlen", a(S("a\xffb")), "3"},
		{"strlen", a(S("")), "0"},
		{"strlen", a(N), "0"},
		{"string_size", a(S("hello")), "5"},
		{"string_size", a(S("⒦⒰⒮⒯⒪")), "15"},
		{"substring", a(S("123456"), L(1)), "23456"},
		{"substring", a(S("123456"), L(2), L(2)), "34"},
		{"substring", a(S("ABCD"), L(0), L(2)), "AB"},
		{"substring", a(S("123456"), L(-2), L(2)), "56"},
		{"substring", a(S("123456"), L(-10), L(2)), "12"},
		{"substring", a(S("123456"), L(10)), ""},
		{"substring", a(S("123456"), L(1), L(-1)), ""},
		{"substring", a(S("123456"), L(1), L(100)), "23456"},
		{"substring", a(S("⒦⒰⒮⒯⒪"), L(1), L(2)), "⒰⒮"},
		{"substring", a(S("a\xffbc"), L(1), L(2)), "\xffb"},
		{"substring", a(S("abc"), N), ""},
		{"substring", a(L(12345), L(1), L(2)), "23"},
		{"strcat", a(S("hello"), S(" "), S("world")), "hello world"},
		{"strcat", a(S("a"), L(1), N, R(1.5), B(true), TS("1s")), "a11.5true00:00:01"},
		{"strcat", a(D(`{"a":1}`)), `{"a":1}`},
		{"strcat_delim", a(S("-"), L(1), S("2"), S("A"), TS("1s")), "1-2-A-00:00:01"},
		{"strcat_array", a(D(`[1,2,3]`), S("->")), "1->2->3"},
		{"strcat_array", a(D(`[1,2,3]`), S(`"`)), `1"2"3`},
		{"strcat_array", a(D(`["a",null,"b"]`), S(",")), "a,,b"},
		{"strcat_array", a(D(`"x"`), S(",")), ""},
		{"split", a(S("aa_bb"), S("_")), `["aa","bb"]`},
		{"split", a(S("aaa_bbb_ccc"), S("_"), L(1)), `["bbb"]`},
		{"split", a(S("aaa_bbb_ccc"), S("_"), L(7)), `[]`},
		{"split", a(S(""), S("_")), `[""]`},
		{"split", a(S("a__b"), S("_")), `["a","","b"]`},
		{"split", a(S("aabbcc"), S("bb")), `["aa","cc"]`},
		{"split", a(S("abc"), S("")), `["abc"]`},
		{"replace_string", a(S("A magic trick can turn a cat into a dog"), S("cat"), S("hamster")),
			"A magic trick can turn a hamster into a dog"},
		{"replace_string", a(S("aaa"), S(""), S("x")), "aaa"},
		{"reverse", a(S("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), "ZYXWVUTSRQPONMLKJIHGFEDCBA"},
		{"reverse", a(S("ab⒦")), "⒦ba"},
		{"reverse", a(L(123)), "321"},
		{"reverse", a(N), ""},
		{"translate", a(S("abc"), S("x"), S("abc")), "xxx"},
		{"translate", a(S("abc"), S(""), S("ab")), ""},
		{"translate", a(S("krasp"), S("otsku"), S("spark")), "kusto"},
		{"translate", a(S("–”“"), S(`-""`), S("a –x ”y“")), `a -x "y"`},
		{"strrep", a(S("ABC"), L(2)), "ABCABC"},
		{"strrep", a(S("ABC"), L(2), S(" ")), "ABC ABC"},
		{"strrep", a(L(123), L(3), S(",")), "123,123,123"},
		{"strrep", a(S("x"), L(0)), ""},
		{"strcmp", a(S("ABC"), S("ABC")), "0"},
		{"strcmp", a(S("abc"), S("ABC")), "1"},
		{"strcmp", a(S("ABC"), S("abc")), "-1"},
		{"isascii", a(S("some string")), "true"},
		{"isascii", a(S("é")), "false"},
		{"isutf8", a(S("é")), "true"},
		{"isutf8", a(S("\xff")), "false"},
		// cases.tsv has_any_index.
		{"has_any_index", a(S("this is an example"), D(`["this", "example"]`)), "0"},
		{"has_any_index", a(S("this is an example"), D(`["not", "example"]`)), "1"},
		{"has_any_index", a(S("this is an example"), D(`["not", "found"]`)), "-1"},
		{"has_any_index", a(S("Example number 2"), D(`[1,2,3]`)), "1"},
		{"has_any_index", a(S("this is an example"), D(`[]`)), "-1"},
		{"has_any_index", a(S("this is an example"), D(`"this"`)), "null"},
	})
}

func TestIndexOf(t *testing.T) {
	// The documented examples (cases.tsv id indexof).
	runCases(t, []fcase{
		{"indexof", a(S("abcdefg"), S("cde")), "2"},
		{"indexof", a(S("abcdefg"), S("cde"), L(1), L(4)), "2"},
		{"indexof", a(S("abcdefg"), S("cde"), L(1), L(2)), "-1"},
		{"indexof", a(S("abcdefg"), S("cde"), L(3), L(4)), "-1"},
		{"indexof", a(S("abcdefg"), S("cde"), L(-5)), "2"},
		{"indexof", a(L(1234567), L(5), L(1), L(4)), "4"},
		{"indexof", a(S("abcdefg"), S("cde"), L(2), L(-1)), "2"},
		{"indexof", a(S("abcdefgabcdefg"), S("cde"), L(1), L(10), L(2)), "9"},
		{"indexof", a(S("abcdefgabcdefg"), S("cde"), L(1), L(-1), L(3)), "-1"},
		// Edges.
		{"indexof", a(S("⒦⒰⒮⒯⒪"), S("⒮")), "2"},
		{"indexof", a(S("aaaa"), S("aa"), L(0), L(-1), L(3)), "2"},
		{"indexof", a(S("abc"), S("")), "0"},
		{"indexof", a(S("abc"), S("a"), L(10)), "-1"},
		{"indexof", a(S("abc"), S("a"), L(0), L(-2)), "null"},
		{"indexof", a(S("abc"), S("a"), L(0), L(-1), L(0)), "null"},
		{"indexof", a(S(""), S("a")), "-1"},
	})
}

func TestStringBindErrors(t *testing.T) {
	if msg := bindError("substring", data.String, data.String); !strings.Contains(msg, "expects a number as its second argument") {
		t.Errorf("substring(string, string): %q", msg)
	}
	if msg := bindError("strlen", data.Long); !strings.Contains(msg, "expects a string as its first argument") {
		t.Errorf("strlen(long): %q", msg)
	}
	for _, ok := range [][]data.Type{{data.Dynamic}, {data.Unknown}, {data.String}} {
		if msg := bindError("strlen", ok...); msg != "" {
			t.Errorf("strlen(%v): %q", ok, msg)
		}
	}
	if msg := bindError("strcat", data.Long, data.DateTime, data.Dynamic); msg != "" {
		t.Errorf("strcat accepts any scalar: %q", msg)
	}
}

// TestToLowerNoAlloc checks the hot path: text that is already lower-case
// ASCII comes back without allocating.
func TestToLowerNoAlloc(t *testing.T) {
	args := []data.Value{S("c:\\windows\\system32\\cmd.exe /c whoami")}
	allocs := testing.AllocsPerRun(100, func() {
		evalToLower(nil, args)
		_ = runeLen(args[0].S)
	})
	if allocs != 0 {
		t.Errorf("tolower of lower-case ASCII allocated %v times", allocs)
	}
}

func TestHugeStrings(t *testing.T) {
	big := strings.Repeat("Ab⒦\xff", 1<<18) // 1.5 MB, mixed and invalid UTF-8
	if got := call(t, "strlen", S(big)); got.I != 4<<18 {
		t.Errorf("strlen = %d", got.I)
	}
	if got := call(t, "tolower", S(big)); len(got.S) != len(big) {
		t.Errorf("tolower changed the length: %d", len(got.S))
	}
	if got := call(t, "substring", S(big), L(-3)); got.S != "b⒦\xff" {
		t.Errorf("substring from end = %q", got.S)
	}
	if got := call(t, "reverse", S(big)); len(got.S) != len(big) {
		t.Error("reverse changed the length")
	}
	if got := call(t, "strrep", S(big), L(1024)); got.S != "" {
		t.Error("strrep must refuse a result beyond its byte limit")
	}
}

func TestEncodingFunctions(t *testing.T) {
	runCases(t, []fcase{
		{"base64_decode_tostring", a(S("S3VzdG8=")), "Kusto"},
		{"base64_decode_tostring", a(S("S3VzdG8")), "Kusto"},
		{"base64_decode_tostring", a(S("U3RyaW5n0KHR0tGA0L7Rh9C60LA=")), ""},
		{"base64_decode_tostring", a(S("!!!")), ""},
		{"base64_decode_tostring", a(N), ""},
		{"base64_encode_tostring", a(S("Kusto")), "S3VzdG8="},
		{"base64_decode_toarray", a(S("S3VzdG8=")), "[75,117,115,116,111]"},
		{"url_decode", a(S(`https%3a%2f%2fwww.bing.com%2f`)), "https://www.bing.com/"},
		{"url_decode", a(S(`a+b%zz%4`)), "a b%zz%4"},
		{"url_encode", a(S("https://www.bing.com/hello world")), "https%3a%2f%2fwww.bing.com%2fhello+world"},
		{"url_encode_component", a(S("https://www.bing.com/hello world/")), "https%3a%2f%2fwww.bing.com%2fhello%20world%2f"},
		{"hash_sha256", a(S("World")), "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524"},
		{"hash_md5", a(S("World")), "f5a7924e621e84c9280a9a27e1bcb7f6"},
		{"hash_sha1", a(S("World")), "70c07ec18ef89c5309bbb0937f3a6342411e1fdd"},
		{"hash_sha256", a(N), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	})
}
