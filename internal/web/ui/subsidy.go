package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The staff pages of the childcare subsidy's claims (育儿补贴, docs/
// births.md): the list, a claim taken at the counter with the engine's
// decision shown first, and a claim with the township's first review, the
// county's confirmation and the withdrawal.

// subsidyPage lists the claims in scope: /subsidy?status=&year=.
func (h *Handler) subsidyPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "subsidy_claim"}); err != nil {
		return err
	}
	v := h.newView(w, r, "subsidy.title")
	qs := r.URL.Query()
	for _, f := range []string{"region", "status", "year"} {
		v.Form.Set(f, qs.Get(f))
	}
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := birth.ClaimQuery{Region: qs.Get("region"), Status: qs.Get("status")}
	if q.Year, err = web.QueryInt(qs, "year", 2000, 2100); err != nil {
		return err
	}
	page, off := pageOf(r)
	q.Limit, q.Offset = pageSize, off
	cs, total, err := h.app.SubsidyClaims(r.Context(), web.Actor(r), county, q)
	if err != nil {
		return err
	}
	ids := map[int64]bool{}
	for _, c := range cs {
		ids[c.Child], ids[c.Applicant] = true, true
	}
	p := newPager(r, total, page)
	v.Data = map[string]any{"Rows": cs, "Pager": &p, "Statuses": birth.ClaimStatuses, "Names": h.personNames(r, county, ids)}
	return h.render(w, http.StatusOK, "subsidy.html", v)
}

// personNames returns the names of the persons of county the actor may
// read, by id; a person they may not read is left out.
func (h *Handler) personNames(r *http.Request, county string, ids map[int64]bool) map[int64]string {
	out := map[int64]string{}
	for id := range ids {
		if id == 0 {
			continue
		}
		if pf, err := h.app.Person(r.Context(), web.Actor(r), registry.Key{County: county, ID: id}); err == nil {
			out[id] = pf.Person.Name
		}
	}
	return out
}

// subsidyNewPage is the form of a claim taken at the counter:
// /subsidy/new?county=&child=&year=, with what the rules decide of the
// child's year shown clause by clause before anyone applies.
func (h *Handler) subsidyNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "subsidy_claim"}); err != nil {
		return err
	}
	v := h.newView(w, r, "subsidy_new.title")
	qs := r.URL.Query()
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	v.Form.Set("county", county)
	v.Form.Set("child_id", qs.Get("child"))
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if y := qs.Get("year"); y != "" {
		v.Form.Set("year", y)
	}
	return h.renderSubsidyNew(w, r, v, http.StatusOK)
}

func (h *Handler) renderSubsidyNew(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	data := map[string]any{"Relations": birth.Relations}
	child, _ := strconv.ParseInt(v.F("child_id"), 10, 64)
	year, _ := strconv.Atoi(v.F("year"))
	if child > 0 && year > 0 {
		k := registry.Key{County: v.F("county"), ID: child}
		f, err := h.app.Family(r.Context(), web.Actor(r), k)
		if err != nil {
			return err
		}
		ref := strconv.FormatInt(child, 10)
		data["Child"] = f.Person(ref)
		var parents []registry.Person
		for _, t := range f.Children {
			if t.Child == ref && t.Kind == registry.Birth {
				if p := f.Person(t.Parent); p != nil {
					parents = append(parents, *p)
				}
			}
		}
		data["Parents"] = parents
		if v.F("applicant_id") == "" && len(parents) > 0 {
			v.Form.Set("applicant_id", parents[0].Ref)
			v.Form.Set("relation", map[string]string{registry.Female: birth.RelationMother, registry.Male: birth.RelationFather}[parents[0].Sex])
		}
		d, err := h.app.SubsidyPreview(r.Context(), web.Actor(r), k, year, v.Lang)
		if err != nil {
			return err
		}
		data["Decision"] = d
	}
	v.Data = data
	return h.render(w, status, "subsidy_new.html", v)
}

// subsidyNewSubmit takes the claim of the form.
func (h *Handler) subsidyNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "subsidy_claim"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "subsidy_new.title")
	for _, f := range []string{"county", "child_id", "applicant_id", "relation", "year", "phone"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var errs apperr.List
	in := birth.NewClaim{County: v.F("county"), Relation: v.F("relation"), Phone: v.F("phone")}
	for _, f := range []struct {
		name string
		to   *int64
	}{{"child_id", &in.Child}, {"applicant_id", &in.Applicant}} {
		n, err := strconv.ParseInt(v.F(f.name), 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, invalid(f.name, "应为人口库中的人员编号", "must be a person id of the registry"))
		}
		*f.to = n
	}
	if y, e := formInt(r, "year", 2025, 2100); e != nil {
		errs = append(errs, e)
	} else {
		in.Year = y
	}
	var c *birth.Claim
	var err error
	if len(errs) == 0 {
		c, err = h.app.ApplySubsidy(r.Context(), web.Actor(r), in)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if in.Child > 0 && in.Year > 0 {
			v.Data = nil
			if rerr := h.renderSubsidyNew(w, r, v, http.StatusUnprocessableEntity); rerr == nil {
				return nil
			}
		}
		v.Data = map[string]any{"Relations": birth.Relations}
		return h.render(w, http.StatusUnprocessableEntity, "subsidy_new.html", v)
	}
	redirectDone(w, r, "/subsidy/"+c.County+"/"+strconv.FormatInt(c.ID, 10), "claim_taken")
	return nil
}

// subsidyClaimPage shows a claim with the engine's decision and the steps
// the actor may take.
func (h *Handler) subsidyClaimPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "subsidy_claim"}); err != nil {
		return err
	}
	v := h.newView(w, r, "subsidy_claim.title")
	return h.renderClaim(w, r, v, http.StatusOK)
}

func (h *Handler) renderClaim(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	c, err := h.app.SubsidyClaim(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	docs, err := h.app.Documents(r.Context(), web.Actor(r), portal.EntityClaim, county, id)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Claim": c, "Names": h.personNames(r, county, map[int64]bool{c.Child: true, c.Applicant: true}), "Docs": docs}
	return h.render(w, status, "subsidy_claim.html", v)
}

// subsidyStepSubmit takes a step on a claim: check (the township), confirm
// (the county) or withdraw.
func (h *Handler) subsidyStepSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "subsidy_claim"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "subsidy_claim.title")
	v.Form.Set("note", strings.TrimSpace(r.PostFormValue("note")))
	version, e := formInt(r, "version", 1, 1<<30)
	approve := r.PostFormValue("decision") == "approve"
	step := r.PathValue("step")
	if e != nil {
		err = e
	} else {
		switch step {
		case "check":
			_, err = h.app.CheckSubsidy(r.Context(), web.Actor(r), county, id, version, approve, v.F("note"))
		case "confirm":
			_, err = h.app.ConfirmSubsidy(r.Context(), web.Actor(r), county, id, version, approve, v.F("note"))
		case "withdraw":
			_, err = h.app.WithdrawSubsidy(r.Context(), web.Actor(r), county, id, version)
		default:
			return h.notFound(w, r)
		}
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderClaim(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/subsidy/"+county+"/"+strconv.FormatInt(id, 10), "claim_"+step)
	return nil
}
