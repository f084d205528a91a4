package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// The bulk prints: every letter of a payment cycle, every notice list of
// a division posted on one day. Each reads what it prints in one
// read-only transaction; the door lays it out (package printout).

// CycleLetters returns the notification letters (告知书) of every person
// paid by cycle id of county, or of those of township only when it is
// given, for a bulk print (payment.CycleLetters). Their data is read in one
// transaction, and the read is recorded in the audit trail as a bulk read
// of personal data (payment.letters.print): the letters name the persons
// and what they were paid.
func (a *App) CycleLetters(ctx context.Context, who auth.Actor, county string, id int64, township string) ([]payment.LetterData, error) {
	o := countyOp("payment.letters", auth.PermPaymentRead, "payment_cycle", county, id)
	ls, err := look(a, ctx, who, o, func(tx *store.Tx) ([]payment.LetterData, error) {
		return payment.CycleLetters(ctx, tx, who, a.tree(), county, id, township)
	})
	if err != nil {
		return nil, err
	}
	where := region.Code(county)
	if township != "" {
		where = region.Code(township)
	}
	detail := map[string]any{"cycle": id, "township": township, "letters": len(ls)}
	if err := a.RecordExport(ctx, who, Export{Action: "payment.letters.print", Entity: "payment_cycle",
		EntityID: strconv.FormatInt(id, 10), Region: where, Detail: detail}); err != nil {
		return nil, err
	}
	return ls, nil
}

// NoticeLists returns the public notice lists of level posted on day
// within the division within (a township, a village or the county): one
// list for each village, township or county that posted, with its cases
// within the division (workflow.NoticeLists). ID numbers and addresses
// are masked when the lists are printed.
func (a *App) NoticeLists(ctx context.Context, who auth.Actor, within region.Code, level workflow.Level, day date.Date) ([]*documents.NoticeList, error) {
	o := op{name: "case.notice_lists", perm: auth.PermCaseRead, target: Target{Entity: "notice", Region: within}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]*documents.NoticeList, error) {
		return workflow.NoticeLists(ctx, tx, who, within, level, day)
	})
}
