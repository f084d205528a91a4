package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen portal's use cases (docs/births.md, "The citizen portal"):
// a citizen reads their family as the registry has it and reports an
// error in it, which becomes a task of their village; asks whether they
// may qualify for each program, explained clause by clause; sees the
// childcare subsidy of each of their children under three; follows their
// payments and prints their letters; and uploads photos of documents with
// an application. Every one reads the citizen's own record only.

// ownFamily returns the family of the signed-in citizen's own person.
func ownFamily(ctx context.Context, tx *store.Tx, who auth.Actor) (*registry.Record, *registry.Family, error) {
	if who.PersonID == 0 || who.PersonCounty == "" {
		return nil, nil, notLinked()
	}
	rec, err := tx.PersonByKey(ctx, "", registry.Key{County: who.PersonCounty, ID: who.PersonID})
	if err != nil {
		return nil, nil, err
	}
	fs, err := tx.Families(ctx, rec.County, []int64{rec.ID})
	if err != nil {
		return nil, nil, err
	}
	f := fs.Family(rec.ID)
	if f == nil {
		f = &registry.Family{}
	}
	return rec, f, nil
}

// ownChildren are the refs of the citizen's children (birth, adoption,
// step) in f.
func ownChildren(f *registry.Family, me string) []string {
	var out []string
	for _, t := range f.Children {
		if t.Parent == me && !slices.Contains(out, t.Child) {
			out = append(out, t.Child)
		}
	}
	return out
}

// SelfFamily is what a citizen sees of their family: the registry's
// family of their own person and the errors they reported.
type SelfFamily struct {
	Me      *registry.Record
	Family  *registry.Family
	Reports []portal.Report
}

// SelfFamily returns the signed-in citizen's family as the registry has
// it, with the reports of errors they made.
func (a *App) SelfFamily(ctx context.Context, who auth.Actor) (*SelfFamily, error) {
	o := op{name: "self.family", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (*SelfFamily, error) {
		rec, f, err := ownFamily(ctx, tx, who)
		if err != nil {
			return nil, err
		}
		rs, err := portal.Reports(ctx, tx, who, rec.County, "")
		return &SelfFamily{Me: rec, Family: f, Reports: rs}, err
	})
}

// ReportFamilyError records a citizen's report of an error in their
// family's record, a task for their village's specialist.
func (a *App) ReportFamilyError(ctx context.Context, who auth.Actor, text, phone string) (*portal.Report, error) {
	o := op{name: "family_report.file", perm: auth.PermSelfService, target: selfTarget(who)}
	return write(a, ctx, who, o, func(tx *store.Tx) (*portal.Report, error) {
		return portal.FileReport(ctx, tx, who, text, phone)
	})
}

// FamilyReports lists the citizens' reports of county within the actor's
// scope with status ("" any), oldest first: the village's tasks.
func (a *App) FamilyReports(ctx context.Context, who auth.Actor, county, status string) ([]portal.Report, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "family_report.list", perm: auth.PermRegistryRead, target: Target{Entity: "family_report"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]portal.Report, error) {
		return portal.Reports(ctx, tx, who, county, status)
	})
}

