package logs

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// Process-creation events of Sysmon (Event ID 1), Windows Security (4688)
// and Elastic (ECS, winlogbeat) map onto DeviceProcessEvents, so that the
// same hunting query runs on all of them. The mapping is the table below;
// the README prints it. The original fields stay columns of the table too.

// sourceKind says which events a mapping rule reads.
type sourceKind uint8

const (
	srcSysmon  sourceKind = 1 << iota // any Sysmon event
	src4688                           // Security 4688, a process creation
	srcWindows                        // any Windows event (Sysmon and 4688 included)
	srcECS                            // an ECS event
	srcProcess                        // any process creation
)

// conversion is how a rule turns a source field into the column's value.
type conversion uint8

const (
	convText           conversion = iota // the text; "-" (Windows' placeholder) is empty
	convFileName                         // the last part of a path
	convTime                             // a datetime
	convLong                             // a decimal or 0x-hexadecimal integer
	convDomain                           // DOMAIN of DOMAIN\user
	convUser                             // user of DOMAIN\user
	convSHA256                           // SHA256=... of Sysmon's Hashes
	convSHA1                             // SHA1=... of Hashes
	convMD5                              // MD5=... of Hashes
	convLower                            // the text in lower case (hashes)
	convIntegrity                        // a mandatory label SID as an integrity level
	convElevation                        // %%1936.. as a token elevation type
	convProcessCreated                   // the constant "ProcessCreated"
)

// mapRule maps one source field onto one column.
type mapRule struct {
	from   sourceKind
	field  string // the source field: flat name, or a dotted ECS path
	column string // the DeviceProcessEvents column
	conv   conversion
}

