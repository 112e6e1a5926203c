// Package logs turns exported security logs into tables the query engine
// can scan. It knows the schemas of the Microsoft tables that hunting
// queries name (DeviceProcessEvents, SecurityEvent, ...), tells an input's
// format from its content, and streams CSV exports row by row with each
// cell converted to its column's Kusto type.
//
// Inputs are hostile: a reader never panics on bad bytes, counts the rows
// it cannot use instead of failing the whole file, and keeps no more of an
// input in memory than one row.
package logs
