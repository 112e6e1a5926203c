package rules

import (
	"context"
	"crypto/sha1"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/logs"
)

// Sentinel scheduled analytics rules: the YAML layout of the Detections
// and Solutions folders of the Azure-Sentinel repository (id, name,
// description, severity, requiredDataConnectors, queryFrequency,
// queryPeriod, triggerOperator, triggerThreshold, tactics,
// relevantTechniques, query, entityMappings, version, kind), so that the
// pack runs where the data lives when one laptop is not enough.

// SentinelQueryFrequency and SentinelQueryPeriod are how often an exported
// rule runs and over how much data: every hour, over the last hour, as
// Microsoft's own Defender XDR analytics rules do.
const (
	SentinelQueryFrequency = "1h"
	SentinelQueryPeriod    = "1h"
)

// sentinelNamespace makes exported rule ids stable: the id of a rule is a
// name-based UUID (version 5) of its offhunt id, so that exporting again
// updates the rule in Sentinel rather than adding a copy.
var sentinelNamespace = [16]byte{0x6f, 0x66, 0x66, 0x68, 0x75, 0x6e, 0x74, 0x2d, 0x80, 0x72, 0x75, 0x6c, 0x65, 0x73, 0x2d, 0x31}

// SentinelID returns the GUID an exported rule gets.
func SentinelID(r *Rule) string {
	h := sha1.New()
	h.Write(sentinelNamespace[:])
	h.Write([]byte(r.ID))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// tacticOf maps a MITRE ATT&CK technique to the tactic Sentinel files it
// under (the technique's primary tactic).
var tacticOf = map[string]string{
	"T1567": "Exfiltration", "T1048": "Exfiltration", "T1020": "Exfiltration", "T1041": "Exfiltration",
	"T1537": "Exfiltration", "T1030": "Exfiltration", "T1105": "CommandAndControl",
	"T1036": "DefenseEvasion", "T1552": "CredentialAccess", "T1059": "Execution",
	"T1071": "CommandAndControl", "T1003": "CredentialAccess", "T1018": "Discovery",
}

// entity is a Sentinel entity mapping over columns a rule's result has.
type entity struct {
	typ    string
	fields [][2]string // identifier, column
}

var entities = []entity{
	{"Host", [][2]string{{"FullName", "DeviceName"}}},
	{"Account", [][2]string{{"Name", "AccountName"}, {"NTDomain", "AccountDomain"}}},
	{"Process", [][2]string{{"ProcessId", "ProcessId"}, {"CommandLine", "ProcessCommandLine"}}},
	{"File", [][2]string{{"Name", "FileName"}}},
}

// SentinelYAML renders r as a Sentinel scheduled analytics rule. The query
// is the rule's own, without its header; entity mappings name only
// columns the query returns (worked out by running it over empty tables of
// Microsoft's schemas), so a user's rule that summarises still imports.
func SentinelYAML(r *Rule) ([]byte, error) {
	cols, tables, err := resultColumns(r)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("id: %s", SentinelID(r))
	line("name: %s", yamlString(r.Title))
	desc := r.Description
	if desc == "" {
		desc = r.Title
	}
	if r.FalsePositives != "" {
		desc += "\n\nKnown false positives: " + r.FalsePositives
	}
	if r.Actions != "" {
		desc += "\n\nNext actions: " + r.Actions
	}
	desc += "\n\nFrom offhunt rule " + r.ID + "."
	b.WriteString("description: ")
	yamlBlock(&b, desc, "  ")
	line("severity: %s", strings.ToUpper(r.Severity[:1])+r.Severity[1:])
	line("status: Available")
	line("requiredDataConnectors:")
	line("  - connectorId: MicrosoftThreatProtection")
	line("    dataTypes:")
	for _, t := range tables {
		line("      - %s", t)
	}
	line("queryFrequency: %s", SentinelQueryFrequency)
	line("queryPeriod: %s", SentinelQueryPeriod)
	line("triggerOperator: gt")
	line("triggerThreshold: 0")
	var tactics, techniques []string
	for _, m := range r.Mitre {
		base, _, _ := strings.Cut(m, ".")
		if t, ok := tacticOf[base]; ok && !slices.Contains(tactics, t) {
			tactics = append(tactics, t)
		}
		if !slices.Contains(techniques, m) {
			techniques = append(techniques, m)
		}
	}
	if len(tactics) > 0 {
		line("tactics:")
		for _, t := range tactics {
			line("  - %s", t)
		}
	}
	if len(techniques) > 0 {
		line("relevantTechniques:")
		for _, t := range techniques {
			line("  - %s", t)
		}
	}
	b.WriteString("query: ")
	yamlBlock(&b, queryBody(r), "  ")
	var mapped []entity
	for _, e := range entities {
		var fields [][2]string
		for _, f := range e.fields {
			if slices.Contains(cols, f[1]) {
				fields = append(fields, f)
			}
		}
		if len(fields) > 0 {
			mapped = append(mapped, entity{e.typ, fields})
		}
	}
	if len(mapped) > 0 {
		line("entityMappings:")
		for _, e := range mapped {
			line("  - entityType: %s", e.typ)
			line("    fieldMappings:")
			for _, f := range e.fields {
				line("      - identifier: %s", f[0])
				line("        columnName: %s", f[1])
			}
		}
	}
	line("version: 1.0.0")
	line("kind: Scheduled")
	return []byte(b.String()), nil
}

// queryBody is the rule's query without its header lines.
func queryBody(r *Rule) string {
	lines := strings.Split(strings.ReplaceAll(r.Query, "\r\n", "\n"), "\n")
	start := r.QueryLine - 1
	if start < 0 || start > len(lines) {
		start = 0
	}
	return strings.TrimSpace(strings.Join(lines[start:], "\n"))
}

// resultColumns runs the rule over empty tables of every known schema and
// returns the columns of its result and the known tables it reads.
func resultColumns(r *Rule) ([]string, []string, error) {
	env := &kql.Env{}
	known := logs.KnownTables()
	names := logs.TableNames()
	for _, name := range names {
		env.Tables = append(env.Tables, data.TableSource{T: &data.Table{Name: name, Columns: known[name]}})
	}
	prog, err := kql.Compile(r.Query, env)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.File, err)
	}
	res, err := prog.Run(context.Background())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.File, err)
	}
	var cols []string
	if len(res) > 0 {
		for _, c := range res[len(res)-1].Table.Columns {
			cols = append(cols, c.Name)
		}
	}
	var tables []string
	body := queryBody(r)
	for _, name := range names {
		if regexp.MustCompile(`(^|[^A-Za-z0-9_])` + name + `($|[^A-Za-z0-9_])`).MatchString(body) {
			tables = append(tables, name)
		}
	}
	if len(tables) == 0 {
		tables = []string{"DeviceProcessEvents"}
	}
	return cols, tables, nil
}

// yamlString quotes a one-line scalar when YAML would read it otherwise.
func yamlString(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#'\"{}[]&*!|>%@`,\n") && strings.TrimSpace(s) == s &&
		!strings.ContainsAny(s[:1], "-?") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// yamlBlock writes text as a literal block scalar, each line indented.
func yamlBlock(b *strings.Builder, text, indent string) {
	b.WriteString("|")
	if strings.HasPrefix(text, " ") {
		b.WriteString(fmt.Sprint(len(indent)))
	}
	b.WriteString("\n")
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(indent + l + "\n")
	}
}
