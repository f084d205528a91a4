package ui

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// personSearch is the filter of the person list, read from the query.
type personSearch struct {
	IDNumber string
	Name     string
	Region   region.Code // "" means the actor's scope
	Alive    bool
	Sort     web.ListSort
}

// parsePersonSearch reads and checks the filter. Problems are returned as
// form errors; the search is not run with a bad filter.
func (h *Handler) parsePersonSearch(r *http.Request) (personSearch, error) {
	q := r.URL.Query()
	s := personSearch{Name: strings.TrimSpace(q.Get("name")), Alive: q.Get("alive") == "1"}
	var errs apperr.List
	var err error
	if s.Sort, err = web.SortOf(q, registry.SortKeys); err != nil {
		errs = append(errs, err.(*apperr.Error))
	}
	if id := strings.ToUpper(strings.TrimSpace(q.Get("id"))); id != "" {
		n, err := idcard.Parse(id)
		if err != nil {
			e := err.(*idcard.Error)
			errs = append(errs, invalid("id", e.ZH, e.EN))
		}
		s.IDNumber = string(n)
	}
	if rs := strings.TrimSpace(q.Get("region")); rs != "" {
		c, err := region.ParseCode(rs)
		if err != nil {
			e := err.(*region.Error)
			errs = append(errs, invalid("region", e.ZH, e.EN))
		} else if c.IsCountry() {
			s.Region = ""
		} else {
			s.Region = c
		}
	}
	return s, errs.Err()
}

func (s personSearch) query(limit, offset int) registry.Query {
	return registry.Query{IDNumber: s.IDNumber, Name: s.Name, Region: string(s.Region), Alive: s.Alive,
		Sort: s.Sort.Key, Desc: s.Sort.Desc, Limit: limit, Offset: offset}
}

// regionNav is the place filter drawn from the division tree: the path
// from the actor's scope down to the chosen division, and its children.
type regionNav struct {
	Path     []region.Division
	Children []region.Division
	Current  region.Code
}

func (h *Handler) regionNav(scope, current region.Code) regionNav {
	nav := regionNav{Current: current}
	if current == "" {
		current = scope
	}
	for _, d := range h.tree.Ancestors(current) {
		if scope.Contains(d.Code) {
			nav.Path = append(nav.Path, d)
		}
	}
	if d, ok := h.tree.Lookup(current); ok {
		nav.Path = append(nav.Path, d)
	}
	nav.Children = h.tree.Children(current)
	return nav
}

// personRow is one line of the person list: the ID number masked.
type personRow struct {
	Key       string
	Name      string
	IDMasked  string
	Sex       string
	Birth     date.Date
	Death     date.Date
	Region    string
	HukouType string
}

func toPersonRows(rs []registry.Record) []personRow {
	out := make([]personRow, len(rs))
	for i, r := range rs {
		out[i] = personRow{Key: r.County + "/" + r.Ref(), Name: r.Name, IDMasked: idcard.Number(r.IDNumber).Masked(),
			Sex: r.Sex, Birth: r.Birth, Death: r.Death, Region: r.Region, HukouType: r.HukouType}
	}
	return out
}

// personsPage searches the registry within the actor's scope, a page at a
// time (registry.Search, as GET /api/v1/persons). A scope above township
// level lists nothing until a filter is given, so that nobody pages
// through a whole city by accident.
func (h *Handler) personsPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "person"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "persons.title")
	for _, k := range []string{"id", "name", "region", "alive"} {
		v.Form.Set(k, r.URL.Query().Get(k))
	}
	s, err := h.parsePersonSearch(r)
	data := map[string]any{"Searched": false}
	v.Data = data
	if err != nil {
		formError(v, err)
		data["Tree"] = h.regionNav(a.Scope, "")
		return h.render(w, http.StatusBadRequest, "persons.html", v)
	}
	data["Tree"] = h.regionNav(a.Scope, s.Region)
	data["Keep"] = sortFields(s.Sort, registry.SortKeys)
	filtered := s.IDNumber != "" || s.Name != "" || s.Region != "" || r.URL.Query().Has("alive")
	if !filtered && a.Scope.Level() < region.Township {
		return h.render(w, http.StatusOK, "persons.html", v)
	}
	page, offset := pageOf(r)
	rows, total, err := h.app.SearchPersons(r.Context(), a, s.query(pageSize, offset))
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "persons.html", v)
		}
		return err
	}
	data["Searched"] = true
	data["Rows"] = toPersonRows(rows)
	pg := newPager(r, min(total, registry.CountCap), page)
	pg.More = total > registry.CountCap
	data["Pager"] = pg
	data["Sort"] = sortHeaders(r.URL.Path, r.URL.Query(), registry.SortKeys, s.Sort)
	q := r.URL.Query()
	q.Del("page")
	q.Del("done")
	q.Del("lang")
	data["ExportHref"] = "/persons/export.xlsx?" + q.Encode()
	return h.render(w, http.StatusOK, "persons.html", v)
}

