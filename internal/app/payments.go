package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The payment use cases: cycles, supplementary runs and the 库册一致 check
// (this file); batches, bank files, returns, retries and held lines
// (payments_batches.go); accounts, holds and parameters
// (payments_accounts.go); the ledger and letters (payments_ledger.go).
// Payment entities belong to a county that the caller names, so a county
// outside the actor's scope is refused as Forbidden; the payment package
// checks permission, scope, state and maker–checker again and refuses the
// rest, and every refusal is audited.

// countyOp is the access rule of a use case on a county's payment entity
// (id 0 when the use case has none). A county that is not a county code
// is left to the payment package, which names the field.
func countyOp(name string, perm auth.Permission, entity, county string, id int64) op {
	t := Target{Entity: entity}
	if id != 0 {
		t.ID = strconv.FormatInt(id, 10)
	}
	if c, err := region.ParseCode(county); err == nil && c.Level() == region.County {
		t.Region = c
	}
	return op{name: name, perm: perm, target: t}
}

// LineRow is a payment line with its person's name and ID number.
type LineRow struct {
	payment.Line
	Name     string
	IDNumber string
}

// withPersons adds the name and ID number of each line's person.
func withPersons(ctx context.Context, tx *store.Tx, county string, lines []payment.Line) ([]LineRow, error) {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.PersonID
	}
	states, err := tx.PaymentPersonStates(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]LineRow, len(lines))
	for i, l := range lines {
		p := states[l.PersonID]
		rows[i] = LineRow{Line: l, Name: p.Name, IDNumber: p.IDNumber}
	}
	return rows, nil
}

// GenerateCycle runs a program for a period in a county: every person on
// the program's roll is decided with the rules in force now and paid what
// is due (payment.GenerateCycle). It returns the cycle and its lines.
func (a *App) GenerateCycle(ctx context.Context, who auth.Actor, req payment.CycleRequest) (*payment.Cycle, []payment.Line, error) {
	var lines []payment.Line
	o := countyOp("payment.cycle.create", auth.PermPaymentManage, "payment_cycle", req.County, 0)
	c, err := write(a, ctx, who, o, func(tx *store.Tx) (c *payment.Cycle, err error) {
		as, err := a.assessor(ctx, tx)
		if err != nil {
			return nil, err
		}
		if err := a.notContribution(ctx, tx, req.County, req.Program, req.Period); err != nil {
			return nil, err
		}
		c, lines, err = payment.GenerateCycle(ctx, tx, as, who, req)
		return c, err
	})
	return c, lines, err
}

// contributions returns the programs (code to name) county's rules in
// force in year mark as pension contributions (pension_contribution): the
// county pays their amount to the social-insurance office on the pension
// list (PensionList), never to the person's card.
func (a *App) contributions(ctx context.Context, tx *store.Tx, county string, year int) (map[string]string, error) {
	rs, err := a.rulesInForce(ctx, tx, county, year)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range PensionPrograms(rs) {
		out[p.Code] = p.Name
	}
	return out, nil
}

// notContribution refuses a payment cycle of program for period when the
// county's rules of the period's year mark the program as a pension
// contribution: its money goes to the social-insurance office on the
// pension list, not to the person's bank card. A period or county that
// does not read is left to the cycle's own checks.
func (a *App) notContribution(ctx context.Context, tx *store.Tx, county, program, period string) error {
	p, err := payment.ParsePeriod(period)
	if err != nil || len(county) != 6 {
		return nil
	}
	cs, err := a.contributions(ctx, tx, county, p.Year())
	if err != nil {
		return nil // the cycle's own checks name the problem
	}
	if name, ok := cs[program]; ok {
		return apperr.Invalidf("program", "“%s”是养老保险代缴项目，由县里缴入社保经办机构（见养老保险代缴名单），不发放到个人账户，不生成发放周期",
			"%s is a pension contribution the county pays to the social-insurance office (see the pension list), not to the person's account: it has no payment cycle", name)
	}
	return nil
}

// SupplementCycle tops up cycle id of county with the persons on the roll
// who have no line for its period, enrolled since it was generated or
// left out for another reason (payment.SupplementCycle).
func (a *App) SupplementCycle(ctx context.Context, who auth.Actor, county string, id int64) (*payment.Supplement, error) {
	o := countyOp("payment.cycle.supplement", auth.PermPaymentManage, "payment_cycle", county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Supplement, error) {
		as, err := a.assessor(ctx, tx)
		if err != nil {
			return nil, err
		}
		c, err := tx.PaymentCycle(ctx, county, id)
		if err != nil {
			return nil, err
		}
		if err := a.notContribution(ctx, tx, county, c.Program, c.Period.String()); err != nil {
			return nil, err
		}
		return payment.SupplementCycle(ctx, tx, as, who, county, id)
	})
}

// CycleList is a county's payment cycles with the programs, in the order
// the rules declare them, and their names.
type CycleList struct {
	County   string
	Cycles   []payment.Cycle   // oldest period first
	Programs []string          // the programs' codes
	Names    map[string]string // program names, by code
	// Contributions are the programs this year's rules mark as pension
	// contributions: paid to the social-insurance office on the pension
	// list, they have no payment cycle.
	Contributions []string
}

