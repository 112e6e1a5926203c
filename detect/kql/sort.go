package kql

import (
	"container/heap"
	"slices"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// sortKey is a compiled sort key.
type sortKey struct {
	eval       evalFn
	desc       bool
	nullsFirst bool
}

func (c *compiler) sortKeys(in node, keys []syntax.SortKey) ([]sortKey, error) {
	rs := &rowScope{cols: in.columns()}
	out := make([]sortKey, len(keys))
	for i, k := range keys {
		e, err := c.scalar(k.X, rs)
		if err != nil {
			return nil, err
		}
		desc := k.Order != "asc" // Kusto sorts descending by default
		nullsFirst := !desc      // nulls last for desc, first for asc
		switch k.Nulls {
		case "first":
			nullsFirst = true
		case "last":
			nullsFirst = false
		}
		out[i] = sortKey{eval: e.eval, desc: desc, nullsFirst: nullsFirst}
	}
	return out, nil
}

// sortRow is a held row with its computed keys.
type sortRow struct {
	keys data.Row
	row  data.Row
	seq  int
}

func compareSortRows(keys []sortKey, a, b *sortRow) int {
	for i, k := range keys {
		x, y := a.keys[i], b.keys[i]
		xn, yn := isNullish(x), isNullish(y)
		if xn || yn {
			if xn && yn {
				continue
			}
			if xn == k.nullsFirst {
				return -1
			}
			return 1
		}
		c := sortCompare(x, y)
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return a.seq - b.seq // stable
}

// sortNode is sort/order by, and top when limit >= 0.
type sortNode struct {
	in    node
	keys  []sortKey
	limit int64
}

func (n *sortNode) columns() []data.Column { return n.in.columns() }

func (n *sortNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	var rows []*sortRow
	h := &topHeap{keys: n.keys}
	seq := 0
	err := n.in.run(rs, func(r data.Row) error {
		rc.row = r
		sr := &sortRow{keys: make(data.Row, len(n.keys)), seq: seq}
		seq++
		for i, k := range n.keys {
			sr.keys[i] = k.eval(rc)
		}
		if n.limit >= 0 {
			if int64(h.Len()) < n.limit {
				sr.row = r.Clone()
				heap.Push(h, sr)
			} else if h.Len() > 0 && compareSortRows(n.keys, sr, h.rows[0]) < 0 {
				sr.row = r.Clone()
				h.rows[0] = sr
				heap.Fix(h, 0)
			}
			return nil
		}
		if len(rows) >= MaxHeldRows {
			return heldRowsError("sort")
		}
		sr.row = r.Clone()
		rows = append(rows, sr)
		return nil
	})
	if err != nil {
		return err
	}
	if n.limit >= 0 {
		rows = h.rows
	}
	slices.SortFunc(rows, func(a, b *sortRow) int { return compareSortRows(n.keys, a, b) })
	for i, r := range rows {
		if i&1023 == 0 {
			if err := rs.ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit(r.row); err != nil {
			return err
		}
	}
	return nil
}

// topHeap keeps the best N rows with the worst on top.
type topHeap struct {
	keys []sortKey
	rows []*sortRow
}

func (h *topHeap) Len() int           { return len(h.rows) }
func (h *topHeap) Less(i, j int) bool { return compareSortRows(h.keys, h.rows[i], h.rows[j]) > 0 }
func (h *topHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *topHeap) Push(x any)         { h.rows = append(h.rows, x.(*sortRow)) }
func (h *topHeap) Pop() any {
	r := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return r
}

func (c *compiler) sort(in node, keys []syntax.SortKey, limit int64, at int) (node, error) {
	if len(keys) == 0 {
		return nil, c.errAt(at, "sort needs at least one key").WithHint("sort by Timestamp desc")
	}
	ks, err := c.sortKeys(in, keys)
	if err != nil {
		return nil, err
	}
	return &sortNode{in: in, keys: ks, limit: limit}, nil
}

func (c *compiler) top(in node, o *syntax.TopOp) (node, error) {
	n, err := c.countArg(o.N, "top")
	if err != nil {
		return nil, err
	}
	if n < 0 {
		n = 0
	}
	if n > MaxHeldRows {
		n = MaxHeldRows
	}
	return c.sort(in, o.Keys, n, o.At)
}

// distinctNode keeps the first row of each distinct combination.
type distinctNode struct {
	in    node
	cols  []data.Column
	exprs []evalFn
}

func (n *distinctNode) columns() []data.Column { return n.cols }

func (n *distinctNode) run(rs *runState, emit func(data.Row) error) error {
	seen := map[string]struct{}{}
	rc := &rowCtx{run: rs}
	out := make(data.Row, len(n.exprs))
	var key []byte
	return n.in.run(rs, func(r data.Row) error {
		rc.row = r
		key = key[:0]
		for i, e := range n.exprs {
			out[i] = e(rc)
			key = appendKey(key, out[i])
		}
		if _, ok := seen[string(key)]; ok {
			return nil
		}
		if len(seen) >= MaxHeldRows {
			return heldRowsError("distinct")
		}
		seen[string(key)] = struct{}{}
		return emit(out)
	})
}

func (c *compiler) distinct(in node, o *syntax.DistinctOp) (node, error) {
	incols := in.columns()
	n := &distinctNode{in: in}
	if o.Star {
		for _, i := range VisibleColumns(incols) {
			n.cols = append(n.cols, incols[i])
			idx := i
			n.exprs = append(n.exprs, func(rc *rowCtx) data.Value { return rc.row[idx] })
		}
		return n, nil
	}
	rs := &rowScope{cols: incols}
	auto := 0
	for _, x := range o.Columns {
		ne := syntax.NamedExpr{X: x}
		if named, ok := x.(*syntax.Ident); ok {
			ne.At = named.At
		}
		e, err := c.scalar(x, rs)
		if err != nil {
			return nil, err
		}
		n.cols = append(n.cols, data.Column{Name: columnName(ne, e, &auto), Type: concreteType(e.typ)})
		n.exprs = append(n.exprs, e.eval)
	}
	return n, nil
}
