package syntax

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"offhunt/detect/data"
)

// sexpr renders an expression fully parenthesised, so that tests see the
// tree's shape, not the printer's choice of parentheses.
func sexpr(e Expr) string {
	switch e := e.(type) {
	case *Ident:
		if e.Quoted {
			return "['" + e.Name + "']"
		}
		return e.Name
	case *Literal:
		if e.Type == data.String {
			return fmt.Sprintf("%q", e.Value.S)
		}
		return fmt.Sprintf("%s:%s", e.Type, data.ToString(e.Value))
	case *Unary:
		return "(" + e.Op + " " + sexpr(e.X) + ")"
	case *Binary:
		return "(" + e.Op + " " + sexpr(e.L) + " " + sexpr(e.R) + ")"
	case *InExpr:
		var parts []string
		for _, x := range e.List {
			parts = append(parts, sexpr(x))
		}
		return "(" + e.Op + " " + sexpr(e.X) + " [" + strings.Join(parts, " ") + "])"
	case *BetweenExpr:
		op := "between"
		if e.Not {
			op = "!between"
		}
		return "(" + op + " " + sexpr(e.X) + " " + sexpr(e.Lo) + " " + sexpr(e.Hi) + ")"
	case *Call:
		var parts []string
		for _, x := range e.Args {
			parts = append(parts, sexpr(x))
		}
		return e.Name + "(" + strings.Join(parts, " ") + ")"
	case *Member:
		return "(. " + sexpr(e.X) + " " + e.Name + ")"
	case *Index:
		return "([] " + sexpr(e.X) + " " + sexpr(e.Index) + ")"
	case *Star:
		return "*"
	case *Paren:
		return "(paren " + sexpr(e.X) + ")"
	}
	return "{" + e.String() + "}"
}

