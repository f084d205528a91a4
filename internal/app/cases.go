package app

import (
	"context"
	"errors"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// The qualification procedure's use cases. The permission an op names is
// the floor (reading cases); the workflow decides which role signs which
// step at which level and refuses the rest, and that refusal is audited
// like any other.

// CaseKey names a case: its county and number.
type CaseKey struct {
	County string
	ID     int64
}

// Ref is the key as a path: county/id.
func (k CaseKey) Ref() string { return k.County + "/" + strconv.FormatInt(k.ID, 10) }

// ParseCounty checks a six-digit county code given by a door (field names
// it in the error).
func ParseCounty(field, s string) (string, error) {
	c, err := region.ParseCode(s)
	if err != nil || c.Level() != region.County {
		return "", apperr.Invalidf(field, "%q 不是县级区划代码", "%q is not a county code", s)
	}
	return string(c), nil
}

// caseOp is the access rule of a use case on case k: perm, and the case's
// region (its village) within the actor's scope.
func caseOp(name string, perm auth.Permission, k CaseKey) op {
	return op{name: name, perm: perm, target: Target{Entity: "case", ID: strconv.FormatInt(k.ID, 10), Region: region.Code(k.County)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			c, err := tx.Case(ctx, "", k.County, k.ID)
			if err != nil {
				return "", err
			}
			return region.Code(c.Region), nil
		}}
}

// write runs fn in one read-write transaction under o and returns its
// result.
func write[T any](a *App, ctx context.Context, who auth.Actor, o op, fn func(tx *store.Tx) (T, error)) (T, error) {
	var out T
	err := a.update(ctx, who, o, func(tx *store.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// look runs fn in one read-only transaction under o and returns its
// result.
func look[T any](a *App, ctx context.Context, who auth.Actor, o op, fn func(tx *store.Tx) (T, error)) (T, error) {
	var out T
	err := a.view(ctx, who, o, func(tx *store.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// Apply takes an application for a person (申报).
func (a *App) Apply(ctx context.Context, who auth.Actor, in workflow.NewApplication) (*workflow.Case, error) {
	county, err := ParseCounty("county", in.County)
	if err != nil {
		return nil, err
	}
	in.County = county
	o := personOp("case.apply", auth.PermCaseApply, registry.Key{County: county, ID: in.PersonID})
	o.target.Entity = "case"
	return write(a, ctx, who, o, func(tx *store.Tx) (*workflow.Case, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return workflow.Apply(ctx, tx, eng, who, in)
	})
}

// ApplyForm is what the application form shows for a person: the person,
// the programs in force in their county this year, and the facts the
// registry holds that the form asks for.
type ApplyForm struct {
	Person   *registry.Record
	Programs []string
	Year     int
	// Known are the declared facts as the registry holds them, and
	// FromRegistry the fields of Known the registry filled (the form
	// marks them so); the applicant corrects what is wrong.
	Known        workflow.Declared
	FromRegistry map[string]bool
}

// ApplyForm returns what the application form of person k needs.
func (a *App) ApplyForm(ctx context.Context, who auth.Actor, k registry.Key) (*ApplyForm, error) {
	return look(a, ctx, who, personOp("case.apply_form", auth.PermCaseApply, k), func(tx *store.Tx) (*ApplyForm, error) {
		rec, err := registry.Get(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		year := date.Today(tx.Now()).Year()
		progs, err := eng.Programs(rec.County, year)
		if err != nil {
			return nil, err
		}
		fam, err := registry.FamilyView(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		known, from := knownFacts(rec, fam)
		return &ApplyForm{Person: rec, Programs: procedurePrograms(progs), Year: year, Known: known, FromRegistry: from}, nil
	})
}

// WorkItem is a case as the worklist shows it, with its applicant.
type WorkItem struct {
	workflow.Case
	Name     string
	IDNumber string
}

// Worklist returns a page of the cases within the actor's scope that q
// selects (by default those waiting for the actor's role), with the total
// when count is set.
func (a *App) Worklist(ctx context.Context, who auth.Actor, q workflow.CaseQuery, count bool) ([]WorkItem, int, error) {
	var items []WorkItem
	var total int
	o := op{name: "case.list", perm: auth.PermCaseRead, target: Target{Entity: "case", Region: region.Code(q.Region)}}
	err := a.view(ctx, who, o, func(tx *store.Tx) error {
		cs, n, err := workflow.WorklistPage(ctx, tx, who, q, count)
		if err != nil {
			return err
		}
		total, items = n, withApplicants(ctx, tx, who, cs)
		return nil
	})
	return items, total, err
}

// Case returns case k with its whole history and, oldest first, its audit
// entries. While the case waits for a review, it carries the engine's
// decision as the rules in force give it now, so that reviewers read it
// before they sign; while it waits for the survey, the officers who may be
// named as investigators.
func (a *App) Case(ctx context.Context, who auth.Actor, k CaseKey) (*workflow.History, error) {
	return look(a, ctx, who, caseOp("case.read", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.History, error) {
		hist, err := workflow.Get(ctx, tx, who, k.County, k.ID)
		if err != nil {
			return nil, err
		}
		entries, err := tx.AuditEntries(ctx, who.Scope, store.AuditFilter{County: k.County, Entity: "case",
			EntityID: strconv.FormatInt(k.ID, 10), Limit: 1000})
		if err != nil {
			return nil, err
		}
		hist.Audit = make([]audit.Entry, 0, len(entries))
		for i := len(entries) - 1; i >= 0; i-- {
			hist.Audit = append(hist.Audit, entries[i])
		}
		switch hist.Case.State {
		case workflow.TownshipReview, workflow.CountyReview:
			eng, err := a.evaluator(ctx, tx, "zh")
			if err != nil {
				return nil, err
			}
			if hist.Preview, err = workflow.Preview(ctx, tx, eng, who, &hist.Case); err != nil {
				return nil, err
			}
		case workflow.Applied:
			if hist.Staff, err = a.investigators(ctx, tx, region.Code(hist.Case.Region)); err != nil {
				return nil, err
			}
		}
		return hist, nil
	})
}

// investigators lists the officers who may survey a case of village code:
// the active village, township and county officers of its divisions.
func (a *App) investigators(ctx context.Context, tx *store.Tx, code region.Code) ([]workflow.StaffRef, error) {
	codes := []region.Code{code}
	for _, d := range a.tree().Ancestors(code) {
		codes = append(codes, d.Code)
	}
	users, err := tx.StaffIn(ctx, codes, []auth.Role{auth.RoleVillage, auth.RoleTownship, auth.RoleCounty})
	if err != nil {
		return nil, err
	}
	out := make([]workflow.StaffRef, 0, len(users))
	for _, u := range users {
		if workflow.Investigates(u, code) {
			out = append(out, workflow.StaffRef{UserID: u.ID, Name: u.Name, Role: u.Role, Region: string(u.Region)})
		}
	}
	return out, nil
}

// Survey records the household survey of case k (入户调查).
func (a *App) Survey(ctx context.Context, who auth.Actor, k CaseKey, in workflow.Survey) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.survey", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.RecordSurvey(ctx, tx, who, k.County, k.ID, in)
	})
}

// VillageReview records the village review of case k (村评议).
func (a *App) VillageReview(ctx context.Context, who auth.Actor, k CaseKey, in workflow.VillageReview) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.village_review", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.RecordVillageReview(ctx, tx, who, k.County, k.ID, in)
	})
}

// OpenNotice posts the next public notice of case k (张榜公示).
func (a *App) OpenNotice(ctx context.Context, who auth.Actor, k CaseKey, in workflow.NoticeInput) (*workflow.Case, *workflow.Notice, error) {
	var n *workflow.Notice
	c, err := write(a, ctx, who, caseOp("case.notice_open", auth.PermCaseRead, k), func(tx *store.Tx) (c *workflow.Case, err error) {
		c, n, err = workflow.OpenNotice(ctx, tx, who, k.County, k.ID, in)
		return c, err
	})
	return c, n, err
}

// CloseNotice ends notice nid of case k once its days have run.
func (a *App) CloseNotice(ctx context.Context, who auth.Actor, k CaseKey, nid int64) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.notice_close", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.CloseNotice(ctx, tx, who, k.County, k.ID, nid)
	})
}

