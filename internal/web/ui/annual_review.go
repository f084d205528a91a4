package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// annualReviewPage shows the form of the annual review (township and
// county staff) and the latest runs within the actor's scope.
func (h *Handler) annualReviewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review"}); err != nil {
		return err
	}
	v := h.newView(w, r, "annual.title")
	a := web.Actor(r)
	if a.Scope.Level() >= region.County {
		v.Form.Set("region", string(a.Scope))
	}
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.annualReviewData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "annual_review.html", v)
}

func (h *Handler) annualReviewData(r *http.Request, v *view) error {
	a := web.Actor(r)
	runs, err := h.app.AnnualReviews(r.Context(), a, 20)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Runs": runs, "Root": string(a.Scope),
		"CanRun": !a.ReadOnly() && (auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove))}
	return nil
}

// annualReviewSubmit runs the annual review (workflow.RunAnnualReview) and
// shows the stored run.
func (h *Handler) annualReviewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "annual.title")
	for _, f := range []string{"region", "year"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	year, e := formInt(r, "year", 2000, 2100)
	var ar *workflow.AnnualReview
	var err error
	if e != nil {
		err = e
	} else {
		ar, err = h.app.AnnualReview(r.Context(), web.Actor(r), v.F("region"), year)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.annualReviewData(r, v); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "annual_review.html", v)
	}
	redirectDone(w, r, "/roll/annual-review/"+ar.County+"/"+strconv.FormatInt(ar.ID, 10), "annual_review")
	return nil
}

// annualReviewRunPage shows one run of the annual review for printing:
// how many were reviewed and confirmed, and every recipient whose status
// changed with the reason and the failed clauses.
func (h *Handler) annualReviewRunPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "annual.title")
	run, err := h.app.AnnualReviewRun(r.Context(), web.Actor(r), county, id, v.Lang)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Run": run.Run, "Names": run.Names}
	return h.render(w, http.StatusOK, "annual_review_run.html", v)
}
