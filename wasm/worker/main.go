//go:build js && wasm

// Command worker is offhunt as a Cloudflare Worker: it serves the handler
// of offhunt/wasm/worker/api with syumai/workers. Build it with
// scripts/build (the JS glue from workers-assets-gen, then GOOS=js
// GOARCH=wasm go build) and run it locally with scripts/worker-dev.
//
// With this version of syumai/workers, a new Go instance starts for every
// request and main runs each time, so it does only what every request
// needs: it reads the Worker's variables and hands the handler over. Rules
// and page templates are parsed by the requests that use them.
package main

import (
	"syscall/js"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"offhunt/wasm/worker/api"
)

func main() {
	cfg, err := api.ConfigFromEnv(getenv)
	if err != nil {
		workers.Serve(api.Misconfigured(err))
		return
	}
	workers.Serve(api.New(cfg))
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
