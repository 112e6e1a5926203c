//go:build js && wasm

package main

import (
	"context"
	"io"
	"strings"

	"offhunt/detect"
)

// warmFindings are the rows of warm's export that the rules find: a plain
// rclone copy, and a renamed rclone (by its flags, a remote, a config file
// and its version information), so that every rule, a finding's
// explanation and the findings' JSON run.
const warmFindings = `Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessVersionInfoOriginalFileName,ProcessVersionInfoCompanyName,ProcessVersionInfoInternalFileName,ProcessVersionInfoProductName,ProcessVersionInfoFileDescription,ProcessCommandLine,AccountName,InitiatingProcessFileName
2025-01-01T00:00:00Z,d1,host1,ProcessCreated,rclone.exe,C:\Users\Public\rclone.exe,,rclone.exe,https://rclone.org,rclone,Rclone,Rsync for cloud storage,"rclone.exe copy C:\data mega:exfil --ignore-existing --auto-confirm",alice,powershell.exe
2025-01-01T00:00:01Z,d1,host1,ProcessCreated,svchost.exe,C:\Users\Public\svchost.exe,,rclone.exe,https://rclone.org,rclone,Rclone,Rsync for cloud storage,"svchost.exe copy \\fs01\share remote:backup --transfers 8 --config C:\Users\Public\a.conf",alice,cmd.exe
`

// warmOrdinary are ordinary process creations, the bulk of any export:
// browsers, shells, copies, mapped drives, sync clients and cloud tools,
// with the words the rules look for (copy, config, s3, drive, flags, a
// colon after a drive letter or a switch) so that every rule's later
// steps (splitting the command line, its regexes) run too, as they do on
// real exports. None of them is a finding.
var warmOrdinary = []string{
	`2025-01-01T00:00:02Z,d2,host2,ProcessCreated,notepad.exe,C:\Windows\notepad.exe,,notepad.exe,Microsoft Corporation,notepad,Microsoft Windows,Notepad,"notepad.exe C:\Users\bob\notes.txt",bob,explorer.exe`,
	`2025-01-01T00:00:03Z,d2,host2,ProcessCreated,cmd.exe,C:\Windows\System32\cmd.exe,,Cmd.Exe,Microsoft Corporation,cmd,Microsoft Windows,Windows Command Processor,"cmd.exe /c ""copy /y C:\build\out.zip D:\backup\out.zip""",bob,explorer.exe`,
	`2025-01-01T00:00:04Z,d3,host3,ProcessCreated,git.exe,C:\Program Files\Git\bin\git.exe,,git.exe,The Git Development Community,git,Git,Git for Windows,"git.exe config --global core.autocrlf true",carol,pwsh.exe`,
	`2025-01-01T00:00:05Z,d3,host3,ProcessCreated,chrome.exe,C:\Program Files\Google\Chrome\Application\chrome.exe,,chrome.exe,Google LLC,chrome_exe,Google Chrome,Google Chrome,"""chrome.exe"" --type=renderer --lang=en-US /prefetch:1",carol,chrome.exe`,
	`2025-01-01T00:00:06Z,d4,host4,ProcessCreated,svchost.exe,C:\Windows\System32\svchost.exe,,svchost.exe,Microsoft Corporation,svchost.exe,Microsoft Windows,Host Process for Windows Services,"svchost.exe -k netsvcs -p -s Schedule",SYSTEM,services.exe`,
	`2025-01-01T00:00:07Z,d4,host4,ProcessCreated,robocopy.exe,C:\Windows\System32\Robocopy.exe,,robocopy.exe,Microsoft Corporation,robocopy,Microsoft Windows,Robust File Copy,"robocopy.exe C:\data \\nas01\backup /E /R:2 /W:5 /LOG:C:\logs\robo.log",svc_backup,cmd.exe`,
	`2025-01-01T00:00:08Z,d5,host5,ProcessCreated,net.exe,C:\Windows\System32\net.exe,,net.exe,Microsoft Corporation,net.exe,Microsoft Windows,Net Command,"net.exe use Z: \\fileserver\projects /persistent:no",dave,explorer.exe`,
	`2025-01-01T00:00:09Z,d5,host5,ProcessCreated,aws.exe,C:\Program Files\Amazon\AWSCLIV2\aws.exe,,aws.exe,Amazon Web Services,aws,AWS CLI,AWS Command Line Interface,"aws.exe s3 ls s3://corp-reports/2025/ --profile reporting",dave,pwsh.exe`,
	`2025-01-01T00:00:10Z,d6,host6,ProcessCreated,OneDrive.exe,C:\Program Files\Microsoft OneDrive\OneDrive.exe,,OneDrive.exe,Microsoft Corporation,OneDrive,Microsoft OneDrive,Microsoft OneDrive,"""OneDrive.exe"" /background",erin,explorer.exe`,
	`2025-01-01T00:00:11Z,d6,host6,ProcessCreated,msedge.exe,C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe,,msedge.exe,Microsoft Corporation,msedge_exe,Microsoft Edge,Microsoft Edge,"""msedge.exe"" --type=utility --utility-sub-type=network.mojom.NetworkService",erin,msedge.exe`,
	`2025-01-01T00:00:12Z,d7,host7,ProcessCreated,powershell.exe,C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe,,PowerShell.EXE,Microsoft Corporation,POWERSHELL,Microsoft Windows,Windows PowerShell,"powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\scripts\backup.ps1",svc_backup,svchost.exe`,
	`2025-01-01T00:00:13Z,d7,host7,ProcessCreated,conhost.exe,C:\Windows\System32\conhost.exe,,CONHOST.EXE,Microsoft Corporation,ConHost,Microsoft Windows,Console Window Host,"conhost.exe 0xffffffff -ForceV1",svc_backup,powershell.exe`,
}

// warmRepeats is how many times warm's export repeats warmOrdinary
// (24,000 rows, 4 MB). Measured with five ordinary lines on the 75 MB
// bench export: 1,500 repeats gave scans of 1.8-1.9 s, 4,000 1.6-1.7 s,
// 10,000 no faster and 10 MB more WebAssembly memory; with these twelve,
// 2,000 repeats give 1.6-1.8 s.
const warmRepeats = 2000

// warm scans a small export once before the engine says it is ready.
// WebAssembly is compiled lazily and in tiers: a function is first
// compiled quickly to slow code and optimised once it has run enough, and
// a call already running keeps the code it started with, so a scan
// entered cold ran its whole pass in slow code. Measured in Chromium on
// the 75 MB bench export, in alternating runs: 2.7-3.7 s cold, 2.7-2.9 s
// warmed with three rows (which only spares the rules' first compile,
// 0.25-0.33 s), 1.6-1.7 s warmed with warmRepeats. The engine is ready
// about 1.3 s later (3 s after the page loads instead of 1.7 s); an
// analyst has rarely chosen a file by then, and a file dropped earlier
// waits, as it always did.
func warm() {
	defer func() { _ = recover() }() // warming is an optimisation: never fatal
	_, _ = warmScan()
}

// warmExport is warm's export: warmFindings, then warmOrdinary repeated.
func warmExport() string {
	return warmFindings + strings.Repeat(strings.Join(warmOrdinary, "\n")+"\n", warmRepeats)
}

// warmScan is warm's scan; it returns the findings so that a test can
// check that warming runs the rules, not an error.
func warmScan() (*detect.Findings, error) {
	text := warmExport()
	in := detect.Input{Name: "warm.csv", Size: int64(len(text)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(text)), nil
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
