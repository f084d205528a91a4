package ui

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// noticePrint shows one notice of a case for printing and posting: the
// applicant with the ID number masked, the program, the period and where
// to object.
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
