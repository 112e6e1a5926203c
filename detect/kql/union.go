package kql

import (
	"fmt"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

// unionNode streams its legs one after another, each mapped onto the
// union's columns.
type unionNode struct {
	legs    []node
	names   []string
	mapping [][]int // per leg: for each output column, the leg's column or -1
	cols    []data.Column
	withSrc bool
}

func (n *unionNode) columns() []data.Column { return n.cols }

func (n *unionNode) run(rs *runState, emit func(data.Row) error) error {
	out := make(data.Row, len(n.cols))
	for li, leg := range n.legs {
		m := n.mapping[li]
		src := data.NewString(n.names[li])
		err := leg.run(rs, func(r data.Row) error {
			for i, j := range m {
				if j >= 0 {
					out[i] = r[j]
				} else {
					out[i] = nullOf(n.cols[i].Type)
				}
			}
			if n.withSrc {
				out[0] = src
			}
			return emit(out)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) union(first node, u *syntax.UnionExpr) (node, error) {
	var legs []node
	if first != nil {
		name := "union_arg0"
		if nn, ok := first.(*namedNode); ok {
			name = nn.name
		}
		legs = append(legs, &namedNode{node: first, name: name})
	}
	for _, e := range u.Legs {
		if id, ok := e.(*syntax.Ident); ok && strings.Contains(id.Name, "*") {
			legs = append(legs, c.matchTables(id.Name)...)
			continue
		}
		n, err := c.tabular(e)
		if err != nil {
			if u.IsFuzzy {
				// isfuzzy: legs that do not resolve are left out.
				continue
			}
			return nil, err
		}
		name := legName(e)
		if nn, ok := n.(*namedNode); ok && (name == "" || isPipeOrParen(e)) {
			name = nn.name
		}
		if sn, ok := n.(*scanNode); ok && name == "" {
			name = sn.src.Name()
		}
		legs = append(legs, &namedNode{node: n, name: name})
	}
	if len(legs) == 0 {
		if u.IsFuzzy {
			return nil, c.errAt(u.At, "none of the union's tables are among the inputs")
		}
		return &tableNode{t: &data.Table{}}, nil
	}
	kind := u.Kind
	if kind == "" {
		kind = "outer"
	}
	return c.unionOf(legs, u.WithSource, kind, u)
}

func legName(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Ident:
		return x.Name
	case *syntax.Call:
		return x.Name
	case *syntax.Paren:
		return legName(x.X)
	case *syntax.Pipe:
		return ""
	}
	return ""
}

// unionOf builds the union's schema: kind=outer takes every column of every
// leg (a name with different types in different legs becomes one column per
// type, suffixed _type); kind=inner keeps the columns all legs share.
func (c *compiler) unionOf(legs []node, withSource, kind string, u *syntax.UnionExpr) (node, error) {
	n := &unionNode{}
	type key struct {
		name string
		t    data.Type
	}
	typesOf := map[string][]data.Type{}
	var order []string
	count := map[key]int{}
	for _, l := range legs {
		for _, col := range l.columns() {
			k := key{col.Name, col.Type}
			if count[k] == 0 {
				if len(typesOf[col.Name]) == 0 {
					order = append(order, col.Name)
				}
				typesOf[col.Name] = append(typesOf[col.Name], col.Type)
			}
			count[k]++
		}
	}
	var outKeys []key
	for _, name := range order {
		ts := typesOf[name]
		for _, t := range ts {
			if kind == "inner" && count[key{name, t}] < len(legs) {
				continue
			}
			outKeys = append(outKeys, key{name, t})
		}
	}
	if withSource != "" {
		n.withSrc = true
		n.cols = append(n.cols, data.Column{Name: withSource, Type: data.String})
	}
	// Names that need no suffix are taken first, so that a generated
	// name (x_long from x) yields to a real column called x_long.
	used := map[string]bool{withSource: withSource != ""}
	for _, k := range outKeys {
		if len(typesOf[k.name]) == 1 {
			used[k.name] = true
		}
	}
	for _, k := range outKeys {
		name := k.name
		if len(typesOf[k.name]) == 1 {
			n.cols = append(n.cols, data.Column{Name: name, Type: k.t})
			continue
		}
		name = fmt.Sprintf("%s_%s", k.name, k.t)
		base := name
		for i := 1; used[name]; i++ {
			name = fmt.Sprintf("%s%d", base, i)
		}
		used[name] = true
		n.cols = append(n.cols, data.Column{Name: name, Type: k.t})
	}
	for _, l := range legs {
		lcols := l.columns()
		m := make([]int, len(n.cols))
		off := 0
		if n.withSrc {
			m[0] = -1
			off = 1
		}
		for i, k := range outKeys {
			m[i+off] = -1
			for j, col := range lcols {
				if col.Name == k.name && col.Type == k.t {
					m[i+off] = j
					break
				}
			}
		}
		name := ""
		if nn, ok := l.(*namedNode); ok {
			name = nn.name
		}
		n.legs = append(n.legs, l)
		n.names = append(n.names, name)
		n.mapping = append(n.mapping, m)
	}
	return n, nil
}

func isPipeOrParen(e syntax.Expr) bool {
	switch e.(type) {
	case *syntax.Pipe, *syntax.Paren:
		return true
	}
	return false
}
