package kql

import (
	"strings"

	"offhunt/detect/data"
)

// Columns whose names begin with "__" are hidden. Kusto reserves such
// names, so no query can clash with them; offhunt's readers use them to
// carry each row's provenance (input and line) through a query. They flow
// through operators like any column but are left out of anything that
// lists columns: getschema, wildcards, distinct *, search *, pivot's
// grouping, name suggestions, and the results shown to people.
func isHidden(name string) bool { return strings.HasPrefix(name, "__") }

// VisibleColumns returns the indexes of a table's columns that are not hidden.
func VisibleColumns(cols []data.Column) []int {
	out := make([]int, 0, len(cols))
	for i, c := range cols {
		if !isHidden(c.Name) {
			out = append(out, i)
		}
	}
	return out
}

// WithoutHidden returns t without its hidden columns (t itself when it has none).
func WithoutHidden(t *data.Table) *data.Table {
	vis := VisibleColumns(t.Columns)
	if len(vis) == len(t.Columns) {
		return t
	}
	out := &data.Table{Name: t.Name, Columns: make([]data.Column, len(vis)), Rows: make([]data.Row, len(t.Rows))}
	for k, i := range vis {
		out.Columns[k] = t.Columns[i]
	}
	for r, row := range t.Rows {
		nr := make(data.Row, len(vis))
		for k, i := range vis {
			nr[k] = row[i]
		}
		out.Rows[r] = nr
	}
	return out
}

func visibleCols(cols []data.Column) []data.Column {
	out := make([]data.Column, 0, len(cols))
	for _, c := range cols {
		if !isHidden(c.Name) {
			out = append(out, c)
		}
	}
	return out
}

func rsCols(rs *rowScope) []data.Column {
	if rs == nil {
		return nil
	}
	return rs.cols
}