// processMapping is the mapping. Rules for one column are tried in order;
// the first that gives a value wins.
var processMapping = []mapRule{
	{srcSysmon, "UtcTime", "Timestamp", convTime},
	{srcWindows, "TimeCreated", "Timestamp", convTime},
	{srcECS, "@timestamp", "Timestamp", convTime},
	{srcWindows, "Computer", "DeviceName", convText},
	{srcECS, "host.name", "DeviceName", convText},
	{srcECS, "host.hostname", "DeviceName", convText},
	{srcECS, "host.id", "DeviceId", convText},
	{srcProcess, "", "ActionType", convProcessCreated},

	{srcSysmon, "Image", "FolderPath", convText},
	{srcSysmon, "Image", "FileName", convFileName},
	{src4688, "NewProcessName", "FolderPath", convText},
	{src4688, "NewProcessName", "FileName", convFileName},
	{srcECS, "process.executable", "FolderPath", convText},
	{srcECS, "process.name", "FileName", convText},
	{srcECS, "process.executable", "FileName", convFileName},
	{srcSysmon, "CommandLine", "ProcessCommandLine", convText},
	{src4688, "CommandLine", "ProcessCommandLine", convText},
	{srcECS, "process.command_line", "ProcessCommandLine", convText},
	{srcSysmon, "ProcessId", "ProcessId", convLong},
	{src4688, "NewProcessId", "ProcessId", convLong},
	{srcECS, "process.pid", "ProcessId", convLong},
	{srcSysmon, "UtcTime", "ProcessCreationTime", convTime},
	{src4688, "TimeCreated", "ProcessCreationTime", convTime},
	{srcECS, "process.start", "ProcessCreationTime", convTime},
	{srcSysmon, "IntegrityLevel", "ProcessIntegrityLevel", convText},
	{src4688, "MandatoryLabel", "ProcessIntegrityLevel", convIntegrity},
	{src4688, "TokenElevationType", "ProcessTokenElevation", convElevation},
	{srcSysmon, "Hashes", "SHA256", convSHA256},
	{srcSysmon, "Hashes", "SHA1", convSHA1},
	{srcSysmon, "Hashes", "MD5", convMD5},
	{srcECS, "process.hash.sha256", "SHA256", convLower},
	{srcECS, "process.hash.sha1", "SHA1", convLower},
	{srcECS, "process.hash.md5", "MD5", convLower},
	{srcSysmon, "OriginalFileName", "ProcessVersionInfoOriginalFileName", convText},
	{srcSysmon, "Product", "ProcessVersionInfoProductName", convText},
	{srcSysmon, "Company", "ProcessVersionInfoCompanyName", convText},
	{srcSysmon, "Description", "ProcessVersionInfoFileDescription", convText},
	{srcSysmon, "FileVersion", "ProcessVersionInfoProductVersion", convText},
	{srcECS, "process.pe.original_file_name", "ProcessVersionInfoOriginalFileName", convText},
	{srcECS, "process.pe.product", "ProcessVersionInfoProductName", convText},
	{srcECS, "process.pe.company", "ProcessVersionInfoCompanyName", convText},
	{srcECS, "process.pe.description", "ProcessVersionInfoFileDescription", convText},
	{srcECS, "process.pe.file_version", "ProcessVersionInfoProductVersion", convText},

	{srcSysmon, "User", "AccountDomain", convDomain},
	{srcSysmon, "User", "AccountName", convUser},
	{src4688, "SubjectDomainName", "AccountDomain", convText},
	{src4688, "SubjectUserName", "AccountName", convText},
	{src4688, "SubjectUserSid", "AccountSid", convText},
	{srcECS, "user.domain", "AccountDomain", convText},
	{srcECS, "user.name", "AccountDomain", convDomain},
	{srcECS, "user.name", "AccountName", convUser},
	{srcECS, "user.id", "AccountSid", convText},
	{srcSysmon, "LogonId", "LogonId", convLong},
	{src4688, "SubjectLogonId", "LogonId", convLong},
	{srcSysmon, "TerminalSessionId", "CreatedProcessSessionId", convLong},

	{srcSysmon, "ParentImage", "InitiatingProcessFolderPath", convText},
	{srcSysmon, "ParentImage", "InitiatingProcessFileName", convFileName},
	{src4688, "ParentProcessName", "InitiatingProcessFolderPath", convText},
	{src4688, "ParentProcessName", "InitiatingProcessFileName", convFileName},
	{srcECS, "process.parent.executable", "InitiatingProcessFolderPath", convText},
	{srcECS, "process.parent.name", "InitiatingProcessFileName", convText},
	{srcECS, "process.parent.executable", "InitiatingProcessFileName", convFileName},
	{srcSysmon, "ParentCommandLine", "InitiatingProcessCommandLine", convText},
	{srcECS, "process.parent.command_line", "InitiatingProcessCommandLine", convText},
	{srcSysmon, "ParentProcessId", "InitiatingProcessId", convLong},
	{src4688, "ProcessId", "InitiatingProcessId", convLong},
	{srcECS, "process.parent.pid", "InitiatingProcessId", convLong},
	{srcSysmon, "ParentUser", "InitiatingProcessAccountDomain", convDomain},
	{srcSysmon, "ParentUser", "InitiatingProcessAccountName", convUser},
}

// MappingRow is a rule of the mapping, for documentation.
type MappingRow struct {
	Source, Field, Column, Conversion string
}

// Mapping returns the mapping onto DeviceProcessEvents, rule by rule.
func Mapping() []MappingRow {
	out := make([]MappingRow, len(processMapping))
	for i, r := range processMapping {
		out[i] = MappingRow{Source: r.from.String(), Field: r.field, Column: r.column, Conversion: r.conv.String()}
	}
	return out
}

func (k sourceKind) String() string {
	switch k {
	case srcSysmon:
		return "Sysmon"
	case src4688:
		return "Security 4688"
	case srcWindows:
		return "Windows event"
	case srcECS:
		return "ECS"
	case srcProcess:
		return "any process creation"
	}
	return "?"
}

func (c conversion) String() string {
	return [...]string{
		convText: "text (\"-\" is empty)", convFileName: "file name of the path", convTime: "datetime",
		convLong: "long (decimal or 0x hex)", convDomain: "DOMAIN of DOMAIN\\user", convUser: "user of DOMAIN\\user",
		convSHA256: "SHA256= of the hashes", convSHA1: "SHA1= of the hashes", convMD5: "MD5= of the hashes",
		convLower: "lower case", convIntegrity: "integrity level of the label SID",
		convElevation: "elevation type of %%1936/%%1937/%%1938", convProcessCreated: "\"ProcessCreated\"",
	}[c]
}

