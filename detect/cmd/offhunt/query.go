package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strconv"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/output"
)

// stdinName is the input name standard input gets: its table, when it fits
// no known schema, is ['stdin'].
const stdinName = "stdin"

// writers are the --format choices.
var writers = map[string]func(w io.Writer, tables []*data.Table) error{
	"table": writeTables(output.WriteTable, true),
	"csv":   writeTables(output.WriteCSV, false),
	"json":  output.WriteJSON,
}

// writeTables writes several results one after another, separated by a
// blank line; named tells whether each gets its name (PrimaryResult,
// Table_1, ... as in the JSON format) above it when there are several.
func writeTables(write func(io.Writer, *data.Table) error, named bool) func(io.Writer, []*data.Table) error {
	return func(w io.Writer, tables []*data.Table) error {
		for i, t := range tables {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			if named && len(tables) > 1 {
				name := "PrimaryResult"
				if i > 0 {
					name = "Table_" + strconv.Itoa(i)
				}
				if _, err := io.WriteString(w, name+"\n"); err != nil {
					return err
				}
			}
			if err := write(w, t); err != nil {
				return err
			}
		}
		return nil
	}
}

// runQuery is `offhunt query`.
func runQuery(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("query", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors are printed below, the offhunt way
	var queryFile, now, format string
	var dedupe bool
	flags.BoolVar(&dedupe, "dedupe", false, "")
	flags.StringVar(&queryFile, "f", "", "")
	flags.StringVar(&queryFile, "file", "", "")
	flags.StringVar(&now, "now", "", "")
	flags.StringVar(&format, "format", "table", "")
	pos, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, queryUsage)
		return exitOK
	}
	if err != nil {
		return failf(stderr, "%v\nRun 'offhunt help query' for usage.", err)
	}
	write, ok := writers[format]
	if !ok {
		return failf(stderr, "--format %q: use table, csv or json", format)
	}
	queryFromFile := false
	flags.Visit(func(f *flag.Flag) { queryFromFile = queryFromFile || f.Name == "f" || f.Name == "file" })
	var query string
	files := pos
	switch {
	case queryFromFile:
		if query, err = readQuery(queryFile, stdin); err != nil {
			return failf(stderr, "%v", err)
		}
	case len(pos) == 0:
		return failf(stderr, "no query: give the query text or -f QUERY.kql\nRun 'offhunt help query' for usage.")
	default:
		query, files = pos[0], pos[1:]
	}
	inputs, cleanup, err := openInputs(files, stdin, queryFromFile && queryFile == "-")
	defer cleanup()
	if err != nil {
		return failf(stderr, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := detect.Query(ctx, query, inputs, detect.Options{Now: now, Dedupe: dedupe})
	if err != nil {
		return printError(stderr, err)
	}
	tables := make([]*data.Table, len(res.Results))
	for i, r := range res.Results {
		tables[i] = r.Table
	}
	if err := write(stdout, tables); err != nil {
		return failf(stderr, "writing the result: %v", err)
	}
	if summary := detect.BadRowSummary(res.Inputs); summary != "" {
		fmt.Fprintf(stderr, "offhunt: note: %s\n", summary)
	}
	if res.TimeNotice != "" {
		fmt.Fprintf(stderr, "offhunt: note: %s; rerun with --now latest to count time back from the newest event\n", res.TimeNotice)
	}
	return exitOK
}

// printError prints a query error as "offhunt: line:col: message", then the
// query's line with a caret under the fault; other errors on one line.
func printError(stderr io.Writer, err error) int {
	var se *syntax.Error
	if errors.As(err, &se) {
		fmt.Fprintf(stderr, "offhunt: %s\n", se.Detailed())
		return exitError
	}
	return failf(stderr, "%v", err)
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments (the standard flag package stops at the first
// of those), and returns the positional ones in order. "--" ends the flags:
// everything after it is positional, and "-" alone is positional (stdin).
func parseInterspersed(flags *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := flags.Parse(args); err != nil {
			return nil, err
		}
		rest := flags.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// readQuery reads a query file (- for standard input), refusing one longer
// than the engine accepts before reading it all.
func readQuery(path string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, syntax.MaxQueryLength+1))
	if err != nil {
		return "", fmt.Errorf("reading the query: %w", err)
	}
	if len(b) > syntax.MaxQueryLength {
		return "", fmt.Errorf("the query in %s is longer than %d bytes", path, syntax.MaxQueryLength)
	}
	return string(bytes.TrimPrefix(b, []byte("\ufeff"))), nil
}

// openInputs turns FILE arguments into inputs. Files are opened afresh on
// every scan; standard input (FILE -) can be read only once, so it is
// copied to a temporary file first (or, failing that, held in memory).
// cleanup removes what was made and is safe to call whatever happened.
func openInputs(files []string, stdin io.Reader, stdinTaken bool) (inputs []detect.Input, cleanup func(), err error) {
	var temp string
	cleanup = func() {
		if temp != "" {
			os.Remove(temp)
		}
	}
	for _, name := range files {
		if name != "-" {
			path := name
			if _, err := os.Stat(path); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil, cleanup, fmt.Errorf("%s: no such file", path)
				}
				return nil, cleanup, err
			}
			inputs = append(inputs, detect.Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }})
			continue
		}
		if stdinTaken {
			return nil, cleanup, errors.New("standard input can be read once: it is already the query (-f -) or an input")
		}
		stdinTaken = true
		open, path, err := bufferStdin(stdin)
		if err != nil {
			return nil, cleanup, fmt.Errorf("reading standard input: %w", err)
		}
		temp = path
		inputs = append(inputs, detect.Input{Name: stdinName, Open: open})
	}
	return inputs, cleanup, nil
}

// bufferStdin copies standard input where it can be read again: a
// temporary file (returned so that it can be removed), or memory when no
// temporary file can be made.
func bufferStdin(stdin io.Reader) (open func() (io.ReadCloser, error), tempPath string, err error) {
	f, err := os.CreateTemp("", "offhunt-stdin-*")
	if err != nil {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "", err
		}
		return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, "", nil
	}
	path := f.Name()
	_, err = io.Copy(f, stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, "", err
	}
	return func() (io.ReadCloser, error) { return os.Open(path) }, path, nil
}
