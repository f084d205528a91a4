package move

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Store is what moves need from storage.
type Store interface {
	roll.Store
	payment.Store

	// Residence returns where person k lives and the county the row moved
	// to ("" while it is the live row).
	Residence(ctx context.Context, k registry.Key) (residence, movedTo string, err error)
	SetResidence(ctx context.Context, k registry.Key, residence string, version int) error

	InsertTransfer(ctx context.Context, t *Transfer) error
	UpdateTransfer(ctx context.Context, t *Transfer) error
	Transfer(ctx context.Context, county string, id int64) (*Transfer, error)

	// CopyPerson writes rec as person to living in division at, with the
	// facts about them, and closes the old row as moved.
	CopyPerson(ctx context.Context, rec *registry.Record, to registry.Key, at string, moved date.Date) error
	CopyDeterminations(ctx context.Context, from, to registry.Key, year int) error
	LastPaidMonth(ctx context.Context, k registry.Key, program string) (int, error)
	CasesOfPerson(ctx context.Context, county string, personID int64) ([]workflow.Case, error)
	CopyCase(ctx context.Context, c workflow.Case, to registry.Key, newID int64, at string) error
	UpdateCase(ctx context.Context, c *workflow.Case) error
	AddStep(ctx context.Context, s *workflow.StepRecord) error
	TiesOf(ctx context.Context, k registry.Key) ([]Tie, error)
	RemoteTies(ctx context.Context, k registry.Key) ([]RemoteTie, error)
	InsertRemoteTie(ctx context.Context, t RemoteTie) error
	// SetCarried records on a roll entry the months of its start year
	// another county paid (payment.Recipient.Carried).
	SetCarried(ctx context.Context, county string, id int64, months int) error
}

// SetResidence records where person k lives: a township or village
// ("" for the hukou's place). The change is audited with before and after.
func SetResidence(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, k registry.Key, r Residence) (*Residence, error) {
	rec, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	r.Region = strings.TrimSpace(r.Region)
	if r.Region == rec.Region {
		r.Region = ""
	}
	if r.Region != "" {
		c, err := region.ParseCode(r.Region)
		if err != nil || c.Level() < region.Township || !known(tree, c) {
			return nil, apperr.Invalidf("residence", "居住地应为区划表中的乡镇（街道）或村（社区）", "the residence must be a township or village of the division table")
		}
	}
	before, movedTo, err := s.Residence(ctx, k)
	if err != nil {
		return nil, err
	}
	if movedTo != "" {
		return nil, apperr.Conflictf("此人已迁出本县，不能修改居住地", "the person has moved to another county")
	}
	if r.Version != rec.Version {
		return nil, apperr.Conflictf("该人员信息已被他人修改，请刷新后重试", "the person was changed by someone else; reload and try again")
	}
	if before == r.Region {
		return &Residence{Region: before, Version: rec.Version}, nil
	}
	if err := s.SetResidence(ctx, k, r.Region, rec.Version+1); err != nil {
		return nil, err
	}
	out := &Residence{Region: r.Region, Version: rec.Version + 1}
	return out, s.Audit(ctx, audit.Entry{County: k.County, UserID: a.UserID, Username: a.Username, Action: "person.residence",
		Entity: "person", EntityID: strconv.FormatInt(k.ID, 10), Region: rec.Region,
		Before: audit.JSON(map[string]any{"residence": before}), After: audit.JSON(map[string]any{"residence": r.Region,
			"migrant": IsMigrant(rec.Region, r.Region)})})
}

