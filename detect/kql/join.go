package kql

import (
	"fmt"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// joinNode implements join and lookup by hashing the right side and
// streaming the left side past it.
type joinNode struct {
	left, right node
	kind        string
	lkeys       []int
	rkeys       []int
	cols        []data.Column
	// out maps output columns: >= 0 a left column, < 0 the right column -i-1.
	out []int
}

func (n *joinNode) columns() []data.Column { return n.cols }

func (n *joinNode) run(rs *runState, emit func(data.Row) error) error {
	type entry struct {
		row     data.Row
		matched bool
	}
	table := map[string][]*entry{}
	var all []*entry
	var key []byte
	rkey := func(r data.Row) (string, bool) {
		key = key[:0]
		for _, i := range n.rkeys {
			if r[i].K == data.KNull {
				return "", false
			}
			key = appendKey(key, r[i])
		}
		return string(key), true
	}
	err := n.right.run(rs, func(r data.Row) error {
		if len(all) >= MaxHeldRows {
			return heldRowsError("join")
		}
		e := &entry{row: r.Clone()}
		all = append(all, e)
		if k, ok := rkey(e.row); ok {
			table[k] = append(table[k], e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	out := make(data.Row, len(n.cols))
	build := func(l, r data.Row) data.Row {
		for i, m := range n.out {
			switch {
			case m >= 0 && l != nil:
				out[i] = l[m]
			case m < 0 && r != nil:
				out[i] = r[-m-1]
			default:
				out[i] = nullOf(n.cols[i].Type)
			}
		}
		return out
	}
	seenLeft := map[string]bool{}
	err = n.left.run(rs, func(l data.Row) error {
		key = key[:0]
		valid := true
		for _, i := range n.lkeys {
			if l[i].K == data.KNull {
				valid = false
				break
			}
			key = appendKey(key, l[i])
		}
		var matches []*entry
		if valid {
			matches = table[string(key)]
		}
		switch n.kind {
		case "innerunique":
			if !valid || seenLeft[string(key)] {
				return nil
			}
			seenLeft[string(key)] = true
			fallthrough
		case "inner":
			for _, m := range matches {
				if err := emit(build(l, m.row)); err != nil {
					return err
				}
			}
		case "leftouter", "rightouter", "fullouter":
			for _, m := range matches {
				m.matched = true
				if err := emit(build(l, m.row)); err != nil {
					return err
				}
			}
			if len(matches) == 0 && n.kind != "rightouter" {
				return emit(build(l, nil))
			}
		case "leftsemi":
			if len(matches) > 0 {
				return emit(build(l, nil))
			}
		case "leftanti":
			if len(matches) == 0 {
				return emit(build(l, nil))
			}
		case "rightsemi", "rightanti":
			for _, m := range matches {
				m.matched = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch n.kind {
	case "rightouter", "fullouter", "rightanti":
		for _, e := range all {
			if !e.matched {
				if err := emit(build(nil, e.row)); err != nil {
					return err
				}
			}
		}
	case "rightsemi":
		for _, e := range all {
			if e.matched {
				if err := emit(build(nil, e.row)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

var joinKinds = map[string]string{
	"": "innerunique", "innerunique": "innerunique", "inner": "inner",
	"leftouter": "leftouter", "rightouter": "rightouter", "fullouter": "fullouter",
	"leftsemi": "leftsemi", "leftanti": "leftanti", "anti": "leftanti", "leftantisemi": "leftanti",
	"rightsemi": "rightsemi", "rightanti": "rightanti", "rightantisemi": "rightanti",
}

func (c *compiler) join(left node, kind string, rightExpr syntax.Expr, on []syntax.JoinCond, at int, lookup bool) (node, error) {
	k, ok := joinKinds[kind]
	if lookup {
		switch kind {
		case "", "leftouter":
			k, ok = "leftouter", true
		case "inner":
			k, ok = "inner", true
		default:
			ok = false
		}
	}
	if !ok {
		return nil, c.errAt(at, "unknown join kind '%s'", kind).WithHint("kinds: innerunique, inner, leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi, rightanti")
	}
	right, err := c.tabular(rightExpr)
	if err != nil {
		return nil, err
	}
	if len(on) == 0 {
		return nil, c.errAt(at, "join needs an 'on' clause naming the key columns")
	}
	lcols, rcols := left.columns(), right.columns()
	n := &joinNode{left: left, right: right, kind: k}
	rightIsKey := map[int]bool{}
	for _, cond := range on {
		li := data.ColumnIndex(lcols, cond.Left)
		if li < 0 {
			return nil, c.unknownName(at, cond.Left, &rowScope{cols: lcols})
		}
		ri := data.ColumnIndex(rcols, cond.Right)
		if ri < 0 {
			err := c.unknownName(at, cond.Right, &rowScope{cols: rcols})
			err.(*syntax.Error).Msg = "the right side of the join: " + err.(*syntax.Error).Msg
			return nil, err
		}
		n.lkeys = append(n.lkeys, li)
		n.rkeys = append(n.rkeys, ri)
		if cond.Left == cond.Right {
			rightIsKey[ri] = true
		}
	}
	used := map[string]bool{}
	addCol := func(col data.Column, m int) {
		name := col.Name
		for i := 1; used[name]; i++ {
			name = fmt.Sprintf("%s%d", col.Name, i)
		}
		used[name] = true
		n.cols = append(n.cols, data.Column{Name: name, Type: col.Type})
		n.out = append(n.out, m)
	}
	switch k {
	case "leftsemi", "leftanti":
		for i, col := range lcols {
			addCol(col, i)
		}
	case "rightsemi", "rightanti":
		for i, col := range rcols {
			addCol(col, -i-1)
		}
	default:
		for i, col := range lcols {
			addCol(col, i)
		}
		for i, col := range rcols {
			if lookup && rightIsKey[i] {
				continue
			}
			addCol(col, -i-1)
		}
	}
	return n, nil
}
