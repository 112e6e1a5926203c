package textmatch_test

import (
	"fmt"

	"offhunt/detect/kql/textmatch"
)

// A where clause such as
//
//	where ProcessCommandLine has "rclone.exe" and ProcessCommandLine !has "--dry-run"
//
// compiles each operator once and runs it per row.
func Example() {
	rows := []string{
		`rclone.exe copy "\\SERVER\Shares" Mega:DATA -q --ignore-existing`,
		`C:\tools\myrclone.exe copy a b`,
		`RCLONE.EXE sync x remote: --dry-run`,
	}
	op, neg, _ := textmatch.ParseOp("has")
	hasRclone := textmatch.New(op, "rclone.exe")
	op2, neg2, _ := textmatch.ParseOp("!has")
	noDryRun := textmatch.New(op2, "--dry-run")
	for _, row := range rows {
		start, end, ok := hasRclone.Find(row)
		if ok != neg && noDryRun.Match(row) != neg2 {
			fmt.Printf("match %q at %d..%d\n", row[start:end], start, end)
		} else {
			fmt.Println("no match")
		}
	}
	// Output:
	// match "rclone.exe" at 0..10
	// no match
	// no match
}

// has_all reports where each of its needles matched.
func ExampleAllMatcher_FindAll() {
	all := textmatch.NewAll(textmatch.Has, []string{"copy", "--ignore-existing", "mega"})
	row := `rclone.exe copy "\\SERVER\Shares" Mega:DATA -q --ignore-existing`
	for _, s := range all.FindAll(row, nil) {
		fmt.Printf("needle %d: %q\n", s.Needle, row[s.Start:s.End])
	}
	// Output:
	// needle 0: "copy"
	// needle 2: "Mega"
	// needle 1: "--ignore-existing"
}
