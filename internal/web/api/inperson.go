package api

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// recordInPerson is POST /api/v1/persons/{county}/{id}/inperson-review:
// the face-to-face review of the person for a year, as a multipart form
// (the photo as its part "file") or, without a photo, as JSON.
func (h *Handler) recordInPerson(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	k := registry.Key{County: county, ID: pid}
	// The person must be one the caller may read before anything is read
	// of the body.
	if _, err := h.app.InPersonReview(r.Context(), web.Actor(r), k, date.Today(h.app.Now()).Year()); err != nil {
		return err
	}
	var fields url.Values
	var file []byte
	name := ""
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		up, err := web.ReadUpload(w, r)
		if err != nil {
			return err
		}
		fields, file, name = up.Fields, up.File, up.Name
	} else {
		var in struct {
			Year    int    `json:"year"`
			Seen    bool   `json:"seen"`
			SeenOn  string `json:"seen_on"`
			Place   string `json:"place"`
			Proof   string `json:"proof"`
			Reason  string `json:"reason"`
			Note    string `json:"note"`
			Version int    `json:"version"`
		}
		if err := web.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		fields = url.Values{"year": {strconv.Itoa(in.Year)}, "seen": {strconv.FormatBool(in.Seen)}, "seen_on": {in.SeenOn},
			"place": {in.Place}, "proof": {in.Proof}, "reason": {in.Reason}, "note": {in.Note}, "version": {strconv.Itoa(in.Version)}}
	}
	e, err := web.InPersonEntry(fields, file, name)
	if err != nil {
		return err
	}
	rec, err := h.app.RecordInPerson(r.Context(), web.Actor(r), k, e)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// getInPerson is GET /api/v1/persons/{county}/{id}/inperson-review?year=:
// the record of the person's review of the year (null when none).
func (h *Handler) getInPerson(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	year, err := yearParam(r, h)
	if err != nil {
		return err
	}
	rev, err := h.app.InPersonReview(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid}, year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"review": rev})
	return nil
}

// inPersonProgress is GET /api/v1/inperson-review?region=&year=: the
// review of a year within a county or a division of one, ID numbers
// masked.
func (h *Handler) inPersonProgress(w http.ResponseWriter, r *http.Request) error {
	year, err := yearParam(r, h)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("region")
	if code == "" {
		code = string(web.Actor(r).Scope)
	}
	p, err := h.app.InPersonProgress(r.Context(), web.Actor(r), code, year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, web.MaskProgress(p))
	return nil
}

// personAttachments is GET /api/v1/persons/{county}/{id}/attachments.
func (h *Handler) personAttachments(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	xs, err := h.app.PersonAttachments(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"attachments": xs})
	return nil
}

// getAttachment is GET /api/v1/attachments/{county}/{id}: the file.
func (h *Handler) getAttachment(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	return web.ServeAttachment(h.app, w, r, county, id)
}

// yearParam reads ?year= (default: this year in Beijing).
func yearParam(r *http.Request, h *Handler) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return date.Today(h.app.Now()).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, web.InvalidYear()
	}
	return y, nil
}

// addPersonAttachment is POST /api/v1/persons/{county}/{id}/attachments:
// a multipart form with the file as its part "file" and the field kind.
func (h *Handler) addPersonAttachment(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	k := registry.Key{County: county, ID: pid}
	if _, err := h.app.PersonAttachments(r.Context(), web.Actor(r), k); err != nil {
		return err // the person must be one the caller may read before the body is read
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	x, err := h.app.AddPersonAttachment(r.Context(), web.Actor(r), k, web.AttachmentFile(up))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// caseAttachments is GET /api/v1/cases/{county}/{id}/attachments.
func (h *Handler) caseAttachments(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	xs, err := h.app.CaseAttachments(r.Context(), web.Actor(r), app.CaseKey{County: county, ID: id})
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []attach.Attachment{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"attachments": xs})
	return nil
}

// addCaseAttachment is POST /api/v1/cases/{county}/{id}/attachments.
func (h *Handler) addCaseAttachment(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	k := app.CaseKey{County: county, ID: id}
	if _, err := h.app.CaseAttachments(r.Context(), web.Actor(r), k); err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	x, err := h.app.AddCaseAttachment(r.Context(), web.Actor(r), k, web.AttachmentFile(up))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// caseFile is GET /api/v1/cases/{county}/{id}/case-file: the index of the
// case's file as PDF.
func (h *Handler) caseFile(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	return web.ServeCaseFile(h.app, w, r, app.CaseKey{County: county, ID: id})
}

// getRetention is GET /api/v1/attachment-retention/{county}.
func (h *Handler) getRetention(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	n, err := h.app.AttachmentRetention(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"years": n})
	return nil
}

// putRetention is PUT /api/v1/attachment-retention/{county} {years}.
func (h *Handler) putRetention(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Years int `json:"years"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.app.SetAttachmentRetention(r.Context(), web.Actor(r), county, in.Years); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]int{"years": in.Years})
	return nil
}