// exprShapeCases are expressions and their shapes; the fuzzers start from them too.
var exprShapeCases = []struct{ src, want string }{
	{`a or b and c`, `(or a (and b c))`},
	{`a and b or c`, `(or (and a b) c)`},
	{`a == 1 and b != 2`, `(and (== a long:1) (!= b long:2))`},
	{`a <> b`, `(!= a b)`},
	{`a + b * c - d`, `(- (+ a (* b c)) d)`},
	{`a / b % c`, `(% (/ a b) c)`},
	{`a < b + 1`, `(< a (+ b long:1))`},
	{`a == b < c`, `(== a (< b c))`},
	{`x has "a" + "b"`, `(+ (has x "a") "b")`},
	{`x contains "a" and y !contains_cs "b"`, `(and (contains x "a") (!contains_cs y "b"))`},
	{`x =~ "a" or y !~ "b"`, `(or (=~ x "a") (!~ y "b"))`},
	{`x matches regex "a.*b"`, `(matches regex x "a.*b")`},
	{`Device:"ws2" and x : y`, `(and (: Device "ws2") (: x y))`},
	{`x startswith "a" and x !endswith_cs "b" and x hasprefix "c" and x !hassuffix "d"`,
		`(and (and (and (startswith x "a") (!endswith_cs x "b")) (hasprefix x "c")) (!hassuffix x "d"))`},
	{`x in (1, 2)`, `(in x [long:1 long:2])`},
	{`x !in~ ("a")`, `(!in~ x ["a"])`},
	{`x in~ (lolbins)`, `(in~ x [lolbins])`},
	{`x in (T | project y)`, `(in x [{T | project y}])`},
	{`x has_any ((T | project y))`, `(has_any x [(paren {T | project y})])`},
	{`x has_all ("a", "b") and y`, `(and (has_all x ["a" "b"]) y)`},
	{`x between (1 .. 10)`, `(between x long:1 long:10)`},
	{`x !between (ago(7d)..ago(1d))`, `(!between x ago(timespan:7.00:00:00) ago(timespan:1.00:00:00))`},
	{`(a - b) between (0min .. 30min)`, `(between (- a b) timespan:00:00:00 timespan:00:30:00)`},
	{`a + b in (1)`, `(in (+ a b) [long:1])`},
	{`-5`, `long:-5`},
	{`- 1.5`, `real:-1.5`},
	{`-1d`, `timespan:-1.00:00:00`},
	{`-x`, `(- x)`},
	{`-(5)`, `(- long:5)`},
	{`+5`, `(+ long:5)`},
	{`- -x`, `(- (- x))`},
	{`-x.y`, `(- (. x y))`},
	{`+datatable(a:int)[]`, `(+ {datatable(a:int) []})`},
	{`-(a + b)`, `(- (+ a b))`},
	{`-"a"`, `(- "a")`},
	{`-(5).x`, `(- (. long:5 x))`},
	{`-(5)[0]`, `(- ([] long:5 long:0))`},
	{`a - -1`, `(- a long:-1)`},
	{`2 * -3`, `(* long:2 long:-3)`},
	{`a.b.c`, `(. (. a b) c)`},
	{`a['k']`, `([] a "k")`},
	{`a.['k y']`, `(. a k y)`},
	{`a.[0]`, `([] a long:0)`},
	{`a[-1]`, `([] a long:-1)`},
	{`split(x, ":")[0]`, `([] split(x ":") long:0)`},
	{`parse_xml(E).DataItem.EventData`, `(. (. parse_xml(E) DataItem) EventData)`},
	{`d.value.type`, `(. (. d value) type)`},
	{`$left.A == $right.B`, `(== (. $left A) (. $right B))`},
	{`f()`, `f()`},
	{`arg_max(x, *)`, `arg_max(x *)`},
	{`count(*)`, `count(*)`},
	{`not(x)`, `not(x)`},
	{`pack_array ("a", "b")`, `pack_array("a" "b")`},
	{`* has "x"`, `(has * "x")`},
	{`['a b'] + ["c"]`, `(+ ['a b'] ['c'])`},
	{`"a" 'b' @"c"`, `"abc"`},
	{`strlen("Hello" ', ' @"world!")`, `strlen("Hello, world!")`},
	{`toscalar(T | count)`, `toscalar({T | count})`},
	{`(T | take 1)`, `(paren {T | take 1})`},
	{`((T | take 1))`, `(paren {T | take 1})`},
	{`(1 + 2) * 3`, `(* (+ long:1 long:2) long:3)`},
	{`((x))`, `x`},
	{`datetime()`, `now()`},
	{`datetime(2015-12-31)`, `datetime:2015-12-31T00:00:00.0000000Z`},
	{`int(null) == x`, `(== int: x)`},
	{`true and False`, `(and bool:true bool:false)`},
	{`dynamic([1, "a", {"b": datetime(1970-05-11), "c": [true, null, -2.5]}])`,
		`dynamic:[1,"a",{"b":"1970-05-11T00:00:00Z","c":[true,null,-2.5]}]`},
	{`dynamic ( {} )`, `dynamic:{}`},
	{`dynamic(null)`, `dynamic:`},
	{`dynamic(4)`, `dynamic:4`},
	{`dynamic({a: 1})`, `dynamic:{"a":1}`},
	{`dynamic([1d, guid(null), dynamic([2])])`, `dynamic:["1.00:00:00",null,[2]]`},
	{`materialize(T)`, `{materialize(T)}`},
	{`datatable(a:int)[1]`, `{datatable(a:int) [1]}`},
	{`iff(x, 1, 2) + case(a, "b", "c")`, `(+ iff(x long:1 long:2) case(a "b" "c"))`},
	{`['print'](x)`, `print(x)`},
	{`print`, `print`},
	{`where`, `where`},
	{`x.asc`, `(. x asc)`},
}

// TestParseExprShapes checks precedence, folding and postfix chains by the
// fully parenthesised shape of each expression.
func TestParseExprShapes(t *testing.T) {
	for _, c := range exprShapeCases {
		x, err := ParseExpr(c.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", c.src, err)
			continue
		}
		if got := sexpr(x); got != c.want {
			t.Errorf("ParseExpr(%q)\n got  %s\n want %s", c.src, got, c.want)
		}
		checkRoundTrip(t, c.src, x)
	}
}

// checkRoundTrip checks that x prints as text that parses back to an
// equal expression.
func checkRoundTrip(t *testing.T, src string, x Expr) {
	t.Helper()
	s := x.String()
	y, err := ParseExpr(s)
	if err != nil {
		t.Errorf("ParseExpr(%q) printed %q, which does not parse: %v", src, s, err)
		return
	}
	if !equalTrees(x, y) {
		t.Errorf("ParseExpr(%q) printed %q, which parses to a different tree:\n %s\n %s", src, s, sexpr(x), sexpr(y))
	}
}

// equalTrees compares two trees, ignoring positions (every field named
// At) and treating NaN as equal to NaN.
func equalTrees(a, b any) bool {
	return equalValues(reflect.ValueOf(a), reflect.ValueOf(b))
}

func equalValues(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if a.Type().Field(i).Name == "At" {
				continue
			}
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !equalValues(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	}
	panic("equalValues: unhandled kind " + a.Kind().String())
}

