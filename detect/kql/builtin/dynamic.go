package builtin

import (
	"math"
	"slices"

	"offhunt/detect/data"
)

// Functions over dynamic arrays and property bags. An argument that should
// be an array (or a bag) but is not gives null, as Kusto documents for
// array_length. Results never share backing arrays with their arguments,
// since other expressions may hold those.

// MaxArrayResult bounds arrays that a function builds from a count
// (repeat, range): a single row must not exhaust memory.
const MaxArrayResult = 1 << 20

func init() {
	register(
		fn("pack_array(value: scalar, ...): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return data.NewArray(slices.Clone(a))
		}, maxArgs(64)),
		fn("bag_pack(key: string, value: scalar, ...): dynamic", evalBagPack, aliases("pack"),
			returns(func(args []data.Type) (data.Type, string) {
				if len(args)%2 != 0 {
					return data.Unknown, "expects key-value pairs (an even number of arguments)"
				}
				return data.Dynamic, ""
			})),
		fn("array_length(array: dynamic): long", func(_ *CallContext, a []data.Value) data.Value {
			if a[0].K != data.KArray {
				return data.Null
			}
			return data.NewLong(int64(len(a[0].Array())))
		}, aliases("arraylength")),
		fn("array_slice(array: dynamic, start: long, end: long): dynamic", evalArraySlice),
		fn("array_concat(array: dynamic, ...): dynamic", evalArrayConcat),
		fn("array_index_of(array: dynamic, value: scalar [, start_index: long [, length: long [, occurrence: long]]]): long", evalArrayIndexOf),
		fn("array_reverse(value: dynamic): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			if a[0].K != data.KArray {
				return data.Null
			}
			out := slices.Clone(a[0].Array())
			slices.Reverse(out)
			return data.NewArray(out)
		}),
		fn("array_sort_asc(array: dynamic [, nulls_last: bool]): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return sortArray(a, 1)
		}),
		fn("array_sort_desc(array: dynamic [, nulls_last: bool]): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return sortArray(a, -1)
		}),
		fn("array_sum(array: dynamic): real", evalArraySum),
		fn("set_has_element(set: dynamic, value: scalar): bool", func(_ *CallContext, a []data.Value) data.Value {
			if a[0].K != data.KArray {
				return data.Null
			}
			for _, v := range a[0].Array() {
				if data.Equal(v, a[1]) {
					return trueValue
				}
			}
			return falseValue
		}),
		fn("set_union(set1: dynamic, set2: dynamic, ...): dynamic", evalSetUnion),
		fn("set_intersect(set1: dynamic, set2: dynamic, ...): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return setFilter(a, true)
		}),
		fn("set_difference(set1: dynamic, set2: dynamic, ...): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			return setFilter(a, false)
		}),
		fn("bag_keys(object: dynamic): dynamic", func(_ *CallContext, a []data.Value) data.Value {
			bag := a[0].Bag()
			if bag == nil {
				return data.Null
			}
			keys := bag.Keys()
			out := make([]data.Value, len(keys))
			for i, k := range keys {
				out[i] = data.NewString(k)
			}
			return data.NewArray(out)
		}),
		fn("bag_has_key(bag: dynamic, key: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			bag := a[0].Bag()
			if bag == nil {
				return data.Null
			}
			_, ok := bag.Get(argString(a[1]))
			return boolValue(ok)
		}),
		fn("bag_remove_keys(bag: dynamic, keys: dynamic): dynamic", evalBagRemoveKeys),
		fn("bag_merge(bag1: dynamic, bag2: dynamic, ...): dynamic", evalBagMerge),
		fn("zip(array1: dynamic, array2: dynamic, ...): dynamic", evalZip),
		fn("repeat(value: scalar, count: long): dynamic", evalRepeat),
		fn("range(start: number|datetime|timespan, stop: number|datetime|timespan [, step: number|timespan]): dynamic", evalRange),
	)
}

func evalBagPack(_ *CallContext, a []data.Value) data.Value {
	if len(a)%2 != 0 {
		return data.Null
	}
	bag := data.NewBag(len(a) / 2)
	for i := 0; i+1 < len(a); i += 2 {
		bag.Set(argString(a[i]), a[i+1])
	}
	return data.NewBagValue(bag)
}