// Begin starts the transfer of person in.County/in.PersonID to
// in.ToCounty: one row in each county, audited in each.
func Begin(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, in Start) (*Transfer, error) {
	k := registry.Key{County: in.County, ID: in.PersonID}
	rec, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	if err := in.Check(date.Today(s.Now()), tree); err != nil {
		return nil, err
	}
	if !rec.Death.IsZero() {
		return nil, apperr.Invalidf("person_id", "此人已死亡，不能迁移", "the person has died")
	}
	if _, movedTo, err := s.Residence(ctx, k); err != nil {
		return nil, err
	} else if movedTo != "" {
		return nil, apperr.Conflictf("此人已迁出本县", "the person has already moved away")
	}
	if in.MovedOn.Before(rec.Birth) {
		return nil, apperr.Invalidf("moved_on", "迁移日期早于出生日期", "the move is before the person's birth")
	}
	rs, err := s.RecipientsOf(ctx, k.County, []int64{k.ID})
	if err != nil {
		return nil, err
	}
	var progs []string
	for _, r := range rs {
		if r.Status != roll.StatusExited {
			progs = append(progs, r.Program)
		}
	}
	id, err := s.NextIDs(ctx, "transfer", 1)
	if err != nil {
		return nil, err
	}
	t := Transfer{ID: id, FromCounty: k.County, ToCounty: in.ToCounty, PersonID: k.ID, Name: rec.Name, Sex: rec.Sex,
		Birth: rec.Birth, FromRegion: rec.Region, ToRegion: in.ToRegion, MovedOn: in.MovedOn, Source: in.Source, SourceRef: in.SourceRef,
		Note: in.Note, Programs: strings.Join(progs, ","), State: StateStarted, StartedBy: a.UserID, StartedByName: signer(a),
		StartedAt: s.Now(), Version: 1}
	if rec.IDNumber != "" {
		t.IDMasked = idcard.Number(rec.IDNumber).Masked()
	}
	out, in2 := t, t
	out.County, out.Side = k.County, SideOut
	in2.County, in2.Side = in.ToCounty, SideIn
	for _, x := range []*Transfer{&out, &in2} {
		if err := s.InsertTransfer(ctx, x); err != nil {
			return nil, err
		}
		if err := auditTransfer(ctx, s, a, x, "transfer.start", nil); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// Withdraw withdraws an open transfer on the old county's side.
func Withdraw(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Transfer, error) {
	out, err := s.Transfer(ctx, county, id)
	if err != nil {
		return nil, err
	}
	if out.Side != SideOut {
		return nil, apperr.Invalidf("", "只有迁出地可以撤回迁移", "only the old county withdraws a transfer")
	}
	return closeBoth(ctx, s, a, out, version, func(t *Transfer) { t.State = StateCancelled }, "transfer.withdraw")
}

// Decide records the new county's answer to transfer id: a refusal
// leaves everything in the old county; an acceptance moves the person,
// their roll entries and open cases and the ties that now span the two
// counties (Accept). Answering an accepted transfer again with an
// acceptance changes nothing and returns it.
func Decide(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, county string, id int64, d Decision) (*Transfer, error) {
	in, err := s.Transfer(ctx, county, id)
	if err != nil {
		return nil, err
	}
	if in.Side != SideIn {
		return nil, apperr.Invalidf("", "迁移须由迁入地接收或拒收", "the new county answers a transfer")
	}
	if in.State == StateAccepted && d.Accept {
		return in, nil
	}
	if err := d.Check(county, tree); err != nil {
		return nil, err
	}
	if !d.Accept {
		return closeBoth(ctx, s, a, in, d.Version, func(t *Transfer) {
			t.State, t.RefuseReason = StateRefused, d.Reason
		}, "transfer.refuse")
	}
	if in.State != StateStarted {
		return nil, apperr.New(apperr.Conflict, "该迁移"+States.Chinese(in.State)+"，不能再接收", "the transfer is "+States.Name(in.State, "en"))
	}
	if d.Version != in.Version {
		return nil, apperr.Conflictf("该迁移已被他人办理，请刷新后重试", "the transfer was changed by someone else; reload and try again")
	}
	place := d.ToRegion
	if place == "" {
		place = in.ToRegion
	}
	if place == "" {
		return nil, apperr.Invalidf("to_region", "请选择迁入地（乡镇或村）", "choose the township or village moved to")
	}
	h, newID, err := handOver(ctx, s, a, in, place)
	if err != nil {
		return nil, err
	}
	return closeBoth(ctx, s, a, in, d.Version, func(t *Transfer) {
		t.State, t.ToRegion, t.NewPersonID, t.Handover = StateAccepted, place, newID, h
	}, "transfer.accept")
}

// closeBoth applies fn to both rows of transfer t (open, at version) and
// signs the decision, audited in each county.
func closeBoth(ctx context.Context, s Store, a auth.Actor, t *Transfer, version int, fn func(*Transfer), action string) (*Transfer, error) {
	if t.State != StateStarted {
		return nil, apperr.New(apperr.Conflict, "该迁移"+States.Chinese(t.State)+"，不能再办理", "the transfer is "+States.Name(t.State, "en"))
	}
	if version != t.Version {
		return nil, apperr.Conflictf("该迁移已被他人办理，请刷新后重试", "the transfer was changed by someone else; reload and try again")
	}
	other := t.FromCounty
	if t.County == t.FromCounty {
		other = t.ToCounty
	}
	o, err := s.Transfer(ctx, other, t.ID)
	if err != nil {
		return nil, err
	}
	var mine *Transfer
	for _, x := range []*Transfer{t, o} {
		before := *x
		fn(x)
		x.DecidedBy, x.DecidedByName, x.DecidedAt = a.UserID, signer(a), s.Now()
		x.Version++
		if err := s.UpdateTransfer(ctx, x); err != nil {
			return nil, err
		}
		if err := auditTransfer(ctx, s, a, x, action, &before); err != nil {
			return nil, err
		}
		if x.County == t.County {
			mine = x
		}
	}
	return mine, nil
}

// handOver moves the person of transfer in (the new county's row) to
// division place of the new county: the person and the facts about them,
// the payment account, each roll entry still on the roll (the old county
// paying to the end of the period the move falls in, the new from the
// month after), the year's determinations, each open case with its
// history, and the family ties, which now span the two counties.
func handOver(ctx context.Context, s Store, a auth.Actor, in *Transfer, place string) (*Handover, int64, error) {
	from := registry.Key{County: in.FromCounty, ID: in.PersonID}
	rec, err := s.PersonByKey(ctx, "", from)
	if err != nil {
		return nil, 0, err
	}
	newID, err := s.NextIDs(ctx, "person", 1)
	if err != nil {
		return nil, 0, err
	}
	to := registry.Key{County: in.ToCounty, ID: newID}
	if err := s.CopyPerson(ctx, rec, to, place, in.MovedOn); err != nil {
		return nil, 0, err
	}
	h := &Handover{Entries: []MovedEntry{}, Cases: []MovedCase{}}
	if acc, err := s.BankAccount(ctx, from.County, from.ID); err == nil {
		n := *acc
		n.County, n.PersonID, n.Version, n.UpdatedBy, n.CreatedAt, n.UpdatedAt = to.County, to.ID, 1, a.UserID, s.Now(), s.Now()
		if err := s.SaveBankAccount(ctx, &n); err != nil {
			return nil, 0, err
		}
		h.Account = true
	} else if apperr.KindOf(err) != apperr.NotFound {
		return nil, 0, err
	}
	firstYear, err := moveEntries(ctx, s, a, in, from, to, place, h)
	if err != nil {
		return nil, 0, err
	}
	if firstYear > 0 {
		if err := s.CopyDeterminations(ctx, from, to, firstYear); err != nil {
			return nil, 0, err
		}
	}
	if err := moveCases(ctx, s, a, in, from, to, place, h); err != nil {
		return nil, 0, err
	}
	if h.Ties, err = spanTies(ctx, s, in, from, to); err != nil {
		return nil, 0, err
	}
	for _, side := range []struct {
		k      registry.Key
		region string
		action string
	}{{from, rec.Region, "person.move_out"}, {to, place, "person.move_in"}} {
		if err := s.Audit(ctx, audit.Entry{County: side.k.County, UserID: a.UserID, Username: a.Username, Action: side.action,
			Entity: "person", EntityID: strconv.FormatInt(side.k.ID, 10), Region: side.region,
			After: audit.JSON(map[string]any{"transfer": in.ID, "from": from, "to": to, "moved_on": in.MovedOn, "handover": h})}); err != nil {
			return nil, 0, err
		}
	}
	return h, newID, nil
}

// moveEntries hands over each roll entry of from that is still on the
// roll and returns the first year the new county pays (0 when none).
func moveEntries(ctx context.Context, s Store, a auth.Actor, in *Transfer, from, to registry.Key, place string, h *Handover) (int, error) {
	rs, err := s.RecipientsOf(ctx, from.County, []int64{from.ID})
	if err != nil {
		return 0, err
	}
	oldPrm, err := payment.CountyParams(ctx, s, from.County)
	if err != nil {
		return 0, err
	}
	firstYear := 0
	for i := range rs {
		r := &rs[i]
		if r.Status == roll.StatusExited {
			continue
		}
		paid, err := s.LastPaidMonth(ctx, from, r.Program)
		if err != nil {
			return 0, err
		}
		last := max(Split(oldPrm.PeriodKindOf(r.Program), in.MovedOn, paid), r.StartIndex()-1)
		first := last + 1
		before := *r
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth = roll.StatusExited, roll.ExitMovedOut, in.MovedOn, last
		if err := roll.Save(ctx, s, r); err != nil {
			return 0, err
		}
		why := fmt.Sprintf("迁出至%s（迁移编号 %d），本县计发至%s", in.ToCounty, in.ID, monthText(last))
		if _, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeExit, roll.FirstOfMonth(first), why, in.SourceRef); err != nil {
			return 0, err
		}
		rid, err := s.NextIDs(ctx, "recipient", 1)
		if err != nil {
			return 0, err
		}
		n := before
		n.County, n.ID, n.PersonID, n.Region, n.CaseID = to.County, rid, to.ID, place, 0
		n.StartYear, n.StartMonth = first/12, first%12+1
		n.ExitReason, n.ExitDate, n.LastMonth, n.Version, n.CreatedAt, n.UpdatedAt = "", date.Date{}, 0, 1, s.Now(), s.Now()
		if err := s.InsertRecipient(ctx, &n); err != nil {
			return 0, err
		}
		if first%12 > 0 {
			if err := s.SetCarried(ctx, n.County, n.ID, first%12); err != nil {
				return 0, err
			}
		}
		why = fmt.Sprintf("由%s迁入（迁移编号 %d），本县自%s起计发", in.FromCounty, in.ID, monthText(first))
		if _, err := roll.RecordChange(ctx, s, a, nil, &n, roll.ChangeMovedIn, roll.FirstOfMonth(first), why, in.SourceRef); err != nil {
			return 0, err
		}
		h.Entries = append(h.Entries, MovedEntry{Program: r.Program, OldID: r.ID, NewID: rid, Status: before.Status, OldLast: last, NewFirst: first})
		if firstYear == 0 || first/12 < firstYear {
			firstYear = first / 12
		}
	}
	return firstYear, nil
}

// moveCases hands over each open case of from: copied with its history
// to the new county, withdrawn in the old one with a step that says why.
func moveCases(ctx context.Context, s Store, a auth.Actor, in *Transfer, from, to registry.Key, place string, h *Handover) error {
	cs, err := s.CasesOfPerson(ctx, from.County, from.ID)
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		if c.State.Closed() {
			continue
		}
		id, err := s.NextIDs(ctx, "case", 1)
		if err != nil {
			return err
		}
		if err := s.CopyCase(ctx, *c, to, id, place); err != nil {
			return err
		}
		state := c.State
		c.State, c.Version, c.UpdatedAt = workflow.Withdrawn, c.Version+1, s.Now()
		if err := s.UpdateCase(ctx, c); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"reason": fmt.Sprintf("申请人迁出至%s，案件移交迁入地继续办理（迁移编号 %d）", in.ToCounty, in.ID),
			"transfer": in.ID, "new_county": to.County, "new_case": id})
		if err := s.AddStep(ctx, &workflow.StepRecord{County: c.County, CaseID: c.ID, Step: workflow.StepWithdraw, From: state,
			To: workflow.Withdrawn, Signature: workflow.Signature{UserID: a.UserID, Username: a.Username, Name: signer(a), Role: a.Role, At: s.Now()},
			Detail: detail}); err != nil {
			return err
		}
		for _, side := range []struct {
			county string
			id     int64
			action string
			region string
		}{{c.County, c.ID, "case.move_out", c.Region}, {to.County, id, "case.move_in", place}} {
			if err := s.Audit(ctx, audit.Entry{County: side.county, UserID: a.UserID, Username: a.Username, Action: side.action,
				Entity: "case", EntityID: strconv.FormatInt(side.id, 10), Region: side.region,
				After: audit.JSON(map[string]any{"transfer": in.ID, "old_case": c.ID, "new_case": id, "state": state})}); err != nil {
				return err
			}
		}
		h.Cases = append(h.Cases, MovedCase{Program: c.Program, OldID: c.ID, NewID: id, State: string(state)})
	}
	return nil
}

