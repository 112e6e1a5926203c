package output

//go:generate go run github.com/mailru/easyjson/easyjson -all json_types.go

// queryResponse is the response of the Log Analytics query API
// (`{"tables":[{"name","columns":[{"name","type"}],"rows":[[...]]}]}`),
// which Sentinel's scripts and tools already read.
type queryResponse struct {
	Tables []resultTable `json:"tables"`
}

// resultTable is one result table; rows are written by resultRows, which
// streams each value's JSON from data.AppendJSON.
type resultTable struct {
	Name    string         `json:"name"`
	Columns []resultColumn `json:"columns"`
	Rows    resultRows     `json:"rows"`
}

// resultColumn names a column and its Kusto type ("string", "datetime", ...).
type resultColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}
