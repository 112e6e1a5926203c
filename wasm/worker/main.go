//go:build js && wasm

// Command worker is offhunt as a Cloudflare Worker: it serves the handler
// of offhunt/wasm/worker/api with syumai/workers. Build it with
// scripts/build (the JS glue from workers-assets-gen, then GOOS=js
// GOARCH=wasm go build) and run it locally with scripts/worker-dev.
//
// With this version of syumai/workers, a new Go instance starts for every
// request and main runs each time, so it does only what every request
// needs: it reads the Worker's variables and hands the handler over. Rules
// and page templates are parsed by the requests that use them. The request
// body is read, and a gzip body inflated, by the JS runtime's own streams
// (jsio.go).
package main

import (
	"runtime/debug"
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"offhunt/wasm/worker/api"
)

// memoryLimit is the Go runtime's soft memory limit. A Worker has 128 MB in
// all, the JS side included, and Go's collector would otherwise let the
// heap grow to twice what is live (the spool's copy of a large input, say)
// before it collects: scanning a 100 MB export took 101 MB of wasm memory
// with a limit of 96 MiB, and 69 MB with 64 MiB, which cost CPU in
// collections; 80 MiB is between the two.
const memoryLimit = 80 << 20

func main() {
	debug.SetMemoryLimit(memoryLimit)
	cfg, err := api.ConfigFromEnv(getenv)
	if err != nil {
		workers.Serve(api.Misconfigured(err))
		return
	}
	cfg.Inflate, cfg.InflateChunk = jsInflate, jsInflateChunk
	cfg.NewDigest = newDigest
	workers.Serve(directBody(api.New(cfg)))
}

// getenv reads a Worker variable or secret; an unset one is "".
// (cloudflare.Getenv would return "<undefined>" for it.)
func getenv(name string) string {
	v := cloudflare.GetBinding(name)
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}