// personKey reads {county}/{id} from the path.
func personKey(r *http.Request) (registry.Key, error) {
	county := r.PathValue("county")
	c, err := region.ParseCode(county)
	if err != nil || c.Level() != region.County && c.Level() != region.Prefecture {
		return registry.Key{}, apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return registry.Key{}, apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")
	}
	return registry.Key{County: string(c), ID: id}, nil
}

// familyNode is one person of the family tree drawn on a person's page.
type familyNode struct {
	Person   registry.Person
	Key      string
	Subject  bool
	Tie      string // how this child is tied to the parent above ("birth", …)
	InPolicy *bool
	Spouses  []spouseNode
	Children []familyNode
}

type spouseNode struct {
	Person   registry.Person
	Key      string
	Marriage registry.Marriage
}

// familyTree arranges the family view around the subject: spouses with
// their marriages, then children (of any tie) and their children.
func familyTree(f *registry.Family, county, subject string) familyNode {
	key := func(ref string) string { return county + "/" + ref }
	var build func(ref string, depth int, seen map[string]bool) familyNode
	build = func(ref string, depth int, seen map[string]bool) familyNode {
		seen[ref] = true
		n := familyNode{Key: key(ref), Subject: ref == subject}
		if p := f.Person(ref); p != nil {
			n.Person = *p
		} else {
			n.Person = registry.Person{Ref: ref}
		}
		for _, m := range f.Marriages {
			other := ""
			switch ref {
			case m.A:
				other = m.B
			case m.B:
				other = m.A
			default:
				continue
			}
			sp := spouseNode{Key: key(other), Marriage: m}
			if p := f.Person(other); p != nil {
				sp.Person = *p
			}
			n.Spouses = append(n.Spouses, sp)
		}
		slices.SortFunc(n.Spouses, func(a, b spouseNode) int { return a.Marriage.From.Compare(b.Marriage.From) })
		if depth < 2 {
			for _, t := range f.Children {
				if t.Parent != ref || seen[t.Child] {
					continue
				}
				c := build(t.Child, depth+1, seen)
				c.Tie, c.InPolicy = t.Kind, t.InPolicy
				n.Children = append(n.Children, c)
			}
			slices.SortFunc(n.Children, func(a, b familyNode) int { return a.Person.Birth.Compare(b.Person.Birth) })
		}
		return n
	}
	return build(subject, 0, map[string]bool{})
}

// lifeEvent is one line of a person's event history.
type lifeEvent struct {
	Date   date.Date
	Kind   string // i18n suffix: event.<Kind>
	Detail string
	With   string // the other person's key, if any
	Name   string // the other person's name
}

func lifeEvents(f *registry.Family, rec *registry.Record, t map[string]string) []lifeEvent {
	ref := rec.Ref()
	name := func(r string) string {
		if p := f.Person(r); p != nil {
			return p.Name
		}
		return r
	}
	ev := []lifeEvent{{Date: rec.Birth, Kind: "birth"}}
	for _, m := range f.Marriages {
		if m.A != ref && m.B != ref {
			continue
		}
		other := m.B
		if other == ref {
			other = m.A
		}
		ev = append(ev, lifeEvent{Date: m.From, Kind: "marriage", With: rec.County + "/" + other, Name: name(other)})
		if !m.To.IsZero() {
			ev = append(ev, lifeEvent{Date: m.To, Kind: "marriage_end", Detail: t["end."+m.End], With: rec.County + "/" + other, Name: name(other)})
		}
	}
	for _, c := range f.Children {
		if c.Parent == ref {
			d := c.From
			if d.IsZero() {
				if p := f.Person(c.Child); p != nil {
					d = p.Birth
				}
			}
			ev = append(ev, lifeEvent{Date: d, Kind: "child", Detail: t["tie."+c.Kind], With: rec.County + "/" + c.Child, Name: name(c.Child)})
		}
	}
	for _, d := range f.Disabilities {
		if d.Person == ref {
			detail := t["disability.grade"] + " " + strconv.Itoa(d.Grade)
			if d.Category != "" {
				detail += " · " + t["category."+d.Category]
			}
			if !d.To.IsZero() {
				detail += " · " + t["until"] + " " + d.To.String()
			}
			ev = append(ev, lifeEvent{Date: d.From, Kind: "disability", Detail: detail})
		}
	}
	for _, c := range f.Certificates {
		if c.Holder == ref {
			detail := t["cert."+c.Kind]
			if c.Number != "" {
				detail += " " + c.Number
			}
			ev = append(ev, lifeEvent{Date: c.Issued, Kind: "certificate", Detail: detail})
			if !c.Cancelled.IsZero() {
				ev = append(ev, lifeEvent{Date: c.Cancelled, Kind: "certificate_cancel", Detail: t["cert."+c.Kind]})
			}
		}
	}
	for _, c := range f.Complications {
		if c.Person == ref {
			ev = append(ev, lifeEvent{Date: c.From, Kind: "complication", Detail: t["disability.grade"] + " " + strconv.Itoa(c.Grade)})
		}
	}
	for _, rt := range f.Retirements {
		if rt.Person == ref {
			ev = append(ev, lifeEvent{Date: rt.Date, Kind: "retirement", Detail: t["employer."+rt.Employer]})
		}
	}
	if p := f.Person(ref); p != nil {
		for i, hs := range p.Hukou {
			if i == 0 {
				continue
			}
			ev = append(ev, lifeEvent{Date: hs.From, Kind: "hukou", Detail: t["hukou."+hs.Type]})
		}
	}
	if !rec.Death.IsZero() {
		ev = append(ev, lifeEvent{Date: rec.Death, Kind: "death", Detail: rec.DeathSource})
	}
	slices.SortStableFunc(ev, func(a, b lifeEvent) int { return a.Date.Compare(b.Date) })
	return ev
}