// ResolveFamilyReport records that report id of county is checked and
// dealt with (the registry corrected, or the citizen told why not).
func (a *App) ResolveFamilyReport(ctx context.Context, who auth.Actor, county string, id int64, version int, note string) (*portal.Report, error) {
	o := op{name: "family_report.resolve", perm: auth.PermRegistryWrite,
		target: Target{Entity: "family_report", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			r, err := tx.Report(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(r.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*portal.Report, error) {
		return portal.Resolve(ctx, tx, who, county, id, version, note)
	})
}

// SelfQualify is the answer to "may I qualify?": every program decided
// for the citizen by the rules in force this year, explained clause by
// clause, and the childcare subsidy of each child of theirs under three.
type SelfQualify struct {
	Year     int
	Benefits Benefits
	Names    map[string]string
	Children []ChildSubsidy
}

// ChildSubsidy is the childcare subsidy of one child: what the rules
// decide of this year, and the claims made for the child.
type ChildSubsidy struct {
	Child    registry.Person
	Decision *birth.ClaimDecision
	Err      error
	Claims   []birth.Claim
}

// SelfQualify decides every program for the signed-in citizen this year,
// explained in lang, and the subsidy of their children under three.
func (a *App) SelfQualify(ctx context.Context, who auth.Actor, lang string) (*SelfQualify, error) {
	o := op{name: "self.qualify", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (*SelfQualify, error) {
		rec, f, err := ownFamily(ctx, tx, who)
		if err != nil {
			return nil, err
		}
		today := date.Today(tx.Now())
		v := &SelfQualify{Year: today.Year()}
		if v.Names, err = a.programNames(ctx, tx, lang); err != nil {
			return nil, err
		}
		if v.Benefits, err = a.benefits(ctx, tx, lang, rec, f, v.Year); err != nil {
			return nil, err
		}
		eng, err := a.evaluator(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		for _, ref := range ownChildren(f, rec.Ref()) {
			p := f.Person(ref)
			if p == nil || p.Birth.IsZero() || !p.Birth.AddMonths(36).After(today) {
				continue
			}
			id, _ := strconv.ParseInt(ref, 10, 64)
			cs := ChildSubsidy{Child: *p}
			cs.Decision, cs.Err = birth.Decide(ctx, tx, eng, rec.County, id, v.Year)
			if cs.Claims, err = tx.ClaimsOfChild(ctx, rec.County, id); err != nil {
				return nil, err
			}
			v.Children = append(v.Children, cs)
		}
		return v, nil
	})
}

// SelfPayments is what the citizen has been paid: the payment lines of
// their own person and of their children (the childcare subsidy is paid
// on the child), newest year first, with the names of the persons.
type SelfPayments struct {
	Years []PaymentYear
	Names map[int64]string
}

// PaymentYear is one year's lines and their sum.
type PaymentYear struct {
	Year  int
	Lines []payment.Line
	Total int64 // fen of the lines paid
}

// SelfPayments returns the payments of the signed-in citizen and of their
// children, by year.
func (a *App) SelfPayments(ctx context.Context, who auth.Actor) (*SelfPayments, error) {
	o := op{name: "self.payments", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (*SelfPayments, error) {
		rec, f, err := ownFamily(ctx, tx, who)
		if err != nil {
			return nil, err
		}
		v := &SelfPayments{Names: map[int64]string{rec.ID: rec.Name}}
		ids := []int64{rec.ID}
		for _, ref := range ownChildren(f, rec.Ref()) {
			id, err := strconv.ParseInt(ref, 10, 64)
			if err != nil {
				continue
			}
			ids = append(ids, id)
			if p := f.Person(ref); p != nil {
				v.Names[id] = p.Name
			}
		}
		byYear := map[int]*PaymentYear{}
		for _, id := range ids {
			lines, err := tx.PaymentLines(ctx, rec.County, payment.LineFilter{PersonID: id})
			if err != nil {
				return nil, err
			}
			for _, l := range lines {
				y := l.Period.Year()
				py := byYear[y]
				if py == nil {
					py = &PaymentYear{Year: y}
					byYear[y] = py
				}
				py.Lines = append(py.Lines, l)
				if l.Status == payment.Paid {
					py.Total += int64(l.Amount)
				}
			}
		}
		for _, py := range byYear {
			v.Years = append(v.Years, *py)
		}
		slices.SortFunc(v.Years, func(x, y PaymentYear) int { return y.Year - x.Year })
		return v, nil
	})
}

// SelfLetter returns the notification letter of cycle id of county for
// person, who must be the signed-in citizen or a child of theirs.
func (a *App) SelfLetter(ctx context.Context, who auth.Actor, county string, id, person int64) (*payment.LetterData, error) {
	o := op{name: "self.letter", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.LetterData, error) {
		rec, f, err := ownFamily(ctx, tx, who)
		if err != nil {
			return nil, err
		}
		ref := strconv.FormatInt(person, 10)
		if county != rec.County || (person != rec.ID && !slices.Contains(ownChildren(f, rec.Ref()), ref)) {
			return nil, outOfScope("payment_cycle")
		}
		// The citizen's own letter is read on their behalf: the check
		// above is the citizen's access rule.
		return payment.LetterContent(ctx, tx, auth.System, a.tree(), county, id, person)
	})
}

// documentOp is the access rule of documents stored with entity id of
// county: that of the entity itself (a registration, a claim, a case) for
// a write (write) or a read.
func documentOp(who auth.Actor, entity, county string, id int64, write bool) (op, error) {
	switch entity {
	case portal.EntityRegistration:
		if write {
			return registrationOp("document.upload", auth.PermRegistryWrite, auth.PermSelfApply, who, birth.Key{County: county, ID: id}), nil
		}
		return registrationOp("document.read", auth.PermRegistryRead, auth.PermSelfService, who, birth.Key{County: county, ID: id}), nil
	case portal.EntityCase:
		perm, citizen := auth.PermCaseRead, auth.PermSelfService
		if write {
			perm, citizen = auth.PermCaseApply, auth.PermSelfApply
		}
		o := caseOp("document.upload", perm, CaseKey{County: county, ID: id})
		if !write {
			o.name = "document.read"
		}
		if who.Role == auth.RoleCitizen {
			o.perm = citizen
			o.locate = citizenLocate(who, "case", func(ctx context.Context, tx *store.Tx) (bool, error) {
				c, err := tx.Case(ctx, "", county, id)
				if err != nil {
					return false, err
				}
				return who.PersonCounty == c.County && who.PersonID == c.PersonID, nil
			})
		}
		return o, nil
	case portal.EntityClaim:
		if write {
			return claimOp("document.upload", auth.PermCaseApply, auth.PermSelfApply, who, county, id), nil
		}
		return claimOp("document.read", auth.PermCaseRead, auth.PermSelfService, who, county, id), nil
	}
	return op{}, invalidEntity()
}

// AttachDocument stores a photo or scan of a document (name, data as
// uploaded) with the case, registration or claim id of county.
func (a *App) AttachDocument(ctx context.Context, who auth.Actor, entity, county string, id int64, name string, data []byte) (*portal.Document, error) {
	o, err := documentOp(who, entity, county, id, true)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*portal.Document, error) {
		reg, err := o.locate(ctx, tx)
		if err != nil {
			return nil, err
		}
		if who.Role == auth.RoleCitizen {
			reg = region.Code(who.Scope)
		}
		return portal.Attach(ctx, tx, a.blobs(tx), who, entity, county, id, string(reg), name, data)
	})
}

