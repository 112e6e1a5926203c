// Package api is offhunt's Cloudflare Worker as a plain http.Handler: the
// same detect core behind a small form and a JSON API. The Worker's
// js/wasm main (in the folder above) only serves it with syumai/workers,
// so everything here runs and is tested natively with httptest.
//
// Routes:
//
//	GET  /            an HTML form (file, rule set, optional KQL, now) that
//	                  works without JavaScript; it posts to /api/scan and
//	                  gets an HTML page of findings
//	POST /api/scan    multipart/form-data (file, optional query, rules, now,
//	                  dedupe, format) or a raw export (text/csv,
//	                  application/json, application/x-ndjson; Content-
//	                  Encoding: gzip allowed) with the options as URL
//	                  parameters -> the findings JSON, byte for byte what
//	                  `offhunt scan --format json` prints
//	POST /api/query   KQL in "query" plus the data -> the Log Analytics
//	                  result shape, as `offhunt query --format json` prints
//	GET  /api/rules   the built-in rules' metadata and queries
//	GET  /healthz     {"status":"ok","engine":"offhunt <version>"}
//
// Errors are {"error":{"code","message","line","col"}} with their status:
// 400 malformed input or a bad field, 401 no valid token (when one is
// configured), 404, 405, 411 no Content-Length, 413 too large, 415
// unsupported type or encoding, 422 a query or rule that does not compile
// (line and col), 500 only for a bug, with a generic message.
//
// A body is streamed into the readers and never held whole; see spool.go
// for how the facade's repeated passes over an input are served. Nothing
// posted is stored, cached or logged: every answer says Cache-Control:
// no-store, and the pages send a Content-Security-Policy that allows no
// script and no load from anywhere.
package api
