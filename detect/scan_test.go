package detect

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

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
	if err == nil || !strings.HasPrefix(err.Error(), "bad.kql:5:") {
		t.Fatalf("error = %v, want bad.kql:5:col", err)
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
