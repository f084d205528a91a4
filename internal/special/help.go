package special

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// HelpList is a list of families the committee chooses for a one-off
// payment (5·29 and Spring Festival gifts, emergency aid, study aid): the
// one-off program (policy.OneOffPrograms), the period it is paid for, the
// amount per family and the families. The township or the county makes
// it; another member of the county's staff approves it; only then does
// the finance officer pay it, through a payment cycle (CycleID), its
// maker–checker batches, the bank files, the reconciliation and the
// ledger.
type HelpList struct {
	County     string    `json:"county"`
	ID         int64     `json:"id"`
	Program    string    `json:"program"`
	Period     string    `json:"period"`
	Amount     money.Fen `json:"amount_fen"`
	Families   []int64   `json:"families"`
	Note       string    `json:"note,omitempty"`
	Status     string    `json:"status"`
	CreatedBy  int64     `json:"created_by"`
	ApprovedBy int64     `json:"approved_by,omitempty"`
	Approved   date.Date `json:"approved,omitempty"`
	CycleID    int64     `json:"cycle_id,omitempty"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Statuses of a list.
const (
	ListDraft    = "draft"
	ListApproved = "approved"
	ListPaid     = "paid"
)

// ListStatuses names the statuses of a list.
var ListStatuses = term.List{
	{Code: ListDraft, ZH: "待审批", EN: "Awaiting approval"},
	{Code: ListApproved, ZH: "已审批待发放", EN: "Approved"},
	{Code: ListPaid, ZH: "已生成发放", EN: "Paid out"},
}

// MaxHelpAmount is the most a list pays a family (fen): 10,000 yuan.
const MaxHelpAmount = money.Fen(1_000_000)

// NewHelpList is a list as its maker records it.
type NewHelpList struct {
	Program  string  `json:"program"`
	Period   string  `json:"period"`
	Amount   string  `json:"amount"` // yuan, "1000" or "1000.00"
	Families []int64 `json:"families"`
	Note     string  `json:"note"`
}

// MakeHelpList records a list of county: every family active on the
// register within a's scope. Only the township and the county make lists.
func MakeHelpList(ctx context.Context, s Store, a auth.Actor, county string, in NewHelpList) (*HelpList, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	var errs apperr.List
	if !policy.OneOffPrograms.Has(in.Program) {
		errs = append(errs, apperr.Invalidf("program", "请选择帮扶项目", "choose the kind of help"))
	}
	if !periodRE(in.Period) {
		errs = append(errs, apperr.Invalidf("period", "期间应为年份（2026）或年月（2026-05）", "the period is a year (2026) or a month (2026-05)"))
	}
	amount, err := money.ParseYuan(strings.TrimSpace(in.Amount))
	if err != nil || amount <= 0 || amount > MaxHelpAmount {
		errs = append(errs, apperr.Invalidf("amount", "每户金额应在0.01元至10000元之间", "the amount per family is 0.01 to 10,000 yuan"))
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" {
		errs = append(errs, apperr.Invalidf("note", "请写明名单的依据（如会议纪要）", "say what the list rests on (the meeting's minutes, say)"))
	} else if e := textcheck.Check("note", in.Note, textcheck.Para, MaxText); e != nil {
		errs = append(errs, e)
	}
	fams := slices.Clone(in.Families)
	slices.Sort(fams)
	fams = slices.Compact(fams)
	if len(fams) == 0 || len(fams) > 10000 {
		errs = append(errs, apperr.Invalidf("families", "名单应有1至10000户", "the list holds 1 to 10,000 families"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, id := range fams {
		f, err := s.SpecialFamily(ctx, a.Scope, county, id)
		if err != nil {
			return nil, apperr.Invalidf("families", "第%d号家庭不在您管辖范围内的名册上", "family %d is not on the register of your scope", id)
		}
		if f.Status != StatusActive {
			return nil, apperr.Invalidf("families", "第%d号家庭已销册", "family %d is off the register", id)
		}
	}
	lid, err := s.NextIDs(ctx, "special_help_list", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	l := &HelpList{County: county, ID: lid, Program: in.Program, Period: in.Period, Amount: amount, Families: fams, Note: in.Note,
		Status: ListDraft, CreatedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertHelpList(ctx, l); err != nil {
		return nil, err
	}
	return l, s.Audit(ctx, listEntry(a, "special.help_list", l, nil))
}

// ApproveHelpList approves list id of county: a member of the county's
// staff who did not make it (maker–checker), before any money moves.
func ApproveHelpList(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*HelpList, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	if a.Scope != region.Code(county) {
		return nil, apperr.Forbiddenf("名单由县卫健委审批", "the county approves the lists")
	}
	l, err := s.HelpList(ctx, county, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != l.Version {
		return nil, apperr.Conflictf("该名单已被他人修改，请刷新后重试", "the list was changed by someone else; reload and try again")
	}
	if l.Status != ListDraft {
		return nil, apperr.Conflictf("该名单已审批", "the list is approved already")
	}
	if l.CreatedBy == a.UserID {
		return nil, apperr.Forbiddenf("名单须由制作人以外的人员审批", "someone other than its maker approves a list")
	}
	before := *l
	l.Status, l.ApprovedBy, l.Approved = ListApproved, a.UserID, date.Today(s.Now())
	return l, saveList(ctx, s, a, "special.help_list_approve", l, &before)
}

// MarkHelpListPaid records the payment cycle that pays list l.
func MarkHelpListPaid(ctx context.Context, s Store, a auth.Actor, l *HelpList, cycle int64) error {
	if l.Status != ListApproved {
		return apperr.Conflictf("名单未审批或已发放", "the list is not approved, or is paid already")
	}
	before := *l
	l.Status, l.CycleID = ListPaid, cycle
	return saveList(ctx, s, a, "special.help_list_pay", l, &before)
}

// HelpLists returns the lists of county, newest first: for the staff of
// the register, and for the finance officer who pays them (a list names
// families by number and amounts, not persons).
func HelpLists(ctx context.Context, s Store, a auth.Actor, county string) ([]HelpList, error) {
	if !auth.Can(a, auth.PermPaymentManage) {
		if err := requireCare(a); err != nil {
			return nil, err
		}
	}
	return s.HelpLists(ctx, county)
}

func saveList(ctx context.Context, s Store, a auth.Actor, action string, l *HelpList, before *HelpList) error {
	l.Version++
	l.UpdatedAt = s.Now()
	if err := s.UpdateHelpList(ctx, l); err != nil {
		return err
	}
	return s.Audit(ctx, listEntry(a, action, l, before))
}

func listEntry(a auth.Actor, action string, l *HelpList, before *HelpList) audit.Entry {
	e := audit.Entry{County: l.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "special_help_list",
		EntityID: strconv.FormatInt(l.ID, 10), Region: l.County, After: audit.JSON(l)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}

// periodRE reports whether s is a year or a year and month.
func periodRE(s string) bool {
	if len(s) != 4 && len(s) != 7 {
		return false
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 || y > 2100 {
		return false
	}
	if len(s) == 4 {
		return true
	}
	m, err := strconv.Atoi(s[5:])
	return s[4] == '-' && err == nil && m >= 1 && m <= 12
}
