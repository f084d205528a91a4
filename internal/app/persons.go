package app

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The population registry's use cases: registering persons and their life
// events, reading a person, a family and a person's history, searching,
// and the overview the person page shows. A use case on one person
// locates the person's region without scope first (personOp), so that a
// person outside the actor's scope is refused — answered as not found and
// audited — whichever door asked.

// personOp is the access rule of a use case on person k: perm, and the
// person's region (their village) within the actor's scope.
func personOp(name string, perm auth.Permission, k registry.Key) op {
	return op{name: name, perm: perm, target: Target{Entity: "person", ID: strconv.FormatInt(k.ID, 10), Region: region.Code(k.County)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			rec, err := tx.PersonByKey(ctx, "", k)
			if err != nil {
				return "", err
			}
			return region.Code(rec.Region), nil
		}}
}

// regionOp is the access rule of a use case on the persons of a region
// the caller names: perm, and that region within the actor's scope. An
// empty or malformed code names no region; the domain validates it.
func regionOp(name string, perm auth.Permission, code string) op {
	o := op{name: name, perm: perm, target: Target{Entity: "person"}}
	if c, err := region.ParseCode(code); err == nil {
		o.target.Region = c
	}
	return o
}

// RegisterPerson registers a person with an opening hukou spell.
func (a *App) RegisterPerson(ctx context.Context, who auth.Actor, in registry.NewPerson) (*registry.Record, error) {
	return write(a, ctx, who, regionOp("person.register", auth.PermRegistryWrite, in.Region), func(tx *store.Tx) (*registry.Record, error) {
		if err := a.inForce(ctx, tx, "region", in.Region); err != nil {
			return nil, err
		}
		return registry.Register(ctx, tx, who, in)
	})
}

// SearchPersons returns a page of the persons within the actor's scope
// that q selects, and how many it selects (at most q.CountCap()+1).
func (a *App) SearchPersons(ctx context.Context, who auth.Actor, q registry.Query) ([]registry.Record, int, error) {
	var recs []registry.Record
	var total int
	err := a.read(ctx, who, regionOp("person.search", auth.PermRegistryRead, q.Region), func(tx *store.Tx) (err error) {
		recs, total, err = registry.Search(ctx, tx, who, q)
		return err
	})
	return recs, total, err
}

// PersonFile is a person's record with the facts about them alone.
type PersonFile struct {
	Person        *registry.Record
	Hukou         []registry.HukouSpell
	Disabilities  []registry.Disability
	Certificates  []registry.Certificate
	Complications []registry.Complication
	Retirements   []registry.Retirement
}

