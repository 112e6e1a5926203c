package syntax
import ("strings";"testing";"time")
func TestPerfTmp(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("a-", 400000),
		strings.Repeat("project-", 100000),
		strings.Repeat("datetime(", 100000),
		strings.Repeat("(", 300000),
		strings.Repeat("x, ", 300000),
		"print " + strings.Repeat("1 + ", 200000) + "1",
		"T | where x in (" + strings.Repeat("1, ", 200000) + "1)",
		strings.Repeat("// c\n", 200000),
		strings.Repeat("\"a\" ", 200000),
		"print " + strings.Repeat("\"a\" ", 200000),
		strings.Repeat("let x = 1;", 90000) + "T",
		"print dynamic([" + strings.Repeat("1,", 300000) + "1])",
		strings.Repeat("T | ", 200000),
		"T" + strings.Repeat(" | take 1", 100000),
		strings.Repeat("let f = (a) ", 50000),
		strings.Repeat("let f = ((((((((((", 50000),
		"T | project " + strings.Repeat("a*", 300000),
	} {
		st := time.Now()
		Parse(s)
		Lex(s)
		if d := time.Since(st); d > 500*time.Millisecond {
			t.Errorf("%.30q...: %v", s, d)
		}
	}
}
