package output_test

import (
	"fmt"
	"os"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/output"
)

func Example() {
	t := &data.Table{
		Columns: []data.Column{{Name: "FileName", Type: data.String}, {Name: "Count", Type: data.Long}},
		Rows: []data.Row{
			{data.NewString("rclone.exe"), data.NewLong(3)},
			{data.NewString("=cmd|' /C calc'!A0"), data.Null},
		},
	}
	_ = output.WriteTable(os.Stdout, t)
	var csv strings.Builder
	_ = output.WriteCSV(&csv, t)
	fmt.Print(strings.ReplaceAll(csv.String(), "\r\n", "\n")) // CSV lines end in CRLF
	_ = output.WriteJSON(os.Stdout, []*data.Table{t})
	// Output:
	// FileName            Count
	// ------------------  -----
	// rclone.exe              3
	// =cmd|' /C calc'!A0
	// (2 rows)
	// FileName,Count
	// rclone.exe,3
	// '=cmd|' /C calc'!A0,
	// {"tables":[{"name":"PrimaryResult","columns":[{"name":"FileName","type":"string"},{"name":"Count","type":"long"}],"rows":[["rclone.exe",3],["=cmd|' /C calc'!A0",null]]}]}
}
