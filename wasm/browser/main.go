//go:build js && wasm

// Command browser is offhunt's adapter for the web page: the detect facade
// compiled to js/wasm and run inside a Web Worker (web/worker.js). It
// converts values between JavaScript and Go and nothing else; every
// decision is the core's.
//
// The worker calls offhuntCore.handle(message, progress) for each message
// {id, type, ...} it receives. handle returns a Promise at once and does the
// work in a goroutine, so no JavaScript callback ever blocks; the worker
// turns the settled promise into {id, ok, result | error}. A panic becomes
// an error value: a panic that escapes would kill the Go runtime and, with
// it, every later answer.
package main

import (
	"fmt"
	"runtime/debug"
	"syscall/js"

	"offhunt/detect"
)

func main() {
	core := js.Global().Get("Object").New()
	core.Set("handle", js.FuncOf(handle))
	core.Set("version", detect.Version)
	js.Global().Set("offhuntCore", core)
	warm()
	if ready := js.Global().Get("offhuntReady"); ready.Type() == js.TypeFunction {
		ready.Invoke(js.ValueOf(map[string]any{"version": detect.Version}))
	}
	select {} // keep the runtime alive for the callbacks
}

// handle is offhuntCore.handle(message, progress): it returns a Promise
// that settles with the answer to the message.
func handle(_ js.Value, args []js.Value) (promise any) {
	defer func() {
		if r := recover(); r != nil {
			err := &detect.InternalError{Value: r, Stack: string(debug.Stack())}
			promise = js.Global().Get("Promise").Call("reject", js.ValueOf(errorValue(err)))
		}
	}()
	var msg, progress js.Value
	if len(args) > 0 {
		msg = args[0]
	}
	if len(args) > 1 && args[1].Type() == js.TypeFunction {
		progress = args[1]
	}
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, pargs []js.Value) any {
		resolve, reject := pargs[0], pargs[1]
		executor.Release()
		go func() {
			result, err := dispatch(msg, progress)
			if err != nil {
				reject.Invoke(js.ValueOf(errorValue(err)))
				return
			}
			resolve.Invoke(js.ValueOf(result))
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// dispatch runs one message and recovers any panic into an error.
func dispatch(msg, progress js.Value) (result map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, &detect.InternalError{Value: r, Stack: string(debug.Stack())}
		}
	}()
	if msg.Type() != js.TypeObject {
		return nil, fmt.Errorf("a message must be an object {id, type, ...}")
	}
	typ := stringField(msg, "type")
	h, ok := handlers[typ]
	if !ok {
		return nil, fmt.Errorf("unknown message type %q", typ)
	}
	return h(msg, newReporter(progress))
}

// handlers answer the message types of the protocol (see web/worker.js).
var handlers = map[string]func(msg js.Value, rep *reporter) (map[string]any, error){
	"rules":      handleRules,
	"parseRules": handleParseRules,
	"scan":       handleScan,
	"query":      handleQuery,
	"export":     handleExport,
}
