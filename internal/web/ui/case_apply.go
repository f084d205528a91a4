package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// applyPage shows the application form for a person.
func (h *Handler) applyPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "case"}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "apply.title")
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	v.Form.Set("program", r.URL.Query().Get("program"))
	if err := h.applyData(r, v, k, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "apply.html", v)
}

// applyData fills the form's choices and, when prefill is set (a new
// form), its fields from what the registry holds, each marked so.
func (h *Handler) applyData(r *http.Request, v *view, k registry.Key, prefill bool) error {
	f, err := h.app.ApplyForm(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range f.Programs {
		names[p] = policy.ProgramName(p)
	}
	if prefill {
		known := map[string]string{"hukou_type": f.Known.HukouType, "marriage": f.Known.Marriage, "births": f.Known.Births,
			"adoptions": f.Known.Adoptions}
		if f.FromRegistry["surviving_children"] {
			known["children"] = strconv.Itoa(f.Known.SurvivingChildren)
		}
		for field, val := range known {
			if v.F(field) == "" && val != "" {
				v.Form.Set(field, val)
			}
		}
	}
	from := map[string]bool{}
	for field, ok := range f.FromRegistry {
		if field == "surviving_children" {
			field = "children"
		}
		from[field] = ok
	}
	v.Data = map[string]any{"Rec": f.Person, "Key": f.Person.County + "/" + f.Person.Ref(), "Programs": f.Programs, "Names": names,
		"FromRegistry": from}
	return nil
}

// applySubmit takes an application (workflow.Apply).
func (h *Handler) applySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "case"}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "apply.title")
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
	in := workflow.NewApplication{County: k.County, PersonID: k.ID, Program: v.F("program"), Year: year,
		Application: workflow.Application{
			Declared: workflow.Declared{HukouType: v.F("hukou_type"), Marriage: v.F("marriage"), Births: v.F("births"),
				Adoptions: v.F("adoptions"), SurvivingChildren: children},
			Attachments: lines(r.PostFormValue("attachments")), Pledge: v.F("pledge") == "1", Phone: v.F("phone"), Note: v.F("note")}}
	var c *workflow.Case
	if len(errs) > 0 {
		err = errs
	} else {
		c, err = h.app.Apply(r.Context(), web.Actor(r), in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.applyData(r, v, k, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "apply.html", v)
	}
	redirectDone(w, r, "/cases/"+c.County+"/"+c.Ref(), "applied")
	return nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
