package output

import "offhunt/detect/data"

// cellText returns a value's text in the table and CSV formats. It is the
// text the JSON format gives the same value, without JSON's quotes:
// datetimes in ISO 8601 UTC with a fraction only when it is not zero,
// timespans as Kusto prints them, dynamic values as compact JSON, null as
// nothing.
func cellText(v data.Value) string {
	if v.K == data.KDateTime {
		return data.FormatDateTime(v.I)
	}
	return data.ToString(v)
}
