package builtin

import (
	"fmt"
	"strings"
)

// Markdown lists every scalar and aggregation function with its aliases
// and signature, as the README's function tables show them. The README is
// checked against it (readme_test.go), so the docs cannot drift from the
// declarations the binder and the evaluator use.
func Markdown() string {
	var sb strings.Builder
	sb.WriteString("| scalar function | signature |\n|---|---|\n")
	for _, b := range All() {
		fmt.Fprintf(&sb, "| %s | `%s` |\n", nameWithAliases(b.Name, b.Aliases), escapePipes(b.Signature))
	}
	sb.WriteString("\n| aggregation (summarize) | signature |\n|---|---|\n")
	for _, a := range AllAggregates() {
		fmt.Fprintf(&sb, "| %s | `%s` |\n", nameWithAliases(a.Name, a.Aliases), escapePipes(a.Signature))
	}
	return sb.String()
}

func nameWithAliases(name string, aliases []string) string {
	if len(aliases) == 0 {
		return "`" + name + "`"
	}
	return "`" + name + "` (" + "`" + strings.Join(aliases, "`, `") + "`)"
}

func escapePipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
