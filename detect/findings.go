package detect

//go:generate go run github.com/mailru/easyjson/easyjson -all findings.go

// Findings is the result of a scan: the contract shared by the CLI (`scan
// --format json`), the page (download) and the Worker (`/api/scan`). Field
// names and order follow design.md; the same input and options give the
// same bytes in all three.
type Findings struct {
	Engine   string        `json:"engine"`
	Now      string        `json:"now"`
	Inputs   []InputReport `json:"inputs"`
	Rules    []RuleInfo    `json:"rules"`
	Findings []Finding     `json:"findings"`
	Summary  Summary       `json:"summary"`
	// Notices say what a reader must know to trust an empty answer: a
	// rule skipped for an input that lacks its columns, a time filter that
	// removed every row.
	Notices []string `json:"notices,omitempty"`
}

// InputReport describes one input as it was read.
type InputReport struct {
	Name          string   `json:"name"`
	Format        string   `json:"format"`
	Schema        string   `json:"schema"`
	Rows          int64    `json:"rows"`
	SHA256        string   `json:"sha256"`
	First         string   `json:"first,omitempty"`
	Last          string   `json:"last,omitempty"`
	BadRows       int64    `json:"badRows"`
	BadRowSamples []BadRow `json:"badRowSamples"`
	Duplicates    int64    `json:"duplicates,omitempty"`
	Notices       []string `json:"notices,omitempty"`
}

// BadRow is a malformed row: where it is and why it was not read.
type BadRow struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// RuleInfo is a rule's metadata, as listed in results.
type RuleInfo struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Mitre    []string `json:"mitre"`
}

// Finding is one row a rule returned.
type Finding struct {
	RuleID      string  `json:"ruleId"`
	Severity    string  `json:"severity"`
	Time        string  `json:"time"`
	Device      string  `json:"device"`
	Account     string  `json:"account"`
	FileName    string  `json:"fileName"`
	CommandLine string  `json:"commandLine"`
	Input       string  `json:"input"`
	Line        int64   `json:"line"`
	Matches     []Match `json:"matches"`
	// Row holds every column of the event, in the table's column order,
	// as JSON values (see RowJSON).
	Row RowJSON `json:"row"`

	ticks int64 // Time in ticks, for ordering (0 when unknown)
}

// Match is a span of a column's value that made a rule fire: byte offsets
// into that value, and the text.
type Match struct {
	Column string `json:"column"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Text   string `json:"text"`
}

// Summary counts the findings.
type Summary struct {
	ByRule     Counts   `json:"byRule"`
	BySeverity Counts   `json:"bySeverity"`
	Devices    []string `json:"devices"`
	Accounts   []string `json:"accounts"`
	First      string   `json:"first,omitempty"`
	Last       string   `json:"last,omitempty"`
}
