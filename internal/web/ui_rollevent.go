package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// A person's entries on the roll, and the action that applies a registry
// event to the roll (workflow.ApplyEvent, as POST …/events of the API).

// rollEventKinds are the registry events ApplyEvent knows, in the order
// of the form.
var rollEventKinds = []string{"death", "birth", "adoption", "hukou", "disability", "complication", "marriage", "other"}

// personRollEntry is one of a person's roll rows with its changes.
type personRollEntry struct {
	workflow.Recipient
	ProgramName string
	PaidThrough string
	Changes     []workflow.Change
}

// personRoll returns the roll rows of person k with their changes, for
// roles that read the roll; nil for the others.
func (h *Handler) personRoll(ctx context.Context, tx *store.Tx, a auth.Actor, lang string, k registry.Key) ([]personRollEntry, error) {
	if !auth.Can(a, auth.PermCaseRead) && !auth.Can(a, auth.PermPaymentRead) {
		return nil, nil
	}
	rows, err := tx.RecipientsOf(ctx, k.County, []int64{k.ID})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	changes, err := tx.Changes(ctx, k.County, ids)
	if err != nil {
		return nil, err
	}
	names, err := h.programLabels(ctx, tx, lang)
	if err != nil {
		return nil, err
	}
	out := make([]personRollEntry, len(rows))
	for i, r := range rows {
		out[i] = personRollEntry{Recipient: r, ProgramName: label(names, r.Program), PaidThrough: r.PaidThrough()}
		for _, c := range changes {
			if c.RecipientID == r.ID {
				out[i].Changes = append(out[i].Changes, c)
			}
		}
	}
	return out, nil
}

// canApplyEvents decides whether to offer the roll-event action; the
// workflow checks the same permission again.
func canApplyEvents(a auth.Actor) bool {
	return !a.ReadOnly() && auth.Can(a, auth.PermEligibility)
}

// rollEventPage shows the form that applies a registry event of a person
// to the roll.
func (h *Handler) rollEventPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermEligibility, target{Entity: "person", EntityID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rollev.title")
	v.Form.Set("date", date.FromTime(h.now().In(beijing)).String())
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

func (h *Handler) rollEventData(r *http.Request, v *view, k registry.Key, res *workflow.EventResult) error {
	a := actor(r)
	return h.db.View(r.Context(), func(tx *store.Tx) error {
		rec, err := registry.Get(r.Context(), tx, a, k)
		if err != nil {
			return err
		}
		roll, err := h.personRoll(r.Context(), tx, a, v.Lang, k)
		if err != nil {
			return err
		}
		data := map[string]any{"Rec": rec, "Key": rec.County + "/" + rec.Ref(), "Kinds": rollEventKinds, "Roll": roll}
		if res != nil {
			names, err := h.programLabels(r.Context(), tx, v.Lang)
			if err != nil {
				return err
			}
			data["Result"], data["Names"] = res, names
			people := map[int64]string{}
			for _, c := range res.Candidates {
				people[c.PersonID] = c.Name
			}
			data["People"] = people
		}
		v.Data = data
		return nil
	})
}

// rollEventSubmit applies the event (workflow.ApplyEvent) and shows what
// it changed on the roll: exits, switches and tier changes, the
// recipients it left as they were, those outside the actor's scope and
// the programs the family may now apply for.
func (h *Handler) rollEventSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermEligibility, target{Entity: "person", EntityID: r.PathValue("id")}); err != nil {
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
		res, err = h.app.ApplyEvent(r.Context(), actor(r), k,
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