// Person returns person k's record with their hukou history,
// disabilities, certificates, complications and retirements.
func (a *App) Person(ctx context.Context, who auth.Actor, k registry.Key) (*PersonFile, error) {
	return look(a, ctx, who, personOp("person.read", auth.PermRegistryRead, k), func(tx *store.Tx) (*PersonFile, error) {
		rec, err := registry.Get(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		facts, err := tx.FamilyFacts(ctx, k.County, []int64{k.ID})
		if err != nil {
			return nil, err
		}
		f := &PersonFile{Person: rec, Disabilities: facts.Disabilities, Certificates: facts.Certificates,
			Complications: facts.Complications, Retirements: facts.Retirements}
		if p := facts.Person(rec.Ref()); p != nil {
			f.Hukou = p.Hukou
		}
		return f, nil
	})
}

// Family returns the family rules read for person k (registry.FamilyView).
// Relatives outside the actor's scope are in it: the door masks them.
func (a *App) Family(ctx context.Context, who auth.Actor, k registry.Key) (*registry.Family, error) {
	return look(a, ctx, who, personOp("person.family", auth.PermRegistryRead, k), func(tx *store.Tx) (*registry.Family, error) {
		return registry.FamilyView(ctx, tx, who, k)
	})
}

// PersonHistory returns the audit entries about person k within the
// actor's scope, newest first: at most limit of them (100 when 0), older
// than sequence before when it is set.
func (a *App) PersonHistory(ctx context.Context, who auth.Actor, k registry.Key, limit int, before int64) ([]audit.Entry, error) {
	if limit <= 0 {
		limit = 100
	}
	return look(a, ctx, who, personOp("person.history", auth.PermRegistryRead, k), func(tx *store.Tx) ([]audit.Entry, error) {
		return tx.AuditEntries(ctx, who.Scope, store.AuditFilter{County: k.County, Entity: "person", EntityID: strconv.FormatInt(k.ID, 10),
			Limit: limit, BeforeSeq: before})
	})
}

// UpdatePerson changes person k's descriptive fields; p.Version must be
// the version read.
func (a *App) UpdatePerson(ctx context.Context, who auth.Actor, k registry.Key, p registry.Patch) (*registry.Record, error) {
	return write(a, ctx, who, personOp("person.update", auth.PermRegistryWrite, k), func(tx *store.Tx) (*registry.Record, error) {
		return registry.Update(ctx, tx, who, k, p)
	})
}

// RecordDeath records the death of person k on day d.
func (a *App) RecordDeath(ctx context.Context, who auth.Actor, k registry.Key, d date.Date, source string) (*registry.Record, error) {
	return write(a, ctx, who, personOp("person.death", auth.PermRegistryWrite, k), func(tx *store.Tx) (*registry.Record, error) {
		return registry.RecordDeath(ctx, tx, who, k, d, source)
	})
}

// ChangeHukou moves person k to a new hukou type or division.
func (a *App) ChangeHukou(ctx context.Context, who auth.Actor, k registry.Key, c registry.HukouChange) (*registry.Record, error) {
	return write(a, ctx, who, personOp("person.hukou", auth.PermRegistryWrite, k), func(tx *store.Tx) (*registry.Record, error) {
		if err := a.inForce(ctx, tx, "region", c.Region); err != nil {
			return nil, err
		}
		return registry.ChangeHukou(ctx, tx, who, k, c)
	})
}

// Relative names the other person of a marriage or a parent–child tie:
// by ID number within the actor's scope when IDNumber is set (the forms),
// else by id in the first person's county (the API). Field names the
// input in errors.
type Relative struct {
	ID       int64
	IDNumber string
	Field    string
}

// relative finds rel, the relative of person k, inside tx. When the
// relative is refused it returns the op that refused it, for the audit
// entry.
func relative(ctx context.Context, tx *store.Tx, who auth.Actor, k registry.Key, rel Relative) (registry.Key, *op, error) {
	if rel.IDNumber != "" {
		rows, _, err := registry.Search(ctx, tx, who, registry.Query{IDNumber: strings.ToUpper(strings.TrimSpace(rel.IDNumber)), Limit: 1})
		if err != nil {
			if e, ok := apperr.As(err); ok && e.Kind != apperr.Internal {
				return registry.Key{}, nil, &apperr.Error{Kind: apperr.Invalid, Field: rel.Field, ZH: e.ZH, EN: e.EN}
			}
			return registry.Key{}, nil, err
		}
		if len(rows) == 0 {
			return registry.Key{}, nil, apperr.Invalidf(rel.Field, "在您的管辖范围内没有登记此身份证号的人员，请先登记该人员",
				"nobody with this ID number is registered in your scope: register the person first")
		}
		return registry.Key{County: rows[0].County, ID: rows[0].ID}, nil, nil
	}
	if rel.ID <= 0 {
		return registry.Key{}, nil, apperr.Invalidf(rel.Field, "缺少人员编号", "the person's id is missing")
	}
	other := registry.Key{County: k.County, ID: rel.ID}
	o := personOp("person.relative", "", other)
	if err := o.check(ctx, tx, who); err != nil {
		var s scopeError
		switch {
		case errors.As(err, &s):
			e := *s.err
			e.Field = rel.Field
			return other, &o, scopeError{&e}
		case apperr.KindOf(err) == apperr.NotFound:
			return other, nil, &apperr.Error{Kind: apperr.NotFound, Field: rel.Field, ZH: "未找到该人员，或不在您的管辖范围内", EN: "no such person in your scope"}
		}
		return other, nil, err
	}
	return other, nil, nil
}

// tie runs fn, which ties person k to the relative rel, in one read-write
// transaction after the access rules of both; a refusal is audited with
// the person refused.
func (a *App) tie(ctx context.Context, who auth.Actor, o op, k registry.Key, rel Relative, fn func(tx *store.Tx, other registry.Key) (int64, error)) (int64, error) {
	var id int64
	refused := o
	err := a.db.Update(ctx, func(tx *store.Tx) error {
		first := o // check fills in the region it locates
		err := first.check(ctx, tx, who)
		refused = first
		if err != nil {
			return err
		}
		other, ro, err := relative(ctx, tx, who, k, rel)
		if err != nil {
			if ro != nil {
				refused = *ro
			}
			return err
		}
		id, err = fn(tx, other)
		return err
	})
	return id, a.audited(ctx, who, refused, err)
}

// AddMarriage records a marriage of person k with spouse and returns its
// id.
func (a *App) AddMarriage(ctx context.Context, who auth.Actor, k registry.Key, spouse Relative, m registry.Marriage, certNo string) (int64, error) {
	return a.tie(ctx, who, personOp("marriage.create", auth.PermRegistryWrite, k), k, spouse, func(tx *store.Tx, other registry.Key) (int64, error) {
		return registry.AddMarriage(ctx, tx, who, k, other, m, certNo)
	})
}

// AddChild ties person k as parent to child and returns the tie's id.
func (a *App) AddChild(ctx context.Context, who auth.Actor, k registry.Key, child Relative, t registry.ParentChild, regNo string) (int64, error) {
	return a.tie(ctx, who, personOp("tie.create", auth.PermRegistryWrite, k), k, child, func(tx *store.Tx, other registry.Key) (int64, error) {
		return registry.AddChild(ctx, tx, who, k, other, t, regNo)
	})
}

// marriageOp is the access rule of a use case on marriage id of county:
// perm, and the region of its first spouse within the actor's scope.
func marriageOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "marriage", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			m, err := tx.MarriageByID(ctx, county, id)
			if err != nil {
				return "", err
			}
			aID, _ := strconv.ParseInt(m.A, 10, 64)
			rec, err := tx.PersonByKey(ctx, "", registry.Key{County: county, ID: aID})
			if err != nil {
				return "", err
			}
			return region.Code(rec.Region), nil
		}}
}