// personPage shows one person: the record, the family tree, hukou
// history, life events, the benefits the rules in force decide this year
// with their clause-by-clause explanation, the person's rows on the roll,
// their account and (for auditors) the change log — one overview read
// through the use-case layer, which refuses and audits a person outside
// the actor's scope as the API does.
func (h *Handler) personPage(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "person.title")
	o, err := h.app.PersonOverview(r.Context(), a, k, v.Lang)
	if err != nil {
		return err
	}
	rec, fam := o.Person, o.Family
	v.Title = rec.Name
	var hukou []registry.HukouSpell
	if p := fam.Person(rec.Ref()); p != nil {
		hukou = slices.Clone(p.Hukou)
		slices.SortFunc(hukou, func(a, b registry.HukouSpell) int { return cmp.Compare(b.From.String(), a.From.String()) })
	}
	v.Data = map[string]any{
		"Rec":       rec,
		"Key":       rec.County + "/" + rec.Ref(),
		"IDMasked":  idcard.Number(rec.IDNumber).Masked(),
		"Age":       rec.Birth.YearsBetween(date.Today(h.now())),
		"Tree":      familyTree(fam, rec.County, rec.Ref()),
		"Hukou":     hukou,
		"Events":    lifeEvents(fam, rec, v.T),
		"Audit":     o.Audit,
		"CanAudit":  auth.Can(a, auth.PermAuditRead),
		"CanWrite":  canWriteRegistry(a),
		"EventKind": eventKinds,
		"Benefits":  toBenefits(o.Benefits, o.Names, v.Lang),
		"Year":      o.Year,
		"Roll":      rollEntries(o.Roll, o.Names),
		"RollEvent": canApplyEvents(a),
		"Account":   accountBlock(a, o.Account, v.Lang),
	}
	return h.render(w, http.StatusOK, "person.html", v)
}

// rollEntries are a person's rows on the roll as the page lists them.
func rollEntries(rows []app.RollEntry, names map[string]string) []personRollEntry {
	if rows == nil {
		return nil
	}
	out := make([]personRollEntry, len(rows))
	for i, r := range rows {
		out[i] = personRollEntry{Recipient: r.Recipient, ProgramName: label(names, r.Program), PaidThrough: r.PaidThrough(), Changes: r.Changes}
	}
	return out
}

// accountBlock is the account block of the person page: shown to the roles
// that read payments, the number masked, editable by the finance officer
// only; nil for the other roles.
func accountBlock(a auth.Actor, acc *payment.Account, lang string) *personAccount {
	if !auth.Can(a, auth.PermPaymentRead) {
		return nil
	}
	pa := &personAccount{CanEdit: auth.Can(a, auth.PermPaymentManage), Banks: payment.Banks}
	if acc != nil {
		masked := *acc
		masked.Number = payment.MaskAccount(acc.Number)
		pa.Account, pa.BankName = &masked, bankName(acc.Bank, lang)
	}
	return pa
}

// canWriteRegistry decides whether to offer the registry's forms; the
// registry checks the same permission again on every change.
func canWriteRegistry(a auth.Actor) bool {
	return auth.Can(a, auth.PermRegistryWrite)
}
