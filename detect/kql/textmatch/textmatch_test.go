package textmatch

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

type opCase struct {
	hay, op, needle string
	want            bool
}

// opCases are single-needle cases; op is a KQL spelling, negated forms
// included, and want is the KQL result.
var opCases = []opCase{
	// Microsoft's documented examples (cases.tsv strop-*, term-*).
	{"aBc", "==", "aBc", true},
	{"abc", "!=", "ABC", true},
	{"abc", "=~", "ABC", true},
	{"aBc", "!~", "xyz", true},
	{"FabriKam", "contains", "BRik", true},
	{"Fabrikam", "!contains", "xyz", true},
	{"FabriKam", "contains_cs", "Kam", true},
	{"Fabrikam", "!contains_cs", "Kam", true},
	{"Fabrikam", "endswith", "Kam", true},
	{"Fabrikam", "!endswith", "brik", true},
	{"Fabrikam", "endswith_cs", "kam", true},
	{"Fabrikam", "!endswith_cs", "brik", true},
	{"North America", "has", "america", true},
	{"North America", "!has", "amer", true},
	{"North America", "has_cs", "America", true},
	{"North America", "!has_cs", "amer", true},
	{"North America", "hasprefix", "ame", true},
	{"North America", "!hasprefix", "mer", true},
	{"North America", "hasprefix_cs", "Ame", true},
	{"North America", "!hasprefix_cs", "CA", true},
	{"North America", "hassuffix", "ica", true},
	{"North America", "!hassuffix", "americ", true},
	{"North America", "hassuffix_cs", "ica", true},
	{"North America", "!hassuffix_cs", "icA", true},
	{"Fabrikam", "startswith", "fab", true},
	{"Fabrikam", "!startswith", "kam", true},
	{"Fabrikam", "startswith_cs", "Fab", true},
	{"Fabrikam", "!startswith_cs", "fab", true},
	{"KustoExplorerQueryRun", "has", "Explorer", false},
	{"KustoExplorerQueryRun", "contains", "Explorer", true},
	// The other doc examples: hasprefix/hassuffix look at every term.
	{"NORTH CAROLINA", "hassuffix", "th", true},
	{"ATLANTIC SOUTH", "hassuffix", "th", true},
	{"LAKE MICHIGAN", "hasprefix", "la", true},
	{"NEW YORK", "has", "New", true},
	// The doc's term example.
	{"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "has", "c1db", true},
	{"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "has", "d94f3b6b0b5a", true},
	{"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "has", "ad67", false},
	{"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "has", "4f9f-88ef", true},
	{"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "has", "kusto", true},
	// Phrases (semantics.md §3.2).
	{"rclone.exe copy x", "has", "rclone.exe", true},
	{"rclone.exe copy x", "has", "one.exe", false},
	{"rclone.exe copy src mega:dst --ignore-existing", "has", "ignore-existing", true},
	{"--ignore-existing", "has", "ignore-existing", true},
	{"rclone", "has", "clone", false},
	{`C:\x\myrclone.exe`, "has", "rclone.exe", false},
	{`C:\x\myrclone.exe`, "has", "myrclone.exe", true},
	{"https://management.azure.com/subscriptions/0000/resourcegroups/test.rg000001?api-version=2021-04-01", "has", "resourcegroups/test.rg000001", true},
	{"https://management.azure.com/subscriptions/0000/resourcegroups/test.rg000001?api-version=2021-04-01", "has", "/resourcegroups/test.rg000001?", true},
	{"North America", "has", "North America", true},
	{"05:04:54127.0.0.1 GET /favicon.ico", "has", "127.0.0.1", false},
	{"05:04:54 127.0.0.1 GET /favicon.ico", "has", "127.0.0.1", true},
	{"a b", "has", "a-b", false},
	{`powershell (New-Object Net.WebClient).DownloadString('x')`, "has", "Net.WebClient", true},
	{`powershell (New-Object System.Net.WebClient)`, "has", "Net.WebClient", true},
	{`powershell (New-Object MyNet.WebClient)`, "has", "Net.WebClient", false},
	{`powershell (New-Object Net.WebClients)`, "has", "Net.WebClient", false},
	// Boundaries at the ends of hay.
	{"rclone", "has", "rclone", true},
	{"xrclone", "has", "rclone", false},
	{"rclonex", "has", "rclone", false},
	{"rclone.", "has", "rclone", true},
	{".rclone", "has", "rclone", true},
	{"xrclone rclone", "has", "rclone", true},
	{"rclonex rclone", "has", "rclone", true},
	{"rclone", "hasprefix", "rclone", true},
	{"rclone", "hassuffix", "rclone", true},
	{"rclone", "hasprefix", "rclonex", false},
	// Needles with leading / trailing separators match them literally.
	{`C:\x\rclone.exe`, "has", `\rclone.exe`, true},
	{"rclone.exe", "has", `\rclone.exe`, false},
	{"rclone.exe", "has", "rclone.exe ", false},
	{"rclone.exe copy", "has", "rclone.exe ", true},
	{"net user -password x", "has", "-password", true},
	{"net user --password x", "has", "-password", true},
	{"net user -passwords x", "has", "-password", false},
	{`C:\Windows\System32\cmd.exe`, "has", `:\Windows\System32`, true},
	{`C:\Windows\System32x\cmd.exe`, "has", `:\Windows\System32`, false},
	{`C:\Windows\System32\cmd.exe`, "has", `\Windows\`, true},
	{`7za.exe a 1.7z `, "has", `\7za.exe a 1.7z `, false},
	{`C:\7za.exe a 1.7z c:\x`, "has", `\7za.exe a 1.7z `, true},
	// hasprefix / hassuffix of phrases.
	{"rclone.exe", "hasprefix", "rclone.ex", true},
	{"myrclone.exe", "hasprefix", "rclone.ex", false},
	{"myrclone.exe", "hassuffix", "clone.exe", true},
	{"myrclone.exe", "hassuffix", "clone.ex", false},
	{"myrclone.exec", "hassuffix", "clone.exe", false},
	{"rclone.exec", "hasprefix", "rclone.exe", true},
	// "_" is a separator.
	{"my_rclone_copy", "has", "rclone", true},
	{"my_rclone_copy", "has", "my_rclone", true},
	// Needles without term characters are substrings.
	{"a*b", "has", "*", true},
	{"abc", "has", "-", false},
	{"a::b", "has", "::", true},
	{"a:b", "has", "::", false},
	// The empty needle.
	{"abc", "has", "", true},
	{"", "has", "", true},
	{"abc", "contains", "", true},
	{"abc", "hasprefix", "", true},
	{"abc", "hassuffix_cs", "", true},
	{"abc", "startswith", "", true},
	{"abc", "endswith", "", true},
	{"", "==", "", true},
	{"a", "==", "", false},
	{"", "=~", "", true},
	// The empty haystack.
	{"", "has", "a", false},
	{"", "contains", "a", false},
	{"", "startswith", "a", false},
	{"", "endswith_cs", "a", false},
	{"", "!=", "a", true},
	// Case.
	{"North America", "has_cs", "america", false},
	{"FabriKam", "contains_cs", "brik", false},
	{"FabriKam", "contains_cs", "briK", true},
	{"RCLONE.EXE COPY", "has", "rclone.exe", true},
	{"RCLONE.EXE COPY", "has_cs", "rclone.exe", false},
	{"abc", "==", "ABC", false},
	{"ab", "=~", "abc", false},
	{"[", "=~", "{", false}, // '[' and '{' differ by the case bit but are not letters
	{"@", "contains", "`", false},
	// Unicode: non-ASCII letters fold with Unicode simple folding ...
	{"Müller", "=~", "MÜLLER", true},
	{"Müller", "==", "MÜLLER", false},
	{"ПРИВЕТ мир", "has", "привет", true},
	{"ПРИВЕТ мир", "has_cs", "привет", false},
	{"ёж", "contains", "ЁЖ", true},
	{"ΣΑΣ", "=~", "σας", true},
	{"ǅ", "=~", "ǆ", true},
	{"xẞy", "contains", "ß", true},
	{"xßy", "contains", "ẞ", true},
	{"Straße", "endswith", "SSE", false}, // no full case folding
	{"Straße", "=~", "STRASSE", false},
	// ... but never with ASCII: Kelvin sign, long s.
	{"\u212a", "=~", "k", false},
	{"k", "=~", "\u212a", false},
	{"\u017f", "=~", "s", false},
	{"\u212a\u212a", "contains", "\u212a", true},
	// Non-ASCII characters separate terms.
	{"naïve", "has", "na", true},
	{"naïve", "has", "naïve", true},
	{"xnaïve", "has", "naïve", false},
	{"café", "has", "caf", true},
	{"C:\\Users\\José\\rclone.exe", "has", "rclone.exe", true},
	{"Josérclone.exe", "has", "rclone.exe", true},
	// Invalid UTF-8 in hay (and needle): bytes compare exactly.
	{"a\xffrclone\xfe", "has", "rclone", true},
	{"a\xffb", "contains", "\xff", true},
	{"\xffABC", "=~", "\xffabc", true},
	{"\xc3", "contains", "é", false},
	{"é", "contains", "\xc3", true},
	{"\xc3\xc3\xa9", "has", "é", true},
	{"\xed\xa0\x80", "contains", "\xed", true},
}

func TestOps(t *testing.T) {
	for _, c := range opCases {
		op, neg, ok := ParseOp(c.op)
		if !ok {
			t.Fatalf("ParseOp(%q) failed", c.op)
		}
		m := New(op, c.needle)
		got := m.Match(c.hay) != neg
		if got != c.want {
			t.Errorf("%q %s %q = %v, want %v", c.hay, c.op, c.needle, got, c.want)
		}
		if gb := m.MatchBytes([]byte(c.hay)) != neg; gb != got {
			t.Errorf("%q %s %q: MatchBytes = %v, Match = %v", c.hay, c.op, c.needle, gb, got)
		}
		s, e, ok := m.Find(c.hay)
		if ok != (got != neg) {
			t.Errorf("%q %s %q: Find ok = %v, Match = %v", c.hay, c.op, c.needle, ok, got != neg)
		}
		rs, re, rok := refFind(op, c.hay, c.needle)
		if rok != ok || ok && (rs != s || re != e) {
			t.Errorf("%q %s %q: Find = %d,%d,%v, reference %d,%d,%v", c.hay, c.op, c.needle, s, e, ok, rs, re, rok)
		}
	}
}

func TestFindSpans(t *testing.T) {
	cases := []struct {
		hay      string
		op       Op
		needle   string
		from, to int
	}{
		{"rclone.exe copy x", Has, "rclone.exe", 0, 10},
		{`C:\x\myrclone.exe /rclone.exe`, Has, "rclone.exe", 19, 29},
		{`C:\x\myrclone.exe /rclone.exe`, Contains, "rclone.exe", 7, 17},
		{"xrclone RCLONE rclone", Has, "rclone", 8, 14},
		{"xrclone RCLONE rclone", HasCS, "rclone", 15, 21},
		{"FabriKam", Contains, "BRik", 2, 6},
		{"FabriKam", ContainsCS, "Kam", 5, 8},
		{"North America", HasPrefix, "ame", 6, 9},
		{"North America", HasSuffix, "ica", 10, 13},
		{"North America", Has, "North America", 0, 13},
		{"Fabrikam", EndsWith, "Kam", 5, 8},
		{"Fabrikam", StartsWith, "FAB", 0, 3},
		{"Fabrikam", EqualCI, "fabrikam", 0, 8},
		{"--ignore-existing", Has, "ignore-existing", 2, 17},
		{"abc", Has, "", 0, 0},
		{"abc", EndsWith, "", 3, 3},
		{"xẞy", Contains, "ß", 1, 4},
		{"xßy", Contains, "ẞ", 1, 3},
		{"Straẞe", EndsWith, "ßE", 4, 8},
		{"ẞ", StartsWith, "ß", 0, 3},
		{"ПРИВЕТ мир", Has, "привет", 0, 12},
	}
	for _, c := range cases {
		s, e, ok := New(c.op, c.needle).Find(c.hay)
		if !ok || s != c.from || e != c.to {
			t.Errorf("%q %s %q: Find = %d,%d,%v, want %d,%d", c.hay, c.op, c.needle, s, e, ok, c.from, c.to)
		}
		if s, e, ok := New(c.op, c.needle).FindBytes([]byte(c.hay)); !ok || s != c.from || e != c.to {
			t.Errorf("%q %s %q: FindBytes = %d,%d,%v, want %d,%d", c.hay, c.op, c.needle, s, e, ok, c.from, c.to)
		}
	}
}

func TestParseOp(t *testing.T) {
	for name, want := range opByName {
		op, neg, ok := ParseOp(name)
		if !ok || op != want.op || neg != want.neg {
			t.Errorf("ParseOp(%q) = %v, %v, %v", name, op, neg, ok)
		}
		if !neg && name != "containscs" && op.String() != name {
			t.Errorf("%v.String() = %q, want %q", op, op.String(), name)
		}
	}
	for _, name := range []string{"", "HAS", "Has", "has_any", "has_all", "in", "in~", "matches regex", "like", "!", "=", "~"} {
		if _, _, ok := ParseOp(name); ok {
			t.Errorf("ParseOp(%q) succeeded", name)
		}
	}
	for op := Op(0); op < numOps; op++ {
		if got, _, _ := ParseOp(op.String()); got != op {
			t.Errorf("ParseOp(%v.String()) = %v", op, got)
		}
	}
	if cs := []bool{Equal: true, EqualCI: false, Contains: false, ContainsCS: true, HasSuffixCS: true}; !Equal.CaseSensitive() || EqualCI.CaseSensitive() || Contains.CaseSensitive() || !ContainsCS.CaseSensitive() || !HasSuffixCS.CaseSensitive() || HasSuffix.CaseSensitive() {
		t.Errorf("CaseSensitive is wrong: want %v", cs)
	}
	sets := map[string]struct {
		op       Op
		all, neg bool
	}{
		"has_any": {Has, false, false}, "has_all": {Has, true, false},
		"in": {Equal, false, false}, "!in": {Equal, false, true},
		"in~": {EqualCI, false, false}, "!in~": {EqualCI, false, true},
	}
	for name, w := range sets {
		op, all, neg, ok := ParseSetOp(name)
		if !ok || op != w.op || all != w.all || neg != w.neg {
			t.Errorf("ParseSetOp(%q) = %v, %v, %v, %v", name, op, all, neg, ok)
		}
	}
	if _, _, _, ok := ParseSetOp("has"); ok {
		t.Error(`ParseSetOp("has") succeeded`)
	}
}

func TestNewPanicsOnInvalidOp(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(numOps, ...) did not panic")
		}
	}()
	New(numOps, "x")
}

// TestDocCases runs the strop-* and term-* rows of the shared cases.tsv
// (Microsoft's documented results) through ParseOp / ParseSetOp.
func TestDocCases(t *testing.T) {
	f, err := os.Open("../../../../shared/kql/cases.tsv")
	if err != nil {
		t.Skip("shared cases.tsv not available:", err)
	}
	defer f.Close()
	binary := regexp.MustCompile(`^print r = "([^"]*)" (\S+) "([^"]*)"$`)
	set := regexp.MustCompile(`^print r = "([^"]*)" (\S+) ?\((.*)\)$`)
	quoted := regexp.MustCompile(`"([^"]*)"`)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || !strings.HasPrefix(cols[0], "strop-") && !strings.HasPrefix(cols[0], "term-") {
			continue
		}
		id, query := cols[0], cols[1]
		want := strings.HasSuffix(cols[2], "; true")
		if !want && !strings.HasSuffix(cols[2], "; false") {
			t.Fatalf("%s: unexpected result %q", id, cols[2])
		}
		var got bool
		if p := binary.FindStringSubmatch(query); p != nil {
			op, neg, ok := ParseOp(p[2])
			if !ok {
				if p[2] == "matches" {
					continue // "matches regex" is not this package's
				}
				t.Fatalf("%s: unknown operator %q", id, p[2])
			}
			got = New(op, p[3]).Match(p[1]) != neg
		} else if p := set.FindStringSubmatch(query); p != nil {
			op, all, neg, ok := ParseSetOp(p[2])
			if !ok {
				t.Fatalf("%s: unknown set operator %q", id, p[2])
			}
			var needles []string
			for _, q := range quoted.FindAllStringSubmatch(p[3], -1) {
				needles = append(needles, q[1])
			}
			if all {
				got = NewAll(op, needles).Match(p[1]) != neg
			} else {
				got = NewAny(op, needles).Match(p[1]) != neg
			}
		} else if strings.Contains(query, "matches regex") {
			continue
		} else {
			t.Fatalf("%s: cannot read %q", id, query)
		}
		n++
		if got != want {
			t.Errorf("%s: %s = %v, documented %v", id, query, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Errorf("only %d documented cases found", n)
	}
}

func TestLongHaystack(t *testing.T) {
	const size = 1 << 20
	base := strings.Repeat("xrclone RCLONEX -copy ", size/22)
	hay := base + " rclone.exe"
	cases := []struct {
		op     Op
		needle string
		hay    string
		want   bool
		at     int
	}{
		{Has, "rclone", base, false, 0},
		{Has, "rclone.exe", hay, true, len(base) + 1},
		{Has, "RCLONE", hay, true, len(base) + 1},
		{HasCS, "rclone", hay, true, len(base) + 1},
		{Contains, "RCLONE.EXE", hay, true, len(base) + 1},
		{ContainsCS, "rclone.exe", base, false, 0},
		{EndsWith, "RCLONE.exe", hay, true, len(base) + 1},
		{HasPrefix, "clone", hay, false, 0},
		{HasSuffix, "clone", hay, true, 2},
		// Near-matches everywhere: the Rabin-Karp fallback keeps these linear.
		{Contains, strings.Repeat("a", 1000) + "b", strings.Repeat("A", size), false, 0},
		{ContainsCS, strings.Repeat("a", 1000) + "b", strings.Repeat("a", size), false, 0},
		{Contains, strings.Repeat("a", 1000) + "b", strings.Repeat("A", size) + "b", true, size - 1000},
		{Has, strings.Repeat("a", 500) + "-b", strings.Repeat("a", size) + "-b", false, 0},
		{Has, strings.Repeat("a", 500), strings.Repeat("a", size), false, 0},
		{HasPrefix, strings.Repeat("a", 500), strings.Repeat("a", size), true, 0},
		{HasSuffix, strings.Repeat("a", 500), strings.Repeat("a", size), true, size - 500},
		{HasSuffix, "-" + strings.Repeat("a", 500), strings.Repeat("-a", size/2), false, 0},
		{HasCS, strings.Repeat("a", 500), "x" + strings.Repeat("a", size) + " " + strings.Repeat("a", 500), true, size + 2},
		{Has, strings.Repeat("a", 500) + "-b", strings.Repeat("a", size) + " " + strings.Repeat("a", 500) + "-b", true, size + 1},
	}
	for _, c := range cases {
		s, _, ok := New(c.op, c.needle).Find(c.hay)
		if ok != c.want || ok && s != c.at {
			t.Errorf("%s %.20q in %d bytes: Find = %d,%v, want %d,%v", c.op, c.needle, len(c.hay), s, ok, c.at, c.want)
		}
	}
}

func TestAnyAll(t *testing.T) {
	few := []string{"south", "north"}
	if !NewAny(Has, few).Match("North America") {
		t.Error("has_any(south, north) on North America")
	}
	if !NewAll(Has, few).Match("North and South America") {
		t.Error("has_all(south, north) on North and South America")
	}
	if NewAll(Has, few).Match("North America") {
		t.Error("has_all(south, north) on North America")
	}
	if NewAny(Has, nil).Match("x") || !NewAll(Has, nil).Match("x") {
		t.Error("empty needle lists: any must be false, all true")
	}
	// Many needles use the term index; check it against one-by-one.
	many := []string{
		"rclone.exe", "-password", `\7za.exe`, "Net.WebClient", "copy", "--ignore-existing",
		"mega", "*", "::", "Invoke-WebRequest", "certutil.exe", "ПРИВЕТ", "-enc", "copy", "7z",
		`@:\Windows\System32`, "ftp1", "ignore", "müller",
	}
	hays := []string{
		"rclone.exe copy --max-age 2y \"\\\\SERVER\\Shares\" Mega:DATA -q --ignore-existing",
		`powershell (New-Object System.Net.WebClient).DownloadString('http://x')`,
		`C:\x\myrclone.exe cp`,
		`7za.exe a -pSecret x.7z`,
		`net user admin -password123`,
		"привет мир",
		"ab::cd",
		"MÜLLER",
		"",
		"nothing here at all",
	}
	for _, op := range []Op{Has, HasCS, Contains, HasPrefix, HasSuffixCS, Equal, EqualCI, StartsWith} {
		anyM := NewAny(op, many)
		allM := NewAll(op, many)
		if (op == Has || op == HasCS) && anyM.terms == nil {
			t.Fatalf("%v with %d needles does not use the term index", op, len(many))
		}
		for _, hay := range hays {
			var want []Span
			all := true
			for i, n := range many {
				if i == 13 { // the duplicate "copy"
					continue
				}
				if s, e, ok := New(op, n).Find(hay); ok {
					want = append(want, Span{i, s, e})
				} else {
					all = false
				}
			}
			sortSpans(want)
			if got := anyM.Match(hay); got != (len(want) > 0) {
				t.Errorf("any %v on %q: Match = %v, want %v", op, hay, got, len(want) > 0)
			}
			if got := anyM.MatchBytes([]byte(hay)); got != (len(want) > 0) {
				t.Errorf("any %v on %q: MatchBytes = %v", op, hay, got)
			}
			prior := []Span{{99, 0, 0}, {0, 1, 2}}
			got := anyM.FindAll(hay, prior)
			if !spansEqual(got[2:], want) || got[0] != prior[0] || got[1] != prior[1] {
				t.Errorf("any %v on %q: FindAll = %v, want %v", op, hay, got[2:], want)
			}
			if got := allM.Match(hay); got != all {
				t.Errorf("all %v on %q: Match = %v, want %v", op, hay, got, all)
			}
			gotAll := allM.FindAll(hay, nil)
			if all && !spansEqual(gotAll, want) || !all && len(gotAll) != 0 {
				t.Errorf("all %v on %q: FindAll = %v, want %v (all=%v)", op, hay, gotAll, want, all)
			}
		}
	}
}

func TestInSets(t *testing.T) {
	in := NewAny(Equal, []string{"123", "345", "abc"})
	if !in.Match("abc") || in.Match("Abc") || in.Match("bca") {
		t.Error("in")
	}
	ci := NewAny(EqualCI, []string{"123", "345", "abc", "ABC", "Müller", "\xffX"})
	for hay, want := range map[string]bool{
		"Abc": true, "bCa": false, "MÜLLER": true, "müller": true, "Muller": false,
		"\xffx": true, "\xfex": false, "": false, "12": false,
	} {
		if got := ci.Match(hay); got != want {
			t.Errorf("%q in~ = %v, want %v", hay, got, want)
		}
	}
	if got := ci.FindAll("aBC", nil); !spansEqual(got, []Span{{2, 0, 3}, {3, 0, 3}}) {
		t.Errorf("in~ FindAll = %v", got)
	}
	if got := in.FindAll("345", nil); !spansEqual(got, []Span{{1, 0, 3}}) {
		t.Errorf("in FindAll = %v", got)
	}
	if in.Len() != 3 || in.Op() != Equal {
		t.Error("Len / Op")
	}
}

func spansEqual(a, b []Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestZeroAllocs(t *testing.T) {
	hay := `"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1234,i,5678 /prefetch:1 Müller rclone.exe`
	hayB := []byte(hay)
	var ms []*Matcher
	for op := Op(0); op < numOps; op++ {
		for _, n := range []string{"rclone.exe", "RENDERER", "--lang", "müller", "", "chrome"} {
			ms = append(ms, New(op, n))
		}
	}
	anyFew := NewAny(Has, []string{"rclone", "mega", "copy"})
	anyMany := NewAny(Has, []string{"rclone", "mega", "copy", "a", "b", "c", "d", "e", "f", "-", "renderer"})
	anyCI := NewAny(EqualCI, []string{"rclone", "Müller"})
	all := NewAll(Has, []string{"rclone.exe", "chrome", "lang"})
	dst := make([]Span, 0, 32)
	allocs := testing.AllocsPerRun(100, func() {
		for _, m := range ms {
			m.Match(hay)
			m.Find(hay)
			m.MatchBytes(hayB)
		}
		anyFew.Match(hay)
		anyMany.Match(hay)
		anyCI.Match(hay)
		all.Match(hay)
		anyMany.FindAll(hay, dst[:0])
		all.FindAll(hay, dst[:0])
		anyCI.FindAll("MÜLLER", dst[:0])
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// TestConcurrent runs one Matcher from many goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	m := New(Has, "rclone.exe")
	a := NewAny(Has, []string{"rclone", "mega", "copy", "a", "b", "c", "d", "e", "f"})
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			ok := true
			for i := 0; i < 1000; i++ {
				ok = ok && m.Match("rclone.exe copy") && a.Match("x mega y")
			}
			done <- ok
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("concurrent match failed")
		}
	}
}

// TestFoldClassesFit checks that every rune's folding class has at most
// maxLeads distinct first bytes, which indexUnicode relies on.
func TestFoldClassesFit(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		alts := foldAlts(r)
		leads := map[byte]bool{}
		for _, a := range alts {
			leads[a[0]] = true
		}
		if len(leads) > maxLeads {
			t.Fatalf("%U: %d lead bytes", r, len(leads))
		}
	}
}
