//go:build js && wasm

package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"offhunt/detect"
)

// warmHeader is the header of warm's export: the columns, in their order,
// of a Defender XDR DeviceProcessEvents export, so that warming runs what
// a real scan runs (36 fields a record, hashes, numbers, three times, the
// account and parent columns), not a cut-down table.
const warmHeader = "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA1,SHA256,MD5,FileSize," +
	"ProcessVersionInfoCompanyName,ProcessVersionInfoProductName,ProcessVersionInfoProductVersion," +
	"ProcessVersionInfoInternalFileName,ProcessVersionInfoOriginalFileName,ProcessVersionInfoFileDescription," +
	"ProcessId,ProcessCommandLine,ProcessIntegrityLevel,ProcessTokenElevation,ProcessCreationTime," +
	"AccountDomain,AccountName,AccountSid,AccountUpn,AccountObjectId,LogonId," +
	"InitiatingProcessAccountDomain,InitiatingProcessAccountName,InitiatingProcessFileName," +
	"InitiatingProcessFolderPath,InitiatingProcessId,InitiatingProcessCommandLine," +
	"InitiatingProcessCreationTime,InitiatingProcessParentFileName,ReportId"

// warmProcess is one process creation of warm's export: the columns that
// tell programs apart; warmRow fills in the rest.
type warmProcess struct {
	file, folder, company, product, internal, original, description, commandLine, account, parent string
}

// warmFindings are the rows of warm's export that the rules find: a plain
// rclone copy, and a renamed rclone (by its flags, a remote, a config file
// and its version information), so that every rule, a finding's
// explanation and the findings' JSON run.
var warmFindings = []warmProcess{
	{`rclone.exe`, `C:\Users\Public\rclone.exe`, `https://rclone.org`, `Rclone`, `rclone`, `rclone.exe`, `Rsync for cloud storage`, `rclone.exe copy C:\data mega:exfil --ignore-existing --auto-confirm`, `alice`, `powershell.exe`},
	{`svchost.exe`, `C:\Users\Public\svchost.exe`, `https://rclone.org`, `Rclone`, `rclone`, `rclone.exe`, `Rsync for cloud storage`, `svchost.exe copy \\fs01\share remote:backup --transfers 8 --config C:\Users\Public\a.conf`, `alice`, `cmd.exe`},
}