// Object records an objection to notice nid of case k; it suspends the
// case until resolved.
func (a *App) Object(ctx context.Context, who auth.Actor, k CaseKey, nid int64, in workflow.ObjectionInput) (*workflow.Case, *workflow.Objection, error) {
	var o *workflow.Objection
	c, err := write(a, ctx, who, caseOp("case.objection", auth.PermCaseRead, k), func(tx *store.Tx) (c *workflow.Case, err error) {
		c, o, err = workflow.RecordObjection(ctx, tx, who, k.County, k.ID, nid, in)
		return c, err
	})
	return c, o, err
}

// ResolveObjection resolves objection oid of case k.
func (a *App) ResolveObjection(ctx context.Context, who auth.Actor, k CaseKey, oid int64, in workflow.Resolved) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.objection_resolve", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.ResolveObjection(ctx, tx, who, k.County, k.ID, oid, in)
	})
}

// ReviewTownship records the township review of case k (乡审核), against
// the engine's decision as the rules in force give it now.
func (a *App) ReviewTownship(ctx context.Context, who auth.Actor, k CaseKey, d workflow.Decision) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.township_review", auth.PermCaseReview, k), func(tx *store.Tx) (*workflow.Case, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return workflow.ReviewTownship(ctx, tx, eng, who, k.County, k.ID, d)
	})
}

