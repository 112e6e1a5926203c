package builtin

import (
	"strconv"

	"offhunt/detect/data"
)

// This file declares summarize's aggregation functions. Their semantics
// follow Microsoft's per-function reference pages and the summarize page's
// table of defaults on empty input; the accumulators are in
// aggregate_acc.go, the value keys and ordering in aggregate_key.go.
//
// Result column names: the binder names an unnamed aggregate
// Prefix + "_" + the name of its first argument (or Prefix + "_" when the
// first argument is not a simple name), as Kusto's binder does
// (ResultNameKind.PrefixAndFirstArgument). An empty Prefix means Kusto's
// ResultNameKind.FirstArgument: the column takes the first argument's own
// name (`take_any(State)` gives a column `State`); that is how take_any and
// take_anyif name their results, while the deprecated any and anyif add
// "any_"/"anyif_".

// Set-size limits of make_set, make_list and make_bag. The builtin package
// cannot import the engine (which imports it), so the engine's MaxSetSize
// is repeated here; both come from the make_set page ("The default and max
// value is 1048576").
const (
	aggMaxSetSize        = 1_048_576
	aggDeprecatedSetSize = 128 // makeset, makelist and make_dictionary default (documented)
)

func init() {
	registerAggregates(
		// Counting.
		&Aggregate{
			Name: "count", Signature: "count([expr]): long",
			MinArgs: 0, MaxArgs: 1, Prefix: "count",
			// count(expr) counts rows, nulls included: the summarize page
			// shows count(y) over [null, 5.0] giving 2.
			Return: aggReturn("count", aggFixed(data.Long), aggAny),
			New:    func([]data.Type) Accumulator { return &countAcc{pred: -1} },
		},
		&Aggregate{
			Name: "countif", Signature: "countif(predicate: bool): long",
			MinArgs: 1, MaxArgs: 1, Prefix: "countif",
			Return: aggReturn("countif", aggFixed(data.Long), aggBool),
			New:    func([]data.Type) Accumulator { return &countAcc{pred: 0} },
		},
		distinctAgg("dcount", "dcount(expr: scalar [, accuracy: int]): long", 1, 2, -1, aggAny, aggInt),
		distinctAgg("dcountif", "dcountif(expr: scalar, predicate: bool [, accuracy: int]): long", 2, 3, 1, aggAny, aggBool, aggInt),
		// Kusto's parser declares count_distinct's argument "not dynamic",
		// but a saved hunting query (Detect_Known_RAT_RMM_Process_Patterns)
		// applies it to the set_ column of an earlier make_set, so dynamic
		// is accepted: arrays and bags are distinct by content.
		distinctAgg("count_distinct", "count_distinct(expr: scalar): long", 1, 1, -1, aggAny),
		distinctAgg("count_distinctif", "count_distinctif(expr: scalar, predicate: bool): long", 2, 2, 1, aggAny, aggBool),

		// Sums and averages.
		&Aggregate{
			Name: "sum", Signature: "sum(expr: number|timespan|datetime): long|real|decimal|timespan|datetime",
			MinArgs: 1, MaxArgs: 1, Prefix: "sum",
			Return: aggReturn("sum", aggSumType, aggSummable),
			New:    func(t []data.Type) Accumulator { return newSumAcc(t[0], -1) },
		},
		&Aggregate{
			Name: "sumif", Signature: "sumif(expr: number|timespan|datetime, predicate: bool): long|real|decimal|timespan|datetime",
			MinArgs: 2, MaxArgs: 2, Prefix: "sumif",
			Return: aggReturn("sumif", aggSumType, aggSummable, aggBool),
			New:    func(t []data.Type) Accumulator { return newSumAcc(t[0], 1) },
		},
		&Aggregate{
			Name: "avg", Signature: "avg(expr: number|timespan|datetime): real|decimal|timespan|datetime",
			MinArgs: 1, MaxArgs: 1, Prefix: "avg",
			Return: aggReturn("avg", aggAvgType, aggSummable),
			New:    func(t []data.Type) Accumulator { return newAvgAcc(t[0], -1) },
		},
		&Aggregate{
			Name: "avgif", Signature: "avgif(expr: number|timespan|datetime, predicate: bool): real|decimal|timespan|datetime",
			MinArgs: 2, MaxArgs: 2, Prefix: "avgif",
			Return: aggReturn("avgif", aggAvgType, aggSummable, aggBool),
			New:    func(t []data.Type) Accumulator { return newAvgAcc(t[0], 1) },
		},

		// Extremes.
		minMaxAgg("min", "min(expr: orderable): type of expr", false, -1, aggOrderable),
		minMaxAgg("max", "max(expr: orderable): type of expr", true, -1, aggOrderable),
		minMaxAgg("minif", "minif(expr: orderable, predicate: bool): type of expr", false, 1, aggOrderable, aggBool),
		minMaxAgg("maxif", "maxif(expr: orderable, predicate: bool): type of expr", true, 1, aggOrderable, aggBool),

		// Spread.
		spreadAgg("variance", "variance(expr: number): real", true, false, -1, aggSummable),
		spreadAgg("varianceif", "varianceif(expr: number, predicate: bool): real", true, false, 1, aggSummable, aggBool),
		spreadAgg("variancep", "variancep(expr: number): real", false, false, -1, aggSummable),
		spreadAgg("stdev", "stdev(expr: number): real", true, true, -1, aggSummable),
		spreadAgg("stdevif", "stdevif(expr: number, predicate: bool): real", true, true, 1, aggSummable, aggBool),
		spreadAgg("stdevp", "stdevp(expr: number): real", false, true, -1, aggSummable),

		// Dynamic builders.
		setAgg("make_set", "set", "make_set(expr: scalar [, maxSize: int]): dynamic", aggMaxSetSize, -1, aggAny, aggInt),
		setAgg("makeset", "set", "makeset(expr: scalar [, maxSize: int]): dynamic (deprecated: use make_set)", aggDeprecatedSetSize, -1, aggAny, aggInt),
		setAgg("make_set_if", "set", "make_set_if(expr: scalar, predicate: bool [, maxSize: int]): dynamic", aggMaxSetSize, 1, aggAny, aggBool, aggInt),
		listAgg("make_list", "make_list(expr: scalar [, maxSize: int]): dynamic", aggMaxSetSize, -1, false, aggAny, aggInt),
		listAgg("makelist", "makelist(expr: scalar [, maxSize: int]): dynamic (deprecated: use make_list)", aggDeprecatedSetSize, -1, false, aggAny, aggInt),
		listAgg("make_list_if", "make_list_if(expr: scalar, predicate: bool [, maxSize: int]): dynamic", aggMaxSetSize, 1, false, aggAny, aggBool, aggInt),
		listAgg("make_list_with_nulls", "make_list_with_nulls(expr: scalar): dynamic", aggMaxSetSize, -1, true, aggAny),
		bagAgg("make_bag", "bag", "make_bag(expr: dynamic [, maxSize: int]): dynamic", aggMaxSetSize, -1, aggDynamic, aggInt),
		bagAgg("make_bag_if", "bag", "make_bag_if(expr: dynamic, predicate: bool [, maxSize: int]): dynamic", aggMaxSetSize, 1, aggDynamic, aggBool, aggInt),
		bagAgg("make_dictionary", "dictionary", "make_dictionary(expr: dynamic [, maxSize: int]): dynamic (deprecated: use make_bag)", aggDeprecatedSetSize, -1, aggDynamic, aggInt),

		// Samples. take_any(e1, e2, ...) and take_any(*) return several
		// columns, like arg_max; only the one-expression form is declared
		// here.
		anyAgg("take_any", "", "take_any(expr: scalar): type of expr", -1, aggAny),
		anyAgg("any", "any", "any(expr: scalar): type of expr (deprecated: use take_any)", -1, aggAny),
		anyAgg("take_anyif", "", "take_anyif(expr: scalar, predicate: bool): type of expr", 1, aggAny, aggBool),
		anyAgg("anyif", "anyif", "anyif(expr: scalar, predicate: bool): type of expr (deprecated: use take_anyif)", 1, aggAny, aggBool),
	)
}

