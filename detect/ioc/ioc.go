package ioc

import (
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
)

// Indicator types, as Defender names them.
const (
	FileSha256 = "FileSha256"
	IPAddress  = "IpAddress"
	DomainName = "DomainName"
	URL        = "Url"
)

// Indicator is one indicator of compromise, with the fields of Defender's
// import file.
type Indicator struct {
	Type               string // FileSha256, IpAddress, DomainName or Url
	Value              string
	Action             string // BlockAndRemediate (files), Block, Audit, Warn, Allowed
	Severity           string // Informational, Low, Medium, High
	Title              string
	Description        string
	RecommendedActions string
	Category           string   // a Defender alert category: Exfiltration
	Mitre              []string // MITRE ATT&CK technique ids
	GenerateAlert      bool
	// Expiration is an RFC 3339 time after which Defender drops the
	// indicator; empty means never.
	Expiration string
}

// SeedURLs are the blocks the seed query recommends ("block rclone.org
// and https://github.com/rclone/rclone"), with the site its downloads come
// from, as Url indicators.
var SeedURLs = []string{"rclone.org", "downloads.rclone.org", "github.com/rclone/rclone"}

// FromFindings extracts the indicators of a scan: for each finding whose
// process is rclone itself (by name, by PE version information, or a
// renamed binary running an rclone command) its SHA256; from each rclone
// command line the hosts and URLs of its remotes (config create ... host
// H / url U, --ftp-host=H, :sftp,host=H:path, copyurl URL); and the seed's
// recommended URL blocks. Indicators are merged by type and value, and
// sorted by type, then value.
func FromFindings(f *detect.Findings) []Indicator {
	mitre := map[string][]string{}
	for _, r := range f.Rules {
		mitre[r.ID] = r.Mitre
	}
	acc := newAccumulator()
	for i := range f.Findings {
		fd := &f.Findings[i]
		row := rowText(fd)
		tokens := builtin.SplitWindowsCommandLine(fd.CommandLine)
		rclone := invokesRclone(tokens)
		if sha := strings.ToLower(row["SHA256"]); sha256Hex.MatchString(sha) && processIsRclone(fd, row, tokens) {
			acc.add(FileSha256, sha, fd, mitre[fd.RuleID])
		}
		if !rclone && !processIsRclone(fd, row, tokens) {
			continue
		}
		for _, h := range remoteHosts(tokens) {
			if t, v, ok := classify(h); ok && !isSeedHost(v) {
				acc.add(t, v, fd, mitre[fd.RuleID])
			}
		}
	}
	out := acc.indicators()
	for _, u := range SeedURLs {
		out = append(out, Indicator{
			Type: URL, Value: u, Action: "Block", Severity: "Medium",
			Title:              "rclone download site",
			Description:        "Recommended by the seed hunting query (Rclone Copy Process Args, Jay Kerai): block rclone's site, its downloads and its source repository, so that rclone cannot be fetched onto a device.",
			RecommendedActions: "Block in the web proxy too. Allow only for administrators who run sanctioned rclone backups.",
			Category:           "Exfiltration", Mitre: []string{"T1567.002", "T1105"}, GenerateAlert: true,
		})
	}
	sortIndicators(out)
	return out
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// rowText returns the finding's columns as text.
func rowText(fd *detect.Finding) map[string]string {
	m := make(map[string]string, len(fd.Row.Columns))
	for i, c := range fd.Row.Columns {
		if i < len(fd.Row.Values) {
			if v := fd.Row.Values[i]; !v.IsNull() {
				m[c] = data.ToString(v)
			}
		}
	}
	return m
}

// isRcloneName tells whether a file name (or the last element of a path)
// is rclone's own: rclone, rclone.exe, rclone-*.exe, in any case.
func isRcloneName(p string) bool {
	n := strings.ToLower(p[strings.LastIndexAny(p, `\/`)+1:])
	return n == "rclone" || n == "rclone.exe" || strings.HasPrefix(n, "rclone-") && strings.HasSuffix(n, ".exe")
}

// rcloneCommands are the commands a renamed rclone is recognised by when
// they follow the program name.
var rcloneCommands = map[string]bool{
	"copy": true, "copyto": true, "sync": true, "bisync": true, "move": true, "moveto": true,
	"lsd": true, "ls": true, "lsf": true, "lsl": true, "lsjson": true, "config": true, "obscure": true,
	"serve": true, "mount": true, "nfsmount": true, "rcd": true, "purge": true, "delete": true,
	"deletefile": true, "rcat": true, "copyurl": true,
}

// shells run other programs: their hash is never rclone's, whatever their
// command line says.
var shells = map[string]bool{
	"cmd.exe": true, "powershell.exe": true, "pwsh.exe": true, "pwsh": true, "powershell_ise.exe": true,
	"wscript.exe": true, "cscript.exe": true, "mshta.exe": true, "rundll32.exe": true, "regsvr32.exe": true,
	"psexec.exe": true, "psexec64.exe": true, "psexesvc.exe": true, "wmic.exe": true, "wmiprvse.exe": true,
	"bash": true, "sh": true, "zsh": true, "dash": true, "sudo": true, "env": true, "explorer.exe": true,
	"taskeng.exe": true, "schtasks.exe": true,
}

// processIsRclone tells whether the finding's process is rclone itself
// (so that its SHA256 is rclone's): its name or PE version information
// says so, or it is not a shell and runs an rclone command right after its
// own name (a renamed rclone: REvil's svchost.exe --config ... copy ...).
// A Microsoft-signed binary's hash is never taken.
func processIsRclone(fd *detect.Finding, row map[string]string, tokens []string) bool {
	if strings.EqualFold(row["ProcessVersionInfoCompanyName"], "Microsoft Corporation") {
		return false
	}
	name := fd.FileName
	if name == "" {
		name = row["FileName"]
	}
	if isRcloneName(name) ||
		strings.EqualFold(row["ProcessVersionInfoOriginalFileName"], "rclone.exe") ||
		strings.EqualFold(row["ProcessVersionInfoCompanyName"], "https://rclone.org") ||
		strings.EqualFold(row["ProcessVersionInfoProductName"], "Rclone") {
		return true
	}
	if name == "" || shells[strings.ToLower(name)] || len(tokens) < 2 {
		return false
	}
	return commandFollows(tokens[1:])
}

// commandFollows tells whether args start with an rclone command, after
// flags and their values (--config svchost.conf --progress copy ...).
func commandFollows(args []string) bool {
	afterFlag := false
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
			afterFlag = !strings.Contains(a, "=")
		case rcloneCommands[a]:
			return true
		case afterFlag:
			afterFlag = false // the flag's value
		default:
			return false
		}
	}
	return false
}

