package payment

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Recomputed is the outcome of recomputing a person's paid periods.
type Recomputed struct {
	Person registry.Key `json:"person"`
	// Lines are the lines added: corrections (a negative one is money to
	// recover, 追回) and arrears (补发), each with the engine's note.
	Lines []Line `json:"lines"`
	// Recover is the money to recover and Arrears the money still due, in
	// fen.
	Recover money.Fen `json:"recover_fen"`
	Arrears money.Fen `json:"arrears_fen"`
}

// Recompute works out again, as the rules in force and the registry
// decide now, every period already run of every program that has person
// k on its roll, within the look-back years — after a fact with a past
// effective date was recorded (a death, a disability graded last year, a
// hukou change) — and adds to the latest cycle of each program the
// difference: a correction line where a period's lines no longer add up
// to what is due (negative: to recover, never sent to a bank), an arrears
// line where a period was due and not paid. It is exactly what the next
// cycle would add (Plan), done at once, so the next cycle finds nothing
// left to correct. Whoever records eligibility facts, or the finance
// officer, may run it.
func Recompute(ctx context.Context, s Store, as Assessor, a auth.Actor, k registry.Key, reason string) (*Recomputed, error) {
	if !auth.Can(a, auth.PermEligibility) && !auth.Can(a, auth.PermPaymentManage) {
		return nil, auth.Require(a, auth.PermEligibility)
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	prm, err := countyParams(ctx, s, p.County)
	if err != nil {
		return nil, err
	}
	all, err := s.PaymentCycles(ctx, p.County, CycleFilter{})
	if err != nil {
		return nil, err
	}
	byProgram := map[string][]Cycle{}
	var programs []string
	for _, c := range all {
		if _, ok := byProgram[c.Program]; !ok {
			programs = append(programs, c.Program)
		}
		byProgram[c.Program] = append(byProgram[c.Program], c)
	}
	out := &Recomputed{Person: k}
	for _, program := range programs {
		cycles := byProgram[program]
		last := cycles[0]
		for _, c := range cycles {
			if last.Period.Before(c.Period) {
				last = c
			}
		}
		// The periods before the latest are planned as the latest cycle
		// planned them, within its look-back years; the latest period
		// itself as the next cycle will.
		_, end := last.Period.Months()
		next := PeriodOf(last.Period.Kind(), end+1)
		var lines []Line
		for _, at := range []Period{last.Period, next} {
			planned, err := planPeriodOf(ctx, s, as, p.County, program, at, prm, cycles, p.ID)
			if err != nil {
				return nil, err
			}
			for _, l := range planned {
				if at == last.Period && l.Period.Before(at) || at == next && l.Period == last.Period {
					lines = append(lines, l)
				}
			}
		}
		if len(lines) == 0 {
			continue
		}
		c := last
		before := map[string]any{"lines": c.Lines, "total_fen": c.Total}
		counts, err := insertLines(ctx, s, &c, lines, s.Now())
		if err != nil {
			return nil, err
		}
		var rec, arr money.Fen
		for _, l := range lines {
			if l.Status == Recovery {
				rec -= l.Amount
			} else {
				arr += l.Amount
			}
		}
		out.Lines = append(out.Lines, lines...)
		out.Recover += rec
		out.Arrears += arr
		if err := s.Audit(ctx, audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username,
			Action: "payment.recompute", Entity: "payment_cycle", EntityID: strconv.FormatInt(c.ID, 10), Region: p.Region,
			Before: audit.JSON(before),
			After: audit.JSON(map[string]any{"person": p.Ref(), "program": program, "reason": reason, "lines_added": len(lines),
				"recover_fen": rec, "arrears_fen": arr, "by_kind_status": counts, "lines": c.Lines, "total_fen": c.Total})}); err != nil {
			return nil, err
		}
	}
	return out, nil
}
