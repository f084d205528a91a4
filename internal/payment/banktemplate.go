package payment

import (
	"context"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

// BankTemplate is the layout a county's files for one bank follow, set
// by the county's finance officer.
type BankTemplate struct {
	County        string     `json:"county"`
	Bank          string     `json:"bank"`
	Layout        BankLayout `json:"layout"`
	Version       int        `json:"version"`
	UpdatedBy     int64      `json:"updated_by"`
	UpdatedByName string     `json:"updated_by_name"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// BankTemplateView is what a bank's files follow in a county: its
// template, or the generic layout when it has none (Template nil).
type BankTemplateView struct {
	Bank     Bank          `json:"bank"`
	Template *BankTemplate `json:"template,omitempty"`
	Layout   BankLayout    `json:"layout"`
}

// BankTemplates returns, for every bank of Banks, the layout its files
// follow in county.
func BankTemplates(ctx context.Context, s Store, a auth.Actor, county string) ([]BankTemplateView, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	ts, err := s.BankTemplates(ctx, county)
	if err != nil {
		return nil, err
	}
	byBank := map[string]*BankTemplate{}
	for i := range ts {
		byBank[ts[i].Bank] = &ts[i]
	}
	out := make([]BankTemplateView, len(Banks))
	for i, b := range Banks {
		out[i] = BankTemplateView{Bank: b, Layout: GenericLayout.clone()}
		if t := byBank[b.Code]; t != nil {
			out[i].Template, out[i].Layout = t, t.Layout
		}
	}
	return out, nil
}

// SetBankTemplate sets the layout of county's files for bank: the finance
// officer's, after Validate; version is the version read (0 for a bank
// without a template), so that two officers do not overwrite each other.
// The change is audited with the layout before and after.
func SetBankTemplate(ctx context.Context, s Store, a auth.Actor, county, bank string, l BankLayout, version int) (*BankTemplate, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	if _, ok := BankByCode(bank); !ok {
		return nil, apperr.Invalidf("bank", "未知的银行代码 %q", "unknown bank code %q", bank)
	}
	l, err = l.Validate()
	if err != nil {
		return nil, err
	}
	old, err := s.BankTemplate(ctx, county, bank)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return nil, err
	}
	now := s.Now()
	t := &BankTemplate{County: county, Bank: bank, Layout: l, Version: 1, UpdatedBy: a.UserID, UpdatedByName: actorName(a), UpdatedAt: now}
	var before any
	switch {
	case old != nil && old.Version != version:
		return nil, apperr.Conflictf("该银行的文件模板已被他人修改，请刷新后重试", "the bank's template was changed by someone else; reload and try again")
	case old != nil:
		t.Version, before = old.Version+1, old.Layout
	case version != 0:
		return nil, apperr.Conflictf("该银行的文件模板已被删除，请刷新后重试", "the bank's template was removed meanwhile; reload and try again")
	}
	if err := s.SaveBankTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "payment.bank_template.set",
		Entity: "bank_template", EntityID: county + "/" + bank, Region: county, Before: audit.JSON(before), After: audit.JSON(l)})
}

// ResetBankTemplate removes county's template for bank, whose files then
// follow the generic layout again; version is the version read. Audited.
func ResetBankTemplate(ctx context.Context, s Store, a auth.Actor, county, bank string, version int) error {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return err
	}
	old, err := s.BankTemplate(ctx, county, bank)
	if err != nil {
		return err
	}
	if old.Version != version {
		return apperr.Conflictf("该银行的文件模板已被他人修改，请刷新后重试", "the bank's template was changed by someone else; reload and try again")
	}
	if err := s.DeleteBankTemplate(ctx, county, bank, version); err != nil {
		return err
	}
	return s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "payment.bank_template.reset",
		Entity: "bank_template", EntityID: county + "/" + bank, Region: county, Before: audit.JSON(old.Layout)})
}

// sampleItems are the items of the batch PreviewLayout lays out.
var sampleItems = []Item{
	{Seq: 1, LineID: 101, Name: "张秀英", IDNumber: "341523196401010027", Bank: "402", Account: "6228480402564890018", Amount: 96000, Program: policy.ProgramJF, Period: "2024"},
	{Seq: 2, LineID: 102, Name: "阿依古丽·买买提", IDNumber: "34152319620301011X", Bank: "402", Account: "6228480402564890026", Amount: 120000, Program: policy.ProgramJF, Period: "2024"},
	{Seq: 3, LineID: 105, Name: "李桂兰", IDNumber: "341523196305050016", Bank: "402", Account: "20000123456789012", Amount: 24000, Program: policy.ProgramTFDeath, Period: "2024-Q2"},
}

// SampleBatch is an approved batch of three items of 舒城县 at 农村信用社
// (the second and third in 晓天镇), for previewing a layout, with the
// township of each item's line.
func SampleBatch() (*Batch, map[int64]region.Code) {
	at := time.Date(2024, 6, 28, 2, 30, 0, 0, time.UTC)
	b := &Batch{County: "341523", ID: 7, Kind: RegularBatch, CycleID: 3, Bank: "402", Status: Approved, CreatedAt: at, ApprovedAt: &at,
		Items: append([]Item(nil), sampleItems...)}
	for _, it := range b.Items {
		b.Total += it.Amount
	}
	b.Count = len(b.Items)
	return b, map[int64]region.Code{101: "341523100000", 102: "341523101000", 105: "341523101000"}
}
