package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesList(t *testing.T) {
	got := runCLI(t, "", "rules")
	for _, want := range []string{"7 rules", "rclone-seed-copy-args", "T1567.002", "Renamed rclone by its PE version information"} {
		if got.code != exitOK || !strings.Contains(got.stdout, want) {
			t.Errorf("rules lacks %q (exit %d):\n%s%s", want, got.code, got.stdout, got.stderr)
		}
	}
	got = runCLI(t, "", "rules", "--format", "json")
	var rs []ruleJSON
	if err := json.Unmarshal([]byte(got.stdout), &rs); err != nil || len(rs) != 7 {
		t.Fatalf("json: %v\n%s", err, got.stdout)
	}
	for _, r := range rs {
		if r.ID == "" || r.Description == "" || r.Actions == "" || r.FalsePositives == "" || len(r.Mitre) == 0 || !strings.Contains(r.Query, "DeviceProcessEvents") {
			t.Errorf("rule %+v", r)
		}
	}
	mine := writeFile(t, "mine.kql", "// id: mine\n// title: Mine\n// severity: low\nDeviceProcessEvents | take 1\n")
	expect(t, runCLI(t, "", "rules", "--rules", mine), exitOK, "1 rules", "")
	expect(t, runCLI(t, "", "rules", "--format", "yaml"), exitError, "", `offhunt: --format "yaml": use table or json`)
	expect(t, runCLI(t, "", "rules", "bogus"), exitError, "", `offhunt: unexpected argument "bogus"`)
}

func TestRulesExportSentinel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sentinel")
	got := runCLI(t, "", "rules", "export", "--format", "sentinel", dir)
	if got.code != exitOK || strings.Count(got.stdout, "\n") != 7 {
		t.Fatalf("exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "rclone-renamed-args.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y := string(b)
	for _, want := range []string{
		"\nname: Renamed rclone by its command line\n", "\nseverity: High\n", "\nstatus: Available\n",
		"  - connectorId: MicrosoftThreatProtection\n    dataTypes:\n      - DeviceProcessEvents\n",
		"\nqueryFrequency: 1h\n", "\ntactics:\n  - Exfiltration\n  - DefenseEvasion\n",
		"\nrelevantTechniques:\n  - T1567.002\n", "\nquery: |\n  DeviceProcessEvents\n  | where ProcessCommandLine has_any",
		"  - entityType: Host\n    fieldMappings:\n      - identifier: FullName\n        columnName: DeviceName\n",
		"\nversion: 1.0.0\nkind: Scheduled\n",
	} {
		if !strings.Contains(y, want) {
			t.Errorf("export lacks %q:\n%s", want, y)
		}
	}
	if !strings.HasPrefix(y, "id: ") || strings.Contains(y, "// id:") {
		t.Errorf("export starts %q; the rule header must not be in the query", y[:40])
	}
	// A rule that summarises maps only the columns it returns.
	mine := writeFile(t, "count.kql", "// id: per-device\n// title: Per device\n// severity: informational\nDeviceProcessEvents | summarize n = count() by DeviceName\n")
	expect(t, runCLI(t, "", "rules", "export", "--format", "sentinel", "--rules", mine, dir), exitOK, "per-device.yaml", "")
	b, _ = os.ReadFile(filepath.Join(dir, "per-device.yaml"))
	if !strings.Contains(string(b), "columnName: DeviceName") || strings.Contains(string(b), "AccountName") {
		t.Errorf("entity mappings of a summarising rule:\n%s", b)
	}
	expect(t, runCLI(t, "", "rules", "export", dir), exitError, "", "the export format is sentinel")
	expect(t, runCLI(t, "", "rules", "export", "--format", "sentinel"), exitError, "", "needs one folder")
}
