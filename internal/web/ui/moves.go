package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// People who move: a person's residence (居住地) apart from their hukou,
// the migrants (流动人口) living in a region, and the transfers between
// counties (迁移) — started by the old county, accepted or refused by the
// new one — with the hand-over both counties sign.

// transfersPage lists a county's transfers coming in and going out.
func (h *Handler) transfersPage(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	v := h.newView(w, r, "moves_title")
	county := strings.TrimSpace(r.URL.Query().Get("county"))
	if county == "" {
		county = string(h.tree.County(a.Scope))
	}
	v.Form.Set("county", county)
	data := map[string]any{"Root": string(a.Scope), "County": county}
	v.Data = data
	if county == "" {
		if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "transfer"}); err != nil {
			return err
		}
		return h.render(w, http.StatusOK, "transfers.html", v)
	}
	in, err := h.app.Transfers(r.Context(), a, county, move.SideIn)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "transfers.html", v)
	}
	out, err := h.app.Transfers(r.Context(), a, county, move.SideOut)
	if err != nil {
		return err
	}
	data["In"], data["Out"] = in, out
	return h.render(w, http.StatusOK, "transfers.html", v)
}

// transferNew shows the form that starts the transfer of a person.
func (h *Handler) transferNew(w http.ResponseWriter, r *http.Request) error {
	k, err := personQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "moves_start")
	v.Form.Set("moved_on", date.Today(h.now()).String())
	v.Form.Set("source", move.SourcePolice)
	return h.renderTransferNew(w, r, v, k, http.StatusOK)
}

func (h *Handler) renderTransferNew(w http.ResponseWriter, r *http.Request, v *view, k registry.Key, status int) error {
	a := web.Actor(r)
	if err := web.Require(h.app, r, auth.PermTransfer, app.Target{Entity: "transfer", Region: region.Code(k.County)}); err != nil {
		return err
	}
	p, err := h.app.Person(r.Context(), a, k)
	if err != nil {
		return err
	}
	v.Form.Set("county", k.County)
	v.Form.Set("person", strconv.FormatInt(k.ID, 10))
	v.Data = map[string]any{"P": p.Person, "Key": fmt.Sprintf("%s/%d", k.County, k.ID), "Sources": move.Sources.Codes(),
		"Root": string(k.County[:2]) + "0000"}
	return h.render(w, status, "transfer_new.html", v)
}

// personQuery reads the person a page is opened for from ?county=&id=.
func personQuery(r *http.Request) (registry.Key, error) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	c, err := region.ParseCode(q.Get("county"))
	id, ierr := strconv.ParseInt(q.Get("person"), 10, 64)
	if err != nil || c.Level() != region.County || ierr != nil || id <= 0 {
		return registry.Key{}, apperr.NotFoundf("未找到该人员", "no such person")
	}
	return registry.Key{County: string(c), ID: id}, nil
}

// transferStart starts a transfer and shows it.
func (h *Handler) transferStart(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	k, err := personQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "moves_start")
	for _, f := range []string{"to_county", "to_region", "moved_on", "source", "source_ref", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	in := move.Start{County: k.County, PersonID: k.ID, ToCounty: v.F("to_county"), ToRegion: v.F("to_region"), Source: v.F("source"),
		SourceRef: v.F("source_ref"), Note: v.F("note")}
	d, derr := formDate(r, "moved_on", true)
	if derr != nil {
		v.Errors = map[string]string{"moved_on": derr.ZH}
		v.Problems = append(v.Problems, derr.ZH)
		return h.renderTransferNew(w, r, v, k, http.StatusUnprocessableEntity)
	}
	in.MovedOn = d
	t, err := h.app.StartTransfer(r.Context(), web.Actor(r), in)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderTransferNew(w, r, v, k, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, fmt.Sprintf("/transfers/%s/%d", t.County, t.ID), "transfer_started")
	return nil
}

// transferKey reads the county and the id of a transfer's path.
func transferKey(r *http.Request) (string, int64, error) {
	c, err := region.ParseCode(r.PathValue("county"))
	id, ierr := web.PathID(r, "id")
	if err != nil || c.Level() != region.County || ierr != nil {
		return "", 0, apperr.NotFoundf("迁移记录不存在", "no such transfer")
	}
	return string(c), id, nil
}

// transferPage shows one county's row of a transfer with what may be
// done with it.
func (h *Handler) transferPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := transferKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "moves_transfer")
	return h.renderTransfer(w, r, v, county, id, http.StatusOK)
}

// handoverRow is an entry of the hand-over as the page shows it.
type handoverRow struct {
	Program, OldPays, NewPays string
	OldID, NewID              int64
}

func monthText(m int) string { return fmt.Sprintf("%d年%d月", m/12, m%12+1) }

