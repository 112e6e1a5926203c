package builtin

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"

	"offhunt/detect/data"
)

// Cryptographic hashes of a value's text (its UTF-8 bytes), in lower-case
// hex, as Kusto prints them. Defender tables carry SHA1, SHA256 and MD5
// columns, so hunting queries compare against these. hash() (xxhash64) is
// not provided: its values only matter for sampling, and offhunt does not
// sample.

func init() {
	register(
		fn("hash_sha256(source: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			sum := sha256.Sum256([]byte(argString(a[0])))
			return data.NewString(hex.EncodeToString(sum[:]))
		}),
		fn("hash_sha1(source: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			sum := sha1.Sum([]byte(argString(a[0])))
			return data.NewString(hex.EncodeToString(sum[:]))
		}),
		fn("hash_md5(source: scalar): string", func(_ *CallContext, a []data.Value) data.Value {
			sum := md5.Sum([]byte(argString(a[0])))
			return data.NewString(hex.EncodeToString(sum[:]))
		}),
	)
}
