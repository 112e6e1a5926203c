package kql

import (
	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// mvExpandNode turns each element of dynamic arrays (or each slot of a
// property bag) into a row of its own; several columns expand in parallel.
type mvExpandNode struct {
	in        node
	cols      []data.Column
	exprs     []evalFn
	targets   []int // output column of each expanded expression
	types     []data.Type
	bagArrays bool // kind=array: a bag slot becomes [key, value]
	itemIndex int  // output column of with_itemindex, or -1
	limit     int64
}

func (n *mvExpandNode) columns() []data.Column { return n.cols }

func (n *mvExpandNode) run(rs *runState, emit func(data.Row) error) error {
	rc := &rowCtx{run: rs}
	ninCols := len(n.in.columns())
	out := make(data.Row, len(n.cols))
	lists := make([][]data.Value, len(n.exprs))
	return n.in.run(rs, func(r data.Row) error {
		rc.row = r
		longest := 0
		for i, e := range n.exprs {
			lists[i] = n.elements(e(rc))
			longest = max(longest, len(lists[i]))
		}
		if n.limit >= 0 && int64(longest) > n.limit {
			longest = int(n.limit)
		}
		for k := 0; k < longest; k++ {
			copy(out, r[:ninCols])
			for i, l := range lists {
				v := data.Null
				if k < len(l) {
					v = l[k]
				}
				out[n.targets[i]] = convertTo(v, n.types[i])
			}
			if n.itemIndex >= 0 {
				out[n.itemIndex] = data.NewLong(int64(k))
			}
			if err := emit(out); err != nil {
				return err
			}
		}
		return nil
	})
}

func (n *mvExpandNode) elements(v data.Value) []data.Value {
	switch v.K {
	case data.KArray:
		return v.Array()
	case data.KBag:
		b := v.Bag()
		out := make([]data.Value, 0, b.Len())
		for _, k := range b.Keys() {
			val, _ := b.Get(k)
			if n.bagArrays {
				out = append(out, data.NewArray([]data.Value{data.NewString(k), val}))
			} else {
				slot := data.NewBag(1)
				slot.Set(k, val)
				out = append(out, data.NewBagValue(slot))
			}
		}
		return out
	case data.KNull:
		// A null expands to one row holding null (the mv-expand page);
		// an empty array expands to no row.
		return []data.Value{data.Null}
	}
	return []data.Value{v}
}

func (c *compiler) mvExpand(in node, o *syntax.MvExpandOp) (node, error) {
	incols := in.columns()
	rs := &rowScope{cols: incols}
	n := &mvExpandNode{in: in, cols: append([]data.Column(nil), incols...), itemIndex: -1, limit: -1}
	switch o.Kind {
	case "", "bag":
	case "array":
		n.bagArrays = true
	default:
		return nil, c.errAt(o.At, "unknown mv-expand kind '%s'", o.Kind).WithHint("kind=bag or kind=array")
	}
	for _, mc := range o.Columns {
		e, err := c.scalar(mc.X, rs)
		if err != nil {
			return nil, err
		}
		t := mc.To
		if t == data.Unknown {
			t = data.Dynamic
		}
		name := mc.Name
		if name == "" {
			name = e.name
		}
		if name == "" {
			return nil, c.errAt(mc.X.Pos(), "name the expanded expression: mv-expand Name = expression")
		}
		idx := data.ColumnIndex(n.cols, name)
		if idx >= 0 {
			n.cols[idx].Type = t
		} else {
			idx = len(n.cols)
			n.cols = append(n.cols, data.Column{Name: name, Type: t})
		}
		n.exprs = append(n.exprs, e.eval)
		n.targets = append(n.targets, idx)
		n.types = append(n.types, t)
	}
	if o.ItemIndex != "" {
		n.itemIndex = len(n.cols)
		n.cols = append(n.cols, data.Column{Name: o.ItemIndex, Type: data.Long})
	}
	if o.Limit != nil {
		lim, err := c.countArg(o.Limit, "mv-expand limit")
		if err != nil {
			return nil, err
		}
		n.limit = lim
	}
	return n, nil
}