// invokesRclone tells whether a command line starts rclone by name with one
// of its commands (cmd /c rclone.exe copy ..., ./rclone sync ...).
func invokesRclone(tokens []string) bool {
	for i, a := range tokens {
		if isRcloneName(a) && commandFollows(tokens[i+1:]) {
			return true
		}
	}
	return false
}

// hostKeys are the parameters of rclone backends that name a server: in
// config create NAME TYPE key value ..., in an on-the-fly remote
// (:sftp,host=h:path) and as --TYPE-key flags.
var hostKeys = map[string]bool{"host": true, "url": true, "endpoint": true, "server": true, "auth": true, "auth_url": true, "hostname": true}

var backendFlag = regexp.MustCompile(`^--[a-z0-9]+-(host|url|endpoint|server|auth|auth-url)(?:=(.*))?$`)

// connectionParams reads the parameters of an on-the-fly remote,
// :type,key=value,key='value:with:colons':path, as rclone's connection
// strings write them (a value with a comma or a colon is quoted).
func connectionParams(tok string) [][2]string {
	var out [][2]string
	i := strings.IndexByte(tok, ',')
	if i < 0 {
		return nil
	}
	for i < len(tok) && tok[i] == ',' {
		i++
		eq := strings.IndexAny(tok[i:], "=,:")
		if eq < 0 || tok[i+eq] != '=' {
			return out
		}
		key := tok[i : i+eq]
		i += eq + 1
		var val strings.Builder
		if i < len(tok) && (tok[i] == '\'' || tok[i] == '"') {
			q := tok[i]
			end := strings.IndexByte(tok[i+1:], q)
			if end < 0 {
				return out
			}
			val.WriteString(tok[i+1 : i+1+end])
			i += end + 2
		} else {
			end := strings.IndexAny(tok[i:], ",:")
			if end < 0 {
				end = len(tok) - i
			}
			val.WriteString(tok[i : i+end])
			i += end
		}
		out = append(out, [2]string{key, val.String()})
	}
	return out
}

var urlText = regexp.MustCompile(`(?i)^(?:https?|ftps?|sftp|webdavs?)://[^\s"'<>]+$`)

// remoteHosts returns the servers named in an rclone command line.
func remoteHosts(tokens []string) []string {
	var out []string
	for i := 0; i < len(tokens); i++ {
		a := tokens[i]
		switch {
		case a == "config" && i+3 < len(tokens) && (tokens[i+1] == "create" || tokens[i+1] == "update"):
			// config create NAME TYPE key value key value ...; keys may
			// also come as key=value.
			for j := i + 4; j < len(tokens); j++ {
				k, v, eq := strings.Cut(tokens[j], "=")
				if !eq && j+1 < len(tokens) {
					v = tokens[j+1]
				}
				if hostKeys[strings.ToLower(k)] && v != "" {
					out = append(out, v)
				}
				if !eq {
					j++
				}
			}
			i = len(tokens)
		case backendFlag.MatchString(a):
			m := backendFlag.FindStringSubmatch(a)
			if !strings.Contains(a, "=") && i+1 < len(tokens) {
				out = append(out, tokens[i+1])
				i++
			} else if m[2] != "" {
				out = append(out, m[2])
			}
		case strings.HasPrefix(a, ":"):
			for _, kv := range connectionParams(a) {
				if hostKeys[strings.ToLower(kv[0])] {
					out = append(out, kv[1])
				}
			}
		case urlText.MatchString(a):
			out = append(out, a)
		}
	}
	return out
}

