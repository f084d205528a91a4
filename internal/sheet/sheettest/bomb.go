// Package sheettest makes hostile spreadsheet files for tests: a zip bomb
// disguised as an Excel workbook, built in milliseconds without
// compressing gigabytes.
package sheettest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
)

const chunk = 1 << 20

// parts are the small parts of a workbook around its first worksheet.
var parts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

const (
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>身份证号</t></is></c></row>`
	sheetTail = `</sheetData></worksheet>`
)

// ZipBomb returns a workbook whose worksheet inflates to about mib MiB of
// white space between two rows: valid XML that a reader without bounds
// unpacks in full. The archive itself is about a thousandth of that. When
// declared is not 0, the archive's directory declares the worksheet to be
// that many bytes, not its real size: a bomb that lies.
func ZipBomb(mib int, declared uint64) []byte {
	stream, size, crc := spaces(mib)
	if declared != 0 {
		size = declared
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(p.body))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(stream)), UncompressedSize64: size})
	if err != nil {
		panic(err)
	}
	w.Write(stream)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// spaces returns a raw deflate stream of sheetHead, mib MiB of spaces and
// sheetTail, its inflated size and CRC-32. Once the window holds nothing
// but spaces, a flushed MiB of spaces compresses to the same bytes every
// time, so the stream repeats them rather than compressing each MiB.
func spaces(mib int) (stream []byte, size uint64, crc uint32) {
	if mib < 3 {
		mib = 3
	}
	blank := bytes.Repeat([]byte{' '}, chunk)
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	emit := func(p []byte) []byte {
		start := out.Len()
		fw.Write(p)
		fw.Flush()
		return bytes.Clone(out.Bytes()[start:])
	}
	emit(append([]byte(sheetHead), blank...))
	s1 := emit(blank)
	s2 := emit(blank)
	if !bytes.Equal(s1, s2) {
		panic(fmt.Sprintf("sheettest: a flushed MiB of spaces compressed differently (%d and %d bytes)", len(s1), len(s2)))
	}
	prefix := bytes.Clone(out.Bytes())
	start := out.Len()
	fw.Write([]byte(sheetTail))
	fw.Close()
	tail := bytes.Clone(out.Bytes()[start:])

	stream = append(prefix, bytes.Repeat(s2, mib-3)...)
	stream = append(stream, tail...)
	crc = crc32.ChecksumIEEE([]byte(sheetHead))
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, blank)
	}
	crc = crc32.Update(crc, crc32.IEEETable, []byte(sheetTail))
	return stream, uint64(len(sheetHead)+len(sheetTail)) + uint64(mib)*chunk, crc
}
