package detect

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"offhunt/detect/data"
	"offhunt/detect/kql/syntax"
)

func writeTemp(t *testing.T, name, content string) Input {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// TestExternalData checks that externaldata reads the input named like the
// URL's last segment, with the declared columns, and never fetches: without
// such an input the error names the file to download.
func TestExternalData(t *testing.T) {
	export := fileInput("testdata/sample_dpe.csv")
	list := writeTemp(t, "rclone-names.txt", "rclone.exe\nRCLONE.EXE\n")
	q := `let names = externaldata(Name:string) ["https://example.org/lists/rclone-names.txt"] with (format="txt");
DeviceProcessEvents | where FileName in (names) | summarize n = count()`
	res, err := Query(context.Background(), q, []Input{export, list}, Options{Now: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Results[0].Table.Rows[0][0]; got.I != 2 {
		t.Errorf("n = %s, want 2 (rclone.exe and RCLONE.EXE)", data.ToString(got))
	}
	_, err = Query(context.Background(), q, []Input{export}, Options{Now: "latest"})
	var se *syntax.Error
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "rclone-names.txt") || !strings.Contains(se.Msg, "never fetches") {
		t.Errorf("error = %v, want one naming rclone-names.txt", err)
	}
}

// TestQueryHidesProvenance checks that the columns readers add for
// provenance never reach a query's result.
func TestQueryHidesProvenance(t *testing.T) {
	res, err := Query(context.Background(), "DeviceProcessEvents | take 1", []Input{fileInput("testdata/sample_dpe.csv")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Results[0].Table.Columns {
		if strings.HasPrefix(c.Name, "__") {
			t.Errorf("hidden column %s in the result", c.Name)
		}
	}
}

// TestQueryRecoversPanics checks the facade's promise: a failure inside
// the core is an error value, never a crash of the page or the Worker.
func TestQueryRecoversPanics(t *testing.T) {
	in := Input{Name: "boom.csv", Open: func() (io.ReadCloser, error) { panic("reader exploded") }}
	_, err := Query(context.Background(), "print 1", []Input{in}, Options{})
	var ie *InternalError
	if !errors.As(err, &ie) || !strings.Contains(ie.Error(), "reader exploded") {
		t.Fatalf("error = %v, want an InternalError", err)
	}
}
