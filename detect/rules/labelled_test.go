package rules_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"offhunt/detect/kql/builtin"
	"offhunt/detect/logs"
)

// The labelled set the pack is measured on (TestPackQuality) and the seed
// rule is compared on (TestSeedRuleMatchesSeedQuery). It is built from the
// research material in ../shared/data, never copied into the project:
//
//   - cmdlines: each line of cmdlines.tsv (command lines from intrusion
//     reports, detection rules and test suites, labelled is_rclone) inside
//     a realistic Defender DeviceProcessEvents row;
//   - renamed: rclone binaries under other names, with the PE version
//     information each rclone release carries;
//   - real: the real rclone Sysmon events of the Packet Cyclone log;
//   - background: every other process-creation event in ../shared/data
//     (Sysmon Event ID 1 and Security 4688 from EVTX-ATTACK-SAMPLES and
//     friends, SigmaHQ's regression data, OTRF, Packet Cyclone, and the
//     two real Defender exports).
//
// The Sysmon and 4688 events are mapped onto DeviceProcessEvents columns
// here (Image -> FolderPath and FileName, ParentImage ->
// InitiatingProcess*, Hashes -> SHA256 ...), because offhunt's readers do
// not read JSON event logs yet; once logs.NewSource does, TestPackQuality
// also scans the original files through the facade and checks that it
// flags the same events.

// Sets of the labelled data.
const (
	setCmdlines   = "cmdlines"
	setRenamed    = "renamed"
	setReal       = "real"
	setBackground = "background"
)

// event is one labelled DeviceProcessEvents row.
type event struct {
	id     int64  // ReportId: how a finding is traced back to its event
	set    string // setCmdlines, ...
	rclone bool   // the label
	origin string // where it came from, for messages
	cols   map[string]string
}

// source is one input file of the labelled set, written as a Defender CSV
// export, and the original file it came from (for the facade check).
type source struct {
	name     string // file name of the written export
	original string // path of the original file in ../shared/data, if any
	events   []*event
}

// defenderColumns are the columns of a Defender advanced hunting export of
// DeviceProcessEvents: the schema without Sentinel's own columns.
func defenderColumns(t testing.TB) []string {
	t.Helper()
	cols, ok := logs.Schema("DeviceProcessEvents")
	if !ok {
		t.Fatal("logs has no DeviceProcessEvents schema")
	}
	sentinel := map[string]bool{"TimeGenerated": true, "TenantId": true, "SourceSystem": true, "MachineGroup": true, "Type": true}
	var out []string
	for _, c := range cols {
		if !sentinel[c.Name] {
			out = append(out, c.Name)
		}
	}
	return out
}

