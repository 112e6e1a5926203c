package page

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// OfflineParts are the pieces of the single offline file.
type OfflineParts struct {
	Index  []byte // index.html, with the sample filled in
	CSS    []byte
	App    []byte
	Worker []byte // wasm_exec.js followed by worker.js
	Wasm   []byte
}

// Offline assembles the single self-contained page: the stylesheet and
// the script inline (allowed by their hashes), the worker's source and the
// gzip-compressed module as base64 data blocks (never run as scripts; the
// page starts the worker from a Blob URL and inflates the module with the
// browser's DecompressionStream). Its policy forbids every connection, so
// the file works, and can only work, with no network at all.
func Offline(p OfflineParts) ([]byte, error) {
	html := string(p.Index)
	for _, part := range []struct{ name, text string }{{"style.css", string(p.CSS)}, {"app.js", string(p.App)}} {
		if strings.Contains(strings.ToLower(part.text), "</"+map[string]string{"style.css": "style", "app.js": "script"}[part.name]) {
			return nil, fmt.Errorf("web/%s contains a closing tag and cannot be inlined", part.name)
		}
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(p.Wasm); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	style := "<style>" + string(p.CSS) + "</style>"
	script := "<script>" + string(p.App) + "</script>"
	blocks := `<script type="application/octet-stream" id="offhunt-worker" data-encoding="base64">` +
		base64.StdEncoding.EncodeToString(p.Worker) + "</script>\n" +
		`<script type="application/octet-stream" id="offhunt-wasm" data-encoding="gzip+base64">` +
		base64.StdEncoding.EncodeToString(gz.Bytes()) + "</script>\n"
	csp := OfflineCSP(hash(p.App), hash(p.CSS))
	steps := []struct{ old, new string }{
		{`<link rel="stylesheet" href="style.css">`, style},
		{`<script src="app.js" defer></script>`, ""},
		{`<!-- offhunt:csp -->`, `<meta http-equiv="Content-Security-Policy" content="` + csp + `">`},
		{"</body>", blocks + script + "\n</body>"},
	}
	for _, s := range steps {
		if strings.Count(html, s.old) != 1 {
			return nil, fmt.Errorf("web/index.html: expected %q exactly once", s.old)
		}
		html = strings.Replace(html, s.old, s.new, 1)
	}
	return []byte(html), nil
}

// hash is a CSP source for an inline element's text.
func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// OfflineCSP is the policy of the offline file: its one script and one
// stylesheet by hash, WebAssembly, a worker from a Blob URL, and no
// connection of any kind.
func OfflineCSP(scriptHash, styleHash string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + scriptHash + " 'wasm-unsafe-eval'",
		"style-src " + styleHash,
		"worker-src blob:",
		"connect-src 'none'",
		"img-src 'none'",
		"font-src 'none'",
		"media-src 'none'",
		"object-src 'none'",
		"frame-src 'none'",
		"manifest-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
	}, "; ")
}
