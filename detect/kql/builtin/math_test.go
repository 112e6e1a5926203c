package builtin

import (
	"math"
	"testing"

	"offhunt/detect/data"
)

func TestMathFunctions(t *testing.T) {
	runCases(t, []fcase{
		{"round", a(R(2.98765), L(3)), "2.988"},
		{"round", a(R(2.15), L(1)), "2.2"},
		{"round", a(R(2.5)), "3"},
		{"round", a(R(-2.5)), "-3"},
		{"round", a(R(-50.55), L(-2)), "-100"},
		{"round", a(R(21.5), L(-1)), "20"},
		{"round", a(L(1234), L(-2)), "1200"},
		{"round", a(L(-1250), L(-2)), "-1300"},
		{"round", a(L(7)), "7"},
		{"round", a(N), "null"},
		{"bin", a(R(4.5), L(1)), "4"},
		{"bin", a(L(7), L(5)), "5"},
		{"bin", a(L(-7), L(5)), "-10"},
		{"bin", a(TS("16d"), TS("7d")), "14.00:00:00"},
		{"bin", a(DT("1970-05-11 13:45:07"), TS("1d")), "1970-05-11T00:00:00.0000000Z"},
		{"bin", a(DT("2024-01-15 10:31:00"), TS("1h")), "2024-01-15T10:00:00.0000000Z"},
		{"bin", a(L(7), L(0)), "null"},
		{"bin", a(L(7), L(-1)), "null"},
		{"bin", a(N, L(1)), "null"},
		{"floor", a(R(4.5), L(1)), "4"},
		{"bin_at", a(R(6.5), R(2.5), L(7)), "4.5"},
		{"bin_at", a(TS("1h"), TS("1d"), TS("12h")), "-12:00:00"},
		{"bin_at", a(DT("2017-05-15 10:20:00.0"), TS("1d"), DT("1970-01-01 12:00:00.0")), "2017-05-14T12:00:00.0000000Z"},
		{"bin_at", a(DT("2017-05-17 10:20:00.0"), TS("7d"), DT("2017-06-04 00:00:00.0")), "2017-05-14T00:00:00.0000000Z"},
		{"bin_at", a(DT("2018-02-23T16:14"), TS("1d"), DT("2018-02-24 15:14:00.0000000")), "2018-02-23T15:14:00.0000000Z"},
		{"ceiling", a(R(1.2)), "2"},
		{"ceiling", a(R(-1.2)), "-1"},
		{"ceiling", a(L(5)), "5"},
		{"abs", a(L(-5)), "5"},
		{"abs", a(R(-1.5)), "1.5"},
		{"abs", a(TS("-1h")), "01:00:00"},
		{"abs", a(L(math.MinInt64)), "null"},
		{"sign", a(L(-5)), "-1"},
		{"sign", a(R(0)), "0"},
		{"sign", a(R(2.5)), "1"},
		{"sqrt", a(L(16)), "4"},
		{"sqrt", a(L(-1)), "null"},
		{"log", a(R(math.E)), "1"},
		{"log", a(L(-1)), "null"},
		{"log10", a(L(100)), "2"},
		{"log2", a(L(8)), "3"},
		{"exp", a(L(0)), "1"},
		{"exp2", a(L(3)), "8"},
		{"exp10", a(L(2)), "100"},
		{"pow", a(L(2), L(10)), "1024"},
		{"pow", a(N, L(10)), "null"},
		{"isnan", a(R(math.NaN())), "true"},
		{"isnan", a(L(1)), "false"},
		{"isnan", a(N), "null"},
		{"isinf", a(R(math.Inf(-1))), "true"},
		{"isfinite", a(R(1)), "true"},
		{"isfinite", a(R(math.NaN())), "false"},
		{"max_of", a(L(10), L(1), L(-3), L(17)), "17"},
		{"min_of", a(L(10), L(1), L(-3), L(17)), "-3"},
		{"max_of", a(I(1), N), "1"},
		{"max_of", a(N, N), "null"},
		{"min_of", a(L(1), R(0.5)), "0.5"},
		{"max_of", a(L(2), R(0.5)), "2"},
		{"max_of", a(DT("2024-12-15 07:15:22"), DT("2024-12-15 07:15:24")), "2024-12-15T07:15:24.0000000Z"},
		{"max_of", a(S("a"), S("b")), "b"},
		{"pi", nil, "3.141592653589793"},
	})
	// max_of(int, real) is a real (the result type).
	if v := call(t, "max_of", L(2), R(0.5)); v.K != data.KReal {
		t.Errorf("max_of(long, real) kind %s", data.KindTypeName(v))
	}
}

func TestMathTypes(t *testing.T) {
	tests := []struct {
		fn   string
		args []data.Type
		want data.Type
		err  bool
	}{
		{"round", []data.Type{data.Real, data.Long}, data.Real, false},
		{"round", []data.Type{data.Int}, data.Long, false},
		{"bin", []data.Type{data.DateTime, data.TimeSpan}, data.DateTime, false},
		{"bin", []data.Type{data.Long, data.Long}, data.Long, false},
		{"bin", []data.Type{data.Long, data.Real}, data.Real, false},
		{"bin", []data.Type{data.DateTime, data.Long}, data.Unknown, true},
		{"bin", []data.Type{data.String, data.Long}, data.Unknown, true},
		{"max_of", []data.Type{data.Long, data.Real}, data.Real, false},
		{"max_of", []data.Type{data.Int, data.Int}, data.Long, false},
		{"max_of", []data.Type{data.DateTime, data.Long}, data.Unknown, true},
		{"max_of", []data.Type{data.Dynamic, data.DateTime}, data.DateTime, false},
		{"abs", []data.Type{data.Dynamic}, data.Unknown, false},
		{"sqrt", []data.Type{data.String}, data.Unknown, true},
	}
	for _, tc := range tests {
		b, _ := Lookup(tc.fn)
		got, msg := b.Return(tc.args)
		if (msg != "") != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("%s%v = %s %q", tc.fn, tc.args, got, msg)
		}
	}
}