// evalArraySlice: array_slice(array, start, end), end inclusive; negative
// indexes count from the end, and indexes past either end are clamped.
func evalArraySlice(_ *CallContext, a []data.Value) data.Value {
	if a[0].K != data.KArray {
		return data.Null
	}
	items := a[0].Array()
	start, ok1 := argLong(a[1])
	end, ok2 := argLong(a[2])
	if !ok1 || !ok2 {
		return data.Null
	}
	n := int64(len(items))
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = min(end, n-1)
	if start > end {
		return data.NewArray(nil)
	}
	return data.NewArray(slices.Clone(items[start : end+1]))
}

func evalArrayConcat(_ *CallContext, a []data.Value) data.Value {
	total := 0
	for _, v := range a {
		if v.K != data.KArray {
			return data.Null
		}
		total += len(v.Array())
	}
	out := make([]data.Value, 0, total)
	for _, v := range a {
		out = append(out, v.Array()...)
	}
	return data.NewArray(out)
}

// evalArrayIndexOf: array_index_of(array, value[, start[, length[,
// occurrence]]]). Unlike indexof on strings, the documented examples
// examine length elements from start (exclusive end). -1 when not found;
// null for a non-array, a length below -1 or an occurrence below 1.
func evalArrayIndexOf(_ *CallContext, a []data.Value) data.Value {
	if a[0].K != data.KArray {
		return data.Null
	}
	items := a[0].Array()
	start, length, occ, ok := searchRangeArgs(a)
	if !ok {
		return data.Null
	}
	n := int64(len(items))
	if start < 0 {
		start = max(start+n, 0)
	}
	end := n
	if length >= 0 && start+length < n {
		end = start + length
	}
	for i := start; i < end; i++ {
		if data.Equal(items[i], a[1]) {
			occ--
			if occ == 0 {
				return data.NewLong(i)
			}
		}
	}
	return data.NewLong(-1)
}

// sortArray sorts a copy of the array (dir 1 ascending, -1 descending)
// with a stable sort; nulls go last unless nulls_last is false.
func sortArray(a []data.Value, dir int) data.Value {
	if a[0].K != data.KArray {
		return data.Null
	}
	nullsLast := true
	if len(a) > 1 {
		b, ok := argBool(a[1])
		if !ok {
			return data.Null
		}
		nullsLast = b
	}
	out := slices.Clone(a[0].Array())
	slices.SortStableFunc(out, func(x, y data.Value) int {
		xn, yn := x.K == data.KNull, y.K == data.KNull
		switch {
		case xn && yn:
			return 0
		case xn:
			if nullsLast {
				return 1
			}
			return -1
		case yn:
			if nullsLast {
				return -1
			}
			return 1
		}
		return data.Compare(x, y) * dir
	})
	return data.NewArray(out)
}

// evalArraySum sums the numeric elements as a real; an element that is
// not a number (or null) makes the result null, as Kusto does.
func evalArraySum(_ *CallContext, a []data.Value) data.Value {
	if a[0].K != data.KArray {
		return data.Null
	}
	var sum float64
	for _, v := range a[0].Array() {
		switch {
		case isIntValue(v):
			sum += float64(v.I)
		case isRealValue(v):
			sum += v.F
		default:
			return data.Null
		}
	}
	return data.NewReal(sum)
}

// evalSetUnion returns the distinct elements of all arrays, in order of
// first appearance.
func evalSetUnion(_ *CallContext, a []data.Value) data.Value {
	seen := map[string]bool{}
	var out []data.Value
	for _, arr := range a {
		if arr.K != data.KArray {
			return data.Null
		}
		for _, v := range arr.Array() {
			k := data.HashKey(v)
			if !seen[k] {
				seen[k] = true
				out = append(out, v)
			}
		}
	}
	return data.NewArray(out)
}

// setFilter returns the distinct elements of the first array that are in
// every other array (intersect) or in none of them (difference).
func setFilter(a []data.Value, intersect bool) data.Value {
	for _, arr := range a {
		if arr.K != data.KArray {
			return data.Null
		}
	}
	others := make([]map[string]bool, len(a)-1)
	for i, arr := range a[1:] {
		m := make(map[string]bool, len(arr.Array()))
		for _, v := range arr.Array() {
			m[data.HashKey(v)] = true
		}
		others[i] = m
	}
	seen := map[string]bool{}
	var out []data.Value
	for _, v := range a[0].Array() {
		k := data.HashKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		// Intersect keeps what every other array has; difference keeps
		// what none of them has.
		keep := true
		for _, m := range others {
			if m[k] != intersect {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, v)
		}
	}
	return data.NewArray(out)
}

