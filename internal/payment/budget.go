package payment

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// Money from budget to card: the year's budget request of a county, per
// program and paying level, computed from the roll and the rules in force
// exactly as a payment cycle of the whole year would pay it; the funds
// received from each level recorded against it; and the payment calendar
// with the on-card deadline (8月底), by township.

// BudgetStore is what the budget and the calendar need besides Store.
type BudgetStore interface {
	Store
	// RollPrograms returns the programs on the county's roll.
	RollPrograms(ctx context.Context, county string) ([]string, error)
	// BudgetFunds returns the funds recorded for the county's year.
	BudgetFunds(ctx context.Context, county string, year int) ([]Fund, error)
	InsertBudgetFund(ctx context.Context, f *Fund) error
}

// Fund is money received from one level for a program's year.
type Fund struct {
	County         string    `json:"county"`
	ID             int64     `json:"id"`
	Year           int       `json:"year"`
	Program        string    `json:"program"`
	Level          string    `json:"level"`
	Amount         money.Fen `json:"amount_fen"`
	Received       date.Date `json:"received"`
	Document       string    `json:"document,omitempty"` // the allocation's document number (文号)
	Note           string    `json:"note,omitempty"`
	RecordedBy     int64     `json:"recorded_by"`
	RecordedByName string    `json:"recorded_by_name"`
	RecordedAt     time.Time `json:"recorded_at"`
}

// BudgetLine is one program's budget for the year.
type BudgetLine struct {
	Program  string `json:"program"`
	Persons  int    `json:"persons"` // recipients due something in the year
	Due      Split  `json:"due_fen"`
	Received Split  `json:"received_fen"`
	// Short is what is still to come from each level (negative: more
	// came than is due).
	Short Split `json:"short_fen"`
}

// Budget is a county's budget request for a year.
type Budget struct {
	County   string       `json:"county"`
	Year     int          `json:"year"`
	Lines    []BudgetLine `json:"lines"`
	Due      Split        `json:"due_fen"`
	Received Split        `json:"received_fen"`
	Funds    []Fund       `json:"funds"`
}

// ComputeBudget computes the budget of county for year: for each program
// on the roll, what every recipient is due for the whole year under the
// rules in force (DueFor over the year), by paying level, against the
// funds received.
func ComputeBudget(ctx context.Context, s BudgetStore, as Assessor, a auth.Actor, county string, year int) (*Budget, error) {
	if !auth.Can(a, auth.PermPaymentRead) {
		return nil, auth.Require(a, auth.PermPaymentRead)
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	if year < 2000 || year > date.Today(s.Now()).Year()+1 {
		return nil, apperr.Invalidf("year", "年度无效", "invalid year")
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return nil, err
	}
	programs, err := s.RollPrograms(ctx, county)
	if err != nil {
		return nil, err
	}
	funds, err := s.BudgetFunds(ctx, county, year)
	if err != nil {
		return nil, err
	}
	b := &Budget{County: county, Year: year, Funds: funds}
	p := PeriodOf(Year, year*12)
	for _, program := range programs {
		roll, err := s.PaymentRoll(ctx, county, program)
		if err != nil {
			return nil, err
		}
		decided, err := assess(ctx, as, county, program, roll, []int{year})
		if err != nil {
			return nil, err
		}
		ents := map[int64]*Entitlement{}
		for _, e := range decided.entitlements() {
			ents[e.PersonID] = &e
		}
		line := BudgetLine{Program: program}
		for _, r := range roll {
			d := DueFor(r, ents[r.PersonID], p, prm)
			if d.Amount() > 0 {
				line.Persons++
				line.Due = line.Due.Add(d.Split)
			}
		}
		b.Lines = append(b.Lines, line)
	}
	for _, f := range funds {
		i := sort.Search(len(b.Lines), func(i int) bool { return b.Lines[i].Program >= f.Program })
		if i == len(b.Lines) || b.Lines[i].Program != f.Program {
			b.Lines = append(b.Lines, BudgetLine{})
			copy(b.Lines[i+1:], b.Lines[i:])
			b.Lines[i] = BudgetLine{Program: f.Program}
		}
		b.Lines[i].Received[levelIndex(f.Level)] += f.Amount
	}
	for i := range b.Lines {
		l := &b.Lines[i]
		l.Short = l.Due.Sub(l.Received)
		b.Due, b.Received = b.Due.Add(l.Due), b.Received.Add(l.Received)
	}
	return b, nil
}

func levelIndex(level string) int {
	return policy.FundingLevels.Index(level)
}

// RecordFund records money received from a level for a program's year
// (the finance officer).
func RecordFund(ctx context.Context, s BudgetStore, a auth.Actor, f Fund) (*Fund, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, f.County)
	if err != nil {
		return nil, err
	}
	f.Document, f.Note = strings.TrimSpace(f.Document), strings.TrimSpace(f.Note)
	var errs apperr.List
	today := date.Today(s.Now())
	if f.Year < 2000 || f.Year > today.Year()+1 {
		errs = append(errs, apperr.Invalidf("year", "年度无效", "invalid year"))
	}
	if !programRE.MatchString(f.Program) {
		errs = append(errs, apperr.Invalidf("program", "项目代码无效", "invalid program code"))
	}
	if levelIndex(f.Level) < 0 {
		errs = append(errs, apperr.Invalidf("level", "请选择资金来源：中央、省、市或县", "choose the level: central, province, city or county"))
	}
	if f.Amount <= 0 {
		errs = append(errs, apperr.Invalidf("amount", "到位金额应大于零", "the amount must be more than zero"))
	}
	if f.Received.IsZero() || f.Received.After(today) {
		errs = append(errs, apperr.Invalidf("received", "请填写到账日期（不晚于今天）", "give the day received, not after today"))
	}
	if utf8.RuneCountInString(f.Document) > 100 || utf8.RuneCountInString(f.Note) > 500 {
		errs = append(errs, apperr.Invalidf("note", "文号或备注过长", "the document number or the note is too long"))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "budget_fund", 1)
	if err != nil {
		return nil, err
	}
	f.County, f.ID, f.RecordedBy, f.RecordedByName, f.RecordedAt = county, id, a.UserID, actorName(a), s.Now()
	if err := s.InsertBudgetFund(ctx, &f); err != nil {
		return nil, err
	}
	return &f, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "payment.fund.record",
		Entity: "budget_fund", EntityID: strconv.FormatInt(id, 10), Region: county, After: audit.JSON(f)})
}

