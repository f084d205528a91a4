package stats

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Thresholds are the warnings' parameters, each a region parameter (the
// names below) that a county, city or province sets for itself.
type Thresholds struct {
	// Low and High bound the sex ratio at birth (boys per 100 girls) over
	// the rolling twelve months; MinBirths is the fewest births in the
	// window for a unit's ratio to be judged at all.
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	MinBirths int64   `json:"min_births"`
	// Jump is the factor by which a unit's births of the month must exceed
	// its monthly average of the eleven months before, and JumpMin the
	// least excess in births, for a jump to be warned.
	Jump    float64 `json:"jump"`
	JumpMin int64   `json:"jump_min"`
}

// DefaultThresholds: the normal band of the sex ratio at birth, 103–107
// (the demographers' band that the 出生人口性别比 work cites), judged from
// 20 births; a jump is twice the average and at least 5 births more.
var DefaultThresholds = Thresholds{Low: 103, High: 107, MinBirths: 20, Jump: 2, JumpMin: 5}

// The parameters' names.
const (
	ParamSRBLow    = "stats_srb_low"
	ParamSRBHigh   = "stats_srb_high"
	ParamMinBirths = "stats_srb_min_births"
	ParamJump      = "stats_births_jump"
	ParamJumpMin   = "stats_births_jump_min"
)

// Params lists the parameters' names.
var Params = []string{ParamSRBLow, ParamSRBHigh, ParamMinBirths, ParamJump, ParamJumpMin}

// SetParam checks value v for the parameter name and sets it on th.
func (th *Thresholds) SetParam(name, v string) error {
	v = strings.TrimSpace(v)
	f, err := strconv.ParseFloat(v, 64)
	bad := func() error {
		return apperr.Invalidf(name, "参数%s的值无效：%s", "invalid value of parameter %s: %s", name, v)
	}
	if err != nil || f < 0 || f > 1000 {
		return bad()
	}
	switch name {
	case ParamSRBLow:
		th.Low = f
	case ParamSRBHigh:
		th.High = f
	case ParamMinBirths:
		th.MinBirths = int64(f)
	case ParamJump:
		if f < 1 {
			return bad()
		}
		th.Jump = f
	case ParamJumpMin:
		th.JumpMin = int64(f)
	default:
		return bad()
	}
	return nil
}

// Check checks the thresholds together.
func (th Thresholds) Check() error {
	if th.Low >= th.High {
		return apperr.Invalidf(ParamSRBLow, "性别比下限应小于上限", "the sex ratio's lower bound must be below the upper")
	}
	return nil
}

// Warning kinds.
const (
	WarnSexRatioHigh = "srb_high"    // the rolling sex ratio above the band
	WarnSexRatioLow  = "srb_low"     // below it
	WarnBirthsJump   = "births_jump" // the month's births jump
	WarnNoMother     = "no_mother"   // births whose mother is not in the registry
	WarnAged         = "aged"        // recipients past AgedYears
)

// WarningKinds names the kinds.
var WarningKinds = term.List{
	{Code: WarnSexRatioHigh, ZH: "出生人口性别比偏高", EN: "Sex ratio at birth high"},
	{Code: WarnSexRatioLow, ZH: "出生人口性别比偏低", EN: "Sex ratio at birth low"},
	{Code: WarnBirthsJump, ZH: "本月出生数骤增", EN: "Births jump this month"},
	{Code: WarnNoMother, ZH: "母亲不在人口库的出生", EN: "Births whose mother is not in the registry"},
	{Code: WarnAged, ZH: "在册领取人年满100岁", EN: "Recipients aged 100 or more"},
}

// Warning is one warning of a report: its kind, the unit ("" for the
// report's region), the value that set it off against the bound, and the
// figure whose persons are behind it.
type Warning struct {
	Kind     string  `json:"kind"`
	Unit     string  `json:"unit"`
	UnitName string  `json:"unit_name"`
	Value    float64 `json:"value"`
	Bound    float64 `json:"bound"`
	Count    int64   `json:"count"`
	Figure   string  `json:"figure"`
}

// Warnings reads the warnings of report r under th: for the region and
// each unit, the rolling sex ratio outside the band, births jumping,
// births whose mother is not in the registry, and aged recipients.
func Warnings(r *Report, th Thresholds) []Warning {
	var out []Warning
	f := r.Figures
	units := append([]Unit{{Code: "", Name: r.RegionName}}, r.Units...)
	for _, u := range units {
		n := f[Key(u.Code, "r12", "all", "all")]
		if ratio, ok := f.Ratio("r12", "all", u.Code); ok && n >= th.MinBirths {
			switch {
			case ratio > th.High:
				out = append(out, Warning{Kind: WarnSexRatioHigh, Unit: u.Code, UnitName: u.Name, Value: round1(ratio), Bound: th.High, Count: n, Figure: Key(u.Code, "r12", "all", "all")})
			case ratio < th.Low:
				out = append(out, Warning{Kind: WarnSexRatioLow, Unit: u.Code, UnitName: u.Name, Value: round1(ratio), Bound: th.Low, Count: n, Figure: Key(u.Code, "r12", "all", "all")})
			}
		}
		b := f[Key(u.Code, "births", "all", "all")]
		avg := float64(n-b) / float64(Window-1)
		if float64(b) > th.Jump*avg && float64(b)-avg >= float64(th.JumpMin) {
			out = append(out, Warning{Kind: WarnBirthsJump, Unit: u.Code, UnitName: u.Name, Value: float64(b), Bound: round1(avg), Count: b, Figure: Key(u.Code, "births", "all", "all")})
		}
		if c := f[Key(u.Code, "births", "p0", "all")]; c > 0 {
			out = append(out, Warning{Kind: WarnNoMother, Unit: u.Code, UnitName: u.Name, Value: float64(c), Count: c, Figure: Key(u.Code, "births", "p0", "all")})
		}
		if c := f[Key(u.Code, "aged")]; c > 0 {
			out = append(out, Warning{Kind: WarnAged, Unit: u.Code, UnitName: u.Name, Value: float64(c), Bound: AgedYears, Count: c, Figure: Key(u.Code, "aged")})
		}
	}
	return out
}

func round1(v float64) float64 {
	f, _ := strconv.ParseFloat(fmt.Sprintf("%.1f", v), 64)
	return f
}
