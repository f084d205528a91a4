package stats

import (
	"math"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Supervision of the work itself (督查): the year's deadlines — each
// month's report due on a day of the next month, the year's payments on
// the cards by the end of August (资金8月底前打卡到户) — each unit's
// progress against them, what is overdue, and the assessment indicators
// of the year (考评) computed from the system's own records.

// DefaultReportDay is the day of the next month by which a month's report
// is due; a region sets its own as ParamReportDay.
const DefaultReportDay = 10

// ParamReportDay names the region parameter of the report day.
const ParamReportDay = "stats_report_day"

// ParseReportDay checks a report day given as text: 1 to 28.
func ParseReportDay(s string) (int, error) {
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 28 {
		return 0, apperr.Invalidf(ParamReportDay, "报送日应为1–28之间的整数", "the report day must be a whole number from 1 to 28")
	}
	return d, nil
}

// PaymentDeadline is the day of the year's payments on the cards.
func PaymentDeadline(year int) date.Date { return date.Of(year, time.August, 31) }

// Deadline kinds.
const (
	DeadlineReport  = "report"  // a month's report
	DeadlinePayment = "payment" // the year's payments on the cards
)

// DeadlineKinds names the kinds.
var DeadlineKinds = term.List{
	{Code: DeadlineReport, ZH: "统计月报报送", EN: "Monthly report due"},
	{Code: DeadlinePayment, ZH: "奖励扶助资金打卡到户", EN: "Payments on the cards"},
}

// Progress of a unit against a deadline.
const (
	ProgressOnTime  = "on_time" // done by the deadline
	ProgressLate    = "late"    // done after it
	ProgressOverdue = "overdue" // not done, the deadline past
	ProgressDue     = "due"     // not done yet, the deadline ahead
)

// ProgressNames names the progress states.
var ProgressNames = term.List{
	{Code: ProgressOnTime, ZH: "按时完成", EN: "On time"},
	{Code: ProgressLate, ZH: "逾期完成", EN: "Done late"},
	{Code: ProgressOverdue, ZH: "已逾期未完成", EN: "Overdue"},
	{Code: ProgressDue, ZH: "未到期", EN: "Not due yet"},
}

// Deadline is one deadline of the year.
type Deadline struct {
	Kind   string    `json:"kind"`
	Period string    `json:"period"` // the month of a report, the year of payments
	Due    date.Date `json:"due"`
}

// UnitProgress is a unit's progress over the year and its indicators.
type UnitProgress struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Reports is the progress of each month's report, January first.
	Reports []string `json:"reports"`
	OnTime  int      `json:"on_time"`
	Late    int      `json:"late"`
	Overdue int      `json:"overdue"`
	// Timeliness is the share of the reports due so far submitted by
	// their day, in percent (100 when none is due yet).
	Timeliness float64 `json:"timeliness"`
	// PaymentDue and PaymentPaid are the persons on the roll (active,
	// started by the year) and those the bank paid for the year by the
	// end of August; Payment is the progress, PaymentRate the share in
	// percent.
	PaymentDue  int64   `json:"payment_due"`
	PaymentPaid int64   `json:"payment_paid"`
	Payment     string  `json:"payment"`
	PaymentRate float64 `json:"payment_rate"`
	// Quality is the data-quality score of the year's last quarter that
	// is over (-1 when none is).
	Quality float64 `json:"quality"`
	// Steps are the steps of cases due in the year against their time
	// limits (限时办结), StepsOverdue the cases waiting past their limit
	// now, Complaints the complaints, enquiries and petitions due in the
	// year answered by their deadline; the rates in percent
	// (AddTimeliness).
	Steps         Tally   `json:"steps"`
	StepRate      float64 `json:"step_rate"`
	StepsOverdue  int     `json:"steps_overdue"`
	Complaints    Tally   `json:"complaints"`
	ComplaintRate float64 `json:"complaint_rate"`
}

