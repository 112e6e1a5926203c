package builtin

import (
	"math"
	"strings"
	"testing"

	"offhunt/detect/data"
)

// Short constructors for the tables below.
var (
	aNull = data.Null
	aT    = data.NewBool(true)
	aF    = data.NewBool(false)
)

func aL(i int64) data.Value   { return data.NewLong(i) }
func aI(i int64) data.Value   { return data.NewInt(i) }
func aR(f float64) data.Value { return data.NewReal(f) }
func aS(s string) data.Value  { return data.NewString(s) }
func aTS(t int64) data.Value  { return data.NewTimeSpan(t) }
func aDT(t int64) data.Value  { return data.NewDateTime(t) }
func aArr(vs ...data.Value) data.Value {
	return data.NewArray(vs)
}

// aBag builds a bag from alternating keys and values.
func aBag(kv ...any) data.Value {
	b := data.NewBag(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		b.Set(kv[i].(string), kv[i+1].(data.Value))
	}
	return data.NewBagValue(b)
}

func rows1(vs ...data.Value) [][]data.Value {
	out := make([][]data.Value, len(vs))
	for i, v := range vs {
		out[i] = []data.Value{v}
	}
	return out
}

// runAggregate binds name against types, feeds it rows through one reused
// argument slice (overwritten after every Add, so an accumulator that kept
// the slice gives wrong results) and returns the result and result type.
func runAggregate(t *testing.T, name string, types []data.Type, rows [][]data.Value) (data.Value, data.Type) {
	t.Helper()
	a, ok := LookupAggregate(name)
	if !ok {
		t.Fatalf("aggregate %s not registered", name)
	}
	if len(types) < a.MinArgs || len(types) > a.MaxArgs {
		t.Fatalf("%s: %d arguments outside [%d, %d]", name, len(types), a.MinArgs, a.MaxArgs)
	}
	rt, msg := a.Return(types)
	if msg != "" {
		t.Fatalf("%s%v: Return error %q", name, types, msg)
	}
	acc := a.New(types)
	args := make([]data.Value, len(types))
	for _, r := range rows {
		copy(args, r)
		acc.Add(args[:len(r)])
		for i := range args {
			args[i] = data.NewString("clobbered")
		}
	}
	return acc.Result(), rt
}

// sameValue compares kinds and values; reals within a relative 1e-12.
func sameValue(got, want data.Value) bool {
	if got.K != want.K {
		return false
	}
	if aggIsReal(got.K) && !math.IsNaN(want.F) && want.F != 0 {
		return math.Abs(got.F-want.F) <= 1e-12*math.Abs(want.F)
	}
	if got.K == data.KArray {
		x, y := got.Array(), want.Array()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return ValueKey(got) == ValueKey(want)
}

// show prints a value with its kind, so that 1 (long) and 1 (real) differ.
func show(v data.Value) string {
	kinds := [...]string{"null", "bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "guid", "array", "bag"}
	name := "?"
	if int(v.K) < len(kinds) {
		name = kinds[v.K]
	}
	return name + ":" + string(data.AppendJSON(nil, v))
}

type aggCase struct {
	name     string
	fn       string
	types    []data.Type
	rows     [][]data.Value
	want     data.Value
	wantType data.Type
}

func runAggCases(t *testing.T, cases []aggCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rt := runAggregate(t, c.fn, c.types, c.rows)
			if !sameValue(got, c.want) {
				t.Errorf("%s = %s, want %s", c.fn, show(got), show(c.want))
			}
			if c.wantType != data.Unknown && rt != c.wantType {
				t.Errorf("%s result type = %v, want %v", c.fn, rt, c.wantType)
			}
		})
	}
}

// Beatles is the datatable of the countif, sumif, make_set_if and
// make_list_if pages: (name, day_of_birth) with the predicate
// strlen(name) > 4 evaluated into a bool column.
var beatles = []struct {
	name string
	day  int64
}{{"John", 9}, {"Paul", 18}, {"George", 25}, {"Ringo", 7}}

func beatleRows(f func(name string, day int64, long bool) []data.Value) [][]data.Value {
	var out [][]data.Value
	for _, b := range beatles {
		out = append(out, f(b.name, b.day, len(b.name) > 4))
	}
	return out
}

func TestAggregateCount(t *testing.T) {
	long := []data.Type{data.Long}
	runAggCases(t, []aggCase{
		{"count() empty", "count", nil, nil, aL(0), data.Long},
		{"count() rows", "count", nil, [][]data.Value{{}, {}, {}}, aL(3), data.Long},
		{"count(x) empty (summarize-empty-counts)", "count", long, nil, aL(0), data.Long},
		// summarize-count-includes-null: count(y) over [null, 5.0] is 2.
		{"count(y) includes null", "count", []data.Type{data.Real}, rows1(aNull, aR(5)), aL(2), data.Long},
		{"countif empty", "countif", []data.Type{data.Bool}, nil, aL(0), data.Long},
		{"countif null predicate is false", "countif", []data.Type{data.Bool}, rows1(aT, aNull, aF, aT), aL(2), data.Long},
		// countif-datatable: countif(strlen(name) > 4) is 2.
		{"countif doc example", "countif", []data.Type{data.Bool},
			beatleRows(func(_ string, _ int64, long bool) []data.Value { return []data.Value{data.NewBool(long)} }),
			aL(2), data.Long},
	})
}

