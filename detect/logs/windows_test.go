package logs

import (
	"strings"
	"testing"

	"offhunt/detect/data"
)

// dpeColumns are the mapped columns the tests below compare.
var dpeColumns = []string{"Timestamp", "DeviceName", "ActionType", "FileName", "FolderPath", "ProcessCommandLine", "ProcessId",
	"AccountDomain", "AccountName", "SHA256", "ProcessVersionInfoOriginalFileName", "InitiatingProcessFileName",
	"InitiatingProcessCommandLine", "InitiatingProcessId", "ProcessIntegrityLevel", "LogonId"}

// mappedRow renders the mapped columns of the first DeviceProcessEvents row.
func mappedRow(t *testing.T, in *Input) string {
	t.Helper()
	src := table(t, in, "DeviceProcessEvents")
	rows := scanAll(t, src, nil)
	if len(rows) == 0 {
		t.Fatal("no DeviceProcessEvents rows")
	}
	var out []string
	for _, c := range dpeColumns {
		v := col(t, src, rows[0], c)
		s := data.ToString(v)
		if v.K == data.KDateTime {
			s = data.FormatDateTime(v.I)
		}
		out = append(out, c+"="+s)
	}
	return strings.Join(out, "\n")
}

const sysmonWant = `Timestamp=2023-02-24T15:35:07.336Z
DeviceName=DESKTOP-1
ActionType=ProcessCreated
FileName=rclone.exe
FolderPath=C:\Temp\rclone.exe
ProcessCommandLine="C:\Temp\rclone.exe" copy C:\data remote:x -v
ProcessId=5480
AccountDomain=DESKTOP-1
AccountName=wade
SHA256=e94901809ff7cc5168c1e857d4ac9cbb339ca1f6e21dcce95dfb8e28df799961
ProcessVersionInfoOriginalFileName=rclone.exe
InitiatingProcessFileName=powershell.exe
InitiatingProcessCommandLine=powershell.exe -nop
InitiatingProcessId=6428
ProcessIntegrityLevel=Medium
LogonId=1193454`

