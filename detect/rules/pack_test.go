package rules_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"offhunt/detect"
	"offhunt/detect/rules"
)

var mitreID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// TestPackHeaders checks that every rule of the pack carries what the
// findings, `offhunt rules` and the Sentinel export show: an id that is
// its file name, a title, a severity, MITRE ATT&CK ids, a description,
// known false positives, next actions and references.
func TestPackHeaders(t *testing.T) {
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(pack) < 7 {
		t.Errorf("the pack has %d rules, want at least 7", len(pack))
	}
	for _, r := range pack {
		if want := "builtin:" + r.ID + ".kql"; r.File != want {
			t.Errorf("%s: file %s, want %s", r.ID, r.File, want)
		}
		for name, v := range map[string]string{"description": r.Description, "falsepositives": r.FalsePositives, "actions": r.Actions, "author": r.Author, "released": r.Released} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: no %s", r.ID, name)
			}
		}
		if _, err := time.Parse("2006-01-02", r.Released); err != nil {
			t.Errorf("%s: released %q is not a date", r.ID, r.Released)
		}
		if len(r.Mitre) == 0 || len(r.References) == 0 {
			t.Errorf("%s: mitre %q, references %q", r.ID, r.Mitre, r.References)
		}
		for _, m := range r.Mitre {
			if !mitreID.MatchString(m) {
				t.Errorf("%s: %q is not a MITRE ATT&CK technique id", r.ID, m)
			}
		}
		for _, ref := range r.References {
			if !strings.HasPrefix(ref, "https://") {
				t.Errorf("%s: reference %q is not an https URL", r.ID, ref)
			}
		}
	}
}

// hardCase is a command line in a Defender row, and the rules that must
// flag it (none for a benign one).
type hardCase struct {
	file, cmd string // file: a name (in C:\Tools) or a full path
	want      []string
}