// warmOrdinary are ordinary process creations, the bulk of any export:
// browsers, shells, copies, mapped drives, sync clients and cloud tools,
// with the words the rules look for (copy, config, s3, drive, flags, a
// colon after a drive letter or a switch) so that every rule's later
// steps (splitting the command line, its regexes) run too, as they do on
// real exports. None of them is a finding.
var warmOrdinary = []warmProcess{
	{`notepad.exe`, `C:\Windows\notepad.exe`, `Microsoft Corporation`, `Microsoft Windows`, `notepad`, `notepad.exe`, `Notepad`, `notepad.exe C:\Users\bob\notes.txt`, `bob`, `explorer.exe`},
	{`cmd.exe`, `C:\Windows\System32\cmd.exe`, `Microsoft Corporation`, `Microsoft Windows`, `cmd`, `Cmd.Exe`, `Windows Command Processor`, `cmd.exe /c "copy /y C:\build\out.zip D:\backup\out.zip"`, `bob`, `explorer.exe`},
	{`git.exe`, `C:\Program Files\Git\bin\git.exe`, `The Git Development Community`, `Git`, `git`, `git.exe`, `Git for Windows`, `git.exe config --global core.autocrlf true`, `carol`, `pwsh.exe`},
	{`chrome.exe`, `C:\Program Files\Google\Chrome\Application\chrome.exe`, `Google LLC`, `Google Chrome`, `chrome_exe`, `chrome.exe`, `Google Chrome`, `"chrome.exe" --type=renderer --lang=en-US /prefetch:1`, `carol`, `chrome.exe`},
	{`svchost.exe`, `C:\Windows\System32\svchost.exe`, `Microsoft Corporation`, `Microsoft Windows`, `svchost.exe`, `svchost.exe`, `Host Process for Windows Services`, `svchost.exe -k netsvcs -p -s Schedule`, `SYSTEM`, `services.exe`},
	{`robocopy.exe`, `C:\Windows\System32\Robocopy.exe`, `Microsoft Corporation`, `Microsoft Windows`, `robocopy`, `robocopy.exe`, `Robust File Copy`, `robocopy.exe C:\data \\nas01\backup /E /R:2 /W:5 /LOG:C:\logs\robo.log`, `svc_backup`, `cmd.exe`},
	{`net.exe`, `C:\Windows\System32\net.exe`, `Microsoft Corporation`, `Microsoft Windows`, `net.exe`, `net.exe`, `Net Command`, `net.exe use Z: \\fileserver\projects /persistent:no`, `dave`, `explorer.exe`},
	{`aws.exe`, `C:\Program Files\Amazon\AWSCLIV2\aws.exe`, `Amazon Web Services`, `AWS CLI`, `aws`, `aws.exe`, `AWS Command Line Interface`, `aws.exe s3 ls s3://corp-reports/2025/ --profile reporting`, `dave`, `pwsh.exe`},
	{`OneDrive.exe`, `C:\Program Files\Microsoft OneDrive\OneDrive.exe`, `Microsoft Corporation`, `Microsoft OneDrive`, `OneDrive`, `OneDrive.exe`, `Microsoft OneDrive`, `"OneDrive.exe" /background`, `erin`, `explorer.exe`},
	{`msedge.exe`, `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `Microsoft Corporation`, `Microsoft Edge`, `msedge_exe`, `msedge.exe`, `Microsoft Edge`, `"msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService`, `erin`, `msedge.exe`},
	{`powershell.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `Microsoft Corporation`, `Microsoft Windows`, `POWERSHELL`, `PowerShell.EXE`, `Windows PowerShell`, `powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\scripts\backup.ps1`, `svc_backup`, `svchost.exe`},
	{`conhost.exe`, `C:\Windows\System32\conhost.exe`, `Microsoft Corporation`, `Microsoft Windows`, `ConHost`, `CONHOST.EXE`, `Console Window Host`, `conhost.exe 0xffffffff -ForceV1`, `svc_backup`, `powershell.exe`},
}

// warmRepeats is how many times warm's export repeats warmOrdinary (24,000
// rows, 18 MB, generated as it is read). WebAssembly's engines optimise a
// function once it has run a set amount of code (V8: about 1.8 MB of its
// bytes), so a function called once a row needs tens of thousands of rows:
// measured in Node on the 75 MB bench export, a first scan took 1.9-2.0 s
// cold, 1.76 s after 6,000 such rows, 1.37 s after 24,000, 1.30 s after
// 60,000, and the fifth scan 1.2-1.3 s.
const warmRepeats = 2000

// warmRow appends row i of warm's export, process p, to b: the columns
// warmProcess leaves out hold values of their real shape (hex hashes,
// numbers, ISO times, SIDs), varying with i.
func warmRow(b []byte, i int, p warmProcess) []byte {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Second).AppendFormat(nil, "2006-01-02T15:04:05.000Z")
	hex := func(n int) []byte {
		h := make([]byte, 0, n)
		for x := uint64(i+1) * 0x9E3779B97F4A7C15; len(h) < n; x = x*6364136223846793005 + 1442695040888963407 {
			h = strconv.AppendUint(h, x>>4, 16)
		}
		return h[:n]
	}
	field := func(s string) {
		if strings.ContainsAny(s, ",\"\n") {
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
			b = append(b, '"')
		} else {
			b = append(b, s...)
		}
		b = append(b, ',')
	}
	num := func(n int) { b = append(strconv.AppendInt(b, int64(n), 10), ',') }
	host := "ws-" + strconv.Itoa(100+i%400)
	field(string(at))
	field(string(hex(40)))
	field(host + ".corp.example")
	field("ProcessCreated")
	field(p.file)
	field(p.folder)
	field(string(hex(40)))
	field(string(hex(64)))
	field(string(hex(32)))
	num(40_000 + i*37%900_000)
	field(p.company)
	field(p.product)
	field("10.0.19041.1")
	field(p.internal)
	field(p.original)
	field(p.description)
	num(1_000 + i*13%60_000)
	field(p.commandLine)
	field("Medium")
	field("TokenElevationTypeDefault")
	field(string(at))
	field("corp")
	field(p.account)
	field("S-1-5-21-1-2-3-" + strconv.Itoa(1000+i%9000))
	field(p.account + "@corp.example")
	field(string(hex(32)))
	num(100_000_000 + i*7919%900_000_000)
	field("corp")
	field(p.account)
	field(p.parent)
	field(`C:\Windows\` + p.parent)
	num(500 + i*17%60_000)
	field(p.parent)
	field(string(at))
	field("userinit.exe")
	b = strconv.AppendInt(b, int64(100_000+i%900_000), 10)
	return append(b, '\n')
}

// warm scans an export of its own once before the engine says it is
// ready. WebAssembly is compiled lazily and in tiers: a function is first
// compiled quickly to slow code and optimised once it has run enough (see
// warmRepeats), so a first scan entered cold ran much of its pass in slow
// code. Measured in Chromium on the 75 MB bench export, in alternating
// runs: 2.7-3.7 s cold, 1.6-1.7 s warmed with 4 MB of short rows; a CPU
// profile of the worker then still showed the first scan's row functions
// (term matching, lower-casing, CSV splitting) up to three times slower
// than the second scan's, which warming with warmRepeats rows of the
// Defender shape ended. The engine is ready 3-3.7 s after the page loads
// (2.9-3.7 s with the short rows); a file dropped earlier waits, as it
// always did.
func warm() {
	defer func() { _ = recover() }() // warming is an optimisation: never fatal
	_, _ = warmScan()
}

// warmSource generates warm's export as it is read: the header,
// warmFindings, then warmOrdinary warmRepeats times. Warming holds no
// export in memory (the WebAssembly memory never shrinks).
type warmSource struct {
	buf []byte
	pos int
	row int // rows generated
}

// warmRows is the number of rows of warm's export.
var warmRows = len(warmFindings) + warmRepeats*len(warmOrdinary)

func (w *warmSource) Read(p []byte) (int, error) {
	if w.pos == len(w.buf) {
		if w.row == warmRows {
			return 0, io.EOF
		}
		w.buf, w.pos = w.buf[:0], 0
		if w.row == 0 {
			w.buf = append(w.buf, warmHeader+"\n"...)
		}
		for ; w.row < warmRows && len(w.buf) < 64<<10; w.row++ {
			var p warmProcess
			if w.row < len(warmFindings) {
				p = warmFindings[w.row]
			} else {
				p = warmOrdinary[(w.row-len(warmFindings))%len(warmOrdinary)]
			}
			w.buf = warmRow(w.buf, w.row, p)
		}
	}
	n := copy(p, w.buf[w.pos:])
	w.pos += n
	return n, nil
}

// warmScan is warm's scan; it returns the findings so that a test can
// check that warming runs the rules, not an error.
func warmScan() (*detect.Findings, error) {
	in := detect.Input{Name: "warm.csv", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(&warmSource{}), nil
	}}
	f, err := detect.Scan(context.Background(), []detect.Input{in}, detect.ScanOptions{Options: detect.Options{Now: "latest"}, OnFinding: func(detect.Finding) {}})
	if err != nil {
		return nil, err
	}
	if _, err := FindingsJSON(f); err != nil {
		return nil, err
	}
	return f, nil
}
