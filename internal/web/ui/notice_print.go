package ui

import (
	"io"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// noticePrint shows one notice of a case for printing and posting: the
// applicant with the ID number masked, the program, the period and where
// to object; with ?format=pdf it sends the notice list posted with it (as
// its Excel export holds it) as PDF.
func (h *Handler) noticePrint(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	nid, err := web.PathID(r, "nid")
	if err != nil {
		return err
	}
	pdf, err := web.WantsPDF(r)
	if err != nil {
		return err
	}
	if pdf {
		n, list, err := h.app.NoticeList(r.Context(), web.Actor(r), app.CaseKey{County: county, ID: id}, nid)
		if err != nil {
			return err
		}
		ref := county + "-" + strconv.FormatInt(id, 10)
		return web.ServePDF(w, "公示名单-"+n.Level.Chinese()+"-"+ref+".pdf", "notice-"+ref+"-"+strconv.FormatInt(nid, 10)+".pdf",
			func(w io.Writer) error { return printout.NoticeList(w, list) })
	}
	v := h.newView(w, r, "notice.title")
	if err := h.caseData(r, v, county, id); err != nil {
		return err
	}
	hist := v.Data.(map[string]any)["H"].(*workflow.History)
	for i := range hist.Notices {
		if hist.Notices[i].ID == nid {
			v.Data.(map[string]any)["Notice"] = &hist.Notices[i]
			v.Title = v.T["notice.title"]
			return h.render(w, http.StatusOK, "notice.html", v)
		}
	}
	return apperr.NotFoundf("没有这份公示", "no such notice")
}
