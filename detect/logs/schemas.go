package logs

import (
	"slices"

	"offhunt/detect/data"
)

// The schemas below are Microsoft's, column for column, so that a hunting
// query written for Defender XDR or Sentinel finds the names and types it
// expects. Sources: the advanced hunting schema reference of Defender XDR
// (defender-xdr/advanced-hunting-<table>-table) and the Azure Monitor Logs
// table reference (azure-monitor-ref/tables/<table>). Where the two differ,
// the Defender order comes first and the Sentinel-only columns (TimeGenerated,
// TenantId, SourceSystem, MachineGroup, Type) follow; Sentinel's hidden
// billing columns (_BilledSize, _IsBillable, ...) are left out.
//
// AdditionalFields is dynamic as in Sentinel (Defender's reference says
// string, but holds JSON): queries use both AdditionalFields.Key and
// parse_json(AdditionalFields), and a dynamic column serves both.

// tableSpec declares one known table: its columns, and the key columns an
// export must carry before it is taken for that table.
type tableSpec struct {
	name string
	// keys are groups of alternatives: every group needs one of its
	// names in the header ({"Timestamp", "TimeGenerated"} and so on).
	keys    [][]string
	columns []colSpec
}

// colSpec is a column declaration. It is local (not data.Column) only so
// that the declarations below can stay one short line each.
type colSpec struct {
	name string
	typ  data.Type
}

func str(name string) colSpec  { return colSpec{name, data.String} }
func long(name string) colSpec { return colSpec{name, data.Long} }
func i32(name string) colSpec  { return colSpec{name, data.Int} }
func date(name string) colSpec { return colSpec{name, data.DateTime} }
func flag(name string) colSpec { return colSpec{name, data.Bool} }
func dyn(name string) colSpec  { return colSpec{name, data.Dynamic} }
func guid(name string) colSpec { return colSpec{name, data.Guid} }

// eventTime is the key of every timed Device* table: Defender exports
// carry Timestamp and Sentinel's copies TimeGenerated.
var eventTime = []string{"Timestamp", "TimeGenerated"}

// sentinelDeviceColumns are the columns Sentinel adds to the Device* tables
// it ingests from Defender XDR.
var sentinelDeviceColumns = []colSpec{
	date("TimeGenerated"), str("TenantId"), str("SourceSystem"), str("MachineGroup"), str("Type"),
}

// initiatingProcessSession are the remote-session columns Defender added to
// the Device* event tables.
var initiatingProcessSession = []colSpec{
	long("InitiatingProcessSessionId"),
	flag("IsInitiatingProcessRemoteSession"),
	str("InitiatingProcessRemoteSessionDeviceName"),
	str("InitiatingProcessRemoteSessionIP"),
}

