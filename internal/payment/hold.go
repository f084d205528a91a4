package payment

import (
	"context"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// FlagSuspectedDeath holds the money of person k until somebody verifies
// them (rules.md §3.4 point 6): their pending lines are held now, and new
// lines are held when they are made. Staff who register persons, and the
// finance officer, may raise it: raising a hold never pays anybody.
func FlagSuspectedDeath(ctx context.Context, s Store, a auth.Actor, k registry.Key, reason string) (int, error) {
	if !auth.Can(a, auth.PermRegistryWrite) && !auth.Can(a, auth.PermPaymentManage) {
		return 0, auth.Require(a, auth.PermRegistryWrite)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, apperr.Invalidf("reason", "请说明疑似死亡的依据（如公安死亡注销信息）", "say why the death is suspected (e.g. a police death record)")
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return 0, err
	}
	if err := s.SetPaymentHold(ctx, p.County, p.ID, reason, a.UserID); err != nil {
		return 0, err
	}
	lines, err := s.PaymentLines(ctx, p.County, LineFilter{PersonID: p.ID, Statuses: []Status{Pending, Batched}})
	if err != nil {
		return 0, err
	}
	// Lines in a draft batch come out of it: the batch has not been
	// released, so the bank has not seen it. A released batch is out of
	// reach; its result comes back with the return file.
	var ids []int64
	pulled := map[int64][]int64{} // batch → lines
	for _, l := range lines {
		if l.Status == Batched {
			b, err := s.PaymentBatch(ctx, p.County, l.BatchID)
			if err != nil {
				return 0, err
			}
			if b.Status != Draft {
				continue
			}
			pulled[b.ID] = append(pulled[b.ID], l.ID)
		}
		ids = append(ids, l.ID)
	}
	for batchID, lineIDs := range pulled {
		if err := pullItems(ctx, s, a, p.County, batchID, lineIDs); err != nil {
			return 0, err
		}
	}
	why := PersonState{Hold: reason}.holdReason()
	if len(ids) > 0 {
		if err := moveLines(ctx, s, p.County, ids, LineUpdate{Status: Held, HoldReason: why, At: s.Now()}); err != nil {
			return 0, err
		}
	}
	return len(ids), s.Audit(ctx, audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username,
		Action: "payment.hold.raise", Entity: "person", EntityID: p.Ref(), Region: p.Region,
		After: audit.JSON(map[string]any{"reason": reason, "lines_held": ids})})
}

// Verdict is the outcome of verifying a held line.
type Verdict struct {
	// Pay releases the line (the person is alive, or is due the money to
	// the end of the period of death); otherwise the line is cancelled.
	Pay  bool   `json:"pay"`
	Note string `json:"note"`
}

// VerifyHeld settles a held line. Verifying a death is a matter of
// eligibility, so it needs the eligibility permission, which the finance
// officer does not have. Releasing also lifts the person's hold.
func VerifyHeld(ctx context.Context, s Store, a auth.Actor, county string, lineID int64, v Verdict) (*Line, error) {
	if err := auth.Require(a, auth.PermEligibility); err != nil {
		return nil, err
	}
	if c, err := region.ParseCode(county); err != nil || c.Level() != region.County {
		return nil, apperr.Invalidf("county", "应为 6 位县级区划代码", "must be a six-digit county code")
	}
	if strings.TrimSpace(v.Note) == "" {
		return nil, apperr.Invalidf("note", "请填写核实情况", "describe what was verified")
	}
	l, err := s.PaymentLine(ctx, county, lineID)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(region.Code(l.Region)) { // a township verifies its own people
		return nil, apperr.NotFoundf("发放明细 %d 不存在", "no payment line %d", lineID)
	}
	if l.Status != Held {
		return nil, &apperr.Error{Kind: apperr.Conflict,
			ZH: "该明细不是暂扣状态（当前：" + l.Status.Chinese() + "）", EN: "the line is not held (it is " + string(l.Status) + ")"}
	}
	before := *l
	action, to := "payment.line.cancel", Cancelled
	if v.Pay {
		action, to = "payment.line.release", Pending
	}
	if err := checkMove(l, to); err != nil {
		return nil, err
	}
	if v.Pay {
		if err := s.ClearPaymentHold(ctx, county, l.PersonID); err != nil {
			return nil, err
		}
	}
	l.Status, l.HoldReason, l.UpdatedAt = to, l.HoldReason+"；核实："+v.Note, s.Now()
	if err := moveLines(ctx, s, county, []int64{l.ID}, LineUpdate{Status: l.Status, HoldReason: l.HoldReason, At: l.UpdatedAt}); err != nil {
		return nil, err
	}
	return l, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "payment_line", EntityID: ref(l.ID), Region: l.Region,
		Before: audit.JSON(map[string]any{"status": before.Status, "hold_reason": before.HoldReason}),
		After:  audit.JSON(map[string]any{"status": l.Status, "note": v.Note})})
}

// pullItems takes the items of lines out of a draft batch and renumbers
// the rest.
func pullItems(ctx context.Context, s Store, a auth.Actor, county string, batchID int64, lineIDs []int64) error {
	b, err := s.PaymentBatch(ctx, county, batchID)
	if err != nil {
		return err
	}
	drop := map[int64]bool{}
	for _, id := range lineIDs {
		drop[id] = true
	}
	before := map[string]any{"count": b.Count, "total_fen": b.Total}
	var kept []Item
	b.Total = 0
	for _, it := range b.Items {
		if drop[it.LineID] {
			continue
		}
		it.Seq = len(kept) + 1
		kept = append(kept, it)
		b.Total += it.Amount
	}
	b.Items, b.Count = kept, len(kept)
	if err := s.ReplaceBatchItems(ctx, b); err != nil {
		return err
	}
	return s.Audit(ctx, batchEntry(a, b, "payment.batch.pull", before,
		map[string]any{"count": b.Count, "total_fen": b.Total, "lines_pulled": lineIDs}))
}
