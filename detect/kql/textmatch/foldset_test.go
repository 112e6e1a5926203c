package textmatch

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveFoldContainsAny is FoldSet's reference: lower both, search each.
func naiveFoldContainsAny(hay string, needles []string) bool {
	h := toLowerASCII(hay)
	for _, n := range needles {
		if strings.Contains(h, toLowerASCII(n)) {
			return true
		}
	}
	return false
}

func TestFoldSet(t *testing.T) {
	needles := []string{"copy", "Sync", "ls", "rclone.conf", "C:\\Users\\Public\\", "x", "--config", `"q"`}
	s, ok := NewFoldSet(needles)
	if !ok {
		t.Fatal("NewFoldSet refused printable ASCII needles")
	}
	for _, c := range []struct {
		hay  string
		want bool
	}{
		{"", false},
		{"COPY", true},
		{"robocopy.exe", true},
		{"sYnC", true},
		{"l", false},
		{"tools", true},
		{"abc", false},
		{"X", true},
		{`c:\users\PUBLIC\a`, true},
		{`c:\users\PUBLI`, false},
		{"--CONFIG=a", true},
		{"--confi", false},
		{`say "Q"`, true},
		{"rclone.con", false},
		{"ünïcödé ls", true},
		{"ünïcödé", false},
	} {
		if got := s.Match(c.hay); got != c.want {
			t.Errorf("Match(%q) = %v, want %v", c.hay, got, c.want)
		}
		if got := s.MatchBytes([]byte(c.hay)); got != c.want {
			t.Errorf("MatchBytes(%q) = %v, want %v", c.hay, got, c.want)
		}
	}
	if s, ok := NewFoldSet([]string{"\nconfig\n"}); !ok || !s.Match("x\nCONFIG\ny") || s.Match("config") {
		t.Error("a needle with line breaks (a regular expression's literal) is searched as any other")
	}
	for _, bad := range [][]string{nil, {}, {""}, {"ü"}, {"ok", "caf\xc3\xa9"}} {
		if _, ok := NewFoldSet(bad); ok {
			t.Errorf("NewFoldSet(%q) accepted needles it cannot search", bad)
		}
	}
}

// TestFoldSetRandom compares FoldSet with the naive search over random
// needles and texts drawn from a small alphabet, so that near misses and
// overlapping needles are common.
func TestFoldSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "abcABC-:\\ x"
	word := func(min, max int) string {
		b := make([]byte, min+r.IntN(max-min+1))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for range 2000 {
		needles := make([]string, 1+r.IntN(6))
		for i := range needles {
			needles[i] = word(1, 4)
		}
		s, ok := NewFoldSet(needles)
		if !ok {
			t.Fatalf("NewFoldSet(%q) refused", needles)
		}
		for range 20 {
			hay := word(0, 24)
			if got, want := s.Match(hay), naiveFoldContainsAny(hay, needles); got != want {
				t.Fatalf("needles %q, hay %q: Match = %v, want %v", needles, hay, got, want)
			}
		}
	}
}

// newTermFoldSet is a set all of whose needles are has terms.
func newTermFoldSet(needles []string) (*FoldSet, bool) {
	terms := make([]bool, len(needles))
	for i := range terms {
		terms[i] = true
	}
	return NewMixedFoldSet(needles, terms)
}

// hasAny is a term set's reference: the has Matcher of each needle.
func hasAny(hay string, needles []string) bool {
	for _, n := range needles {
		if New(Has, n).Match(hay) {
			return true
		}
	}
	return false
}

func TestTermFoldSet(t *testing.T) {
	needles := []string{"copy", "ls", "rclone.exe", "-P", "x", "--config", "::"}
	s, ok := newTermFoldSet(needles)
	if !ok {
		t.Fatal("newTermFoldSet refused printable ASCII needles")
	}
	for _, c := range []struct {
		hay  string
		want bool
	}{
		{"", false},
		{"cmd /c COPY a b", true},
		{"robocopy.exe a b", false},
		{"copying", false},
		{"tools", false},
		{"ls -la", true},
		{"/bin/ls", true},
		{"myrclone.exe", false},
		{"rclone.exe copy", true},
		{`"C:\tools\rclone.exe"`, true},
		{"rclone.exe2", false},
		{"a -p b", true},
		{"a -pb", false},
		{"x-P", true}, // '-' is no term character: the match may start after one
		{"X", true},
		{"xy", false},
		{"1x", false},
		{"--config=a", true},
		{"--configs", false},
		{"a::b", true}, // no term character: a substring
		{"naïve ls", true},
		{"naïvels", false},
		{"lsé", true}, // non-ASCII bytes separate terms
	} {
		if got := s.Match(c.hay); got != c.want {
			t.Errorf("Match(%q) = %v, want %v", c.hay, got, c.want)
		}
		if has := hasAny(c.hay, needles); has != c.want {
			t.Errorf("the has operator says %v of %q: the table is wrong", has, c.hay)
		}
	}
}