// queryCases are queries and their canonical forms; the fuzzers start from them too.
var queryCases = []struct{ src, want string }{
	// statements
	{"T", "T"},
	{"T;", "T"},
	{"T; U;;", "T;\nU"},
	{"let x = 1; T", "let x = 1;\nT"},
	{"let ['some number'] = 20; range y from 0 to ['some number'] step 5", "let ['some number'] = 20;\nrange y from 0 to ['some number'] step 5"},
	{"let t = T | where a; t", "let t = T | where a;\nt"},
	{"let f = (a:string, b:long = 5) { let x = 1; a }; f('x')", "let f = (a:string, b:long = 5) { let x = 1; a };\nf('x')"},
	{"let f = () { T }; f()", "let f = () { T };\nf()"},
	{"let v = view () { print x = 1 }; v", "let v = view () { print x = 1 };\nv"},
	{"let v = view(){ T; }; v", "let v = view () { T };\nv"},
	{"let f = (T:(a:string, b:long), n:int) { T | take n }; f(U, 1)", "let f = (T:(a:string, b:long), n:int) { T | take n };\nf(U, 1)"},
	{"let f = (T:(*)) { T }; f(U)", "let f = (T:(*)) { T };\nf(U)"},
	{"let x = (1 + 2); print x", "let x = 1 + 2;\nprint x"},
	{"let x = (T | take 1); x", "let x = (T | take 1);\nx"},
	{"let m = materialize(T | where a); m", "let m = materialize(T | where a);\nm"},
	{"set notruncation; T", "set notruncation;\nT"},
	{"set query_now = datetime(2020-01-01); T", "set query_now = datetime(2020-01-01);\nT"},
	{"set a.b = 1; T", "set a.b = 1;\nT"},
	// sources
	{"print 1, x = 'a'", "print 1, x = 'a'"},
	{"print print=iff(bool(null) and true, true, false)", "print print = iff(bool(null) and true, true, false)"},
	{"print (a, b) = f()", "print (a, b) = f()"},
	{"range x from 1 to 10 step 1", "range x from 1 to 10 step 1"},
	{"range(1, 3, 1)", "range(1, 3, 1)"},
	{"datatable(a:int, b:string) [1, 'x', 2, 'y',]", "datatable(a:int, b:string) [1, 'x', 2, 'y']"},
	{"datatable(x:long)[]", "datatable(x:long) []"},
	{"datatable (A: datetime) [datetime(2024-12-15 07:15:22)]", "datatable(A:datetime) [datetime(2024-12-15 07:15:22)]"},
	{"union A, B*, (C | take 1), f(1)", "union A, B*, (C | take 1), f(1)"},
	{"union kind=outer withsource=TableName isfuzzy=true A", "union kind=outer withsource=TableName isfuzzy=true A"},
	{"union isfuzzy=false *", "union *"},
	{"externaldata(a:string, b:long) [@'https://x/y.csv', 'u2'] with (format='csv', ignoreFirstRecord=True)",
		`externaldata(a:string, b:long) ["https://x/y.csv", "u2"] with (format=csv, ignoreFirstRecord=True)`},
	{"search 'x'", "search 'x'"},
	{"search in (T1, T2*) x == 1", "search in (T1, T2*) x == 1"},
	{"search kind=case_sensitive * has 'x'", "search kind=case_sensitive * has 'x'"},
	{`T | search Device:"ws2" and x`, `T | search Device : "ws2" and x`},
	{"(T | take 1) | count", "(T | take 1) | count"},
	{"f(1, 'a') | take 1", "f(1, 'a') | take 1"},
	// operators
	{"T | where a == 1", "T | where a == 1"},
	{"T | filter a", "T | where a"},
	{"T | project a, b = c + 1, ['d e'] = 2", "T | project a, b = c + 1, ['d e'] = 2"},
	{"T | extend x = 1, (a, b) = f(x)", "T | extend x = 1, (a, b) = f(x)"},
	{"T | project-away a, b*, *_1, ['c d']", "T | project-away a, b*, *_1, ['c d']"},
	{"T | project-keep a*b", "T | project-keep a*b"},
	{"T | project-rename new_a = a, ['n b'] = ['o b']", "T | project-rename new_a = a, ['n b'] = ['o b']"},
	{"T | project-reorder a asc, b*, c desc, d granny-asc", "T | project-reorder a asc, b*, c desc, d granny-asc"},
	{"T | summarize count() by x", "T | summarize count() by x"},
	{"T | summarize by x, bin(t, 1h)", "T | summarize by x, bin(t, 1h)"},
	{"T | summarize a = count(), make_set(b, 100)", "T | summarize a = count(), make_set(b, 100)"},
	{"T | summarize hint.strategy=shuffle arg_max(v, *) by k = x % 2 == 0", "T | summarize arg_max(v, *) by k = x % 2 == 0"},
	{"T | sort by a desc nulls last, b asc, c", "T | sort by a desc nulls last, b asc, c"},
	{"T | order by a", "T | sort by a"},
	{"T | top 10 by a desc nulls first", "T | top 10 by a desc nulls first"},
	{"T | take 10", "T | take 10"},
	{"T | limit 5", "T | take 5"},
	{"T | distinct *", "T | distinct *"},
	{"T | distinct a, b", "T | distinct a, b"},
	{"T | count", "T | count"},
	{"T | join kind=inner hint.strategy=broadcast (U | where x) on a, $left.b == $right.c and $left.d == $right.e",
		"T | join kind=inner (U | where x) on a, $left.b == $right.c, $left.d == $right.e"},
	{"T | join U on $right.b == $left.a", "T | join U on $left.a == $right.b"},
	{"T | join kind = innerunique t2 on key", "T | join kind=innerunique t2 on key"},
	{"T | lookup kind=leftouter D on a, b", "T | lookup kind=leftouter D on a, b"},
	{"T | mv-expand x", "T | mv-expand x"},
	{"T | mv-expand bagexpansion=array x", "T | mv-expand kind=array x"},
	{"T | mv-expand kind=bag with_itemindex=I a = x to typeof(string), y limit 10", "T | mv-expand kind=bag with_itemindex=I a = x to typeof(string), y limit 10"},
	{"T | mvexpand x", "T | mv-expand x"},
	{"T | mv-expand ['kind'] = x, ['with_itemindex'] = y", "T | mv-expand ['kind'] = x, ['with_itemindex'] = y"},
	{`T | parse x with * "a=" a:long ", b=" b *`, `T | parse x with * "a=" a:long ", b=" b *`},
	{`T | parse kind=regex flags=Ui x with "a" b:date`, `T | parse kind=regex flags=Ui x with "a" b:datetime`},
	{`T | parse-where kind=relaxed x with a`, `T | parse-where kind=relaxed x with a`},
	{"T | evaluate bag_unpack(x)", "T | evaluate bag_unpack(x)"},
	{"T | evaluate pivot(k, any(v), a, b)", "T | evaluate pivot(k, any(v), a, b)"},
	{"T | getschema", "T | getschema"},
	{"T | serialize", "T | serialize"},
	{"T | serialize rn = row_number()", "T | serialize rn = row_number()"},
	{"T | invoke f(1)", "T | invoke f(1)"},
	{"T | as hint.materialized=true X", "T | as X"},
	{"T | render timechart", "T | render timechart"},
	{"T | render piechart with (title='t', ycolumns=a, b, kind=stacked)", "T | render piechart with (kind=stacked, title='t', ycolumns=a, b)"},
	{"T | union U, (V)", "T | union U, V"},
	{"T | summarize ['by'] = count() by ['and'] | extend ['on'] = 1", "T | summarize ['by'] = count() by ['and'] | extend ['on'] = 1"},
	{"T | render x with (['b c']=2, a=1) | evaluate ['print'](1) | invoke ['f'](2)", "T | render x with (a=1, ['b c']=2) | evaluate ['print'](1) | invoke f(2)"},
	{"union (0), (T), (f(1)), $0()", "union (0), T, f(1), $0()"},
	{"T | search 'x'", "T | search 'x'"},
	{"T | make-series c = count() on t from a to b step 1d by x | where c > 0", "T | make-series | where c > 0"},
	{"T | mv-apply x to typeof(long) on (top 1 by x)", "T | mv-apply"},
	{"T | fork (where x) (take 1); U", "T | fork;\nU"},
	{"(T | top-nested 3 of x by count()) | count", "(T | top-nested) | count"},
	{"T | partition by x { take 1 }", "T | partition"},
	{"T | sample 10", "T | sample"},
	// comments and layout
	{"T // c\n| where x // d\n// e\n| take 1", "T | where x | take 1"},
	{"T\n\t| where x\u00a0== 1", "T | where x == 1"},
}