// TestPackHardCases runs the pack over cases the labelled set does not
// hold: the misses the issue names (RCLONE.EXE, a quoted path, ./rclone,
// sync, mount, config create), renamed binaries that show only a remote,
// and benign command lines built to look like rclone's (git config, sc
// config, kubectl contexts, NFS mounts under sudo, dev servers on
// host:port, PowerShell drives, URLs, robocopy switches).
func TestPackHardCases(t *testing.T) {
	cases := []hardCase{
		{"RCLONE.EXE", `RCLONE.EXE config show`, []string{"rclone-by-name", "rclone-config"}},
		{"rclone.exe", `"C:\Program Files\rclone\rclone.exe" sync D:\Finance gdrive:fin --fast-list`, []string{"rclone-by-name", "rclone-exfil-backend"}},
		{"rclone", `./rclone sync /var/www remote:site`, []string{"rclone-by-name"}},
		{"rclone", `/usr/bin/rclone mount remote: /mnt/x --daemon`, []string{"rclone-by-name"}},
		{"rclone-v1.66.0-windows-amd64.exe", `rclone-v1.66.0-windows-amd64.exe lsd remote:`, []string{"rclone-by-name"}},
		{"rclone.exe", `rclone.exe obscure Summer2025!`, []string{"rclone-by-name", "rclone-config"}},
		{"cmd.exe", `cmd.exe /c rclone.exe copy C:\Users\x\Documents remote:docs`, []string{"rclone-by-name"}},
		{"bash", `bash -c "./rclone copy /home/x remote:y"`, nil}, // one argument of bash: the child process's own row is the evidence
		{"upd.exe", `C:\ProgramData\upd.exe copy C:\Users\x\Documents :mega,user=a@b.c,pass=x:docs`, []string{"rclone-renamed-args", "rclone-exfil-backend"}},
		{"upd.exe", `upd.exe sync D:\ secret:bucket`, []string{"rclone-renamed-args"}},
		{"upd.exe", `upd.exe --transfers 8 move E:\HR backup:hr`, []string{"rclone-renamed-args"}},
		{"upd.exe", `upd.exe obscure Summer2025!`, []string{"rclone-config"}},
		{"upd.exe", `upd.exe config create s3x s3 provider AWS access_key_id AKIA`, []string{"rclone-config", "rclone-exfil-backend"}},
		{"notepad.exe", `notepad.exe C:\Users\x\AppData\Roaming\rclone\rclone.conf`, []string{"rclone-config"}},
		{"PsExec64.exe", `PsExec64.exe \\fs01 -s C:\Windows\svc.exe copy D:\Shares remote:x`, []string{"rclone-renamed-args"}},
		{`C:\Users\Public\rclone.exe`, `rclone.exe lsd remote:`, []string{"rclone-by-name", "rclone-unusual-location"}},
		{`/dev/shm/rclone`, `/dev/shm/rclone lsd remote:`, []string{"rclone-by-name", "rclone-unusual-location"}},
		{`C:\ProgramData\chocolatey\bin\rclone.exe`, `rclone.exe lsd remote:`, []string{"rclone-by-name"}},

		{"git.exe", `git.exe config --global user.name "J Doe"`, nil},
		{"git.exe", `"C:\Program Files\Git\cmd\git.exe" config remote.origin.url git@github.com:org/repo.git`, nil},
		{"sc.exe", `sc.exe config wuauserv start= disabled`, nil},
		{"kubectl.exe", `kubectl.exe config use-context arn:aws:eks:us-east-1:123456789012:cluster/prod`, nil},
		{"kubectl.exe", `kubectl.exe config use-context prod:east`, nil},
		{"docker.exe", `docker.exe config create my_config ./config.json`, nil},
		{"docker.exe", `docker.exe run -v data:/data alpine ls /data`, nil},
		{"sudo", `sudo mount -t nfs ftpserver:/export /mnt/backup`, nil},
		{"mkdocs.exe", `mkdocs.exe serve -a localhost:8000`, nil},
		{"tailscale.exe", `tailscale.exe serve https:443 / http://127.0.0.1:3000`, nil},
		{"powershell.exe", `powershell.exe ls env:`, nil},
		{"powershell.exe", `powershell.exe copy \\fs01\share\tool.exe C:\Windows\Temp\tool.exe`, nil},
		{"aws.exe", `aws.exe s3 sync . s3://bucket --include *.txt`, nil},
		{"azcopy.exe", `azcopy.exe copy C:\data https://acct.blob.core.windows.net/c?sv=x --recursive`, nil},
		{"openvpn.exe", `openvpn.exe --config "C:\Program Files\OpenVPN\config\client.conf"`, nil},
		{"hugo.exe", `hugo.exe serve --config config.toml`, nil},
		{"choco.exe", `choco.exe install rclone -y`, nil},
		{"winget.exe", `winget.exe install Rclone.Rclone`, nil},
		{"powershell.exe", `powershell.exe Get-Process rclone | Stop-Process`, nil},
		{"robocopy.exe", `robocopy.exe C:\src \\nas\backup /COPY:DAT /MIR /R:1`, nil},
		{"scp.exe", `scp.exe -r C:\data user@host:/srv/data`, nil},
		{"wget.exe", `wget.exe --no-check-certificate https://example.org/y.zip`, nil},
		{"schtasks.exe", `schtasks.exe /create /tn upd /tr C:\x.exe /st 12:30`, nil},
		{"vssadmin.exe", `vssadmin.exe delete shadows /all /quiet`, nil},
		{"ollama.exe", `ollama.exe serve`, nil},
		{"repo", `repo sync -j8 --no-tags`, nil},
	}
	base := time.Date(2025, 9, 5, 9, 0, 0, 0, time.UTC)
	var events []*event
	for i, c := range cases {
		row := processRow(i, base.Add(time.Duration(i)*time.Minute), c.cmd, len(c.want) > 0)
		row["FileName"], row["FolderPath"] = c.file, `C:\Tools\`+c.file
		if i := strings.LastIndexAny(c.file, `\/`); i >= 0 {
			row["FileName"], row["FolderPath"] = c.file[i+1:], c.file
		}
		row["InitiatingProcessFileName"], row["InitiatingProcessParentFileName"] = "explorer.exe", "userinit.exe"
		for _, k := range []string{"ProcessVersionInfoCompanyName", "ProcessVersionInfoProductName", "ProcessVersionInfoInternalFileName", "ProcessVersionInfoOriginalFileName", "ProcessVersionInfoFileDescription"} {
			row[k] = ""
		}
		events = append(events, &event{id: int64(i), cols: row})
	}
	p := writeExport(t, t.TempDir(), "hard.csv", defenderColumns(t), events)
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, err := detect.Scan(context.Background(), []detect.Input{fileInput(p)}, detect.ScanOptions{Options: detect.Options{Now: "latest"}, Rules: pack})
	if err != nil {
		t.Fatal(err)
	}
	got := make([][]string, len(cases))
	for _, fd := range f.Findings {
		id, _ := reportID(fd)
		if fd.RuleID != seedRuleID {
			got[id] = append(got[id], fd.RuleID)
		}
	}
	for i, c := range cases {
		slices.Sort(got[i])
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got[i], want) {
			t.Errorf("%s: rules %q, want %q", c.cmd, got[i], want)
		}
	}
}

// TestLoadFolder checks loading a folder of user rules, and that two rules
// with one id are refused.
func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.kql"), "// id: a\n// title: A\n// severity: low\nDeviceProcessEvents | take 1\n")
	write(t, filepath.Join(dir, "b.KQL"), "// id: b\n// title: B\n// severity: informational\nDeviceProcessEvents | take 1\n")
	write(t, filepath.Join(dir, "notes.txt"), "not a rule")
	rs, err := rules.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].ID != "a" || rs[1].ID != "b" {
		t.Fatalf("loaded %d rules: %+v", len(rs), rs)
	}
	write(t, filepath.Join(dir, "c.kql"), "// id: a\n// title: A again\n// severity: low\nDeviceProcessEvents | take 1\n")
	if _, err := rules.Load(dir); err == nil || !strings.Contains(err.Error(), `rule id "a" is already used`) {
		t.Errorf("duplicate ids: error %v", err)
	}
	if _, err := rules.Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .kql rule files") {
		t.Errorf("empty folder: error %v", err)
	}
}

// TestSentinelYAML checks the Sentinel export of every rule of the pack:
// a stable GUID, the table it reads, and its query without the header.
func TestSentinelYAML(t *testing.T) {
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	guid := regexp.MustCompile(`^id: [0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n`)
	seen := map[string]bool{}
	for _, r := range pack {
		b, err := rules.SentinelYAML(r)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		y := string(b)
		if !guid.MatchString(y) || seen[rules.SentinelID(r)] || rules.SentinelID(r) != rules.SentinelID(r) {
			t.Errorf("%s: id line %q", r.ID, strings.SplitN(y, "\n", 2)[0])
		}
		seen[rules.SentinelID(r)] = true
		if !strings.Contains(y, "    dataTypes:\n      - DeviceProcessEvents\nqueryFrequency:") || strings.Contains(y, "\n  // id:") ||
			!strings.HasSuffix(y, "version: 1.0.0\nkind: Scheduled\n") {
			t.Errorf("%s:\n%s", r.ID, y)
		}
	}
}
