package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"offhunt/detect"
	"offhunt/detect/kql/syntax"
	"offhunt/detect/rules"
)

// Error codes: the "code" of an error answer, one per kind of failure.
const (
	codeBadRequest      = "bad_request"        // 400: a field or parameter is wrong
	codeMalformedInput  = "malformed_input"    // 400: the data could not be read
	codeUnauthorized    = "unauthorized"       // 401
	codeNotFound        = "not_found"          // 404
	codeMethod          = "method_not_allowed" // 405
	codeLengthRequired  = "length_required"    // 411
	codeTooLarge        = "too_large"          // 413
	codeUnsupportedType = "unsupported_media_type"
	codeQuery           = "query_error" // 422: the query or a rule does not compile
	codeInternal        = "internal"    // 500: a bug, never bad input
	codeMisconfigured   = "misconfigured"
)

// apiError is an error answer: {"error":{"code","message","line","col"}}.
// Line and Col are 1-based; 0 leaves them out.
type apiError struct {
	Status  int
	Code    string
	Message string
	Line    int
	Col     int
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// internalError is the answer to a panic or an internal error: a generic
// message, nothing from the request or the stack.
var internalError = &apiError{Status: http.StatusInternalServerError, Code: codeInternal,
	Message: "internal error: the request could not be handled; nothing of it was kept"}

// tooLargeError is what a limited reader returns once a limit is passed.
type tooLargeError struct {
	what  string // "the request body", "the decompressed body", a field's name
	limit int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the limit of %s", e.what, formatBytes(e.limit))
}

// formatBytes prints a size the way the limits are usually quoted.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// lineInMessage finds "line N" in an input error's text, for readers that
// report the line only in words. (No regexp: a Worker starts a new Go
// instance per request, and package-level work runs every time.)
func lineInMessage(msg string) int {
	for rest := msg; ; {
		i := strings.Index(rest, "line ")
		if i < 0 {
			return 0
		}
		if i > 0 && isWordByte(rest[i-1]) {
			rest = rest[i+5:]
			continue
		}
		rest = rest[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > 0 && (j == len(rest) || !isWordByte(rest[j])) {
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n
			}
		}
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// classify turns an error of the facade into an answer. req holds what
// the request's readers recorded (a limit passed, bytes not kept), which
// is checked first, because a reader's error may reach here wrapped in
// text.
func classify(err error, req *request) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if tl := req.tooLarge(); tl != nil {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge, Message: tl.Error()}
	}
	if req.lostBytes() {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge, Message: fmt.Sprintf(
			"%s: the copy kept between passes passed its limit of %s (OFFHUNT_MAX_SPOOL_BYTES); post a smaller export, or a query or rule set that reads it once (a fixed now, no table named twice)",
			errNotKept, formatBytes(req.cfg.MaxSpoolBytes))}
	}
	var ie *detect.InternalError
	if errors.As(err, &ie) {
		return internalError
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		msg := se.Msg
		if se.Hint != "" {
			msg += " (" + se.Hint + ")"
		}
		return &apiError{Status: http.StatusUnprocessableEntity, Code: codeQuery, Message: msg, Line: se.Line, Col: se.Col}
	}
	var fe *rules.FileError
	if errors.As(err, &fe) {
		return req.ruleError(fe)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errorf(http.StatusBadRequest, codeBadRequest, "the request was cancelled before it was answered")
	}
	out := &apiError{Status: http.StatusBadRequest, Code: codeMalformedInput, Message: err.Error()}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		out.Line, out.Col = pe.Line, pe.Column
	} else {
		out.Line = lineInMessage(err.Error())
	}
	return out
}

// ruleError places a rule's error: in the request's query (the lines of
// the header the Worker added are taken off), in a rule file the request
// posted, or in the built-in pack.
func (req *request) ruleError(fe *rules.FileError) *apiError {
	out := &apiError{Status: http.StatusUnprocessableEntity, Code: codeQuery, Line: fe.Line, Col: fe.Col}
	switch {
	case fe.File == queryRuleFile:
		out.Line -= req.queryHeaderLines
		out.Message = fe.Msg
	case strings.HasPrefix(fe.File, "builtin:"):
		out.Message = fmt.Sprintf("built-in rule %s, line %d: %s", strings.TrimPrefix(fe.File, "builtin:"), fe.Line, fe.Msg)
	default:
		out.Message = fmt.Sprintf("rule file %s: %s", fe.File, fe.Msg)
	}
	return out
}