// Approval is the county's decision on a case and, when it enrols the
// applicant, the new roll entry.
type Approval struct {
	Case      *workflow.Case  `json:"case"`
	Recipient *roll.Recipient `json:"recipient,omitempty"`
}

// ApproveCounty records the county approval of case k (县审批); approval
// puts the applicant on the roll.
func (a *App) ApproveCounty(ctx context.Context, who auth.Actor, k CaseKey, d workflow.Decision) (*Approval, error) {
	return write(a, ctx, who, caseOp("case.county_approval", auth.PermCaseApprove, k), func(tx *store.Tx) (*Approval, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		c, err := workflow.ApproveCounty(ctx, tx, eng, who, k.County, k.ID, d)
		if err != nil {
			return nil, err
		}
		out := &Approval{Case: c}
		if c.RecipientID != 0 {
			if out.Recipient, err = tx.Recipient(ctx, "", k.County, c.RecipientID); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// Withdraw withdraws case k at the applicant's request.
func (a *App) Withdraw(ctx context.Context, who auth.Actor, k CaseKey, reason string) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.withdraw", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.Withdraw(ctx, tx, who, k.County, k.ID, reason)
	})
}

// Accept takes in a citizen's own application (case k) at the village.
func (a *App) Accept(ctx context.Context, who auth.Actor, k CaseKey, note string) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.accept", auth.PermCaseApply, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.Accept(ctx, tx, who, k.County, k.ID, note)
	})
}

// Return sends a citizen's own application (case k) back with a reason.
func (a *App) Return(ctx context.Context, who auth.Actor, k CaseKey, reason string) (*workflow.Case, error) {
	return write(a, ctx, who, caseOp("case.return", auth.PermCaseApply, k), func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.Return(ctx, tx, who, k.County, k.ID, reason)
	})
}

// CaseDocument returns the data of a printable document of case k (the
// application form, the survey record, a notice of level).
func (a *App) CaseDocument(ctx context.Context, who auth.Actor, k CaseKey, kind string, level workflow.Level) (any, error) {
	return look(a, ctx, who, caseOp("case.document", auth.PermCaseRead, k), func(tx *store.Tx) (any, error) {
		return workflow.Document(ctx, tx, who, k.County, k.ID, kind, level)
	})
}

// Roll lists the recipient roll within the actor's scope.
func (a *App) Roll(ctx context.Context, who auth.Actor, q roll.Query) ([]roll.Entry, error) {
	// The workflow decides who reads the roll (case workers, and finance).
	o := op{name: "roll.list", target: Target{Entity: "recipient", Region: region.Code(q.Region)}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]roll.Entry, error) {
		return workflow.Roll(ctx, tx, who, q)
	})
}

// AnnualReview runs the annual review (年审) of the roll of a region. The
// workflow admits the township's and the county's staff.
func (a *App) AnnualReview(ctx context.Context, who auth.Actor, code string, year int) (*workflow.AnnualReview, error) {
	o := op{name: "roll.annual_review", perm: auth.PermCaseRead, target: Target{Entity: "annual_review", Region: region.Code(code)}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*workflow.AnnualReview, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return workflow.RunAnnualReview(ctx, tx, eng, who, code, year)
	})
}

