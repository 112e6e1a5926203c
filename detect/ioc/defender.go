package ioc

import (
	"io"
	"strings"

	"offhunt/detect/data"
	"offhunt/detect/output"
)

// DefenderColumns is the header of Microsoft Defender for Endpoint's
// custom indicator import file (Settings > Endpoints > Indicators >
// Import), in the order of the portal's sample CSV.
var DefenderColumns = []string{
	"IndicatorType", "IndicatorValue", "ExpirationTime", "Action", "Severity", "Title",
	"Description", "RecommendedActions", "RbacGroups", "Category", "MitreTechniques", "GenerateAlert",
}

// DefenderBatch is the most indicators Defender imports from one file.
const DefenderBatch = 500

// WriteDefenderCSV writes indicators as Defender's import CSV: the header,
// then one line per indicator (RFC 4180, CRLF line ends). Network
// indicators cannot take BlockAndRemediate, so it becomes Block for them.
// Text that a spreadsheet would run as a formula is neutralised as
// output.WriteCSV does. Defender reads at most DefenderBatch indicators per
// file: callers split longer lists (Batches).
func WriteDefenderCSV(w io.Writer, indicators []Indicator) error {
	t := &data.Table{Name: "indicators"}
	for _, c := range DefenderColumns {
		t.Columns = append(t.Columns, data.Column{Name: c, Type: data.String})
	}
	for _, in := range indicators {
		action := in.Action
		if in.Type != FileSha256 && action == "BlockAndRemediate" {
			action = "Block"
		}
		alert := "False"
		if in.GenerateAlert {
			alert = "True"
		}
		row := data.Row{}
		for _, v := range []string{
			in.Type, in.Value, in.Expiration, action, in.Severity, oneLine(in.Title),
			oneLine(in.Description), oneLine(in.RecommendedActions), "", in.Category,
			strings.Join(in.Mitre, ","), alert,
		} {
			if v == "" {
				row = append(row, data.Null)
			} else {
				row = append(row, data.NewString(v))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return output.WriteCSV(w, t)
}

// Batches splits indicators into lists Defender imports one file each.
func Batches(indicators []Indicator) [][]Indicator {
	var out [][]Indicator
	for len(indicators) > DefenderBatch {
		out = append(out, indicators[:DefenderBatch])
		indicators = indicators[DefenderBatch:]
	}
	return append(out, indicators)
}

// oneLine keeps free text on one line: a line break in a value taken from
// a log would otherwise land inside a cell that people read line by line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
