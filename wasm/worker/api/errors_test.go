package api

import "testing"

func TestLineInMessage(t *testing.T) {
	for msg, want := range map[string]int{
		"x: no record could be read (line 1: truncated JSON)": 1,
		"input.csv: line 1234: a quote is not closed":         1234,
		"the deadline 5 passed":                               0,
		"baseline 7 and line 8":                               8,
		"line 12a is odd, line 3":                             3,
		"offline 4":                                           0,
		"":                                                    0,
	} {
		if got := lineInMessage(msg); got != want {
			t.Errorf("lineInMessage(%q) = %d, want %d", msg, got, want)
		}
	}
}
