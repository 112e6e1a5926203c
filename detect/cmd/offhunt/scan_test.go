package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benign is an export with nothing the pack flags.
const benign = "Timestamp,DeviceName,AccountName,FileName,FolderPath,ProcessCommandLine,ProcessId\n" +
	"2025-09-05T22:14:03Z,ws1,jdoe,git.exe,C:\\Program Files\\Git\\cmd\\git.exe,git.exe config --global user.name x,8312\n" +
	"2025-09-05T22:20:00Z,ws1,jdoe,robocopy.exe,C:\\Windows\\System32\\robocopy.exe,robocopy.exe C:\\src \\\\nas\\b /COPY:DAT /MIR,9001\n"

func TestScanExitStatus(t *testing.T) {
	found := writeFile(t, "e.csv", export)
	clean := writeFile(t, "clean.csv", benign)
	got := runCLI(t, "", "scan", "--now", "latest", found)
	if got.code != exitFound || !strings.Contains(got.stdout, "Findings by rule") {
		t.Errorf("findings: exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	got = runCLI(t, "", "scan", "--now", "latest", clean)
	if got.code != exitOK || !strings.HasPrefix(got.stdout, "offhunt scan: 0 findings from 7 rules") {
		t.Errorf("clean: exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	expect(t, runCLI(t, "", "scan", clean, "--format", "xml"), exitError, "", `offhunt: --format "xml": use table, csv, json or ndjson`)
	expect(t, runCLI(t, "", "scan"), exitError, "", "offhunt: no input")
	expect(t, runCLI(t, "", "scan", filepath.Join(t.TempDir(), "missing.csv")), exitError, "", "missing.csv: no such file")
	expect(t, runCLI(t, "", "scan", "-h"), exitOK, "--rules builtin|PATH", "")
}

func TestScanFormats(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	got := runCLI(t, "", "scan", "--now", "latest", "--format", "json", path)
	var doc struct {
		Engine   string `json:"engine"`
		Findings []struct {
			RuleID  string `json:"ruleId"`
			Device  string `json:"device"`
			Matches []struct {
				Column     string `json:"column"`
				Start, End int
				Text       string `json:"text"`
			} `json:"matches"`
			Row map[string]any `json:"row"`
		} `json:"findings"`
		Summary struct {
			ByRule map[string]int `json:"byRule"`
		} `json:"summary"`
	}
	if got.code != exitFound || json.Unmarshal([]byte(got.stdout), &doc) != nil || len(doc.Findings) == 0 {
		t.Fatalf("json: exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	explained := false
	for _, fd := range doc.Findings {
		for _, m := range fd.Matches {
			v, _ := fd.Row[m.Column].(string)
			if m.End > len(v) || v[m.Start:m.End] != m.Text {
				t.Errorf("match %+v does not point into %q", m, v)
			}
			explained = true
		}
	}
	if !explained || doc.Summary.ByRule["rclone-by-name"] != 2 {
		t.Errorf("explained %v, by rule %v", explained, doc.Summary.ByRule)
	}

	got = runCLI(t, "", "scan", "--now", "latest", "--format", "ndjson", path)
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	if got.code != exitFound || len(lines) != len(doc.Findings) {
		t.Fatalf("ndjson: exit %d, %d lines for %d findings", got.code, len(lines), len(doc.Findings))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) || !strings.HasPrefix(l, `{"ruleId":`) {
			t.Errorf("ndjson line %s", l)
		}
	}

	got = runCLI(t, "", "scan", "--now", "latest", "--format", "csv", path)
	recs, err := csv.NewReader(strings.NewReader(got.stdout)).ReadAll()
	if err != nil || len(recs) != len(doc.Findings)+1 || strings.Join(recs[0], ",") != "time,severity,ruleId,device,account,fileName,commandLine,matches,input,line" {
		t.Errorf("csv: %v\n%s", err, got.stdout)
	}

	got = runCLI(t, "", "scan", "--now", "latest", path)
	for _, want := range []string{"Findings by rule", "Findings by severity", "Devices", "Accounts", "first seen", "«RCLONE.EXE»", "source"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, got.stdout)
		}
	}
}

// TestScanCSVNeutralisesFormulas checks that a command line an attacker
// wrote as a spreadsheet formula reaches the CSV as text.
func TestScanCSVNeutralisesFormulas(t *testing.T) {
	path := writeFile(t, "e.csv", "Timestamp,DeviceName,FileName,ProcessCommandLine\n"+
		"2025-09-05T22:14:03Z,=HYPERLINK(\"x\"),rclone.exe,\"=cmd|' /C calc'!A0 rclone.exe copy a b:c\"\n")
	got := runCLI(t, "", "scan", "--now", "latest", "--format", "csv", path)
	recs, err := csv.NewReader(strings.NewReader(got.stdout)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("%v\n%s", err, got.stdout)
	}
	for _, r := range recs[1:] {
		if r[3] != `'=HYPERLINK("x")` || !strings.HasPrefix(r[6], "'=cmd") {
			t.Errorf("cells not neutralised: %q", r)
		}
	}
}

func TestScanRules(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	dir := t.TempDir()
	mine := filepath.Join(dir, "notepad.kql")
	if err := os.WriteFile(mine, []byte("// id: notepad\n// title: Notepad\n// severity: low\nDeviceProcessEvents | where FileName == 'notepad.exe'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := runCLI(t, "", "scan", "--now", "latest", "--format", "csv", "--rules", mine, path)
	if got.code != exitFound || strings.Count(got.stdout, "\n") != 2 || !strings.Contains(got.stdout, ",low,notepad,") {
		t.Errorf("user rule: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	got = runCLI(t, "", "scan", "--now", "latest", "--format", "csv", "--rules", "builtin", "--rules", dir, path)
	if !strings.Contains(got.stdout, ",notepad,") || !strings.Contains(got.stdout, ",rclone-by-name,") {
		t.Errorf("builtin and user rules:\n%s", got.stdout)
	}
	// A bad header and bad KQL fail with file:line:col.
	bad := writeFile(t, "bad.kql", "// id: bad\n// title: Bad\n// severity: severe\nDeviceProcessEvents\n")
	expect(t, runCLI(t, "", "scan", "--rules", bad, path), exitError, "", "offhunt: "+bad+`:3:1: severity "severe"`)
	badKQL := writeFile(t, "badkql.kql", "// id: bad\n// title: Bad\n// severity: low\nDeviceProcessEvents\n| where FileName = 'x'\n")
	expect(t, runCLI(t, "", "scan", "--rules", badKQL, path), exitError, "", "offhunt: "+badKQL+":5:18: ")
	dup := writeFile(t, "dup.kql", "// id: rclone-by-name\n// title: Mine\n// severity: low\nDeviceProcessEvents | take 1\n")
	expect(t, runCLI(t, "", "scan", "--rules", "builtin", "--rules", dup, path), exitError, "", `rule id "rclone-by-name" is already used`)
}

// TestScanNotices checks that a rule an export cannot run is named on
// standard error, and that an old export gets the time-filter note.
func TestScanNotices(t *testing.T) {
	slim := writeFile(t, "slim.csv", "Timestamp,DeviceName,FileName,ProcessCommandLine\n2020-01-01T00:00:00Z,ws1,rclone.exe,rclone.exe copy a b:c\n")
	got := runCLI(t, "", "scan", "--now", "latest", slim)
	if got.code != exitFound || !strings.Contains(got.stderr, "offhunt: note: rule rclone-renamed-pe-metadata skipped: "+slim+" lacks a column it needs") {
		t.Errorf("exit %d\nstderr: %s", got.code, got.stderr)
	}
	seedOnly := writeFile(t, "seed.kql", "// id: seed\n// title: Seed\n// severity: high\nDeviceProcessEvents\n| where TimeGenerated > ago(90d)\n| where FileName == 'rclone.exe'\n")
	got = runCLI(t, "", "scan", "--now", "2025-01-01T00:00:00Z", "--rules", seedOnly, slim)
	if got.code != exitOK || !strings.Contains(got.stderr, "a time filter (ago/now) removed every row") || !strings.Contains(got.stderr, "--now latest") {
		t.Errorf("exit %d\nstderr: %s", got.code, got.stderr)
	}
}

func TestScanDedupe(t *testing.T) {
	a := writeFile(t, "day1.csv", export)
	b := writeFile(t, "day2.csv", export)
	count := func(args ...string) int {
		got := runCLI(t, "", append([]string{"scan", "--now", "latest", "--format", "ndjson"}, args...)...)
		return strings.Count(got.stdout, "\n")
	}
	one, both, deduped := count(a), count(a, b), count("--dedupe", a, b)
	if one == 0 || both != 2*one || deduped != one {
		t.Errorf("findings: one export %d, two copies %d, two copies with --dedupe %d", one, both, deduped)
	}
}

func TestScanIOC(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	out := filepath.Join(t.TempDir(), "indicators.csv")
	got := runCLI(t, "", "scan", "--now", "latest", "--ioc", "defender", out, path)
	if got.code != exitFound || !strings.Contains(got.stderr, "offhunt: wrote 3 indicators to "+out) {
		t.Fatalf("exit %d\nstderr: %s", got.code, got.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "IndicatorType,IndicatorValue,ExpirationTime,Action,Severity,Title,Description,RecommendedActions,RbacGroups,Category,MitreTechniques,GenerateAlert" {
		t.Errorf("header %q", recs[0])
	}
	var values []string
	for _, r := range recs[1:] {
		values = append(values, r[0]+" "+r[1]+" "+r[3])
	}
	want := "Url downloads.rclone.org Block|Url github.com/rclone/rclone Block|Url rclone.org Block"
	if strings.Join(values, "|") != want {
		t.Errorf("indicators %q, want %q (the export has no SHA256 column)", values, want)
	}
	expect(t, runCLI(t, "", "scan", "--ioc", "misp", out, path), exitError, "", `offhunt: --ioc "misp"`)
	expect(t, runCLI(t, "", "scan", path, "--ioc", "defender"), exitError, "", "offhunt: --ioc needs a file")
}
