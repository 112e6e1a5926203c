package logs

//go:generate go run github.com/mailru/easyjson/easyjson -all -no_std_marshalers apishapes.go

import "github.com/mailru/easyjson"

// The fixed parts of API responses, decoded by code easyjson generates
// (apishapes_easyjson.go): column declarations and the envelope of a
// Defender streaming record. The records themselves are streamed by the
// JSON reader, never held whole.

// apiColumn declares a column. Defender's advanced hunting API writes
// {"Name", "Type"}, Graph and Log Analytics {"name", "type"}, and Azure
// Data Explorer's v1 API {"ColumnName", "ColumnType", "DataType"}.
type apiColumn struct {
	Name       string `json:"Name"`
	Type       string `json:"Type"`
	NameLower  string `json:"name"`
	TypeLower  string `json:"type"`
	ColumnName string `json:"ColumnName"`
	ColumnType string `json:"ColumnType"`
	DataType   string `json:"DataType"`
}

// streamingRecord is a record of Defender's streaming API (Event Hubs or
// storage): {"time", "tenantId", "operationName", "category":
// "AdvancedHunting-<Table>", "properties": {<the table's columns>}}.
type streamingRecord struct {
	Time          string              `json:"time"`
	TenantID      string              `json:"tenantId"`
	OperationName string              `json:"operationName"`
	Category      string              `json:"category"`
	Properties    easyjson.RawMessage `json:"properties"`
}
