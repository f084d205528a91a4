package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen's self service (群众): their own record and cases, and the
// application they submit for themselves, which the village specialist
// then accepts (受理) or returns. The domain checks the permissions; a
// refusal is audited by wfDenied.

// getSelf answers GET /api/v1/self: the citizen's own record (the ID
// number masked) and cases with their status, and the programs open to
// an application this year.
func (h *Handler) getSelf(w http.ResponseWriter, r *http.Request) error {
	v, err := h.app.Self(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"person": v.Person, "cases": v.Cases, "programs": v.Programs})
	return nil
}

// selfApply submits the citizen's own application:
// POST /api/v1/self/applications.
func (h *Handler) selfApply(w http.ResponseWriter, r *http.Request) error {
	var in workflow.CitizenApplication
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.SelfApply(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

type wfAcceptance struct {
	Note string `json:"note"`
}

// acceptCase accepts a citizen's application:
// POST /api/v1/cases/{county}/{id}/accept.
func (h *Handler) acceptCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in wfAcceptance) (map[string]any, error) {
		c, err := h.app.Accept(r.Context(), actor(r), k, in.Note)
		return map[string]any{"case": c}, err
	})
}

// returnCase returns a citizen's application with the reason:
// POST /api/v1/cases/{county}/{id}/return.
func (h *Handler) returnCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in wfWithdrawal) (map[string]any, error) {
		c, err := h.app.Return(r.Context(), actor(r), k, in.Reason)
		return map[string]any{"case": c}, err
	})
}

// selfPage is the citizen's page /self: their cases and status, and the
// application form. It is laid out for a phone first.
func (h *Handler) selfPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "self.title")
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.selfPageData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "self.html", v)
}

func (h *Handler) selfPageData(r *http.Request, v *view) error {
	sv, err := h.app.Self(r.Context(), actor(r))
	if err != nil {
		return err
	}
	progs := sv.Programs
	names := map[string]string{}
	for _, p := range progs {
		names[p] = policy.ProgramName(p)
	}
	for _, c := range sv.Cases {
		names[c.Program] = policy.ProgramName(c.Program)
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
		_, err = h.app.SelfApply(r.Context(), actor(r), in)
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
