package payment

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Params are a county's payment parameters. Each has a regional default
// (national, then province, then city, then county, by division prefix)
// that a county may override in its stored parameters.
type Params struct {
	// TFPeriod is the period of the special-assistance programs (tf_*):
	// month, quarter, half or year (Shanghai pays quarterly, Sichuan in
	// June and December).
	TFPeriod PeriodKind `json:"tf_period"`
	// BackPayYears is how many years before the confirmation year may be
	// paid. The default, 0, is the national rule: no back pay before the
	// year a person was confirmed (rules.md §1.11 arrears).
	BackPayYears int `json:"back_pay_years"`
	// LookbackYears is how many years before a cycle's year it looks back
	// for arrears (periods already run in which a person was not paid) and
	// corrections (periods paid with an amount that is no longer right).
	LookbackYears int `json:"lookback_years"`
	// Payer names the paying office on notification letters.
	Payer string `json:"payer"`
	// EnquiryPhone and ReportPhone are printed on notification letters
	// (咨询电话, 举报电话).
	EnquiryPhone string `json:"enquiry_phone"`
	ReportPhone  string `json:"report_phone"`
	// ReviewDeadline is the day of each year (MM-DD) by which every
	// recipient on the roll before that year must have been seen at the
	// annual face-to-face review (年审人人见面), or the reason recorded;
	// after it, the money of those not seen is held (ReviewHolds). Empty:
	// the county holds nobody for the review.
	ReviewDeadline string `json:"review_deadline"`
	// CardDeadline is the day of each year (MM-DD) by which the year's
	// money must be on the recipients' cards (the national rule: the end
	// of August, 8月底); the payment calendar reads it.
	CardDeadline string `json:"card_deadline"`
}

// defaultParams are the regional defaults, by division prefix ("" is
// national). A longer prefix overrides a shorter one, name by name.
var defaultParams = map[string]map[string]string{
	"":   {"tf_period": "quarter", "back_pay_years": "0", "lookback_years": "1", "payer": "", "enquiry_phone": "", "report_phone": "12345", "review_deadline": "", "card_deadline": "08-31"},
	"31": {"tf_period": "quarter"}, // 上海 特扶: quarterly (rules.md §2.7)
	"51": {"tf_period": "half"},    // 四川 特扶: June and December
}

// ParamNames lists the parameter names a county may set.
var ParamNames = []string{"tf_period", "back_pay_years", "lookback_years", "payer", "enquiry_phone", "report_phone", "review_deadline", "card_deadline"}

// ResolveParams returns the parameters of county: the regional defaults
// overlaid with the county's stored values.
func ResolveParams(county string, stored map[string]string) (Params, error) {
	merged := map[string]string{}
	var prefixes []string
	for p := range defaultParams {
		if strings.HasPrefix(county, p) {
			prefixes = append(prefixes, p)
		}
	}
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i]) < len(prefixes[j]) })
	for _, p := range prefixes {
		for k, v := range defaultParams[p] {
			merged[k] = v
		}
	}
	for k, v := range stored {
		merged[k] = v
	}
	return parseParams(merged)
}

func parseParams(m map[string]string) (Params, error) {
	var p Params
	var errs apperr.List
	for _, name := range ParamNames {
		v := m[name]
		switch name {
		case "tf_period":
			switch k := PeriodKind(v); k {
			case Year, Half, Quarter, Month:
				p.TFPeriod = k
			default:
				errs = append(errs, apperr.Invalidf(name, "应为 month、quarter、half 或 year", "must be month, quarter, half or year"))
			}
		case "back_pay_years", "lookback_years":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 10 {
				errs = append(errs, apperr.Invalidf(name, "应为 0 至 10 的整数", "must be an integer from 0 to 10"))
			}
			if name == "back_pay_years" {
				p.BackPayYears = n
			} else {
				p.LookbackYears = n
			}
		case "payer":
			p.Payer = v
		case "enquiry_phone":
			p.EnquiryPhone = v
		case "report_phone":
			p.ReportPhone = v
		case "review_deadline":
			if v != "" {
				if _, ok := deadlineIn(v, 2025); !ok {
					errs = append(errs, apperr.Invalidf(name, "应为月-日，如 06-30", "must be month-day, e.g. 06-30"))
				}
			}
			p.ReviewDeadline = v
		case "card_deadline":
			if _, ok := deadlineIn(v, 2025); !ok {
				errs = append(errs, apperr.Invalidf(name, "应为月-日，如 08-31", "must be month-day, e.g. 08-31"))
			}
			p.CardDeadline = v
		}
	}
	for k := range m {
		if !known(k) {
			errs = append(errs, apperr.Invalidf(k, "未知的发放参数", "unknown payment parameter"))
		}
	}
	return p, errs.Err()
}

func known(name string) bool {
	for _, n := range ParamNames {
		if n == name {
			return true
		}
	}
	return false
}

// PeriodKindOf returns the period kind of program under p: the tf_*
// programs follow TFPeriod, every other program is paid per year.
func (p Params) PeriodKindOf(program string) PeriodKind {
	if strings.HasPrefix(program, "tf_") {
		return p.TFPeriod
	}
	return Year
}

// CountyParams returns the parameters in force for county: the regional
// defaults overlaid with the county's stored values.
func CountyParams(ctx context.Context, s Store, county string) (Params, error) {
	return countyParams(ctx, s, county)
}
