// Command offhunt checks exported process-event logs (Defender XDR
// DeviceProcessEvents, Sentinel, Sysmon, 4688) for data exfiltration by
// running KQL over them on the analyst's own machine. Nothing is sent
// anywhere.
//
// Usage:
//
//	offhunt query [--now T|latest] [--format table|csv|json] [--dedupe] (-f QUERY.kql | 'KQL') [FILE...]
//	offhunt scan  [--now T|latest] [--rules builtin|PATH]... [--format table|csv|json|ndjson] [--dedupe] [--ioc defender FILE] FILE...
//	offhunt rules [--rules builtin|PATH]... [--format table|json]
//	offhunt rules export --format sentinel [--rules builtin|PATH]... DIR
//	offhunt version
//	offhunt help [query|scan|rules]
//
// Exit status: 0 success (scan: no findings), 1 scan found something, 2 an
// error (printed to standard error as "offhunt: ..."; a query error starts
// with "line:col: ").
package main

import (
	"fmt"
	"io"
	"os"

	"offhunt/detect"
)

// Exit statuses, as design.md fixes them (scan's exitFound is 1).
const (
	exitOK    = 0
	exitError = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run is the whole CLI behind main, so that tests drive it with their own
// arguments and streams and read its exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	switch cmd := args[0]; cmd {
	case "query":
		return runQuery(args[1:], stdin, stdout, stderr)
	case "scan":
		return runScan(args[1:], stdin, stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "offhunt %s\n", detect.Version)
		return exitOK
	case "help", "--help", "-help", "-h":
		if len(args) > 1 {
			switch args[1] {
			case "query":
				fmt.Fprint(stdout, queryUsage)
				return exitOK
			case "scan":
				fmt.Fprint(stdout, scanUsage)
				return exitOK
			case "rules":
				fmt.Fprint(stdout, rulesUsage)
				return exitOK
			case "version", "help":
				fmt.Fprint(stdout, usage)
				return exitOK
			}
			return failf(stderr, "no help for %q: the commands are query, scan, rules, version and help", args[1])
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		return failf(stderr, "unknown command %q\nRun 'offhunt help' for usage.", cmd)
	}
}

// failf prints an error the way every offhunt error is printed and returns
// the error exit status.
func failf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "offhunt: "+format+"\n", args...)
	return exitError
}

const usage = `offhunt checks exported process-event logs for data exfiltration with KQL.
It runs on your machine: nothing is uploaded, nothing is fetched.

Usage:
  offhunt query [--now T|latest] [--format table|csv|json] [--dedupe] (-f QUERY.kql | 'KQL') [FILE...]
  offhunt scan  [--now T|latest] [--rules builtin|PATH]... [--format table|csv|json|ndjson]
                [--dedupe] [--ioc defender FILE] FILE...
  offhunt rules [--rules builtin|PATH]... [--format table|json]
  offhunt rules export --format sentinel [--rules builtin|PATH]... DIR
  offhunt version
  offhunt help [query|scan|rules]

query runs KQL over the exports; scan runs the detection rules (the
built-in rclone pack, or your own) and reports findings; rules lists the
rules or exports them as Microsoft Sentinel analytics rules.

FILE is an export (Defender XDR advanced hunting or Sentinel CSV); - reads
standard input. Formats are told from the content, not the file name.

Exit status: 0 success (scan: nothing found), 1 scan found something,
2 error.
`

const queryUsage = `Usage:
  offhunt query [--now T|latest] [--format table|csv|json] [--dedupe] (-f QUERY.kql | 'KQL') [FILE...]

Runs a KQL query over the exports and prints each result table.

Each FILE becomes a table named after its schema (DeviceProcessEvents,
SecurityEvent, ...; files of the same schema are unioned) and is also
reachable by its file stem: ['export (3)']. FILE - is standard input.
Flags may come before or after the query and the files.

  -f, --file QUERY.kql   read the query from a file (- for standard input)
                         instead of taking it as the first argument
  --now T|latest         the now of now() and ago(): an RFC 3339 time
                         (2025-09-07T12:00:00Z), or latest, the newest event
                         time in the inputs (for old exports); default: the
                         wall clock
  --format F             table (aligned text, the default), csv (RFC 4180)
                         or json (the Log Analytics query API's shape)
  --dedupe               drop events that several exports of one table hold
                         (they are counted either way)

Values print as Kusto's API prints them: datetimes in ISO 8601 UTC ending in
Z (a fraction only when not zero), timespans as [-][d.]hh:mm:ss[.fffffff],
dynamic values as JSON, null as an empty cell (null in JSON).

Examples:
  offhunt query --now latest 'DeviceProcessEvents | where FileName =~ "rclone.exe"' export.csv
  offhunt query -f hunt.kql --format csv export1.csv export2.csv > hits.csv
  gzip -dc export.csv.gz | offhunt query 'DeviceProcessEvents | count' -

Exit status: 0 success (also when nothing matched), 2 error. A query error
prints its line:col and the line with a caret under the fault.
`