// TestParseQueries checks each construct by its canonical printed form.
func TestParseQueries(t *testing.T) {
	for _, c := range queryCases {
		q, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := q.String(); got != c.want {
			t.Errorf("Parse(%q)\n got  %q\n want %q", c.src, got, c.want)
		}
		checkQueryRoundTrip(t, c.src, q)
	}
}

// checkQueryRoundTrip checks both properties of the printer: the printed
// query parses to an equal tree, and printing is stable.
func checkQueryRoundTrip(t testing.TB, src string, q *Query) {
	t.Helper()
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Errorf("Parse(%.200q) printed\n%s\nwhich does not parse: %v", src, s, err)
		return
	}
	if !equalTrees(q, q2) {
		t.Errorf("Parse(%.200q) printed\n%s\nwhich parses to a different tree", src, s)
	}
	if s2 := q2.String(); s2 != s {
		t.Errorf("printing is not stable for %.200q:\n%s\n%s", src, s, s2)
	}
}

// TestParseDetails checks fields the printed form does not show.
func TestParseDetails(t *testing.T) {
	q, err := Parse("let f = (a:string, T:(x:long), b:long = 5) { T }; T\n| join kind=leftouter (U) on a, $left.b == $right.c | where x")
	if err != nil {
		t.Fatal(err)
	}
	let := q.Stmts[0].(*LetStmt)
	fd := let.Value.(*FuncDef)
	if len(fd.Params) != 3 || fd.Params[0].Type != data.String || !fd.Params[1].Tabular ||
		len(fd.Params[1].Columns) != 1 || fd.Params[1].Columns[0] != (data.Column{Name: "x", Type: data.Long}) ||
		fd.Params[2].Default.(*Literal).Value.I != 5 {
		t.Errorf("params: %+v", fd.Params)
	}
	pipe := q.Stmts[1].(*ExprStmt).X.(*Pipe)
	if _, ok := pipe.Op.(*WhereOp); !ok {
		t.Errorf("last operator is %T, want *WhereOp", pipe.Op)
	}
	j := pipe.X.(*Pipe).Op.(*JoinOp)
	want := []JoinCond{{"a", "a"}, {"b", "c"}}
	if j.Kind != "leftouter" || !reflect.DeepEqual(j.On, want) || j.At != 54 {
		t.Errorf("join: kind %q on %v at %d", j.Kind, j.On, j.At)
	}
	if id, ok := j.Right.(*Ident); !ok || id.Name != "U" {
		t.Errorf("join right: %#v", j.Right)
	}
	if line, col := LineCol(q.String(), 0); line != 1 || col != 1 {
		t.Errorf("LineCol: %d:%d", line, col)
	}

	q, err = Parse(`T | parse x with * "a" b:long c`)
	if err != nil {
		t.Fatal(err)
	}
	p := q.Stmts[0].(*ExprStmt).X.(*Pipe).Op.(*ParseOp)
	if len(p.Pattern) != 4 {
		t.Fatalf("pattern: %v", p.Pattern)
	}
	if _, ok := p.Pattern[0].(*Star); !ok {
		t.Errorf("pattern[0] = %T", p.Pattern[0])
	}
	if l, ok := p.Pattern[1].(*Literal); !ok || l.Value.S != "a" {
		t.Errorf("pattern[1] = %v", p.Pattern[1])
	}
	if c, ok := p.Pattern[2].(*ParseCapture); !ok || c.Name != "b" || c.Type != data.Long || c.At != 23 {
		t.Errorf("pattern[2] = %#v", p.Pattern[2])
	}
	if c, ok := p.Pattern[3].(*ParseCapture); !ok || c.Type != data.Unknown {
		t.Errorf("pattern[3] = %#v", p.Pattern[3])
	}

	q, err = Parse("union withsource=S isfuzzy=True A*, ['b c']")
	if err != nil {
		t.Fatal(err)
	}
	u := q.Stmts[0].(*ExprStmt).X.(*UnionExpr)
	if u.WithSource != "S" || !u.IsFuzzy || len(u.Legs) != 2 || u.Legs[0].(*Ident).Name != "A*" || !u.Legs[1].(*Ident).Quoted {
		t.Errorf("union: %+v", u)
	}

	q, err = Parse("T | mv-expand with_itemindex=I x to typeof(long) limit 3")
	if err != nil {
		t.Fatal(err)
	}
	mv := q.Stmts[0].(*ExprStmt).X.(*Pipe).Op.(*MvExpandOp)
	if mv.ItemIndex != "I" || mv.Columns[0].To != data.Long || mv.Limit.(*Literal).Value.I != 3 {
		t.Errorf("mv-expand: %+v", mv)
	}

	// Positions are byte offsets, also after multi-byte characters.
	q, err = Parse("print 'é' | where x")
	if err != nil {
		t.Fatal(err)
	}
	w := q.Stmts[0].(*ExprStmt).X.(*Pipe).Op.(*WhereOp)
	if w.At != 13 || w.Pred.Pos() != 19 {
		t.Errorf("where at %d, pred at %d", w.At, w.Pred.Pos())
	}
	if u, ok := mustParse(t, "T | make-series x=count() on t step 1d").Stmts[0].(*ExprStmt).X.(*Pipe).Op.(*UnsupportedOp); !ok || u.Name != "make-series" || u.At != 4 {
		t.Errorf("unsupported op: %#v", u)
	}
}