// CalendarPeriod is a period of a program paid in the year.
type CalendarPeriod struct {
	Program string    `json:"program"`
	Period  string    `json:"period"`
	CycleID int64     `json:"cycle_id"`
	Created time.Time `json:"created_at"`
}

// CalendarTownship is a township's state of the year's money against the
// on-card deadline.
type CalendarTownship struct {
	Code    string    `json:"code"`
	Lines   int       `json:"lines"`
	OnTime  int       `json:"on_time"` // paid by the deadline
	Late    int       `json:"late"`    // paid after it
	Open    int       `json:"open"`    // not on the card yet
	Amount  money.Fen `json:"amount_fen"`
	OnCard  money.Fen `json:"on_card_fen"` // paid by the deadline
	Missing []Line    `json:"missing"`     // not on the card by the deadline, each with its reason
}

// Calendar is the payment calendar of a county's year.
type Calendar struct {
	County    string             `json:"county"`
	Year      int                `json:"year"`
	Deadline  date.Date          `json:"deadline"`
	Passed    bool               `json:"passed"`
	Periods   []CalendarPeriod   `json:"periods"`
	Townships []CalendarTownship `json:"townships"`
}

// MissReason says why line l was not on the card by the deadline.
func MissReason(l Line) string {
	switch l.Status {
	case Held:
		return "暂扣：" + l.HoldReason
	case Failed:
		return "银行发放失败：" + l.FailReason
	case Pending:
		return "未制批（待发，如无账户）"
	case Batched:
		return "已制批，未审批或银行未回盘"
	case Missing:
		return "银行回盘未列出"
	case Paid:
		return "到账晚于截止日期（" + l.PaidOn.String() + "）"
	}
	return StatusNames.Chinese(string(l.Status))
}

// PaymentCalendar returns the calendar of county's year: the periods
// paid (one cycle each), and by township how much of the year's money
// was on the cards by the deadline (payment parameter card_deadline),
// with every line that was not and why.
func PaymentCalendar(ctx context.Context, s Store, a auth.Actor, county string, year int) (*Calendar, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return nil, err
	}
	deadline, ok := deadlineIn(prm.CardDeadline, year)
	if !ok {
		deadline = date.Of(year, time.August, 31)
	}
	c := &Calendar{County: county, Year: year, Deadline: deadline, Passed: date.Today(s.Now()).After(deadline)}
	cycles, err := s.PaymentCycles(ctx, county, CycleFilter{Year: year})
	if err != nil {
		return nil, err
	}
	by := map[string]*CalendarTownship{}
	for _, cy := range cycles {
		c.Periods = append(c.Periods, CalendarPeriod{Program: cy.Program, Period: cy.Period.String(), CycleID: cy.ID, Created: cy.CreatedAt})
		lines, err := s.PaymentLines(ctx, county, LineFilter{CycleID: cy.ID})
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.Amount <= 0 || l.Status == Cancelled || l.Status == Recovery {
				continue
			}
			code := l.Region
			if len(code) >= 9 {
				code = code[:9] + "000"
			}
			t := by[code]
			if t == nil {
				t = &CalendarTownship{Code: code}
				by[code] = t
			}
			t.Lines++
			t.Amount += l.Amount
			switch {
			case l.Status == Paid && !l.PaidOn.After(deadline):
				t.OnTime++
				t.OnCard += l.Amount
			case l.Status == Paid:
				t.Late++
				if c.Passed {
					t.Missing = append(t.Missing, l)
				}
			default:
				t.Open++
				if c.Passed {
					t.Missing = append(t.Missing, l)
				}
			}
		}
	}
	for _, t := range by {
		c.Townships = append(c.Townships, *t)
	}
	sort.Slice(c.Townships, func(i, j int) bool { return c.Townships[i].Code < c.Townships[j].Code })
	return c, nil
}
