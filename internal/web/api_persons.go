package web

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The registry API: every handler checks the role's permission (require)
// and the person's region against the actor's scope (personInScope), then
// calls the registry service inside one transaction.

var errNoPerson = apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")

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
	c, err := parseRegion("county", r.PathValue("county"))
	if err != nil {
		return registry.Key{}, err
	}
	if c.Level() != region.County && c.Level() != region.Prefecture {
		return registry.Key{}, apperr.Invalidf("county", "%s 不是县级区划代码", "%s is not a county code", c)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return registry.Key{}, err
	}
	return registry.Key{County: string(c), ID: id}, nil
}

func personTarget(k registry.Key) target {
	return target{Entity: "person", EntityID: strconv.FormatInt(k.ID, 10)}
}

// personInScope returns nil when person k exists and lies within the
// actor's scope. A person outside the scope is answered as not found, so
// that the answer does not reveal who is registered elsewhere, and the
// refusal is audited (inScope) with the person's region.
func (h *Handler) personInScope(r *http.Request, k registry.Key) error {
	var where string
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		rec, err := tx.PersonByKey(r.Context(), "", k)
		if err != nil {
			return err
		}
		where = rec.Region
		return nil
	})
	if err != nil {
		return err
	}
	if err := h.inScope(r, region.Code(where), personTarget(k)); err != nil {
		if apperr.KindOf(err) == apperr.Forbidden {
			return errNoPerson
		}
		return err
	}
	return nil
}

// personRoute does the checks every route on one person makes: the path,
// the permission p and the scope. It returns the person's key.
func (h *Handler) personRoute(r *http.Request, p auth.Permission) (registry.Key, error) {
	k, err := apiPersonKey(r)
	if err != nil {
		return k, err
	}
	if err := h.require(r, p, personTarget(k)); err != nil {
		return k, err
	}
	return k, h.personInScope(r, k)
}

// regionInScope checks a division code given in a request body or query
// (field names it) against the actor's scope, auditing a refusal. An
// empty or malformed code is left to the registry's own validation.
func (h *Handler) regionInScope(r *http.Request, field, code string) error {
	if code == "" {
		return nil
	}
	c, err := parseRegion(field, code)
	if err != nil {
		return nil
	}
	return h.inScope(r, c, target{Entity: "person"})
}

// registerPerson is POST /api/v1/persons.
func (h *Handler) registerPerson(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryWrite, target{Entity: "person"}); err != nil {
		return err
	}
	var in registry.NewPerson
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.regionInScope(r, "region", in.Region); err != nil {
		return err
	}
	var rec *registry.Record
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		rec, err = registry.Register(r.Context(), tx, actor(r), in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"person": rec})
	return nil
}

// searchPersons is GET /api/v1/persons: a page of the persons in scope
// matching the query, ID numbers masked, in the order of ?sort= and
// ?order=, with the total for paging.
func (h *Handler) searchPersons(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "person"}); err != nil {
		return err
	}
	qs := r.URL.Query()
	q := registry.Query{IDNumber: qs.Get("id_number"), Name: qs.Get("name"), Region: qs.Get("region"), Limit: 50}
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
	order, err := sortOf(qs, registry.SortKeys)
	if err != nil {
		return err
	}
	q.Sort, q.Desc = order.Key, order.Desc
	if q.Region != "" {
		c, err := parseRegion("region", q.Region)
		if err != nil {
			return err
		}
		if err := h.inScope(r, c, target{Entity: "person"}); err != nil {
			return err
		}
	}
	var recs []registry.Record
	var total int
	err = h.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		recs, total, err = registry.Search(r.Context(), tx, actor(r), q)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"persons": h.toPersonList(recs), "total": total, "total_capped": total > registry.CountCap, "limit": q.Limit, "offset": q.Offset,
		"sort": order.Key, "order": order.name()})
	return nil
}

