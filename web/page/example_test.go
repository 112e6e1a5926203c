package page_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"offhunt/web/page"
)

// The server sends the page's files with their types and the policy.
func ExampleServer() {
	dir, _ := os.MkdirTemp("", "page")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, page.WasmFile), []byte("\x00asm\x01\x00\x00\x00"), 0o644)

	srv := httptest.NewServer(&page.Server{Dir: dir})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/" + page.WasmFile)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(resp.Header.Get("Content-Security-Policy") == page.CSP)
	// Output:
	// 200 application/wasm
	// true
}
