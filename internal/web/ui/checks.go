package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The checks after approval (复查、抽查): the list of samples with the form
// that draws one, and a sample's page with each recipient's visit and
// finding.

// checksPage lists the samples within the actor's scope.
func (h *Handler) checksPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "checks_title")
	a := web.Actor(r)
	if c := h.app.Tree().County(a.Scope); c != "" {
		v.Form.Set("county", string(c))
	}
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	v.Form.Set("method", recheck.MethodSimple)
	if err := h.checksData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "checks.html", v)
}

func (h *Handler) checksData(r *http.Request, v *view) error {
	a := web.Actor(r)
	xs, err := h.app.CheckSamples(r.Context(), a, 50)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Samples": xs, "Level": recheck.LevelOf(a), "Methods": recheck.Methods.Codes(), "Root": string(a.Scope)}
	return nil
}

// checksDraw draws a sample and shows it.
func (h *Handler) checksDraw(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCheckRecord, app.Target{Entity: "check_sample"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "checks_title")
	for _, f := range []string{"county", "year", "program", "method", "size", "seed"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	// Every field goes to the use case, which checks the county's scope
	// first and then names each field at fault.
	d := recheck.Draw{County: v.F("county"), Program: v.F("program"), Method: v.F("method")}
	d.Year, _ = strconv.Atoi(v.F("year"))
	d.Size, _ = strconv.Atoi(v.F("size"))
	if s := v.F("seed"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			d.Seed = n
		} else {
			d.Seed = -1
		}
	}
	x, err := h.app.DrawCheckSample(r.Context(), web.Actor(r), d)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.checksData(r, v); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "checks.html", v)
	}
	redirectDone(w, r, "/checks/"+x.County+"/"+strconv.FormatInt(x.ID, 10), "check_drawn")
	return nil
}

// checkKey reads the county and the id of a sample's path.
func checkKey(r *http.Request) (string, int64, error) {
	c, err := region.ParseCode(r.PathValue("county"))
	id, ierr := web.PathID(r, "id")
	if err != nil || c.Level() != region.County || ierr != nil {
		return "", 0, apperr.NotFoundf("抽样不存在", "no such sample")
	}
	return string(c), id, nil
}

// checkPage shows a sample.
func (h *Handler) checkPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := checkKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "checks_sample")
	if err := h.checkData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "check_sample.html", v)
}

func (h *Handler) checkData(r *http.Request, v *view, county string, id int64) error {
	a := web.Actor(r)
	x, err := h.app.CheckSample(r.Context(), a, county, id)
	if err != nil {
		return err
	}
	list, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	v.Title = v.T["checks_sample"] + " " + strconv.FormatInt(x.ID, 10)
	v.Data = map[string]any{"S": x, "CanRecord": recheck.LevelOf(a) == x.Level, "Findings": recheck.Findings.Codes(),
		"Names": programNames(list, v.Lang), "Today": date.Today(h.now()).String()}
	return nil
}

// checkItemSubmit records the visit or the finding of an item.
func (h *Handler) checkItemSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := checkKey(r)
	if err != nil {
		return err
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq < 1 {
		return apperr.NotFoundf("抽样中没有该对象", "no such item")
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	v := h.newView(w, r, "checks_sample")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	switch r.PathValue("what") {
	case "visit":
		vis := recheck.Visit{Assignee: r.PostFormValue("assignee"), Version: version}
		if s := strings.TrimSpace(r.PostFormValue("visit_on")); s != "" {
			if vis.On, err = date.Parse(s); err != nil {
				err = web.InvalidDay("visit_on")
			}
		}
		if err == nil {
			_, err = h.app.AssignCheckVisit(r.Context(), a, county, id, seq, vis)
		}
	case "finding":
		res := recheck.Result{Finding: r.PostFormValue("finding"), Note: r.PostFormValue("note"), Reopen: r.PostFormValue("reopen") == "1", Version: version}
		_, err = h.app.RecordCheckFinding(r.Context(), a, county, id, seq, res)
	default:
		return h.notFound(w, r)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.checkData(r, v, county, id); derr != nil {
			return derr
		}
		v.Form.Set("seq", strconv.Itoa(seq))
		return h.render(w, http.StatusUnprocessableEntity, "check_sample.html", v)
	}
	redirectDone(w, r, "/checks/"+county+"/"+strconv.FormatInt(id, 10), "check_saved")
	return nil
}
