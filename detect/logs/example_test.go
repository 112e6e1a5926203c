package logs_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/logs"
)

func ExampleNewCSVSource() {
	export := "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId\n" +
		"2025-09-07T12:00:00.5Z,ws1,rclone.exe,\"rclone.exe copy C:\\data mega:x\",4242\n"
	open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(export)), nil }
	src, err := logs.NewCSVSource("export (3).csv", open)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(src.Name())
	for i, c := range src.Columns() {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%s:%s", c.Name, c.Type)
	}
	fmt.Println()
	_ = src.Scan(context.Background(), nil, func(r data.Row) error {
		fmt.Println(data.FormatDateTime(r[0].I), r[2].S, r[4].I)
		return nil
	})
	// Output:
	// DeviceProcessEvents
	// Timestamp:datetime DeviceName:string FileName:string ProcessCommandLine:string ProcessId:long TimeGenerated:datetime
	// 2025-09-07T12:00:00.5Z rclone.exe 4242
}
