package ui

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The printed papers of the pages: a case's documents (the printable page
// with a link to its PDF, or the PDF), every letter of a cycle and a
// division's notice lists as one PDF. The printable notice and the letter
// pages serve their PDFs themselves (?format=pdf).

// caseDocumentPage shows document {kind} of a case (the application form,
// the survey record, a notice list of ?level=) ready to print, or with
// ?format=pdf sends it as PDF.
func (h *Handler) caseDocumentPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	return web.ServeCaseDocument(h.app, w, r, app.CaseKey{County: county, ID: id}, r.PathValue("kind"))
}

// cycleLettersPDF sends every notification letter of a cycle, or of
// ?township= only, as one PDF.
func (h *Handler) cycleLettersPDF(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	return web.ServeCycleLetters(h.app, h.tree, w, r, county, id)
}

// noticeListsPDF sends the notice lists of ?level= posted on ?day= within
// ?region= as one PDF.
func (h *Handler) noticeListsPDF(w http.ResponseWriter, r *http.Request) error {
	return web.ServeNoticeLists(h.app, h.tree, w, r)
}
