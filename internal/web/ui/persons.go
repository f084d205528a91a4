package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// personSearch is the filter of the person list, read from the query.
type personSearch struct {
	IDNumber string
	Name     string
	Who      registry.Who
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
	if w, err := registry.ParseWho("q", q.Get("q")); err != nil {
		errs = append(errs, err.(*apperr.Error))
	} else {
		s.Who = w
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
	return registry.Query{IDNumber: s.IDNumber, Name: s.Name, Who: s.Who, Region: string(s.Region), Alive: s.Alive,
		Sort: s.Sort.Key, Desc: s.Sort.Desc, Limit: limit, Offset: offset}
}

// regionNav is the place filter drawn from the division tree: the path
// from the actor's scope down to the chosen division, and its children.
type regionNav struct {
	Path     []region.Division
	Children []region.Division
	Current  region.Code
}

func (h *Handler) regionNav(ctx context.Context, scope, current region.Code) regionNav {
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
	// The divisions in force today: a retired one holds no one.
	if kids, err := h.app.DivisionsToday(ctx, current); err == nil {
		nav.Children = kids
	} else {
		nav.Children = h.tree.Children(current)
	}
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
	for _, k := range []string{"q", "id", "name", "region", "alive"} {
		v.Form.Set(k, r.URL.Query().Get(k))
	}
	s, err := h.parsePersonSearch(r)
	data := map[string]any{"Searched": false}
	v.Data = data
	if err != nil {
		formError(v, err)
		data["Tree"] = h.regionNav(r.Context(), a.Scope, "")
		return h.render(w, http.StatusBadRequest, "persons.html", v)
	}
	data["Tree"] = h.regionNav(r.Context(), a.Scope, s.Region)
	data["Keep"] = sortFields(s.Sort, registry.SortKeys)
	filtered := s.IDNumber != "" || s.Name != "" || s.Who.Kind != registry.WhoAny || s.Region != "" || r.URL.Query().Has("alive")
	if !filtered && a.Scope.Level() < region.Township {
		return h.render(w, http.StatusOK, "persons.html", v)
	}
	page, offset := pageOf(r)
	sq := s.query(pageSize, offset)
	rows, total, err := h.app.SearchPersons(r.Context(), a, sq)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "persons.html", v)
		}
		return err
	}
	data["Searched"] = true
	data["Rows"] = toPersonRows(rows)
	pg := newPager(r, min(total, sq.CountCap()), page)
	pg.More = total > sq.CountCap()
	// Past the counted rows there may be more: a page with rows is not
	// past the last, and ends with its own last row.
	pg.shown(len(rows))
	data["Pager"] = pg
	data["Sort"] = sortHeaders(r.URL.Path, r.URL.Query(), registry.SortKeys, s.Sort)
	q := r.URL.Query()
	q.Del("page")
	q.Del("done")
	q.Del("lang")
	data["ExportHref"] = "/persons/export.xlsx?" + q.Encode()
	return h.render(w, http.StatusOK, "persons.html", v)
}
