package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The people in charge (三级干部分包对象): the board of a region's
// recipients or open cases with their cadres at three levels, from which
// the township and the county assign in bulk, with the count by township
// of those with nobody in charge; and each cadre's own list.

// chargeRow is a target as a row of the pages.
type chargeRow struct {
	charge.Target
	StateName string
	Cadres    []string // the names of the village, township and county cadres, "" for nobody
}

func chargeRows(ts []charge.Target, lang string) []chargeRow {
	out := make([]chargeRow, len(ts))
	for i, t := range ts {
		r := chargeRow{Target: t}
		if t.Kind == charge.KindCase {
			r.StateName = workflow.State(t.State).Chinese()
			if lang == "en" {
				r.StateName = workflow.State(t.State).English()
			}
		} else {
			r.StateName = roll.Statuses.Name(t.State, lang)
		}
		for _, l := range charge.Levels {
			name := ""
			if c := t.Cadre(l); c != nil {
				name = c.Name
			}
			r.Cadres = append(r.Cadres, name)
		}
		out[i] = r
	}
	return out
}

// chargeQuery reads the board's query from f, the actor's own division
// by default.
func chargeQuery(a auth.Actor, f url.Values) charge.Query {
	q := charge.Query{Region: strings.TrimSpace(f.Get("region")), Kind: f.Get("kind"), Level: workflow.Level(f.Get("level")),
		Nobody: f.Get("nobody") == "1"}
	if q.Region == "" && a.Scope.Level() >= region.County {
		q.Region = string(a.Scope)
	}
	if q.Kind == "" {
		q.Kind = charge.KindRecipient
	}
	if q.Level == "" {
		q.Level = workflow.LevelVillage
	}
	return q
}

// chargesPage shows the board.
func (h *Handler) chargesPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "charges_title")
	return h.chargesBoard(w, r, v, chargeQuery(web.Actor(r), r.URL.Query()), http.StatusOK)
}

func (h *Handler) chargesBoard(w http.ResponseWriter, r *http.Request, v *view, q charge.Query, status int) error {
	a := web.Actor(r)
	v.Form.Set("region", q.Region)
	v.Form.Set("kind", q.Kind)
	v.Form.Set("level", string(q.Level))
	if q.Nobody {
		v.Form.Set("nobody", "1")
	}
	data := map[string]any{"Root": string(a.Scope), "Kinds": charge.Kinds.Codes(), "Levels": charge.Levels}
	v.Data = data
	if q.Region == "" {
		if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "charge"}); err != nil {
			return err
		}
		return h.render(w, status, "charges.html", v)
	}
	b, err := h.app.ChargeBoard(r.Context(), a, q)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "charges.html", v)
	}
	data["B"] = b
	data["Rows"] = chargeRows(b.Rows, v.Lang)
	return h.render(w, status, "charges.html", v)
}

// chargesAssign assigns (or, with op "unassign", withdraws) the cadre of
// the board's level for the ticked rows.
func (h *Handler) chargesAssign(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChargeAssign, app.Target{Entity: "charge"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	q := chargeQuery(a, r.PostForm)
	b := charge.Batch{Region: q.Region, Kind: q.Kind, Level: q.Level}
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			b.IDs = append(b.IDs, id)
		}
	}
	if r.PostFormValue("op") != "unassign" {
		b.UserID, _ = strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
		if b.UserID == 0 {
			b.UserID = -1 // no cadre chosen: the use case names the field
		}
	}
	v := h.newView(w, r, "charges_title")
	if _, err := h.app.AssignCharges(r.Context(), a, b); err != nil {
		if !formError(v, err) {
			return err
		}
		return h.chargesBoard(w, r, v, q, http.StatusUnprocessableEntity)
	}
	back := url.Values{"region": {q.Region}, "kind": {q.Kind}, "level": {string(q.Level)}}
	if q.Nobody {
		back.Set("nobody", "1")
	}
	redirectDone(w, r, "/charges?"+back.Encode(), "charges_saved")
	return nil
}

// myChargesPage lists the actor's own recipients and cases.
func (h *Handler) myChargesPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "charges_mine")
	xs, err := h.app.MyCharges(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": chargeRows(xs, v.Lang), "Levels": charge.Levels}
	return h.render(w, http.StatusOK, "charges_mine.html", v)
}