// ApplyEvent works out and records what a registry event of person k
// changes on the roll.
func (a *App) ApplyEvent(ctx context.Context, who auth.Actor, k registry.Key, ev workflow.Event) (*workflow.EventResult, error) {
	return write(a, ctx, who, personOp("roll.event", auth.PermCaseRead, k), func(tx *store.Tx) (*workflow.EventResult, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return workflow.ApplyEvent(ctx, tx, eng, who, k, ev)
	})
}

// SelfView is what a citizen sees of themselves: their record and cases,
// and the programs they may apply for this year.
type SelfView struct {
	*workflow.SelfView
	Programs []string
	// Known and FromRegistry are the citizen's declared facts as the
	// registry holds them (ApplyForm).
	Known        workflow.Declared
	FromRegistry map[string]bool
}

// Self returns the signed-in citizen's own record and cases.
func (a *App) Self(ctx context.Context, who auth.Actor) (*SelfView, error) {
	o := op{name: "self.read", perm: auth.PermSelfService, target: selfTarget(who)}
	return look(a, ctx, who, o, func(tx *store.Tx) (*SelfView, error) {
		v, err := workflow.Self(ctx, tx, who)
		if err != nil {
			return nil, err
		}
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		progs, err := eng.Programs(v.County, date.Today(tx.Now()).Year())
		if err != nil {
			return nil, err
		}
		// The citizen's own record, read as the system: the op above
		// allowed the citizen their own person only.
		k := registry.Key{County: who.PersonCounty, ID: who.PersonID}
		rec, err := registry.Get(ctx, tx, auth.System, k)
		if err != nil {
			return nil, err
		}
		fam, err := registry.FamilyView(ctx, tx, auth.System, k)
		if err != nil {
			return nil, err
		}
		known, from := knownFacts(rec, fam)
		return &SelfView{SelfView: v, Programs: procedurePrograms(progs), Known: known, FromRegistry: from}, nil
	})
}

// SelfApply submits a citizen's application for themselves.
func (a *App) SelfApply(ctx context.Context, who auth.Actor, in workflow.CitizenApplication) (*workflow.Case, error) {
	o := op{name: "self.apply", perm: auth.PermSelfApply, target: selfTarget(who)}
	return write(a, ctx, who, o, func(tx *store.Tx) (*workflow.Case, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return workflow.ApplyAsCitizen(ctx, tx, eng, who, in)
	})
}

func selfTarget(who auth.Actor) Target {
	return Target{Entity: "person", ID: who.PersonCounty + "/" + strconv.FormatInt(who.PersonID, 10), Region: who.Scope}
}

// NoticeList returns notice nid of case k and the list posted with it: every
// case whose notice of that level went up in the same place on the same
// day.
func (a *App) NoticeList(ctx context.Context, who auth.Actor, k CaseKey, nid int64) (*workflow.Notice, *documents.NoticeList, error) {
	var n *workflow.Notice
	var list *documents.NoticeList
	err := a.view(ctx, who, caseOp("case.notice_list", auth.PermCaseRead, k), func(tx *store.Tx) error {
		hist, err := workflow.Get(ctx, tx, who, k.County, k.ID)
		if err != nil {
			return err
		}
		for i := range hist.Notices {
			if hist.Notices[i].ID == nid {
				n = &hist.Notices[i]
			}
		}
		if n == nil {
			return apperr.NotFoundf("没有这份公示", "no such notice")
		}
		d, err := workflow.Document(ctx, tx, who, k.County, k.ID, "notice", n.Level)
		if err != nil {
			return err
		}
		var ok bool
		if list, ok = d.(*documents.NoticeList); !ok {
			return errors.New("the notice document is not a notice list")
		}
		return nil
	})
	return n, list, err
}

// Override is a review signed against the policy engine's decision, with
// its case and applicant.
type Override = store.Override

// Overrides lists the reviews within the actor's scope signed against the
// policy engine's decision, newest first: the supervisor's list.
func (a *App) Overrides(ctx context.Context, who auth.Actor, limit int) ([]Override, error) {
	o := op{name: "case.overrides", perm: auth.PermAuditRead, target: Target{Entity: "case", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]store.Override, error) {
		return tx.Overrides(ctx, who.Scope, limit)
	})
}
