package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The annual face-to-face review (年审见面): the page of a region's
// progress, by township, with those not yet seen; and the form, made for
// a phone, on which the village specialist records that a recipient was
// seen (with a photo taken there and then) or why not.

// inPersonPage shows the review of a year within a region.
func (h *Handler) inPersonPage(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	v := h.newView(w, r, "inperson_title")
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("region"))
	if code == "" {
		code = string(a.Scope)
		if a.Scope.Level() < region.County {
			code = ""
		}
	}
	year := date.Today(h.now()).Year()
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	v.Form.Set("region", code)
	v.Form.Set("year", strconv.Itoa(year))
	data := map[string]any{"Root": string(a.Scope), "Year": year}
	v.Data = data
	if code == "" {
		if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "inperson_review"}); err != nil {
			return err
		}
		return h.render(w, http.StatusOK, "inperson.html", v)
	}
	p, err := h.app.InPersonProgress(r.Context(), a, code, year)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "inperson.html", v)
	}
	data["P"] = web.MaskProgress(p)
	data["CanRecord"] = inperson.CanRecord(a)
	return h.render(w, http.StatusOK, "inperson.html", v)
}

// inPersonForm shows the form of one person's review.
func (h *Handler) inPersonForm(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "inperson_record")
	year := date.Today(h.now()).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && (y == year || y == year-1) {
		year = y
	}
	if err := h.inPersonData(r, v, k, year, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "inperson_person.html", v)
}

// inPersonData loads the person, the year's record and the files kept
// with the person; fill prefills the form from the record.
func (h *Handler) inPersonData(r *http.Request, v *view, k registry.Key, year int, fill bool) error {
	a := web.Actor(r)
	rev, err := h.app.InPersonReview(r.Context(), a, k, year)
	if err != nil {
		return err
	}
	o, err := h.app.PersonOverview(r.Context(), a, k, v.Lang)
	if err != nil {
		return err
	}
	files, err := h.app.PersonAttachments(r.Context(), a, k)
	if err != nil {
		return err
	}
	rec := o.Person
	if fill {
		v.Form.Set("year", strconv.Itoa(year))
		v.Form.Set("seen", "1")
		v.Form.Set("seen_on", date.Today(h.now()).String())
		v.Form.Set("proof", inperson.ProofPhoto)
		v.Form.Set("version", "0")
		if rev != nil {
			v.Form.Set("version", strconv.Itoa(rev.Version))
		}
	}
	v.Title = v.T["inperson_record"] + " · " + rec.Name
	v.Data = map[string]any{"Rec": rec, "Key": rec.County + "/" + rec.Ref(), "IDMasked": idcard.Number(rec.IDNumber).Masked(),
		"Review": rev, "Year": year, "Files": files, "CanRecord": inperson.CanRecord(a),
		"Reasons": inperson.Reasons.Codes(), "Proofs": inperson.Proofs.Codes()}
	return nil
}

// inPersonSubmit records the review from the form (a multipart form: the
// photo is its part "file").
func (h *Handler) inPersonSubmit(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	year := date.Today(h.now()).Year()
	// The person must be one the caller may read before the body is read.
	if _, err := h.app.InPersonReview(r.Context(), a, k, year); err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "inperson_record")
	for _, f := range []string{"year", "seen", "seen_on", "place", "proof", "reason", "note", "version"} {
		v.Form.Set(f, strings.TrimSpace(up.Fields.Get(f)))
	}
	if y, err := strconv.Atoi(v.F("year")); err == nil && y == year-1 {
		year = y
	}
	e, err := web.InPersonEntry(up.Fields, up.File, up.Name)
	if err == nil {
		_, err = h.app.RecordInPerson(r.Context(), a, k, e)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.inPersonData(r, v, k, year, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "inperson_person.html", v)
	}
	back := "/inperson?region=" + townshipOfKey(r, h, k) + "&year=" + strconv.Itoa(e.Year)
	redirectDone(w, r, back, "inperson_recorded")
	return nil
}

// townshipOfKey is the township of person k for the page to return to,
// or the actor's own scope when the township is above it.
func townshipOfKey(r *http.Request, h *Handler, k registry.Key) string {
	a := web.Actor(r)
	o, err := h.app.PersonOverview(r.Context(), a, k, "zh")
	if err != nil || len(o.Person.Region) < 9 {
		return string(a.Scope)
	}
	t := region.Code(o.Person.Region[:9] + "000")
	if a.CanSee(t) {
		return string(t)
	}
	return string(a.Scope)
}

// attachmentFile serves a file kept with a person or a case.
func (h *Handler) attachmentFile(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.app.Tree())
	if err != nil {
		return err
	}
	return web.ServeAttachment(h.app, w, r, county, id)
}

// caseAttachmentSubmit keeps an uploaded file with a case.
func (h *Handler) caseAttachmentSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	k := app.CaseKey{County: county, ID: id}
	a := web.Actor(r)
	// The case must be one the caller may read before the body is read.
	if _, err := h.app.CaseAttachments(r.Context(), a, k); err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	if _, err := h.app.AddCaseAttachment(r.Context(), a, k, web.AttachmentFile(up)); err != nil {
		v := h.newView(w, r, "case.title")
		if !formError(v, err) {
			return err
		}
		if derr := h.caseData(r, v, county, id); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "case.html", v)
	}
	redirectDone(w, r, "/cases/"+county+"/"+strconv.FormatInt(id, 10), "file_added")
	return nil
}

// caseFilePDF prints the index of a case's file.
func (h *Handler) caseFilePDF(w http.ResponseWriter, r *http.Request) error {
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	return web.ServeCaseFile(h.app, w, r, app.CaseKey{County: county, ID: id})
}

// escalateSubmit sends a case to the level above with a question.
func (h *Handler) escalateSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	k := app.CaseKey{County: county, ID: id}
	if _, err := h.app.Escalate(r.Context(), web.Actor(r), k, r.PostFormValue("question")); err != nil {
		v := h.newView(w, r, "case.title")
		if !formError(v, err) {
			return err
		}
		if derr := h.caseData(r, v, county, id); derr != nil {
			return derr
		}
		v.Form.Set("question", r.PostFormValue("question"))
		return h.render(w, http.StatusUnprocessableEntity, "case.html", v)
	}
	redirectDone(w, r, "/cases/"+county+"/"+strconv.FormatInt(id, 10), "escalated")
	return nil
}

// answerSubmit answers a request for instructions and returns to its case.
func (h *Handler) answerSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := checkKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	e, err := h.app.AnswerEscalation(r.Context(), web.Actor(r), county, id, r.PostFormValue("answer"))
	if err != nil {
		return err
	}
	redirectDone(w, r, "/cases/"+county+"/"+strconv.FormatInt(e.CaseID, 10), "answered")
	return nil
}
