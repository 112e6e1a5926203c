// Command schema prints the schemas of the Microsoft tables offhunt knows
// (detect/logs) as JSON, for scripts/kusto-check/check.js, which checks the
// rule pack with Microsoft's own Kusto parser against the same columns:
//
//	{"tables":{"DeviceProcessEvents":[{"name":"Timestamp","type":"datetime"},...],...}}
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"offhunt/detect/logs"
)

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func main() {
	tables := map[string][]column{}
	for name, cols := range logs.KnownTables() {
		out := make([]column, len(cols))
		for i, c := range cols {
			out[i] = column{Name: c.Name, Type: c.Type.String()}
		}
		tables[name] = out
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"tables": tables}); err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(1)
	}
}