// eventInfo is what a mapped record is: which rules apply to it and
// whether it is a process creation.
type eventInfo struct {
	source  sourceKind
	process bool
	id      int64
	sysmon  bool
}

// describe names the event kind for a report ("Sysmon 5").
func (e eventInfo) describe() string {
	switch {
	case e.source&srcECS != 0:
		return "ECS events"
	case e.sysmon:
		return "Sysmon " + strconv.FormatInt(e.id, 10)
	case e.id != 0:
		return "event " + strconv.FormatInt(e.id, 10)
	}
	return "events without an id"
}

// fieldRef finds a source field in a record: a slot of that name, or a
// path inside a slot that holds a JSON object (ECS nests its fields, and
// some exporters flatten them to dotted names; an input may mix both).
type fieldRef struct {
	slot   int // the slot named so, or -1
	nested int // the slot of the nearest enclosing object, or -1
	path   []string
}

func resolveField(g *group, name string) fieldRef {
	r := fieldRef{slot: -1, nested: -1}
	if i, ok := g.index[name]; ok {
		r.slot = i
	}
	parts := strings.Split(name, ".")
	for n := len(parts) - 1; n >= 1; n-- {
		if i, ok := g.index[strings.Join(parts[:n], ".")]; ok {
			r.nested, r.path = i, parts[n:]
			break
		}
	}
	return r
}

// get returns the field in rec.
func (r fieldRef) get(rec *record) rawField {
	if r.slot >= 0 && r.slot < len(rec.fields) {
		if f := rec.fields[r.slot]; !f.isEmpty() {
			return f
		}
	}
	if r.nested < 0 || r.nested >= len(rec.fields) {
		return rawField{}
	}
	f := rec.fields[r.nested]
	for _, key := range r.path {
		if f.kind != fJSONObj {
			return rawField{}
		}
		ps, err := objectPairs(f.b, nil)
		if err != nil {
			return rawField{}
		}
		f = rawField{}
		for _, p := range ps {
			if p.key == key {
				f = p.f
			}
		}
	}
	return f
}

// mapper computes a mapped input's DeviceProcessEvents columns.
type mapper struct {
	shape   recordShape
	outs    []mapOut
	timeOut int // the output of Timestamp
	// classification fields
	eventID, provider, channel, image                               fieldRef
	ecsCategory, ecsType, ecsAction, ecsCode, ecsWinID, ecsProvider fieldRef
	ecsCmd, ecsExe                                                  fieldRef
}

type mapOut struct {
	column string
	typ    data.Type
	rules  []boundRule
}

type boundRule struct {
	mapRule
	ref fieldRef
}

func newMapper(shape recordShape, g *group) *mapper {
	m := &mapper{shape: shape, timeOut: -1}
	schema, _ := Schema("DeviceProcessEvents")
	for _, r := range processMapping {
		if shape == shapeECS && r.from&(srcECS|srcProcess) == 0 {
			continue
		}
		if shape == shapeWindows && r.from&srcECS != 0 {
			continue
		}
		k := -1
		for i, o := range m.outs {
			if o.column == r.column {
				k = i
			}
		}
		if k < 0 {
			t := data.String
			if i := data.ColumnIndex(schema, r.column); i >= 0 {
				t = schema[i].Type
			}
			m.outs = append(m.outs, mapOut{column: r.column, typ: t})
			k = len(m.outs) - 1
		}
		ref := fieldRef{slot: -1, nested: -1}
		if r.field != "" {
			ref = resolveField(g, r.field)
		}
		m.outs[k].rules = append(m.outs[k].rules, boundRule{r, ref})
	}
	for i, o := range m.outs {
		if o.column == "Timestamp" {
			m.timeOut = i
		}
	}
	m.eventID = resolveField(g, "EventID")
	m.provider = resolveField(g, "Provider")
	m.channel = resolveField(g, "Channel")
	m.image = resolveField(g, "Image")
	m.ecsCategory = resolveField(g, "event.category")
	m.ecsType = resolveField(g, "event.type")
	m.ecsAction = resolveField(g, "event.action")
	m.ecsCode = resolveField(g, "event.code")
	m.ecsWinID = resolveField(g, "winlog.event_id")
	m.ecsProvider = resolveField(g, "winlog.provider_name")
	m.ecsCmd = resolveField(g, "process.command_line")
	m.ecsExe = resolveField(g, "process.executable")
	return m
}

