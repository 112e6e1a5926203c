package detect

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/rules"
)

func fileInput(path string) Input {
	return Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// TestScanSample runs the built-in pack over the sample export and checks
// the seed rule's findings and the summary built from them.
func TestScanSample(t *testing.T) {
	f, err := Scan(context.Background(), []Input{fileInput("testdata/sample_dpe.csv")}, ScanOptions{Options: Options{Now: "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	var seed []Finding
	for _, fd := range f.Findings {
		if fd.RuleID == "rclone-seed-copy-args" {
			seed = append(seed, fd)
		}
	}
	if len(seed) != 2 {
		t.Fatalf("seed rule: %d findings, want 2: %+v", len(seed), seed)
	}
	if seed[0].FileName != "rclone.exe" || !strings.Contains(seed[0].CommandLine, "copy") {
		t.Errorf("first finding: %+v", seed[0])
	}
	if seed[1].FileName != "svchost.exe" || seed[1].Device != "fs01.contoso.local" {
		t.Errorf("second finding: %+v", seed[1])
	}
	if f.Summary.ByRule["rclone-seed-copy-args"] != 2 || f.Summary.BySeverity["high"] < 2 {
		t.Errorf("summary: %+v", f.Summary)
	}
	if len(seed[0].Row.Columns) < 30 {
		t.Errorf("finding row has %d columns, want every column of the event", len(seed[0].Row.Columns))
	}
}

// TestScanRuleErrors checks that a rule with bad KQL fails with its file,
// line and column, and that a rule over a table the inputs lack is skipped
// with a notice rather than reported as clean.
func TestScanRuleErrors(t *testing.T) {
	bad, err := rules.Parse("bad.kql", "// id: bad\n// title: Bad\n// severity: low\nDeviceProcessEvents\n| where FileName = 'x'\n")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Scan(context.Background(), []Input{fileInput("testdata/sample_dpe.csv")}, ScanOptions{Rules: []*rules.Rule{bad}})
	var fe *rules.FileError
	if !errors.As(err, &fe) || err.Error() != `bad.kql:5:18: unexpected "=" in where, expected "|" or ";" (use == to compare)` {
		t.Fatalf("error = %v, want bad.kql:5:18: ...", err)
	}
	other, err := rules.Parse("net.kql", "// id: net\n// title: Net\n// severity: low\nDeviceNetworkEvents\n| where RemotePort == 443\n")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Scan(context.Background(), []Input{fileInput("testdata/sample_dpe.csv")}, ScanOptions{Rules: []*rules.Rule{other}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Notices) != 1 || !strings.Contains(f.Notices[0], "rule net skipped") {
		t.Errorf("notices = %q, want one saying rule net was skipped", f.Notices)
	}
}

// TestScanMatches checks that findings carry the spans the rule's own
// predicates matched, as byte offsets into the column's value.
func TestScanMatches(t *testing.T) {
	f, err := Scan(context.Background(), []Input{fileInput("testdata/sample_dpe.csv")}, ScanOptions{Options: Options{Now: "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, fd := range f.Findings {
		values := map[string]string{}
		for i, c := range fd.Row.Columns {
			values[c] = data.ToString(fd.Row.Values[i])
		}
		for _, m := range fd.Matches {
			v := values[m.Column]
			if m.Start < 0 || m.End > len(v) || v[m.Start:m.End] != m.Text {
				t.Errorf("%s: match %+v does not point into %s %q", fd.RuleID, m, m.Column, v)
			}
		}
		if len(fd.Matches) > 0 {
			explained++
		}
	}
	if explained == 0 {
		t.Fatal("no finding has matches")
	}
	for _, fd := range f.Findings {
		if fd.RuleID == "rclone-seed-copy-args" && fd.FileName == "rclone.exe" {
			var texts []string
			for _, m := range fd.Matches {
				texts = append(texts, m.Column+":"+m.Text)
			}
			if !slices.Contains(texts, "FileName:rclone.exe") {
				t.Errorf("seed finding on rclone.exe: matches %q, want FileName:rclone.exe among them", texts)
			}
		}
	}
}

// slimExport is a Defender export that left out the PE version columns.
const slimExport = "Timestamp,DeviceName,FileName,FolderPath,ProcessCommandLine,InitiatingProcessFileName,AccountName,ReportId\n" +
	"2025-09-02T10:00:00Z,ws1,winupd.exe,C:\\Users\\Public\\winupd.exe,winupd.exe lsd remote:,explorer.exe,bob,1\n"

// fullExport has them, with a renamed rclone.
const fullExport = "Timestamp,DeviceName,FileName,FolderPath,ProcessCommandLine,InitiatingProcessFileName,AccountName,ProcessVersionInfoCompanyName,ProcessVersionInfoProductName,ProcessVersionInfoInternalFileName,ProcessVersionInfoOriginalFileName,ProcessVersionInfoFileDescription,ReportId\n" +
	"2025-09-03T10:00:00Z,ws2,svhost.exe,C:\\Windows\\svhost.exe,svhost.exe,services.exe,system,https://rclone.org,Rclone,rclone,rclone.exe,Rclone,2\n"

// TestScanMissingColumnPerInput checks that a rule needing a column that
// one input lacks is skipped for that input with a notice naming it, and
// still runs over the inputs that have the column.
func TestScanMissingColumnPerInput(t *testing.T) {
	slim := writeTemp(t, "slim.csv", slimExport)
	full := writeTemp(t, "full.csv", fullExport)
	pe := builtinRule(t, "rclone-renamed-pe-metadata")
	f, err := Scan(context.Background(), []Input{slim, full}, ScanOptions{Options: Options{Now: "latest"}, Rules: []*rules.Rule{pe}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Findings) != 1 || f.Findings[0].Device != "ws2" {
		t.Errorf("findings %+v, want the renamed rclone of full.csv", f.Findings)
	}
	if len(f.Notices) != 1 || !strings.Contains(f.Notices[0], "rule rclone-renamed-pe-metadata skipped for "+slim.Name) ||
		!strings.Contains(f.Notices[0], "ProcessVersionInfo") {
		t.Errorf("notices %q, want one naming %s and the missing column", f.Notices, slim.Name)
	}

	f, err = Scan(context.Background(), []Input{slim}, ScanOptions{Options: Options{Now: "latest"}, Rules: []*rules.Rule{pe}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Findings) != 0 || len(f.Notices) != 1 || !strings.Contains(f.Notices[0], slim.Name+" lacks a column it needs") {
		t.Errorf("one slim input: findings %d, notices %q", len(f.Findings), f.Notices)
	}

	// The rest of the pack runs on the slim export: rclone-renamed-args
	// finds "winupd.exe lsd remote:", rclone-unusual-location needs
	// nothing the export lacks but finds no rclone there.
	f, err = Scan(context.Background(), []Input{slim, full}, ScanOptions{Options: Options{Now: "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Summary.ByRule["rclone-renamed-args"] != 1 || f.Summary.ByRule["rclone-renamed-pe-metadata"] != 1 {
		t.Errorf("by rule %v", f.Summary.ByRule)
	}
}

// TestScanUserRuleWithoutCoreColumns checks that a user's rule whose rows
// lack the usual columns (an aggregation) still yields findings, with the
// fields it has.
func TestScanUserRuleWithoutCoreColumns(t *testing.T) {
	r, err := rules.Parse("count.kql", "// id: busy-devices\n// title: Devices by process count\n// severity: informational\n"+
		"DeviceProcessEvents\n| summarize Processes = count() by DeviceName\n")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Scan(context.Background(), []Input{fileInput("testdata/sample_dpe.csv")}, ScanOptions{Options: Options{Now: "latest"}, Rules: []*rules.Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, fd := range f.Findings {
		if fd.RuleID != "busy-devices" || fd.Device == "" || fd.Time != "" || fd.CommandLine != "" ||
			len(fd.Row.Columns) != 2 || fd.Row.Columns[1] != "Processes" || fd.Matches == nil {
			t.Errorf("finding %+v", fd)
		}
	}
	if len(f.Summary.Devices) != len(f.Findings) {
		t.Errorf("summary devices %q for %d findings", f.Summary.Devices, len(f.Findings))
	}
}

func builtinRule(t *testing.T, id string) *rules.Rule {
	t.Helper()
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pack {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no built-in rule %s", id)
	return nil
}
