package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The registry API: every handler reads its input and makes one call to
// the use-case layer, which checks the role's permission and the person's
// region against the actor's scope, audits a refusal and calls the
// registry in one transaction.

// personListJSON is a person as lists show them: the ID number masked.
type personListJSON struct {
	County     string    `json:"county"`
	ID         int64     `json:"id"`
	IDNumber   string    `json:"id_number"`
	Name       string    `json:"name"`
	Sex        string    `json:"sex"`
	Birth      date.Date `json:"birth"`
	Death      date.Date `json:"death"`
	Region     string    `json:"region"`
	RegionName string    `json:"region_name"`
	HukouType  string    `json:"hukou_type"`
	Pension    string    `json:"pension"`
	Version    int       `json:"version"`
}

func (h *Handler) toPersonList(rs []registry.Record) []personListJSON {
	out := make([]personListJSON, len(rs))
	for i, r := range rs {
		out[i] = personListJSON{County: r.County, ID: r.ID, IDNumber: idcard.Number(r.IDNumber).Masked(), Name: r.Name,
			Sex: r.Sex, Birth: r.Birth, Death: r.Death, Region: r.Region, RegionName: h.regionName(r.Region),
			HukouType: r.HukouType, Pension: r.Pension, Version: r.Version}
	}
	return out
}

func (h *Handler) regionName(code string) string {
	if d, ok := h.tree.Lookup(region.Code(code)); ok {
		return d.Name
	}
	return ""
}

// apiPersonKey reads {county}/{id} from the path.
func apiPersonKey(r *http.Request) (registry.Key, error) {
	c, err := web.ParseRegion("county", r.PathValue("county"))
	if err != nil {
		return registry.Key{}, err
	}
	if c.Level() != region.County && c.Level() != region.Prefecture {
		return registry.Key{}, apperr.Invalidf("county", "%s 不是县级区划代码", "%s is not a county code", c)
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return registry.Key{}, err
	}
	return registry.Key{County: string(c), ID: id}, nil
}

// registerPerson is POST /api/v1/persons.
func (h *Handler) registerPerson(w http.ResponseWriter, r *http.Request) error {
	var in registry.NewPerson
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := h.app.RegisterPerson(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"person": rec})
	return nil
}

// searchPersons is GET /api/v1/persons: a page of the persons in scope
// matching the query, ID numbers masked, in the order of ?sort= and
// ?order=, with the total for paging.
func (h *Handler) searchPersons(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	q := registry.Query{IDNumber: qs.Get("id_number"), Name: qs.Get("name"), Region: qs.Get("region"), Limit: 50}
	var err error
	if q.Who, err = registry.ParseWho("q", qs.Get("q")); err != nil {
		return err
	}
	switch qs.Get("alive") {
	case "", "0", "false":
	case "1", "true":
		q.Alive = true
	default:
		return apperr.Invalidf("alive", "alive 应为 true 或 false", "alive must be true or false")
	}
	for _, p := range []struct {
		name   string
		dst    *int
		lo, hi int
	}{{"limit", &q.Limit, 1, 500}, {"offset", &q.Offset, 0, 1 << 30}} {
		if s := qs.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < p.lo || n > p.hi {
				return apperr.Invalidf(p.name, "%s 应为 %d 至 %d 的整数", "%s must be an integer from %d to %d", p.name, p.lo, p.hi)
			}
			*p.dst = n
		}
	}
	order, err := web.SortOf(qs, registry.SortKeys)
	if err != nil {
		return err
	}
	q.Sort, q.Desc = order.Key, order.Desc
	if q.Region != "" {
		c, err := web.ParseRegion("region", q.Region)
		if err != nil {
			return err
		}
		q.Region = string(c)
	}
	recs, total, err := h.app.SearchPersons(r.Context(), web.Actor(r), q)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"persons": h.toPersonList(recs), "total": total, "total_capped": total > q.CountCap(), "limit": q.Limit, "offset": q.Offset,
		"sort": order.Key, "order": order.Order()})
	return nil
}

// getPerson is GET /api/v1/persons/{county}/{id}: the full record, with
// the hukou history and the person's own facts.
func (h *Handler) getPerson(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	f, err := h.app.Person(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{
		"person":        f.Person,
		"region_name":   h.tree.FullName(region.Code(f.Person.Region)),
		"hukou":         nonNil(f.Hukou),
		"disabilities":  nonNil(f.Disabilities),
		"certificates":  nonNil(f.Certificates),
		"complications": nonNil(f.Complications),
		"retirements":   nonNil(f.Retirements),
	})
	return nil
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// updatePerson is PATCH /api/v1/persons/{county}/{id}.
func (h *Handler) updatePerson(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var p registry.Patch
	if err := web.DecodeJSON(w, r, &p); err != nil {
		return err
	}
	if p.Version < 1 {
		return apperr.Invalidf("version", "请提供读取时的版本号 version", "give the version you read")
	}
	rec, err := h.app.UpdatePerson(r.Context(), web.Actor(r), k, p)
	return personAnswer(w, rec, err)
}

// personAnswer answers with the person a change returns.
func personAnswer(w http.ResponseWriter, rec *registry.Record, err error) error {
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"person": rec})
	return nil
}

// personFamily is GET /api/v1/persons/{county}/{id}/family: the family
// view rules read. Relatives registered outside the actor's scope are
// shown with their ID numbers masked.
func (h *Handler) personFamily(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	fam, err := h.app.Family(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	for i := range fam.Persons {
		if p := &fam.Persons[i]; !a.CanSee(region.Code(p.Region)) {
			p.IDNumber = idcard.Number(p.IDNumber).Masked()
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": k.County, "subject": strconv.FormatInt(k.ID, 10), "family": fam})
	return nil
}

// personHistory is GET /api/v1/persons/{county}/{id}/history: the audit
// entries about the person within the actor's scope, newest first.
func (h *Handler) personHistory(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	limit, before, err := historyPaging(r.URL.Query())
	if err != nil {
		return err
	}
	entries, err := h.app.PersonHistory(r.Context(), web.Actor(r), k, limit, before)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"entries": nonNil(entries)})
	return nil
}

// historyPaging reads ?limit= (1 to 1000, default 100) and ?before_seq= of
// a person's history, as the audit trail's paging.
func historyPaging(q url.Values) (limit int, before int64, err error) {
	limit = 100
	err = auditPaging(q, &before, &limit)
	return limit, before, err
}