// fieldText returns a field's text, or nil.
func fieldText(f rawField) []byte {
	var sc scratch
	t, ok := sc.text(f)
	if !ok {
		return nil
	}
	return trimSpace(t)
}

// classify finds what kind of event rec is.
func (m *mapper) classify(rec *record, g *group) {
	var e eventInfo
	if m.shape == shapeECS {
		e.source = srcECS
		cat, typ := fieldText(m.ecsCategory.get(rec)), fieldText(m.ecsType.get(rec))
		action := strings.ToLower(string(fieldText(m.ecsAction.get(rec))))
		code, _ := parseLong(fieldText(m.ecsWinID.get(rec)))
		if code == 0 {
			code, _ = parseLong(fieldText(m.ecsCode.get(rec)))
		}
		e.id = code
		prov := fieldText(m.ecsProvider.get(rec))
		switch {
		case bytes.Contains(cat, []byte("process")) && bytes.Contains(typ, []byte("start")):
			e.process = true
		case action == "process create" || action == "process-created" || action == "created-process" || action == "process_started" || action == "exec":
			e.process = true
		case code == 4688, code == 1 && bytes.Contains(prov, []byte("Sysmon")):
			e.process = true
		case len(cat) == 0 && len(typ) == 0 && action == "" && code == 0:
			e.process = !m.ecsCmd.get(rec).isEmpty() || !m.ecsExe.get(rec).isEmpty()
		}
		rec.ev = e
		return
	}
	e.source = srcWindows
	e.id, _ = parseLong(fieldText(m.eventID.get(rec)))
	prov, ch := fieldText(m.provider.get(rec)), fieldText(m.channel.get(rec))
	e.sysmon = bytes.Contains(prov, []byte("Sysmon")) || bytes.Contains(ch, []byte("Sysmon"))
	if !e.sysmon && len(prov) == 0 && len(ch) == 0 && e.id == 1 && !m.image.get(rec).isEmpty() {
		e.sysmon = true
	}
	switch {
	case e.sysmon:
		e.source |= srcSysmon
		e.process = e.id == 1
	case e.id == 4688:
		e.source |= src4688
		e.process = true
	}
	rec.ev = e
}

// compute fills rec.mapped with every mapped column.
func (m *mapper) compute(rec *record, g *group, c *converter) {
	if cap(rec.mapped) < len(m.outs) {
		rec.mapped = make([]data.Value, len(m.outs))
	}
	rec.mapped = rec.mapped[:len(m.outs)]
	for i, o := range m.outs {
		v := data.Null
		if o.typ == data.String {
			v = data.EmptyString
		}
		for _, r := range o.rules {
			var applies bool
			switch r.from {
			case srcProcess:
				applies = rec.ev.process
			default:
				applies = rec.ev.source&r.from != 0
			}
			if !applies {
				continue
			}
			got, ok, present := m.apply(r, rec, c)
			if !ok {
				rec.problem(fmt.Sprintf("%s (for %s): %s is not a %s; left empty", r.field, r.column, quoteValue(fieldText(r.ref.get(rec))), o.typ))
				continue
			}
			if present {
				v = got
				break
			}
		}
		rec.mapped[i] = v
	}
	rec.mapOK = true
}