// getPerson is GET /api/v1/persons/{county}/{id}: the full record, with
// the hukou history and the person's own facts.
func (h *Handler) getPerson(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryRead)
	if err != nil {
		return err
	}
	var rec *registry.Record
	var facts *registry.Family
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		if rec, err = registry.Get(r.Context(), tx, actor(r), k); err != nil {
			return err
		}
		facts, err = tx.FamilyFacts(r.Context(), k.County, []int64{k.ID})
		return err
	})
	if err != nil {
		return err
	}
	var hukou []registry.HukouSpell
	if p := facts.Person(rec.Ref()); p != nil {
		hukou = p.Hukou
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"person":        rec,
		"region_name":   h.tree.FullName(region.Code(rec.Region)),
		"hukou":         nonNil(hukou),
		"disabilities":  nonNil(facts.Disabilities),
		"certificates":  nonNil(facts.Certificates),
		"complications": nonNil(facts.Complications),
		"retirements":   nonNil(facts.Retirements),
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
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var p registry.Patch
	if err := decodeJSON(w, r, &p); err != nil {
		return err
	}
	if p.Version < 1 {
		return apperr.Invalidf("version", "请提供读取时的版本号 version", "give the version you read")
	}
	return h.personUpdate(w, r, func(tx *store.Tx) (*registry.Record, error) {
		return registry.Update(r.Context(), tx, actor(r), k, p)
	})
}

// personUpdate runs fn in a transaction and answers with the person it
// returns.
func (h *Handler) personUpdate(w http.ResponseWriter, r *http.Request, fn func(tx *store.Tx) (*registry.Record, error)) error {
	var rec *registry.Record
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		rec, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"person": rec})
	return nil
}

// personFamily is GET /api/v1/persons/{county}/{id}/family: the family
// view rules read. Relatives registered outside the actor's scope are
// shown with their ID numbers masked.
func (h *Handler) personFamily(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryRead)
	if err != nil {
		return err
	}
	var fam *registry.Family
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		fam, err = registry.FamilyView(r.Context(), tx, actor(r), k)
		return err
	})
	if err != nil {
		return err
	}
	a := actor(r)
	for i := range fam.Persons {
		if p := &fam.Persons[i]; !a.CanSee(region.Code(p.Region)) {
			p.IDNumber = idcard.Number(p.IDNumber).Masked()
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"county": k.County, "subject": strconv.FormatInt(k.ID, 10), "family": fam})
	return nil
}

// personHistory is GET /api/v1/persons/{county}/{id}/history: the audit
// entries about the person within the actor's scope, newest first.
func (h *Handler) personHistory(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryRead)
	if err != nil {
		return err
	}
	f := store.AuditFilter{County: k.County, Entity: "person", EntityID: strconv.FormatInt(k.ID, 10), Limit: 100}
	if err := auditPaging(r.URL.Query(), &f.BeforeSeq, &f.Limit); err != nil {
		return err
	}
	entries := []audit.Entry{}
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(r.Context(), actor(r).Scope, f)
		entries = append(entries, es...)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

// recordDeath is POST …/death.
func (h *Handler) recordDeath(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Source string    `json:"source"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Date.IsZero() {
		return apperr.Invalidf("date", "缺少死亡日期", "the date of death is missing")
	}
	return h.personUpdate(w, r, func(tx *store.Tx) (*registry.Record, error) {
		return registry.RecordDeath(r.Context(), tx, actor(r), k, in.Date, in.Source)
	})
}

// changeHukou is POST …/hukou.
func (h *Handler) changeHukou(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in registry.HukouChange
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.regionInScope(r, "region", in.Region); err != nil {
		return err
	}
	return h.personUpdate(w, r, func(tx *store.Tx) (*registry.Record, error) {
		return registry.ChangeHukou(r.Context(), tx, actor(r), k, in)
	})
}

// created runs fn in a transaction and answers 201 with the id it returns.
func (h *Handler) created(w http.ResponseWriter, r *http.Request, fn func(tx *store.Tx) (int64, error)) error {
	var id int64
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		id, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

// otherPerson checks that the person id of the same county as k (a spouse,
// a child) exists within the actor's scope.
func (h *Handler) otherPerson(r *http.Request, k registry.Key, field string, id int64) (registry.Key, error) {
	if id <= 0 {
		return registry.Key{}, apperr.Invalidf(field, "缺少人员编号", "the person's id is missing")
	}
	o := registry.Key{County: k.County, ID: id}
	if err := h.personInScope(r, o); err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return o, &apperr.Error{Kind: apperr.NotFound, Field: field, ZH: errNoPerson.ZH, EN: errNoPerson.EN}
		}
		return o, err
	}
	return o, nil
}

// addMarriage is POST …/marriages: a marriage of the person with spouse
// (a person of the same county).
func (h *Handler) addMarriage(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Spouse int64     `json:"spouse"`
		From   date.Date `json:"from"`
		CertNo string    `json:"cert_no"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	spouse, err := h.otherPerson(r, k, "spouse", in.Spouse)
	if err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddMarriage(r.Context(), tx, actor(r), k, spouse, registry.Marriage{From: in.From}, in.CertNo)
	})
}

