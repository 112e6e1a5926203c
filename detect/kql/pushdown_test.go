package kql_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql"
	"offhunt/detect/kql/textmatch"
)

// scriptSource serves a script's input table. By default it is a
// specSource, which applies pushed-down filters, column needs and literal
// prefilters the way a reader does, hiding every column a spec says is not
// needed; TestScriptsWithoutPushdown serves plain tables with pushdown off.
// Both runs must meet the same expectations, so pushdown changes no result.
var scriptSource = func(t data.TableSource) data.Source { return specSource{t} }

// specSource is a data.SpecSource over a table that behaves like a strict,
// parallel reader: the filter sees only FilterNeed columns, emitted rows only Need
// columns, and rows whose raw CSV text lacks every literal are skipped.
type specSource struct{ data.TableSource }

func (s specSource) ScanSpec(ctx context.Context, spec data.ScanSpec, emit func(data.Row) error) error {
	cols := s.T.Columns
	// The filter decides every row first, in two goroutines with a filter
	// each, as a parallel reader runs it (go test -race checks that the
	// engine's filters share nothing unguarded); rows are emitted after,
	// in order.
	keep := make([]bool, len(s.T.Rows))
	if spec.NewFilter != nil {
		var wg sync.WaitGroup
		for part := range 2 {
			filter := spec.NewFilter()
			wg.Go(func() {
				buf := make(data.Row, len(cols))
				for k := part; k < len(s.T.Rows); k += 2 {
					mask(buf, s.T.Rows[k], cols, spec.FilterNeed)
					keep[k] = filter(buf)
				}
			})
		}
		wg.Wait()
	}
	buf := make(data.Row, len(cols))
	for k, r := range s.T.Rows {
		if spec.Literals != nil && !containsAnyFold(rawCSV(r), spec.Literals) {
			continue
		}
		if spec.Needles != nil && !needlesMatch(r, spec.Needles) {
			continue
		}
		if spec.NewFilter != nil && !keep[k] {
			continue
		}
		mask(buf, r, cols, spec.Need)
		if err := emit(buf); err != nil {
			return err
		}
	}
	return nil
}

// needlesMatch applies ScanSpec.Needles as the promise reads: some
// needle's column text contains one of its literals, ignoring ASCII case
// (has it, for a needle of terms), or, for an ASCII-only needle, holds a
// non-ASCII byte.
func needlesMatch(r data.Row, ns []data.Needle) bool {
	for _, n := range ns {
		text := data.ToString(r[n.Column])
		for _, lit := range n.Literals {
			if n.Terms && textmatch.New(textmatch.Has, lit).Match(text) ||
				!n.Terms && strings.Contains(asciiLower(text), lit) {
				return true
			}
		}
		for i := 0; i < len(text); i++ {
			if n.ASCIIOnly && text[i] >= 0x80 {
				return true
			}
		}
	}
	return false
}

// asciiLower lowers ASCII letters only, as the needles' folding does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
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