// EndMarriage records the end of marriage id of county, by divorce or
// death, on day to.
func (a *App) EndMarriage(ctx context.Context, who auth.Actor, county string, id int64, to date.Date, reason string) error {
	return a.update(ctx, who, marriageOp("marriage.end", auth.PermRegistryWrite, county, id), func(tx *store.Tx) error {
		return registry.EndMarriage(ctx, tx, who, county, id, to, reason)
	})
}

// EndMarriageOf records the end of marriage id of person k; a marriage
// that is not the person's is refused as invalid input (field
// "marriage").
func (a *App) EndMarriageOf(ctx context.Context, who auth.Actor, k registry.Key, id int64, to date.Date, reason string) error {
	return a.update(ctx, who, personOp("marriage.end", auth.PermRegistryWrite, k), func(tx *store.Tx) error {
		ms, err := tx.PersonMarriages(ctx, k)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ms, func(m store.MarriageRecord) bool { return m.ID == id }) {
			return apperr.Invalidf("marriage", "该人员没有这段婚姻", "the person has no such marriage")
		}
		return registry.EndMarriage(ctx, tx, who, k.County, id, to, reason)
	})
}

// AddDisability records a disability assessment of person k.
func (a *App) AddDisability(ctx context.Context, who auth.Actor, k registry.Key, d registry.Disability, certNo string) (int64, error) {
	return write(a, ctx, who, personOp("disability.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddDisability(ctx, tx, who, k, d, certNo)
	})
}

