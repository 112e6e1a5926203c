package data

import (
	"strings"
	"testing"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in, want string // want is the compact JSON form; "" means an error
	}{
		{`{"a":123, "b":"{\"c\":456}"}`, `{"a":123,"b":"{\"c\":456}"}`},
		{`{"duration":{"value":118.0,"count":5.0}}`, `{"duration":{"value":118,"count":5}}`},
		{` [1, 2, "hello"] `, `[1,2,"hello"]`},
		{`null`, `null`},
		{`"x\u00e9\ud83d\ude00"`, `"xé😀"`},
		{`"\ud800"`, `"` + "\ufffd" + `"`},
		{`{'a':'b'}`, `{"a":"b"}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`-12.5e1`, `-125`},
		{`[1,]`, ``},
		{`{"a" 1}`, ``},
		{`[1] x`, ``},
		{`tru`, ``},
		{`"unterminated`, ``},
		{"\"ctrl\x01\"", ``},
		{`01x`, ``},
		{``, ``},
	}
	for _, tc := range tests {
		v, err := ParseJSON(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseJSON(%q) = %s, want an error", tc.in, AppendJSON(nil, v))
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseJSON(%q): %v", tc.in, err)
			continue
		}
		if got := string(AppendJSON(nil, v)); got != tc.want {
			t.Errorf("ParseJSON(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseJSONInvalidUTF8(t *testing.T) {
	v, err := ParseJSON("{\"k\":\"a\xffb\"}")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.Bag().Get("k")
	if s.S != "a\xffb" {
		t.Errorf("invalid UTF-8 must be kept, got %q", s.S)
	}
}

func TestParseJSONDepth(t *testing.T) {
	ok := strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth)
	if _, err := ParseJSON(ok); err != nil {
		t.Errorf("depth %d: %v", MaxJSONDepth, err)
	}
	deep := strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1)
	if _, err := ParseJSON(deep); err != ErrJSONDepth {
		t.Errorf("depth %d: %v, want ErrJSONDepth", MaxJSONDepth+1, err)
	}
	if _, err := ParseJSON(strings.Repeat("[", 1_000_000)); err == nil {
		t.Error("a million '[' must fail")
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u0041"`, `[1e400]`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseJSON(s)
		if err != nil {
			return
		}
		// What parses must print as JSON that parses to an equal value.
		back, err := ParseJSON(string(AppendJSON(nil, v)))
		if err != nil {
			t.Fatalf("reparse of %q: %v", AppendJSON(nil, v), err)
		}
		_ = back
	})
}