func evalBagRemoveKeys(_ *CallContext, a []data.Value) data.Value {
	bag := a[0].Bag()
	if bag == nil || a[1].K != data.KArray {
		return data.Null
	}
	out := bag.Clone()
	for _, k := range a[1].Array() {
		out.Delete(argString(k))
	}
	return data.NewBagValue(out)
}

// evalBagMerge merges bags; when a key is in several, the first bag's
// value wins. A null argument counts as an empty bag (a missing
// AdditionalFields must not void the whole merge); any other non-bag
// gives null.
func evalBagMerge(_ *CallContext, a []data.Value) data.Value {
	out := data.NewBag(4)
	for _, v := range a {
		if v.K == data.KNull {
			continue
		}
		bag := v.Bag()
		if bag == nil {
			return data.Null
		}
		for _, k := range bag.Keys() {
			if _, exists := out.Get(k); !exists {
				val, _ := bag.Get(k)
				out.Set(k, val)
			}
		}
	}
	return data.NewBagValue(out)
}

// evalZip pairs up elements: the i-th result holds the i-th element of
// each array, null where an array is shorter.
func evalZip(_ *CallContext, a []data.Value) data.Value {
	n := 0
	for _, v := range a {
		if v.K != data.KArray {
			return data.Null
		}
		n = max(n, len(v.Array()))
	}
	out := make([]data.Value, n)
	for i := range out {
		row := make([]data.Value, len(a))
		for j, v := range a {
			if items := v.Array(); i < len(items) {
				row[j] = items[i]
			}
		}
		out[i] = data.NewArray(row)
	}
	return data.NewArray(out)
}

func evalRepeat(_ *CallContext, a []data.Value) data.Value {
	n, ok := argLong(a[1])
	if !ok {
		return data.Null
	}
	if n <= 0 {
		return data.NewArray(nil)
	}
	if n > MaxArrayResult {
		return data.Null
	}
	out := make([]data.Value, n)
	for i := range out {
		out[i] = a[0]
	}
	return data.NewArray(out)
}

// evalRange builds the array start, start+step, ... up to stop inclusive.
// The step defaults to 1 for numbers; datetimes and timespans need a
// timespan step (a missing one gives null). Arrays longer than
// MaxArrayResult give null.
func evalRange(_ *CallContext, a []data.Value) data.Value {
	start, stop := a[0], a[1]
	switch start.K {
	case data.KDateTime, data.KTimeSpan:
		if len(a) < 3 {
			return data.Null
		}
		step, ok := argTimeSpan(a[2])
		if !ok || step == 0 || stop.K != start.K {
			return data.Null
		}
		count := (stop.I-start.I)/step + 1
		if count <= 0 {
			return data.NewArray(nil)
		}
		if count > MaxArrayResult {
			return data.Null
		}
		out := make([]data.Value, count)
		for i := range out {
			out[i] = data.Value{K: start.K, I: start.I + int64(i)*step}
		}
		return data.NewArray(out)
	}
	if isIntValue(start) && isIntValue(stop) && (len(a) < 3 || isIntValue(a[2])) {
		step := int64(1)
		if len(a) > 2 {
			step = a[2].I
		}
		if step == 0 {
			return data.Null
		}
		count := (stop.I-start.I)/step + 1
		if count <= 0 {
			return data.NewArray(nil)
		}
		if count > MaxArrayResult {
			return data.Null
		}
		out := make([]data.Value, count)
		for i := range out {
			out[i] = data.NewLong(start.I + int64(i)*step)
		}
		return data.NewArray(out)
	}
	x, ok1 := argReal(start)
	y, ok2 := argReal(stop)
	step := 1.0
	ok3 := true
	if len(a) > 2 {
		step, ok3 = argReal(a[2])
	}
	if !ok1 || !ok2 || !ok3 || step == 0 || math.IsNaN(step) {
		return data.Null
	}
	count := math.Floor((y-x)/step) + 1
	if !(count > 0) {
		return data.NewArray(nil)
	}
	if count > MaxArrayResult {
		return data.Null
	}
	out := make([]data.Value, int(count))
	for i := range out {
		out[i] = data.NewReal(x + float64(i)*step)
	}
	return data.NewArray(out)
}
