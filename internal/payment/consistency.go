package payment

import (
	"context"
	"fmt"
	"sort"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Difference kinds of the 库册一致 report.
const (
	DiffNotPaid     = "not_paid"     // on the roll and due, but no payment line: supplement the cycle
	DiffNotEligible = "not_eligible" // active on the roll, but the rules in force find the person not eligible
	DiffNotOnRoll   = "not_on_roll"  // a payment line, but not on the roll or not due
	DiffAmount      = "amount"       // the lines do not add up to what is due
	DiffNotDue      = "not_due"      // on the roll without a line, and rightly so: exited, suspended, not due in the period
	DiffHeld        = "held"         // held: a recorded or suspected death waits for verification
	DiffNoAccount   = "no_account"   // due, but the person has no account
)

// DiffNames names the difference kinds, in the order the report shows
// them.
var DiffNames = term.List{
	{Code: DiffNotPaid, ZH: "在册未发", EN: "On the roll, not paid"},
	{Code: DiffNotEligible, ZH: "在册不符合条件", EN: "On the roll, not eligible"},
	{Code: DiffNotOnRoll, ZH: "不在册或不应发", EN: "Not on the roll"},
	{Code: DiffAmount, ZH: "金额不符", EN: "Amount differs"},
	{Code: DiffNotDue, ZH: "在册本期不发", EN: "On the roll, not due"},
	{Code: DiffHeld, ZH: Held.Chinese(), EN: StatusNames.Name(string(Held), "en")},
	{Code: DiffNoAccount, ZH: "没有账户", EN: "No account"},
}

// DiffKinds lists the difference kinds in the order of DiffNames.
var DiffKinds = DiffNames.Codes()

// breaks reports whether a difference of kind k means the rolls disagree.
func breaks(k string) bool {
	return k == DiffNotPaid || k == DiffNotEligible || k == DiffNotOnRoll || k == DiffAmount
}

// Difference is one disagreement between the payment roll and the
// recipient roll, or one roll entry without a payment line and why.
type Difference struct {
	Kind     string    `json:"kind"`
	PersonID int64     `json:"person_id"`
	Name     string    `json:"name"`
	Region   string    `json:"region"`
	Due      money.Fen `json:"due_fen"`
	Paid     money.Fen `json:"paid_fen"` // the lines of the period (all revisions, cancelled ones aside)
	Detail   string    `json:"detail"`
}

// Consistency is the "库册一致" report of one cycle (rules.md §3.4 point 5):
// the payment roll of the cycle's period against the recipient roll, with
// what each person is due as the rules in force decide now.
type Consistency struct {
	Cycle      *Cycle    `json:"cycle"`
	OnRoll     int       `json:"on_roll"`    // recipients due something for the period
	DueTotal   money.Fen `json:"due_fen"`    // what they are due
	PaidLines  int       `json:"paid_lines"` // persons with a payment line for the period
	LinesTotal money.Fen `json:"lines_fen"`  // what the lines add up to
	// NoLine counts the roll entries of the program without a line for
	// the period; each is a difference that says why.
	NoLine int `json:"no_line"`
	// Consistent is set when there is no not_paid, not_eligible,
	// not_on_roll or amount difference: every roll entry without a line is
	// one the roll itself no longer pays, or one not due in the period.
	Consistent  bool         `json:"consistent"`
	Differences []Difference `json:"differences"` // ordered by region, person, kind
}

// CheckConsistency compares the payment roll of a cycle's period with the
// recipient roll as it stands now, deciding what each person on it is due
// with the rules in force (as).
func CheckConsistency(ctx context.Context, s Store, as Assessor, a auth.Actor, county string, cycleID int64) (*Consistency, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	c, err := s.PaymentCycle(ctx, county, cycleID)
	if err != nil {
		return nil, err
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return nil, err
	}
	recipients, err := s.PaymentRoll(ctx, county, c.Program)
	if err != nil {
		return nil, err
	}
	decided, err := assess(ctx, as, county, c.Program, recipients, []int{c.Period.Year()})
	if err != nil {
		return nil, err
	}
	lines, err := s.PaymentLines(ctx, county, LineFilter{Program: c.Program, Periods: []string{c.Period.String()}})
	if err != nil {
		return nil, err
	}
	persons := make([]int64, 0, len(lines)+len(recipients))
	for _, l := range lines {
		persons = append(persons, l.PersonID)
	}
	for _, r := range recipients {
		persons = append(persons, r.PersonID)
	}
	keys := make([]PayeeKey, len(persons))
	for i, id := range persons {
		keys[i] = PayeeKey{id, c.Program}
	}
	paid, _, err := paidInto(ctx, s, county, keys)
	if err != nil {
		return nil, err
	}
	accounts := accountsByPerson(paid)
	states, err := s.PaymentPersonStates(ctx, county, persons)
	if err != nil {
		return nil, err
	}
	return compare(c, prm, recipients, decided, lines, accounts, states), nil
}

func compare(c *Cycle, prm Params, recipients []Recipient, decided assessed, lines []Line, accounts map[int64]Account, states map[int64]PersonState) *Consistency {
	rep := &Consistency{Cycle: c, Differences: []Difference{}}
	year := c.Period.Year()
	entOf := map[int64]*Entitlement{}
	ents := decided.entitlements()
	for i := range ents {
		entOf[ents[i].PersonID] = &ents[i]
	}
	linesOf := map[int64][]Line{}
	for _, l := range lines {
		linesOf[l.PersonID] = append(linesOf[l.PersonID], l)
	}
	onRoll := map[int64]bool{}
	diff := func(kind string, personID int64, name, region string, due, paid money.Fen, detail string) {
		rep.Differences = append(rep.Differences, Difference{Kind: kind, PersonID: personID, Name: name, Region: region,
			Due: due, Paid: paid, Detail: detail})
	}
	for _, r := range recipients {
		d := DueFor(r, entOf[r.PersonID], c.Period, prm)
		onRoll[r.PersonID] = true
		ls := linesOf[r.PersonID]
		paid, pending, held := sumLines(ls)
		_, hasAccount := accounts[r.PersonID]
		if d.Amount() > 0 {
			rep.OnRoll++
			rep.DueTotal += d.Amount()
		}
		// Nothing due for want of an eligible decision: the engine says why.
		why, refused := d.Why, false
		if d.Amount() <= 0 && entOf[r.PersonID] == nil && r.Status != roll.StatusSuspended && year >= r.Confirmed.Year()-prm.BackPayYears {
			why, refused = decided.why(r.PersonID, year), true
		}
		switch {
		case len(ls) == 0:
			rep.NoLine++
			kind, detail := noLine(r, d, why, refused, c.Period, hasAccount)
			diff(kind, r.PersonID, r.Name, r.Region, d.Amount(), 0, detail)
		case d.Amount() <= 0 && paid > 0:
			diff(DiffNotOnRoll, r.PersonID, r.Name, r.Region, 0, paid, "发放名册有明细，但"+why)
		case paid != d.Amount():
			diff(DiffAmount, r.PersonID, r.Name, r.Region, d.Amount(), paid, fmt.Sprintf("应发 %s 元，明细合计 %s 元", d.Amount(), paid))
		}
		if held != nil {
			diff(DiffHeld, r.PersonID, r.Name, r.Region, d.Amount(), paid, held.HoldReason)
		}
		if !hasAccount && pending {
			diff(DiffNoAccount, r.PersonID, r.Name, r.Region, d.Amount(), paid, "待发明细无发放账户（一卡通）")
		}
	}
	seen := map[int64]bool{}
	for _, l := range lines {
		if seen[l.PersonID] {
			continue
		}
		seen[l.PersonID] = true
		paid, _, _ := sumLines(linesOf[l.PersonID])
		if paid != 0 || hasLive(linesOf[l.PersonID]) {
			rep.PaidLines++
			rep.LinesTotal += paid
		}
		if !onRoll[l.PersonID] {
			diff(DiffNotOnRoll, l.PersonID, states[l.PersonID].Name, l.Region, 0, paid, "发放名册有明细，但扶助对象名册中没有此人")
		}
	}
	order := map[string]int{}
	for i, k := range DiffKinds {
		order[k] = i
	}
	sort.SliceStable(rep.Differences, func(i, j int) bool {
		a, b := rep.Differences[i], rep.Differences[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.PersonID != b.PersonID {
			return a.PersonID < b.PersonID
		}
		return order[a.Kind] < order[b.Kind]
	})
	rep.Consistent = true
	for _, d := range rep.Differences {
		if breaks(d.Kind) {
			rep.Consistent = false
		}
	}
	return rep
}

// noLine says why roll entry r has no line for period p, given what is due
// (d), why nothing is (why) and whether that is the engine's refusal: a
// kind and a detail for staff.
func noLine(r Recipient, d Due, why string, refused bool, p Period, hasAccount bool) (string, string) {
	a, _ := p.Months()
	switch {
	case d.Amount() > 0:
		detail := fmt.Sprintf("在册应发 %s 元，发放名册无明细：尚未纳入本周期（如为周期生成后新纳入名册），请补充生成", d.Amount())
		if !hasAccount {
			detail += "；另须登记发放账户（一卡通）"
		}
		return DiffNotPaid, detail
	case r.Status == roll.StatusSuspended:
		return DiffNotDue, "名册中暂停发放"
	case r.Status == roll.StatusExited && r.LastMonth >= 0 && r.LastMonth < a:
		return DiffNotDue, fmt.Sprintf("已退出名册（计发至 %s），本期不应发", monthName(r.LastMonth))
	case r.Status == roll.StatusExited && r.LastMonth < 0 && !r.ExitDate.IsZero() && r.ExitDate.MonthIndex() < a:
		return DiffNotDue, fmt.Sprintf("已于 %s 退出名册，本期不应发", r.ExitDate)
	case r.Status == roll.StatusActive && refused:
		return DiffNotEligible, "在册但" + why + "；请核实后办理年审或退出"
	}
	return DiffNotDue, why
}

// sumLines returns what the lines of one person and period add up to
// (cancelled lines aside), whether one is pending, and a held line.
func sumLines(ls []Line) (paid money.Fen, pending bool, held *Line) {
	for i, l := range ls {
		if l.Status == Cancelled {
			continue
		}
		paid += l.Amount
		pending = pending || l.Status == Pending
		if l.Status == Held {
			held = &ls[i]
		}
	}
	return paid, pending, held
}

func hasLive(ls []Line) bool {
	for _, l := range ls {
		if l.Status != Cancelled {
			return true
		}
	}
	return false
}