func mustParse(t *testing.T, src string) *Query {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// errorCases are bad queries and their exact errors; the fuzzers start from them too.
var errorCases = []struct{ src, want string }{
	{"T | where x = 1", `1:13: unexpected "=" in where, expected "|" or ";" (use == to compare)`},
	{"T | project | where x", `1:13: unexpected "|" in project, expected a column name`},
	{"T | project", `1:12: unexpected end of query in project, expected a column name`},
	{"T | wher x", `1:5: unknown operator "wher" (did you mean "where"?)`},
	{"T | Where x", `1:5: unknown operator "Where" (did you mean "where"?)`},
	{"T | summarise count()", `1:5: unknown operator "summarise" (did you mean "summarize"?)`},
	{"T | y", `1:5: unknown operator "y"`},
	{"T | where x AND y", `1:13: unexpected "AND" in where, expected "|" or ";" (KQL keywords are case-sensitive: use "and")`},
	{"T | where x ==", `1:15: unexpected end of query in where, expected an expression after "=="`},
	{"T | where (x == 1", `1:18: unexpected end of query in parentheses, expected ")"`},
	{"T | where f(x,", `1:15: unexpected end of query in f(), expected an argument`},
	{"T | where f(x y)", `1:15: unexpected "y" in f(), expected "," or ")"`},
	{"let x = 1 T", `1:11: unexpected "T" after the let statement, expected ";"`},
	{"let x = 1\nT | take 10", `2:1: unexpected "T" after the let statement, expected ";"`},
	{"let x = T | where a b; x", `1:21: unexpected "b" in where, expected "|" or ";"`},
	{"let f = () { T | where x } U", `1:28: unexpected "U" after the let statement, expected ";"`},
	{"T | take 10 20", `1:13: unexpected "20" in take, expected "|" or ";"`},
	{"T | summarize count() by", `1:25: unexpected end of query in summarize by, expected a column or expression to group by`},
	{"T | join (U) on $left.a == b", `1:17: a join condition must be a column name or $left.Column == $right.Column (write on Key, or on $left.A == $right.B)`},
	{"T | join U on", `1:14: unexpected end of query in join on, expected a column name or $left.Column == $right.Column`},
	{"T | lookup U", `1:13: unexpected end of query in lookup, expected "on" and the key columns`},
	{"T | join (U) where x", `1:14: join ... where is not supported yet`},
	{"T | where x in 1", `1:16: unexpected "1" after in, expected "(" and a list of values`},
	{"T | where x between (1, 2)", `1:23: unexpected "," in between, expected ".."`},
	{"T | where x has_any ()", `1:22: unexpected ")" in the list of has_any, expected a value`},
	{"T | where x in (1 2)", `1:19: unexpected "2" in the list of in, expected "," or ")"`},
	{"T | make-series x = count() on t step 1d | where", `1:49: unexpected end of query in where, expected a predicate`},
	{"datatable(a:int, b:strin) [1, 'x']", `1:20: unknown type "strin" for column b (did you mean "string"?)`},
	{"datatable(a:int, b:string) [1, 'x', 2]", `1:1: datatable has 3 values, which is not a whole number of rows of 2 columns`},
	{"datatable(a:int) 1", `1:18: unexpected "1" in datatable, expected "["`},
	{"let f = (a:string) { let y = 1; }; f('x')", `1:33: the function body must end with an expression, not a let statement`},
	{"let f = () { }; f()", `1:14: the function body is empty: it must end with an expression`},
	{"let f = () { T; U }; f()", `1:14: only let statements may come before the function's result expression`},
	{"let f = (a:strin) { a }; f(1)", `1:12: unknown type "strin" for parameter a (did you mean "string"?)`},
	{"let f = (a) { a }; f(1)", `1:11: unexpected ")" after parameter a, expected ":"`},
	{"let = 1; T", `1:5: unexpected "=" in let, expected a name`},
	{"let x 1; T", `1:7: unexpected "1" in let x, expected "="`},
	{"T | sort x", `1:10: unexpected "x" in sort, expected "by"`},
	{"T | top by x", `1:9: unexpected "by" in top, expected the number of rows`},
	{"T | mv-expand x to typeof(strng)", `1:27: unknown type "strng" in typeof (did you mean "string"?)`},
	{"T | parse x with", `1:17: unexpected end of query in parse, expected a pattern such as * "text=" Column`},
	{"T | parse x y", `1:13: unexpected "y" in parse, expected "with"`},
	{"T | extend = 1", `1:12: unexpected "=" in extend, expected a column name or expression`},
	{"T | where x.", `1:13: unexpected end of query after ".", expected a property name`},
	{"T | where x[1", `1:14: unexpected end of query in the index, expected "]"`},
	{"print dynamic([1, 2,, 3])", `1:21: unexpected "," in the dynamic literal, expected a value (a number, string, bool, null, [array] or {property bag})`},
	{`print dynamic({"a" 1})`, `1:20: unexpected "1" in the dynamic property bag, expected ":"`},
	{`print dynamic([datetime()])`, `1:16: datetime() (now) is not allowed in a dynamic literal`},
	{"", `1:1: the query is empty`},
	{"// only a comment\n", `1:1: the query is empty`},
	{";;", `1:1: the query is empty`},
	{"T | evaluate 5", `1:14: unexpected "5" in evaluate, expected a plugin call such as bag_unpack(Column)`},
	{"T | invoke f", `1:12: unexpected "f" in invoke, expected a function call`},
	{"T | render", `1:11: unexpected end of query in render, expected a chart kind such as timechart`},
	{"T | union", `1:10: unexpected end of query in union, expected a table name or (tabular expression)`},
	{"T | project-rename a", `1:21: unexpected end of query in project-rename, expected "="`},
	{"T | project-away", `1:17: unexpected end of query in project-away, expected a column name or pattern`},
	{"T | project-away 1", `1:18: unexpected "1" in project-away, expected a column name or pattern`},
	{"T | where x | y", `1:15: unknown operator "y"`},
	{"T | 5", `1:5: unexpected "5" after "|", expected an operator such as where, project or summarize`},
	{"T | !has", `1:5: unexpected "!has" after "|", expected an operator such as where, project or summarize`},
	{"T; ;; U |", `1:10: unexpected end of query after "|", expected an operator such as where, project or summarize`},
	{"print (1 + 2", `1:13: unexpected end of query in parentheses, expected ")"`},
	{"print x = ", `1:11: unexpected end of query in print, expected an expression after "x ="`},
	{"print 1,", `1:9: unexpected end of query in print, expected an expression`},
	{"find in (T) where x", `1:1: the operator 'find' at the start of a query is not supported yet`},
	{"evaluate python(typeof(*), 'x')", `1:1: the operator 'evaluate' at the start of a query is not supported yet`},
	{"declare query_parameters(x:long); T", `1:1: the statement 'declare' is not supported yet`},
	{"T | where x == 'a' 'b' c", `1:24: unexpected "c" in where, expected "|" or ";"`},
	{"T | summarize by x | sort by y nulls middle", `1:38: unexpected "middle" after nulls, expected "first" or "last"`},
	{"T | where x and by", `1:17: unexpected "by" in where, expected an expression after "and"`},
	{"T | where [1]", `1:11: unexpected "[" in where, expected a predicate`},
	{"range x from 1 to 10", `1:21: unexpected end of query in range, expected "step"`},
	{"T | join kind=inner U on a, b c", `1:31: unexpected "c" in join, expected "|" or ";"`},
	{"T | join kind=(x) U on a", `1:15: unexpected "(" in join, expected a value for kind`},
	{"externaldata(a:string) []", `1:1: externaldata needs at least one URL`},
	{"externaldata(a:string) [1]", `1:25: unexpected "1" in externaldata, expected a URL string`},
	{"print x | as", `1:13: unexpected end of query in as, expected a name`},
	{"T\n| where x\n| extend y = ", `3:14: unexpected end of query in extend, expected an expression after "y ="`},
	{"print 90dx", `1:7: invalid number "90dx" (a number may only be followed by a timespan unit such as d, h, m, s or ms; quote names that start with a digit: ['90dx'])`},
	{`print "abc`, `1:7: unterminated string literal`},
	{"print datetime(yesterday)", `1:7: invalid datetime literal "datetime(yesterday)" (write an ISO 8601 date such as datetime(2025-09-07 12:00:00), or datetime(null))`},
	{"print x !foo y", `1:9: unexpected character "!" (KQL negates with not(...), or with operators such as !has, !contains, !in, !=)`},
	{"T | mv-expand (a, b) = x", `1:15: mv-expand takes one name per expression, not a list`},
	{"print a.b(1)", `1:10: unexpected "(" in print, expected "|" or ";"`},
}

// TestParseErrors checks messages and positions, exactly.
func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %s", c.src, c.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q): %T, want *Error", c.src, err)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("Parse(%q)\n got  %s\n want %s", c.src, got, c.want)
		}
	}
}

func TestParseExprErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"a b", `1:3: unexpected "b", expected end of expression`},
		{"a ==", `1:5: unexpected end of query, expected an expression after "=="`},
		{"", `1:1: unexpected end of query, expected an expression`},
		{"T | take 1", `1:3: unexpected "|", expected end of expression`},
	}
	for _, c := range cases {
		_, err := ParseExpr(c.src)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseExpr(%q) = %v, want %s", c.src, err, c.want)
		}
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat(" ", MaxQueryLength) + "T"
	_, err := Parse(long)
	if err == nil || !strings.Contains(err.Error(), "the query is too long") {
		t.Errorf("long query: %v", err)
	}
	deep := "print " + strings.Repeat("(", MaxNestingDepth+1) + "1" + strings.Repeat(")", MaxNestingDepth+1)
	_, err = Parse(deep)
	if err == nil || !strings.HasPrefix(err.Error(), "1:") || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep query: %v", err)
	}
	ok := "print " + strings.Repeat("(", MaxNestingDepth/4) + "1" + strings.Repeat(")", MaxNestingDepth/4)
	if _, err := Parse(ok); err != nil {
		t.Errorf("moderately nested query: %v", err)
	}
	for _, s := range []string{
		"print " + strings.Repeat("-", 10*MaxNestingDepth) + "x",
		"print " + strings.Repeat("f(", 10*MaxNestingDepth),
		"print x" + strings.Repeat("[x", 10*MaxNestingDepth),
		strings.Repeat("let f = () { ", 10*MaxNestingDepth),
		"T | where x in (" + strings.Repeat("x in (", 10*MaxNestingDepth),
	} {
		if _, err := Parse(s); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("Parse(%.40q...): %v", s, err)
		}
	}
	dyn := "print dynamic(" + strings.Repeat("[", MaxDynamicDepth+2) + strings.Repeat("]", MaxDynamicDepth+2) + ")"
	if _, err := Parse(dyn); err == nil || !strings.Contains(err.Error(), "dynamic literal is nested too deeply") {
		t.Errorf("deep dynamic: %v", err)
	}
	// Long flat chains are not nesting.
	chain := "print 1" + strings.Repeat(" + 1", 10000)
	if _, err := Parse(chain); err != nil {
		t.Errorf("long chain: %v", err)
	}
	pipes := "T" + strings.Repeat(" | take 1", 10000)
	if _, err := Parse(pipes); err != nil {
		t.Errorf("long pipe: %v", err)
	}
}

