//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"offhunt/detect"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/rules"
)

// errorValue is the {message, kind, ...} object the page shows for an
// error: a query error keeps its line, column and hint so that the editor
// can mark the place; a rule file error its file, line and column.
func errorValue(err error) map[string]any {
	v := map[string]any{"message": err.Error(), "kind": "error"}
	var se *syntax.Error
	var fe *rules.FileError
	var ie *detect.InternalError
	switch {
	case errors.As(err, &se):
		v["kind"] = "query"
		v["line"], v["col"], v["msg"], v["hint"] = se.Line, se.Col, se.Msg, se.Hint
		v["snippet"] = se.Snippet()
	case errors.As(err, &fe):
		v["kind"] = "rule"
		v["file"], v["line"], v["col"], v["msg"] = fe.File, fe.Line, fe.Col, fe.Msg
	case errors.As(err, &ie):
		v["kind"] = "internal"
		v["stack"] = ie.Stack
	case errors.Is(err, context.Canceled):
		v["kind"] = "cancelled"
	}
	return v
}

// stringField reads obj[name] as a string; anything else is "".
func stringField(obj js.Value, name string) string {
	if obj.Type() != js.TypeObject && obj.Type() != js.TypeFunction {
		return ""
	}
	v := obj.Get(name)
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// lengthOf is the length of a JavaScript array, 0 for anything else.
func lengthOf(v js.Value) int {
	if v.Type() != js.TypeObject {
		return 0
	}
	l := v.Get("length")
	if l.Type() != js.TypeNumber {
		return 0
	}
	return l.Int()
}

func strings2any(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
