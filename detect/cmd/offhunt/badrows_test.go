package main

import (
	"strings"
	"testing"
)

// TestQueryBadRowSummary checks that rows an input could not read as they
// are get one line on standard error, with the first one's line and
// reason, and that the result still holds every good row.
func TestQueryBadRowSummary(t *testing.T) {
	path := writeFile(t, "ragged.csv", "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId\n"+
		"2025-09-05T22:14:03Z,ws1,rclone.exe,rclone copy a b,1\n"+
		"2025-09-05T22:15:00Z,ws1,cmd.exe\n"+
		"2025-09-05T22:16:00Z,ws1,x.exe,x,notanumber\n")
	got := runCLI(t, "", "query", "--format", "csv", "DeviceProcessEvents | count", path)
	if got.code != exitOK || !strings.Contains(got.stdout, "3") {
		t.Fatalf("exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	lines := strings.Split(strings.TrimRight(got.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "offhunt: note: 2 rows could not be read as they are; ") ||
		!strings.Contains(lines[0], "ragged.csv: 2 (first at line 3: 3 fields where the header has 5") {
		t.Errorf("stderr %q", got.stderr)
	}
}

// TestQueryDedupe checks --dedupe: overlapping exports count each event once.
func TestQueryDedupe(t *testing.T) {
	head := "Timestamp,DeviceName,FileName,ProcessCommandLine\n"
	a := writeFile(t, "day1.csv", head+"2025-09-05T22:14:03Z,ws1,a.exe,a\n2025-09-05T22:15:00Z,ws1,b.exe,b\n")
	b := writeFile(t, "day2.csv", head+"2025-09-05T22:15:00Z,ws1,b.exe,b\n2025-09-05T22:16:00Z,ws1,c.exe,c\n")
	for flag, want := range map[string]string{"": "n\r\n4\r\n", "--dedupe": "n\r\n3\r\n"} {
		args := []string{"query", "--format", "csv"}
		if flag != "" {
			args = append(args, flag)
		}
		got := runCLI(t, "", append(args, "DeviceProcessEvents | summarize n = count()", a, b)...)
		if got.code != exitOK || got.stdout != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", flag, got.code, got.stdout, got.stderr)
		}
	}
}
