package builtin

import (
	"math"
	"math/big"
	"math/bits"

	"offhunt/detect/data"
)

// The accumulators of the aggregates declared in aggregate.go. Each one
// knows where its arguments are: pred is the index of the predicate of an
// ...if variant (-1 when there is none) and size the index of an optional
// maxSize argument (-1 when there is none).
//
// Add copies what it keeps out of the Value structs it is given and never
// keeps the args slice. Dynamic payloads (the []Value of an array, the
// *Bag of a bag) are shared, not copied: dynamic values are immutable once
// made, and copying every array make_list collects would double its memory.

// aggTrue reports whether a predicate value is true; null and non-bool
// values count as false, as in where.
func aggTrue(v data.Value) bool { return v.K == data.KBool && v.I != 0 }

// aggPass reports whether the row passes the predicate at index pred.
func aggPass(args []data.Value, pred int) bool {
	return pred < 0 || (pred < len(args) && aggTrue(args[pred]))
}

// aggFirst returns the first argument, or null when there is none.
func aggFirst(args []data.Value) data.Value {
	if len(args) == 0 {
		return data.Null
	}
	return args[0]
}

// aggLimit reads a maxSize argument. It should be a constant, so the
// accumulators read it from the first row that reaches them. A missing,
// null or non-positive maxSize keeps the default; a larger one than the
// documented maximum is capped to it.
func aggLimit(args []data.Value, i, def int) int {
	if i < 0 || i >= len(args) {
		return def
	}
	v := args[i]
	if v.K != data.KInt && v.K != data.KLong || v.I <= 0 {
		return def
	}
	if v.I > aggMaxSetSize {
		return aggMaxSetSize
	}
	return int(v.I)
}

// countAcc counts rows (count) or rows whose predicate is true (countif).
type countAcc struct {
	pred int
	n    int64
}

func (a *countAcc) Add(args []data.Value) {
	if aggPass(args, a.pred) {
		a.n++
	}
}

func (a *countAcc) Result() data.Value { return data.NewLong(a.n) }

// distinctAcc counts distinct non-null values exactly (dcount, dcountif,
// count_distinct, count_distinctif). Nulls are ignored, as the dcount page
// says; the empty string is a value.
type distinctAcc struct {
	pred int
	seen map[string]struct{}
	buf  []byte
}

func (a *distinctAcc) Add(args []data.Value) {
	v := aggFirst(args)
	if v.K == data.KNull || !aggPass(args, a.pred) {
		return
	}
	a.buf = aggAppendKey(a.buf[:0], v)
	if _, ok := a.seen[string(a.buf)]; ok { // no allocation for the lookup
		return
	}
	if a.seen == nil {
		a.seen = make(map[string]struct{})
	}
	a.seen[string(a.buf)] = struct{}{}
}

func (a *distinctAcc) Result() data.Value { return data.NewLong(int64(len(a.seen))) }

// aggInt128 is an exact running total of int64 values: sums of datetime
// ticks overflow int64 after a dozen rows, and avg must not.
type aggInt128 struct {
	hi int64
	lo uint64
}

func (s *aggInt128) add(v int64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, uint64(v), 0)
	s.hi += v>>63 + int64(carry)
}

func (s aggInt128) big() *big.Int {
	x := big.NewInt(s.hi)
	x.Lsh(x, 64)
	return x.Add(x, new(big.Int).SetUint64(s.lo))
}

