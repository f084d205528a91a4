package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen's self service (群众): their own record and cases, and the
// application they submit for themselves, which the village specialist
// then accepts (受理) or returns. The domain checks the permissions; a
// refusal is audited by wfDenied.

func selfTarget(a auth.Actor) target {
	return target{Entity: "person", EntityID: a.PersonCounty + "/" + strconv.FormatInt(a.PersonID, 10), Region: a.Scope}
}

// selfData reads the citizen's own view and the programs they may apply
// for this year.
func (h *Handler) selfData(ctx context.Context, a auth.Actor) (*workflow.SelfView, []string, error) {
	var v *workflow.SelfView
	var progs []string
	err := h.db.View(ctx, func(tx *store.Tx) error {
		var err error
		if v, err = workflow.Self(ctx, tx, a); err != nil {
			return err
		}
		eng, err := h.engine(ctx, tx)
		if err != nil {
			return err
		}
		progs, err = eng.Programs(v.County, h.now().In(beijing).Year())
		return err
	})
	return v, progs, err
}

// getSelf answers GET /api/v1/self: the citizen's own record (the ID
// number masked) and cases with their status, and the programs open to
// an application this year.
func (h *Handler) getSelf(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	v, progs, err := h.selfData(r.Context(), a)
	if err != nil {
		return h.wfDenied(r, err, selfTarget(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"person": v.Person, "cases": v.Cases, "programs": progs})
	return nil
}

// selfApply submits the citizen's own application:
// POST /api/v1/self/applications.
func (h *Handler) selfApply(w http.ResponseWriter, r *http.Request) error {
	var in workflow.CitizenApplication
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.citizenApply(r, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

func (h *Handler) citizenApply(r *http.Request, in workflow.CitizenApplication) (*workflow.Case, error) {
	a := actor(r)
	var c *workflow.Case
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		eng, err := h.engine(r.Context(), tx)
		if err != nil {
			return err
		}
		c, err = workflow.ApplyAsCitizen(r.Context(), tx, eng, a, in)
		return err
	})
	if err != nil {
		return nil, h.wfDenied(r, err, selfTarget(a))
	}
	return c, nil
}

type wfAcceptance struct {
	Note string `json:"note"`
}

// acceptCase accepts a citizen's application:
// POST /api/v1/cases/{county}/{id}/accept.
func (h *Handler) acceptCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in wfAcceptance) (map[string]any, error) {
		c, err := workflow.Accept(ctx, tx, a, county, id, in.Note)
		return map[string]any{"case": c}, err
	})
}

// returnCase returns a citizen's application with the reason:
// POST /api/v1/cases/{county}/{id}/return.
func (h *Handler) returnCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in wfWithdrawal) (map[string]any, error) {
		c, err := workflow.Return(ctx, tx, a, county, id, in.Reason)
		return map[string]any{"case": c}, err
	})
}

// selfPage is the citizen's page /self: their cases and status, and the
// application form. It is laid out for a phone first.
func (h *Handler) selfPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "self.title")
	v.Form.Set("year", strconv.Itoa(h.now().In(beijing).Year()))
	if err := h.selfPageData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "self.html", v)
}

func (h *Handler) selfPageData(r *http.Request, v *view) error {
	a := actor(r)
	sv, progs, err := h.selfData(r.Context(), a)
	if err != nil {
		return h.wfDenied(r, err, selfTarget(a))
	}
	names := map[string]string{}
	for _, p := range progs {
		names[p] = workflow.ProgramName(p)
	}
	for _, c := range sv.Cases {
		names[c.Program] = workflow.ProgramName(c.Program)
	}
	v.Data = map[string]any{"Self": sv, "Programs": progs, "Names": names}
	return nil
}

// selfSubmit takes the form of /self (workflow.ApplyAsCitizen).
func (h *Handler) selfSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "self.title")
	for _, f := range []string{"program", "year", "hukou_type", "marriage", "births", "adoptions", "children", "attachments", "phone", "note", "pledge"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var errs apperr.List
	year, e := formInt(r, "year", 2004, 2100)
	if e != nil {
		errs = append(errs, e)
	}
	children, e := formInt(r, "children", 0, 20)
	if e != nil {
		errs = append(errs, e)
	}
	in := workflow.CitizenApplication{Program: v.F("program"), Year: year,
		Application: workflow.Application{
			Declared: workflow.Declared{HukouType: v.F("hukou_type"), Marriage: v.F("marriage"), Births: v.F("births"),
				Adoptions: v.F("adoptions"), SurvivingChildren: children},
			Attachments: lines(r.PostFormValue("attachments")), Pledge: v.F("pledge") == "1", Phone: v.F("phone"), Note: v.F("note")}}
	var err error
	if len(errs) > 0 {
		err = errs
	} else {
		_, err = h.citizenApply(r, in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.selfPageData(r, v); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "self.html", v)
	}
	redirectDone(w, r, "/self", "self_submitted")
	return nil
}
