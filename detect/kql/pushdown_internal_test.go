package kql

import (
	"reflect"
	"testing"

	"offhunt/detect/data"
)

// TestPushdownPlan checks what the compiler pushes into a scan: the
// literals every match must contain, the filter's columns, and the columns
// the rest of the pipeline reads.
func TestPushdownPlan(t *testing.T) {
	cols := []data.Column{
		{Name: "TimeGenerated", Type: data.DateTime}, {Name: "FileName", Type: data.String},
		{Name: "ProcessCommandLine", Type: data.String}, {Name: "DeviceName", Type: data.String},
		{Name: "FileSize", Type: data.Long},
	}
	src := data.TableSource{T: &data.Table{Name: "DeviceProcessEvents", Columns: cols}}
	env := &Env{Tables: []data.Source{src}}
	cases := []struct {
		query      string
		literals   []string
		filterNeed []bool
		need       []bool
	}{{
		query: `let rclone_args = pack_array('copy','ignore-existing','auto-confirm');
DeviceProcessEvents
| where TimeGenerated > ago(90d)
| where ProcessCommandLine has_all(rclone_args) or ProcessCommandLine contains "rclone.exe copy" or FileName == "rclone.exe"`,
		literals:   []string{"ignore-existing", "rclone.exe copy", "rclone.exe"},
		filterNeed: []bool{true, true, true, false, false},
		need:       nil,
	}, {
		query:      `DeviceProcessEvents | where FileName =~ "RClone.EXE" and FileSize > 10 | project DeviceName`,
		literals:   []string{"rclone.exe"},
		filterNeed: []bool{false, true, false, false, true},
		need:       []bool{false, false, false, true, false},
	}, {
		query:      `DeviceProcessEvents | where FileName !has "x" or FileSize > 1 | summarize count() by DeviceName`,
		literals:   nil,
		filterNeed: []bool{false, true, false, false, true},
		need:       []bool{false, false, false, true, false},
	}, {
		query:      `DeviceProcessEvents | where ProcessCommandLine has @"C:\Users" | join (DeviceProcessEvents) on DeviceName`,
		literals:   nil,
		filterNeed: []bool{false, false, true, false, false},
		need:       nil,
	}}
	for _, tc := range cases {
		prog, err := Compile(tc.query, env)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		var scan *scanNode
		var find func(n node)
		find = func(n node) {
			switch x := n.(type) {
			case *scanNode:
				if scan == nil {
					scan = x
				}
			case *projectNode:
				find(x.in)
			case *summarizeNode:
				find(x.in)
			case *joinNode:
				find(x.left)
			case *filterNode:
				find(x.in)
			}
		}
		find(prog.stmts[0].root)
		if scan == nil {
			t.Fatalf("%s: no scan in the plan", tc.query)
		}
		if !reflect.DeepEqual(scan.literals, tc.literals) {
			t.Errorf("%s\nliterals %q, want %q", tc.query, scan.literals, tc.literals)
		}
		if !reflect.DeepEqual(scan.filterNeed, tc.filterNeed) {
			t.Errorf("%s\nfilterNeed %v, want %v", tc.query, scan.filterNeed, tc.filterNeed)
		}
		if !reflect.DeepEqual(scan.need, tc.need) {
			t.Errorf("%s\nneed %v, want %v", tc.query, scan.need, tc.need)
		}
	}
}
