package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/term"
)

// The registry's data quality, checked every quarter (每季度对全员数据
// 进行一次专项督查): each check lists the persons whose records it finds
// wrong or doubtful, and each unit gets a score from the share of its
// living residents that no check names.

// Quarter is a calendar quarter.
type Quarter struct {
	Year, Q int
}

// ParseQuarter reads a quarter written 2026-Q1.
func ParseQuarter(s string) (Quarter, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y, q, ok := strings.Cut(s, "-Q")
	yy, err1 := strconv.Atoi(y)
	qq, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || len(q) != 1 || yy < 1950 || yy > 2100 || qq < 1 || qq > 4 {
		return Quarter{}, apperr.Invalidf("quarter", "季度应写作“2026-Q1”", "the quarter must be written 2026-Q1")
	}
	return Quarter{yy, qq}, nil
}

// QuarterOf is the quarter of day d.
func QuarterOf(d date.Date) Quarter { return Quarter{d.Year(), (int(d.Month())-1)/3 + 1} }

// String writes the quarter as 2026-Q1.
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// Last is the quarter's last day: the day the checks are made as of.
func (q Quarter) Last() date.Date {
	return date.Of(q.Year, time.Month(q.Q*3), 1).AddMonths(1).AddDays(-1)
}

// Add is the quarter n quarters later.
func (q Quarter) Add(n int) Quarter {
	i := q.Year*4 + q.Q - 1 + n
	return Quarter{i / 4, i%4 + 1}
}

// The checks.
const (
	CheckNoID        = "no_id"        // no ID number
	CheckNoVillage   = "no_village"   // hukou recorded above the village
	CheckYoungMother = "young_mother" // a mother under 15 at a birth
	CheckOld         = "too_old"      // alive past 110
	CheckPosthumous  = "posthumous"   // born after a parent's death (a father's beyond nine months)
	CheckDuplicate   = "duplicate"    // another person of the county with the same name, sex and birth day
	CheckDeadOnRoll  = "dead_on_roll" // dead, yet active on a roll
	CheckStale       = "stale"        // not changed for StaleYears years
)

// Checks names the checks.
var Checks = term.List{
	{Code: CheckNoID, ZH: "缺少身份证号", EN: "No ID number"},
	{Code: CheckNoVillage, ZH: "户籍地未到村（居）", EN: "Hukou not recorded to the village"},
	{Code: CheckYoungMother, ZH: "生育时母亲不满15周岁", EN: "Mother under 15 at a birth"},
	{Code: CheckOld, ZH: "在世且超过110周岁", EN: "Alive past 110"},
	{Code: CheckPosthumous, ZH: "出生日期晚于父母死亡（父亲超过9个月）", EN: "Born after a parent's death (a father's beyond nine months)"},
	{Code: CheckDuplicate, ZH: "疑似重复人员", EN: "Probable duplicate"},
	{Code: CheckDeadOnRoll, ZH: "已死亡仍在名册", EN: "Dead, still on a roll"},
	{Code: CheckStale, ZH: "多年未更新", EN: "Not updated for years"},
}

// StaleYears is how long a record may stay unchanged before it is listed.
const StaleYears = 5

// OldYears is the age past which a living person is listed.
const OldYears = 110

// Issue is a person a check names.
type Issue struct {
	Check  string
	County string
	ID     int64
	Region string
}

// Parenthood is a birth tie for the checks of dates: the child's birth,
// the parent's sex, birth and death.
type Parenthood struct {
	County      string
	Child       int64
	Region      string // the child's
	ChildBirth  date.Date
	ParentSex   string
	ParentBirth date.Date
	ParentDeath date.Date
}

// ParentIssues returns the issues of the birth ties: a mother under 15 at
// the birth, a child born after the mother's death or more than nine
// months after the father's (the child is named).
func ParentIssues(ts []Parenthood) []Issue {
	var out []Issue
	for _, t := range ts {
		if t.ParentSex == Female && t.ChildBirth.Before(t.ParentBirth.AddMonths(15*12)) {
			out = append(out, Issue{Check: CheckYoungMother, County: t.County, ID: t.Child, Region: t.Region})
		}
		if !t.ParentDeath.IsZero() {
			limit := t.ParentDeath
			if t.ParentSex == Male {
				limit = t.ParentDeath.AddMonths(9)
			}
			if t.ChildBirth.After(limit) {
				out = append(out, Issue{Check: CheckPosthumous, County: t.County, ID: t.Child, Region: t.Region})
			}
		}
	}
	return out
}

// UnitQuality is a unit's row of the quality report.
type UnitQuality struct {
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Population int64          `json:"population"`
	Flagged    int64          `json:"flagged"`
	Score      float64        `json:"score"`
	ByCheck    map[string]int `json:"by_check"`
}

// Quality is a region's quality report of a quarter.
type Quality struct {
	Region  string        `json:"region"`
	Name    string        `json:"name"`
	Quarter string        `json:"quarter"`
	Units   []UnitQuality `json:"units"`
	Total   UnitQuality   `json:"total"`
}

// ComputeQuality scores the units from the population (living residents
// on the quarter's last day, by unit code) and the issues: a unit's score
// is 100 × (1 − persons named ÷ residents), one decimal.
func ComputeQuality(reg, name string, q Quarter, units []Unit, pop map[string]int64, issues []Issue) *Quality {
	out := &Quality{Region: reg, Name: name, Quarter: q.String(), Total: UnitQuality{Code: reg, Name: name, ByCheck: map[string]int{}}}
	rows := map[string]*UnitQuality{}
	for _, u := range units {
		rows[u.Code] = &UnitQuality{Code: u.Code, Name: u.Name, ByCheck: map[string]int{}}
	}
	for code, n := range pop {
		if r := rows[unitOf(units, code)]; r != nil {
			r.Population += n
		}
		out.Total.Population += n
	}
	seen := map[Ref]bool{}
	counted := map[string]bool{}
	for _, is := range issues {
		ref := Ref{is.County, is.ID}
		if k := fmt.Sprint(is.Check, ref); !counted[k] {
			counted[k] = true
			if r := rows[unitOf(units, is.Region)]; r != nil {
				r.ByCheck[is.Check]++
			}
			out.Total.ByCheck[is.Check]++
		}
		r := rows[unitOf(units, is.Region)]
		if !seen[ref] {
			seen[ref] = true
			out.Total.Flagged++
			if r != nil {
				r.Flagged++
			}
		}
	}
	for _, u := range units {
		r := rows[u.Code]
		r.Score = score(r.Flagged, r.Population)
		out.Units = append(out.Units, *r)
	}
	out.Total.Score = score(out.Total.Flagged, out.Total.Population)
	return out
}

func score(flagged, pop int64) float64 {
	if pop == 0 {
		return 100
	}
	return math.Round(math.Max(0, 1-float64(flagged)/float64(pop))*1000) / 10
}

// IssuesOf returns the persons of the issues of check ("" any) in unit
// ("" the whole region), once each.
func IssuesOf(units []Unit, issues []Issue, check, unit string) []Ref {
	var out []Ref
	seen := map[Ref]bool{}
	for _, is := range issues {
		if (check == "" || is.Check == check) && (unit == "" || unitOf(units, is.Region) == unit) {
			r := Ref{is.County, is.ID}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
