package logs

import (
	"hash/maphash"

	"offhunt/detect/data"
)

// Event hashes find the same event in overlapping exports. A record's hash
// is a sum over its non-empty fields of a hash of (column name, value as
// the input wrote it), so it does not depend on column order, and an
// export that lacks a column hashes like one where it is empty. Provenance
// (input, line) is never part of it.

var eventSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// nameHash hashes a column name for eventHash.
func nameHash(name string) uint64 { return maphash.String(eventSeeds[0], name) }

// eventHash hashes a record's fields.
func eventHash(g *group, fields []rawField) data.EventHash {
	var h data.EventHash
	for i, f := range fields {
		if f.isEmpty() {
			continue
		}
		n := g.hashes[i]
		h[0] += mix(maphash.Bytes(eventSeeds[0], f.b) ^ n)
		h[1] += mix(maphash.Bytes(eventSeeds[1], f.b) + n*0x9E3779B97F4A7C15)
	}
	return h
}

// mix scrambles a field's hash before the fields are summed.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
