package rules_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"offhunt/detect/rules"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestParseErrors checks that a bad header fails with the file, line and
// column of the fault and a message that says what to write instead.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"no id", "// title: T\n// severity: low\nT | take 1\n",
			"x.kql:1:1: the header has no '// id:' line"},
		{"unknown key", "// id: x\n// title: T\n// sevrity: low\nT | take 1\n",
			`x.kql:3:4: unknown header key "sevrity" (keys: id, title, severity, mitre, author, released, description, actions, references, falsepositives)`},
		{"indented unknown key", "// id: x\n  // colour: red\n// title: T\n// severity: low\nT\n",
			`x.kql:2:6: unknown header key "colour" (keys: id, title, severity, mitre, author, released, description, actions, references, falsepositives)`},
		{"not key: value", "// id: x\n// title T\n// severity: low\nT\n",
			`x.kql:2:1: expected a header line '// key: value', got "// title T"`},
		{"bad severity", "// id: x\n// title: T\n\n// severity: critical\nT\n",
			`x.kql:4:1: severity "critical": use high, medium, low or informational`},
		{"no query", "// id: x\n// title: T\n// severity: low\n\n",
			"x.kql:4:1: the rule has no query after its header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rules.Parse("x.kql", c.text)
			var fe *rules.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a FileError", err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
		})
	}
}

// TestParseHeader checks the header's fields, continuation lines and the
// line where the query starts.
func TestParseHeader(t *testing.T) {
	text := "// id: r\n// title: Rule\n// severity: HIGH\n// mitre: T1567.002, T1048\n" +
		"// description: first line\n//   second line\n// references: https://a.example/x,\n//   https://b.example/y\n" +
		"// falsepositives: admins\n\nDeviceProcessEvents\n| take 1\n"
	r, err := rules.Parse("r.kql", text)
	if err != nil {
		t.Fatal(err)
	}
	if r.Severity != "high" || r.Description != "first line second line" || r.FalsePositives != "admins" {
		t.Errorf("parsed %+v", r)
	}
	if len(r.Mitre) != 2 || r.Mitre[1] != "T1048" || len(r.References) != 2 || r.References[1] != "https://b.example/y" {
		t.Errorf("mitre %q, references %q", r.Mitre, r.References)
	}
	if r.QueryLine != 11 {
		t.Errorf("query line %d, want 11", r.QueryLine)
	}
}

// TestLoadFileError checks that Load reports a bad header with the file's
// path.
func TestLoadFileError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.kql")
	write(t, p, "// id: x\n// title: T\n// severity: urgent\nT\n")
	_, err := rules.Load(p)
	if err == nil || err.Error() != p+`:3:1: severity "urgent": use high, medium, low or informational` {
		t.Errorf("error %v", err)
	}
}
