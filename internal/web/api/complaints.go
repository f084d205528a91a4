package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The register of complaints, enquiries and petitions (docs/complaints.md),
// the citizen's own items, the time limits in force, and the special
// families behind the monthly report's coverage figures.

// listComplaints is GET /api/v1/complaints?county=&status=&kind=&from=&to=.
func (h *Handler) listComplaints(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cq := complaint.Query{County: q.Get("county"), Status: q.Get("status"), Kind: q.Get("kind")}
	var err error
	if cq.From, err = optDate("from", q.Get("from")); err != nil {
		return err
	}
	if cq.To, err = optDate("to", q.Get("to")); err != nil {
		return err
	}
	items, err := h.app.Complaints(r.Context(), web.Actor(r), cq)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"complaints": items})
	return nil
}

// fileComplaint is POST /api/v1/complaints/{county}.
func (h *Handler) fileComplaint(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in complaint.New
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	it, err := h.app.FileComplaint(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"complaint": it})
	return nil
}

// getComplaint is GET /api/v1/complaints/{county}/{id}.
func (h *Handler) getComplaint(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	it, err := h.app.Complaint(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"complaint": it})
	return nil
}

// complaintAction is POST /api/v1/complaints/{county}/{id}/assign, /reply
// and /close.
func (h *Handler) complaintAction(action string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		county, id, err := web.CountyKey(r, h.tree)
		if err != nil {
			return err
		}
		var in struct {
			Version int       `json:"version"`
			Handler string    `json:"handler"`
			Date    date.Date `json:"date"`
			Reply   string    `json:"reply"`
			Outcome string    `json:"outcome"`
			Note    string    `json:"note"`
		}
		if err := web.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		var it *complaint.Item
		who := web.Actor(r)
		switch action {
		case "assign":
			it, err = h.app.AssignComplaint(r.Context(), who, county, id, in.Version, in.Handler)
		case "reply":
			it, err = h.app.ReplyComplaint(r.Context(), who, county, id, in.Version, in.Date, in.Reply)
		default:
			it, err = h.app.CloseComplaint(r.Context(), who, county, id, in.Version, in.Outcome, in.Note)
		}
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, map[string]any{"complaint": it})
		return nil
	}
}

// selfComplaints is GET /api/v1/self/complaints: what the citizen filed,
// with the replies.
func (h *Handler) selfComplaints(w http.ResponseWriter, r *http.Request) error {
	items, err := h.app.SelfComplaints(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"complaints": items})
	return nil
}

// selfComplain is POST /api/v1/self/complaints.
func (h *Handler) selfComplain(w http.ResponseWriter, r *http.Request) error {
	var in complaint.Online
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	it, err := h.app.SelfComplain(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"complaint": it})
	return nil
}

// getTimeLimits is GET /api/v1/time-limits/{region}.
func (h *Handler) getTimeLimits(w http.ResponseWriter, r *http.Request) error {
	t, err := h.app.TimeLimits(r.Context(), web.Actor(r), r.PathValue("region"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

// setTimeLimit is PUT /api/v1/time-limits/{region}: {"of", "days"}.
func (h *Handler) setTimeLimit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Of   string `json:"of"`
		Days int    `json:"days"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.app.SetTimeLimit(r.Context(), web.Actor(r), r.PathValue("region"), in.Of, strconv.Itoa(in.Days))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

// reportFamilies is GET /api/v1/reports/{region}/{month}/families?figure=:
// the special families behind a coverage figure (special.care only).
func (h *Handler) reportFamilies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := pageOf(q)
	if err != nil {
		return err
	}
	rows, n, err := h.app.ReportFamilies(r.Context(), web.Actor(r), r.PathValue("region"), r.PathValue("month"), q.Get("figure"), offset, limit)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []app.SpecialRow{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": n, "families": rows})
	return nil
}

// pageOf reads a list's ?offset= and ?limit= (0 when absent: the first
// page of the longest length).
func pageOf(q url.Values) (offset, limit int, err error) {
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			return 0, 0, apperr.Invalidf("offset", "offset 无效", "invalid offset")
		}
	}
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			return 0, 0, apperr.Invalidf("limit", "limit 无效", "invalid limit")
		}
	}
	return offset, limit, nil
}
