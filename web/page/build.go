// Package page builds and serves offhunt's web page: the static files of
// web/ with the core compiled to js/wasm (dist/web/), the single
// self-contained offline file (dist/offhunt.html), and a small static
// server that sends them with the right types and a strict
// Content-Security-Policy. scripts/build, scripts/serve and the browser
// tests all use it, so the tests run the page exactly as it is served.
package page

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Files of the built page (dist/web/), besides the copies of web/.
const (
	WasmFile     = "offhunt.wasm"
	WasmExecFile = "wasm_exec.js"
	OfflineFile  = "offhunt.html"
)

// staticFiles are copied from web/ as they are (index.html is filled in).
var staticFiles = []string{"app.js", "worker.js", "style.css"}

// samplePath is the built-in sample export behind "Try a sample", relative
// to the repository root; its bytes are embedded in index.html.
const samplePath = "detect/testdata/sample_dpe.csv"

// sampleBlock is the empty data block of web/index.html that the build
// fills with the sample, base64-encoded. A data block (a script element of
// a non-JavaScript type) is never run, so the policy need not allow it.
const sampleBlock = `<script type="text/csv" id="offhunt-sample" data-name="sample_dpe.csv" data-encoding="base64"></script>`

// Options says where to build.
type Options struct {
	// Root is the repository root (the folder of go.mod).
	Root string
	// Dist is the output folder; the page goes to Dist/web and the
	// offline file to Dist/offhunt.html. Empty means Root/dist.
	Dist string
	// Offline also writes the single offline file.
	Offline bool
	// Log receives one line per step; nil discards them.
	Log io.Writer
}

// Result says what was built.
type Result struct {
	WebDir      string // the folder to serve
	WasmSize    int64
	OfflinePath string // "" unless Options.Offline
	OfflineSize int64
}

// Build compiles the adapter (wasm/browser) for js/wasm into Dist/web and
// puts the page's files beside it. The go command decides what is stale:
// a build with nothing changed relinks nothing and takes a second or two.
func Build(opts Options) (*Result, error) {
	if opts.Dist == "" {
		opts.Dist = filepath.Join(opts.Root, "dist")
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	webDir := filepath.Join(opts.Dist, "web")
	if err := os.MkdirAll(webDir, 0o755); err != nil {
		return nil, err
	}
	wasmPath := filepath.Join(webDir, WasmFile)
	cmd := exec.Command("go", "build", "-trimpath", "-o", wasmPath, "./wasm/browser")
	cmd.Dir = opts.Root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("GOOS=js GOARCH=wasm go build ./wasm/browser: %v\n%s", err, out)
	}
	st, err := os.Stat(wasmPath)
	if err != nil {
		return nil, err
	}
	res := &Result{WebDir: webDir, WasmSize: st.Size()}
	logf("built %s (%s)", rel(opts.Root, wasmPath), human(st.Size()))

	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %v", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", WasmExecFile))
	if err != nil {
		return nil, fmt.Errorf("Go's wasm support file: %v", err)
	}
	if err := writeIfChanged(filepath.Join(webDir, WasmExecFile), wasmExec); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, name := range staticFiles {
		b, err := os.ReadFile(filepath.Join(opts.Root, "web", name))
		if err != nil {
			return nil, err
		}
		files[name] = b
		if err := writeIfChanged(filepath.Join(webDir, name), b); err != nil {
			return nil, err
		}
	}
	index, err := indexHTML(opts.Root)
	if err != nil {
		return nil, err
	}
	if err := writeIfChanged(filepath.Join(webDir, "index.html"), index); err != nil {
		return nil, err
	}
	logf("wrote %s: index.html, app.js, worker.js, style.css, %s", rel(opts.Root, webDir), WasmExecFile)

	if opts.Offline {
		wasm, err := os.ReadFile(wasmPath)
		if err != nil {
			return nil, err
		}
		html, err := Offline(OfflineParts{
			Index: index, CSS: files["style.css"], App: files["app.js"],
			Worker: append(append(wasmExec, '\n'), files["worker.js"]...), Wasm: wasm,
		})
		if err != nil {
			return nil, err
		}
		res.OfflinePath = filepath.Join(opts.Dist, OfflineFile)
		if err := writeIfChanged(res.OfflinePath, html); err != nil {
			return nil, err
		}
		res.OfflineSize = int64(len(html))
		logf("wrote %s (%s, one self-contained file that works from file:// with no network)", rel(opts.Root, res.OfflinePath), human(res.OfflineSize))
	}
	return res, nil
}

// indexHTML is web/index.html with the sample export filled in.
func indexHTML(root string) ([]byte, error) {
	index, err := os.ReadFile(filepath.Join(root, "web", "index.html"))
	if err != nil {
		return nil, err
	}
	sample, err := os.ReadFile(filepath.Join(root, samplePath))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(index, []byte(sampleBlock)) {
		return nil, fmt.Errorf("web/index.html lacks the sample's data block %s", sampleBlock)
	}
	filled := strings.Replace(sampleBlock, "></script>", ">"+base64.StdEncoding.EncodeToString(sample)+"</script>", 1)
	return bytes.Replace(index, []byte(sampleBlock), []byte(filled), 1), nil
}

// writeIfChanged writes a file unless it already holds b, so that an
// unchanged page keeps its times (and the browser's cache).
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// human prints a size in KB or MB (powers of 1000).
func human(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// FindRoot returns the repository root: the nearest folder above dir that
// holds go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}
