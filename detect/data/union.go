package data

import "context"

// UnionSources serves several inputs of one table as one source: the
// columns of all of them, by name, in first-seen order; a column an input
// lacks is null (or "" for strings) in its rows. Analysts export day by day,
// so one table often arrives as many files.
func UnionSources(name string, srcs []Source) Source {
	u := &unionSource{name: name, srcs: srcs}
	for _, s := range srcs {
		for _, c := range s.Columns() {
			if ColumnIndex(u.cols, c.Name) < 0 {
				u.cols = append(u.cols, c)
			}
		}
	}
	for _, s := range srcs {
		m := make([]int, len(u.cols))
		for i, c := range u.cols {
			m[i] = -1
			if j := ColumnIndex(s.Columns(), c.Name); j >= 0 && s.Columns()[j].Type == c.Type {
				m[i] = j
			}
		}
		u.maps = append(u.maps, m)
	}
	return u
}

type unionSource struct {
	name string
	srcs []Source
	cols []Column
	maps [][]int
}

func (u *unionSource) Name() string      { return u.name }
func (u *unionSource) Columns() []Column { return u.cols }

// Sources returns the inputs the union reads.
func (u *unionSource) Sources() []Source { return u.srcs }

func (u *unionSource) Scan(ctx context.Context, need []bool, emit func(Row) error) error {
	out := make(Row, len(u.cols))
	for k, s := range u.srcs {
		m := u.maps[k]
		var sneed []bool
		if need != nil {
			sneed = make([]bool, len(s.Columns()))
			for i, j := range m {
				if j >= 0 && i < len(need) && need[i] {
					sneed[j] = true
				}
			}
		}
		err := s.Scan(ctx, sneed, func(r Row) error {
			for i, j := range m {
				switch {
				case j >= 0:
					out[i] = r[j]
				case u.cols[i].Type == String:
					out[i] = EmptyString
				default:
					out[i] = Null
				}
			}
			return emit(out)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