// corpusDir returns the shared query corpus (../shared next to the
// repository root), skipping the test when it is absent, unless CI=true.
func corpusDir(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "kql")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the query corpus %s is missing", shared)
		}
		t.Skipf("the query corpus %s is missing; skipping", shared)
	}
	return shared
}

// corpusQueries reads every hunting query and every query of cases.tsv.
func corpusQueries(t testing.TB, dir string) map[string]string {
	out := map[string]string{}
	files, err := filepath.Glob(filepath.Join(dir, "queries", "*.kql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if i == 0 || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			t.Fatalf("cases.tsv line %d has %d columns", i+1, len(cols))
		}
		out["cases.tsv:"+cols[0]] = cols[1]
	}
	return out
}

func TestCorpus(t *testing.T) {
	qs := corpusQueries(t, corpusDir(t))
	if len(qs) < 34+215 {
		t.Errorf("corpus has %d queries, want at least 249", len(qs))
	}
	for name, src := range qs {
		q, err := Parse(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkQueryRoundTrip(t, name, q)
	}
}

// BenchmarkParse measures parsing the hunting-query corpus.
func BenchmarkParse(b *testing.B) {
	qs := corpusQueries(b, corpusDir(b))
	var srcs []string
	n := 0
	for _, q := range qs {
		srcs = append(srcs, q)
		n += len(q)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range srcs {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// ExampleParse parses a hunting query, walks its operators and prints it
// back in canonical form.
func ExampleParse() {
	q, err := Parse(`DeviceProcessEvents
| where Timestamp > ago(7d) and ProcessCommandLine has_any ("copy", "sync") // rclone verbs
| summarize n = count() by DeviceName`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for x := q.Stmts[0].(*ExprStmt).X; ; {
		p, ok := x.(*Pipe)
		if !ok {
			fmt.Printf("source %s\n", x)
			break
		}
		fmt.Printf("%T at %d\n", p.Op, p.Op.Pos())
		x = p.X
	}
	fmt.Println(q)

	_, err = Parse("DeviceProcessEvents | where FileName = 'rclone.exe'")
	fmt.Println(err)
	// Output:
	// *syntax.SummarizeOp at 114
	// *syntax.WhereOp at 22
	// source DeviceProcessEvents
	// DeviceProcessEvents | where Timestamp > ago(7d) and ProcessCommandLine has_any ("copy", "sync") | summarize n = count() by DeviceName
	// 1:38: unexpected "=" in where, expected "|" or ";" (use == to compare)
}