func TestAggregateDistinctCounts(t *testing.T) {
	long := []data.Type{data.Long}
	dyn := []data.Type{data.Dynamic}
	runAggCases(t, []aggCase{
		{"dcount empty", "dcount", long, nil, aL(0), data.Long},
		{"dcount ignores nulls", "dcount", long, rows1(aL(1), aNull, aL(2), aL(1), aNull), aL(2), data.Long},
		{"dcount all null", "dcount", long, rows1(aNull, aNull), aL(0), data.Long},
		{"dcount empty string is a value", "dcount", []data.Type{data.String}, rows1(aS(""), aS("a"), aS(""), aS("A")), aL(3), data.Long},
		{"dcount with accuracy", "dcount", []data.Type{data.String, data.Int}, [][]data.Value{{aS("a"), aI(2)}, {aS("b"), aI(2)}, {aS("a"), aI(2)}}, aL(2), data.Long},
		{"dcount numbers by value", "dcount", dyn, rows1(aI(1), aL(1), aR(1), aS("1"), aR(1.5)), aL(3), data.Long},
		{"dcount datetime vs timespan", "dcount", dyn, rows1(aDT(5), aTS(5), aL(5)), aL(3), data.Long},
		{"dcountif empty (summarize-empty-counts)", "dcountif", []data.Type{data.Long, data.Bool}, nil, aL(0), data.Long},
		{"dcountif", "dcountif", []data.Type{data.Long, data.Bool},
			[][]data.Value{{aL(1), aT}, {aL(2), aF}, {aL(3), aNull}, {aL(1), aT}, {aNull, aT}, {aL(4), aT}}, aL(2), data.Long},
		{"dcountif with accuracy", "dcountif", []data.Type{data.Long, data.Bool, data.Int},
			[][]data.Value{{aL(1), aT, aI(1)}, {aL(2), aT, aI(1)}}, aL(2), data.Long},
		{"count_distinct", "count_distinct", []data.Type{data.String}, rows1(aS("x"), aS("y"), aS("x")), aL(2), data.Long},
		{"count_distinct of sets (RAT query)", "count_distinct", dyn,
			rows1(aArr(aS("a"), aS("b")), aArr(aS("a"), aS("b")), aArr(aS("b"), aS("a")), aArr(aS("ab"))), aL(3), data.Long},
		{"count_distinct of bags ignores key order", "count_distinct", dyn,
			rows1(aBag("a", aL(1), "b", aL(2)), aBag("b", aL(2), "a", aL(1)), aBag("a", aL(1))), aL(2), data.Long},
		{"count_distinctif", "count_distinctif", []data.Type{data.String, data.Bool},
			[][]data.Value{{aS("x"), aT}, {aS("y"), aF}, {aS("z"), aT}, {aS("x"), aT}}, aL(2), data.Long},
	})
}

func TestAggregateSum(t *testing.T) {
	runAggCases(t, []aggCase{
		{"sum long empty", "sum", []data.Type{data.Long}, nil, aL(0), data.Long},
		{"sum real empty", "sum", []data.Type{data.Real}, nil, aR(0), data.Real},
		{"sum timespan empty", "sum", []data.Type{data.TimeSpan}, nil, aTS(0), data.TimeSpan},
		{"sum decimal empty", "sum", []data.Type{data.Decimal}, nil, data.NewDecimal(0), data.Decimal},
		{"sum datetime empty is null", "sum", []data.Type{data.DateTime}, nil, aNull, data.DateTime},
		{"sum unknown empty", "sum", []data.Type{data.Unknown}, nil, aL(0), data.Unknown},
		{"sum int promotes to long", "sum", []data.Type{data.Int}, rows1(aI(1<<30), aI(1<<30), aI(1<<30)), aL(3 << 30), data.Long},
		// summarize-sum-avg-ignore-null: sum(y) over [null, 5, 5, 5] is 15.
		{"sum ignores null (doc)", "sum", []data.Type{data.Real}, rows1(aNull, aR(5), aR(5), aR(5)), aR(15), data.Real},
		{"sum all null", "sum", []data.Type{data.Long}, rows1(aNull, aNull), aL(0), data.Long},
		{"sum timespan", "sum", []data.Type{data.TimeSpan}, rows1(aTS(data.TicksPerHour), aNull, aTS(30*data.TicksPerMinute)), aTS(90 * data.TicksPerMinute), data.TimeSpan},
		{"sum decimal", "sum", []data.Type{data.Decimal}, rows1(data.NewDecimal(1.5), data.NewDecimal(2)), data.NewDecimal(3.5), data.Decimal},
		{"sum unknown long then real", "sum", []data.Type{data.Unknown}, rows1(aL(1), aR(0.5), aS("x"), aL(2)), aR(3.5), data.Unknown},
		{"sum unknown longs", "sum", []data.Type{data.Unknown}, rows1(aI(1), aL(2)), aL(3), data.Unknown},
		{"sum unknown timespans skip numbers", "sum", []data.Type{data.Unknown}, rows1(aTS(10), aL(2), aTS(5)), aTS(15), data.Unknown},
		{"sumif empty", "sumif", []data.Type{data.Long, data.Bool}, nil, aL(0), data.Long},
		// sumif page: sumif(day_of_birth, strlen(name) > 4) is 32.
		{"sumif doc example", "sumif", []data.Type{data.Long, data.Bool},
			beatleRows(func(_ string, day int64, long bool) []data.Value { return []data.Value{aL(day), data.NewBool(long)} }),
			aL(32), data.Long},
	})
}