// distinctAgg declares an exact distinct count. dcount is documented as an
// HLL estimate that is exact below about 1000 values at the default
// accuracy; an exact count is therefore what the service gives on the data
// sizes offhunt sees, and the accuracy argument is checked but unused.
func distinctAgg(name, sig string, minArgs, maxArgs, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: minArgs, MaxArgs: maxArgs, Prefix: name,
		Return: aggReturn(name, aggFixed(data.Long), kinds...),
		New:    func([]data.Type) Accumulator { return &distinctAcc{pred: pred} },
	}
}

func minMaxAgg(name, sig string, isMax bool, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: len(kinds), MaxArgs: len(kinds), Prefix: name,
		Return: aggReturn(name, aggFirstArgType, kinds...),
		New:    func([]data.Type) Accumulator { return &minMaxAcc{pred: pred, max: isMax} },
	}
}

func spreadAgg(name, sig string, sample, sqrt bool, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: len(kinds), MaxArgs: len(kinds), Prefix: name,
		Return: aggReturn(name, aggFixed(data.Real), kinds...),
		New: func([]data.Type) Accumulator {
			return &spreadAcc{pred: pred, sample: sample, sqrt: sqrt}
		},
	}
}

// setAgg declares make_set and its variants; the optional maxSize is the
// last argument.
func setAgg(name, prefix, sig string, def, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: len(kinds) - 1, MaxArgs: len(kinds), Prefix: prefix,
		Return: aggReturn(name, aggFixed(data.Dynamic), kinds...),
		New: func([]data.Type) Accumulator {
			return &setAcc{pred: pred, size: len(kinds) - 1, limit: def}
		},
	}
}

