package syntax

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are the queries the fuzzers start from: the shared corpus when
// present, and the snippets of this package's tests.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		"T | where x = 1", "T | project | where x", "let x = 1 T", "print 90dx",
		"print dynamic([1, {\"a\": datetime(1970-05-11)}, -2.5, null])",
		"T | join kind=inner (U | where x) on a, $left.b == $right.c",
		"T | parse kind=regex flags=Ui x with * \"a=\" a:long \", b=\" b *",
		"T | mv-expand kind=bag with_itemindex=I a = x to typeof(string) limit 10",
		"union kind=outer withsource=S isfuzzy=true A*, (B | take 1)",
		"let f = (T:(a:string), n:long = 5) { T | take n }; f(U)",
		"let v = view () { print x = 1 }; v | render timechart with (title='t')",
		"externaldata(a:string) [@'u'] with (format='csv')",
		"search in (T1, T2*) \"x\" | project-away a*, *_1 | project-reorder b desc",
		"T | summarize hint.strategy=shuffle arg_max(v, *) by k = bin(t, 1h) | top 3 by k desc nulls last",
		"T | make-series c = count() on t step 1d | fork (where x) (take 1)",
		"print h'x' @\"c:\\\" ```m\nl``` ~~~y~~~ \"\\u00e9\\x41\\101\"",
		"print datetime(2015-12-31 23:59:59.9), timespan(1.02:03:04.5), guid(null), real(-inf), 0x1F, 1.5e-3, 90d",
		"print x between (1 .. 2), y !in~ ('a'), z has_any ((T | project c)), ['a b'].['c d'][0]",
		"print -5, - -x, -(5), +x, a - -1, (5).x, * has 'x'",
		"set notruncation; declare x; T",
		"union $0(), ['a b'](1), ['c'], (0), (T), (f(1)) | union kind",
		"T | summarize ['by'] = count() by ['and'] | render x with (['b c']=2, a=1) | evaluate ['print'](1) | invoke ['f'](2)",
		"T | mv-expand ['kind'] = x | union kind, ['with'] | parse ['kind'] with h 'x' * | project-away ['a b']",
		"print -(5).x, -(5)[0], +datatable()[], - -5, -(-x), x - -0x10, `a`",
		"let x = (a) + 1; let f = (a:long) { a }; let v = view () { T }; f(x) | join kind=leftanti v on $left.['a b'] == $right.c",
		"T | sort by a asc nulls first | top 1 by b | render timechart with (ycolumns=a, b) | as ['x y'] | invoke f() | evaluate pivot(a)",
	}
	for _, c := range exprShapeCases {
		seeds = append(seeds, "print "+c.src)
	}
	for _, c := range queryCases {
		seeds = append(seeds, c.src)
	}
	for _, c := range errorCases {
		seeds = append(seeds, c.src)
	}
	seeds = append(seeds, scriptQueries()...)
	dir, err := os.Getwd()
	if err != nil {
		return seeds
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return seeds
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "kql")
	if _, err := os.Stat(shared); err != nil {
		return seeds
	}
	for _, q := range corpusQueries(f, shared) {
		seeds = append(seeds, q)
	}
	return seeds
}

// checkError checks the contract of every error: a *Error at a real line
// and column.
func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v is not a *Error", src, err, err)
	}
	if e.Line < 1 || e.Col < 1 || e.Pos < 0 || e.Pos > len(src) || e.Msg == "" {
		t.Fatalf("%q: bad error %+v", src, e)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		s := q.String()
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, s, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("%q: printing is not stable:\n%s\n%s", src, s, s2)
		}
		if !equalTrees(q, q2) {
			t.Fatalf("%q printed as %q, which parses to a different tree", src, s)
		}
	})
}

func FuzzLex(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := Lex(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		if len(toks) == 0 || toks[len(toks)-1].Kind != TokEOF {
			t.Fatalf("%q: tokens do not end with EOF", src)
		}
		end := 0
		for _, tk := range toks {
			if tk.Pos < end || tk.End() > len(src) || src[tk.Pos:tk.End()] != tk.Text {
				t.Fatalf("%q: token %+v out of place (previous end %d)", src, tk, end)
			}
			end = tk.End()
			if tk.Kind == TokIdent && !utf8.ValidString(tk.Text) {
				t.Fatalf("%q: identifier %q is not UTF-8", src, tk.Text)
			}
		}
		// Gaps between tokens hold only whitespace and comments.
		prev := 0
		for _, tk := range toks {
			gap := src[prev:tk.Pos]
			prev = tk.End()
			for _, line := range strings.Split(gap, "\n") {
				if c := strings.Index(line, "//"); c >= 0 {
					line = line[:c]
				}
				if strings.TrimSpace(strings.ReplaceAll(line, "\ufeff", "")) != "" {
					t.Fatalf("%q: skipped text %q between tokens", src, gap)
				}
			}
		}
	})
}

// scriptQueries returns the queries of the engine's script tests
// (../testdata/*.test): the lines after a "query" line, up to the next
// "expect" or "error" line.
func scriptQueries() []string {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*.test"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var cur []string
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			switch {
			case line == "query":
				in, cur = true, nil
			case in && (strings.HasPrefix(line, "expect") || strings.HasPrefix(line, "error")):
				out = append(out, strings.TrimSpace(strings.Join(cur, "\n")))
				in = false
			case in:
				cur = append(cur, line)
			}
		}
	}
	return out
}