func TestAggregateAvg(t *testing.T) {
	const big = math.MaxInt64
	day := data.TicksPerDay
	runAggCases(t, []aggCase{
		// The summarize page's empty-input example prints avg_x as NaN.
		{"avg long empty is NaN", "avg", []data.Type{data.Long}, nil, aR(math.NaN()), data.Real},
		{"avg real all null is NaN", "avg", []data.Type{data.Real}, rows1(aNull), aR(math.NaN()), data.Real},
		{"avg timespan empty is null", "avg", []data.Type{data.TimeSpan}, nil, aNull, data.TimeSpan},
		{"avg datetime empty is null", "avg", []data.Type{data.DateTime}, nil, aNull, data.DateTime},
		// summarize-sum-avg-ignore-null: avg(y) over [null, 5, 5, 5] is 5.
		{"avg ignores null (doc)", "avg", []data.Type{data.Real}, rows1(aNull, aR(5), aR(5), aR(5)), aR(5), data.Real},
		{"avg long is real", "avg", []data.Type{data.Long}, rows1(aL(1), aL(2)), aR(1.5), data.Real},
		{"avg int is real", "avg", []data.Type{data.Int}, rows1(aI(1), aI(2), aI(4)), aR(7.0 / 3), data.Real},
		{"avg large longs exact", "avg", []data.Type{data.Long}, rows1(aL(big), aL(big), aL(big-2)), aR(float64(big)), data.Real},
		{"avg decimal", "avg", []data.Type{data.Decimal}, rows1(data.NewDecimal(1), data.NewDecimal(2)), data.NewDecimal(1.5), data.Decimal},
		{"avg timespan", "avg", []data.Type{data.TimeSpan}, rows1(aTS(data.TicksPerHour), aTS(2*data.TicksPerHour)), aTS(90 * data.TicksPerMinute), data.TimeSpan},
		{"avg datetime no overflow", "avg", []data.Type{data.DateTime},
			rows1(aDT(data.MaxDateTimeTicks-day), aDT(data.MaxDateTimeTicks-3*day), aNull), aDT(data.MaxDateTimeTicks - 2*day), data.DateTime},
		{"avg negative longs", "avg", []data.Type{data.Long}, rows1(aL(-1), aL(-2)), aR(-1.5), data.Real},
		{"avg negative timespans truncate toward zero", "avg", []data.Type{data.TimeSpan}, rows1(aTS(-3), aTS(-4)), aTS(-3), data.TimeSpan},
		{"avg mixed-sign longs", "avg", []data.Type{data.Long}, rows1(aL(math.MinInt64), aL(math.MaxInt64), aL(2)), aR(1.0 / 3), data.Real},
		{"avg unknown mixed", "avg", []data.Type{data.Unknown}, rows1(aL(1), aR(2)), aR(1.5), data.Unknown},
		{"avg unknown ticks skip numbers", "avg", []data.Type{data.Unknown}, rows1(aTS(10), aL(100), aTS(20)), aTS(15), data.Unknown},
		{"avgif", "avgif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(10), aT}, {aL(100), aF}, {aL(20), aT}, {aL(7), aNull}}, aR(15), data.Real},
		{"avgif none pass", "avgif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(10), aF}}, aR(math.NaN()), data.Real},
	})
}

func TestAggregateMinMax(t *testing.T) {
	long := []data.Type{data.Long}
	str := []data.Type{data.String}
	runAggCases(t, []aggCase{
		{"min empty", "min", long, nil, aNull, data.Long},
		{"max empty", "max", long, nil, aNull, data.Long},
		{"min all null", "min", long, rows1(aNull, aNull), aNull, data.Long},
		{"min long ignores null", "min", long, rows1(aL(3), aNull, aL(-2), aL(7)), aL(-2), data.Long},
		{"max long ignores null", "max", long, rows1(aNull, aL(3), aL(-2), aL(7), aNull), aL(7), data.Long},
		{"min int keeps int", "min", []data.Type{data.Int}, rows1(aI(3), aI(2)), aI(2), data.Int},
		{"max real skips NaN", "max", []data.Type{data.Real}, rows1(aR(1), aR(math.NaN()), aR(-5)), aR(1), data.Real},
		{"min real skips NaN", "min", []data.Type{data.Real}, rows1(aR(1), aR(math.NaN()), aR(-5)), aR(-5), data.Real},
		{"min real only NaN", "min", []data.Type{data.Real}, rows1(aR(math.NaN())), aNull, data.Real},
		{"min string ordinal", "min", str, rows1(aS("b"), aS("a"), aS("B")), aS("B"), data.String},
		{"max string ordinal", "max", str, rows1(aS("b"), aS("a"), aS("B")), aS("b"), data.String},
		{"min string empty is a value", "min", str, rows1(aS("b"), aS("")), aS(""), data.String},
		{"min datetime", "min", []data.Type{data.DateTime}, rows1(aDT(20), aNull, aDT(10)), aDT(10), data.DateTime},
		{"max timespan", "max", []data.Type{data.TimeSpan}, rows1(aTS(-5), aTS(3)), aTS(3), data.TimeSpan},
		{"max bool", "max", []data.Type{data.Bool}, rows1(aF, aT, aF), aT, data.Bool},
		{"min bool", "min", []data.Type{data.Bool}, rows1(aT, aF), aF, data.Bool},
		{"max unknown mixed numbers", "max", []data.Type{data.Unknown}, rows1(aL(2), aR(2.5), aI(1)), aR(2.5), data.Unknown},
		{"minif", "minif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(1), aF}, {aL(5), aT}, {aL(3), aT}, {aL(0), aNull}}, aL(3), data.Long},
		{"maxif", "maxif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(9), aF}, {aL(5), aT}, {aL(3), aT}}, aL(5), data.Long},
		{"maxif none pass", "maxif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(9), aF}}, aNull, data.Long},
	})
}

func TestAggregateSpread(t *testing.T) {
	one2five := rows1(aL(1), aL(2), aL(3), aL(4), aL(5))
	long := []data.Type{data.Long}
	runAggCases(t, []aggCase{
		// Documented examples: range x from 1 to 5.
		{"variance doc", "variance", long, one2five, aR(2.5), data.Real},
		{"stdev doc", "stdev", long, one2five, aR(1.58113883008419), data.Real},
		{"stdevp doc", "stdevp", long, one2five, aR(1.4142135623731), data.Real},
		{"variancep doc", "variancep", long, one2five, aR(2), data.Real},
		{"variance ignores null", "variance", long, append(rows1(aNull), one2five...), aR(2.5), data.Real},
		{"variance empty is 0", "variance", long, nil, aR(0), data.Real},
		{"stdev empty is 0", "stdev", long, nil, aR(0), data.Real},
		{"varianceif empty is 0", "varianceif", []data.Type{data.Long, data.Bool}, nil, aR(0), data.Real},
		{"stdevif empty is 0", "stdevif", []data.Type{data.Long, data.Bool}, nil, aR(0), data.Real},
		{"variancep empty is null", "variancep", long, nil, aNull, data.Real},
		{"stdevp empty is null", "stdevp", long, nil, aNull, data.Real},
		{"variance one value", "variance", long, rows1(aL(7)), aR(0), data.Real},
		{"variancep one value", "variancep", long, rows1(aL(7)), aR(0), data.Real},
		{"variance large mean", "variance", []data.Type{data.Real}, rows1(aR(1e9+4), aR(1e9+7), aR(1e9+13), aR(1e9+16)), aR(30), data.Real},
		{"stdevif", "stdevif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(1), aT}, {aL(100), aF}, {aL(3), aT}}, aR(math.Sqrt2), data.Real},
		{"variance timespan ticks", "variance", []data.Type{data.TimeSpan}, rows1(aTS(1), aTS(3)), aR(2), data.Real},
	})
}

func TestAggregateMakeSet(t *testing.T) {
	// make_set-scalar-and-array: the page's datatable.
	valArr := [][]data.Value{
		{aI(1), aArr(aS("A1"), aS("A2"), aS("A3"))},
		{aI(5), aArr(aS("A2"), aS("C1"))},
		{aI(7), aArr(aS("C2"), aS("A3"))},
		{aI(5), aArr(aS("C2"), aS("A1"))},
	}
	col := func(i int) [][]data.Value {
		var out [][]data.Value
		for _, r := range valArr {
			out = append(out, []data.Value{r[i]})
		}
		return out
	}
	var many [][]data.Value
	for i := range 300 {
		many = append(many, []data.Value{aL(int64(i))})
	}
	var manyArr []data.Value
	for i := range 128 {
		manyArr = append(manyArr, aL(int64(i)))
	}
	dyn := []data.Type{data.Dynamic}
	runAggCases(t, []aggCase{
		{"empty (summarize-empty-make_set)", "make_set", []data.Type{data.Long}, nil, aArr(), data.Dynamic},
		{"doc Val_set", "make_set", []data.Type{data.Int}, col(0), aArr(aI(1), aI(5), aI(7)), data.Dynamic},
		{"doc Arr1_set flattens arrays", "make_set", dyn, col(1), aArr(aS("A1"), aS("A2"), aS("A3"), aS("C1"), aS("C2")), data.Dynamic},
		// summarize-make_set-dup-name: make_set(y) over [null, 5.0] is [5.0].
		{"ignores null (doc)", "make_set", []data.Type{data.Real}, rows1(aNull, aR(5)), aArr(aR(5)), data.Dynamic},
		{"ignores null elements", "make_set", dyn, rows1(aArr(aNull, aL(1)), aNull, aL(1)), aArr(aL(1)), data.Dynamic},
		{"flattens one level only", "make_set", dyn, rows1(aArr(aArr(aL(1)), aL(2)), aArr(aArr(aL(1)))), aArr(aArr(aL(1)), aL(2)), data.Dynamic},
		{"keeps bags as elements", "make_set", dyn, rows1(aBag("a", aL(1)), aBag("a", aL(1)), aBag("a", aL(2))), aArr(aBag("a", aL(1)), aBag("a", aL(2))), data.Dynamic},
		{"empty string is a value", "make_set", []data.Type{data.String}, rows1(aS(""), aS("x"), aS("")), aArr(aS(""), aS("x")), data.Dynamic},
		{"case-sensitive", "make_set", []data.Type{data.String}, rows1(aS("a"), aS("A")), aArr(aS("a"), aS("A")), data.Dynamic},
		{"maxSize", "make_set", []data.Type{data.String, data.Long},
			[][]data.Value{{aS("a"), aL(2)}, {aS("a"), aL(2)}, {aS("b"), aL(2)}, {aS("c"), aL(2)}}, aArr(aS("a"), aS("b")), data.Dynamic},
		{"maxSize counts flattened elements", "make_set", []data.Type{data.Dynamic, data.Long},
			[][]data.Value{{aArr(aL(1), aL(2), aL(3)), aL(2)}}, aArr(aL(1), aL(2)), data.Dynamic},
		{"maxSize null keeps default", "make_set", []data.Type{data.Long, data.Long},
			[][]data.Value{{aL(1), aNull}, {aL(2), aNull}}, aArr(aL(1), aL(2)), data.Dynamic},
		{"makeset default 128", "makeset", []data.Type{data.Long}, many, aArr(manyArr...), data.Dynamic},
		{"make_set_if empty", "make_set_if", []data.Type{data.String, data.Bool}, nil, aArr(), data.Dynamic},
		// make_set_if page: make_set_if(name, strlen(name) > 4) is ["George", "Ringo"].
		{"make_set_if doc", "make_set_if", []data.Type{data.String, data.Bool},
			beatleRows(func(name string, _ int64, long bool) []data.Value { return []data.Value{aS(name), data.NewBool(long)} }),
			aArr(aS("George"), aS("Ringo")), data.Dynamic},
		{"make_set_if maxSize", "make_set_if", []data.Type{data.Long, data.Bool, data.Int},
			[][]data.Value{{aL(1), aF, aI(1)}, {aL(2), aT, aI(1)}, {aL(3), aT, aI(1)}}, aArr(aL(2)), data.Dynamic},
	})

	// Large explicit maxSize on a deprecated alias lifts its 128 default.
	got, _ := runAggregate(t, "makeset", []data.Type{data.Long, data.Long}, func() [][]data.Value {
		var out [][]data.Value
		for _, r := range many {
			out = append(out, []data.Value{r[0], aL(1 << 40)})
		}
		return out
	}())
	if n := len(got.Array()); n != 300 {
		t.Errorf("makeset(x, 1<<40) kept %d values, want 300", n)
	}
}

func TestAggregateMakeList(t *testing.T) {
	// make_list page: shapes by isEvenSideCount.
	shapes := []struct {
		name string
		n    int64
	}{{"triangle", 3}, {"square", 4}, {"rectangle", 4}, {"pentagon", 5}, {"hexagon", 6}, {"heptagon", 7}, {"octagon", 8}, {"nonagon", 9}, {"decagon", 10}}
	names := func(even bool) [][]data.Value {
		var out [][]data.Value
		for _, s := range shapes {
			if (s.n%2 == 0) == even {
				out = append(out, []data.Value{aS(s.name)})
			}
		}
		return out
	}
	bags := func(even bool) ([][]data.Value, data.Value) {
		var out [][]data.Value
		var want []data.Value
		for _, s := range shapes {
			if (s.n%2 == 0) == even {
				b := aBag("name", aS(s.name), "sideCount", aI(s.n))
				out = append(out, []data.Value{b})
				want = append(want, b)
			}
		}
		return out, aArr(want...)
	}
	oddBags, oddWant := bags(false)
	var all [][]data.Value
	var allWant []data.Value
	for _, s := range shapes {
		all = append(all, []data.Value{aS(s.name)})
		allWant = append(allWant, aS(s.name))
	}
	// make_list_with_nulls page: sideCount with the triangle's set to null.
	withNulls := rows1(aNull, aI(4), aI(4), aI(5), aI(6), aI(7), aI(8), aI(9), aI(10))
	var many [][]data.Value
	for i := range 200 {
		many = append(many, []data.Value{aL(int64(i % 3))})
	}
	str := []data.Type{data.String}
	runAggCases(t, []aggCase{
		{"empty (summarize-empty-make_set)", "make_list", []data.Type{data.Long}, nil, aArr(), data.Dynamic},
		{"doc one column", "make_list", str, all, aArr(allWant...), data.Dynamic},
		{"doc by odd", "make_list", str, names(false), aArr(aS("triangle"), aS("pentagon"), aS("heptagon"), aS("nonagon")), data.Dynamic},
		{"doc by even", "make_list", str, names(true), aArr(aS("square"), aS("rectangle"), aS("hexagon"), aS("octagon"), aS("decagon")), data.Dynamic},
		{"doc bag_pack", "make_list", []data.Type{data.Dynamic}, oddBags, oddWant, data.Dynamic},
		{"keeps duplicates", "make_list", []data.Type{data.Long}, rows1(aL(1), aL(1), aL(2)), aArr(aL(1), aL(1), aL(2)), data.Dynamic},
		{"skips nulls", "make_list", []data.Type{data.Long}, rows1(aNull, aL(1), aNull), aArr(aL(1)), data.Dynamic},
		{"does not flatten arrays", "make_list", []data.Type{data.Dynamic}, rows1(aArr(aL(1), aL(2)), aArr()), aArr(aArr(aL(1), aL(2)), aArr()), data.Dynamic},
		{"maxSize", "make_list", []data.Type{data.Long, data.Int}, [][]data.Value{{aL(1), aI(2)}, {aL(1), aI(2)}, {aL(3), aI(2)}}, aArr(aL(1), aL(1)), data.Dynamic},
		{"makelist default 128", "makelist", []data.Type{data.Long}, many, aArr(func() []data.Value {
			var w []data.Value
			for i := range 128 {
				w = append(w, aL(int64(i%3)))
			}
			return w
		}()...), data.Dynamic},
		// make_list_if page: ["George", "Ringo"].
		{"make_list_if doc", "make_list_if", []data.Type{data.String, data.Bool},
			beatleRows(func(name string, _ int64, long bool) []data.Value { return []data.Value{aS(name), data.NewBool(long)} }),
			aArr(aS("George"), aS("Ringo")), data.Dynamic},
		{"make_list_if empty", "make_list_if", []data.Type{data.String, data.Bool}, nil, aArr(), data.Dynamic},
		{"make_list_with_nulls doc", "make_list_with_nulls", []data.Type{data.Int}, withNulls,
			aArr(aNull, aI(4), aI(4), aI(5), aI(6), aI(7), aI(8), aI(9), aI(10)), data.Dynamic},
		{"make_list_with_nulls empty", "make_list_with_nulls", []data.Type{data.Int}, nil, aArr(), data.Dynamic},
	})
}

func TestAggregateMakeBag(t *testing.T) {
	props := [][]data.Value{
		{aBag("prop01", aS("val_a")), aT},
		{aBag("prop02", aS("val_b")), aF},
		{aBag("prop03", aS("val_c")), aT},
	}
	first := func(rs [][]data.Value) [][]data.Value {
		var out [][]data.Value
		for _, r := range rs {
			out = append(out, r[:1])
		}
		return out
	}
	dyn := []data.Type{data.Dynamic}
	runAggCases(t, []aggCase{
		// The summarize page lists make_bag among the aggregates whose
		// default on empty input is an empty dynamic array.
		{"empty", "make_bag", dyn, nil, aArr(), data.Dynamic},
		{"doc example", "make_bag", dyn, first(props), aBag("prop01", aS("val_a"), "prop02", aS("val_b"), "prop03", aS("val_c")), data.Dynamic},
		{"make_bag_if doc", "make_bag_if", []data.Type{data.Dynamic, data.Bool}, props, aBag("prop01", aS("val_a"), "prop03", aS("val_c")), data.Dynamic},
		{"make_bag_if none pass", "make_bag_if", []data.Type{data.Dynamic, data.Bool}, [][]data.Value{{aBag("a", aL(1)), aF}}, aArr(), data.Dynamic},
		{"skips non-bags and nulls", "make_bag", dyn, rows1(aNull, aL(1), aArr(aL(2)), aS("x"), aBag("k", aL(3))), aBag("k", aL(3)), data.Dynamic},
		{"first value of a key wins", "make_bag", dyn, rows1(aBag("k", aL(1)), aBag("k", aL(2), "j", aL(3))), aBag("k", aL(1), "j", aL(3)), data.Dynamic},
		{"nested values kept", "make_bag", dyn, rows1(aBag("k", aArr(aL(1)), "b", aBag("x", aNull))), aBag("k", aArr(aL(1)), "b", aBag("x", aNull)), data.Dynamic},
		{"maxSize bounds keys", "make_bag", []data.Type{data.Dynamic, data.Long},
			[][]data.Value{{aBag("a", aL(1), "b", aL(2)), aL(2)}, {aBag("c", aL(3)), aL(2)}}, aBag("a", aL(1), "b", aL(2)), data.Dynamic},
		{"empty bag input gives empty bag", "make_bag", dyn, rows1(aBag()), aBag(), data.Dynamic},
	})
}

func TestAggregateTakeAny(t *testing.T) {
	runAggCases(t, []aggCase{
		{"empty", "take_any", []data.Type{data.Long}, nil, aNull, data.Long},
		{"skips null", "take_any", []data.Type{data.Long}, rows1(aNull, aL(3), aL(4)), aL(3), data.Long},
		{"prefers non-empty string", "take_any", []data.Type{data.String}, rows1(aS(""), aS(""), aS("x"), aS("y")), aS("x"), data.String},
		{"only empty strings", "take_any", []data.Type{data.String}, rows1(aS(""), aS("")), aS(""), data.String},
		{"prefers non-empty array", "take_any", []data.Type{data.Dynamic}, rows1(aNull, aArr(), aArr(aL(1))), aArr(aL(1)), data.Dynamic},
		{"any is take_any", "any", []data.Type{data.String}, rows1(aS(""), aS("v")), aS("v"), data.String},
		{"take_anyif", "take_anyif", []data.Type{data.String, data.Bool}, [][]data.Value{{aS("a"), aF}, {aS("b"), aNull}, {aS("c"), aT}}, aS("c"), data.String},
		{"take_anyif none pass is null", "take_anyif", []data.Type{data.String, data.Bool}, [][]data.Value{{aS("a"), aF}}, aNull, data.String},
		{"anyif", "anyif", []data.Type{data.Long, data.Bool}, [][]data.Value{{aL(1), aF}, {aL(2), aT}}, aL(2), data.Long},
	})
}

// TestAggregateEmptyDefaults checks every aggregate's result on a group
// with no rows against the summarize page's table: 0 for the counts, sums,
// variance and stdev (and their if variants), an empty array for the
// make_ functions, null for all others (avg: NaN, as the page's example
// prints it).
func TestAggregateEmptyDefaults(t *testing.T) {
	want := map[string]data.Value{
		"count": aL(0), "countif": aL(0), "dcount": aL(0), "dcountif": aL(0),
		"count_distinct": aL(0), "count_distinctif": aL(0),
		"sum": aL(0), "sumif": aL(0),
		"variance": aR(0), "varianceif": aR(0), "stdev": aR(0), "stdevif": aR(0),
		"make_set": aArr(), "makeset": aArr(), "make_set_if": aArr(),
		"make_list": aArr(), "makelist": aArr(), "make_list_if": aArr(), "make_list_with_nulls": aArr(),
		"make_bag": aArr(), "make_bag_if": aArr(), "make_dictionary": aArr(),
		"avg": aR(math.NaN()), "avgif": aR(math.NaN()),
	}
	for _, a := range AllAggregates() {
		types := make([]data.Type, a.MinArgs)
		for i := range types {
			types[i] = data.Long
		}
		if a.MinArgs >= 2 {
			types[1] = data.Bool // the predicate of an ...if variant
		}
		if strings.Contains(a.Name, "bag") || a.Name == "make_dictionary" {
			types[0] = data.Dynamic
		}
		if a.Name == "countif" {
			types[0] = data.Bool
		}
		got, _ := runAggregate(t, a.Name, types, nil)
		w, ok := want[a.Name]
		if !ok {
			w = aNull
		}
		if !sameValue(got, w) {
			t.Errorf("%s on empty input = %s, want %s", a.Name, show(got), show(w))
		}
	}
}

func TestAggregateDeclarations(t *testing.T) {
	prefixes := map[string]string{
		"count": "count", "countif": "countif", "dcount": "dcount", "dcountif": "dcountif",
		"count_distinct": "count_distinct", "count_distinctif": "count_distinctif",
		"sum": "sum", "sumif": "sumif", "avg": "avg", "avgif": "avgif",
		"min": "min", "max": "max", "minif": "minif", "maxif": "maxif",
		"variance": "variance", "varianceif": "varianceif", "variancep": "variancep",
		"stdev": "stdev", "stdevif": "stdevif", "stdevp": "stdevp",
		"make_set": "set", "makeset": "set", "make_set_if": "set",
		"make_list": "list", "makelist": "list", "make_list_if": "list", "make_list_with_nulls": "list",
		"make_bag": "bag", "make_bag_if": "bag", "make_dictionary": "dictionary",
		"take_any": "", "take_anyif": "", "any": "any", "anyif": "anyif",
	}
	all := AllAggregates()
	if len(all) != len(prefixes) {
		t.Errorf("%d aggregates declared, the test knows %d", len(all), len(prefixes))
	}
	for _, a := range all {
		p, ok := prefixes[a.Name]
		if !ok {
			t.Errorf("unexpected aggregate %s", a.Name)
			continue
		}
		if a.Prefix != p {
			t.Errorf("%s: Prefix %q, want %q", a.Name, a.Prefix, p)
		}
		if a.Signature == "" || !strings.HasPrefix(a.Signature, a.Name+"(") {
			t.Errorf("%s: bad Signature %q", a.Name, a.Signature)
		}
		if a.MinArgs < 0 || a.MaxArgs < a.MinArgs || a.Return == nil || a.New == nil {
			t.Errorf("%s: incomplete declaration", a.Name)
		}
	}
	if _, ok := LookupAggregate("arg_max"); ok {
		t.Error("arg_max is the binder's, not a declared aggregate")
	}
}

func TestAggregateReturnTypes(t *testing.T) {
	type tc struct {
		fn   string
		args []data.Type
		want data.Type
		err  string // substring of the expected error, "" for none
	}
	cases := []tc{
		{"sum", []data.Type{data.Int}, data.Long, ""},
		{"sum", []data.Type{data.Real}, data.Real, ""},
		{"sum", []data.Type{data.TimeSpan}, data.TimeSpan, ""},
		{"sum", []data.Type{data.Decimal}, data.Decimal, ""},
		{"sum", []data.Type{data.String}, data.Unknown, "must be a number"},
		{"sum", []data.Type{data.Dynamic}, data.Unknown, "cast it first"},
		{"sumif", []data.Type{data.Long, data.Long}, data.Unknown, "argument 2 must be bool"},
		{"avg", []data.Type{data.Long}, data.Real, ""},
		{"avg", []data.Type{data.Int}, data.Real, ""},
		{"avg", []data.Type{data.Decimal}, data.Decimal, ""},
		{"avg", []data.Type{data.TimeSpan}, data.TimeSpan, ""},
		{"avg", []data.Type{data.DateTime}, data.DateTime, ""},
		{"avg", []data.Type{data.Bool}, data.Unknown, "must be"},
		{"min", []data.Type{data.String}, data.String, ""},
		{"max", []data.Type{data.DateTime}, data.DateTime, ""},
		{"max", []data.Type{data.Bool}, data.Bool, ""},
		{"max", []data.Type{data.Guid}, data.Unknown, "must be"},
		{"max", []data.Type{data.Dynamic}, data.Unknown, "not dynamic"},
		{"maxif", []data.Type{data.Long, data.Bool}, data.Long, ""},
		{"count", nil, data.Long, ""},
		{"count", []data.Type{data.Dynamic}, data.Long, ""},
		{"countif", []data.Type{data.Bool}, data.Long, ""},
		{"countif", []data.Type{data.Long}, data.Unknown, "must be bool"},
		{"countif", []data.Type{data.Unknown}, data.Long, ""},
		{"dcount", []data.Type{data.Dynamic}, data.Long, ""},
		{"dcount", []data.Type{data.String, data.Real}, data.Unknown, "argument 2 must be int"},
		{"dcountif", []data.Type{data.String, data.Bool, data.Int}, data.Long, ""},
		{"count_distinct", []data.Type{data.Dynamic}, data.Long, ""},
		{"variance", []data.Type{data.Long}, data.Real, ""},
		{"stdev", []data.Type{data.String}, data.Unknown, "must be"},
		{"make_set", []data.Type{data.Dynamic, data.Long}, data.Dynamic, ""},
		{"make_set", []data.Type{data.String, data.String}, data.Unknown, "argument 2"},
		{"make_list", []data.Type{data.Guid}, data.Dynamic, ""},
		{"make_bag", []data.Type{data.String}, data.Unknown, "must be dynamic"},
		{"make_bag", []data.Type{data.Unknown}, data.Dynamic, ""},
		{"take_any", []data.Type{data.Guid}, data.Guid, ""},
		{"take_anyif", []data.Type{data.String, data.Bool}, data.String, ""},
		{"count", []data.Type{data.Long, data.Long}, data.Unknown, "too many"},
	}
	for _, c := range cases {
		a, ok := LookupAggregate(c.fn)
		if !ok {
			t.Fatalf("%s not registered", c.fn)
		}
		got, msg := a.Return(c.args)
		if c.err == "" {
			if msg != "" || got != c.want {
				t.Errorf("%s%v = %v, %q; want %v", c.fn, c.args, got, msg, c.want)
			}
			continue
		}
		if !strings.Contains(msg, c.err) || !strings.HasPrefix(msg, c.fn+"(") {
			t.Errorf("%s%v error = %q, want it to name the function and contain %q", c.fn, c.args, msg, c.err)
		}
	}
}

// TestAggregateResultIsStable checks that a result already handed out does
// not change when more rows arrive (the engine may read partial results).
func TestAggregateResultIsStable(t *testing.T) {
	for _, fn := range []string{"make_set", "make_list", "make_bag"} {
		a, _ := LookupAggregate(fn)
		acc := a.New([]data.Type{data.Dynamic})
		// Three elements: a slice grown by append then has spare capacity.
		acc.Add([]data.Value{aBag("a", aL(1))})
		acc.Add([]data.Value{aL(1)})
		acc.Add([]data.Value{aBag("c", aL(1))})
		r := acc.Result()
		before := string(data.AppendJSON(nil, r))
		var mine []data.Value
		if arr := r.Array(); arr != nil {
			// A consumer appending to the result must not share storage
			// with the accumulator's next element.
			mine = append(arr, aL(99))
		}
		acc.Add([]data.Value{aBag("b", aL(2))})
		acc.Add([]data.Value{aL(2)})
		if after := string(data.AppendJSON(nil, r)); after != before {
			t.Errorf("%s: result changed from %s to %s", fn, before, after)
		}
		if mine != nil {
			if last := mine[len(mine)-1]; !sameValue(last, aL(99)) {
				t.Errorf("%s: the accumulator wrote %s into a result's spare capacity", fn, show(last))
			}
		}
	}
}

func TestAggregateValueKey(t *testing.T) {
	type pair struct {
		name string
		a, b data.Value
		same bool
	}
	nan := math.NaN()
	pairs := []pair{
		{"int long", aI(1), aL(1), true},
		{"long real", aL(1), aR(1), true},
		{"long decimal", aL(-3), data.NewDecimal(-3), true},
		{"real fraction", aR(1.5), aL(1), false},
		{"zeros", aR(0), aR(math.Copysign(0, -1)), true},
		{"NaNs", aR(nan), aR(-nan), true},
		{"NaN vs null", aR(nan), aNull, false},
		{"inf", aR(math.Inf(1)), aR(math.Inf(1)), true},
		{"inf signs", aR(math.Inf(1)), aR(math.Inf(-1)), false},
		{"huge real vs long", aR(1 << 63), aL(math.MaxInt64), false},
		{"min long", aR(-(1 << 63)), aL(math.MinInt64), true},
		{"number vs string", aL(1), aS("1"), false},
		{"string vs guid", aS("00000000-0000-0000-0000-000000000001"), data.NewGuid("00000000-0000-0000-0000-000000000001"), false},
		{"datetime vs long", aDT(7), aL(7), false},
		{"datetime vs timespan", aDT(7), aTS(7), false},
		{"bools", aT, aF, false},
		{"bool vs long", aT, aL(1), false},
		{"empty string vs null", aS(""), aNull, false},
		{"case", aS("a"), aS("A"), false},
		{"arrays", aArr(aL(1), aS("x")), aArr(aI(1), aS("x")), true},
		{"array split", aArr(aS("a"), aS("b")), aArr(aS("ab")), false},
		{"array nesting", aArr(aArr(aL(1)), aL(2)), aArr(aArr(aL(1), aL(2))), false},
		{"array order", aArr(aL(1), aL(2)), aArr(aL(2), aL(1)), false},
		{"array vs string", aArr(), aS(""), false},
		{"empty array vs bag", aArr(), aBag(), false},
		{"bag key order", aBag("a", aL(1), "b", aArr()), aBag("b", aArr(), "a", aL(1)), true},
		{"bag values", aBag("a", aL(1)), aBag("a", aL(2)), false},
		{"bag key split", aBag("ab", aS("")), aBag("a", aS("b")), false},
		{"string with tag bytes", aS("s\x01a"), aArr(aS("a")), false},
	}
	for _, p := range pairs {
		if got := ValueKey(p.a) == ValueKey(p.b); got != p.same {
			t.Errorf("%s: ValueKey(%s) == ValueKey(%s) is %v, want %v", p.name, show(p.a), show(p.b), got, p.same)
		}
	}
	// Keys are stable: the same value always gives the same key.
	v := aBag("z", aL(1), "a", aArr(aS("x"), aNull))
	if ValueKey(v) != ValueKey(v) {
		t.Error("ValueKey is not deterministic")
	}
}

func TestAggregateCompareForArg(t *testing.T) {
	nan := math.NaN()
	// Each row: a < b.
	less := [][2]data.Value{
		{aNull, aL(math.MinInt64)},
		{aNull, aR(nan)},
		{aNull, aS("")},
		{aR(nan), aR(math.Inf(-1))},
		{aR(nan), aL(math.MinInt64)},
		{aL(1), aL(2)},
		{aI(1), aL(2)},
		{aL(1), aR(1.5)},
		{aR(1.5), aL(2)},
		{aL(-2), data.NewDecimal(-1.5)},
		{aL(math.MaxInt64 - 1), aL(math.MaxInt64)},
		{aL(math.MaxInt64), aR(1 << 63)}, // float64(MaxInt64) rounds to 2^63
		{aR(float64(1 << 60)), aL(1<<60 + 1)},
		{aS("B"), aS("a")},
		{aS(""), aS("a")},
		{aS("a"), aS("ab")},
		{aS("Z"), aS("\u00e9")},
		{aDT(1), aDT(2)},
		{aTS(-1), aTS(0)},
		{aF, aT},
		{aArr(aL(1)), aArr(aL(1), aL(0))},
		{aArr(aL(1), aL(2)), aArr(aL(2))},
		{data.NewGuid("0a"), data.NewGuid("0b")},
		{aT, aL(0)},     // bool before number (dynamic only)
		{aL(9), aS("")}, // number before string
		{aS("x"), aDT(0)},
		{aDT(0), aTS(0)},
	}
	for _, p := range less {
		if c := CompareForArg(p[0], p[1]); c >= 0 {
			t.Errorf("CompareForArg(%s, %s) = %d, want < 0", show(p[0]), show(p[1]), c)
		}
		if c := CompareForArg(p[1], p[0]); c <= 0 {
			t.Errorf("CompareForArg(%s, %s) = %d, want > 0", show(p[1]), show(p[0]), c)
		}
	}
	equal := [][2]data.Value{
		{aNull, aNull},
		{aI(3), aL(3)},
		{aL(3), aR(3)},
		{aR(nan), aR(nan)},
		{aS("x"), aS("x")},
		{aDT(5), aDT(5)},
		{aBag("a", aL(1), "b", aL(2)), aBag("b", aL(2), "a", aL(1))},
	}
	for _, p := range equal {
		if c := CompareForArg(p[0], p[1]); c != 0 {
			t.Errorf("CompareForArg(%s, %s) = %d, want 0", show(p[0]), show(p[1]), c)
		}
	}
}
