package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed pack/*.kql
var packFS embed.FS

// Builtin returns the embedded rule pack, sorted by id. The pack is part of
// the binary, so the page and the Worker carry it without a file system.
func Builtin() ([]*Rule, error) {
	entries, err := fs.ReadDir(packFS, "pack")
	if err != nil {
		return nil, err
	}
	var out []*Rule
	for _, e := range entries {
		b, err := packFS.ReadFile("pack/" + e.Name())
		if err != nil {
			return nil, err
		}
		r, err := Parse("builtin:"+e.Name(), string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Load reads rules from a file or from every .kql file in a folder (not
// recursive), sorted by id. Two rules with one id are an error.
func Load(path string) ([]*Rule, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var files []string
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".kql") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .kql rule files in this folder", path)
		}
	} else {
		files = []string{path}
	}
	var out []*Rule
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r, err := Parse(f, string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, CheckUnique(out)
}

// CheckUnique fails when two rules share an id.
func CheckUnique(rs []*Rule) error {
	seen := map[string]string{}
	for _, r := range rs {
		if prev, ok := seen[r.ID]; ok {
			return fmt.Errorf("%s: rule id %q is already used by %s", r.File, r.ID, prev)
		}
		seen[r.ID] = r.File
	}
	return nil
}