// knownTables lists the tables in the order in which they win a tie when
// an export fits several equally well: process events first, since they
// are what offhunt is for, and the catch-all DeviceEvents after the
// specific tables.
var knownTables = []tableSpec{
	{
		name: "DeviceProcessEvents",
		keys: [][]string{eventTime, {"FileName"}, {"ProcessCommandLine"}},
		columns: join([]colSpec{
			date("Timestamp"), str("DeviceId"), str("DeviceName"), str("ActionType"),
			str("FileName"), str("FolderPath"), str("SHA1"), str("SHA256"), str("MD5"), long("FileSize"),
			str("ProcessVersionInfoCompanyName"), str("ProcessVersionInfoProductName"),
			str("ProcessVersionInfoProductVersion"), str("ProcessVersionInfoInternalFileName"),
			str("ProcessVersionInfoOriginalFileName"), str("ProcessVersionInfoFileDescription"),
			long("ProcessId"), str("ProcessCommandLine"), str("ProcessIntegrityLevel"),
			str("ProcessTokenElevation"), date("ProcessCreationTime"),
			str("AccountDomain"), str("AccountName"), str("AccountSid"), str("AccountUpn"),
			str("AccountObjectId"), long("LogonId"),
			str("InitiatingProcessAccountDomain"), str("InitiatingProcessAccountName"),
			str("InitiatingProcessAccountSid"), str("InitiatingProcessAccountUpn"),
			str("InitiatingProcessAccountObjectId"), long("InitiatingProcessLogonId"),
			str("InitiatingProcessIntegrityLevel"), str("InitiatingProcessTokenElevation"),
			str("InitiatingProcessSHA1"), str("InitiatingProcessSHA256"), str("InitiatingProcessMD5"),
			str("InitiatingProcessFileName"), long("InitiatingProcessFileSize"),
			str("InitiatingProcessVersionInfoCompanyName"), str("InitiatingProcessVersionInfoProductName"),
			str("InitiatingProcessVersionInfoProductVersion"), str("InitiatingProcessVersionInfoInternalFileName"),
			str("InitiatingProcessVersionInfoOriginalFileName"), str("InitiatingProcessVersionInfoFileDescription"),
			long("InitiatingProcessId"), str("InitiatingProcessCommandLine"),
			date("InitiatingProcessCreationTime"), str("InitiatingProcessFolderPath"),
			long("InitiatingProcessParentId"), str("InitiatingProcessParentFileName"),
			date("InitiatingProcessParentCreationTime"),
			str("InitiatingProcessSignerType"), str("InitiatingProcessSignatureStatus"),
			long("ReportId"), str("AppGuardContainerId"), dyn("AdditionalFields"),
		}, initiatingProcessSession, []colSpec{
			long("CreatedProcessSessionId"), flag("IsProcessRemoteSession"),
			str("ProcessRemoteSessionDeviceName"), str("ProcessRemoteSessionIP"),
			str("ProcessUniqueId"), str("InitiatingProcessUniqueId"),
		}, sentinelDeviceColumns),
	},
	{
		name: "DeviceNetworkEvents",
		keys: [][]string{eventTime, {"RemoteIP"}, {"RemotePort"}},
		columns: join([]colSpec{
			date("Timestamp"), str("DeviceId"), str("DeviceName"), str("ActionType"),
			str("RemoteIP"), i32("RemotePort"), str("RemoteUrl"), str("LocalIP"), i32("LocalPort"),
			str("Protocol"), str("LocalIPType"), str("RemoteIPType"),
			str("InitiatingProcessSHA1"), str("InitiatingProcessSHA256"), str("InitiatingProcessMD5"),
			str("InitiatingProcessFileName"), long("InitiatingProcessFileSize"),
			str("InitiatingProcessVersionInfoCompanyName"), str("InitiatingProcessVersionInfoProductName"),
			str("InitiatingProcessVersionInfoProductVersion"), str("InitiatingProcessVersionInfoInternalFileName"),
			str("InitiatingProcessVersionInfoOriginalFileName"), str("InitiatingProcessVersionInfoFileDescription"),
			long("InitiatingProcessId"), str("InitiatingProcessCommandLine"),
			date("InitiatingProcessCreationTime"), str("InitiatingProcessFolderPath"),
			str("InitiatingProcessParentFileName"), long("InitiatingProcessParentId"),
			date("InitiatingProcessParentCreationTime"),
			str("InitiatingProcessAccountDomain"), str("InitiatingProcessAccountName"),
			str("InitiatingProcessAccountSid"), str("InitiatingProcessAccountUpn"),
			str("InitiatingProcessAccountObjectId"),
			str("InitiatingProcessIntegrityLevel"), str("InitiatingProcessTokenElevation"),
			long("ReportId"), str("AppGuardContainerId"), dyn("AdditionalFields"),
		}, initiatingProcessSession, []colSpec{
			str("InitiatingProcessUniqueId"),
		}, sentinelDeviceColumns),
	},
	{
		name: "DeviceFileEvents",
		keys: [][]string{eventTime, {"FileName"}, {"FolderPath"}},
		columns: join([]colSpec{
			date("Timestamp"), str("DeviceId"), str("DeviceName"), str("ActionType"),
			str("FileName"), str("FolderPath"), str("SHA1"), str("SHA256"), str("MD5"),
			str("FileOriginUrl"), str("FileOriginReferrerUrl"), str("FileOriginIP"),
			str("PreviousFolderPath"), str("PreviousFileName"), long("FileSize"),
			str("InitiatingProcessAccountDomain"), str("InitiatingProcessAccountName"),
			str("InitiatingProcessAccountSid"), str("InitiatingProcessAccountUpn"),
			str("InitiatingProcessAccountObjectId"),
			str("InitiatingProcessMD5"), str("InitiatingProcessSHA1"), str("InitiatingProcessSHA256"),
			str("InitiatingProcessFolderPath"), str("InitiatingProcessFileName"),
			long("InitiatingProcessFileSize"),
			str("InitiatingProcessVersionInfoCompanyName"), str("InitiatingProcessVersionInfoProductName"),
			str("InitiatingProcessVersionInfoProductVersion"), str("InitiatingProcessVersionInfoInternalFileName"),
			str("InitiatingProcessVersionInfoOriginalFileName"), str("InitiatingProcessVersionInfoFileDescription"),
			long("InitiatingProcessId"), str("InitiatingProcessCommandLine"),
			date("InitiatingProcessCreationTime"),
			str("InitiatingProcessIntegrityLevel"), str("InitiatingProcessTokenElevation"),
			long("InitiatingProcessParentId"), str("InitiatingProcessParentFileName"),
			date("InitiatingProcessParentCreationTime"),
			str("RequestProtocol"), str("RequestSourceIP"), i32("RequestSourcePort"),
			str("RequestAccountName"), str("RequestAccountDomain"), str("RequestAccountSid"),
			str("ShareName"), str("SensitivityLabel"), str("SensitivitySubLabel"),
			flag("IsAzureInfoProtectionApplied"),
			long("ReportId"), str("AppGuardContainerId"), dyn("AdditionalFields"),
		}, initiatingProcessSession, []colSpec{
			str("InitiatingProcessUniqueId"),
		}, sentinelDeviceColumns),
	},
	{
		name: "DeviceImageLoadEvents",
		keys: [][]string{eventTime, {"FileName"}, {"FolderPath"}},
		columns: join([]colSpec{
			date("Timestamp"), str("DeviceId"), str("DeviceName"), str("ActionType"),
			str("FileName"), str("FolderPath"), str("SHA1"), str("SHA256"), str("MD5"), long("FileSize"),
			str("InitiatingProcessAccountDomain"), str("InitiatingProcessAccountName"),
			str("InitiatingProcessAccountSid"), str("InitiatingProcessAccountUpn"),
			str("InitiatingProcessAccountObjectId"),
			str("InitiatingProcessIntegrityLevel"), str("InitiatingProcessTokenElevation"),
			str("InitiatingProcessSHA1"), str("InitiatingProcessSHA256"), str("InitiatingProcessMD5"),
			str("InitiatingProcessFileName"), long("InitiatingProcessFileSize"),
			str("InitiatingProcessVersionInfoCompanyName"), str("InitiatingProcessVersionInfoProductName"),
			str("InitiatingProcessVersionInfoProductVersion"), str("InitiatingProcessVersionInfoInternalFileName"),
			str("InitiatingProcessVersionInfoOriginalFileName"), str("InitiatingProcessVersionInfoFileDescription"),
			long("InitiatingProcessId"), str("InitiatingProcessCommandLine"),
			date("InitiatingProcessCreationTime"), str("InitiatingProcessFolderPath"),
			long("InitiatingProcessParentId"), str("InitiatingProcessParentFileName"),
			date("InitiatingProcessParentCreationTime"),
			long("ReportId"), str("AppGuardContainerId"),
		}, initiatingProcessSession, []colSpec{
			str("InitiatingProcessUniqueId"),
		}, sentinelDeviceColumns),
	},
	{
		name: "DeviceEvents",
		keys: [][]string{eventTime, {"ActionType"}},
		columns: join([]colSpec{
			date("Timestamp"), str("DeviceId"), str("DeviceName"), str("ActionType"),
			str("FileName"), str("FolderPath"), str("SHA1"), str("SHA256"), str("MD5"), long("FileSize"),
			str("AccountDomain"), str("AccountName"), str("AccountSid"),
			str("RemoteUrl"), str("RemoteDeviceName"),
			long("ProcessId"), str("ProcessCommandLine"), date("ProcessCreationTime"),
			str("ProcessTokenElevation"), long("LogonId"),
			str("RegistryKey"), str("RegistryValueName"), str("RegistryValueData"),
			str("RemoteIP"), i32("RemotePort"), str("LocalIP"), i32("LocalPort"),
			str("FileOriginUrl"), str("FileOriginIP"),
			str("InitiatingProcessSHA1"), str("InitiatingProcessSHA256"), str("InitiatingProcessMD5"),
			str("InitiatingProcessFileName"), long("InitiatingProcessFileSize"),
			str("InitiatingProcessFolderPath"), long("InitiatingProcessId"),
			str("InitiatingProcessCommandLine"), date("InitiatingProcessCreationTime"),
			str("InitiatingProcessAccountDomain"), str("InitiatingProcessAccountName"),
			str("InitiatingProcessAccountSid"), str("InitiatingProcessAccountUpn"),
			str("InitiatingProcessAccountObjectId"),
			str("InitiatingProcessVersionInfoCompanyName"), str("InitiatingProcessVersionInfoProductName"),
			str("InitiatingProcessVersionInfoProductVersion"), str("InitiatingProcessVersionInfoInternalFileName"),
			str("InitiatingProcessVersionInfoOriginalFileName"), str("InitiatingProcessVersionInfoFileDescription"),
			long("InitiatingProcessParentId"), str("InitiatingProcessParentFileName"),
			date("InitiatingProcessParentCreationTime"), long("InitiatingProcessLogonId"),
			long("ReportId"), str("AppGuardContainerId"), dyn("AdditionalFields"),
		}, initiatingProcessSession, []colSpec{
			long("CreatedProcessSessionId"), flag("IsProcessRemoteSession"),
			str("ProcessRemoteSessionDeviceName"), str("ProcessRemoteSessionIP"),
		}, sentinelDeviceColumns),
	},
	{
		// DeviceTvmSoftwareInventory is an inventory, not events: it has
		// no time column and Sentinel does not ingest it.
		name: "DeviceTvmSoftwareInventory",
		keys: [][]string{{"SoftwareName"}, {"SoftwareVersion"}},
		columns: []colSpec{
			str("DeviceId"), str("DeviceName"), str("OSPlatform"), str("OSVersion"),
			str("OSArchitecture"), str("SoftwareVendor"), str("SoftwareName"), str("SoftwareVersion"),
			str("EndOfSupportStatus"), date("EndOfSupportDate"), str("ProductCodeCpe"),
		},
	},
	{
		// SecurityEvent is Sentinel's Windows Security log (4688 process
		// creation among others). ProcessId and NewProcessId are strings
		// in hexadecimal ("0x1a2c"), as Windows writes them.
		name: "SecurityEvent",
		keys: [][]string{{"TimeGenerated"}, {"EventID"}, {"Computer"}},
		columns: []colSpec{
			date("TimeGenerated"), str("SourceSystem"), str("Account"), str("AccountType"),
			str("Computer"), str("EventSourceName"), str("Channel"), i32("Task"), str("Level"),
			str("EventData"), i32("EventID"), str("Activity"), str("SourceComputerId"),
			str("EventOriginId"), guid("MG"), date("TimeCollected"), str("ManagementGroupName"),
			str("AccessList"), str("AccessMask"), str("AccessReason"),
			str("AccountDomain"), str("AccountExpires"), str("AccountName"),
			str("AccountSessionIdentifier"), str("AdditionalInfo"), str("AdditionalInfo2"),
			str("AllowedToDelegateTo"), str("Attributes"), str("AuditPolicyChanges"),
			i32("AuditsDiscarded"), i32("AuthenticationLevel"), str("AuthenticationPackageName"),
			str("AuthenticationProvider"), str("AuthenticationServer"), i32("AuthenticationService"),
			str("AuthenticationType"), str("AzureDeploymentID"),
			str("CACertificateHash"), str("CalledStationID"), str("CallerProcessId"),
			str("CallerProcessName"), str("CallingStationID"), str("CAPublicKeyHash"),
			str("CategoryId"), str("CertificateDatabaseHash"), str("ClassId"), str("ClassName"),
			str("ClientAddress"), str("ClientIPAddress"), str("ClientName"), str("CommandLine"),
			str("CompatibleIds"), str("DCDNSName"), str("DeviceDescription"), str("DeviceId"),
			str("DisplayName"), str("Disposition"), str("DomainBehaviorVersion"), str("DomainName"),
			str("DomainPolicyChanged"), str("DomainSid"), str("EAPType"), str("ElevatedToken"),
			i32("ErrorCode"), str("ExtendedQuarantineState"), str("FailureReason"), str("FileHash"),
			str("FilePath"), str("FilePathNoUser"), str("Filter"), str("ForceLogoff"), str("Fqbn"),
			str("FullyQualifiedSubjectMachineName"), str("FullyQualifiedSubjectUserName"),
			str("GroupMembership"), str("HandleId"), str("HardwareIds"), str("HomeDirectory"),
			str("HomePath"), str("ImpersonationLevel"), str("InterfaceUuid"), str("IpAddress"),
			str("IpPort"), i32("KeyLength"), str("LmPackageName"), str("LocationInformation"),
			str("LockoutDuration"), str("LockoutObservationWindow"), str("LockoutThreshold"),
			str("LoggingResult"), str("LogonGuid"), str("LogonHours"), str("LogonID"),
			str("LogonProcessName"), i32("LogonType"), str("LogonTypeName"),
			str("MachineAccountQuota"), str("MachineInventory"), str("MachineLogon"),
			str("MandatoryLabel"), str("MaxPasswordAge"), str("MemberName"), str("MemberSid"),
			str("MinPasswordAge"), str("MinPasswordLength"), str("MixedDomainMode"),
			str("NASIdentifier"), str("NASIPv4Address"), str("NASIPv6Address"), str("NASPort"),
			str("NASPortType"), str("NetworkPolicyName"), str("NewDate"), str("NewMaxUsers"),
			str("NewProcessId"), str("NewProcessName"), str("NewRemark"), str("NewShareFlags"),
			str("NewTime"), str("NewUacValue"), str("NewValue"), str("NewValueType"),
			str("ObjectName"), str("ObjectServer"), str("ObjectType"), str("ObjectValueName"),
			str("OemInformation"), str("OldMaxUsers"), str("OldRemark"), str("OldShareFlags"),
			str("OldUacValue"), str("OldValue"), str("OldValueType"), str("OperationType"),
			str("PackageName"), str("ParentProcessName"), str("PasswordHistoryLength"),
			str("PasswordLastSet"), str("PasswordProperties"), str("PreviousDate"),
			str("PreviousTime"), str("PrimaryGroupId"), str("PrivateKeyUsageCount"),
			str("PrivilegeList"), str("Process"), str("ProcessId"), str("ProcessName"),
			str("ProfilePath"), str("Properties"), str("ProtocolSequence"), str("ProxyPolicyName"),
			str("QuarantineHelpURL"), str("QuarantineSessionID"), str("QuarantineSessionIdentifier"),
			str("QuarantineState"), str("QuarantineSystemHealthResult"), str("RelativeTargetName"),
			str("RemoteIpAddress"), str("RemotePort"), str("Requester"), str("RequestId"),
			str("RestrictedAdminMode"), str("RowsDeleted"), str("SamAccountName"), str("ScriptPath"),
			str("SecurityDescriptor"), str("ServiceAccount"), str("ServiceFileName"),
			str("ServiceName"), i32("ServiceStartType"), str("ServiceType"), str("SessionName"),
			str("ShareLocalPath"), str("ShareName"), str("SidHistory"), str("Status"),
			str("StorageAccount"), str("SubcategoryGuid"), str("SubcategoryId"), str("Subject"),
			str("SubjectAccount"), str("SubjectDomainName"), str("SubjectKeyIdentifier"),
			str("SubjectLogonId"), str("SubjectMachineName"), str("SubjectMachineSID"),
			str("SubjectUserName"), str("SubjectUserSid"), str("SubStatus"), str("TableId"),
			str("TargetAccount"), str("TargetDomainName"), str("TargetInfo"),
			str("TargetLinkedLogonId"), str("TargetLogonGuid"), str("TargetLogonId"),
			str("TargetOutboundDomainName"), str("TargetOutboundUserName"), str("TargetServerName"),
			str("TargetSid"), str("TargetUser"), str("TargetUserName"), str("TargetUserSid"),
			str("TemplateContent"), str("TemplateDSObjectFQDN"), str("TemplateInternalName"),
			str("TemplateOID"), str("TemplateSchemaVersion"), str("TemplateVersion"),
			str("TokenElevationType"), str("TransmittedServices"), str("UserAccountControl"),
			str("UserParameters"), str("UserPrincipalName"), str("UserWorkstations"),
			str("VendorIds"), str("VirtualAccount"), str("Workstation"), str("WorkstationName"),
			str("TenantId"), str("Type"),
		},
	},
	{
		// Event is Sentinel's table of other Windows event logs (System,
		// Application, Sysmon's channel, ...). EventData is the raw XML of
		// the event's data, as a string.
		name: "Event",
		keys: [][]string{{"TimeGenerated"}, {"EventID"}, {"Source", "EventLog"}},
		columns: []colSpec{
			date("TimeGenerated"), str("Source"), str("EventLog"), str("Computer"),
			i32("EventLevel"), str("EventLevelName"), i32("EventID"), i32("EventCategory"),
			str("UserName"), str("RenderedDescription"), str("EventData"), str("ParameterXml"),
			str("Message"), str("ManagementGroupName"), str("AzureDeploymentID"), str("Role"),
			str("SourceSystem"), str("TenantId"), str("Type"),
			// Azure Monitor's reference lists these for Event too; the
			// Certutil-LOLBins hunting query pivots on them.
			str("MG"), str("_ResourceId"),
		},
	},
}

