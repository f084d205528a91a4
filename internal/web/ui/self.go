package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen's self service (群众): their own record and cases, and the
// application they submit for themselves, which the village specialist
// then accepts (受理) or returns. The domain checks the permissions; the
// use-case layer audits a refusal.

// selfPage is the citizen's page /self: their cases and status, and the
// application form. It is laid out for a phone first.
func (h *Handler) selfPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "self.title")
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.selfPageData(r, v, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "self.html", v)
}

// selfPageData fills the page; prefill (a new form) fills the declared
// facts from what the registry holds.
func (h *Handler) selfPageData(r *http.Request, v *view, prefill bool) error {
	sv, err := h.app.Self(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	if prefill {
		k := sv.Known
		for field, val := range map[string]string{"hukou_type": k.HukouType, "marriage": k.Marriage, "births": k.Births, "adoptions": k.Adoptions} {
			if val != "" {
				v.Form.Set(field, val)
			}
		}
		if sv.FromRegistry["surviving_children"] {
			v.Form.Set("children", strconv.Itoa(k.SurvivingChildren))
		}
	}
	progs := sv.Programs
	names := map[string]string{}
	for _, p := range progs {
		names[p] = policy.ProgramName(p)
	}
	for _, c := range sv.Cases {
		names[c.Program] = policy.ProgramName(c.Program)
	}
	from := map[string]bool{}
	for f, ok := range sv.FromRegistry {
		if f == "surviving_children" {
			f = "children"
		}
		from[f] = ok
	}
	v.Data = map[string]any{"Self": sv, "Programs": progs, "Names": names, "FromRegistry": from}
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
	var c *workflow.Case
	if len(errs) > 0 {
		err = errs
	} else {
		c, err = h.app.SelfApply(r.Context(), web.Actor(r), in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.selfPageData(r, v, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "self.html", v)
	}
	// The tracking page follows the application and takes the photos
	// of its documents.
	http.Redirect(w, r, fmt.Sprintf("/self/track?done=self_submitted#case-%d", c.ID), http.StatusSeeOther)
	return nil
}