// Cycles lists the payment cycles of county that f selects, the programs
// named in lang.
func (a *App) Cycles(ctx context.Context, who auth.Actor, county string, f payment.CycleFilter, lang string) (*CycleList, error) {
	o := countyOp("payment.cycle.list", auth.PermPaymentRead, "payment_cycle", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) (*CycleList, error) {
		cs, err := tx.PaymentCycles(ctx, county, f)
		if err != nil {
			return nil, err
		}
		list, err := a.programs(ctx, tx)
		if err != nil {
			return nil, err
		}
		out := &CycleList{County: county, Cycles: cs, Programs: list.Codes(), Names: namesIn(list, lang)}
		if contrib, err := a.contributions(ctx, tx, county, date.Today(tx.Now()).Year()); err == nil {
			for _, p := range out.Programs {
				if _, ok := contrib[p]; ok {
					out.Contributions = append(out.Contributions, p)
				}
			}
		}
		return out, nil
	})
}

// CycleQuery says what of a cycle to read: a page of its lines, and the
// held lines apart when Held is set.
type CycleQuery struct {
	Lines payment.LineFilter
	Held  bool
	Lang  string // of the program's name
}

// CycleView is a cycle with a page of its lines.
type CycleView struct {
	Cycle   *payment.Cycle
	Program string              // the program's name
	Counts  []payment.LineCount // every line of the cycle, by status and kind
	Matched int                 // the lines the filter selects, paging aside
	Lines   []LineRow           // the page of them
	Held    []LineRow           // the first 200 held lines, when asked for
	Batches []payment.Batch
}

// Cycle returns cycle id of county with the page of its lines q selects.
func (a *App) Cycle(ctx context.Context, who auth.Actor, county string, id int64, q CycleQuery) (*CycleView, error) {
	o := countyOp("payment.cycle.read", auth.PermPaymentRead, "payment_cycle", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*CycleView, error) {
		c, err := tx.PaymentCycle(ctx, county, id)
		if err != nil {
			return nil, err
		}
		v := &CycleView{Cycle: c}
		names, err := a.programNames(ctx, tx, q.Lang)
		if err != nil {
			return nil, err
		}
		v.Program = names[c.Program]
		f := q.Lines
		f.CycleID = id
		if v.Counts, err = tx.PaymentLineCounts(ctx, county, payment.LineFilter{CycleID: id}); err != nil {
			return nil, err
		}
		shown, err := tx.PaymentLineCounts(ctx, county, f)
		if err != nil {
			return nil, err
		}
		for _, n := range shown {
			v.Matched += n.Lines
		}
		lines, err := tx.PaymentLines(ctx, county, f)
		if err != nil {
			return nil, err
		}
		if v.Lines, err = withPersons(ctx, tx, county, lines); err != nil {
			return nil, err
		}
		if q.Held {
			hl, err := tx.PaymentLines(ctx, county, payment.LineFilter{CycleID: id, Statuses: []payment.Status{payment.Held}, Limit: 200})
			if err != nil {
				return nil, err
			}
			if v.Held, err = withPersons(ctx, tx, county, hl); err != nil {
				return nil, err
			}
		}
		v.Batches, err = tx.PaymentBatches(ctx, county, payment.BatchFilter{CycleID: id})
		return v, err
	})
}

// EachCycleLine reads, in one read-only transaction, the lines of cycle id
// of county that f selects (its limit and offset aside) in f's order: it
// calls start with their number, then each with every line, a thousand at
// a time, until each returns an error. Exports stream through it.
func (a *App) EachCycleLine(ctx context.Context, who auth.Actor, county string, id int64, f payment.LineFilter,
	start func(total int) error, each func(LineRow) error) error {
	o := countyOp("payment.cycle.export", auth.PermPaymentRead, "payment_cycle", county, id)
	return a.view(ctx, who, o, func(tx *store.Tx) error {
		if _, err := tx.PaymentCycle(ctx, county, id); err != nil {
			return err
		}
		f.CycleID = id
		counts, err := tx.PaymentLineCounts(ctx, county, f)
		if err != nil {
			return err
		}
		total := 0
		for _, n := range counts {
			total += n.Lines
		}
		if err := start(total); err != nil {
			return err
		}
		const batch = 1000
		for offset := 0; ; offset += batch {
			q := f
			q.Limit, q.Offset = batch, offset
			lines, err := tx.PaymentLines(ctx, county, q)
			if err != nil {
				return err
			}
			rows, err := withPersons(ctx, tx, county, lines)
			if err != nil {
				return err
			}
			for _, l := range rows {
				if err := each(l); err != nil {
					return err
				}
			}
			if len(lines) < batch {
				return nil
			}
		}
	})
}

// ConsistencyView is the 库册一致 report of a cycle with its program's name.
type ConsistencyView struct {
	*payment.Consistency
	Program string
}

// Consistency checks cycle id of county against the roll as it stands now
// (库册一致), deciding what each person on it is due with the rules in
// force: every roll entry without a line is reported with the reason.
func (a *App) Consistency(ctx context.Context, who auth.Actor, county string, id int64, lang string) (*ConsistencyView, error) {
	o := countyOp("payment.cycle.consistency", auth.PermPaymentRead, "payment_cycle", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*ConsistencyView, error) {
		as, err := a.assessor(ctx, tx)
		if err != nil {
			return nil, err
		}
		rep, err := payment.CheckConsistency(ctx, tx, as, who, county, id)
		if err != nil {
			return nil, err
		}
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		return &ConsistencyView{Consistency: rep, Program: names[rep.Cycle.Program]}, nil
	})
}
