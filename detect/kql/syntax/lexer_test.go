package syntax

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"offhunt/detect/data"
)

// tokDesc renders a token as "pos:kind:text" for comparison.
func tokDesc(t Token) string {
	return fmt.Sprintf("%d:%s:%s", t.Pos, kindTag(t.Kind), t.Text)
}

func kindTag(k TokenKind) string {
	switch k {
	case TokIdent:
		return "id"
	case TokKeyword:
		return "kw"
	case TokLiteral:
		return "lit"
	case TokEOF:
		return "eof"
	}
	return "p"
}

func TestLexTokens(t *testing.T) {
	cases := []struct {
		src  string
		want []string
	}{
		{`T | where x !has "a"`, []string{"0:id:T", "2:p:|", "4:id:where", "10:id:x", "12:kw:!has", `17:lit:"a"`, "20:eof:"}},
		{"project-away a", []string{"0:kw:project-away", "13:id:a", "14:eof:"}},
		{"mv-expand x", []string{"0:kw:mv-expand", "10:id:x", "11:eof:"}},
		{"project - away", []string{"0:id:project", "8:p:-", "10:id:away", "14:eof:"}},
		{"project-x", []string{"0:id:project", "7:p:-", "8:id:x", "9:eof:"}},
		{"project-awayx", []string{"0:id:project", "7:p:-", "8:id:awayx", "13:eof:"}},
		{"a-b", []string{"0:id:a", "1:p:-", "2:id:b", "3:eof:"}},
		{"top-nested graph-shortest-paths granny-asc", []string{"0:kw:top-nested", "11:kw:graph-shortest-paths", "32:kw:granny-asc", "42:eof:"}},
		{"x in~ y !in~ z !in w", []string{"0:id:x", "2:kw:in~", "6:id:y", "8:kw:!in~", "13:id:z", "15:kw:!in", "19:id:w", "20:eof:"}},
		{"!between !contains_cs !startswith !endswith_cs !hasprefix !hassuffix_cs !has_cs",
			[]string{"0:kw:!between", "9:kw:!contains_cs", "22:kw:!startswith", "34:kw:!endswith_cs", "47:kw:!hasprefix", "58:kw:!hassuffix_cs", "72:kw:!has_cs", "79:eof:"}},
		{"a=~b!~c==d!=e<=f>=g<>h..i=>j=k<l>m", []string{"0:id:a", "1:p:=~", "3:id:b", "4:p:!~", "6:id:c", "7:p:==", "9:id:d",
			"10:p:!=", "12:id:e", "13:p:<=", "15:id:f", "16:p:>=", "18:id:g", "19:p:<>", "21:id:h", "22:p:..", "24:id:i",
			"25:p:=>", "27:id:j", "28:p:=", "29:id:k", "30:p:<", "31:id:l", "32:p:>", "33:id:m", "34:eof:"}},
		{"(a)[b]{c}|;,.:+-*/%", []string{"0:p:(", "1:id:a", "2:p:)", "3:p:[", "4:id:b", "5:p:]", "6:p:{", "7:id:c", "8:p:}",
			"9:p:|", "10:p:;", "11:p:,", "12:p:.", "13:p::", "14:p:+", "15:p:-", "16:p:*", "17:p:/", "18:p:%", "19:eof:"}},
		{"1..5", []string{"0:lit:1", "1:p:..", "3:lit:5", "4:eof:"}},
		{"0min..30min", []string{"0:lit:0min", "4:p:..", "6:lit:30min", "11:eof:"}},
		{"a // comment\n  b // more", []string{"0:id:a", "15:id:b", "24:eof:"}},
		{"a/b", []string{"0:id:a", "1:p:/", "2:id:b", "3:eof:"}},
		{"['a b']", []string{"0:p:[", "1:lit:'a b'", "6:p:]", "7:eof:"}},
		{"$left.Col == $right.Col", []string{"0:id:$left", "5:p:.", "6:id:Col", "10:p:==", "13:id:$right", "19:p:.", "20:id:Col", "23:eof:"}},
		{"a\u00a0b\tc\r\nd", []string{"0:id:a", "3:id:b", "5:id:c", "8:id:d", "9:eof:"}},
		{"\ufeffT", []string{"3:id:T", "4:eof:"}},
		{`"a" 'b'`, []string{`0:lit:"a"`, "4:lit:'b'", "7:eof:"}},
		{"h'x' H\"y\" h@'z' hx h", []string{"0:lit:h'x'", `5:lit:H"y"`, "10:lit:h@'z'", "16:id:hx", "19:id:h", "20:eof:"}},
		{"datetime(2015-12-31 23:59:59.9) datetime (1)", []string{"0:lit:datetime(2015-12-31 23:59:59.9)", "32:id:datetime", "41:p:(", "42:lit:1", "43:p:)", "44:eof:"}},
		{"typeof(datetime) a:long", []string{"0:id:typeof", "6:p:(", "7:id:datetime", "15:p:)", "17:id:a", "18:p::", "19:id:long", "23:eof:"}},
		{"74be27de-1e4e-49d9-b579-fe0b331d3642 x", []string{"0:lit:74be27de-1e4e-49d9-b579-fe0b331d3642", "37:id:x", "38:eof:"}},
		{"true False TRUE truex", []string{"0:lit:true", "5:lit:False", "11:lit:TRUE", "16:id:truex", "21:eof:"}},
		{"é", nil}, // error, see TestLexErrors
		{"", []string{"0:eof:"}},
		{"   ", []string{"3:eof:"}},
	}
	for _, c := range cases {
		if c.want == nil {
			continue
		}
		toks, err := Lex(c.src)
		if err != nil {
			t.Errorf("Lex(%q): %v", c.src, err)
			continue
		}
		var got []string
		for _, tk := range toks {
			got = append(got, tokDesc(tk))
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Lex(%q)\n got  %v\n want %v", c.src, got, c.want)
		}
	}
}

