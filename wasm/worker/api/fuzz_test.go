package api

import (
	"net/http"
	"testing"
)

// FuzzRequests posts arbitrary bodies the ways a client can (raw CSV,
// JSON, NDJSON, gzip, a form) to /api/scan and /api/query. Bad input is
// never a 500: that status means a bug.
func FuzzRequests(f *testing.F) {
	f.Add([]byte("Timestamp,FileName,ProcessCommandLine\n2025-09-07T12:00:00Z,rclone.exe,rclone.exe copy a b\n"), uint8(0), "")
	f.Add([]byte(`[{"Timestamp":"2025-09-07T12:00:00Z","FileName":"rclone.exe"}]`), uint8(1), "DeviceProcessEvents | take 1")
	f.Add([]byte("{\"FileName\":\"x\"}\n{\"FileName\":"), uint8(2), "")
	f.Add([]byte("\x1f\x8b\x08\x00garbage"), uint8(3), "")
	f.Add([]byte("PK\x03\x04"), uint8(4), "input | summarize count() by FileName")
	f.Add([]byte("a,\"b\nc"), uint8(5), "| where")
	types := []string{"text/csv", "application/json", "application/x-ndjson"}
	h := newTestHandler(Config{MaxBodyBytes: 1 << 20, MaxSpoolBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, query string) {
		var r *http.Request
		path := "/api/scan"
		if mode&8 != 0 && query != "" {
			path = "/api/query"
		}
		switch {
		case mode&4 != 0:
			fields := []field{{"now", "", "latest"}}
			if query != "" {
				fields = append(fields, field{"query", "", query})
			}
			r = postForm(t, path, append(fields, field{"file", "f.csv", string(body)})...)
		case mode&16 != 0:
			r = post(path+"?now=latest", types[int(mode)%len(types)], gzipBytes(t, body))
			r.Header.Set("Content-Encoding", "gzip")
		default:
			r = post(path+"?now=latest", types[int(mode)%len(types)], body)
		}
		if path == "/api/query" && mode&4 == 0 {
			q := r.URL.Query()
			q.Set("query", query)
			r.URL.RawQuery = q.Encode()
		}
		w := serve(h, r)
		if w.Code >= 500 {
			t.Fatalf("%s answered %d to bad input: %.500s", path, w.Code, w.Body)
		}
	})
}