// apply runs one rule. present is false when the source field is empty.
func (m *mapper) apply(r boundRule, rec *record, c *converter) (v data.Value, ok, present bool) {
	if r.conv == convProcessCreated {
		return data.NewString("ProcessCreated"), true, true
	}
	f := r.ref.get(rec)
	if f.isEmpty() {
		return data.Null, true, false
	}
	switch r.conv {
	case convTime:
		if f.kind == fJSONNum {
			if t, ok := epochText(f.b); ok {
				f = rawField{b: t, kind: fText}
			}
		}
		v, ok := c.convert(f, data.DateTime)
		return v, ok, !v.IsNull()
	case convLong:
		v, ok := c.convert(f, data.Long)
		return v, ok, !v.IsNull()
	}
	b, ok := c.s.text(f)
	if !ok {
		return data.Null, false, true
	}
	b = trimSpace(b)
	if len(b) == 1 && b[0] == '-' {
		return data.Null, true, false
	}
	switch r.conv {
	case convFileName:
		if i := bytes.LastIndexAny(b, `\/`); i >= 0 {
			b = b[i+1:]
		}
	case convDomain:
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			return data.Null, true, false
		}
		b = b[:i]
	case convUser:
		if i := bytes.IndexByte(b, '\\'); i >= 0 {
			b = b[i+1:]
		}
	case convSHA256, convSHA1, convMD5:
		b = hashPart(b, map[conversion]string{convSHA256: "SHA256=", convSHA1: "SHA1=", convMD5: "MD5="}[r.conv])
		b = bytes.ToLower(b)
	case convLower:
		b = bytes.ToLower(b)
	case convIntegrity:
		b = []byte(integrityLevel(string(b)))
	case convElevation:
		b = []byte(elevationType(string(b)))
	}
	if len(b) == 0 {
		return data.Null, true, false
	}
	return data.NewString(c.a.str(b)), true, true
}

// hashPart finds NAME=value in Sysmon's "SHA1=..,MD5=..,SHA256=..".
func hashPart(b []byte, name string) []byte {
	for len(b) > 0 {
		part := b
		if i := bytes.IndexByte(b, ','); i >= 0 {
			part, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		part = trimSpace(part)
		if len(part) > len(name) && bytes.EqualFold(part[:len(name)], []byte(name)) {
			return part[len(name):]
		}
	}
	return nil
}

// integrityLevel names a mandatory label SID as Defender names integrity
// levels.
func integrityLevel(sid string) string {
	switch strings.ToUpper(sid) {
	case "S-1-16-0":
		return "Untrusted"
	case "S-1-16-4096":
		return "Low"
	case "S-1-16-8192":
		return "Medium"
	case "S-1-16-8448":
		return "MediumPlus"
	case "S-1-16-12288":
		return "High"
	case "S-1-16-16384":
		return "System"
	case "S-1-16-20480":
		return "ProtectedProcess"
	}
	return sid
}

// elevationType names 4688's token elevation type as Defender does.
func elevationType(s string) string {
	switch strings.TrimSpace(s) {
	case "%%1936":
		return "TokenElevationTypeDefault"
	case "%%1937":
		return "TokenElevationTypeFull"
	case "%%1938":
		return "TokenElevationTypeLimited"
	}
	return s
}

// mappedViews makes the two views of a mapped input: DeviceProcessEvents
// (process creations only) and the input as a whole (every event, for its
// stem). Both have every DeviceProcessEvents column (those the mapping
// does not fill are empty, or the input's own field of that name), then
// the input's fields whose names the schema does not take.
func (in *Input) mappedViews() {
	g := in.groups[0]
	m := in.mapper
	schema, _ := Schema("DeviceProcessEvents")
	base := &view{in: in, name: "DeviceProcessEvents", inputVal: data.NewString(in.name)}
	taken := map[string]bool{}
	for _, c := range schema {
		taken[c.Name] = true
		base.cols = append(base.cols, c)
		o := output{kind: outEmpty}
		for i, mo := range m.outs {
			if mo.column == c.Name {
				o = output{kind: outMapped, slot: i}
			}
		}
		if o.kind == outEmpty {
			if i, ok := g.index[c.Name]; ok {
				o = output{kind: outSlot, slot: i}
			} else if c.Name == "TimeGenerated" && m.timeOut >= 0 {
				o = output{kind: outMapped, slot: m.timeOut}
			}
		}
		base.outs = append(base.outs, o)
	}
	for i, s := range g.slots {
		if taken[s.name] {
			continue
		}
		base.cols = append(base.cols, data.Column{Name: s.name, Type: s.typ})
		base.outs = append(base.outs, output{kind: outSlot, slot: i})
	}
	base.addProvenance()
	dpe := *base
	dpe.procOnly = true
	all := *base
	all.name = in.stem
	in.views = []*view{&dpe, &all}
	in.stemView = &all
}
