package data

import (
	"context"
	"strings"
	"testing"
)

func table(name string, cols []Column, rows ...Row) Source {
	return TableSource{T: &Table{Name: name, Columns: cols, Rows: rows}}
}

func scanUnion(t *testing.T, u Source, need []bool) []Row {
	t.Helper()
	var out []Row
	if err := u.Scan(context.Background(), need, func(r Row) error { out = append(out, r.Clone()); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUnionTypes checks that columns two sources type differently take a
// type both fit, so that no source loses its values.
func TestUnionTypes(t *testing.T) {
	a := table("a", []Column{{"n", Int}, {"x", Long}, {"s", String}}, Row{NewInt(1), NewLong(5), NewString("a")})
	b := table("b", []Column{{"n", Long}, {"x", Real}, {"s", DateTime}, {"only", Bool}}, Row{NewLong(2), NewReal(1.5), NewDateTime(0), NewBool(true)})
	u := UnionSources("t", []Source{a, b})
	want := []Column{{"n", Long}, {"x", Real}, {"s", String}, {"only", Bool}}
	for i, c := range u.Columns() {
		if c != want[i] {
			t.Errorf("column %d = %v, want %v", i, c, want[i])
		}
	}
	rows := scanUnion(t, u, nil)
	if rows[0][0] != NewLong(1) || rows[0][1] != NewReal(5) || !rows[0][3].IsNull() {
		t.Errorf("row 1 = %v", rows[0])
	}
	if rows[1][2] != NewString("0001-01-01T00:00:00.0000000Z") {
		t.Errorf("a datetime in a string column = %v", rows[1][2])
	}
}

// TestUnionDuplicates checks duplicate counting and dropping: an event an
// earlier source held, provenance aside, counted once, on the later
// source; the same source's own repeats are not duplicates.
func TestUnionDuplicates(t *testing.T) {
	cols := []Column{{"a", String}, {"b", Long}, {"__line", Long}}
	day1 := table("d1", cols, Row{NewString("x"), NewLong(1), NewLong(2)}, Row{NewString("y"), NewLong(2), NewLong(3)}, Row{NewString("y"), NewLong(2), NewLong(4)})
	day2 := table("d2", []Column{{"b", Long}, {"a", String}, {"__line", Long}},
		Row{NewLong(2), NewString("y"), NewLong(2)}, Row{NewLong(3), NewString("z"), NewLong(3)})
	for _, dedupe := range []bool{false, true} {
		calls := 0
		var counts []int64
		u := UnionSourcesWith("t", []Source{day1, day2}, UnionOptions{Dedupe: dedupe, Duplicates: func(c []int64) { calls++; counts = c }})
		for pass := 0; pass < 2; pass++ {
			rows := scanUnion(t, u, nil)
			if want := map[bool]int{false: 5, true: 4}[dedupe]; len(rows) != want {
				t.Errorf("dedupe %v pass %d: %d rows, want %d", dedupe, pass, len(rows), want)
			}
		}
		if calls != 1 || counts[0] != 0 || counts[1] != 1 {
			t.Errorf("dedupe %v: %d calls, counts %v", dedupe, calls, counts)
		}
	}
}

// TestUnionScanSpec checks that a filter pushed into a union keeps the
// rows the filter keeps, from every source, on the first (hashing) scan
// and on later ones alike.
func TestUnionScanSpec(t *testing.T) {
	cols := []Column{{"a", String}, {"n", Long}, {"__line", Long}}
	s1 := table("s1", cols, Row{NewString("x"), NewLong(1), NewLong(2)}, Row{NewString("y"), NewLong(2), NewLong(3)})
	s2 := table("s2", cols, Row{NewString("y"), NewLong(2), NewLong(2)}, Row{NewString("z"), NewLong(3), NewLong(3)})
	u := UnionSourcesWith("t", []Source{s1, s2}, UnionOptions{Dedupe: true})
	spec := ScanSpec{
		Need:       []bool{true, false, false},
		FilterNeed: []bool{false, true, false},
		NewFilter:  func() func(Row) bool { return func(r Row) bool { return r[1].I >= 2 } },
	}
	for pass := 0; pass < 2; pass++ {
		var got []string
		err := u.(SpecSource).ScanSpec(context.Background(), spec, func(r Row) error { got = append(got, r[0].S); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(got, ","); g != "y,z" {
			t.Errorf("pass %d: rows %s, want y,z", pass, g)
		}
	}
}
