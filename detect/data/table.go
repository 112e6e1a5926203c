package data

import (
	"context"
	"strings"
)

// Column is a named, typed column of a table.
type Column struct {
	Name string
	Type Type
}

// Row is one row: a value per column, in the table's column order. Sources
// and operators may reuse a Row's backing array after the callback that
// received it returns; whoever keeps a row must Clone it.
type Row []Value

// Clone returns a copy of r that does not share its backing array.
func (r Row) Clone() Row {
	c := make(Row, len(r))
	copy(c, r)
	return c
}

// Table is a materialised table: a query result, a datatable, or a small
// input held in memory.
type Table struct {
	Name    string
	Columns []Column
	Rows    []Row
}

// ColumnIndex returns the index of the column named name, or -1.
func ColumnIndex(cols []Column, name string) int {
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ColumnNames returns the names of cols.
func ColumnNames(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// Source is a table that the query engine can scan, possibly more than
// once (a query may name a table twice). Scan calls emit for each row in
// order and stops at the first error emit returns. need, when not nil, says
// which columns the query reads: a source may leave the others null, which
// is what lets a reader skip decoding fields nobody asked for.
type Source interface {
	Name() string
	Columns() []Column
	Scan(ctx context.Context, need []bool, emit func(Row) error) error
}

// TableSource serves a materialised Table as a Source.
type TableSource struct{ T *Table }

// Name returns the table's name.
func (s TableSource) Name() string { return s.T.Name }

// Columns returns the table's columns.
func (s TableSource) Columns() []Column { return s.T.Columns }

// Scan emits every row of the table.
func (s TableSource) Scan(ctx context.Context, need []bool, emit func(Row) error) error {
	for i, r := range s.T.Rows {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// String renders a table as aligned text, for tests and debugging.
func (t *Table) String() string {
	var sb strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			sb.WriteString(" | ")
		}
		sb.WriteString(c.Name)
	}
	sb.WriteByte('\n')
	for _, r := range t.Rows {
		for i, v := range r {
			if i > 0 {
				sb.WriteString(" | ")
			}
			sb.WriteString(ToString(v))
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
