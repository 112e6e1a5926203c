package kql

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestRegexFilterNeverRulesOutAMatch checks the regex prefilter against
// the regex itself: whenever it rules a text out, the regex must not match
// it, including texts whose non-ASCII letters (?i) folds to ASCII ones.
func TestRegexFilterNeverRulesOutAMatch(t *testing.T) {
	patterns := []string{
		`(?i)(?:mega|pcloud|ftp|s3|webdav|dropbox|drive|box|b2|azureblob)[a-z0-9_.+ -]*:`,
		`(?i)^rclone-[^\\/]*\.exe$`,
		`(?i)\n--config(?:\n|=)[^\n]*\.conf(?:\n|\z)`,
		`(?i)(?:\A|\n)(?:[^\n]*[\\/])?(?:rclone(?:\.exe)?|rclone-[^\n\\/]*\.exe)\n`,
		`k+s`, `(?i)ks`, `a?b`, `(ab|cd)+e`, `x{2,3}`, `x{0,3}y`, `.*`, `[Kk]ey`, `é`, `(?i)É`,
	}
	texts := []string{
		"", "rclone-v1.exe", "RCLONE-X.EXE", "mega:backup", "MEGA:x", "ſ3:bucket", "\u212As", "ks", "KS",
		"abab e", "ababe", "cde", "xx", "xxx", "y", "Key", "kEY", "é", "É", "\n--config=a.conf\n",
		"C:\\Tools\\rclone.exe\ncopy", "nothing here", "b", "ab",
	}
	ruledOut := 0
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		f := newRegexFilter(re.String())
		for _, s := range texts {
			for _, text := range []string{s, "pre " + s + " post", strings.ToUpper(s)} {
				if f.rulesOut(text) {
					ruledOut++
					if re.MatchString(text) {
						t.Errorf("%q: the filter rules out %q, which the regex matches", p, text)
					}
				}
			}
		}
	}
	if ruledOut == 0 {
		t.Error("the filter ruled nothing out")
	}
	if f := newRegexFilter(`(?i)(?:mega|s3)x*:`); f == nil || !f.rulesOut("notepad.exe C:\\x") {
		t.Error("the exfil backend pattern should be ruled out by its literals")
	}
	if newRegexFilter(`a*`) != nil || newRegexFilter(`.`) != nil {
		t.Error("a pattern with no required literal should have no filter")
	}
}

// TestRegexLiteralsOfThePack checks the literals found in patterns the
// rule pack uses, whose alternations the parser factors.
func TestRegexLiteralsOfThePack(t *testing.T) {
	for pattern, want := range map[string][]string{
		`(?i)(?:mega|pcloud|ftp|s3|webdav|dropbox|drive|box|b2|azureblob)[a-z0-9_.+ -]*:`: {"mega", "pcloud", "ftp", "s3", "webdav", "dropbox", "drive", "box", "b2", "azureblob"},
		`(?i)^rclone-[^\\/]*\.exe$`:         {"rclone-"},
		`(?i)\n(?:config|obscure)(?:\n|\z)`: {"\nconfig", "\nobscure"},
	} {
		re, _ := syntax.Parse(pattern, syntax.Perl)
		got, _ := requiredRegexLiterals(re.Simplify())
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: literals %q, want %q", pattern, got, want)
		}
	}
}