var hostname = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)

// classify tells what kind of indicator a server reference is: a URL, an
// IP address, or a domain name (a host with a port loses the port). It
// refuses anything else (template placeholders like #{ftp_server},
// variables, bare names without a dot).
func classify(s string) (typ, value string, ok bool) {
	s = strings.TrimSpace(strings.Trim(s, `"'`))
	if urlText.MatchString(s) {
		return URL, s, true
	}
	host := s
	if h, port, found := strings.Cut(s, ":"); found && !strings.Contains(port, ":") && isDigits(port) {
		host = h
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return IPAddress, a.String(), true
	}
	if hostname.MatchString(host) && !isDigits(strings.ReplaceAll(host, ".", "")) {
		return DomainName, strings.ToLower(host), true
	}
	return "", "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isSeedHost(v string) bool {
	v = strings.ToLower(v)
	return slices.Contains(SeedURLs, v)
}

// accumulator merges the sightings of each indicator.
type accumulator struct {
	byKey map[string]*sighting
	order []string
}

type sighting struct {
	typ, value  string
	fileNames   []string
	devices     []string
	rules       []string
	mitre       []string
	first, last string
	severity    int // rules.SeverityRank of the worst finding
}

func newAccumulator() *accumulator { return &accumulator{byKey: map[string]*sighting{}} }

var severityNames = []string{"High", "Medium", "Low", "Informational"}

func severityRank(s string) int {
	for i, n := range severityNames {
		if strings.EqualFold(n, s) {
			return i
		}
	}
	return len(severityNames) - 1
}

func (a *accumulator) add(typ, value string, fd *detect.Finding, mitre []string) {
	key := typ + "\x00" + strings.ToLower(value)
	s := a.byKey[key]
	if s == nil {
		s = &sighting{typ: typ, value: value, severity: len(severityNames) - 1}
		a.byKey[key] = s
		a.order = append(a.order, key)
	}
	addOnce(&s.fileNames, fd.FileName)
	addOnce(&s.devices, fd.Device)
	addOnce(&s.rules, fd.RuleID)
	for _, m := range mitre {
		addOnce(&s.mitre, m)
	}
	if fd.Time != "" {
		if s.first == "" || fd.Time < s.first {
			s.first = fd.Time
		}
		if fd.Time > s.last {
			s.last = fd.Time
		}
	}
	if r := severityRank(fd.Severity); r < s.severity {
		s.severity = r
	}
}

func addOnce(list *[]string, s string) {
	if s != "" && !slices.Contains(*list, s) {
		*list = append(*list, s)
	}
}

func (a *accumulator) indicators() []Indicator {
	var out []Indicator
	for _, k := range a.order {
		s := a.byKey[k]
		sort.Strings(s.devices)
		sort.Strings(s.rules)
		sort.Strings(s.mitre)
		in := Indicator{
			Type: s.typ, Value: s.value, Severity: severityNames[s.severity],
			Category: "Exfiltration", Mitre: s.mitre, GenerateAlert: true,
		}
		seen := "seen on " + joinSome(s.devices, "no named device")
		if s.first != "" {
			seen += " from " + s.first + " to " + s.last
		}
		seen += " (offhunt rules: " + strings.Join(s.rules, ", ") + ")"
		switch s.typ {
		case FileSha256:
			in.Action = "BlockAndRemediate"
			in.Title = "rclone binary seen in an exfiltration hunt"
			in.Description = "SHA256 of rclone run as " + joinSome(s.fileNames, "an unnamed file") + ", " + seen + "."
			in.RecommendedActions = "Block and quarantine the binary; find every device that ran it and the remotes it used."
		default:
			in.Action = "Block"
			in.Title = "rclone remote server seen in an exfiltration hunt"
			in.Description = "Server named in an rclone command line, " + seen + "."
			in.RecommendedActions = "Block the destination; check network events for the volume sent to it and ask its operator to preserve the data."
		}
		out = append(out, in)
	}
	return out
}

// joinSome lists up to five names, saying how many more there are.
func joinSome(names []string, none string) string {
	switch {
	case len(names) == 0:
		return none
	case len(names) > 5:
		return strings.Join(names[:5], ", ") + " and " + strconv.Itoa(len(names)-5) + " more"
	}
	return strings.Join(names, ", ")
}

var typeOrder = map[string]int{FileSha256: 0, IPAddress: 1, DomainName: 2, URL: 3}

func sortIndicators(in []Indicator) {
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if typeOrder[a.Type] != typeOrder[b.Type] {
			return typeOrder[a.Type] < typeOrder[b.Type]
		}
		return a.Value < b.Value
	})
}
