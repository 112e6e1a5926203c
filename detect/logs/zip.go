package logs

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// A ZIP archive is read entry by entry: each CSV or JSON export inside is
// an input of its own (named archive.zip/entry.csv), and entries that are
// not are named in a notice. ZIP keeps its directory at the end, so the
// archive needs random access: an input that is a file (io.ReaderAt with a
// size) is read in place; anything else is read into memory, up to
// MaxZipBytes.

// openZip opens the entries of a ZIP archive.
func openZip(name string, open func() (io.ReadCloser, error), opts Options) ([]*Input, error) {
	zr, closer, err := zipReader(name, open, opts.Size)
	if err != nil {
		return nil, err
	}
	files := zr.File
	closer()
	if len(files) > MaxZipEntries {
		return nil, fmt.Errorf("%s: a ZIP archive of %d entries, more than %d (MaxZipEntries)", name, len(files), MaxZipEntries)
	}
	for _, f := range files {
		if f.Name == "xl/workbook.xml" {
			return nil, fmt.Errorf("%s: an Excel workbook (XLSX); save the sheet as CSV", name)
		}
	}
	var inputs []*Input
	var skipped []string
	for _, f := range files {
		if f.FileInfo().IsDir() {
			continue
		}
		entry := f.Name
		entryOpen := func() (io.ReadCloser, error) {
			zr, closer, err := zipReader(name, open, opts.Size)
			if err != nil {
				return nil, err
			}
			for _, g := range zr.File {
				if g.Name == entry {
					r, err := g.Open()
					if err != nil {
						closer()
						return nil, fmt.Errorf("%s/%s: %w", name, entry, err)
					}
					return &zipEntryReader{ReadCloser: r, closer: closer}, nil
				}
			}
			closer()
			return nil, fmt.Errorf("%s: the entry %s is gone (the archive changed since it was opened)", name, entry)
		}
		sub := opts
		sub.Size = int64(f.UncompressedSize64)
		sub.FileDigest = nil // the entry's bytes are not the file's
		ins, err := openInput(name+"/"+entry, entryOpen, sub, true)
		if err != nil {
			reason := strings.TrimPrefix(err.Error(), name+"/"+entry+": ")
			skipped = append(skipped, entry+" ("+reason+")")
			continue
		}
		inputs = append(inputs, ins...)
	}
	if len(inputs) == 0 {
		if len(skipped) == 0 {
			return nil, fmt.Errorf("%s: an empty ZIP archive", name)
		}
		return nil, fmt.Errorf("%s: a ZIP archive with no CSV or JSON export inside; skipped: %s", name, strings.Join(skipped, "; "))
	}
	if len(skipped) > 0 {
		inputs[0].notice(fmt.Sprintf("%s: skipped entries that are not exports: %s", name, strings.Join(skipped, "; ")))
	}
	return inputs, nil
}

type zipEntryReader struct {
	io.ReadCloser
	closer func()
}

func (z *zipEntryReader) Close() error {
	err := z.ReadCloser.Close()
	z.closer()
	return err
}

// sizer is a file's Stat.
type sizer interface {
	Stat() (fs.FileInfo, error)
}

// zipReader opens the archive for random access.
func zipReader(name string, open func() (io.ReadCloser, error), size int64) (*zip.Reader, func(), error) {
	rc, err := open()
	if err != nil {
		return nil, nil, err
	}
	closer := func() { rc.Close() }
	if ra, ok := rc.(io.ReaderAt); ok {
		if size <= 0 {
			if st, ok := rc.(sizer); ok {
				if fi, err := st.Stat(); err == nil {
					size = fi.Size()
				}
			}
		}
		if size > 0 {
			zr, err := zip.NewReader(ra, size)
			if err != nil {
				closer()
				return nil, nil, zipError(name, err)
			}
			return zr, closer, nil
		}
	}
	b, err := io.ReadAll(io.LimitReader(rc, MaxZipBytes+1))
	closer()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxZipBytes {
		return nil, nil, fmt.Errorf("%s: a ZIP archive larger than %d bytes (MaxZipBytes) that cannot be read in place; unzip it and give its files", name, MaxZipBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, zipError(name, err)
	}
	return zr, func() {}, nil
}

func zipError(name string, err error) error {
	if errors.Is(err, zip.ErrFormat) {
		return fmt.Errorf("%s: a damaged ZIP archive (%v)", name, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
