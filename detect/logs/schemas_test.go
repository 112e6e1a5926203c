package logs

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"offhunt/detect/data"
)

func TestSchemasAreWellFormed(t *testing.T) {
	known := KnownTables()
	if len(known) != len(TableNames()) {
		t.Fatalf("KnownTables has %d tables, TableNames %d", len(known), len(TableNames()))
	}
	for _, name := range TableNames() {
		cols, ok := known[name]
		if !ok {
			t.Fatalf("%s missing from KnownTables", name)
		}
		seen := map[string]bool{}
		for _, c := range cols {
			if seen[c.Name] {
				t.Errorf("%s: column %s declared twice", name, c.Name)
			}
			seen[c.Name] = true
			if c.Type == data.Unknown {
				t.Errorf("%s.%s has no type", name, c.Name)
			}
		}
		spec := lookupTable(name)
		for _, group := range spec.keys {
			for _, k := range group {
				if !seen[k] {
					t.Errorf("%s: key column %s is not a column", name, k)
				}
			}
		}
		// Every timed Device* table has both time columns, so that
		// Defender and Sentinel queries both bind.
		if strings.HasPrefix(name, "Device") && name != "DeviceTvmSoftwareInventory" {
			for _, want := range []string{"Timestamp", "TimeGenerated"} {
				if !seen[want] {
					t.Errorf("%s has no %s", name, want)
				}
			}
		}
	}
}

func TestSchemaCopiesAreTheCallers(t *testing.T) {
	a, _ := Schema("DeviceProcessEvents")
	a[0].Name = "changed"
	b, _ := Schema("DeviceProcessEvents")
	if b[0].Name != "Timestamp" {
		t.Fatalf("Schema returned shared storage: %q", b[0].Name)
	}
	if _, ok := Schema("deviceprocessevents"); ok {
		t.Error("table names are case-sensitive, as in Kusto")
	}
}

// TestSchemaTypes pins the columns whose types hunting queries depend on.
func TestSchemaTypes(t *testing.T) {
	cases := []struct {
		table, column string
		want          data.Type
	}{
		{"DeviceProcessEvents", "Timestamp", data.DateTime},
		{"DeviceProcessEvents", "TimeGenerated", data.DateTime},
		{"DeviceProcessEvents", "ProcessId", data.Long},
		{"DeviceProcessEvents", "FileSize", data.Long},
		{"DeviceProcessEvents", "ProcessCreationTime", data.DateTime},
		{"DeviceProcessEvents", "InitiatingProcessParentFileName", data.String},
		{"DeviceProcessEvents", "ReportId", data.Long},
		{"DeviceProcessEvents", "AdditionalFields", data.Dynamic},
		{"DeviceProcessEvents", "IsProcessRemoteSession", data.Bool},
		{"DeviceNetworkEvents", "RemotePort", data.Int},
		{"DeviceNetworkEvents", "RemoteUrl", data.String},
		{"DeviceFileEvents", "FileOriginUrl", data.String},
		{"DeviceFileEvents", "IsAzureInfoProtectionApplied", data.Bool},
		{"DeviceEvents", "RegistryKey", data.String},
		{"DeviceImageLoadEvents", "InitiatingProcessId", data.Long},
		{"DeviceTvmSoftwareInventory", "SoftwareVersion", data.String},
		{"DeviceTvmSoftwareInventory", "EndOfSupportDate", data.DateTime},
		{"SecurityEvent", "TimeGenerated", data.DateTime},
		{"SecurityEvent", "EventID", data.Int},
		{"SecurityEvent", "ProcessId", data.String},
		{"SecurityEvent", "NewProcessId", data.String},
		{"SecurityEvent", "CommandLine", data.String},
		{"SecurityEvent", "NewProcessName", data.String},
		{"SecurityEvent", "ParentProcessName", data.String},
		{"SecurityEvent", "Process", data.String},
		{"SecurityEvent", "Account", data.String},
		{"SecurityEvent", "AccountType", data.String},
		{"SecurityEvent", "Activity", data.String},
		{"SecurityEvent", "SubjectUserName", data.String},
		{"SecurityEvent", "SubjectDomainName", data.String},
		{"SecurityEvent", "SubjectLogonId", data.String},
		{"SecurityEvent", "TargetUserName", data.String},
		{"SecurityEvent", "TokenElevationType", data.String},
		{"SecurityEvent", "MandatoryLabel", data.String},
		{"SecurityEvent", "EventData", data.String},
		{"SecurityEvent", "LogonType", data.Int},
		{"Event", "EventID", data.Int},
		{"Event", "EventLevel", data.Int},
		{"Event", "EventLevelName", data.String},
		{"Event", "Source", data.String},
		{"Event", "EventLog", data.String},
		{"Event", "UserName", data.String},
		{"Event", "RenderedDescription", data.String},
		{"Event", "EventData", data.String},
		{"Event", "ParameterXml", data.String},
		{"Event", "TimeGenerated", data.DateTime},
	}
	for _, c := range cases {
		cols, ok := Schema(c.table)
		if !ok {
			t.Errorf("no table %s", c.table)
			continue
		}
		i := data.ColumnIndex(cols, c.column)
		if i < 0 {
			t.Errorf("%s has no column %s", c.table, c.column)
			continue
		}
		if cols[i].Type != c.want {
			t.Errorf("%s.%s is %s, want %s", c.table, c.column, cols[i].Type, c.want)
		}
	}
}

