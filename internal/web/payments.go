package web

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// What both doors show of payments the same way: masked batches and
// failed lines, and the bank file.

// MaskBatch returns b with its ID and account numbers masked, as both
// doors show a batch: the full numbers go to the bank in the file only.
func MaskBatch(b payment.Batch) payment.Batch {
	items := make([]payment.Item, len(b.Items))
	for i, it := range b.Items {
		it.IDNumber = idcard.Number(it.IDNumber).Masked()
		it.Account = payment.MaskAccount(it.Account)
		items[i] = it
	}
	b.Items = items
	return b
}

// MaskRetry masks the ID and account numbers of a failed line.
func MaskRetry(x payment.Retry) payment.Retry {
	x.Failed.IDNumber = idcard.Number(x.Failed.IDNumber).Masked()
	x.Failed.Account = payment.MaskAccount(x.Failed.Account)
	if x.Account != nil {
		a := *x.Account
		a.Number = payment.MaskAccount(a.Number)
		x.Account = &a
	}
	return x
}

// ServeBankFile writes the bank file of batch id of county as the
// county's template for the batch's bank lays it out (the generic CSV
// when the bank has none); the API and the staff pages share it.
// ?format=xlsx gives the same lines as an Excel workbook, for checking;
// ?encoding= (utf8, gbk) overrides the template's encoding; a template
// that makes one file per township gives the file of ?township=, or all of
// them in one zip. The file holds full ID and account numbers: its
// release is audited.
func ServeBankFile(a *app.App, w http.ResponseWriter, r *http.Request, county string, id int64) error {
	q := r.URL.Query()
	xlsx, err := bankFileFormat(q.Get("format"))
	if err != nil {
		return err
	}
	encoding, err := sheet.ParseEncoding(q.Get("encoding"))
	if err != nil {
		return err
	}
	fs, err := a.BankFile(r.Context(), Actor(r), county, id)
	if err != nil {
		return err
	}
	if encoding == "" {
		encoding = fs.Layout.Encoding
	}
	files := fs.Files
	township := q.Get("township")
	if township != "" {
		files = nil
		for _, f := range fs.Files {
			if f.Township == township {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return apperr.NotFoundf("该批次没有这个乡镇的明细", "the batch pays nobody in that township")
		}
	}
	zipped := fs.Layout.Split == payment.SplitTownship && township == ""
	name, chinese, ctype, body, err := bankFileBody(fs, files, zipped, xlsx, encoding)
	if err != nil {
		return err
	}
	items := 0
	for _, f := range files {
		items += f.Items
	}
	// The file holds full ID and account numbers: its release is audited.
	format := files[0].Ext()
	if xlsx {
		format = sheet.FormatXLSX
	}
	if err := a.RecordExport(r.Context(), Actor(r), app.Export{Action: "payment_batch.file", Entity: "payment_batch",
		EntityID: strconv.FormatInt(id, 10), Region: region.Code(county),
		Detail: map[string]any{"file": name, "format": format, "encoding": encoding, "items": items, "layout": fs.Layout.Name,
			"township": township, "files": len(files)}}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", Attachment(chinese, name))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
	return nil
}

// bankFileFormat reads the format a bank file is asked for in: the
// template's own file ("", "csv", "txt" or "file") or an Excel workbook
// ("xlsx", "excel").
func bankFileFormat(format string) (xlsx bool, err error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "csv", "txt", "file":
		return false, nil
	case "xlsx", "excel":
		return true, nil
	}
	return false, apperr.Invalidf("format", "格式应为 csv、txt 或 xlsx，实为 %q", "format must be csv, txt or xlsx, got %q", format)
}

// bankFileBody makes the bank file of files: the one file, or a zip of
// them all (one per township); it returns its name in ASCII and in Chinese, its content type
// and its bytes.
func bankFileBody(fs *payment.BankFiles, files []*payment.BankFile, zipped, xlsx bool, encoding string) (name, chinese, ctype string, body []byte, err error) {
	ext := func(f *payment.BankFile) string {
		if xlsx {
			return sheet.FormatXLSX
		}
		return f.Ext()
	}
	suffix := ""
	if encoding == sheet.EncodingGB18030 && !xlsx {
		suffix = "-gbk" // two encodings of a file do not share a name
	}
	if !zipped {
		f := files[0]
		var buf bytes.Buffer
		if err := writeBankFile(&buf, f, xlsx, encoding); err != nil {
			return "", "", "", nil, err
		}
		name, chinese = f.Names(suffix, ext(f))
		return name, chinese, bankFileType(f, xlsx, encoding), buf.Bytes(), nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		var one bytes.Buffer
		if err := writeBankFile(&one, f, xlsx, encoding); err != nil {
			return "", "", "", nil, err
		}
		inner, _ := f.Names(suffix, ext(f))
		zf, err := zw.CreateHeader(&zip.FileHeader{Name: inner, Method: zip.Deflate, Modified: f.Time.UTC()})
		if err != nil {
			return "", "", "", nil, err
		}
		if _, err := zf.Write(one.Bytes()); err != nil {
			return "", "", "", nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return "", "", "", nil, err
	}
	name, chinese = fs.ZipNames(suffix)
	return name, chinese, "application/zip", buf.Bytes(), nil
}

// bankFileType is the content type of a bank file.
func bankFileType(f *payment.BankFile, xlsx bool, encoding string) string {
	charset := "utf-8"
	if encoding == sheet.EncodingGB18030 {
		charset = "gb18030"
	}
	switch {
	case xlsx:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case f.Layout.Format == payment.LayoutCSV:
		return "text/csv; charset=" + charset
	}
	return "text/plain; charset=" + charset
}

// writeBankFile writes the bank file f in its layout (a CSV file through
// sheet.Writer, delimited text through sheet.TextWriter), in encoding, or
// as an Excel workbook.
func writeBankFile(w io.Writer, f *payment.BankFile, xlsx bool, encoding string) error {
	if !xlsx && f.Layout.Format == payment.LayoutText {
		tw, err := sheet.NewTextWriter(w, sheet.TextOptions{Delimiter: f.Layout.Delimiter, Encoding: encoding,
			LF: f.Layout.LineEnd == payment.LineLF, Numbers: f.Numbers})
		if err != nil {
			return err
		}
		for _, row := range append([][]string{f.Header}, f.Rows...) {
			if err := tw.Write(row); err != nil {
				return err
			}
		}
		return tw.Close()
	}
	format := sheet.FormatCSV
	if xlsx {
		format = sheet.FormatXLSX
	}
	var money []int
	if f.AmountColumn >= 0 {
		money = []int{f.AmountColumn}
	}
	tw, err := sheet.NewWriter(w, f.Header, sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: f.Sheet, Widths: f.Widths,
		Numbers: f.Numbers, Document: &sheet.Document{Title: f.Title, Creator: f.Creator, Language: f.Language, Time: f.Time, Money: money}})
	if err != nil {
		return err
	}
	for _, row := range f.Rows {
		if err := tw.Write(row); err != nil {
			return err
		}
	}
	return tw.Close()
}

// FilePreview is a file of a layout's preview: its name and its text.
type FilePreview struct {
	Name string
	Text string
}

// BankFilePreview lays out the sample batch (payment.SampleBatch) in
// layout l, which must be valid, and returns its files as they would be
// written, decoded to text: what the finance officer checks before saving
// a template.
func BankFilePreview(l payment.BankLayout, tree *region.Tree) ([]FilePreview, error) {
	b, towns := payment.SampleBatch()
	var out []FilePreview
	for _, f := range b.Files(l, towns, tree) {
		var buf bytes.Buffer
		if err := writeBankFile(&buf, f, false, sheet.EncodingUTF8); err != nil {
			return nil, err
		}
		_, name := f.Names("", f.Ext())
		out = append(out, FilePreview{Name: name, Text: strings.TrimPrefix(buf.String(), "\ufeff")})
	}
	return out, nil
}
