package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mappingMarkdown renders the mapping onto DeviceProcessEvents as the
// README shows it.
func mappingMarkdown() string {
	var sb strings.Builder
	sb.WriteString("| source | field | DeviceProcessEvents column | conversion |\n|---|---|---|---|\n")
	for _, r := range Mapping() {
		field := "`" + r.Field + "`"
		if r.Field == "" {
			field = "-"
		}
		sb.WriteString("| " + r.Source + " | " + field + " | " + r.Column + " | " + strings.ReplaceAll(r.Conversion, "|", "\\|") + " |\n")
	}
	return sb.String()
}

// TestReadmeMapping checks that the README shows the mapping the code
// applies (in README-section.md until it is merged into README.md).
func TestReadmeMapping(t *testing.T) {
	want := mappingMarkdown()
	for _, path := range []string{"README-section.md", filepath.Join("..", "..", "README.md")} {
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), want) {
			return
		}
	}
	t.Errorf("neither README-section.md nor README.md shows the mapping; it is:\n%s", want)
}
