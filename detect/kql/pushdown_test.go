package kql_test

import (
	"context"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
)

// scriptSource serves a script's input table. By default it is a
// specSource, which applies pushed-down filters, column needs and literal
// prefilters the way a reader does, hiding every column a spec says is not
// needed; TestScriptsWithoutPushdown serves plain tables with pushdown off.
// Both runs must meet the same expectations, so pushdown changes no result.
var scriptSource = func(t data.TableSource) data.Source { return specSource{t} }

// specSource is a data.SpecSource over a table that behaves like a strict
// reader: the filter sees only FilterNeed columns, emitted rows only Need
// columns, and rows whose raw CSV text lacks every literal are skipped.
type specSource struct{ data.TableSource }

func (s specSource) ScanSpec(ctx context.Context, spec data.ScanSpec, emit func(data.Row) error) error {
	var filter func(data.Row) bool
	if spec.NewFilter != nil {
		filter = spec.NewFilter()
	}
	cols := s.T.Columns
	buf := make(data.Row, len(cols))
	for _, r := range s.T.Rows {
		if spec.Literals != nil && !containsAnyFold(rawCSV(r), spec.Literals) {
			continue
		}
		if filter != nil {
			mask(buf, r, cols, spec.FilterNeed)
			if !filter(buf) {
				continue
			}
		}
		mask(buf, r, cols, spec.Need)
		if err := emit(buf); err != nil {
			return err
		}
	}
	return nil
}

// mask copies the needed cells of r into dst and empties the rest.
func mask(dst, r data.Row, cols []data.Column, need []bool) {
	for i := range r {
		switch {
		case need == nil || need[i]:
			dst[i] = r[i]
		case cols[i].Type == data.String:
			dst[i] = data.EmptyString
		default:
			dst[i] = data.Null
		}
	}
}

// rawCSV renders a row as a CSV record would store it.
func rawCSV(r data.Row) string {
	var sb strings.Builder
	for i, v := range r {
		if i > 0 {
			sb.WriteByte(',')
		}
		s := data.ToString(v)
		if strings.ContainsAny(s, ",\"\n\r") {
			s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		sb.WriteString(s)
	}
	return sb.String()
}

func containsAnyFold(s string, lits []string) bool {
	l := strings.ToLower(s)
	for _, lit := range lits {
		if strings.Contains(l, lit) {
			return true
		}
	}
	return false
}

// TestScriptsWithoutPushdown runs every script with pushdown and
// prefiltering off, over plain tables: the same expectations must hold.
func TestScriptsWithoutPushdown(t *testing.T) {
	kql.NoPushdown.Store(true)
	saved := scriptSource
	scriptSource = func(t data.TableSource) data.Source { return t }
	defer func() {
		kql.NoPushdown.Store(false)
		scriptSource = saved
	}()
	TestScripts(t)
}
