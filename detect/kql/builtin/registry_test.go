package builtin

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"offhunt/detect/data"
)

// TestSignatures checks every declaration: the signature names the
// function, parses to the declared arity, and Eval and Return are set.
func TestSignatures(t *testing.T) {
	for _, b := range All() {
		if !strings.HasPrefix(b.Signature, b.Name+"(") {
			t.Errorf("%s: signature %q does not start with the name", b.Name, b.Signature)
		}
		if b.Eval == nil || b.Return == nil {
			t.Errorf("%s: missing Eval or Return", b.Name)
		}
		if b.MaxArgs >= 0 && b.MaxArgs < b.MinArgs {
			t.Errorf("%s: arity %d..%d", b.Name, b.MinArgs, b.MaxArgs)
		}
	}
}

// TestRegisteredNames checks that the functions offhunt promises exist,
// under Kusto's names and aliases.
func TestRegisteredNames(t *testing.T) {
	names := `tolower toupper strlen string_size substring strcat strcat_delim strcat_array split
	replace_string replace_regex trim trim_start trim_end reverse indexof countof extract extract_all
	parse_command_line parse_path parse_url parse_json parsejson todynamic toobject parse_xml
	base64_decode_tostring base64_encode_tostring url_decode url_encode url_encode_component
	hash_sha256 hash_md5 hash_sha1 tostring toint tolong toreal todouble todecimal tobool toboolean
	toguid tohex todatetime totimespan format_datetime format_timespan round floor bin bin_at ceiling
	abs log log10 log2 exp exp2 exp10 pow sqrt sign max_of min_of ago now datetime_add datetime_diff
	datetime_part startofday startofweek startofmonth startofyear endofday endofweek endofmonth
	endofyear dayofweek dayofmonth dayofyear hourofday getyear getmonth monthofyear weekofyear
	unixtime_seconds_todatetime unixtime_milliseconds_todatetime unixtime_microseconds_todatetime
	unixtime_nanoseconds_todatetime make_datetime make_timespan pack_array pack bag_pack array_length
	arraylength array_slice array_concat array_index_of array_reverse array_sort_asc array_sort_desc
	array_sum set_has_element set_union set_intersect set_difference bag_keys bag_has_key
	bag_remove_keys bag_merge zip repeat isempty isnotempty notempty isnull isnotnull notnull isnan
	isinf isfinite isascii isutf8 gettype translate strrep strcmp ipv4_is_private ipv4_is_in_range
	ipv4_is_match ipv4_compare parse_ipv4 parse_ipv4_mask format_ipv4 has_ipv4 has_ipv4_prefix
	has_any_ipv4 has_any_ipv4_prefix`
	for _, n := range strings.Fields(names) {
		if _, ok := Lookup(n); !ok {
			t.Errorf("%s is not registered", n)
		}
	}
}

// robustnessPool holds awkward values: nulls, empties, extremes, invalid
// UTF-8, wrong kinds inside dynamic values.
var robustnessPool = []data.Value{
	data.Null,
	data.NewString(""),
	data.NewString("a\xff\xfeb⒦"),
	data.NewString("192.168.1.1/24"),
	data.NewString("2015-12-31T23:59:59Z"),
	data.NewString(`(a)(?P<n>b)|[`),
	data.NewString("windows"),
	data.NewString("year"),
	data.NewLong(0),
	data.NewLong(-1),
	data.NewLong(math.MaxInt64),
	data.NewLong(math.MinInt64),
	data.NewInt(7),
	data.NewReal(math.NaN()),
	data.NewReal(math.Inf(-1)),
	data.NewReal(-2.5),
	data.NewBool(true),
	data.NewDateTime(0),
	data.NewDateTime(data.MaxDateTimeTicks),
	data.NewTimeSpan(math.MinInt64),
	data.NewTimeSpan(data.TicksPerDay),
	data.NewGuid("01234567-89ab-cdef-0123-456789abcdef"),
	data.NewArray(nil),
	data.NewArray([]data.Value{data.Null, data.NewLong(1), data.NewString("x"), data.NewArray(nil)}),
	data.NewBagValue(data.NewBag(0)),
}

// TestNoPanics calls every function with random awkward arguments: it
// must never panic, and a function declared to return a string must never
// return null.
func TestNoPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, b := range All() {
		maxN := b.MaxArgs
		if maxN < 0 || maxN > b.MinArgs+3 {
			maxN = b.MinArgs + 3
		}
		c := &CallContext{Now: testNow}
		for i := 0; i < 400; i++ {
			n := b.MinArgs + rng.IntN(maxN-b.MinArgs+1)
			args := make([]data.Value, n)
			for j := range args {
				args[j] = robustnessPool[rng.IntN(len(robustnessPool))]
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s(%s) panicked: %v", b.Name, showArgs(args), r)
					}
				}()
				v := b.Eval(c, args)
				types := make([]data.Type, len(args))
				for j, a := range args {
					types[j] = staticType(a)
				}
				rt, msg := b.Return(types)
				if msg == "" && !kindFits(v, rt) {
					t.Errorf("%s(%s) = %s of kind %s, but the static type is %s",
						b.Name, showArgs(args), fshow(v), data.KindTypeName(v), rt)
				}
			}()
		}
	}
}

func TestParseSignature(t *testing.T) {
	tests := []struct {
		sig      string
		min, max int
	}{
		{"substring(source: string, startingIndex: long [, length: long]): string", 2, 3},
		{"indexof(source: scalar, lookup: scalar [, start_index: long [, length: long [, occurrence: long]]]): long", 2, 5},
		{"now([offset: timespan]): datetime", 0, 1},
		{"strcat(argument: scalar, ...): string", 1, -1},
		{"pi(): real", 0, 0},
	}
	for _, tc := range tests {
		min, max := parseSignature(tc.sig).arity()
		if min != tc.min || max != tc.max {
			t.Errorf("%s: arity %d..%d, want %d..%d", tc.sig, min, max, tc.min, tc.max)
		}
	}
}

// TestConcurrentLookup: signatures are parsed on a function's first
// lookup; lookups from several goroutines at once (queries compiled in
// parallel) all get the function filled in.
func TestConcurrentLookup(t *testing.T) {
	names := []string{"substring", "extract", "strcat", "bin", "datetime_add", "tostring"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range names {
				b, ok := Lookup(n)
				if !ok || b.Return == nil || b.MaxArgs == 0 {
					t.Errorf("%s: looked up as %+v", n, b)
					return
				}
				if _, msg := b.Return([]data.Type{data.String, data.Long}); n == "substring" && msg != "" {
					t.Errorf("substring(string, long): %s", msg)
				}
			}
		}()
	}
	wg.Wait()
}