// Supervision is a region's year of deadlines and its units' progress.
type Supervision struct {
	Region    string         `json:"region"`
	Name      string         `json:"name"`
	Year      int            `json:"year"`
	Today     date.Date      `json:"today"`
	ReportDay int            `json:"report_day"`
	Calendar  []Deadline     `json:"calendar"`
	Units     []UnitProgress `json:"units"`
	// Quarter is the quarter whose data quality is scored ("" none).
	Quarter string `json:"quarter"`
	// StepLimits are the time limits of the steps of cases in force, in
	// days by the state the case waits in, and Overdue the cases waiting
	// past them, by unit (AddTimeliness).
	StepLimits map[string]int `json:"step_limits,omitempty"`
	Overdue    []OverdueStep  `json:"overdue_steps,omitempty"`
}

// ReportDue is the day month m's report is due.
func ReportDue(m Month, day int) date.Date {
	n := m.Add(1)
	return date.Of(n.Year, time.Month(n.Month), day)
}

// Supervise builds the supervision of reg's units for year as of today:
// approvals are the units' reports of the year, due and paid the persons
// by unit (see UnitProgress), quality the units' data quality (nil when
// no quarter of the year is over).
func Supervise(reg, name string, year int, today date.Date, day int, units []Unit, approvals []Approval,
	due, paid map[string]int64, quality *Quality) *Supervision {
	s := &Supervision{Region: reg, Name: name, Year: year, Today: today, ReportDay: day}
	for m := 1; m <= 12; m++ {
		s.Calendar = append(s.Calendar, Deadline{Kind: DeadlineReport, Period: Month{year, m}.String(), Due: ReportDue(Month{year, m}, day)})
	}
	s.Calendar = append(s.Calendar, Deadline{Kind: DeadlinePayment, Period: strconv.Itoa(year), Due: PaymentDeadline(year)})
	// Sorted by day: the payments' deadline falls between July's report
	// and August's.
	for i := len(s.Calendar) - 1; i > 0 && s.Calendar[i].Due.Before(s.Calendar[i-1].Due); i-- {
		s.Calendar[i], s.Calendar[i-1] = s.Calendar[i-1], s.Calendar[i]
	}
	byUnit := map[string]map[string]Approval{}
	for _, a := range approvals {
		if byUnit[a.Region] == nil {
			byUnit[a.Region] = map[string]Approval{}
		}
		byUnit[a.Region][a.Month] = a
	}
	scores := map[string]float64{}
	if quality != nil {
		s.Quarter = quality.Quarter
		for _, u := range quality.Units {
			scores[u.Code] = u.Score
		}
	}
	for _, u := range units {
		p := UnitProgress{Code: u.Code, Name: u.Name, Quality: -1}
		if q, ok := scores[u.Code]; ok {
			p.Quality = q
		}
		for m := 1; m <= 12; m++ {
			mm := Month{year, m}
			st := reportProgress(byUnit[u.Code][mm.String()], ReportDue(mm, day), today)
			p.Reports = append(p.Reports, st)
			switch st {
			case ProgressOnTime:
				p.OnTime++
			case ProgressLate:
				p.Late++
			case ProgressOverdue:
				p.Overdue++
			}
		}
		p.Timeliness = percent(int64(p.OnTime), int64(p.OnTime+p.Late+p.Overdue))
		p.PaymentDue, p.PaymentPaid = due[u.Code], paid[u.Code]
		p.PaymentRate = percent(p.PaymentPaid, p.PaymentDue)
		switch {
		case p.PaymentPaid >= p.PaymentDue:
			p.Payment = ProgressOnTime
		case today.After(PaymentDeadline(year)):
			p.Payment = ProgressOverdue
		default:
			p.Payment = ProgressDue
		}
		s.Units = append(s.Units, p)
	}
	return s
}

// reportProgress is the progress of a report due on day due, as of today.
func reportProgress(a Approval, due, today date.Date) string {
	if Frozen(a.Status) && !a.SubmittedAt.IsZero() {
		if date.Today(a.SubmittedAt).After(due) {
			return ProgressLate
		}
		return ProgressOnTime
	}
	if today.After(due) {
		return ProgressOverdue
	}
	return ProgressDue
}

// percent is part of whole in percent, one decimal; 100 when whole is 0.
func percent(part, whole int64) float64 {
	if whole == 0 {
		return 100
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}
