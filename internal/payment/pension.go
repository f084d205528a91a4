package payment

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// The county-paid pension contributions list (养老保险代缴名单): every
// year the county sends the social-insurance office (人社) the persons whose
// resident pension contribution it pays, with the tier and the amount.
// Who is on it comes from the roll and the rules: the recipients of the
// programs the rules mark as pension contributions (the parameter
// pension_contribution, e.g. 金寨's 特扶对象、并发症对象、独女户双女户代缴
// and the certificate holders' top-up), each with what the program is due
// to them for the whole year, computed as the budget computes it. It is
// the one list that carries full ID numbers, since the office matches on
// them: the county alone downloads it (PermPensionList), and the use case
// audits every download.

// PensionProgram is a program whose amount the county pays as a pension
// contribution, with the tier it pays at (0: on top of the person's own).
type PensionProgram struct {
	Code string    `json:"code"`
	Name string    `json:"name"`
	Tier money.Fen `json:"tier_fen"`
}

// PensionRow is one person's contribution for the year.
type PensionRow struct {
	PersonID int64     `json:"person_id"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number"`
	Sex      string    `json:"sex"`
	Birth    date.Date `json:"birth"`
	Region   string    `json:"region"`
	Address  string    `json:"address,omitempty"`
	Program  string    `json:"program"`
	Tier     money.Fen `json:"tier_fen"`
	Amount   money.Fen `json:"amount_fen"`
	// Months is how many months of the year the amount covers (12 for a
	// whole year).
	Months int `json:"months"`
}

// PensionList is a county's list for a year.
type PensionList struct {
	County   string           `json:"county"`
	Year     int              `json:"year"`
	Programs []PensionProgram `json:"programs"`
	Rows     []PensionRow     `json:"rows"`
	Total    money.Fen        `json:"total_fen"`
}

// PensionStore is what the list needs besides Store.
type PensionStore interface {
	Store
	// PersonsByIDs returns the persons of county with the ids.
	PersonsByIDs(ctx context.Context, county string, ids []int64) ([]registry.Record, error)
}

// ComputePensionList lists county's pension contributions of year for
// programs (the rules' pension contribution programs in force there and
// then), by program, then region and person.
func ComputePensionList(ctx context.Context, s PensionStore, as Assessor, a auth.Actor, county string, year int, programs []PensionProgram) (*PensionList, error) {
	if err := auth.Require(a, auth.PermPensionList); err != nil {
		return nil, err
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
	out := &PensionList{County: county, Year: year, Programs: programs, Rows: []PensionRow{}}
	p := PeriodOf(Year, year*12)
	for _, pp := range programs {
		roll, err := s.PaymentRoll(ctx, county, pp.Code)
		if err != nil {
			return nil, err
		}
		decided, err := assess(ctx, as, county, pp.Code, roll, []int{year})
		if err != nil {
			return nil, err
		}
		ents := map[int64]*Entitlement{}
		for _, e := range decided.entitlements() {
			ents[e.PersonID] = &e
		}
		var rows []PensionRow
		var ids []int64
		for _, r := range roll {
			d := DueFor(r, ents[r.PersonID], p, prm)
			if d.Amount() <= 0 {
				continue
			}
			rows = append(rows, PensionRow{PersonID: r.PersonID, Name: r.Name, IDNumber: r.IDNumber, Region: r.Region,
				Program: pp.Code, Tier: pp.Tier, Amount: d.Amount(), Months: d.Months})
			ids = append(ids, r.PersonID)
		}
		persons, err := s.PersonsByIDs(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		by := map[int64]registry.Record{}
		for _, x := range persons {
			by[x.ID] = x
		}
		for i := range rows {
			x := by[rows[i].PersonID]
			rows[i].Sex, rows[i].Birth, rows[i].Address = x.Sex, x.Birth, x.Address
			if x.Region != "" {
				rows[i].Region = x.Region
			}
			out.Total += rows[i].Amount
		}
		out.Rows = append(out.Rows, rows...)
	}
	return out, nil
}
