// Package sheettest builds hostile xlsx uploads in code for the import tests: packages whose
// parts unpack far past what their bytes suggest.
package sheettest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Part is one file of a hand-built xlsx package, written in pieces so a test can describe a
// part of hundreds of MiB without holding it.
type Part struct {
	name   string
	pieces func(w io.Writer) error
	size   uint64 // a declared size (see Declared), or 0
}

// XMLPart is a part holding text.
func XMLPart(name string, text string) Part {
	return Part{name: name, pieces: func(w io.Writer) error { _, err := io.WriteString(w, text); return err }}
}

// Repeated writes head, then n copies of unit, then tail.
func Repeated(name, head, unit string, n int, tail string) Part {
	return Part{name: name, pieces: func(w io.Writer) error {
		if _, err := io.WriteString(w, head); err != nil {
			return err
		}
		chunk := strings.Repeat(unit, max(1, 64<<10/max(1, len(unit))))
		per := max(1, 64<<10/max(1, len(unit)))
		for left := n; left > 0; left -= per {
			if left < per {
				chunk = strings.Repeat(unit, left)
			}
			if _, err := io.WriteString(w, chunk); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, tail)
		return err
	}}
}

// Declared is a part whose zip header says it unpacks to size bytes. Its body is a small
// stored text, so the test need not compress hundreds of MiB: the limits on unpacked sizes are
// decided on the headers (which Go's zip reader holds a part to when it is read).
func Declared(name string, size uint64) Part {
	return Part{name: name, size: size}
}

// Pack zips the parts into an xlsx-shaped package.
func Pack(t *testing.T, parts ...Part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.size > 0 {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Store, UncompressedSize64: p.size, CompressedSize64: 4})
			require.NoError(t, err)
			_, err = w.Write([]byte("<a/>"))
			require.NoError(t, err)
			continue
		}
		w, err := zw.Create(p.name)
		require.NoError(t, err)
		require.NoError(t, p.pieces(w))
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// SheetHead and SheetTail enclose a worksheet's rows.
const SheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const SheetTail = `</sheetData></worksheet>`

// SharedStrings is xl/sharedStrings.xml holding items.
func SharedStrings(items ...string) Part {
	var b strings.Builder
	b.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for _, s := range items {
		fmt.Fprintf(&b, "<si><t>%s</t></si>", s)
	}
	b.WriteString("</sst>")
	return XMLPart("xl/sharedStrings.xml", b.String())
}

// Bomb is an upload that must be refused for the named limit.
type Bomb struct {
	Name  string
	Parts []Part
	Limit string
}

// Bombs are the files the imports must refuse quickly, scaled for a sheet of maxRows data rows:
// the amplifications seen in the wild and the spellings that might slip past a scan.
func Bombs(maxRows int) []Bomb {
	big := strings.Repeat("a", 40<<10)
	wide := "<row>" + strings.Repeat(`<c t="s"><v>0</v></c>`, 5) + "</row>"
	return []Bomb{
		{"a 250 MB shared string (one part past the part limit)", []Part{
			Declared("xl/sharedStrings.xml", 250_000_000), SharedStrings("x")}, "max_part_bytes"},
		{"a 250 MB cell (one part past the part limit)", []Part{Declared("xl/worksheets/sheet1.xml", 250_000_000)}, "max_part_bytes"},
		{"all parts unpack past the total", []Part{
			Declared("xl/media/a.bin", 40<<20), Declared("xl/media/b.bin", 40<<20)}, "max_unpacked"},
		{"one shared string over the cell limit", []Part{SharedStrings("x", big)}, "max_cell_text"},
		{"one inline cell over the cell limit", []Part{
			XMLPart("xl/worksheets/sheet1.xml", SheetHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>`+big+`</t></is></c></row>`+SheetTail)}, "max_cell_text"},
		{"one value cell over the cell limit", []Part{
			XMLPart("xl/worksheets/sheet1.xml", SheetHead+`<row r="1"><c r="A1"><v>`+big+`</v></c></row>`+SheetTail)}, "max_cell_text"},
		{"a 30 KiB shared string used 1,500 times", []Part{
			SharedStrings(strings.Repeat("b", 30<<10)), Repeated("xl/worksheets/sheet1.xml", SheetHead, wide, 300, SheetTail)}, "max_text"},
		{"the same, with the type attribute spelled oddly", []Part{
			SharedStrings(strings.Repeat("b", 30<<10)),
			Repeated("xl/worksheets/sheet1.xml", SheetHead, "<row>"+strings.Repeat("<x:c\n x:t = 's' r=\"A1\"><v> 0 </v></x:c>", 5)+"</row>", 300, SheetTail)}, "max_text"},
		{"a sheet at an unusual path", []Part{
			SharedStrings(strings.Repeat("b", 30<<10)), Repeated("elsewhere/data.xml", SheetHead, wide, 300, SheetTail)}, "max_text"},
		{"more rows than the import takes", []Part{
			Repeated("xl/worksheets/sheet1.xml", SheetHead, `<row><c><v>1</v></c></row>`, maxRows+2, SheetTail)}, "max_rows"},
	}
}