// AddCertificate records a certificate person k holds.
func (a *App) AddCertificate(ctx context.Context, who auth.Actor, k registry.Key, c registry.Certificate) (int64, error) {
	return write(a, ctx, who, personOp("certificate.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddCertificate(ctx, tx, who, k, c)
	})
}

// CancelCertificate cancels certificate id of person k on day on.
func (a *App) CancelCertificate(ctx context.Context, who auth.Actor, k registry.Key, id int64, on date.Date, reason string) error {
	return a.update(ctx, who, personOp("certificate.cancel", auth.PermRegistryWrite, k), func(tx *store.Tx) error {
		return registry.CancelCertificate(ctx, tx, who, k, id, on, reason)
	})
}

// AddComplication records an assessed surgical complication of person k.
func (a *App) AddComplication(ctx context.Context, who auth.Actor, k registry.Key, c registry.Complication, document string) (int64, error) {
	return write(a, ctx, who, personOp("complication.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddComplication(ctx, tx, who, k, c, document)
	})
}

// AddRetirement records the retirement of person k.
func (a *App) AddRetirement(ctx context.Context, who auth.Actor, k registry.Key, r registry.Retirement) (int64, error) {
	return write(a, ctx, who, personOp("retirement.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddRetirement(ctx, tx, who, k, r)
	})
}

// AddContraception records a contraceptive operation of person k, with
// the document that attests it.
func (a *App) AddContraception(ctx context.Context, who auth.Actor, k registry.Key, c registry.Contraception, document string) (int64, error) {
	return write(a, ctx, who, personOp("contraception.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddContraception(ctx, tx, who, k, c, document)
	})
}

// AddBirthPermission records a permission for a further birth granted to
// person k.
func (a *App) AddBirthPermission(ctx context.Context, who auth.Actor, k registry.Key, p registry.BirthPermission) (int64, error) {
	return write(a, ctx, who, personOp("birth_permission.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddBirthPermission(ctx, tx, who, k, p)
	})
}

// AddPension records person k's enrolment in a pension scheme.
func (a *App) AddPension(ctx context.Context, who auth.Actor, k registry.Key, p registry.Pension) (int64, error) {
	return write(a, ctx, who, personOp("pension.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddPension(ctx, tx, who, k, p)
	})
}

// AddAdmission records person k's admission to higher education.
func (a *App) AddAdmission(ctx context.Context, who auth.Actor, k registry.Key, ad registry.Admission) (int64, error) {
	return write(a, ctx, who, personOp("admission.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (int64, error) {
		return registry.AddAdmission(ctx, tx, who, k, ad)
	})
}

// RuleOnAdoption records the staff's ruling on the de-facto adoption of
// child k (registry.RulingCounted or RulingNotCounted), which settles the
// decisions that needed review because of it.
func (a *App) RuleOnAdoption(ctx context.Context, who auth.Actor, k registry.Key, ruling, reason string) error {
	return a.update(ctx, who, personOp("tie.ruling", auth.PermEligibility, k), func(tx *store.Tx) error {
		return registry.RuleOnAdoption(ctx, tx, who, k, ruling, reason)
	})
}

// MarriageRecord is a marriage as the person's forms list it: its id, the
// spouse's id and the marriage certificate number.
type MarriageRecord = store.MarriageRecord

// CertificateRecord is a certificate as the person's forms list it.
type CertificateRecord = store.CertificateRecord

// OpenMarriage is a marriage that has not ended, with the spouse's name.
type OpenMarriage struct {
	MarriageRecord
	SpouseName string
}