// spanTies records each family tie of from in both counties as a tie
// between the person now in the new county and the relative left in the
// old one, and carries over the ties from earlier moves.
func spanTies(ctx context.Context, s Store, in *Transfer, from, to registry.Key) (int, error) {
	ties, err := s.TiesOf(ctx, from)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range ties {
		if t.Other == from.ID {
			continue
		}
		mine := RemoteTie{County: to.County, PersonID: to.ID, Kind: t.Kind, TieKind: t.TieKind, OtherCounty: from.County,
			OtherID: t.Other, From: t.From, To: t.To, TransferID: in.ID}
		theirs := RemoteTie{County: from.County, PersonID: t.Other, Kind: inverse(t.Kind), TieKind: t.TieKind, OtherCounty: to.County,
			OtherID: to.ID, From: t.From, To: t.To, TransferID: in.ID}
		for _, x := range []RemoteTie{mine, theirs} {
			if err := s.InsertRemoteTie(ctx, x); err != nil {
				return 0, err
			}
		}
		n++
	}
	earlier, err := s.RemoteTies(ctx, from)
	if err != nil {
		return 0, err
	}
	for _, t := range earlier {
		if t.OtherCounty == to.County {
			continue // the relative lives in the new county: a tie within it again, kept as the old county recorded it
		}
		t.County, t.PersonID, t.TransferID = to.County, to.ID, in.ID
		if err := s.InsertRemoteTie(ctx, t); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

func auditTransfer(ctx context.Context, s Store, a auth.Actor, t *Transfer, action string, before *Transfer) error {
	reg := t.FromRegion
	if t.Side == SideIn {
		reg = t.ToCounty
		if t.ToRegion != "" {
			reg = t.ToRegion
		}
	}
	var b any
	if before != nil {
		b = before
	}
	return s.Audit(ctx, audit.Entry{County: t.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "transfer",
		EntityID: strconv.FormatInt(t.ID, 10), Region: reg, Before: audit.JSON(b), After: audit.JSON(t)})
}

func signer(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// monthText writes month index m as "2024年7月".
func monthText(m int) string { return fmt.Sprintf("%d年%d月", m/12, m%12+1) }