func join(groups ...[]colSpec) []colSpec {
	var out []colSpec
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// MinTableMatch is the share of an export's columns that must belong to a
// known table before the export is taken for that table. It leaves room
// for the columns a query adds (extend, summarize) while keeping unions of
// several tables, which fit none of them well, apart.
const MinTableMatch = 0.8

// TableNames returns the known tables' names, process events first.
func TableNames() []string {
	out := make([]string, len(knownTables))
	for i, t := range knownTables {
		out[i] = t.name
	}
	return out
}

// KnownTables returns the schema of every known Microsoft table, keyed by
// table name. The engine uses them to type a table that no input supplied
// and to type an input's columns; the map and its slices are the caller's.
func KnownTables() map[string][]data.Column {
	out := make(map[string][]data.Column, len(knownTables))
	for i := range knownTables {
		out[knownTables[i].name] = knownTables[i].schema()
	}
	return out
}

// Schema returns the columns of the known table name (exact, case-sensitive
// like Kusto's table names).
func Schema(name string) ([]data.Column, bool) {
	t := lookupTable(name)
	if t == nil {
		return nil, false
	}
	return t.schema(), true
}

func lookupTable(name string) *tableSpec {
	for i := range knownTables {
		if knownTables[i].name == name {
			return &knownTables[i]
		}
	}
	return nil
}

func (t *tableSpec) schema() []data.Column {
	out := make([]data.Column, len(t.columns))
	for i, c := range t.columns {
		out[i] = data.Column{Name: c.name, Type: c.typ}
	}
	return out
}

// columnType returns the declared type of the column name, if t has it.
func (t *tableSpec) columnType(name string) (data.Type, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c.typ, true
		}
	}
	return data.Unknown, false
}

// hasKeys reports whether the header carries every key group of t.
func (t *tableSpec) hasKeys(header map[string]bool) bool {
	for _, group := range t.keys {
		if !slices.ContainsFunc(group, func(k string) bool { return header[k] }) {
			return false
		}
	}
	return true
}

// MatchTable returns the known table an export with these column names
// belongs to: the one that holds the largest share of the columns (at least
// MinTableMatch) and whose key columns are all present; ties go to the
// table listed first in TableNames. Column names match exactly.
func MatchTable(columns []string) (string, bool) {
	t := matchTable(columns)
	if t == nil {
		return "", false
	}
	return t.name, true
}

func matchTable(columns []string) *tableSpec {
	if len(columns) == 0 {
		return nil
	}
	header := make(map[string]bool, len(columns))
	for _, c := range columns {
		header[c] = true
	}
	var best *tableSpec
	bestShare := 0.0
	for i := range knownTables {
		t := &knownTables[i]
		if !t.hasKeys(header) {
			continue
		}
		n := 0
		for _, c := range columns {
			if _, ok := t.columnType(c); ok {
				n++
			}
		}
		share := float64(n) / float64(len(columns))
		if share >= MinTableMatch && share > bestShare {
			best, bestShare = t, share
		}
	}
	return best
}
