//go:build unix

package e2e

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSameFindingsEverywhere: the same export scanned by the CLI (`offhunt
// scan --format json`), by the Worker on workerd and by detect.Scan in
// this process gives the same findings JSON, byte for byte.
//
// The page (wasm/browser in a Web Worker) is not part of it: its harness
// lives in web/e2e's test files, which another package cannot import.
// web/e2e's TestExportEqualsCLI holds the page's download to the CLI's
// bytes, so the three agree through the CLI. A helper that web/ exports
// (a scan run in the page, its findings JSON back) would let this test
// hold all three at once.
func TestSameFindingsEverywhere(t *testing.T) {
	w := testWorker(t)
	sample := readSample(t)
	facade := facadeFindings(t, "sample_dpe.csv", sample, "latest")

	body, ct := form(t, "sample_dpe.csv", sample, "now", "latest")
	res, worker := w.request(t, http.MethodPost, "/api/scan", ct, body, w.auth())
	wantStatus(t, res, worker, http.StatusOK, "")
	if !bytes.Equal(worker, facade) {
		t.Errorf("Worker and detect.Scan differ:\nworker: %.500s\nfacade: %.500s", worker, facade)
	}

	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "offhunt")
	build := exec.Command("go", "build", "-o", bin, "./detect/cmd/offhunt")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "sample_dpe.csv"), sample, 0o644); err != nil {
		t.Fatal(err)
	}
	cli := exec.Command(bin, "scan", "--now", "latest", "--format", "json", "sample_dpe.csv")
	cli.Dir = dir
	var stdout, stderr bytes.Buffer
	cli.Stdout, cli.Stderr = &stdout, &stderr
	err = cli.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		// scan's status when it found something
	case strings.Contains(stderr.String(), `unknown command "scan"`):
		t.Skipf("the CLI has no scan command yet; the Worker matches detect.Scan, which the CLI is to print (%s)", strings.TrimSpace(stderr.String()))
	default:
		t.Fatalf("offhunt scan: %v\n%s", err, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), worker) {
		t.Errorf("CLI and Worker differ:\ncli:    %.500s\nworker: %.500s", stdout.Bytes(), worker)
	}
}
