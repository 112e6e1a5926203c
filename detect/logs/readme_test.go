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

// TestReadmeMapping checks that the README shows the mapping the code applies.
func TestReadmeMapping(t *testing.T) {
	want := mappingMarkdown()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), want) {
		t.Errorf("README.md does not show the mapping the code applies; it is:\n%s", want)
	}
}