// EventForm is what the forms of a person's life events need: the
// person, the marriages that have not ended (to end one) and the
// certificates not cancelled (to cancel one).
type EventForm struct {
	Person       *registry.Record
	Marriages    []OpenMarriage
	Certificates []CertificateRecord
}

// EventForm returns what the forms of person k's life events show.
func (a *App) EventForm(ctx context.Context, who auth.Actor, k registry.Key) (*EventForm, error) {
	return look(a, ctx, who, personOp("person.event_form", auth.PermRegistryWrite, k), func(tx *store.Tx) (*EventForm, error) {
		rec, err := registry.Get(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		f := &EventForm{Person: rec}
		ms, err := tx.PersonMarriages(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if !m.To.IsZero() {
				continue
			}
			om := OpenMarriage{MarriageRecord: m}
			if p, err := tx.PersonByKey(ctx, "", registry.Key{County: k.County, ID: m.Spouse}); err == nil {
				om.SpouseName = p.Name
			}
			f.Marriages = append(f.Marriages, om)
		}
		cs, err := tx.PersonCertificates(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.Cancelled.IsZero() {
				f.Certificates = append(f.Certificates, c)
			}
		}
		return f, nil
	})
}

// Determination is a decision the last batch evaluation stored.
type Determination = policy.Determination

// Benefits is what the rules in force decide for one person in one year,
// with the clause-by-clause explanation, beside what the last batch
// evaluation stored.
type Benefits struct {
	Version   string
	Decisions []policy.Decision // eligible programs first, then by code
	Stored    []Determination
	// Err says why the rules could not be applied (a fact missing or
	// contradictory): the page shows it instead of decisions.
	Err error
}

// RollEntry is one of a person's rows on the roll with its changes.
type RollEntry struct {
	roll.Recipient
	Changes []roll.Change
}

// PersonOverview is everything the person page shows: the record, the
// family view, this year's decisions, and what the actor's role may read
// besides — the person's rows on the roll (case workers and finance),
// their bank account (finance and readers of payments) and the audit
// entries about them (auditors).
type PersonOverview struct {
	Person   *registry.Record
	Family   *registry.Family
	Year     int
	Names    map[string]string // program names in the page's language
	Benefits Benefits
	Roll     []RollEntry
	Cases    []workflow.Case  // the person's applications (case workers)
	Account  *payment.Account // nil when none is on file or the role does not read payments
	// Lines are the person's payment lines, newest period first —
	// regular, arrears (补发) and corrections, recoveries (追回) among
	// them — for the roles that read payments.
	Lines []payment.Line
	// Tasks are the cross-check tasks on the person (docs/matching.md).
	Tasks []matching.Task
	Audit []audit.Entry
}

// PersonOverview returns the overview of person k, the decisions
// explained in lang ("zh" or "en") by the rules in force.
func (a *App) PersonOverview(ctx context.Context, who auth.Actor, k registry.Key, lang string) (*PersonOverview, error) {
	return look(a, ctx, who, personOp("person.overview", auth.PermRegistryRead, k), func(tx *store.Tx) (*PersonOverview, error) {
		rec, err := registry.Get(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		v := &PersonOverview{Person: rec, Year: date.Today(tx.Now()).Year()}
		if v.Family, err = registry.FamilyView(ctx, tx, who, k); err != nil {
			return nil, err
		}
		if v.Names, err = a.programNames(ctx, tx, lang); err != nil {
			return nil, err
		}
		if v.Benefits, err = a.benefits(ctx, tx, lang, rec, v.Family, v.Year); err != nil {
			return nil, err
		}
		if auth.Can(who, auth.PermCaseRead) || auth.Can(who, auth.PermPaymentRead) {
			if v.Roll, err = personRoll(ctx, tx, k); err != nil {
				return nil, err
			}
		}
		if auth.Can(who, auth.PermCaseRead) {
			if v.Cases, err = tx.CasesOfPerson(ctx, k.County, k.ID); err != nil {
				return nil, err
			}
		}
		if auth.Can(who, auth.PermPaymentRead) {
			acc, err := payment.GetAccount(ctx, tx, who, k)
			switch {
			case err == nil:
				v.Account = acc
			case apperr.KindOf(err) != apperr.NotFound:
				return nil, err
			}
		}
		if auth.Can(who, auth.PermPaymentRead) {
			if v.Lines, err = tx.PaymentLines(ctx, rec.County, payment.LineFilter{PersonID: rec.ID}); err != nil {
				return nil, err
			}
			slices.SortStableFunc(v.Lines, func(a, b payment.Line) int {
				if a.Period != b.Period {
					if b.Period.Before(a.Period) {
						return -1
					}
					return 1
				}
				return a.Revision - b.Revision
			})
		}
		if v.Tasks, _, err = tx.MatchTasks(ctx, who.Scope, rec.County, matching.TaskQuery{PersonID: rec.ID, Limit: 50}); err != nil {
			return nil, err
		}
		if auth.Can(who, auth.PermAuditRead) {
			v.Audit, err = tx.AuditEntries(ctx, who.Scope, store.AuditFilter{County: rec.County, Entity: "person", EntityID: rec.Ref(), Limit: 50})
			if err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// benefits evaluates every program for the person rec in year with the
// rules in force (the cached evaluator), explained in lang.
func (a *App) benefits(ctx context.Context, tx *store.Tx, lang string, rec *registry.Record, fam *registry.Family, year int) (Benefits, error) {
	var b Benefits
	ev, err := a.evaluator(ctx, tx, lang)
	if err != nil {
		return b, err
	}
	if b.Stored, err = tx.Determinations(ctx, rec.County, rec.ID, year); err != nil {
		return b, err
	}
	res, err := ev.Evaluate(&policy.Case{Year: year, Region: rec.County, Family: *fam, Subjects: []string{rec.Ref()}})
	if err != nil {
		// A family the rules cannot read is shown as such, not as a
		// broken page.
		b.Err = err
		return b, nil
	}
	b.Version, b.Decisions = res.Version, res.Decisions
	slices.SortStableFunc(b.Decisions, func(x, y policy.Decision) int {
		if x.Eligible != y.Eligible {
			if x.Eligible {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Program, y.Program)
	})
	return b, nil
}

// personRoll returns the roll rows of person k with their changes.
func personRoll(ctx context.Context, tx *store.Tx, k registry.Key) ([]RollEntry, error) {
	rows, err := tx.RecipientsOf(ctx, k.County, []int64{k.ID})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	changes, err := tx.Changes(ctx, k.County, ids)
	if err != nil {
		return nil, err
	}
	out := make([]RollEntry, len(rows))
	for i, r := range rows {
		out[i] = RollEntry{Recipient: r}
		for _, c := range changes {
			if c.RecipientID == r.ID {
				out[i].Changes = append(out[i].Changes, c)
			}
		}
	}
	return out, nil
}

// SamplePersons returns up to n persons of county that have an ID
// number, spread over the county's id range and chosen with seed: the
// look-ups `jiahe lookup` measures.
func (a *App) SamplePersons(ctx context.Context, who auth.Actor, county region.Code, n int, seed uint64) ([]registry.Record, error) {
	o := op{name: "person.sample", perm: auth.PermRegistryRead, target: Target{Entity: "person", Region: county}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]registry.Record, error) {
		lo, hi, err := tx.PersonIDRange(ctx, string(county))
		if err != nil || hi == 0 {
			return nil, err
		}
		r := rand.New(rand.NewPCG(seed, 0))
		var out []registry.Record
		for range n {
			rec, err := tx.NumberedPersonFrom(ctx, string(county), lo+r.Int64N(hi-lo+1))
			if apperr.KindOf(err) == apperr.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, *rec)
		}
		return out, nil
	})
}
