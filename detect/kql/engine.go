package kql

import (
	"context"
	"fmt"

	"offhunt/detect/data"
)

// Env is what a query is compiled against: the tables it may read, the
// query's now, and how externaldata finds its files.
type Env struct {
	// Tables are the inputs. A query names one by Source.Name(); Aliases
	// adds further names for the same source (a file stem, `['export (3)']`).
	Tables  []data.Source
	Aliases map[string]data.Source
	// Now is the query's now() in datetime ticks; ago() counts from it.
	Now int64
	// ExternalData resolves `externaldata(...) ["url"]`: offhunt never
	// fetches, so it is given the URL and the declared columns and answers
	// with a source the user supplied, or an error naming the file to drop.
	// with holds the query's `with (format="csv", ignoreFirstRecord=true)`.
	ExternalData func(url string, cols []data.Column, with map[string]string) (data.Source, error)
}

// Result is one tabular statement's result.
type Result struct {
	Table *data.Table
	// Render is the chart kind of a trailing `render` operator, if any: a
	// hint for the page.
	Render string
	// TimeFilterRemovedAll is set when the result is empty because a
	// where using ago() or now() removed every row: the caller should say
	// so and show the inputs' time range, since an old export and a
	// recent now give an empty answer that only looks clean.
	TimeFilterRemovedAll bool
}

// Program is a compiled query: binding, type checking and planning are
// done, so running it only evaluates rows.
type Program struct {
	src   string
	env   *Env
	stmts []*plan
	// explain holds the query's string predicates for Explain.
	explain []explainer
	// nowCalls counts the query's calls of now() and ago() (latenow.go).
	nowCalls int
}

// UsesNow reports whether the query calls now() or ago(), so that its
// results depend on Env.Now. A caller that must read the inputs to learn
// now (now = the newest event) can run the programs that do not use it
// before it knows it.
func (p *Program) UsesNow() bool { return p.nowCalls > 0 }

// RowFunc receives each row of a statement's result as the statement
// produces it: stmt is the statement's index among the program's tabular
// statements, and the row is valid only during the call. Rows arrive in
// the order of the final result, so a caller can show results while the
// inputs are still being read; a streaming statement (where, extend,
// project) produces its rows as the scan finds them, a holding one (sort,
// summarize) at its end.
type RowFunc func(stmt int, cols []data.Column, row data.Row)

// Source returns the query text the program was compiled from.
func (p *Program) Source() string { return p.src }

// Run evaluates every tabular statement and returns their results in
// order. A panic inside the engine becomes an error: hostile input must
// never take down the page or the Worker.
func (p *Program) Run(ctx context.Context) (results []*Result, err error) {
	return p.run(ctx, nil, nil)
}

// run runs the program; share, when set, lets its first scan join a
// shared pass (ProgramSet), and onRow, when set, sees each result row as
// it is produced.
func (p *Program) run(ctx context.Context, share *shareHook, onRow RowFunc) (results []*Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			results, err = nil, fmt.Errorf("internal error while running the query: %v", r)
		}
	}()
	out := make([]*Result, 0, len(p.stmts))
	for i, st := range p.stmts {
		var each func(cols []data.Column, row data.Row)
		if onRow != nil {
			each = func(cols []data.Column, row data.Row) { onRow(i, cols, row) }
		}
		r, err := st.run(ctx, share, each)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Compile parses, binds and plans a query against env. Errors are
// *syntax.Error values with positions (line:col) into src.
func Compile(src string, env *Env) (*Program, error) {
	return compile(src, env)
}

// Span is a part of a column's value that made a predicate true: byte
// offsets into the value's text.
type Span struct {
	Column string
	Start  int
	End    int
}