// quo returns the total divided by n, truncated toward zero, saturated to
// int64 (an average of int64 values always fits; this is only defensive).
func (s aggInt128) quo(n int64) int64 {
	q := s.big()
	q.Quo(q, big.NewInt(n))
	if !q.IsInt64() {
		if q.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return q.Int64()
}

// aggClass sorts run-time kinds into what sum and avg can add: integers,
// reals (real and decimal), ticks (datetime, timespan), or nothing.
type aggClass uint8

const (
	aggClassNone aggClass = iota
	aggClassInt
	aggClassReal
	aggClassTicks
)

func aggClassOf(k data.Kind) aggClass {
	switch k {
	case data.KInt, data.KLong:
		return aggClassInt
	case data.KReal, data.KDecimal:
		return aggClassReal
	case data.KDateTime, data.KTimeSpan:
		return aggClassTicks
	}
	return aggClassNone
}

// sumAcc adds non-null values (sum, sumif). The result kind comes from the
// argument's static type; for an Unknown type it is decided by the values
// (long, widened to real when a real shows up; or the first tick kind).
type sumAcc struct {
	pred int
	kind data.Kind // result kind; KNull while an Unknown type is undecided
	dyn  bool      // the static type was Unknown
	i    int64     // integer and tick total (wraps on overflow, like long arithmetic)
	f    float64   // real and decimal total
	n    int64
}

func newSumAcc(t data.Type, pred int) *sumAcc {
	a := &sumAcc{pred: pred}
	switch t {
	case data.Int, data.Long:
		a.kind = data.KLong
	case data.Real:
		a.kind = data.KReal
	case data.Decimal:
		a.kind = data.KDecimal
	case data.TimeSpan:
		a.kind = data.KTimeSpan
	case data.DateTime:
		a.kind = data.KDateTime
	default:
		a.dyn = true
	}
	return a
}

func (a *sumAcc) Add(args []data.Value) {
	v := aggFirst(args)
	c := aggClassOf(v.K)
	if c == aggClassNone || !aggPass(args, a.pred) {
		return
	}
	if a.dyn {
		switch {
		case a.kind == data.KNull:
			a.kind = v.K
			if c == aggClassInt {
				a.kind = data.KLong
			}
		case c == aggClassTicks || aggClassOf(a.kind) == aggClassTicks:
			if v.K != a.kind {
				return // ticks only add to the same kind of ticks
			}
		case c == aggClassReal && a.kind == data.KLong:
			a.kind = data.KReal
		}
	}
	if c == aggClassReal {
		a.f += v.F
	} else {
		a.i += v.I
	}
	a.n++
}

func (a *sumAcc) Result() data.Value {
	switch a.kind {
	case data.KLong:
		return data.NewLong(a.i)
	case data.KReal:
		return data.NewReal(a.f + float64(a.i))
	case data.KDecimal:
		return data.NewDecimal(a.f + float64(a.i))
	case data.KTimeSpan:
		return data.NewTimeSpan(a.i)
	case data.KDateTime:
		// A sum of datetimes has no zero; an empty one is null.
		if a.n == 0 {
			return data.Null
		}
		return data.NewDateTime(a.i)
	}
	return data.NewLong(0) // Unknown type and no numeric value: Kusto's default 0
}

// avgAcc averages non-null values (avg, avgif). Integers are totalled
// exactly in 128 bits, so that an average of large longs or of datetimes
// (whose ticks are near 6e17) loses nothing before the division.
type avgAcc struct {
	pred int
	kind data.Kind // result kind; KNull while an Unknown type is undecided
	dyn  bool
	i    aggInt128
	f    float64
	n    int64
}

func newAvgAcc(t data.Type, pred int) *avgAcc {
	a := &avgAcc{pred: pred}
	switch t {
	case data.Int, data.Long, data.Real:
		a.kind = data.KReal
	case data.Decimal:
		a.kind = data.KDecimal
	case data.TimeSpan:
		a.kind = data.KTimeSpan
	case data.DateTime:
		a.kind = data.KDateTime
	default:
		a.dyn = true
	}
	return a
}

func (a *avgAcc) Add(args []data.Value) {
	v := aggFirst(args)
	c := aggClassOf(v.K)
	if c == aggClassNone || !aggPass(args, a.pred) {
		return
	}
	if a.dyn {
		if a.kind == data.KNull {
			a.kind = data.KReal
			if c == aggClassTicks {
				a.kind = v.K
			}
		}
		if (c == aggClassTicks) != (aggClassOf(a.kind) == aggClassTicks) || c == aggClassTicks && v.K != a.kind {
			return // numbers and ticks do not average together
		}
	}
	if c == aggClassReal {
		a.f += v.F
	} else {
		a.i.add(v.I)
	}
	a.n++
}

func (a *avgAcc) Result() data.Value {
	if a.n == 0 {
		// The summarize page's empty-input example shows avg as NaN
		// ("due to dividing by 0"), though its defaults table says null;
		// the example is what the service printed. Decimal, timespan
		// and datetime have no NaN, so they give null.
		if a.kind == data.KReal || a.kind == data.KNull {
			return data.NewReal(math.NaN())
		}
		return data.Null
	}
	switch a.kind {
	case data.KTimeSpan:
		return data.NewTimeSpan(a.i.quo(a.n))
	case data.KDateTime:
		return data.NewDateTime(a.i.quo(a.n))
	}
	var mean float64
	if a.i == (aggInt128{}) {
		mean = a.f / float64(a.n)
	} else {
		// Divide the exact integer total in big.Float, then add the reals.
		q := new(big.Float).SetInt(a.i.big())
		q.Quo(q, new(big.Float).SetInt64(a.n))
		m, _ := q.Float64()
		mean = m + a.f/float64(a.n)
	}
	if a.kind == data.KDecimal {
		return data.NewDecimal(mean)
	}
	return data.NewReal(mean)
}

// minMaxAcc keeps the smallest or largest non-null value (min, max, minif,
// maxif) in CompareForArg's order. NaN is skipped like null: Kusto's sort
// groups NaN with null, and one NaN would otherwise always be the minimum.
type minMaxAcc struct {
	pred int
	max  bool
	best data.Value
	have bool
}

func (a *minMaxAcc) Add(args []data.Value) {
	v := aggFirst(args)
	if v.K == data.KNull || aggIsReal(v.K) && v.F != v.F || !aggPass(args, a.pred) {
		return
	}
	if a.have {
		c := CompareForArg(v, a.best)
		if a.max && c <= 0 || !a.max && c >= 0 {
			return
		}
	}
	a.best, a.have = v, true
}

func (a *minMaxAcc) Result() data.Value {
	if !a.have {
		return data.Null
	}
	return a.best
}

// spreadAcc computes variance and standard deviation with Welford's
// one-pass update, which stays accurate when the mean is large compared
// with the spread (datetime ticks, byte counts). Datetimes and timespans
// count in ticks.
type spreadAcc struct {
	pred         int
	sample, sqrt bool
	n            int64
	mean, m2     float64
}

func (a *spreadAcc) Add(args []data.Value) {
	v := aggFirst(args)
	var x float64
	switch aggClassOf(v.K) {
	case aggClassInt, aggClassTicks:
		x = float64(v.I)
	case aggClassReal:
		x = v.F
	default:
		return
	}
	if !aggPass(args, a.pred) {
		return
	}
	a.n++
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m2 += d * (x - a.mean)
}

func (a *spreadAcc) Result() data.Value {
	var r float64
	switch {
	case a.n == 0 && !a.sample:
		// Only variance, varianceif, stdev and stdevif default to 0 on
		// empty input (summarize page); variancep and stdevp are among
		// "all others", which default to null.
		return data.Null
	case a.sample && a.n < 2:
		r = 0 // one value has no spread; Bessel's n-1 would divide by 0
	case a.sample:
		r = a.m2 / float64(a.n-1)
	default:
		r = a.m2 / float64(a.n)
	}
	if r < 0 { // rounding can leave -0 or a tiny negative
		r = 0
	}
	if a.sqrt {
		r = math.Sqrt(r)
	}
	return data.NewReal(r)
}

// setAcc collects distinct non-null values (make_set, makeset,
// make_set_if). An array value adds its elements, as the make_set page's
// "Set from array column" example shows; null elements are ignored like
// null values. Elements keep their first-seen order, which makes results
// reproducible although Kusto leaves the order undefined.
type setAcc struct {
	pred, size int
	limit      int
	limitRead  bool
	seen       map[string]struct{}
	items      []data.Value
	buf        []byte
}

func (a *setAcc) Add(args []data.Value) {
	if !aggPass(args, a.pred) {
		return
	}
	if !a.limitRead {
		a.limit, a.limitRead = aggLimit(args, a.size, a.limit), true
	}
	v := aggFirst(args)
	if v.K == data.KArray {
		for _, e := range v.Array() {
			a.add(e)
		}
		return
	}
	a.add(v)
}

func (a *setAcc) add(v data.Value) {
	if v.K == data.KNull || len(a.items) >= a.limit {
		return
	}
	a.buf = aggAppendKey(a.buf[:0], v)
	if _, ok := a.seen[string(a.buf)]; ok {
		return
	}
	if a.seen == nil {
		a.seen = make(map[string]struct{})
	}
	a.seen[string(a.buf)] = struct{}{}
	a.items = append(a.items, v)
}

// Result returns the set as a dynamic array; the full slice expression
// keeps later Adds from writing into the array already handed out.
func (a *setAcc) Result() data.Value {
	return data.NewArray(a.items[:len(a.items):len(a.items)])
}

// listAcc collects values in arrival order (make_list, makelist,
// make_list_if, make_list_with_nulls). Unlike make_set it does not flatten
// arrays: the make_list page packs bags and arrays as elements.
type listAcc struct {
	pred, size int
	limit      int
	limitRead  bool
	withNulls  bool
	items      []data.Value
}

func (a *listAcc) Add(args []data.Value) {
	if !aggPass(args, a.pred) {
		return
	}
	if !a.limitRead {
		a.limit, a.limitRead = aggLimit(args, a.size, a.limit), true
	}
	v := aggFirst(args)
	if v.K == data.KNull && !a.withNulls || len(a.items) >= a.limit {
		return
	}
	a.items = append(a.items, v)
}

func (a *listAcc) Result() data.Value {
	return data.NewArray(a.items[:len(a.items):len(a.items)])
}

// bagAcc merges property bags (make_bag, make_bag_if, make_dictionary).
// Values that are not bags are skipped. When a key appears in several rows
// the page says an arbitrary one of the values is selected; offhunt keeps
// the first, so results are reproducible. maxSize bounds the number of
// keys.
type bagAcc struct {
	pred, size int
	limit      int
	limitRead  bool
	bag        *data.Bag
}

func (a *bagAcc) Add(args []data.Value) {
	v := aggFirst(args)
	if v.K != data.KBag || !aggPass(args, a.pred) {
		return
	}
	if !a.limitRead {
		a.limit, a.limitRead = aggLimit(args, a.size, a.limit), true
	}
	in := v.Bag()
	if a.bag == nil {
		a.bag = data.NewBag(in.Len())
	}
	for _, k := range in.Keys() {
		if a.bag.Len() >= a.limit {
			return
		}
		if _, dup := a.bag.Get(k); dup {
			continue
		}
		it, _ := in.Get(k)
		a.bag.Set(k, it)
	}
}

// Result returns a copy of the merged bag (so later Adds cannot change a
// result already handed out). With no bag seen it returns the summarize
// page's documented default for make_bag, an empty dynamic array.
func (a *bagAcc) Result() data.Value {
	if a.bag == nil {
		return data.NewArray(nil)
	}
	return data.NewBagValue(a.bag.Clone())
}

// anyAcc returns one value of the group (take_any, any, take_anyif,
// anyif). The take_any page says that with a single column it "will attempt
// to return a non-null/non-empty value, if such value is present": offhunt
// takes the first non-empty value, falling back to the first empty one
// (an empty string, array or bag). Nulls are never chosen, and
// take_anyif gives null when no row passes its predicate.
type anyAcc struct {
	pred int
	v    data.Value
	have bool // v holds a value
	done bool // v is non-empty: nothing better can come
}

func (a *anyAcc) Add(args []data.Value) {
	if a.done {
		return
	}
	v := aggFirst(args)
	if v.K == data.KNull || !aggPass(args, a.pred) {
		return
	}
	if !aggEmpty(v) {
		a.v, a.have, a.done = v, true, true
		return
	}
	if !a.have {
		a.v, a.have = v, true
	}
}

func (a *anyAcc) Result() data.Value {
	if !a.have {
		return data.Null
	}
	return a.v
}

// aggEmpty reports whether v is an empty string, array or bag.
func aggEmpty(v data.Value) bool {
	switch v.K {
	case data.KString:
		return v.S == ""
	case data.KArray:
		return len(v.Array()) == 0
	case data.KBag:
		return v.Bag().Len() == 0
	}
	return false
}