// writeExport writes events as a Defender CSV export and returns its path.
func writeExport(t testing.TB, dir, name string, columns []string, events []*event) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.Write(columns); err != nil {
		t.Fatal(err)
	}
	rec := make([]string, len(columns))
	for _, e := range events {
		for i, c := range columns {
			rec[i] = e.cols[c]
		}
		rec[indexOf(columns, "ReportId")] = strconv.FormatInt(e.id, 10)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// labelledSet builds every source of the labelled set; ids are unique
// across sources.
func labelledSet(t testing.TB, sharedDir string) []*source {
	t.Helper()
	var next int64 = 1000
	assign := func(s *source) *source {
		for _, e := range s.events {
			e.id = next
			next++
		}
		return s
	}
	data := filepath.Join(sharedDir, "data")
	synthetic := &source{name: "synthetic_dpe.csv"}
	synthetic.events = append(synthetic.events, cmdlineEvents(t, filepath.Join(data, "cmdlines.tsv"))...)
	synthetic.events = append(synthetic.events, renamedEvents()...)
	out := []*source{assign(synthetic)}
	for _, f := range []struct{ name, rel string }{
		{"packet_cyclone_sysmon.csv", "packet-cyclone/sysmon_all.ndjson"},
		{"packet_cyclone_4688.csv", "packet-cyclone/security_4688.ndjson"},
		{"hayabusa.csv", "hayabusa-sample-evtx/process_creation_events.ndjson"},
		{"sigma_regression.csv", "sigma-regression/proc_creation.ndjson"},
		{"otrf_sd2.csv", "otrf/sd2_process_creation_events.ndjson"},
		{"otrf_ws6_sysmon.csv", "otrf/WORKSTATION6_Windows_MicrosoftWindowsSysmonOperational_2022-09-22T12313339.json"},
		{"otrf_ws6_security.csv", "otrf/WORKSTATION6_Windows_Security_2022-09-22T12313335.json"},
	} {
		p := filepath.Join(data, f.rel)
		out = append(out, assign(&source{name: f.name, original: p, events: windowsEvents(t, p)}))
	}
	for _, f := range []string{"defender-exports/plaso_advanced_hunting_test.csv", "defender-exports/dafneb_advanced_hunting_test.csv"} {
		p := filepath.Join(data, f)
		out = append(out, assign(&source{name: "defender_" + path.Base(f), original: p, events: defenderExportEvents(t, p)}))
	}
	return out
}

// ---- cmdlines.tsv ----

// psCmdlet is a PowerShell cmdlet name (Verb-Noun).
var psCmdlet = regexp.MustCompile(`^[A-Z][a-z]+-[A-Z][A-Za-z]+$`)

// systemTools are where Windows keeps the tools the command lines name.
var systemTools = map[string]string{
	"bitsadmin.exe": `C:\Windows\System32\bitsadmin.exe`,
	"taskkill.exe":  `C:\Windows\System32\taskkill.exe`,
	"reg.exe":       `C:\Windows\System32\reg.exe`,
	"certutil.exe":  `C:\Windows\System32\certutil.exe`,
	"cmd.exe":       `C:\Windows\System32\cmd.exe`,
	"sftp.exe":      `C:\Windows\System32\OpenSSH\sftp.exe`,
	"svchost.exe":   `C:\Windows\System32\svchost.exe`,
	"wermgr.exe":    `C:\Windows\System32\wermgr.exe`,
}

// versionInfo is a binary's PE version information as Defender reports it.
type versionInfo struct {
	company, product, version, internal, original, description string
}

var (
	microsoftInfo = func(name, desc string) versionInfo {
		return versionInfo{"Microsoft Corporation", "Microsoft® Windows® Operating System", "10.0.19041.1", strings.TrimSuffix(name, ".exe"), name, desc}
	}
	// rcloneInfo is rclone's version information: "Rsync for cloud
	// storage" from v1.53.0 to v1.62.x, "Rclone" from v1.63.0, none before.
	rcloneInfo = func(version string) versionInfo {
		desc := "Rclone"
		if v := strings.Split(version, "."); len(v) > 1 && v[0] == "1" {
			if minor, _ := strconv.Atoi(v[1]); minor < 63 {
				desc = "Rsync for cloud storage"
			}
		}
		return versionInfo{"https://rclone.org", "Rclone", version, "rclone", "rclone.exe", desc}
	}
	knownInfo = map[string]versionInfo{
		"bitsadmin.exe":          microsoftInfo("bitsadmin.exe", "BITS administration utility"),
		"taskkill.exe":           microsoftInfo("taskkill.exe", "Terminates Processes"),
		"reg.exe":                microsoftInfo("reg.exe", "Registry Console Tool"),
		"certutil.exe":           microsoftInfo("CertUtil.exe", "CertUtil.exe"),
		"cmd.exe":                microsoftInfo("Cmd.Exe", "Windows Command Processor"),
		"sftp.exe":               microsoftInfo("sftp.exe", "OpenSSH SFTP client"),
		"svchost.exe":            microsoftInfo("svchost.exe", "Host Process for Windows Services"),
		"wermgr.exe":             microsoftInfo("wermgr.exe", "Windows Problem Reporting"),
		"powershell.exe":         microsoftInfo("PowerShell.EXE", "Windows PowerShell"),
		"dllhost.exe":            microsoftInfo("dllhost.exe", "COM Surrogate"),
		"backgroundtaskhost.exe": microsoftInfo("backgroundTaskHost.exe", "Background Task Host"),
		"psexec64.exe":           {"Sysinternals - www.sysinternals.com", "Sysinternals PsExec", "2.43", "PsExec", "psexec.exe", "Execute processes remotely"},
	}
)

// rcloneSHA256 is the SHA256 of rclone v1.61.1 for Windows amd64, as the
// real Packet Cyclone Sysmon events record it.
const rcloneSHA256 = "e94901809ff7cc5168c1e857d4ac9cbb339ca1f6e21dcce95dfb8e28df799961"

// isRcloneName tells whether a file name is rclone's own.
func isRcloneName(name string) bool {
	n := strings.ToLower(name)
	return n == "rclone" || n == "rclone.exe" || strings.HasPrefix(n, "rclone-") && strings.HasSuffix(n, ".exe")
}

// cmdlineEvents puts each line of cmdlines.tsv in a Defender row: the
// line is the ProcessCommandLine, verbatim; the process is the program it
// names, or, for a line in a shell's syntax, the shell that runs it
// (PowerShell for "$x = ...", "&$bin ..." and cmdlets, pwsh on Linux when
// the line uses ./; cmd.exe for Cobalt Strike's "shell" command). A
// renamed rclone that the line names without a path (REvil's svchost.exe)
// sits in C:\Windows and carries no version information (builds before
// v1.53.0 have none); an rclone.exe carries v1.61.1's.
func cmdlineEvents(t testing.TB, tsv string) []*event {
	t.Helper()
	f, err := os.Open(tsv)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []*event
	base := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			t.Fatalf("%s:%d: want cmdline<TAB>is_rclone<TAB>...", tsv, line)
		}
		cmd, label := fields[0], fields[1]
		if label != "yes" && label != "no" {
			t.Fatalf("%s:%d: is_rclone %q, want yes or no", tsv, line, label)
		}
		n := len(out)
		ts := base.Add(time.Duration(n) * 37 * time.Minute)
		e := &event{set: setCmdlines, rclone: label == "yes", origin: fmt.Sprintf("cmdlines.tsv:%d", line)}
		e.cols = processRow(n, ts, cmd, e.rclone)
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// processRow makes the Defender row of one command line.
func processRow(n int, ts time.Time, cmd string, rclone bool) map[string]string {
	args := builtin.SplitWindowsCommandLine(cmd)
	first := ""
	if len(args) > 0 {
		first = args[0]
	}
	user := []string{"jdoe", "asmith", "svc_backup", "mlopez"}[n%4]
	image, parent, grandparent := "", `C:\Windows\explorer.exe`, `C:\Windows\System32\userinit.exe`
	linux := false
	switch {
	case first == "shell":
		image, parent, grandparent = systemTools["cmd.exe"], `C:\Windows\System32\rundll32.exe`, `C:\Windows\explorer.exe`
	case strings.HasPrefix(first, "$") || strings.HasPrefix(first, "&") || psCmdlet.MatchString(first):
		if strings.Contains(cmd, "./") {
			image, parent, grandparent, linux = "/opt/microsoft/powershell/7/pwsh", "/usr/bin/bash", "/usr/sbin/sshd", true
		} else {
			image = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
		}
	case strings.HasPrefix(first, `.\`):
		image = `C:\Users\` + user + `\Downloads\rclone-v1.61.1-windows-amd64\` + first[2:]
		parent = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
	case strings.HasPrefix(first, "./"):
		image, parent, grandparent, linux = "/home/"+user+"/rclone-v1.61.1-linux-amd64/"+first[2:], "/usr/bin/bash", "/usr/sbin/sshd", true
	case strings.ContainsAny(first, `\/`):
		image = first
	default:
		name := first
		if path.Ext(name) == "" {
			name += ".exe"
		}
		switch sys, ok := systemTools[strings.ToLower(name)]; {
		case ok && !rclone:
			image = sys
		case isRcloneName(name):
			image = `C:\Tools\rclone\` + name
		default:
			image = `C:\Windows\` + name // a renamed rclone dropped beside the system's binaries
		}
		parent = systemTools["cmd.exe"]
	}
	sep := `\`
	if linux {
		sep = "/"
	}
	fileName := image[strings.LastIndex(image, sep)+1:]
	info := knownInfo[strings.ToLower(fileName)]
	sha := fakeHash(image)
	if isRcloneName(fileName) {
		sha = rcloneSHA256
		if !linux {
			info = rcloneInfo("1.61.1")
		}
	}
	parentName := parent[strings.LastIndexAny(parent, `\/`)+1:]
	domain := "contoso"
	if linux {
		domain = ""
	}
	return map[string]string{
		"Timestamp":                          ts.Format("2006-01-02T15:04:05.0000000Z"),
		"DeviceId":                           fakeHash("device" + strconv.Itoa(n%5))[:40],
		"DeviceName":                         fmt.Sprintf("fin-ws-%03d.contoso.local", 10+n%5),
		"ActionType":                         "ProcessCreated",
		"FileName":                           fileName,
		"FolderPath":                         image,
		"SHA256":                             sha,
		"ProcessVersionInfoCompanyName":      info.company,
		"ProcessVersionInfoProductName":      info.product,
		"ProcessVersionInfoProductVersion":   info.version,
		"ProcessVersionInfoInternalFileName": info.internal,
		"ProcessVersionInfoOriginalFileName": info.original,
		"ProcessVersionInfoFileDescription":  info.description,
		"ProcessId":                          strconv.Itoa(4000 + 4*n),
		"ProcessCommandLine":                 cmd,
		"ProcessIntegrityLevel":              "Medium",
		"ProcessTokenElevation":              "TokenElevationTypeLimited",
		"ProcessCreationTime":                ts.Format("2006-01-02T15:04:05.0000000Z"),
		"AccountDomain":                      domain,
		"AccountName":                        user,
		"InitiatingProcessAccountDomain":     domain,
		"InitiatingProcessAccountName":       user,
		"InitiatingProcessFileName":          parentName,
		"InitiatingProcessFolderPath":        parent,
		"InitiatingProcessCommandLine":       parentName,
		"InitiatingProcessId":                strconv.Itoa(3000 + 4*n),
		"InitiatingProcessParentFileName":    grandparent[strings.LastIndexAny(grandparent, `\/`)+1:],
	}
}

// fakeHash is a stand-in SHA256 for a binary the data does not describe.
func fakeHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// renamedEvents are rclone binaries under other names with the version
// information of the release they are: the case only that information
// gives away (the first has no arguments at all: its remote and flags
// come from RCLONE_* environment variables and its config file).
func renamedEvents() []*event {
	base := time.Date(2025, 9, 3, 1, 12, 0, 0, time.UTC)
	list := []struct{ image, cmd, version string }{
		{`C:\Users\Public\Libraries\svhost.exe`, `"C:\Users\Public\Libraries\svhost.exe"`, "1.62.2"},
		{`C:\PerfLogs\msupd.exe`, `C:\PerfLogs\msupd.exe lsd remote:`, "1.65.0"},
		{`C:\Windows\Temp\wuauclt.exe`, `C:\Windows\Temp\wuauclt.exe sync D:\Finance s3x:corp-data --transfers 16`, "1.68.2"},
		{`C:\ProgramData\SoftwareDistribution\taskhostw.exe`, `taskhostw.exe --config C:\ProgramData\SoftwareDistribution\tw.conf move E:\Shares\HR ftpx:/upload`, "1.53.3"},
	}
	var out []*event
	for i, r := range list {
		row := processRow(100+i, base.Add(time.Duration(i)*time.Hour), r.cmd, true)
		name := r.image[strings.LastIndex(r.image, `\`)+1:]
		info := rcloneInfo(r.version)
		row["FileName"], row["FolderPath"] = name, r.image
		row["ProcessVersionInfoCompanyName"] = info.company
		row["ProcessVersionInfoProductName"] = info.product
		row["ProcessVersionInfoProductVersion"] = info.version
		row["ProcessVersionInfoInternalFileName"] = info.internal
		row["ProcessVersionInfoOriginalFileName"] = info.original
		row["ProcessVersionInfoFileDescription"] = info.description
		row["SHA256"] = fakeHash("rclone " + r.version)
		row["InitiatingProcessFileName"], row["InitiatingProcessFolderPath"] = "svchost.exe", systemTools["svchost.exe"]
		row["InitiatingProcessParentFileName"] = "services.exe"
		row["AccountDomain"], row["AccountName"] = "nt authority", "system"
		out = append(out, &event{set: setRenamed, rclone: true, origin: fmt.Sprintf("renamed rclone v%s as %s", r.version, name), cols: row})
	}
	return out
}

// ---- Windows event logs (Sysmon Event ID 1, Security 4688) ----

// windowsEvents reads the process-creation events of a JSON or NDJSON
// event log (flat objects, SigmaHQ's {"Event":{"System","EventData"}},
// or a JSON array) and maps each onto DeviceProcessEvents columns. An
// event is labelled rclone when its image or its OriginalFileName is.
func windowsEvents(t testing.TB, p string) []*event {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	dec.UseNumber()
	var out []*event
	add := func(raw map[string]any) {
		ev := flatten(raw)
		cols, ok := mapWindowsEvent(ev)
		if !ok {
			return
		}
		rclone := isRcloneName(cols["FileName"]) || strings.EqualFold(cols["ProcessVersionInfoOriginalFileName"], "rclone.exe")
		set := setBackground
		if rclone {
			set = setReal
		}
		out = append(out, &event{set: set, rclone: rclone, origin: fmt.Sprintf("%s record %s", filepath.Base(p), ev["EventRecordID"]), cols: cols})
	}
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		switch x := v.(type) {
		case []any:
			for _, item := range x {
				if m, ok := item.(map[string]any); ok {
					add(m)
				}
			}
		case map[string]any:
			add(x)
		}
	}
	return out
}

// flatten turns an event into one level of string fields: SigmaHQ's
// {"Event":{"System":{...},"EventData":{...}}} becomes the System fields
// it needs plus EventData's; a flat event stays as it is.
func flatten(raw map[string]any) map[string]string {
	out := map[string]string{}
	put := func(m map[string]any) {
		for k, v := range m {
			switch x := v.(type) {
			case string:
				out[k] = x
			case json.Number:
				out[k] = x.String()
			case nil:
			default:
				if k == "TimeCreated" {
					if m, ok := x.(map[string]any); ok {
						if a, ok := m["#attributes"].(map[string]any); ok {
							out[k], _ = a["SystemTime"].(string)
						}
					}
				}
			}
		}
	}
	if ev, ok := raw["Event"].(map[string]any); ok {
		if sys, ok := ev["System"].(map[string]any); ok {
			put(sys)
		}
		if ed, ok := ev["EventData"].(map[string]any); ok {
			put(ed)
		}
		return out
	}
	put(raw)
	return out
}

// mapWindowsEvent maps a Sysmon Event ID 1 or a Security 4688 event onto
// DeviceProcessEvents columns; other events give false.
func mapWindowsEvent(ev map[string]string) (map[string]string, bool) {
	clean := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	base := func(p string) string { return p[strings.LastIndexAny(p, `\/`)+1:] }
	hexLong := func(s string) string {
		if v, err := strconv.ParseInt(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 64); err == nil && strings.HasPrefix(strings.ToLower(s), "0x") {
			return strconv.FormatInt(v, 10)
		}
		return clean(s)
	}
	when := ev["TimeCreated"]
	if u := ev["UtcTime"]; u != "" {
		if t, err := time.Parse("2006-01-02 15:04:05.000", u); err == nil {
			when = t.Format("2006-01-02T15:04:05.0000000Z")
		}
	}
	c := map[string]string{
		"Timestamp":  when,
		"DeviceName": strings.ToLower(ev["Computer"]),
		"ActionType": "ProcessCreated",
	}
	split := func(user string) (string, string) {
		if d, n, ok := strings.Cut(clean(user), `\`); ok {
			return d, n
		}
		return "", clean(user)
	}
	switch ev["EventID"] {
	case "1":
		if ev["Image"] == "" {
			return nil, false
		}
		c["FolderPath"], c["FileName"] = ev["Image"], base(ev["Image"])
		c["ProcessCommandLine"] = clean(ev["CommandLine"])
		c["ProcessId"] = hexLong(ev["ProcessId"])
		c["ProcessIntegrityLevel"] = clean(ev["IntegrityLevel"])
		c["ProcessVersionInfoCompanyName"] = clean(ev["Company"])
		c["ProcessVersionInfoProductName"] = clean(ev["Product"])
		c["ProcessVersionInfoProductVersion"] = clean(ev["FileVersion"])
		c["ProcessVersionInfoOriginalFileName"] = clean(ev["OriginalFileName"])
		c["ProcessVersionInfoFileDescription"] = clean(ev["Description"])
		for _, h := range strings.Split(ev["Hashes"], ",") {
			if k, v, ok := strings.Cut(h, "="); ok && (k == "SHA256" || k == "SHA1" || k == "MD5") {
				c[k] = strings.ToLower(v)
			}
		}
		c["AccountDomain"], c["AccountName"] = split(ev["User"])
		c["LogonId"] = hexLong(ev["LogonId"])
		if p := clean(ev["ParentImage"]); p != "" {
			c["InitiatingProcessFolderPath"], c["InitiatingProcessFileName"] = p, base(p)
		}
		c["InitiatingProcessCommandLine"] = clean(ev["ParentCommandLine"])
		c["InitiatingProcessId"] = hexLong(ev["ParentProcessId"])
		c["InitiatingProcessAccountDomain"], c["InitiatingProcessAccountName"] = split(ev["ParentUser"])
	case "4688":
		img := clean(ev["NewProcessName"])
		if img == "" {
			return nil, false
		}
		c["FolderPath"], c["FileName"] = img, base(img)
		c["ProcessCommandLine"] = clean(ev["CommandLine"])
		c["ProcessId"] = hexLong(ev["NewProcessId"])
		c["AccountDomain"], c["AccountName"] = clean(ev["SubjectDomainName"]), clean(ev["SubjectUserName"])
		c["AccountSid"] = clean(ev["SubjectUserSid"])
		if p := clean(ev["ParentProcessName"]); p != "" {
			c["InitiatingProcessFolderPath"], c["InitiatingProcessFileName"] = p, base(p)
		}
		c["InitiatingProcessId"] = hexLong(ev["ProcessId"])
	default:
		return nil, false
	}
	return c, true
}

// ---- Defender exports ----

// defenderExportEvents reads a real Defender advanced hunting export (it
// may union several tables) and keeps each row's columns that
// DeviceProcessEvents has, as background.
func defenderExportEvents(t testing.TB, p string) []*event {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	var out []*event
	for i, rec := range recs[1:] {
		cols := map[string]string{}
		for j, name := range recs[0] {
			if j < len(rec) && name != "ReportId" {
				cols[name] = rec[j]
			}
		}
		out = append(out, &event{set: setBackground, origin: fmt.Sprintf("%s:%d", filepath.Base(p), i+2), cols: cols})
	}
	return out
}