func mustTicks(s string) int64 {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return data.TimeToTicks(tm)
}

func TestLexLiterals(t *testing.T) {
	nan := data.NewReal(math.NaN())
	cases := []struct {
		src  string
		typ  data.Type
		want data.Value
	}{
		{`"abc"`, data.String, data.NewString("abc")},
		{`'abc'`, data.String, data.NewString("abc")},
		{`""`, data.String, data.NewString("")},
		{`"a\"b"`, data.String, data.NewString(`a"b`)},
		{`'a\'b'`, data.String, data.NewString(`a'b`)},
		{`"it's"`, data.String, data.NewString("it's")},
		{`'say "hi"'`, data.String, data.NewString(`say "hi"`)},
		{`"\\ \' \" \a \b \f \n \r \t \v"`, data.String, data.NewString("\\ ' \" \a \b \f \n \r \t \v")},
		{`"\u00e9\u00A0"`, data.String, data.NewString("é\u00a0")},
		{`"\U0001F600"`, data.String, data.NewString("😀")},
		{`"\ud83d\ude00"`, data.String, data.NewString("😀")},
		{`"\x41\xe9"`, data.String, data.NewString("Aé")},
		{`"\101\0\12"`, data.String, data.NewString("A\x00\n")},
		{`"\400"`, data.String, data.NewString(" 0")},
		{`'\u0000'`, data.String, data.NewString("\x00")},
		{`"tab	raw"`, data.String, data.NewString("tab\traw")},
		{`"héllo ⒦"`, data.String, data.NewString("héllo ⒦")},
		{`@"c:\temp\"`, data.String, data.NewString(`c:\temp\`)},
		{`@'a''b'`, data.String, data.NewString("a'b")},
		{`@"a""b"`, data.String, data.NewString(`a"b`)},
		{`@"copy \client\c$\aaaa\"`, data.String, data.NewString(`copy \client\c$\aaaa\`)},
		{`h"secret"`, data.String, data.NewString("secret")},
		{`H'secret'`, data.String, data.NewString("secret")},
		{`h@"c:\x"`, data.String, data.NewString(`c:\x`)},
		{"```a\n\"b\"\\```", data.String, data.NewString("a\n\"b\"\\")},
		{"~~~x~~~", data.String, data.NewString("x")},
		{"h```x```", data.String, data.NewString("x")},
		{"42", data.Long, data.NewLong(42)},
		{"0", data.Long, data.NewLong(0)},
		{"0x1F", data.Long, data.NewLong(31)},
		{"0XfF", data.Long, data.NewLong(255)},
		{"9223372036854775807", data.Long, data.NewLong(math.MaxInt64)},
		{"1.5", data.Real, data.NewReal(1.5)},
		{"1.", data.Real, data.NewReal(1)},
		{"1e5", data.Real, data.NewReal(1e5)},
		{"1.5e-3", data.Real, data.NewReal(1.5e-3)},
		{"2E+2", data.Real, data.NewReal(200)},
		{"90d", data.TimeSpan, data.NewTimeSpan(90 * data.TicksPerDay)},
		{"2days", data.TimeSpan, data.NewTimeSpan(2 * data.TicksPerDay)},
		{"1day", data.TimeSpan, data.NewTimeSpan(data.TicksPerDay)},
		{"1.5h", data.TimeSpan, data.NewTimeSpan(90 * data.TicksPerMinute)},
		{"1hr", data.TimeSpan, data.NewTimeSpan(data.TicksPerHour)},
		{"2hrs", data.TimeSpan, data.NewTimeSpan(2 * data.TicksPerHour)},
		{"3hours", data.TimeSpan, data.NewTimeSpan(3 * data.TicksPerHour)},
		{"30m", data.TimeSpan, data.NewTimeSpan(30 * data.TicksPerMinute)},
		{"25min", data.TimeSpan, data.NewTimeSpan(25 * data.TicksPerMinute)},
		{"1minute", data.TimeSpan, data.NewTimeSpan(data.TicksPerMinute)},
		{"1s", data.TimeSpan, data.NewTimeSpan(data.TicksPerSecond)},
		{"1sec", data.TimeSpan, data.NewTimeSpan(data.TicksPerSecond)},
		{"10seconds", data.TimeSpan, data.NewTimeSpan(10 * data.TicksPerSecond)},
		{"100ms", data.TimeSpan, data.NewTimeSpan(100 * data.TicksPerMillisecond)},
		{"1milli", data.TimeSpan, data.NewTimeSpan(data.TicksPerMillisecond)},
		{"2millis", data.TimeSpan, data.NewTimeSpan(2 * data.TicksPerMillisecond)},
		{"1millisec", data.TimeSpan, data.NewTimeSpan(data.TicksPerMillisecond)},
		{"1milliseconds", data.TimeSpan, data.NewTimeSpan(data.TicksPerMillisecond)},
		{"10micro", data.TimeSpan, data.NewTimeSpan(100)},
		{"1microsecond", data.TimeSpan, data.NewTimeSpan(10)},
		{"2micros", data.TimeSpan, data.NewTimeSpan(20)},
		{"100nanos", data.TimeSpan, data.NewTimeSpan(1)},
		{"500nanoseconds", data.TimeSpan, data.NewTimeSpan(5)},
		{"3ticks", data.TimeSpan, data.NewTimeSpan(3)},
		{"1tick", data.TimeSpan, data.NewTimeSpan(1)},
		{"true", data.Bool, data.NewBool(true)},
		{"FALSE", data.Bool, data.NewBool(false)},
		{"datetime(2015-12-31 23:59:59.9)", data.DateTime, data.NewDateTime(mustTicks("2015-12-31T23:59:59.9Z"))},
		{"datetime(2015-12-31)", data.DateTime, data.NewDateTime(mustTicks("2015-12-31T00:00:00Z"))},
		{"date(2015-12-31)", data.DateTime, data.NewDateTime(mustTicks("2015-12-31T00:00:00Z"))},
		{"datetime(2017-10-30T01:02:03.7654321Z)", data.DateTime, data.NewDateTime(mustTicks("2017-10-30T01:02:03.7654321Z"))},
		{"datetime(2018-02-24T15:14)", data.DateTime, data.NewDateTime(mustTicks("2018-02-24T15:14:00Z"))},
		{"datetime('2022-12-02')", data.DateTime, data.NewDateTime(mustTicks("2022-12-02T00:00:00Z"))},
		{"datetime('12-02-2022')", data.DateTime, data.NewDateTime(mustTicks("2022-12-02T00:00:00Z"))},
		{"datetime(2025, 6, 14)", data.DateTime, data.NewDateTime(mustTicks("2025-06-14T00:00:00Z"))},
		{"datetime(null)", data.DateTime, data.Null},
		{"datetime()", data.DateTime, data.Null},
		{"timespan(1.02:03:04.5)", data.TimeSpan, data.NewTimeSpan(data.TicksPerDay + 2*data.TicksPerHour + 3*data.TicksPerMinute + 45*data.TicksPerSecond/10)},
		{"timespan(2d)", data.TimeSpan, data.NewTimeSpan(2 * data.TicksPerDay)},
		{"timespan(3)", data.TimeSpan, data.NewTimeSpan(3 * data.TicksPerDay)},
		{"timespan(5 seconds)", data.TimeSpan, data.NewTimeSpan(5 * data.TicksPerSecond)},
		{"time(16d)", data.TimeSpan, data.NewTimeSpan(16 * data.TicksPerDay)},
		{"time(29.09:00:05.12345)", data.TimeSpan, data.NewTimeSpan(29*data.TicksPerDay + 9*data.TicksPerHour + 5*data.TicksPerSecond + 1234500)},
		{"timespan(null)", data.TimeSpan, data.Null},
		{"guid(74BE27DE-1e4e-49d9-b579-fe0b331d3642)", data.Guid, data.NewGuid("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"guid(74be27de1e4e49d9b579fe0b331d3642)", data.Guid, data.NewGuid("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"guid(null)", data.Guid, data.Null},
		{"74BE27DE-1e4e-49d9-b579-fe0b331d3642", data.Guid, data.NewGuid("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"int(null)", data.Int, data.Null},
		{"int(5)", data.Int, data.NewInt(5)},
		{"int32(-7)", data.Int, data.NewInt(-7)},
		{"long(-5)", data.Long, data.NewLong(-5)},
		{"int64(0x10)", data.Long, data.NewLong(16)},
		{"real(nan)", data.Real, nan},
		{"real(+inf)", data.Real, data.NewReal(math.Inf(1))},
		{"real(-inf)", data.Real, data.NewReal(math.Inf(-1))},
		{"real(1)", data.Real, data.NewReal(1)},
		{"double(1.5)", data.Real, data.NewReal(1.5)},
		{"real(null)", data.Real, data.Null},
		{"decimal(123.45)", data.Decimal, data.NewDecimal(123.45)},
		{"bool(null)", data.Bool, data.Null},
		{"bool(true)", data.Bool, data.NewBool(true)},
		{"boolean(false)", data.Bool, data.NewBool(false)},
	}
	for _, c := range cases {
		toks, err := Lex(c.src)
		if err != nil {
			t.Errorf("Lex(%q): %v", c.src, err)
			continue
		}
		if len(toks) != 2 {
			t.Errorf("Lex(%q): %d tokens, want one literal: %v", c.src, len(toks)-1, toks)
			continue
		}
		tk := toks[0]
		if tk.Kind != TokLiteral || tk.Type != c.typ || tk.Text != c.src || !sameValue(tk.Value(), c.want) {
			t.Errorf("Lex(%q) = %s %v %v (text %q), want %v %v", c.src, kindTag(tk.Kind), tk.Type, tk.Value(), tk.Text, c.typ, c.want)
		}
	}
}

// sameValue compares values, treating NaN as equal to NaN.
func sameValue(a, b data.Value) bool {
	if a.K != b.K {
		return false
	}
	if (a.K == data.KReal || a.K == data.KDecimal) && math.IsNaN(a.F) && math.IsNaN(b.F) {
		return true
	}
	return data.ToString(a) == data.ToString(b) && a.I == b.I && a.S == b.S
}

func TestLexErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{`print "abc`, `1:7: unterminated string literal`},
		{"print 'ab\ncd'", `1:7: unterminated string literal`},
		{`print 'a\qb'`, `1:9: invalid escape sequence "\\q" in string literal`},
		{`print "\u12"`, `1:8: invalid escape sequence "\\u" in string literal`},
		{`print @"abc`, `1:7: unterminated string literal`},
		{"print ```abc", "1:7: unterminated multi-line string literal: missing closing ```"},
		{"x\n  90dx", `2:3: invalid number "90dx" (a number may only be followed by a timespan unit such as d, h, m, s or ms; quote names that start with a digit: ['90dx'])`},
		{"1e5x", `1:1: invalid number "1e5x" (a number may only be followed by a timespan unit such as d, h, m, s or ms; quote names that start with a digit: ['1e5x'])`},
		{"0x", `1:1: invalid number "0x" (a number may only be followed by a timespan unit such as d, h, m, s or ms; quote names that start with a digit: ['0x'])`},
		{"99999999999999999999", `1:1: the number 99999999999999999999 is out of range for long`},
		{"a @ b", `1:3: unexpected character "@"`},
		{"a # b", `1:3: unexpected character "#"`},
		{"a ? b", `1:3: unexpected character "?"`},
		{"a ~ b", `1:3: unexpected character "~"`},
		{"a ` b", "1:3: unexpected character \"`\""},
		{"$ x", `1:1: unexpected character "$"`},
		{"x é", `1:3: unexpected character "é"`},
		{"x \xff", `1:3: invalid UTF-8 in the query`},
		{"x !y", `1:3: unexpected character "!" (KQL negates with not(...), or with operators such as !has, !contains, !in, !=)`},
		{"datetime(2015-13-01)", `1:1: invalid datetime literal "datetime(2015-13-01)" (write an ISO 8601 date such as datetime(2025-09-07 12:00:00), or datetime(null))`},
		{"datetime(2015-02-29)", `1:1: invalid datetime literal "datetime(2015-02-29)" (write an ISO 8601 date such as datetime(2025-09-07 12:00:00), or datetime(null))`},
		{"datetime(2015-01-01", `1:1: unterminated datetime literal: missing ")"`},
		{"timespan(xyz)", `1:1: invalid timespan literal "timespan(xyz)" (write timespan(1.02:03:04), timespan(2d) or timespan(null))`},
		{"guid(123)", `1:1: invalid guid literal "guid(123)" (write guid(74be27de-1e4e-49d9-b579-fe0b331d3642) or guid(null))`},
		{"int(3000000000)", `1:1: invalid int literal "int(3000000000)" (write a number or null, e.g. int(null))`},
		{"real(abc)", `1:1: invalid real literal "real(abc)" (write a number or null, e.g. real(null))`},
		{"bool(maybe)", `1:1: invalid bool literal "bool(maybe)" (write bool(true), bool(false) or bool(null))`},
	}
	for _, c := range cases {
		_, err := Lex(c.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Lex(%q): error %v, want a *Error", c.src, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("Lex(%q)\n got  %s\n want %s", c.src, err, c.want)
		}
	}
}

func TestParseDateTimeText(t *testing.T) {
	cases := []struct {
		in   string
		want string // RFC 3339, "" when invalid
	}{
		{"2015-12-31", "2015-12-31T00:00:00Z"},
		{"2015-12-31 23:59:59.9", "2015-12-31T23:59:59.9Z"},
		{"2015-12-31T23:59:59.9999999Z", "2015-12-31T23:59:59.9999999Z"},
		{"2015-12-31T23:59:59.123456789Z", "2015-12-31T23:59:59.1234567Z"},
		{"2015-12-31T23:59:59+01:00", "2015-12-31T22:59:59Z"},
		{"2015-12-31T23:59:59-0130", "2016-01-01T01:29:59Z"},
		{"2018-02-24T15:14", "2018-02-24T15:14:00Z"},
		{"2017-10-29 00:00", "2017-10-29T00:00:00Z"},
		{"2015/12/31 10:00:00", "2015-12-31T10:00:00Z"},
		{"  2015-1-2  ", "2015-01-02T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z"},
		{"12-02-2022", "2022-12-02T00:00:00Z"},
		{"02/17/2016 08:40:01", "2016-02-17T08:40:01Z"},
		{"02/17/2016 8:40:01 PM", "2016-02-17T20:40:01Z"},
		{"Sat, 8 Nov 2014 15:05:02 GMT", "2014-11-08T15:05:02Z"},
		{"8 Nov 2014 15:05 +0100", "2014-11-08T14:05:00Z"},
		{"Saturday, 08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02Z"},
		{"Sat, 08 Nov 1999 15:05:02 EST", "1999-11-08T20:05:02Z"},
		{"0001-01-01", "0001-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59.9999999", "9999-12-31T23:59:59.9999999Z"},
		{"2015-02-29", ""},
		{"2015-13-01", ""},
		{"2015-12-31T24:00:00", ""},
		{"2015-12-31 10", ""},
		{"2015-12-31x", ""},
		{"yesterday", ""},
		{"", ""},
		{"9999-12-31T23:59:59-01:00", ""},
		{"Sun, 8 Foo 2014", ""},
	}
	for _, c := range cases {
		got, ok := ParseDateTimeText(c.in)
		if c.want == "" {
			if ok {
				t.Errorf("ParseDateTimeText(%q) = %s, want invalid", c.in, data.FormatDateTimeFull(got))
			}
			continue
		}
		if !ok || got != mustTicks(c.want) {
			t.Errorf("ParseDateTimeText(%q) = %s, %v; want %s", c.in, data.FormatDateTimeFull(got), ok, c.want)
		}
	}
}

func TestParseTimeSpanText(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1.02:03:04.5", data.TicksPerDay + 2*data.TicksPerHour + 3*data.TicksPerMinute + 45*data.TicksPerSecond/10, true},
		{"0.00:03:00", 3 * data.TicksPerMinute, true},
		{"00:30:00", 30 * data.TicksPerMinute, true},
		{"10:30", 10*data.TicksPerHour + 30*data.TicksPerMinute, true},
		{"-01:00:00", -data.TicksPerHour, true},
		{"00:00:00.1234567", 1234567, true},
		{"2d", 2 * data.TicksPerDay, true},
		{"1.5h", 90 * data.TicksPerMinute, true},
		{"-25min", -25 * data.TicksPerMinute, true},
		{"100ms", 100 * data.TicksPerMillisecond, true},
		{"3", 3 * data.TicksPerDay, true},
		{" 2d ", 2 * data.TicksPerDay, true},
		{"24:00:00", 0, false},
		{"00:60:00", 0, false},
		{"1.5", 0, false},
		{"2w", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"99999999999999999999d", 0, false},
		{"1.2.3:00:00", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseTimeSpanText(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("ParseTimeSpanText(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// BenchmarkLex measures the lexer on the hunting-query corpus.
func BenchmarkLex(b *testing.B) {
	src := strings.Repeat(`DeviceProcessEvents | where Timestamp > ago(7d) and ProcessCommandLine has_any ("rclone", @"\copy") | extend x = datetime(2024-01-01) // c
`, 50)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lex(src); err != nil {
			b.Fatal(err)
		}
	}
}

// ExampleLex shows the tokens of a short query: hyphenated and negated
// operators are single tokens, and literals carry their type and value.
func ExampleLex() {
	toks, err := Lex(`T | project-away x | where y !has "a\tb" and t > ago(1.5h)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range toks {
		switch t.Kind {
		case TokLiteral:
			fmt.Printf("%d %s %s %q\n", t.Pos, t.Type, t.Text, data.ToString(t.Value()))
		case TokEOF:
			fmt.Printf("%d %s\n", t.Pos, t.Kind)
		default:
			fmt.Printf("%d %s\n", t.Pos, t.Text)
		}
	}
	// Output:
	// 0 T
	// 2 |
	// 4 project-away
	// 17 x
	// 19 |
	// 21 where
	// 27 y
	// 29 !has
	// 34 string "a\tb" "a\tb"
	// 41 and
	// 45 t
	// 47 >
	// 49 ago
	// 52 (
	// 53 timespan 1.5h "01:30:00"
	// 57 )
	// 58 end of query
}