func TestMatchTable(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   string
	}{
		{"defender process export", "Timestamp,DeviceName,FileName,ProcessCommandLine,AccountName", "DeviceProcessEvents"},
		{"sentinel process export", "TimeGenerated,DeviceName,FileName,ProcessCommandLine", "DeviceProcessEvents"},
		{"a query's own columns", "Timestamp,DeviceName,FileName,ProcessCommandLine,FolderPath,Count", "DeviceProcessEvents"},
		{"too many foreign columns", "Timestamp,FileName,ProcessCommandLine,a,b", ""},
		{"no command line", "Timestamp,DeviceName,FileName,FolderPath,InitiatingProcessCommandLine", "DeviceFileEvents"},
		{"file events", "Timestamp,DeviceName,ActionType,FileName,FolderPath,PreviousFileName,FileOriginUrl", "DeviceFileEvents"},
		{"network events", "Timestamp,DeviceName,RemoteIP,RemotePort,RemoteUrl,InitiatingProcessFileName", "DeviceNetworkEvents"},
		{"registry events fall to DeviceEvents", "Timestamp,DeviceName,ActionType,RegistryKey,RegistryValueName", "DeviceEvents"},
		{"software inventory", "DeviceId,DeviceName,SoftwareVendor,SoftwareName,SoftwareVersion", "DeviceTvmSoftwareInventory"},
		{"4688", "TimeGenerated,Computer,EventID,Account,NewProcessName,CommandLine,ParentProcessName", "SecurityEvent"},
		{"windows event log", "TimeGenerated,Computer,EventID,Source,EventLog,RenderedDescription,EventData", "Event"},
		{"no time column", "DeviceName,FileName,ProcessCommandLine", ""},
		{"unrelated", "a,b,c", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cols []string
			if c.header != "" {
				cols = strings.Split(c.header, ",")
			}
			got, ok := MatchTable(cols)
			if got != c.want || ok != (c.want != "") {
				t.Errorf("MatchTable(%s) = %q, %v; want %q", c.header, got, ok, c.want)
			}
		})
	}
}

// sharedDir returns the shared folder beside the checkout (../shared from
// the repository root). Tests that need it skip when it is absent, except
// under CI, where its absence is a failure.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("../shared is missing beside the checkout: %v", err)
		}
		t.Skipf("skipping: ../shared is not beside the checkout (%v)", err)
	}
	return shared
}

// TestCorpusTablesAreKnown checks that every table the community hunting
// queries read has a schema, so that those queries can bind. ASIM parsers
// (im*) are functions over other tables, not tables.
func TestCorpusTablesAreKnown(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedDir(t), "kql", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := KnownTables()
	sc := bufio.NewScanner(f)
	rows := 0
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 5 || !strings.HasSuffix(strings.Trim(strings.TrimSpace(cells[1]), "`"), ".kql") {
			continue
		}
		rows++
		for _, table := range strings.Fields(cells[3]) {
			if strings.HasPrefix(table, "im") {
				continue
			}
			if _, ok := known[table]; !ok {
				t.Errorf("%s reads table %s, which has no schema", strings.TrimSpace(cells[1]), table)
			}
		}
	}
	if rows == 0 {
		t.Fatal("found no query rows in kql/README.md")
	}
	if !slices.Contains(TableNames(), "DeviceProcessEvents") {
		t.Fatal("DeviceProcessEvents is not known")
	}
}