func listAgg(name, sig string, def, pred int, withNulls bool, kinds ...aggKind) *Aggregate {
	minArgs, size := len(kinds)-1, len(kinds)-1
	if withNulls { // make_list_with_nulls has no maxSize argument
		minArgs, size = len(kinds), -1
	}
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: minArgs, MaxArgs: len(kinds), Prefix: "list",
		Return: aggReturn(name, aggFixed(data.Dynamic), kinds...),
		New: func([]data.Type) Accumulator {
			return &listAcc{pred: pred, size: size, limit: def, withNulls: withNulls}
		},
	}
}

func bagAgg(name, prefix, sig string, def, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: len(kinds) - 1, MaxArgs: len(kinds), Prefix: prefix,
		Return: aggReturn(name, aggFixed(data.Dynamic), kinds...),
		New: func([]data.Type) Accumulator {
			return &bagAcc{pred: pred, size: len(kinds) - 1, limit: def}
		},
	}
}

func anyAgg(name, prefix, sig string, pred int, kinds ...aggKind) *Aggregate {
	return &Aggregate{
		Name: name, Signature: sig, MinArgs: len(kinds), MaxArgs: len(kinds), Prefix: prefix,
		Return: aggReturn(name, aggFirstArgType, kinds...),
		New:    func([]data.Type) Accumulator { return &anyAcc{pred: pred} },
	}
}

// aggKind is what an aggregate accepts in one argument position, after
// Kusto's parameter kinds (Aggregates.cs in microsoft/Kusto-Query-Language).
type aggKind uint8

const (
	aggAny       aggKind = iota // any scalar, dynamic included
	aggBool                     // a predicate
	aggInt                      // maxSize, accuracy
	aggSummable                 // int, long, real, decimal, datetime, timespan
	aggOrderable                // summable, plus bool and string
	aggDynamic                  // make_bag's property bags
)

var aggKindText = [...]string{
	aggAny:       "a scalar",
	aggBool:      "bool",
	aggInt:       "int or long",
	aggSummable:  "a number, datetime or timespan",
	aggOrderable: "a number, string, bool, datetime or timespan",
	aggDynamic:   "dynamic",
}

func (k aggKind) accepts(t data.Type) bool {
	if t == data.Unknown { // decided per row
		return true
	}
	switch k {
	case aggAny:
		return true
	case aggBool:
		return t == data.Bool
	case aggInt:
		return t.IsIntegral()
	case aggSummable:
		return t.IsNumeric() || t == data.DateTime || t == data.TimeSpan
	case aggOrderable:
		return t.IsNumeric() || t == data.DateTime || t == data.TimeSpan || t == data.String || t == data.Bool
	case aggDynamic:
		return t == data.Dynamic
	}
	return false
}

// aggReturn builds a Return function: it checks each argument against its
// kind and then computes the result type from the first argument's type.
func aggReturn(name string, result func(first data.Type) data.Type, kinds ...aggKind) func([]data.Type) (data.Type, string) {
	return func(args []data.Type) (data.Type, string) {
		if len(args) > len(kinds) {
			return data.Unknown, name + "(): too many arguments"
		}
		for i, t := range args {
			if !kinds[i].accepts(t) {
				msg := name + "(): argument " + strconv.Itoa(i+1) + " must be " + aggKindText[kinds[i]] + ", not " + t.String()
				if t == data.Dynamic && kinds[i] != aggBool && kinds[i] != aggInt {
					msg += " (cast it first, e.g. with tolong(), toreal() or tostring())"
				}
				return data.Unknown, msg
			}
		}
		first := data.Unknown
		if len(args) > 0 {
			first = args[0]
		}
		return result(first), ""
	}
}

func aggFixed(t data.Type) func(data.Type) data.Type {
	return func(data.Type) data.Type { return t }
}

func aggFirstArgType(t data.Type) data.Type { return t }

// aggSumType promotes int to long, as Kusto's sum does (Parameter0Promoted);
// other summable types keep their type.
func aggSumType(t data.Type) data.Type {
	if t == data.Int {
		return data.Long
	}
	return t
}

// aggAvgType follows Kusto's avg signatures: integers and reals average to
// real, decimal to decimal, timespan and datetime to themselves.
func aggAvgType(t data.Type) data.Type {
	switch t {
	case data.Int, data.Long:
		return data.Real
	}
	return t
}
