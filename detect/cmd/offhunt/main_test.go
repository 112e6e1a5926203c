package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"offhunt/detect"
)

// export is a small Defender advanced hunting export.
const export = "Timestamp,DeviceName,AccountName,FileName,ProcessCommandLine,ProcessId\n" +
	"2025-09-05T22:14:03.5316721Z,ws1,jdoe,rclone.exe,\"rclone.exe copy \"\"\\\\fs01\\Finance\"\" mega:x --ignore-existing --auto-confirm\",8312\n" +
	"2025-09-05T22:20:00Z,ws1,jdoe,notepad.exe,\"notepad.exe a, b.txt\",9001\n" +
	"2025-09-06T01:21:48Z,fs01,adm,RCLONE.EXE,RCLONE.EXE move D:\\HR mega:hr,6020\n"

// cli runs the command line and returns its exit status and output.
type cli struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) cli {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return cli{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func expect(t *testing.T, got cli, code int, stdoutHas, stderrHas string) {
	t.Helper()
	if got.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", got.code, code, got.stdout, got.stderr)
	}
	if !strings.Contains(got.stdout, stdoutHas) {
		t.Errorf("stdout lacks %q:\n%s", stdoutHas, got.stdout)
	}
	if !strings.Contains(got.stderr, stderrHas) {
		t.Errorf("stderr lacks %q:\n%s", stderrHas, got.stderr)
	}
	if code == exitOK && got.stderr != "" {
		t.Errorf("stderr on success: %s", got.stderr)
	}
}

func TestCommands(t *testing.T) {
	expect(t, runCLI(t, "", "version"), exitOK, "offhunt "+detect.Version+"\n", "")
	expect(t, runCLI(t, "", "help"), exitOK, "offhunt query [--now T|latest]", "")
	expect(t, runCLI(t, "", "--help"), exitOK, "Usage:", "")
	expect(t, runCLI(t, "", "help", "query"), exitOK, "--format F", "")
	expect(t, runCLI(t, "", "query", "-h"), exitOK, "--format F", "")
	expect(t, runCLI(t, ""), exitError, "", "Usage:")
	expect(t, runCLI(t, "", "frobnicate"), exitError, "", "offhunt: unknown command \"frobnicate\"")
	expect(t, runCLI(t, "", "help", "frobnicate"), exitError, "", "offhunt: no help for")
	expect(t, runCLI(t, "", "help", "scan"), exitOK, "--ioc defender FILE", "")
	expect(t, runCLI(t, "", "help", "rules"), exitOK, "rules export --format sentinel", "")
	expect(t, runCLI(t, "", "help"), exitOK, "offhunt scan  [--now T|latest]", "")
}

func TestQueryTable(t *testing.T) {
	path := writeFile(t, "export (3).csv", export)
	got := runCLI(t, "", "query", `DeviceProcessEvents | where FileName =~ "rclone.exe" | project FileName, ProcessId`, path)
	want := "FileName    ProcessId\n" +
		"----------  ---------\n" +
		"rclone.exe       8312\n" +
		"RCLONE.EXE       6020\n" +
		"(2 rows)\n"
	if got.code != exitOK || got.stdout != want {
		t.Errorf("exit %d\n got %q\nwant %q\nstderr %s", got.code, got.stdout, want, got.stderr)
	}
	// The file stem names the same table.
	got = runCLI(t, "", "query", `['export (3)'] | count`, path)
	expect(t, got, exitOK, "3", "")
}

func TestQueryFormats(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	q := `DeviceProcessEvents | where FileName == "notepad.exe" | project Timestamp, ProcessCommandLine, ProcessId`
	got := runCLI(t, "", "query", "--format", "csv", q, path)
	wantCSV := "Timestamp,ProcessCommandLine,ProcessId\r\n2025-09-05T22:20:00Z,\"notepad.exe a, b.txt\",9001\r\n"
	if got.code != exitOK || got.stdout != wantCSV {
		t.Errorf("csv: exit %d\n got %q\nwant %q\n%s", got.code, got.stdout, wantCSV, got.stderr)
	}
	// Flags after the positional arguments, and the --flag=value form.
	got = runCLI(t, "", "query", q, path, "--format=json")
	wantJSON := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"Timestamp","type":"datetime"},` +
		`{"name":"ProcessCommandLine","type":"string"},{"name":"ProcessId","type":"long"}],` +
		`"rows":[["2025-09-05T22:20:00Z","notepad.exe a, b.txt",9001]]}]}` + "\n"
	if got.code != exitOK || got.stdout != wantJSON {
		t.Errorf("json: exit %d\n got %s\nwant %s\n%s", got.code, got.stdout, wantJSON, got.stderr)
	}
	if !json.Valid([]byte(got.stdout)) {
		t.Error("invalid JSON")
	}
	expect(t, runCLI(t, "", "query", "--format", "xml", q, path), exitError, "", "offhunt: --format \"xml\": use table, csv or json")
}

func TestQueryFileAndStdin(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	qfile := writeFile(t, "hunt.kql", "// rclone by name\nDeviceProcessEvents\n| where FileName =~ 'rclone.exe'\n| count\n")
	expect(t, runCLI(t, "", "query", "-f", qfile, path), exitOK, "Count\n-----\n    2\n(1 row)\n", "")
	expect(t, runCLI(t, "", "query", path, "--file", qfile), exitOK, "    2\n", "")
	// Standard input as the export.
	expect(t, runCLI(t, export, "query", "DeviceProcessEvents | count", "-"), exitOK, "    3\n", "")
	// Standard input as the query.
	expect(t, runCLI(t, "DeviceProcessEvents | count", "query", "-f", "-", path), exitOK, "    3\n", "")
	// Not both.
	expect(t, runCLI(t, export, "query", "-f", "-", "-"), exitError, "", "offhunt: standard input can be read once")
	expect(t, runCLI(t, export, "query", "DeviceProcessEvents | count", "-", "-"), exitError, "", "offhunt: standard input can be read once")
	// An export that fits no known table is named after its stem; stdin's is 'stdin'.
	expect(t, runCLI(t, "a,b\n1,2\n", "query", "stdin | project b", "-"), exitOK, "b\n-\n2\n", "")
	// Two exports of one table are unioned.
	other := writeFile(t, "other.csv", export)
	expect(t, runCLI(t, "", "query", "DeviceProcessEvents | count", path, other), exitOK, "    6\n", "")
	// "--" ends the flags.
	expect(t, runCLI(t, "", "query", "--format", "csv", "--", "DeviceProcessEvents | count", path), exitOK, "Count\r\n3\r\n", "")
}

func TestQueryNow(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	q := "DeviceProcessEvents | where Timestamp > ago(1h) | count"
	// The newest event is 2025-09-06T01:21:48Z; only it is within the hour.
	expect(t, runCLI(t, "", "query", "--now", "latest", q, path), exitOK, "    1\n", "")
	expect(t, runCLI(t, "", "query", "--now", "2025-09-05T23:00:00Z", q, path), exitOK, "    3\n", "")
	// The wall clock is long past this export.
	expect(t, runCLI(t, "", "query", q, path), exitOK, "    0\n", "")
	expect(t, runCLI(t, "", "query", "--now", "yesterday", q, path), exitError, "", "offhunt: ")
}

var posLine = regexp.MustCompile(`^offhunt: (\d+):(\d+): `)

func TestQueryErrors(t *testing.T) {
	path := writeFile(t, "e.csv", export)
	got := runCLI(t, "", "query", "DeviceProcessEvents\n| whre FileName == 'x'", path)
	if got.code != exitError || got.stdout != "" {
		t.Fatalf("exit %d, stdout %q", got.code, got.stdout)
	}
	lines := strings.Split(strings.TrimRight(got.stderr, "\n"), "\n")
	m := posLine.FindStringSubmatch(lines[0])
	if m == nil || m[1] != "2" || m[2] != "3" {
		t.Fatalf("first line %q: want offhunt: 2:3: ...", lines[0])
	}
	if len(lines) != 3 || lines[1] != "| whre FileName == 'x'" || lines[2] != "  ^" {
		t.Errorf("snippet and caret:\n%s", got.stderr)
	}
	// An unknown column names itself and where it was used.
	got = runCLI(t, "", "query", "DeviceProcessEvents | where NoSuchColumn == 1", path)
	if got.code != exitError || !posLine.MatchString(got.stderr) || !strings.Contains(got.stderr, "NoSuchColumn") {
		t.Errorf("unknown column: %d %s", got.code, got.stderr)
	}
	expect(t, runCLI(t, "", "query"), exitError, "", "offhunt: no query")
	expect(t, runCLI(t, "", "query", "--bogus", "x"), exitError, "", "offhunt: flag provided but not defined: -bogus")
	expect(t, runCLI(t, "", "query", "--now"), exitError, "", "offhunt: flag needs an argument")
	missing := filepath.Join(t.TempDir(), "missing.csv")
	expect(t, runCLI(t, "", "query", "print 1", missing), exitError, "", "missing.csv")
	expect(t, runCLI(t, "", "query", "-f", missing), exitError, "", "missing.csv")
	js := writeFile(t, "e.json", `{"tables":[]}`)
	expect(t, runCLI(t, "", "query", "print 1", js), exitError, "", "a Log Analytics response with no tables")
	empty := writeFile(t, "empty.csv", "")
	expect(t, runCLI(t, "", "query", "print 1", empty), exitError, "", "offhunt: ")
}

func TestQueryWithoutInputs(t *testing.T) {
	got := runCLI(t, "", "query", "print x = 1, y = 'a'")
	expect(t, got, exitOK, "x  y\n-  -\n1  a\n(1 row)\n", "")
}

// sharedDir returns the shared folder beside the checkout, skipping the
// test when it is absent (failing under CI, where it must be there).
func sharedDir(t *testing.T) string {
	t.Helper()
	shared, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared"))
	if err == nil {
		_, err = os.Stat(shared)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("../shared is missing beside the checkout: %v", err)
		}
		t.Skipf("skipping: ../shared is not beside the checkout (%v)", err)
	}
	return shared
}

// seedQuery extracts the KQL of a seed page: the lines between "Query"
// and "//Flags for copy command".
func seedQuery(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sb strings.Builder
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "Query":
			in = true
		case strings.HasPrefix(line, "//Flags for copy command"):
			in = false
		case in:
			sb.WriteString(line + "\n")
		}
	}
	if sb.Len() == 0 {
		t.Fatalf("no query in %s", path)
	}
	return sb.String()
}

// TestSeedOverSample runs the seed hunting query, unchanged, over the
// sample export: it finds the rclone copy and the renamed svchost.exe, and
// misses RCLONE.EXE (== is case-sensitive and the command is a move).
func TestSeedOverSample(t *testing.T) {
	q := seedQuery(t, filepath.Join(sharedDir(t), "seeds", "000_29213a523839aa2a.txt"))
	sample := filepath.Join("..", "..", "testdata", "sample_dpe.csv")
	got := runCLI(t, "", "query", "--now", "latest", "--format", "csv", q+"| project FileName, FolderPath\n", sample)
	want := "FileName,FolderPath\r\n" +
		"rclone.exe,C:\\Users\\Public\\Music\\rclone.exe\r\n" +
		"svchost.exe,C:\\Windows\\svchost.exe\r\n"
	if got.code != exitOK || got.stdout != want {
		t.Errorf("exit %d\n got %q\nwant %q\n%s", got.code, got.stdout, want, got.stderr)
	}
	all := runCLI(t, "", "query", "--now", "latest", "DeviceProcessEvents | summarize n = count(), rclone = countif(ProcessVersionInfoOriginalFileName =~ 'rclone.exe')", sample)
	expect(t, all, exitOK, "12       3\n", "")
}

func TestParseInterspersed(t *testing.T) {
	got := runCLI(t, "", "query", "print 1", "--format", "csv", "--now", "2025-01-01T00:00:00Z")
	expect(t, got, exitOK, "print_0\r\n1\r\n", "")
}

// TestTimeFilterNotice checks that an empty result caused by ago() on an
// old export says so on standard error, and that --now latest finds the row.
func TestTimeFilterNotice(t *testing.T) {
	f := writeFile(t, "old.csv", "Timestamp,FileName,ProcessCommandLine\n2020-01-01T00:00:00Z,rclone.exe,rclone.exe copy a b\n")
	q := "DeviceProcessEvents | where Timestamp > ago(1d) | project FileName"
	got := runCLI(t, "", "query", "--now", "2025-01-01T00:00:00Z", q, f)
	if got.code != exitOK || !strings.Contains(got.stdout, "(0 rows)") ||
		!strings.Contains(got.stderr, "inputs' events run from 2020-01-01T00:00:00Z to 2020-01-01T00:00:00Z") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
	got = runCLI(t, "", "query", "--now", "latest", q, f)
	expect(t, got, 0, "rclone.exe", "")
	if strings.Contains(got.stderr, "time filter") {
		t.Errorf("notice printed although the result has rows: %s", got.stderr)
	}
}
