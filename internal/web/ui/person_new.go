package ui

import (
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// personNewPage shows the registration form. The hukou region defaults to
// the actor's own village or township.
func (h *Handler) personNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "person_new.title")
	if a.Scope.Level() >= region.Township {
		v.Form.Set("region", string(a.Scope))
	}
	v.Form.Set("hukou_type", registry.Rural)
	v.Form.Set("pension", registry.PensionNone)
	v.Data = map[string]any{"Root": string(a.Scope)}
	return h.render(w, http.StatusOK, "person_new.html", v)
}

// personNewSubmit registers a person (as POST /api/v1/persons) and shows
// the new record; errors go next to fields.
func (h *Handler) personNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "person_new.title")
	v.Data = map[string]any{"Root": string(a.Scope)}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	fields := []string{"id_number", "name", "sex", "birth", "region", "hukou_type", "pension", "ethnic", "address", "phone"}
	for _, f := range fields {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	in := registry.NewPerson{IDNumber: strings.ToUpper(v.F("id_number")), Name: v.F("name"), Sex: v.F("sex"), Region: v.F("region"),
		HukouType: v.F("hukou_type"), Pension: v.F("pension"), Ethnic: v.F("ethnic"), Address: v.F("address"), Phone: v.F("phone")}
	birth, derr := formDate(r, "birth", true)
	in.Birth = birth
	var rec *registry.Record
	err := error(nil)
	if derr != nil {
		err = derr
	} else {
		rec, err = h.app.RegisterPerson(r.Context(), a, in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "person_new.html", v)
	}
	redirectDone(w, r, "/persons/"+rec.County+"/"+rec.Ref(), "registered")
	return nil
}
