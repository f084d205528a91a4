package api

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The monthly report (docs/statistics.md): read it, list the persons
// behind a figure, take a step of its approval, read the revisions.

// getReport is GET /api/v1/reports/{region}/{month}.
func (h *Handler) getReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.app.MonthlyReport(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("month"), r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	if rep.Live && r.URL.Query().Get("adjustments") == "1" {
		if rep.Report.Adjustments, err = h.app.ReportAdjustments(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("month")); err != nil {
			return err
		}
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// reportPDF is GET /api/v1/reports/{region}/{month}/print.pdf: the
// printed monthly report, as the pages print it.
func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request) error {
	if h.PrintReport == nil {
		return apperr.New(apperr.NotFound, "打印件暂不可用", "the printed report is not available")
	}
	return h.PrintReport(w, r, r.PathValue("region"), r.PathValue("month"))
}

// reportPersons is GET /api/v1/reports/{region}/{month}/persons?figure=.
func (h *Handler) reportPersons(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := pageOf(q)
	if err != nil {
		return err
	}
	rows, n, err := h.app.ReportPersons(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("month"), q.Get("figure"), offset, limit)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []app.PersonRow{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": n, "persons": rows})
	return nil
}

// reportStep is POST /api/v1/reports/{region}/{month}/{step}: submit,
// approve, return or unlock, with the version read and a reason.
func (h *Handler) reportStep(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st := app.ReportStep{Region: r.PathValue("region"), Month: r.PathValue("month"), Version: in.Version, Reason: in.Reason}
	steps := map[string]func(*http.Request, app.ReportStep) (any, error){
		"submit": func(r *http.Request, st app.ReportStep) (any, error) {
			return h.app.SubmitReport(r.Context(), web.Actor(r), st)
		},
		"approve": func(r *http.Request, st app.ReportStep) (any, error) {
			return h.app.ApproveReport(r.Context(), web.Actor(r), st)
		},
		"return": func(r *http.Request, st app.ReportStep) (any, error) {
			return h.app.ReturnReport(r.Context(), web.Actor(r), st)
		},
		"unlock": func(r *http.Request, st app.ReportStep) (any, error) {
			return h.app.UnlockReport(r.Context(), web.Actor(r), st)
		},
	}
	fn, ok := steps[r.PathValue("step")]
	if !ok {
		return apperr.NotFoundf("没有这个步骤", "no such step")
	}
	x, err := fn(r, st)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, x)
	return nil
}

// reportRevisions is GET /api/v1/reports/{region}/revisions.
func (h *Handler) reportRevisions(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.app.ReportRevisions(r.Context(), web.Actor(r), r.PathValue("region"))
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []stats.Revision{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"revisions": rs})
	return nil
}

// getQuality is GET /api/v1/quality/{region}/{quarter}: the registry's
// data quality by unit.
func (h *Handler) getQuality(w http.ResponseWriter, r *http.Request) error {
	q, err := h.app.DataQuality(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("quarter"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, q)
	return nil
}

// qualityPersons is GET /api/v1/quality/{region}/{quarter}/persons?check=&unit=.
func (h *Handler) qualityPersons(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	rows, n, err := h.app.QualityPersons(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("quarter"), q.Get("check"), q.Get("unit"), offset, limit)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []app.PersonRow{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": n, "persons": rows})
	return nil
}

// getSupervision is GET /api/v1/supervision/{region}/{year}: the year's
// deadlines and the units' progress and assessment indicators.
func (h *Handler) getSupervision(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return apperr.Invalidf("year", "年度无效", "invalid year")
	}
	s, err := h.app.Supervision(r.Context(), web.Actor(r), r.PathValue("region"), year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

// getPyramid is GET /api/v1/pyramid/{region}?on=: the population pyramid.
func (h *Handler) getPyramid(w http.ResponseWriter, r *http.Request) error {
	p, err := h.app.Pyramid(r.Context(), web.Actor(r), r.PathValue("region"), r.URL.Query().Get("on"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, p)
	return nil
}
