package data

import (
	"math"
	"testing"
)

func TestToLong(t *testing.T) {
	tests := []struct {
		in   Value
		want int64
		ok   bool
	}{
		{NewLong(5), 5, true},
		{NewInt(-3), -3, true},
		{NewReal(2.7), 2, true},
		{NewReal(-2.7), -2, true},
		{NewReal(math.NaN()), 0, false},
		{NewReal(1e30), 0, false},
		{NewString("42"), 42, true},
		{NewString(" 42 "), 42, true},
		{NewString("2.7"), 2, true},
		{NewString("0x10"), 0, false},
		{NewString("not a number"), 0, false},
		{NewString(""), 0, false},
		{NewString("\xff"), 0, false},
		{NewBool(true), 1, true},
		{NewTimeSpan(10), 10, true},
		{Null, 0, false},
		{NewArray(nil), 0, false},
	}
	for _, tc := range tests {
		got, ok := ToLong(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ToLong(%v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := ToInt(NewLong(1 << 40)); ok {
		t.Error("ToInt accepted a value beyond 32 bits")
	}
}

func TestToRealAndBool(t *testing.T) {
	if f, ok := ToReal(NewString("1.5e3")); !ok || f != 1500 {
		t.Errorf("ToReal(1.5e3) = %v %v", f, ok)
	}
	if f, ok := ToReal(NewString("NaN")); !ok || !math.IsNaN(f) {
		t.Errorf("ToReal(NaN) = %v %v", f, ok)
	}
	if _, ok := ToReal(NewString("0x1p3")); ok {
		t.Error("ToReal accepted a hex float, which .NET does not")
	}
	if _, ok := ToReal(NewString("1_000")); ok {
		t.Error("ToReal accepted underscores")
	}
	bools := []struct {
		in       Value
		want, ok bool
	}{
		{NewString("true"), true, true},
		{NewString("FALSE"), false, true},
		{NewLong(123), true, true},
		{NewLong(0), false, true},
		{NewString("1"), true, true},
		{NewString("yes"), false, false},
		{Null, false, false},
	}
	for _, tc := range bools {
		got, ok := ToBool(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ToBool(%v) = %v, %v", tc.in, got, ok)
		}
	}
}

func TestParseGuid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0123456789abcdef0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"},
		{"01234567-89AB-CDEF-0123-456789ABCDEF", "01234567-89ab-cdef-0123-456789abcdef"},
		{"{01234567-89ab-cdef-0123-456789abcdef}", "01234567-89ab-cdef-0123-456789abcdef"},
		{"0123456789ab-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"}, // as the toguid() docs show
		{"a string that is not a guid", ""},
		{"0123456789abcdef0123456789abcdeg", ""},
	}
	for _, tc := range tests {
		got, ok := ParseGuid(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ParseGuid(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestCompareAndEqual(t *testing.T) {
	if Compare(NewLong(1), NewReal(1.5)) != -1 || Compare(NewReal(2), NewInt(1)) != 1 {
		t.Error("numbers of different kinds must compare by value")
	}
	if Compare(NewLong(1<<62+1), NewReal(1<<62)) != 1 || Compare(NewReal(-0.5), NewLong(0)) != -1 || Compare(NewReal(2), NewLong(2)) != 0 {
		t.Error("long/real comparison must be exact")
	}
	if Compare(Null, NewLong(-5)) != -1 || Compare(NewString("a"), Null) != 1 {
		t.Error("null must sort first")
	}
	if Compare(NewReal(math.NaN()), NewLong(-1e9)) != -1 {
		t.Error("NaN must sort before numbers")
	}
	if Compare(NewString("B"), NewString("a")) != -1 {
		t.Error("strings compare ordinally")
	}
	if !Equal(NewLong(1), NewReal(1)) || Equal(NewString("1"), NewLong(1)) {
		t.Error("Equal across kinds")
	}
	a, _ := ParseJSON(`{"a":1,"b":[1,2]}`)
	b, _ := ParseJSON(`{"b":[1,2.0],"a":1}`)
	if !Equal(a, b) || HashKey(a) != HashKey(b) {
		t.Errorf("bags equal regardless of key order: %q %q", HashKey(a), HashKey(b))
	}
	if HashKey(NewString("1")) == HashKey(NewLong(1)) {
		t.Error("a string and a number must not share a key")
	}
}

func TestKindTypeName(t *testing.T) {
	v, _ := ParseJSON(`[1, 12345678901, 1.5, "s", {"a":null}, true]`)
	want := []string{"int", "long", "real", "string", "dictionary", "bool"}
	for i, it := range v.Array() {
		if got := KindTypeName(it); got != want[i] {
			t.Errorf("item %d: %s, want %s", i, got, want[i])
		}
	}
	if KindTypeName(v) != "array" || KindTypeName(Null) != "null" {
		t.Error("array/null names")
	}
}