func (h *Handler) renderTransfer(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, status int) error {
	a := web.Actor(r)
	t, err := h.app.Transfer(r.Context(), a, county, id)
	if err != nil {
		return err
	}
	list, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	names := programNames(list, v.Lang)
	var progs []string
	for _, p := range strings.Split(t.Programs, ",") {
		if p != "" {
			progs = append(progs, names[p])
		}
	}
	var rows []handoverRow
	if t.Handover != nil {
		for _, e := range t.Handover.Entries {
			rows = append(rows, handoverRow{Program: names[e.Program], OldPays: monthText(e.OldLast), NewPays: monthText(e.NewFirst), OldID: e.OldID, NewID: e.NewID})
		}
	}
	can := auth.Can(a, auth.PermTransfer) && t.State == move.StateStarted
	v.Title = v.T["moves_transfer"] + " " + strconv.FormatInt(t.ID, 10)
	if v.F("to_region") == "" {
		v.Form.Set("to_region", t.ToRegion)
	}
	v.Data = map[string]any{"X": t, "Programs": strings.Join(progs, "、"), "Rows": rows, "Names": names,
		"CanDecide": can && t.Side == move.SideIn, "CanWithdraw": can && t.Side == move.SideOut,
		"State": move.States.Name(t.State, v.Lang), "Source": move.Sources.Name(t.Source, v.Lang)}
	return h.render(w, status, "transfer.html", v)
}

// transferSubmit answers a transfer: accept, refuse or withdraw.
func (h *Handler) transferSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := transferKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "moves_transfer")
	for _, f := range []string{"to_region", "reason"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	a := web.Actor(r)
	done := ""
	switch r.PathValue("what") {
	case "accept":
		_, err = h.app.DecideTransfer(r.Context(), a, county, id, move.Decision{Accept: true, ToRegion: v.F("to_region"), Version: version})
		done = "transfer_accepted"
	case "refuse":
		_, err = h.app.DecideTransfer(r.Context(), a, county, id, move.Decision{Reason: v.F("reason"), Version: version})
		done = "transfer_refused"
	case "withdraw":
		_, err = h.app.WithdrawTransfer(r.Context(), a, county, id, version)
		done = "transfer_withdrawn"
	default:
		return apperr.NotFoundf("页面不存在", "no such page")
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderTransfer(w, r, v, county, id, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, fmt.Sprintf("/transfers/%s/%d", county, id), done)
	return nil
}

// migrantsPage lists the migrants living in a region, by township.
func (h *Handler) migrantsPage(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	v := h.newView(w, r, "migrants_title")
	code := strings.TrimSpace(r.URL.Query().Get("region"))
	if code == "" {
		code = string(a.Scope)
	}
	v.Form.Set("region", code)
	data := map[string]any{"Root": string(a.Scope)}
	v.Data = data
	ml, err := h.app.Migrants(r.Context(), a, code)
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "migrants.html", v)
	}
	list, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	names := programNames(list, v.Lang)
	onRoll := map[string]string{}
	for _, m := range ml.Migrants {
		var ns []string
		for _, p := range strings.Split(m.OnRoll, ",") {
			if p != "" {
				ns = append(ns, names[p])
			}
		}
		onRoll[fmt.Sprintf("%s/%d", m.County, m.PersonID)] = strings.Join(ns, "、")
	}
	data["L"], data["OnRoll"] = ml, onRoll
	return h.render(w, http.StatusOK, "migrants.html", v)
}

// residencePage shows where a person lives, their transfers and their
// relatives in other counties, with the form that changes the residence.
func (h *Handler) residencePage(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "residence_title")
	return h.renderResidence(w, r, v, registry.Key{County: county, ID: pid}, http.StatusOK)
}

func (h *Handler) renderResidence(w http.ResponseWriter, r *http.Request, v *view, k registry.Key, status int) error {
	a := web.Actor(r)
	p, err := h.app.Person(r.Context(), a, k)
	if err != nil {
		return err
	}
	res, err := h.app.Residence(r.Context(), a, k)
	if err != nil {
		return err
	}
	if _, set := v.Form["residence"]; !set {
		v.Form.Set("residence", res.Region)
	}
	v.Form.Set("version", strconv.Itoa(res.Version))
	v.Data = map[string]any{"P": p.Person, "R": res, "Key": fmt.Sprintf("%s/%d", k.County, k.ID), "Root": string(k.County[:2]) + "0000",
		"CanWrite": auth.Can(a, auth.PermRegistryWrite) && res.MovedTo == "" && p.Person.Death.IsZero(),
		"CanMove":  auth.Can(a, auth.PermTransfer) && res.MovedTo == "" && p.Person.Death.IsZero()}
	return h.render(w, status, "residence.html", v)
}

// residenceSubmit records where a person lives.
func (h *Handler) residenceSubmit(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	k := registry.Key{County: county, ID: pid}
	v := h.newView(w, r, "residence_title")
	v.Form.Set("residence", strings.TrimSpace(r.PostFormValue("residence")))
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := h.app.SetResidence(r.Context(), web.Actor(r), k, move.Residence{Region: v.F("residence"), Version: version}); err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderResidence(w, r, v, k, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, fmt.Sprintf("/persons/%s/%d/residence", county, pid), "residence_saved")
	return nil
}
