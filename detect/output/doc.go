// Package output writes query results for people and for other programs:
// an aligned text table, CSV, and the JSON shape of the Log Analytics query
// API, so that scripts written against Sentinel read offhunt's output
// unchanged.
//
// Results come from hostile logs. Every writer keeps a cell's bytes from
// acting on whatever reads them: the text table shows control and
// invisible characters escaped, CSV neutralises spreadsheet formulas, and
// JSON escapes HTML and replaces invalid UTF-8.
package output
