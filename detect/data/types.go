// Package data holds offhunt's values and types: Kusto's scalar types
// (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic),
// rows, schemas and materialised tables. Every other package of the core
// speaks in these terms.
package data

import "strings"

// Type is a Kusto scalar type as a column or an expression declares it.
type Type uint8

// The Kusto scalar types. Unknown is the type of an expression whose type
// cannot be known before a row is seen; it never appears in a schema.
const (
	Unknown Type = iota
	Bool
	Int
	Long
	Real
	Decimal
	String
	DateTime
	TimeSpan
	Guid
	Dynamic
)

var typeNames = [...]string{
	Unknown:  "unknown",
	Bool:     "bool",
	Int:      "int",
	Long:     "long",
	Real:     "real",
	Decimal:  "decimal",
	String:   "string",
	DateTime: "datetime",
	TimeSpan: "timespan",
	Guid:     "guid",
	Dynamic:  "dynamic",
}

// String returns Kusto's name of the type, as getschema and the query API print it.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// SystemName returns the .NET type name Kusto prints in getschema's DataType column.
func (t Type) SystemName() string {
	switch t {
	case Bool:
		return "System.SByte"
	case Int:
		return "System.Int32"
	case Long:
		return "System.Int64"
	case Real:
		return "System.Double"
	case Decimal:
		return "System.Data.SqlTypes.SqlDecimal"
	case String:
		return "System.String"
	case DateTime:
		return "System.DateTime"
	case TimeSpan:
		return "System.TimeSpan"
	case Guid:
		return "System.Guid"
	case Dynamic:
		return "System.Object"
	}
	return "System.Object"
}

// typeAliases maps every spelling Kusto accepts for a type to the type.
var typeAliases = map[string]Type{
	"bool": Bool, "boolean": Bool,
	"int": Int, "int32": Int,
	"long": Long, "int64": Long,
	"real": Real, "double": Real, "float": Real,
	"decimal":  Decimal,
	"string":   String,
	"datetime": DateTime, "date": DateTime,
	"timespan": TimeSpan, "time": TimeSpan,
	"guid": Guid, "uniqueid": Guid,
	"dynamic": Dynamic, "object": Dynamic,
}

// ParseType returns the type a Kusto type name (any accepted spelling, any
// case for the System.* forms) denotes.
func ParseType(name string) (Type, bool) {
	if t, ok := typeAliases[name]; ok {
		return t, true
	}
	switch strings.ToLower(name) {
	case "system.boolean", "system.sbyte":
		return Bool, true
	case "system.int32":
		return Int, true
	case "system.int64":
		return Long, true
	case "system.double", "system.single":
		return Real, true
	case "system.decimal", "system.data.sqltypes.sqldecimal":
		return Decimal, true
	case "system.string":
		return String, true
	case "system.datetime":
		return DateTime, true
	case "system.timespan":
		return TimeSpan, true
	case "system.guid":
		return Guid, true
	case "system.object":
		return Dynamic, true
	}
	return Unknown, false
}

// IsNumeric reports whether t is int, long, real or decimal.
func (t Type) IsNumeric() bool {
	return t == Int || t == Long || t == Real || t == Decimal
}

// IsIntegral reports whether t is int or long.
func (t Type) IsIntegral() bool { return t == Int || t == Long }
