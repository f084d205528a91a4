package payment

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
)

// OneOffRequest asks for the cycle of a one-off payment to a list decided
// outside the rules (a committee's approved list): the program, the
// period, and the amount due to each person, paid by the county.
type OneOffRequest struct {
	County  string
	Program string
	Period  string
	Lines   []OneOffLine
	// Source names the decision the lines rest on, for each line's note
	// and the audit trail (the list and its approval).
	Source string
}

// OneOffLine is a person's amount of a one-off payment.
type OneOffLine struct {
	PersonID int64
	Region   string
	Amount   money.Fen
}

// OneOffCycle makes the cycle of a one-off payment: one regular line per
// person, the county's money, held like any line when the person's death
// is recorded or suspected. There is one cycle per county, program and
// period. It needs payment.manage; the batches, the bank files, the
// reconciliation and the ledger then take the lines like any others.
func OneOffCycle(ctx context.Context, s Store, a auth.Actor, req OneOffRequest) (*Cycle, []Line, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, nil, err
	}
	county, err := parseCounty(a, req.County)
	if err != nil {
		return nil, nil, err
	}
	if !programRE.MatchString(req.Program) {
		return nil, nil, apperr.Invalidf("program", "项目代码 %q 无效", "invalid program code %q", req.Program)
	}
	p, err := ParsePeriod(req.Period)
	if err != nil {
		return nil, nil, err
	}
	if len(req.Lines) == 0 {
		return nil, nil, apperr.Invalidf("lines", "名单为空", "the list is empty")
	}
	cycles, err := s.PaymentCycles(ctx, county, CycleFilter{Program: req.Program})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cycles {
		if c.Period.Overlaps(p) {
			return nil, nil, apperr.Conflictf("%s %s 已生成发放周期（编号 %d）", "a payment cycle for %s %s already exists (id %d)", req.Program, p, c.ID)
		}
	}
	persons := make([]int64, 0, len(req.Lines))
	for _, l := range req.Lines {
		if l.Amount <= 0 {
			return nil, nil, apperr.Invalidf("amount", "金额应大于零", "the amount must be above zero")
		}
		persons = append(persons, l.PersonID)
	}
	states, err := s.PaymentPersonStates(ctx, county, persons)
	if err != nil {
		return nil, nil, err
	}
	lines := make([]Line, 0, len(req.Lines))
	for _, l := range req.Lines {
		var split Split
		split[3] = l.Amount // the county pays
		ln := Line{County: county, PersonID: l.PersonID, Program: req.Program, Period: p, Kind: Regular, Region: l.Region,
			Amount: l.Amount, Split: split, Note: req.Source, Status: Pending}
		if h := states[l.PersonID].holdReason(); h != "" {
			ln.Status, ln.HoldReason = Held, h
		}
		lines = append(lines, ln)
	}
	id, err := s.NextIDs(ctx, "payment_cycle", 1)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	c := &Cycle{County: county, ID: id, Program: req.Program, Period: p, CreatedBy: a.UserID, CreatedByName: actorName(a), CreatedAt: now}
	if err := s.InsertPaymentCycle(ctx, c); err != nil {
		return nil, nil, err
	}
	counts, err := insertLines(ctx, s, c, lines, now)
	if err != nil {
		return nil, nil, err
	}
	return c, lines, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username,
		Action: "payment.cycle.create", Entity: "payment_cycle", EntityID: strconv.FormatInt(id, 10), Region: county,
		After: audit.JSON(map[string]any{"program": c.Program, "period": c.Period.String(), "lines": c.Lines,
			"total_fen": c.Total, "by_kind_status": counts, "source": req.Source})})
}
