package logs_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/logs"
)

func ExampleOpen() {
	export := "Timestamp,DeviceName,FileName,ProcessCommandLine,ProcessId\n" +
		"2025-09-07T12:00:00.5Z,ws1,rclone.exe,\"rclone.exe copy C:\\data mega:x\",4242\n" +
		"2025-09-07T12:01:00Z,ws1,cmd.exe,cmd.exe /c dir,not-a-number\n"
	open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(export)), nil }
	inputs, err := logs.Open("export (3).csv", open, logs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	in := inputs[0]
	t := in.Tables()[0]
	fmt.Println(t.Name, "/", in.Stem())
	var cols []string
	for _, c := range t.Source.Columns() {
		cols = append(cols, c.Name+":"+c.Type.String())
	}
	fmt.Println(strings.Join(cols, " "))
	_ = t.Source.Scan(context.Background(), nil, func(r data.Row) error {
		fmt.Println(data.FormatDateTime(r[0].I), r[2].S, data.ToString(r[4]), "line", r[len(r)-1].I)
		return nil
	})
	rep := in.Report()
	fmt.Println(rep.Format, rep.Rows, "rows,", rep.BadRows, "bad:", rep.BadRowSamples[0].Line, rep.BadRowSamples[0].Reason)
	// Output:
	// DeviceProcessEvents / export (3)
	// Timestamp:datetime DeviceName:string FileName:string ProcessCommandLine:string ProcessId:long TimeGenerated:datetime __input:string __line:long
	// 2025-09-07T12:00:00.5Z rclone.exe 4242 line 2
	// 2025-09-07T12:01:00Z cmd.exe  line 3
	// csv 2 rows, 1 bad: 3 ProcessId: "not-a-number" is not a long; left empty
}
