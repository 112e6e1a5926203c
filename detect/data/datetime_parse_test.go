package data

import "testing"

func TestParseDateTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2015-12-31", "2015-12-31T00:00:00Z"},
		{"2015-12", "2015-12-01T00:00:00Z"},
		{"2015/12/31", "2015-12-31T00:00:00Z"},
		{"2015-12-31 23:59:59.9", "2015-12-31T23:59:59.9Z"},
		{"2015-12-31T23:59:59.1234567Z", "2015-12-31T23:59:59.1234567Z"},
		{"2015-12-31T23:59:59.123456789Z", "2015-12-31T23:59:59.1234567Z"},
		{"2015-12-31T23:59", "2015-12-31T23:59:00Z"},
		{"2015-12-31T23:59:59+02:00", "2015-12-31T21:59:59Z"},
		{"2015-12-31T23:59:59-0130", "2016-01-01T01:29:59Z"},
		{"2018-02-24T15:14", "2018-02-24T15:14:00Z"},
		{"Sat, 8 Nov 2014 15:05:02 GMT", "2014-11-08T15:05:02Z"},
		{"Sat, 08 Nov 2014 15:05:02 +0100", "2014-11-08T14:05:02Z"},
		{"8 Nov 14 15:05 EST", "2014-11-08T20:05:00Z"},
		{"Saturday, 08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02Z"},
		{"Nov 8, 2014 3:05 PM", "2014-11-08T15:05:00Z"},
		{"7/5/2023, 2:16:44.756 PM", "2023-07-05T14:16:44.756Z"},
		{"7/5/2023 2:16:44 PM", "2023-07-05T14:16:44Z"},
		{"7/5/2023 12:16:44 AM", "2023-07-05T00:16:44Z"},
		{"02/17/2016 08:40:01", "2016-02-17T08:40:01Z"},
		{"12-02-2022", "2022-12-02T00:00:00Z"},
		{"0001-01-01", "0001-01-01T00:00:00Z"},
		{"9999-12-31 23:59:59.9999999", "9999-12-31T23:59:59.9999999Z"},
		{"2016-02-29", "2016-02-29T00:00:00Z"},
		// Failures.
		{"2015-02-29", ""},
		{"2015-13-01", ""},
		{"2015-12-31 24:00", ""},
		{"2015-12-31 23:60", ""},
		{"13/5/2023 1:00 PM", ""},
		{"7/5/2023 13:00 PM", ""},
		{"0001-01-01T00:00:00+01:00", ""},
		{"9999-12-31T23:00:00-02:00", ""},
		{"hello", ""},
		{"", ""},
		{"2015-12-31 garbage", ""},
		{"2015-12-31T23:59:59Zjunk", ""},
		{"\xff\xfe", ""},
		{"1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3", ""},
	}
	for _, tc := range tests {
		ticks, ok := ParseDateTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("ParseDateTime(%q) = %s, want failure", tc.in, FormatDateTime(ticks))
			}
			continue
		}
		if !ok {
			t.Errorf("ParseDateTime(%q) failed, want %s", tc.in, tc.want)
			continue
		}
		if got := FormatDateTime(ticks); got != tc.want {
			t.Errorf("ParseDateTime(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseTimeSpan(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0.00:03:00", "00:03:00", true},
		{"00:03", "00:03:00", true},
		{"1.12:30:55.123", "1.12:30:55.1230000", true},
		{"-01:00:00", "-01:00:00", true},
		{"29.09:00:05.12345", "29.09:00:05.1234500", true},
		{"5", "5.00:00:00", true},
		{"2d", "2.00:00:00", true},
		{"1.5h", "01:30:00", true},
		{"30m", "00:30:00", true},
		{"10ms", "00:00:00.0100000", true},
		{"25min", "00:25:00", true},
		{"1sec", "00:00:01", true},
		{"100ticks", "00:00:00.0000100", true},
		{"1microsecond", "00:00:00.0000010", true},
		{"2500nanoseconds", "00:00:00.0000025", true},
		{"-3d", "-3.00:00:00", true},
		{"24:00:00", "", false},
		{"00:60", "", false},
		{"1w", "", false},
		{"abc", "", false},
		{"", "", false},
		{"1.2.3", "", false},
		{"99999999999999999999d", "", false},
	}
	for _, tc := range tests {
		ticks, ok := ParseTimeSpan(tc.in)
		if ok != tc.ok {
			t.Errorf("ParseTimeSpan(%q) ok = %v (%s), want %v", tc.in, ok, FormatTimeSpan(ticks), tc.ok)
			continue
		}
		if ok && FormatTimeSpan(ticks) != tc.want {
			t.Errorf("ParseTimeSpan(%q) = %s, want %s", tc.in, FormatTimeSpan(ticks), tc.want)
		}
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2015-12-31T23:59:59.9Z", "7/5/2023, 2:16:44.756 PM", "Sat, 8 Nov 2014 15:05:02 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ticks, ok := ParseDateTime(s); ok && (ticks < MinDateTimeTicks || ticks > MaxDateTimeTicks) {
			t.Fatalf("%q gave %d, outside the datetime range", s, ticks)
		}
		ParseTimeSpan(s)
	})
}