// endMarriage is POST /api/v1/marriages/{county}/{id}/end.
func (h *Handler) endMarriage(w http.ResponseWriter, r *http.Request) error {
	c, err := parseRegion("county", r.PathValue("county"))
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermRegistryWrite, target{Entity: "marriage", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Reason string    `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var m registry.Marriage
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		m, err = tx.MarriageByID(r.Context(), string(c), id)
		return err
	})
	if err != nil {
		return err
	}
	a, _ := strconv.ParseInt(m.A, 10, 64)
	if err := h.personInScope(r, registry.Key{County: string(c), ID: a}); err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return apperr.NotFoundf("未找到该婚姻记录", "no such marriage")
		}
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		return registry.EndMarriage(r.Context(), tx, actor(r), string(c), id, in.Date, in.Reason)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addChild is POST …/children: ties the person as parent to child.
func (h *Handler) addChild(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Child    int64     `json:"child"`
		Kind     string    `json:"kind"`
		From     date.Date `json:"from"`
		InPolicy *bool     `json:"in_policy"`
		RegNo    string    `json:"reg_no"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	child, err := h.otherPerson(r, k, "child", in.Child)
	if err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddChild(r.Context(), tx, actor(r), k, child, registry.ParentChild{Kind: in.Kind, From: in.From, InPolicy: in.InPolicy}, in.RegNo)
	})
}

// addDisability is POST …/disabilities.
func (h *Handler) addDisability(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Grade    int       `json:"grade"`
		Category string    `json:"category"`
		From     date.Date `json:"from"`
		To       date.Date `json:"to"`
		CertNo   string    `json:"cert_no"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddDisability(r.Context(), tx, actor(r), k, registry.Disability{Grade: in.Grade, Category: in.Category, From: in.From, To: in.To}, in.CertNo)
	})
}

// addCertificate is POST …/certificates.
func (h *Handler) addCertificate(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Kind   string    `json:"kind"`
		Number string    `json:"number"`
		Issued date.Date `json:"issued"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddCertificate(r.Context(), tx, actor(r), k, registry.Certificate{Kind: in.Kind, Number: in.Number, Issued: in.Issued})
	})
}

// cancelCertificate is POST …/certificates/{cid}/cancel.
func (h *Handler) cancelCertificate(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Reason string    `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		return registry.CancelCertificate(r.Context(), tx, actor(r), k, cid, in.Date, in.Reason)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addComplication is POST …/complications.
func (h *Handler) addComplication(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Grade    int       `json:"grade"`
		From     date.Date `json:"from"`
		To       date.Date `json:"to"`
		Document string    `json:"document"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddComplication(r.Context(), tx, actor(r), k, registry.Complication{Grade: in.Grade, From: in.From, To: in.To}, in.Document)
	})
}

// addRetirement is POST …/retirements.
func (h *Handler) addRetirement(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personRoute(r, auth.PermRegistryWrite)
	if err != nil {
		return err
	}
	var in struct {
		Date     date.Date `json:"date"`
		Employer string    `json:"employer"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	return h.created(w, r, func(tx *store.Tx) (int64, error) {
		return registry.AddRetirement(r.Context(), tx, actor(r), k, registry.Retirement{Date: in.Date, Employer: in.Employer})
	})
}
