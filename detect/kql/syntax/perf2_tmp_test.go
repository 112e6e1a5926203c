package syntax
import ("strings";"testing")
func BenchmarkTmpA(b *testing.B) { s := strings.Repeat("a-", 400000); for b.Loop() { Parse(s) } }
func BenchmarkTmpLexA(b *testing.B) { s := strings.Repeat("a-", 400000); for b.Loop() { Lex(s) } }
