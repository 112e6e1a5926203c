package rules_test

import (
	"fmt"

	"offhunt/detect/rules"
)

func ExampleParse() {
	r, err := rules.Parse("mine.kql", `// id: rclone-mega
// title: rclone to MEGA
// severity: high
// mitre: T1567.002
// description: rclone copying to a MEGA remote.
//   Continuation lines are indented.
DeviceProcessEvents
| where FileName =~ "rclone.exe" and ProcessCommandLine has "mega:"
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ID, r.Severity, r.Mitre, r.QueryLine)
	fmt.Println(r.Description)

	_, err = rules.Parse("bad.kql", "// id: x\n// title: X\n// severity: urgent\nDeviceProcessEvents\n")
	fmt.Println(err)
	// Output:
	// rclone-mega high [T1567.002] 7
	// rclone copying to a MEGA remote. Continuation lines are indented.
	// bad.kql:3:1: severity "urgent": use high, medium, low or informational
}
