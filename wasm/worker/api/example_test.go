package api_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"

	"offhunt/wasm/worker/api"
)

// Example runs a query over a raw CSV body, as a SOAR playbook would post
// an export, and shows the Log Analytics result shape it answers.
func Example() {
	h := api.New(api.Config{})
	export := "Timestamp,DeviceName,FileName\n2025-09-07T12:00:00Z,ws-1,rclone.exe\n2025-09-07T12:05:00Z,ws-2,notepad.exe\n"
	q := url.Values{"name": {"export.csv"}, "query": {`export | where FileName =~ "rclone.exe" | project DeviceName`}}
	r := httptest.NewRequest("POST", "/api/query?"+q.Encode(), strings.NewReader(export))
	r.Header.Set("Content-Type", "text/csv")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))
	fmt.Print(w.Body)
	// Output:
	// 200 no-store
	// {"tables":[{"name":"PrimaryResult","columns":[{"name":"DeviceName","type":"string"}],"rows":[["ws-1"]]}]}
}
