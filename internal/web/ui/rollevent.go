package ui

import (
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// A person's entries on the roll, and the action that applies a registry
// event to the roll (workflow.ApplyEvent, as POST …/events of the API).

// personRollEntry is one of a person's roll rows with its changes.
type personRollEntry struct {
	roll.Recipient
	ProgramName string
	PaidThrough string
	Changes     []roll.Change
}

// canApplyEvents decides whether to offer the roll-event action; the
// workflow checks the same permission again.
func canApplyEvents(a auth.Actor) bool {
	return !a.ReadOnly() && auth.Can(a, auth.PermEligibility)
}

// rollEventPage shows the form that applies a registry event of a person
// to the roll.
func (h *Handler) rollEventPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermEligibility, app.Target{Entity: "person", ID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rollev.title")
	v.Form.Set("date", date.Today(h.now()).String())
	if err := h.rollEventData(r, v, k, nil); err != nil {
		return err
	}
	rec := v.Data.(map[string]any)["Rec"].(*registry.Record)
	if !rec.Death.IsZero() {
		v.Form.Set("kind", "death")
		v.Form.Set("date", rec.Death.String())
	}
	return h.render(w, http.StatusOK, "roll_event.html", v)
}

// rollEventData reads what the roll-event page shows (app.RollEventForm:
// a person outside the actor's scope is refused and audited).
func (h *Handler) rollEventData(r *http.Request, v *view, k registry.Key, res *workflow.EventResult) error {
	f, err := h.app.RollEventForm(r.Context(), web.Actor(r), k, v.Lang)
	if err != nil {
		return err
	}
	rec := f.Person
	data := map[string]any{"Rec": rec, "Key": rec.County + "/" + rec.Ref(), "Kinds": roll.Events.Codes(), "Roll": rollEntries(f.Roll, f.Names)}
	if res != nil {
		data["Result"], data["Names"] = res, f.Names
		people := map[int64]string{}
		for _, c := range res.Candidates {
			people[c.PersonID] = c.Name
		}
		data["People"] = people
	}
	v.Data = data
	return nil
}

// rollEventSubmit applies the event (workflow.ApplyEvent) and shows what
// it changed on the roll: exits, switches and tier changes, the
// recipients it left as they were, those outside the actor's scope and
// the programs the family may now apply for.
func (h *Handler) rollEventSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermEligibility, app.Target{Entity: "person", ID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "rollev.title")
	for _, f := range []string{"kind", "date", "evidence", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	d, derr := formDate(r, "date", v.F("kind") != "death")
	var res *workflow.EventResult
	if derr != nil {
		err = derr
	} else {
		res, err = h.app.ApplyEvent(r.Context(), web.Actor(r), k,
			workflow.Event{Kind: v.F("kind"), Date: d, Evidence: v.F("evidence"), Note: v.F("note")})
	}
	status := http.StatusOK
	if err != nil {
		if !formError(v, err) {
			return err
		}
		status, res = http.StatusUnprocessableEntity, nil
	} else {
		v.Notice = v.T["done.roll_event"]
	}
	if derr := h.rollEventData(r, v, k, res); derr != nil {
		return derr
	}
	return h.render(w, status, "roll_event.html", v)
}
