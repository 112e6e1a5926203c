// Package logs turns exported security logs into tables the query engine
// can scan.
//
// It tells an input's format from its content, never its name: CSV
// (comma, semicolon or tab; RFC 4180 quoting; any line ending; UTF-8 or
// UTF-16 with a byte order mark), JSON (an array, NDJSON, objects one
// after another, an object wrapping an array, the Defender, Graph and Log
// Analytics API responses, Defender's streaming records) and Windows event
// XML, each possibly gzip-compressed or inside a ZIP archive. It knows the
// schemas of the Microsoft tables hunting queries name
// (DeviceProcessEvents, SecurityEvent, ...) and maps process creations of
// Sysmon, Windows Security 4688 and Elastic (ECS) onto DeviceProcessEvents
// (see Mapping).
//
// Readers stream: a scan holds a chunk of the input and its widest record,
// never the input, and converts only the fields the query needs. Inputs
// are hostile: a reader never panics on bad bytes; it counts every record
// it cannot read as it is, with its line and the reason, in the input's
// Report, and reads on. Every table ends with two provenance columns,
// __input and __line, so that a result row can say where it came from.
package logs
