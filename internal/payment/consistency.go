package payment

import (
	"context"
	"fmt"
	"sort"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
)

// Difference kinds of the 库册一致 report.
const (
	DiffNotPaid   = "not_paid"    // on the roll and due, but no payment line (在册未发)
	DiffNotOnRoll = "not_on_roll" // a payment line, but not on the roll or not due (不在册或不应发)
	DiffAmount    = "amount"      // the lines do not add up to what is due (金额不符)
	DiffHeld      = "held"        // held: a recorded or suspected death waits for verification
	DiffNoAccount = "no_account"  // due and pending, but the person has no account
)

// Difference is one disagreement between the payment roll and the
// recipient roll.
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
// the payment roll of the cycle's period against the approved recipient
// roll and the determinations.
type Consistency struct {
	Cycle       *Cycle       `json:"cycle"`
	OnRoll      int          `json:"on_roll"`     // recipients due something for the period
	DueTotal    money.Fen    `json:"due_fen"`     // what they are due
	PaidLines   int          `json:"paid_lines"`  // persons with a payment line for the period
	LinesTotal  money.Fen    `json:"lines_fen"`   // what the lines add up to
	Consistent  bool         `json:"consistent"`  // no not_paid, not_on_roll or amount difference
	Differences []Difference `json:"differences"` // ordered by region, person, kind
}

// CheckConsistency compares the payment roll of a cycle's period with the
// recipient roll as it stands now.
func CheckConsistency(ctx context.Context, s Store, a auth.Actor, county string, cycleID int64) (*Consistency, error) {
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
	roll, err := s.PaymentRoll(ctx, county, c.Program)
	if err != nil {
		return nil, err
	}
	ents, err := s.PaymentEntitlements(ctx, county, c.Program, c.Period.Year(), c.Period.Year())
	if err != nil {
		return nil, err
	}
	lines, err := s.PaymentLines(ctx, county, LineFilter{Program: c.Program, Periods: []string{c.Period.String()}})
	if err != nil {
		return nil, err
	}
	var persons []int64
	for _, l := range lines {
		persons = append(persons, l.PersonID)
	}
	accounts, err := s.BankAccounts(ctx, county, persons)
	if err != nil {
		return nil, err
	}
	states, err := s.PaymentPersonStates(ctx, county, persons)
	if err != nil {
		return nil, err
	}
	return compare(c, prm, roll, ents, lines, accounts, states), nil
}

func compare(c *Cycle, prm Params, roll []Recipient, ents []Entitlement, lines []Line, accounts map[int64]Account, states map[int64]PersonState) *Consistency {
	rep := &Consistency{Cycle: c, Differences: []Difference{}}
	entOf := map[int64]*Entitlement{}
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
	for _, r := range roll {
		d := DueFor(r, entOf[r.PersonID], c.Period, prm)
		onRoll[r.PersonID] = true
		ls := linesOf[r.PersonID]
		paid, pending, held := sumLines(ls)
		if d.Amount() > 0 {
			rep.OnRoll++
			rep.DueTotal += d.Amount()
		}
		switch {
		case d.Amount() > 0 && len(ls) == 0:
			diff(DiffNotPaid, r.PersonID, r.Name, r.Region, d.Amount(), 0, fmt.Sprintf("在册应发 %s 元，发放名册无明细", d.Amount()))
		case d.Amount() <= 0 && paid > 0:
			diff(DiffNotOnRoll, r.PersonID, r.Name, r.Region, 0, paid, "发放名册有明细，但"+d.Why)
		case paid != d.Amount() && len(ls) > 0:
			diff(DiffAmount, r.PersonID, r.Name, r.Region, d.Amount(), paid, fmt.Sprintf("应发 %s 元，明细合计 %s 元", d.Amount(), paid))
		}
		if held != nil {
			diff(DiffHeld, r.PersonID, r.Name, r.Region, d.Amount(), paid, held.HoldReason)
		}
		if _, ok := accounts[r.PersonID]; !ok && pending {
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
	order := map[string]int{DiffNotPaid: 0, DiffNotOnRoll: 1, DiffAmount: 2, DiffHeld: 3, DiffNoAccount: 4}
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
		if d.Kind == DiffNotPaid || d.Kind == DiffNotOnRoll || d.Kind == DiffAmount {
			rep.Consistent = false
		}
	}
	return rep
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
