//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"syscall/js"
	"testing"
)

// Run with: GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./wasm/browser
// (Node.js provides Blob, as the browser does.)

// blob makes a JavaScript Blob holding b.
func blob(b []byte) js.Value {
	u8 := uint8Array.New(len(b))
	js.CopyBytesToJS(u8, b)
	return js.Global().Get("Blob").New([]any{u8})
}

func TestBlobReader(t *testing.T) {
	// Chunks double from firstChunkSize up to maxChunkSize: 1, 2, 4, 8,
	// 16, 16 MiB and the rest.
	size := 15*firstChunkSize + 2*maxChunkSize + 12345
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	b := blob(data)
	var reads []int64
	for pass := 0; pass < 2; pass++ { // Open may be called again: a new stream
		r := newBlobReader(b, "t/0", int64(len(data)), func(n int64) { reads = append(reads, n) })
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("pass %d: read %d bytes, want the %d of the blob", pass, len(got), len(data))
		}
		r.Close()
		if _, err := r.Read(make([]byte, 1)); err == nil {
			t.Error("a read after Close succeeded")
		}
	}
	var want []int64
	for pass := 0; pass < 2; pass++ {
		for _, end := range []int{1, 3, 7, 15, 31, 47} {
			want = append(want, int64(end*firstChunkSize))
		}
		want = append(want, int64(size))
	}
	if fmt.Sprint(reads) != fmt.Sprint(want) {
		t.Errorf("progress after each chunk: %v, want %v", reads, want)
	}
	empty := newBlobReader(blob(nil), "t/1", 0, nil)
	if n, err := empty.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("empty blob: %d, %v", n, err)
	}
}

// TestBlobReaderParksItsHead: a reader closed within its file's head (the
// look at a file before a scan) is taken over by the next open of the same
// file, from the start: the file is read once, each piece asked for once,
// the bytes are the file's, and it is the same read (no second pass). A
// reader that read a small file whole is taken over too, as a new pass
// that asks for nothing; one that went past parkBytes is let go, and so
// is a parked one when another file is opened or the run ends.
func TestBlobReaderParksItsHead(t *testing.T) {
	var asked []string
	read := js.FuncOf(func(_ js.Value, args []js.Value) any {
		asked = append(asked, fmt.Sprintf("%s:%d-%d", args[3].String(), args[1].Int(), args[2].Int()))
		return args[0].Call("slice", args[1], args[2]).Call("arrayBuffer")
	})
	defer read.Release()
	js.Global().Set("offhuntRead", read)
	defer js.Global().Delete("offhuntRead")
	fill := func(n int) []byte { return bytes.Repeat([]byte("offhunt parks the head "), n/23+1)[:n] }
	readAll := func(r *blobReader, want []byte, what string) {
		t.Helper()
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: read %d bytes, not the file's %d", what, len(got), len(want))
		}
	}

	size := 5*firstChunkSize + 777
	data := fill(size)
	b := blob(data)
	head, sameRead := openBlob(b, "p/0", int64(size), nil)
	if sameRead {
		t.Fatal("the first open of a file continued a read")
	}
	if _, err := io.ReadFull(head, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	head.Close()
	if _, err := head.Read(make([]byte, 1)); err == nil {
		t.Error("a read after Close succeeded")
	}
	scan, sameRead := openBlob(b, "p/0", int64(size), nil)
	if scan != head || !sameRead {
		t.Fatalf("the scan's open did not take over the parked reader as the same read (%v)", sameRead)
	}
	readAll(scan, data, "the resumed reader")
	want := fmt.Sprintf("[p/0:0-%d p/0:%d-%d p/0:%d-%d]", firstChunkSize, firstChunkSize, 3*firstChunkSize, 3*firstChunkSize, size)
	if fmt.Sprint(asked) != want {
		t.Errorf("pieces asked for: %v, want each once: %s", asked, want)
	}
	scan.Close()
	again, sameRead := openBlob(b, "p/0", int64(size), nil)
	if again != scan || sameRead {
		t.Fatalf("a second pass over a small file read whole did not reuse its chunks as a new pass (%v)", sameRead)
	}
	readAll(again, data, "the second pass")
	if fmt.Sprint(asked) != want {
		t.Errorf("the second pass asked for pieces again: %v", asked)
	}
	again.Close()
	dropParked()
	if parked != nil {
		t.Error("the end of a run kept the parked reader")
	}

	large := fill(parkBytes + firstChunkSize + 5)
	r, _ := openBlob(blob(large), "p/1", int64(len(large)), nil)
	readAll(r, large, "a file larger than parkBytes")
	r.Close()
	if parked != nil {
		t.Error("a reader that went past parkBytes was parked")
	}

	head, _ = openBlob(b, "p/2", int64(size), nil)
	io.ReadFull(head, make([]byte, 10))
	head.Close()
	if other, _ := openBlob(blob(data[:10]), "p/3", 10, nil); other == head {
		t.Error("another file's open took over the parked reader")
	}
	if parked != nil {
		t.Error("the parked reader was kept after another file's open")
	}
}

