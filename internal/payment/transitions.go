package payment

import (
	"context"
	"fmt"
	"slices"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// The state machines of payment lines and batches. Every change of a
// line's or a batch's status goes through them: the domain checks the
// move against the table, and the store writes it only over a row still
// in one of the statuses the table allows the move from, so that two
// runs at once cannot both move the same line.

// lineMoves lists, for each line status, the statuses a line may take
// next. A line is born pending, held or recovery (Plan); paid, cancelled
// and recovery are final.
var lineMoves = map[Status][]Status{
	// Batched into a bank's batch, or held when a death is recorded or
	// suspected.
	Pending: {Batched, Held},
	// Verified: released to be paid, or cancelled as not due.
	Held: {Pending, Cancelled},
	// The bank's return file settles it; a suspected death pulls it out
	// of a batch not yet released; a recall of its released batch before
	// the bank confirmed anything makes it pending again.
	Batched: {Paid, Failed, Missing, Held, Pending},
	// Retried in a new batch once the account is fixed, unless a death
	// holds it first.
	Failed: {Batched, Held},
	// A later return file settles an item the first one left out.
	Missing:   {Paid, Failed},
	Paid:      nil,
	Cancelled: nil,
	Recovery:  nil, // recovered outside the bank run: never sent to a bank
}

// CanBecome reports whether a line in status s may move to status t.
func (s Status) CanBecome(t Status) bool { return slices.Contains(lineMoves[s], t) }

// lineSources returns the statuses a line may move to t from.
func lineSources(t Status) []Status {
	var out []Status
	for _, s := range Statuses {
		if s.CanBecome(t) {
			out = append(out, s)
		}
	}
	return out
}

// checkMove refuses moving line l to status t when the table does not
// allow it.
func checkMove(l *Line, t Status) error {
	if l.Status.CanBecome(t) {
		return nil
	}
	return &apperr.Error{Kind: apperr.Conflict,
		ZH: fmt.Sprintf("发放明细 %d 当前为“%s”，不能改为“%s”", l.ID, l.Status.Chinese(), t.Chinese()),
		EN: fmt.Sprintf("payment line %d is %s: it cannot become %s", l.ID, l.Status, t)}
}

// moveLines sets lines ids to u, each from a status the table allows the
// move to u.Status from. A line found in any other status (another run
// moved it meanwhile) refuses the whole change.
func moveLines(ctx context.Context, s Store, county string, ids []int64, u LineUpdate) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := s.UpdatePaymentLines(ctx, county, ids, lineSources(u.Status), u)
	if err != nil {
		return err
	}
	if n != len(ids) {
		return apperr.Conflictf("有 %d 条发放明细的状态已被他人改变，不能改为“%s”，请刷新后重试",
			"%d payment lines changed status meanwhile and cannot become %s; reload and try again", len(ids)-n, u.Status.Chinese())
	}
	return nil
}

// BatchStatuses lists the batch statuses in the order of
// BatchStatusNames.
var BatchStatuses = BatchStatusNames.Codes()

// batchMoves lists, for each batch status, the statuses a batch may take
// next. A draft batch that loses all its items is deleted, not moved.
var batchMoves = map[string][]string{
	Draft: {Approved},
	// The bank's return file settles it, or the finance officer recalls
	// it before the bank confirmed anything.
	Approved: {Reconciled, Recalled},
	// A later return file settles the items the first one left out.
	Reconciled: {Reconciled},
	Recalled:   nil,
}

// BatchCanBecome reports whether a batch in status s may move to t.
func BatchCanBecome(s, t string) bool { return slices.Contains(batchMoves[s], t) }

// moveBatch writes b, which moves from status from to b.Status, after
// checking the move against the table; the store writes it only over a
// batch still in status from.
func moveBatch(ctx context.Context, s Store, b *Batch, from string) error {
	if !BatchCanBecome(from, b.Status) {
		return &apperr.Error{Kind: apperr.Conflict,
			ZH: fmt.Sprintf("批次 %d 当前为“%s”，不能改为“%s”", b.ID, BatchStatusNames.Chinese(from), BatchStatusNames.Chinese(b.Status)),
			EN: fmt.Sprintf("batch %d is %s: it cannot become %s", b.ID, from, b.Status)}
	}
	return s.UpdatePaymentBatch(ctx, b, from)
}