// TestWindowsShapes reads one Sysmon process creation in every shape
// Windows events come in, and checks that all map to the same row.
func TestWindowsShapes(t *testing.T) {
	const fields = `"UtcTime": "2023-02-24 15:35:07.336", "ProcessGuid": "{10da3e43-da1b-63f8-5d01-000000000900}", "ProcessId": "5480",
"Image": "C:\\Temp\\rclone.exe", "FileVersion": "1.61.1", "Description": "Rsync for cloud storage", "Product": "Rclone", "Company": "https://rclone.org",
"OriginalFileName": "rclone.exe", "CommandLine": "\"C:\\Temp\\rclone.exe\" copy C:\\data remote:x -v", "CurrentDirectory": "C:\\Temp\\",
"User": "DESKTOP-1\\wade", "LogonGuid": "{10da3e43-6537-63f9-ee35-120000000000}", "LogonId": "0x1235ee", "TerminalSessionId": "1", "IntegrityLevel": "Medium",
"Hashes": "SHA256=E94901809FF7CC5168C1E857D4AC9CBB339CA1F6E21DCCE95DFB8E28DF799961", "ParentProcessGuid": "{10da3e43-d9ee-63f8-4801-000000000900}",
"ParentProcessId": "6428", "ParentImage": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "ParentCommandLine": "powershell.exe -nop", "ParentUser": "DESKTOP-1\\wade"`
	xmlData := ""
	for _, kv := range strings.Split(fields, ",\n") {
		for _, f := range strings.Split(kv, `", "`) {
			k, v, _ := strings.Cut(strings.Trim(f, "\" \n"), `": "`)
			v = strings.ReplaceAll(strings.ReplaceAll(v, `\\`, `\`), `\"`, `&quot;`)
			xmlData += `<Data Name=\"` + k + `\">` + strings.ReplaceAll(v, `\`, `\\`) + `</Data>`
		}
	}
	cases := []struct{ name, content, format string }{
		{"python-evtx flat", `{"EventID": 1, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2023-02-24T15:35:07.340000Z", "EventRecordID": "7", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "DESKTOP-1", "RuleName": "-", ` + strings.ReplaceAll(fields, "\n", " ") + "}\n" +
			`{"EventID": 5, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2023-02-24T15:36:00Z", "Computer": "DESKTOP-1", "UtcTime": "2023-02-24 15:36:00.000", "Image": "C:\\Temp\\rclone.exe"}` + "\n", "ndjson, windows events"},
		{"nested Event", `{"Event": {"#attributes": {"xmlns": "x"}, "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F"}}, "EventID": 1, "TimeCreated": {"#attributes": {"SystemTime": "2023-02-24T15:35:07.340000Z"}}, "Computer": "DESKTOP-1", "Channel": "Microsoft-Windows-Sysmon/Operational"}, "EventData": {` + fields + `}}, "_source_file": "a.json"}`, "json, windows events"},
		{"velociraptor", "{\n \"System\": {\n  \"Provider\": {\"Name\": \"Microsoft-Windows-Sysmon\"},\n  \"EventID\": {\"Value\": 1},\n  \"TimeCreated\": {\"SystemTime\": 1677252907.34},\n  \"Computer\": \"DESKTOP-1\"\n },\n \"EventData\": {" + fields + "},\n \"Message\": \"\"\n}{\n \"System\": {\"EventID\": {\"Value\": 5}, \"Provider\": {\"Name\": \"Microsoft-Windows-Sysmon\"}, \"Computer\": \"DESKTOP-1\", \"TimeCreated\": {\"SystemTime\": 1677252960}},\n \"EventData\": {\"Image\": \"C:\\\\Temp\\\\rclone.exe\"}\n}\n", "json, windows events"},
		{"OTRF with EventData as XML", `{"EventSourceName": "Microsoft-Windows-Sysmon", "Provider": "Microsoft-Windows-Sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "DESKTOP-1", "TimeCreated": "2023-02-24T15:35:07.340Z", "EventID": 1, "Image": "C:\\Temp\\rclone.exe", "EventData": "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">` + xmlData + `</EventData>"}`, "ndjson, windows events"},
		{"event XML", `<?xml version="1.0" encoding="utf-8"?>
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f}"></Provider>
<EventID Qualifiers="">1</EventID>
<TimeCreated SystemTime="2023-02-24 15:35:07.340000"></TimeCreated>
<Channel>Microsoft-Windows-Sysmon/Operational</Channel>
<Computer>DESKTOP-1</Computer>
</System>
<EventData>` + strings.ReplaceAll(strings.ReplaceAll(xmlData, `\"`, `"`), `\\`, `\`) + `</EventData>
</Event>
</Events>`, "windows event xml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := mustOpen(t, "sysmon.json", c.content)
			want := sysmonWant
			if got := mappedRow(t, in); got != want {
				t.Errorf("mapped row\n got %s\nwant %s", got, want)
			}
			rep := in.Report()
			if rep.Format != c.format || rep.Schema != "DeviceProcessEvents" || rep.BadRows != 0 {
				t.Errorf("report %+v", rep)
			}
			// The original fields stay columns.
			src := table(t, in, "DeviceProcessEvents")
			for _, orig := range []string{"Image", "User", "Hashes", "ParentImage", "EventID", "Computer"} {
				if data.ColumnIndex(src.Columns(), orig) < 0 {
					t.Errorf("no original column %s", orig)
				}
			}
		})
	}
}

// TestWindowsNotProcess checks that events other than process creations
// stay out of DeviceProcessEvents, stay in the input's stem table, and
// are named in the report.
func TestWindowsNotProcess(t *testing.T) {
	in := mustOpen(t, "sysmon_all.ndjson", `{"EventID": 5, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2023-02-24T15:36:00Z", "Computer": "pc", "Image": "C:\\a.exe"}
{"EventID": 1, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2023-02-24T15:36:01Z", "Computer": "pc", "Image": "C:\\b.exe", "CommandLine": "b"}
{"EventID": 3, "Provider": "Microsoft-Windows-Sysmon", "TimeCreated": "2023-02-24T15:36:02Z", "Computer": "pc", "Image": "C:\\b.exe"}
`)
	if got := rowsText(t, table(t, in, "DeviceProcessEvents"), "FileName", "ActionType", LineColumn); got != "b.exe|ProcessCreated|2" {
		t.Errorf("DeviceProcessEvents %q", got)
	}
	if got := rowsText(t, in.StemSource(), "EventID", "FileName", "ActionType"); got != "5|a.exe|\n1|b.exe|ProcessCreated\n3|b.exe|" {
		t.Errorf("stem %q", got)
	}
	if in.StemSource().Name() != "sysmon_all" {
		t.Errorf("stem name %q", in.StemSource().Name())
	}
	rep := report(t, in)
	if rep.Rows != 3 || len(rep.Notices) != 1 || !strings.Contains(rep.Notices[0], "2 of 3 events are not process creations (Sysmon 3: 1, Sysmon 5: 1)") {
		t.Errorf("report %+v", rep)
	}
	if data.FormatDateTime(rep.First) != "2023-02-24T15:36:00Z" || data.FormatDateTime(rep.Last) != "2023-02-24T15:36:02Z" {
		t.Errorf("time range %+v", rep)
	}
}

// Test4688 maps a Security 4688 event: the creator is the initiating
// process (its ProcessId), the new process is NewProcessName/NewProcessId,
// the subject is the account, "-" is empty.
func Test4688(t *testing.T) {
	in := mustOpen(t, "sec.ndjson", `{"EventID": 4688, "Provider": "Microsoft-Windows-Security-Auditing", "TimeCreated": "2023-02-02T19:55:19.702669Z", "Channel": "Security", "Computer": "WIN-2B", "SubjectUserSid": "S-1-5-18", "SubjectUserName": "WIN-2B$", "SubjectDomainName": "WORKGROUP", "SubjectLogonId": "0x3e7", "NewProcessId": "0x0000000000000150", "NewProcessName": "C:\\Windows\\System32\\smss.exe", "TokenElevationType": "%%1936", "ProcessId": "0x0000000000000004", "CommandLine": null, "TargetUserSid": "S-1-0-0", "TargetUserName": "-", "TargetDomainName": "-", "TargetLogonId": "0x0", "ParentProcessName": "-", "MandatoryLabel": "S-1-16-16384"}`)
	src := table(t, in, "DeviceProcessEvents")
	got := rowsText(t, src, "Timestamp", "DeviceName", "FileName", "FolderPath", "ProcessId", "InitiatingProcessId", "AccountName", "AccountDomain",
		"AccountSid", "LogonId", "ProcessIntegrityLevel", "ProcessTokenElevation", "InitiatingProcessFileName", "ProcessCommandLine", "ProcessCreationTime")
	want := `2023-02-02T19:55:19.7026690Z|WIN-2B|smss.exe|C:\Windows\System32\smss.exe|336|4|WIN-2B$|WORKGROUP|S-1-5-18|999|System|TokenElevationTypeDefault|||2023-02-02T19:55:19.7026690Z`
	if got != want {
		t.Errorf("row\n got %s\nwant %s", got, want)
	}
	if rep := in.Report(); rep.BadRows != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestECS maps Elastic Common Schema process events (winlogbeat, Elastic
// Defend), nested or with dotted names.
func TestECS(t *testing.T) {
	in := mustOpen(t, "ecs.ndjson", `{"@timestamp":"2025-09-07T12:00:00.123Z","ecs":{"version":"8.11"},"host":{"name":"ws1.contoso.local","id":"h1"},"event":{"category":["process"],"type":["start"],"action":"start"},"process":{"pid":4242,"name":"rclone.exe","executable":"C:\\Users\\Public\\rclone.exe","command_line":"rclone.exe copy C:\\data mega:x","pe":{"original_file_name":"rclone.exe","product":"Rclone"},"hash":{"sha256":"ABCDEF"},"parent":{"pid":100,"name":"cmd.exe","executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd.exe /c run.bat"}},"user":{"name":"jdoe","domain":"CONTOSO"}}
{"@timestamp":"2025-09-07T12:00:01Z","host":{"name":"ws1"},"event":{"category":["network"],"type":["connection"]},"process":{"pid":4242,"name":"rclone.exe"}}
{"@timestamp":"2025-09-07T12:00:02Z","host.name":"ws2","process.name":"cmd.exe","process.command_line":"cmd /c dir","user.name":"CONTOSO\\adm"}
`)
	src := table(t, in, "DeviceProcessEvents")
	got := rowsText(t, src, "Timestamp", "DeviceName", "DeviceId", "FileName", "FolderPath", "ProcessCommandLine", "ProcessId", "ProcessVersionInfoOriginalFileName",
		"SHA256", "InitiatingProcessFileName", "InitiatingProcessCommandLine", "InitiatingProcessId", "AccountName", "AccountDomain")
	want := "2025-09-07T12:00:00.1230000Z|ws1.contoso.local|h1|rclone.exe|C:\\Users\\Public\\rclone.exe|rclone.exe copy C:\\data mega:x|4242|rclone.exe|abcdef|cmd.exe|cmd.exe /c run.bat|100|jdoe|CONTOSO\n" +
		"2025-09-07T12:00:02.0000000Z|ws2||cmd.exe||cmd /c dir|||||||adm|CONTOSO"
	if got != want {
		t.Errorf("rows\n got %s\nwant %s", got, want)
	}
	rep := report(t, in)
	if rep.Format != "ndjson, ecs" || rep.Rows != 3 || len(rep.Notices) != 1 || !strings.Contains(rep.Notices[0], "1 of 3 events") {
		t.Errorf("report %+v", rep)
	}
	// The ECS objects stay columns, so `process.command_line` works on them.
	if i := data.ColumnIndex(src.Columns(), "process"); i < 0 || src.Columns()[i].Type != data.Dynamic {
		t.Errorf("columns %s", colTypes(src.Columns()))
	}
}

// TestMappingTable checks that the mapping's targets are columns of
// DeviceProcessEvents and that every conversion has a name.
func TestMappingTable(t *testing.T) {
	schema, _ := Schema("DeviceProcessEvents")
	for _, r := range Mapping() {
		if data.ColumnIndex(schema, r.Column) < 0 {
			t.Errorf("%s maps to %s, which is not a DeviceProcessEvents column", r.Field, r.Column)
		}
		if r.Conversion == "" || r.Source == "?" {
			t.Errorf("rule %+v", r)
		}
	}
}
