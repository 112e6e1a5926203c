package logs

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"testing"
)

// fixedDigest is a FileDigest that counts the bytes it is given and
// answers a digest of its own, so a test can tell whose digest a report
// holds.
type fixedDigest struct{ n *int }

func (d fixedDigest) Write(p []byte) (int, error) { *d.n += len(p); return len(p), nil }
func (d fixedDigest) Sum(b []byte) []byte         { return append(b, bytes.Repeat([]byte{0xab}, 32)...) }
func (d fixedDigest) Reset()                      {}
func (d fixedDigest) Size() int                   { return 32 }
func (d fixedDigest) BlockSize() int              { return 64 }

// TestFileDigest: an input's FileDigest gives its report's sha256 and
// sees every byte of the file as read; a ZIP archive's entries, whose
// reports cover the entry's bytes, keep offhunt's own SHA-256.
func TestFileDigest(t *testing.T) {
	text := "Timestamp,FileName\n2025-01-01T00:00:00Z,a.exe\n"
	fed := 0
	opts := Options{FileDigest: func() hash.Hash { return fixedDigest{&fed} }}
	ins, err := Open("a.csv", openString(text), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := report(t, ins[0]).SHA256; got != hex.EncodeToString(bytes.Repeat([]byte{0xab}, 32)) {
		t.Errorf("the report's sha256 is %s, not FileDigest's", got)
	}
	if fed != len(text) {
		t.Errorf("FileDigest was given %d bytes of %d", fed, len(text))
	}

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("inner.csv")
	w.Write([]byte(text))
	zw.Close()
	fed = 0
	ins, err = Open("a.zip", openBytes(zb.Bytes()), opts)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(text))
	if got := report(t, ins[0]).SHA256; got != hex.EncodeToString(sum[:]) {
		t.Errorf("a ZIP entry's sha256 is %s, want the SHA-256 of its bytes", got)
	}
	if fed != 0 {
		t.Errorf("FileDigest was given %d bytes of a ZIP entry", fed)
	}
}