// TestTermFoldSetRandom compares a term set with the has operator over
// random needles and texts from a small alphabet of term characters and
// separators.
func TestTermFoldSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alpha = "abAB1-. é"
	word := func(min, max int) string {
		var b strings.Builder
		for range min + r.IntN(max-min+1) {
			b.WriteByte(alpha[r.IntN(len(alpha))])
		}
		return b.String()
	}
	for range 3000 {
		needles := make([]string, 1+r.IntN(5))
		for i := range needles {
			for needles[i] == "" || !IsASCII(needles[i]) {
				needles[i] = word(1, 4)
			}
		}
		s, ok := newTermFoldSet(needles)
		if !ok {
			t.Fatalf("newTermFoldSet(%q) refused", needles)
		}
		// A mixed set, some needles terms and some substrings (a needle
		// may come twice, each way).
		mixed := append(needles, needles[0])
		terms := make([]bool, len(mixed))
		for i := range terms {
			terms[i] = r.IntN(2) == 0
		}
		m, _ := NewMixedFoldSet(mixed, terms)
		for range 20 {
			hay := word(0, 24)
			if got, want := s.Match(hay), hasAny(hay, needles); got != want {
				t.Fatalf("needles %q, hay %q: Match = %v, has = %v", needles, hay, got, want)
			}
			want := false
			for i, n := range mixed {
				want = want || terms[i] && hasAny(hay, []string{n}) || !terms[i] && naiveFoldContainsAny(hay, []string{n})
			}
			if got := m.Match(hay); got != want {
				t.Fatalf("needles %q, terms %v, hay %q: Match = %v, want %v", mixed, terms, hay, got, want)
			}
		}
	}
}

func FuzzFoldSet(f *testing.F) {
	f.Add("copy|ls|rclone", "cmd.exe /c COPY a b")
	f.Add("a|bc", "xxBCxx")
	f.Fuzz(func(t *testing.T, set, hay string) {
		needles := strings.Split(set, "|")
		s, ok := NewFoldSet(needles)
		if !ok {
			return
		}
		if got, want := s.Match(hay), naiveFoldContainsAny(hay, needles); got != want {
			t.Fatalf("needles %q, hay %q: Match = %v, want %v", needles, hay, got, want)
		}
		ts, _ := newTermFoldSet(needles)
		if got, want := ts.Match(hay), hasAny(hay, needles); got != want {
			t.Fatalf("needles %q, hay %q: the term set's Match = %v, has = %v", needles, hay, got, want)
		}
	})
}

func TestLogRarity(t *testing.T) {
	if !(LogRarity([]string{"rclone"}) < LogRarity([]string{"ls"})) {
		t.Error("a six-letter needle should be rarer than a two-letter one")
	}
	if !(LogRarity([]string{"copy"}) < LogRarity([]string{"copy", "sync"})) {
		t.Error("adding a needle should make a set less rare")
	}
}

func BenchmarkFoldSet(b *testing.B) {
	hays := benchCorpus()
	needles := []string{"copy", "copyto", "sync", "bisync", "move", "moveto", "lsd", "ls", "lsf", "lsl", "lsjson", "config",
		"obscure", "serve", "mount", "nfsmount", "rcd", "purge", "delete", "deletefile", "rcat", "copyurl", "mega", "pcloud",
		"ftp", "sftp", "s3", "webdav", "dropbox", "drive", "onedrive", "box", "b2", "azureblob", "rclone", "rclone.conf"}
	s, _ := NewFoldSet(needles)
	var n int64
	for _, h := range hays {
		n += int64(len(h))
	}
	b.Run("foldset", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			for _, h := range hays {
				s.Match(h)
			}
		}
	})
	b.Run("contains-each", func(b *testing.B) {
		a := NewAny(Contains, needles)
		b.SetBytes(n)
		for b.Loop() {
			for _, h := range hays {
				a.Match(h)
			}
		}
	})
}