func TestDispatchRecoversPanics(t *testing.T) {
	handlers["test-panic"] = func(js.Value, *reporter) (map[string]any, error) {
		var m map[string]int
		m["boom"]++ // a nil map write panics
		return nil, nil
	}
	defer delete(handlers, "test-panic")
	msg := js.ValueOf(map[string]any{"id": 1, "type": "test-panic"})
	_, err := dispatch(msg, js.Undefined())
	if err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("a panic gave %v, want an internal error", err)
	}
	if v := errorValue(err); v["kind"] != "internal" {
		t.Errorf("kind %v", v["kind"])
	}
	if _, err := dispatch(js.ValueOf(map[string]any{"id": 2, "type": "nope"}), js.Undefined()); err == nil || !strings.Contains(err.Error(), "unknown message type") {
		t.Errorf("unknown type: %v", err)
	}
}

func TestRulesAndParse(t *testing.T) {
	res, err := dispatch(js.ValueOf(map[string]any{"id": 1, "type": "rules"}), js.Undefined())
	if err != nil {
		t.Fatal(err)
	}
	if rs := res["rules"].([]any); len(rs) == 0 || rs[0].(map[string]any)["query"] == "" {
		t.Errorf("rules: %v", res)
	}
	res, err = dispatch(js.ValueOf(map[string]any{"id": 2, "type": "parseRules", "files": []any{
		map[string]any{"name": "ok.kql", "text": "// id: x\n// title: X\n// severity: low\nDeviceProcessEvents\n"},
		map[string]any{"name": "bad.kql", "text": "// id: y\n// title: Y\n// severity: urgent\nDeviceProcessEvents\n"},
	}}), js.Undefined())
	if err != nil {
		t.Fatal(err)
	}
	files := res["files"].([]any)
	if files[0].(map[string]any)["rule"] == nil {
		t.Errorf("ok.kql: %v", files[0])
	}
	bad := files[1].(map[string]any)["error"].(map[string]any)
	if bad["kind"] != "rule" || bad["line"] != 3 {
		t.Errorf("bad.kql: %v", bad)
	}
}

func TestScanOverBlob(t *testing.T) {
	csv := "Timestamp,DeviceName,AccountName,FileName,ProcessCommandLine\n" +
		"2025-09-05T22:14:03Z,ws1,jdoe,rclone.exe,\"rclone.exe copy C:\\data mega:x --ignore-existing --auto-confirm\"\n"
	files := js.Global().Get("Array").New()
	f := js.Global().Get("Object").New()
	f.Set("file", blob([]byte(csv)))
	f.Set("name", "e.csv")
	files.Call("push", f)
	msg := js.Global().Get("Object").New()
	msg.Set("type", "scan")
	msg.Set("files", files)
	msg.Set("now", "latest")
	var progress int
	fn := js.FuncOf(func(js.Value, []js.Value) any { progress++; return nil })
	defer fn.Release()
	res, err := dispatch(msg, fn.Value)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res["json"].(string), `"ruleId":"rclone-seed-copy-args"`) || !strings.HasSuffix(res["json"].(string), "}\n") {
		t.Errorf("findings: %.300s", res["json"])
	}
	if progress == 0 {
		t.Error("no progress reported")
	}
	out, err := dispatch(js.ValueOf(map[string]any{"type": "export", "what": "findings-csv"}), js.Undefined())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out["text"].(string), "Time,Severity,RuleId,") {
		t.Errorf("findings CSV: %.200s", out["text"])
	}
}

// TestWarmScanRunsTheRules: the start-up scan (warm) reads its export and
// every built-in rule fires on it, so warming compiles and runs their
// code, not an error path, and its ordinary rows fire none.
func TestWarmScanRunsTheRules(t *testing.T) {
	f, err := warmScan()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Summary.ByRule) != len(f.Rules) {
		t.Errorf("warming fired %d of the %d rules (%v)", len(f.Summary.ByRule), len(f.Rules), f.Summary.ByRule)
	}
	// Only the two rclone rows: an ordinary row found would make warming
	// hold a finding per repeat.
	if len(f.Findings) > 2*len(f.Rules) {
		t.Errorf("warming found %d findings; its ordinary rows must find none", len(f.Findings))
	}
	if len(f.Inputs) != 1 || f.Inputs[0].BadRows != 0 || f.Inputs[0].Rows != int64(warmRows) || f.Inputs[0].Schema != "DeviceProcessEvents" {
		t.Errorf("warming's export read badly (want %d DeviceProcessEvents rows, none bad): %+v", warmRows, f.Inputs)
	}
}
