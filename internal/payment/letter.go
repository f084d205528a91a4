package payment

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

//go:embed letter.html
var letterHTML string

var letterTmpl = template.Must(template.New("letter").Parse(letterHTML))

// LetterRow is one line of a letter.
type LetterRow struct {
	Period string
	Kind   string
	Months string
	Amount string
	Status string
	Note   string
}

// LetterData is everything a notification letter prints. It holds no full
// ID number and no full account number.
type LetterData struct {
	Title        string
	No           string
	Name         string
	IDMasked     string
	Program      string
	Tier         string
	Period       string
	Paid         bool
	PaidOn       string
	Rows         []LetterRow
	Total        string
	Bank         string
	Account      string
	Holder       string
	EnquiryPhone string
	ReportPhone  string
	Payer        string
	Date         string
}

// RenderLetter renders a printable notification letter (告知书) as HTML
// with print styles; it needs nothing from outside the binary.
func RenderLetter(d LetterData) ([]byte, error) {
	var b bytes.Buffer
	if err := letterTmpl.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Letter returns the notification letter of one person for one cycle:
// every line of the cycle for the person (arrears and corrections
// included), the account, and where to ask or report. The letter is
// dated the day the bank paid, or the day the cycle was made while
// nothing is paid yet, so printing it again gives the same letter.
func Letter(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, county string, cycleID, personID int64) ([]byte, error) {
	d, err := LetterContent(ctx, s, a, tree, county, cycleID, personID)
	if err != nil {
		return nil, err
	}
	return RenderLetter(*d)
}

// LetterContent returns what the notification letter of one person for
// one cycle prints (see Letter), for a page that lays it out itself.
func LetterContent(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, county string, cycleID, personID int64) (*LetterData, error) {
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
	lines, err := s.PaymentLines(ctx, county, LineFilter{CycleID: cycleID, PersonID: personID})
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, apperr.NotFoundf("该周期没有此人的发放明细", "the cycle has no line for this person")
	}
	if err := a.CheckScope(region.Code(lines[0].Region)); err != nil {
		return nil, err
	}
	ls, err := letters(ctx, s, tree, c, lines)
	if err != nil {
		return nil, err
	}
	return &ls[0], nil
}

// CycleLetters returns the notification letters of every person paid by
// cycle cycleID of county, or only of those living in township when it is
// given (a township code of the county): a bulk print. The letters are in
// the order of the persons' villages, then of the persons; a person whose
// every line was cancelled gets none. What each letter says is what
// LetterContent says of the person; the data of all of them is read with
// a few queries, whatever their number.
func CycleLetters(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, county string, cycleID int64, township string) ([]LetterData, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	within := ""
	if township != "" {
		t, err := region.ParseCode(township)
		if err != nil || t.Level() != region.Township || tree.County(t) != region.Code(county) {
			return nil, apperr.Invalidf("township", "应为本县的乡镇区划代码", "must be the code of a township of the county")
		}
		if err := a.CheckScope(t); err != nil {
			return nil, err
		}
		within, _ = t.Prefix()
	}
	c, err := s.PaymentCycle(ctx, county, cycleID)
	if err != nil {
		return nil, err
	}
	lines, err := s.PaymentLines(ctx, county, LineFilter{CycleID: cycleID, Region: within})
	if err != nil {
		return nil, err
	}
	out, err := letters(ctx, s, tree, c, lines)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, l := range out {
		if len(l.Rows) > 0 {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return nil, apperr.NotFoundf("该周期在所选范围内没有可打印的告知书", "the cycle has no letter to print there")
	}
	return kept, nil
}

// letters returns the letters of the persons of lines (lines of cycle c,
// each person's together, in the order their persons first appear), with
// the account each person was paid to: the one copied into the latest
// batch that carried the line, or the one on file when no batch has yet.
// Persons, parameters, accounts and batch items are read once for all.
func letters(ctx context.Context, s Store, tree *region.Tree, c *Cycle, lines []Line) ([]LetterData, error) {
	var persons []int64
	byPerson := map[int64][]Line{}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		if _, ok := byPerson[l.PersonID]; !ok {
			persons = append(persons, l.PersonID)
		}
		byPerson[l.PersonID] = append(byPerson[l.PersonID], l)
		ids[i] = l.ID
	}
	states, err := s.PaymentPersonStates(ctx, c.County, persons)
	if err != nil {
		return nil, err
	}
	prm, err := countyParams(ctx, s, c.County)
	if err != nil {
		return nil, err
	}
	keys := make([]PayeeKey, len(persons))
	for i, id := range persons {
		keys[i] = PayeeKey{id, c.Program}
	}
	paid, _, err := paidInto(ctx, s, c.County, keys)
	if err != nil {
		return nil, err
	}
	accounts := accountsByPerson(paid)
	items, err := s.LastBatchItems(ctx, c.County, ids)
	if err != nil {
		return nil, err
	}
	out := make([]LetterData, 0, len(persons))
	for _, p := range persons {
		pl := byPerson[p]
		var acc *Account
		if x, ok := accounts[p]; ok {
			acc = &x
		}
		// The account the money went to is the one copied into the batch,
		// not the one on file today.
		for _, l := range pl {
			if it, ok := items[l.ID]; ok {
				acc = &Account{Bank: it.Bank, Number: it.Account, Holder: it.Name}
				if it.Result == ResultPaid {
					break
				}
			}
		}
		out = append(out, letterData(tree, c, prm, states[p], acc, pl))
	}
	return out, nil
}

func letterData(tree *region.Tree, c *Cycle, prm Params, p PersonState, acc *Account, lines []Line) LetterData {
	d := LetterData{Title: "计划生育奖励扶助金发放告知书", No: fmt.Sprintf("%s-%d-%d", c.County, c.ID, lines[0].PersonID),
		Name: p.Name, IDMasked: idcard.Number(p.IDNumber).Masked(), Program: policy.ProgramName(c.Program),
		Tier: lines[0].Tier, Period: c.Period.Chinese(), EnquiryPhone: prm.EnquiryPhone, ReportPhone: prm.ReportPhone,
		Payer: prm.Payer, Paid: true}
	if d.Payer == "" {
		d.Payer = c.County + "卫生健康委员会"
		if div, ok := tree.Lookup(region.Code(c.County)); ok {
			d.Payer = div.Name + "卫生健康委员会"
		}
	}
	var total money.Fen
	latest := ""
	for _, l := range lines {
		if l.Status == Cancelled {
			continue
		}
		months := ""
		if l.Months > 0 {
			months = strconv.Itoa(l.Months)
		}
		d.Rows = append(d.Rows, LetterRow{Period: l.Period.Chinese(), Kind: l.Kind.Chinese(), Months: months,
			Amount: Yuan(l.Amount), Status: l.Status.Chinese(), Note: l.Note})
		if l.Status != Recovery {
			total += l.Amount
			d.Paid = d.Paid && l.Status == Paid
		}
		if s := l.PaidOn.String(); s > latest {
			latest = s
		}
	}
	d.Total = Yuan(total)
	d.PaidOn = latest
	d.Date = latest
	if d.Date == "" {
		d.Date = c.CreatedAt.In(date.Beijing).Format("2006-01-02")
	}
	if acc != nil {
		if b, ok := BankByCode(acc.Bank); ok {
			d.Bank = b.Name
		}
		d.Account, d.Holder = MaskAccount(acc.Number), acc.Holder
	} else {
		d.Bank, d.Account, d.Holder = "（尚未登记）", "", p.Name
	}
	return d
}
