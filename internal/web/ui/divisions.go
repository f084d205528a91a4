package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The divisions' pages (区划沿革, docs/regions.md): the history of a
// division with its versions and changes, the divisions below it on any
// day, and the form on which a county (or the province) records a change.

// rekeyedNames names the tables whose records follow a re-keyed code.
var rekeyedNames = map[string]string{
	"persons": "人员", "hukou_spells": "户籍记录", "recipients": "名册对象", "cases": "案件", "birth_registrations": "生育登记",
	"subsidy_claims": "育儿补贴申领", "match_tasks": "核查任务", "special_families": "特殊家庭", "childcare_institutions": "托育机构",
	"users": "工作人员账号", "workflow_params": "区域参数",
}

// divisionChangeRow is a change as the page lists it, in words.
type divisionChangeRow struct {
	Day, Kind, What, Basis, By, Records string
	Links                               []divisionLink
}

type divisionLink struct{ Name, Href string }

func divisionHref(c region.Code) string {
	return "/divisions?" + url.Values{"region": {string(c)}}.Encode()
}

// chineseDay writes a day as 2026年12月5日.
func chineseDay(s string) string {
	d, err := date.Parse(s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

func (h *Handler) changeRow(c app.DivisionChange, names map[region.Code]string) divisionChangeRow {
	name := func(code string) string {
		if n := names[region.Code(code)]; n != "" {
			return n
		}
		return h.tree.FullName(region.Code(code))
	}
	row := divisionChangeRow{Day: chineseDay(c.Day.String()), Kind: region.ChangeNames[c.Kind], Basis: c.Basis, By: c.Username}
	switch c.Kind {
	case region.ChangeRename:
		row.What = "更名为“" + c.Name + "”"
	case region.ChangeMerge:
		row.What = "“" + name(c.Code) + "”并入“" + name(c.Target) + "”"
	case region.ChangeMove:
		row.What = "“" + name(c.Code) + "”改隶“" + name(c.Target) + "”"
	case region.ChangeSplit:
		row.What = "从“" + name(c.Target) + "”析置“" + c.Name + "”"
	}
	var parts []string
	for _, r := range c.Rekeyed {
		parts = append(parts, rekeyedNames[r.Table]+strconv.FormatInt(r.Rows, 10)+"条")
	}
	row.Records = strings.Join(parts, "、")
	for _, k := range c.Keys {
		if k.Old.Level() == region.Village {
			row.Links = append(row.Links, divisionLink{Name: name(string(k.Old)) + " → " + name(string(k.New)), Href: divisionHref(k.New)})
		}
	}
	return row
}

// divisionsPage is the history of ?region= (default: the actor's
// region), and its divisions on ?on=.
func (h *Handler) divisionsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := strings.TrimSpace(q.Get("region"))
	if reg == "" {
		reg = string(web.Actor(r).Scope)
	}
	v := h.newView(w, r, "dv_title")
	v.Form.Set("region", reg)
	v.Form.Set("on", q.Get("on"))
	return h.renderDivisions(w, r, v, http.StatusOK, reg)
}

func (h *Handler) renderDivisions(w http.ResponseWriter, r *http.Request, v *view, status int, reg string) error {
	if reg == "" {
		v.Data = map[string]any{}
		return h.render(w, status, "divisions.html", v)
	}
	c, err := web.ParseRegion("region", reg)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	rec, err := h.app.DivisionHistory(r.Context(), a, string(c))
	if err != nil {
		return err
	}
	type versionRow struct{ Name, Parent, From, To string }
	var versions []versionRow
	for _, x := range rec.Versions {
		row := versionRow{Name: x.Name, Parent: h.tree.FullName(x.Parent), From: "—", To: "—"}
		if n := rec.Names[x.Parent]; n != "" && row.Parent == "" {
			row.Parent = n
		}
		if x.From != "" {
			row.From = chineseDay(x.From)
		}
		if x.To != "" {
			row.To = chineseDay(x.To)
		}
		versions = append(versions, row)
	}
	var changes []divisionChangeRow
	for _, ch := range rec.Changes {
		changes = append(changes, h.changeRow(ch, rec.Names))
	}
	var children []divisionLink
	for _, d := range rec.Children {
		children = append(children, divisionLink{Name: d.Name, Href: divisionHref(d.Code)})
	}
	data := map[string]any{"Rec": rec, "Versions": versions, "Changes": changes, "Children": children}
	if rec.Now != "" {
		data["Now"] = divisionLink{Name: rec.Names[rec.Now], Href: divisionHref(rec.Now)}
	}
	if on := strings.TrimSpace(v.F("on")); on != "" {
		ds, err := h.app.DivisionsOn(r.Context(), a, string(c), on)
		if err != nil {
			if !formError(v, err) {
				return err
			}
		} else {
			var links []divisionLink
			for _, d := range ds {
				links = append(links, divisionLink{Name: d.Name, Href: divisionHref(d.Code)})
			}
			data["On"], data["OnDay"] = links, chineseDay(on)
		}
	}
	county := h.tree.County(c)
	if auth.Can(a, auth.PermDivisionsManage) && county != "" && rec.InForce && c.Level() <= region.Township {
		// The form: the divisions that may change (the county's townships,
		// or the township with its villages) and the townships they may
		// join.
		var changeable, townships []divisionLink
		if c.Level() == region.Township {
			changeable = append(changeable, divisionLink{Name: rec.Name, Href: string(c)})
			for _, d := range rec.Children {
				changeable = append(changeable, divisionLink{Name: d.Name, Href: string(d.Code)})
			}
		}
		top, err := h.app.DivisionHistory(r.Context(), a, string(county))
		if err != nil {
			return err
		}
		for _, d := range top.Children {
			townships = append(townships, divisionLink{Name: d.Name, Href: string(d.Code)})
		}
		targets := townships
		if c.Level() == region.County {
			changeable = townships
		} else {
			targets = append(append([]divisionLink{}, townships...), changeable[1:]...)
		}
		data["Changeable"], data["Targets"] = changeable, targets
		data["Kinds"] = []divisionLink{{region.ChangeNames[region.ChangeRename], region.ChangeRename}, {region.ChangeNames[region.ChangeMerge], region.ChangeMerge},
			{region.ChangeNames[region.ChangeMove], region.ChangeMove}, {region.ChangeNames[region.ChangeSplit], region.ChangeSplit}}
	}
	v.Data = data
	return h.render(w, status, "divisions.html", v)
}

// divisionChangeSubmit records a change from the page's form.
func (h *Handler) divisionChangeSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	f := r.PostForm
	in := app.DivisionChangeInput{Kind: f.Get("kind"), Code: f.Get("code"), Target: f.Get("target"), Name: f.Get("name"), Day: f.Get("day"),
		Basis: f.Get("basis"), Villages: f["villages"]}
	if in.Kind == region.ChangeSplit {
		// The form names the division split from and the new code.
		in.Code, in.Target = f.Get("new_code"), f.Get("code")
	}
	page := f.Get("region")
	_, err := h.app.ChangeDivision(r.Context(), web.Actor(r), in)
	if err != nil {
		v := h.newView(w, r, "dv_title")
		if !formError(v, err) {
			return err
		}
		v.Form = f
		return h.renderDivisions(w, r, v, http.StatusUnprocessableEntity, page)
	}
	redirectDone(w, r, divisionHref(region.Code(page)), "division_changed")
	return nil
}