// Documents lists the documents stored with the registration or claim id
// of county, without their data.
func (a *App) Documents(ctx context.Context, who auth.Actor, entity, county string, id int64) ([]portal.Document, error) {
	o, err := documentOp(who, entity, county, id, false)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]portal.Document, error) {
		return tx.Documents(ctx, county, entity, id)
	})
}

// Document returns document doc stored with the registration or claim id
// of county, with its data.
func (a *App) Document(ctx context.Context, who auth.Actor, entity, county string, id, doc int64) (*portal.Document, error) {
	o, err := documentOp(who, entity, county, id, false)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*portal.Document, error) {
		d, err := tx.Document(ctx, county, doc)
		if err != nil {
			return nil, err
		}
		if d.Entity != entity || d.EntityID != id {
			return nil, portalNotFound()
		}
		if d.Storage == portal.StorageInline {
			return d, nil
		}
		b, err := a.blobsOf(tx)(d.Storage)
		if err != nil {
			return nil, err
		}
		if d.Data, err = b.Get(ctx, county, d.BlobID, d.SHA256); err != nil {
			return nil, err
		}
		if attach.Sum(d.Data) != d.SHA256 {
			return nil, fmt.Errorf("document %s/%d: the stored bytes do not match the recorded digest", county, doc)
		}
		return d, nil
	})
}

func notLinked() error {
	return apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
}

func invalidEntity() error {
	return apperr.Invalidf("entity", "不能为此上传材料", "documents cannot be stored with this")
}

func portalNotFound() error {
	return apperr.NotFoundf("未找到该材料", "no such document")
}

// CheckAttach checks, before a door reads an upload, that who may store a
// document with the case, registration or claim id of county: a refusal
// is audited before any byte of the file is read. AttachDocument checks
// again when it stores it.
func (a *App) CheckAttach(ctx context.Context, who auth.Actor, entity, county string, id int64) error {
	o, err := documentOp(who, entity, county, id, true)
	if err != nil {
		return err
	}
	return a.view(ctx, who, o, func(*store.Tx) error { return nil })
}

// SelfStep is a step of a citizen's case as the citizen sees it: which
// step, by which office (the role), on which day; not the signer's name
// nor the step's details.
type SelfStep struct {
	Step workflow.Step
	Role auth.Role
	On   date.Date
}

// SelfCaseSteps returns the steps of each case of the signed-in citizen,
// by case id, in their order.
func (a *App) SelfCaseSteps(ctx context.Context, who auth.Actor) (map[int64][]SelfStep, error) {
	o := op{name: "self.steps", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (map[int64][]SelfStep, error) {
		if who.PersonID == 0 || who.PersonCounty == "" {
			return nil, notLinked()
		}
		cs, err := tx.CasesOfPerson(ctx, who.PersonCounty, who.PersonID)
		if err != nil {
			return nil, err
		}
		out := map[int64][]SelfStep{}
		for _, c := range cs {
			steps, err := tx.Steps(ctx, c.County, c.ID)
			if err != nil {
				return nil, err
			}
			for _, s := range steps {
				out[c.ID] = append(out[c.ID], SelfStep{Step: s.Step, Role: s.Signature.Role, On: date.Today(s.Signature.At)})
			}
		}
		return out, nil
	})
}
