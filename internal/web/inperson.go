package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/inperson"
)

// InPersonEntry reads the fields of the face-to-face review's form (both
// doors send it as a multipart form, the photo as its part "file"): year,
// seen ("1" or "0"), seen_on, place, proof, reason, note and version.
func InPersonEntry(f url.Values, file []byte, fileName string) (inperson.Entry, error) {
	var errs apperr.List
	e := inperson.Entry{Place: strings.TrimSpace(f.Get("place")), Proof: f.Get("proof"), Reason: f.Get("reason"),
		Note: strings.TrimSpace(f.Get("note"))}
	var err error
	if e.Year, err = strconv.Atoi(strings.TrimSpace(f.Get("year"))); err != nil {
		errs = append(errs, apperr.Invalidf("year", "请填写年审年度", "give the year of the review"))
	}
	switch f.Get("seen") {
	case "1", "true":
		e.Seen = true
	case "0", "false":
	default:
		errs = append(errs, apperr.Invalidf("seen", "请选择是否已见面", "say whether the recipient was seen"))
	}
	if s := strings.TrimSpace(f.Get("seen_on")); s != "" {
		if e.SeenOn, err = date.Parse(s); err != nil {
			errs = append(errs, apperr.Invalidf("seen_on", "日期格式应为 2024-05-10", "the day must be like 2024-05-10"))
		}
	}
	if v := strings.TrimSpace(f.Get("version")); v != "" {
		if e.Version, err = strconv.Atoi(v); err != nil || e.Version < 0 {
			errs = append(errs, apperr.Invalidf("version", "版本号无效", "invalid version"))
		}
	}
	if len(file) > 0 {
		e.Photo = &attach.File{Name: fileName, Kind: attach.KindPhoto, Data: file}
	}
	return e, errs.Err()
}

// MaskProgress masks the ID numbers of a review's rows, for a list.
func MaskProgress(p *inperson.Progress) *inperson.Progress {
	out := *p
	out.Rows = make([]inperson.Row, len(p.Rows))
	for i, r := range p.Rows {
		r.IDNumber = idcard.Number(r.IDNumber).Masked()
		out.Rows[i] = r
	}
	out.Townships = make([]inperson.Township, len(p.Townships))
	for i, t := range p.Townships {
		rows := make([]inperson.Row, len(t.Unseeing))
		for j, r := range t.Unseeing {
			r.IDNumber = idcard.Number(r.IDNumber).Masked()
			rows[j] = r
		}
		t.Unseeing = rows
		out.Townships[i] = t
	}
	return &out
}

// ServeAttachment writes attachment id of county to w as the file it is,
// shown in the browser (a photo, a PDF) but never run as a page.
func ServeAttachment(a *app.App, w http.ResponseWriter, r *http.Request, county string, id int64) error {
	f, err := a.Attachment(r.Context(), Actor(r), county, id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.Attachment.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename*=UTF-8''%s", url.PathEscape(f.Attachment.Name)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(f.Data)
	return err
}

// InvalidYear is the answer to a year that is not one.
func InvalidYear() error {
	return apperr.Invalidf("year", "年度应为 2000 至 2100 的整数", "the year must be a whole number from 2000 to 2100")
}

// InvalidDay is the answer to a day that is not one, in field.
func InvalidDay(field string) error {
	return apperr.Invalidf(field, "日期格式应为 2024-05-10", "the day must be like 2024-05-10")
}
