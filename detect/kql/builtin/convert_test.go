package builtin

import (
	"testing"
)

func TestConversionFunctions(t *testing.T) {
	runCases(t, []fcase{
		{"tostring", a(L(123)), "123"},
		{"tostring", a(N), ""},
		{"tostring", a(R(1.5)), "1.5"},
		{"tostring", a(B(true)), "true"},
		{"tostring", a(DT("2015-12-31 23:59:59.9")), "2015-12-31T23:59:59.9000000Z"},
		{"tostring", a(TS("1.5h")), "01:30:00"},
		{"tostring", a(D(`{"a":1}`)), `{"a":1}`},
		{"tostring", a(D(`"text"`)), "text"},
		{"tostring", a(S("a\xffb")), "a\xffb"},
		{"toint", a(S("123")), "123"},
		{"toint", a(R(2.3)), "2"},
		{"toint", a(S("not a number")), "null"},
		{"toint", a(L(1 << 40)), "null"},
		{"toint", a(N), "null"},
		{"toint", a(D(`[100,101]`)), "null"},
		{"tolong", a(S("42")), "42"},
		{"tolong", a(S("not a number")), "null"},
		{"tolong", a(D(`101`)), "101"},
		{"toreal", a(S("1.5")), "1.5"},
		{"todouble", a(L(3)), "3"},
		{"toreal", a(S("x")), "null"},
		{"todecimal", a(S("123.45678")), "123.45678"},
		{"tobool", a(S("true")), "true"},
		{"tobool", a(S("false")), "false"},
		{"tobool", a(L(1)), "true"},
		{"tobool", a(L(123)), "true"},
		{"toboolean", a(S("maybe")), "null"},
		{"toguid", a(S("0123456789abcdef0123456789abcdef")), "01234567-89ab-cdef-0123-456789abcdef"},
		{"toguid", a(S("0123456789ab-cdef-0123-456789abcdef")), "01234567-89ab-cdef-0123-456789abcdef"},
		{"toguid", a(S("a string that is not a guid")), "null"},
		{"todatetime", a(S("12-02-2022")), "2022-12-02T00:00:00.0000000Z"},
		{"todatetime", a(S("2015-12-31 23:59:59.9")), "2015-12-31T23:59:59.9000000Z"},
		{"todatetime", a(S("7/5/2023, 2:16:44.756 PM")), "2023-07-05T14:16:44.7560000Z"},
		{"todatetime", a(S("not a date")), "null"},
		{"todatetime", a(L(5)), "null"},
		{"todatetime", a(DT("2020-01-01")), "2020-01-01T00:00:00.0000000Z"},
		{"totimespan", a(S("0.00:03:00")), "00:03:00"},
		{"totimespan", a(TS("4d")), "4.00:00:00"},
		{"totimespan", a(S("nope")), "null"},
		{"tohex", a(L(256)), "100"},
		{"tohex", a(L(-256)), "ffffffffffffff00"},
		{"tohex", a(I(-256), L(8)), "ffffff00"},
		{"tohex", a(L(256), L(8)), "00000100"},
		{"tohex", a(L(256), L(2)), "100"},
		{"tohex", a(N), ""},
		{"gettype", a(S("a")), "string"},
		{"gettype", a(L(111)), "long"},
		{"gettype", a(B(true)), "bool"},
		{"gettype", a(DT("2020-01-01")), "datetime"},
		{"gettype", a(TS("1s")), "timespan"},
		{"gettype", a(D(`1`)), "int"},
		{"gettype", a(D(`"abc"`)), "string"},
		{"gettype", a(D(`{"abc":1}`)), "dictionary"},
		{"gettype", a(D(`[1,2,3]`)), "array"},
		{"gettype", a(R(123.45)), "real"},
		{"gettype", a(N), "null"},
		{"isnull", a(N), "true"},
		{"isnull", a(S("")), "false"},
		{"isnotnull", a(L(1)), "true"},
		{"notnull", a(N), "false"},
		{"isempty", a(S("")), "true"},
		{"isempty", a(S("x")), "false"},
		{"isempty", a(N), "true"},
		{"isempty", a(D(`[]`)), "false"},
		{"isempty", a(D(`{}`)), "false"},
		{"isnotempty", a(S("x")), "true"},
		{"notempty", a(S("")), "false"},
	})
	// Documented compositions (cases.tsv isempty-3, coalesce, dynamic-cast-index).
	if got := call(t, "isempty", call(t, "parse_json", S(""))); fshow(got) != "true" {
		t.Errorf("isempty(parse_json(\"\")) = %s", fshow(got))
	}
	if got := call(t, "gettype", call(t, "parse_json", S(""))); got.S != "null" {
		t.Errorf("gettype(parse_json('')) = %s", got.S)
	}
	arr := call(t, "parse_json", S("[100,101,102]"))
	if got := call(t, "toint", arr.Array()[1]); fshow(got) != "101" {
		t.Errorf("toint(parse_json('[100,101,102]')[1]) = %s", fshow(got))
	}
}
