package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
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

// ServeBankFile writes the bank file of batch id of county in the format
// and encoding the query asks for; the API and the staff pages share it.
// The file holds full ID and account numbers: its release is audited.
func ServeBankFile(a *app.App, w http.ResponseWriter, r *http.Request, county string, id int64) error {
	q := r.URL.Query()
	format, encoding, err := bankFileFormat(q.Get("format"), q.Get("encoding"))
	if err != nil {
		return err
	}
	f, err := a.BankFile(r.Context(), Actor(r), county, id)
	if err != nil {
		return err
	}
	// The file holds full ID and account numbers: its release is audited.
	if err := a.RecordExport(r.Context(), Actor(r), app.Export{Action: "payment_batch.file", Entity: "payment_batch",
		EntityID: strconv.FormatInt(id, 10), Region: region.Code(county),
		Detail: map[string]any{"file": f.Name(format), "format": format, "encoding": encoding, "items": len(f.Rows) - 1}}); err != nil {
		return err
	}
	return writeBankFile(w, f, format, encoding)
}

// bankFileFormat reads the format (csv, xlsx) and the encoding of a CSV
// file (utf8, gbk) a bank file is asked for in.
func bankFileFormat(format, encoding string) (string, string, error) {
	f, err := sheet.ParseFormat(format)
	if err != nil {
		return "", "", err
	}
	e, err := sheet.ParseEncoding(encoding)
	if err != nil {
		return "", "", err
	}
	if e == "" {
		e = sheet.EncodingUTF8
	}
	return f, e, nil
}

// writeBankFile sends the bank file f as an attachment in the format and
// encoding given (as bankFileFormat returns them).
func writeBankFile(w http.ResponseWriter, f *payment.BankFile, format, encoding string) error {
	var buf bytes.Buffer
	tw, err := sheet.NewWriter(&buf, f.Header, sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: f.Sheet, Widths: f.Widths,
		Document: &sheet.Document{Title: f.Title, Creator: f.Creator, Language: f.Language, Time: f.Time, Money: []int{f.AmountColumn}}})
	if err != nil {
		return err
	}
	for _, row := range f.Rows {
		if err := tw.Write(row); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	ctype := "text/csv; charset=utf-8"
	switch {
	case format == sheet.FormatXLSX:
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case encoding == sheet.EncodingGB18030:
		ctype = "text/csv; charset=gb18030"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.Name(format)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}
