package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The statistics' use cases (docs/statistics.md): the monthly report of a
// region computed from the records, with its warnings; the persons behind
// a figure; the report's approval upward (submit, approve, return,
// unlock); the revisions of locked months; and the warnings' thresholds,
// which a county, city or province sets for itself.

// MonthlyReport is a region's monthly report as a user reads it, with the
// warnings under the thresholds in force.
type MonthlyReport struct {
	*stats.View
	Warnings   []stats.Warning  `json:"warnings"`
	Thresholds stats.Thresholds `json:"thresholds"`
	// Names are the programs' names in the language asked for, by code.
	Names map[string]string `json:"program_names"`
}

// reportOp is the access rule of a use case on reg's report.
func reportOp(name string, perm auth.Permission, reg region.Code, m stats.Month) op {
	return op{name: name, perm: perm, target: Target{Entity: "report", ID: string(reg) + "/" + m.String(), Region: reg}}
}

// parseReport reads a report's region and month.
func parseReport(reg, month string) (region.Code, stats.Month, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return "", stats.Month{}, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	m, err := stats.ParseMonth(month)
	return c, m, err
}

// MonthlyReport returns reg's report of month (2026-11): the snapshot when
// it is submitted or locked, else the figures computed now.
// lang names the programs (zh or en).
func (a *App) MonthlyReport(ctx context.Context, who auth.Actor, reg, month, lang string) (*MonthlyReport, error) {
	c, m, err := parseReport(reg, month)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, reportOp("report.read", auth.PermReportRead, c, m), func(tx *store.Tx) (*MonthlyReport, error) {
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		v, err := stats.Get(ctx, tx, t, who, c, m)
		if err != nil {
			return nil, err
		}
		th, err := a.thresholds(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		return &MonthlyReport{View: v, Warnings: stats.Warnings(v.Report, th), Thresholds: th, Names: names}, nil
	})
}

// ReportAdjustments returns the adjustments reg's open month carries: the
// changes found in the locked months right before it, not yet recorded
// as revisions. Each of those months is computed again, so the report
// reads them only when asked; submitting the month records them.
func (a *App) ReportAdjustments(ctx context.Context, who auth.Actor, reg, month string) ([]stats.Revision, error) {
	c, m, err := parseReport(reg, month)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, reportOp("report.adjustments", auth.PermReportRead, c, m), func(tx *store.Tx) ([]stats.Revision, error) {
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		return stats.Pending(ctx, tx, t, c, m)
	})
}

// thresholds are the warnings' thresholds in force for reg.
func (a *App) thresholds(ctx context.Context, tx *store.Tx, reg region.Code) (stats.Thresholds, error) {
	th := stats.DefaultThresholds
	for _, p := range stats.Params {
		v, err := tx.Param(ctx, reg, p)
		if err != nil {
			return th, err
		}
		if v != "" {
			if err := th.SetParam(p, v); err != nil {
				return th, err
			}
		}
	}
	return th, nil
}

// SetReportThreshold sets a warnings' threshold (stats.Params) for the
// region of the actor's own level (a county, city or province manager of
// rules). It is audited.
func (a *App) SetReportThreshold(ctx context.Context, who auth.Actor, code, name, value string) error {
	c, err := region.ParseCode(code)
	if err != nil || c.Level() > region.County {
		return apperr.Invalidf("region", "参数应设在省、市或县一级", "the threshold is set for a province, a city or a county")
	}
	o := op{name: "report.threshold", perm: auth.PermRulesManage, target: Target{Entity: "report_threshold", ID: name, Region: c}}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		if who.Scope != c && who != auth.System {
			return apperr.Forbiddenf("只能为本级区划设定参数", "you may set the thresholds of your own region only")
		}
		th, err := a.thresholds(ctx, tx, c)
		if err != nil {
			return err
		}
		old := th
		if err := th.SetParam(name, value); err != nil {
			return err
		}
		if err := th.Check(); err != nil {
			return err
		}
		prefix, _ := c.Prefix()
		if err := tx.SetParam(ctx, prefix, name, value); err != nil {
			return err
		}
		county := ""
		if c.Level() == region.County {
			county = string(c)
		}
		return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "report.threshold",
			Entity: "report_threshold", EntityID: name, Region: string(c), Before: audit.JSON(old), After: audit.JSON(th)})
	})
}

// PersonRow is a person behind a figure, as lists show persons: the ID
// number masked.
type PersonRow struct {
	County   string    `json:"county"`
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number"`
	Sex      string    `json:"sex"`
	Birth    date.Date `json:"birth"`
	Death    date.Date `json:"death,omitzero"`
	Region   string    `json:"region"`
}

func personRow(r registry.Record) PersonRow {
	return PersonRow{County: r.County, ID: r.ID, Name: r.Name, IDNumber: idcard.Number(r.IDNumber).Masked(), Sex: r.Sex,
		Birth: r.Birth, Death: r.Death, Region: r.Region}
}

// MaxReportPersons is the longest page of persons behind a figure.
const MaxReportPersons = 500

// ReportPersons returns the persons behind the figure of reg's report of
// month (stats.Key), a page of them from offset, within the actor's scope,
// and how many there are in scope. The list is read from today's records:
// for a locked month it may differ from the locked figure by the month's
// revisions.
func (a *App) ReportPersons(ctx context.Context, who auth.Actor, reg, month, figure string, offset, limit int) ([]PersonRow, int, error) {
	c, m, err := parseReport(reg, month)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > MaxReportPersons {
		limit = MaxReportPersons
	}
	var rows []PersonRow
	var total int
	// The list names persons: it needs the right to read the registry
	// (every role that has it reads reports too).
	o := reportOp("report.persons", auth.PermRegistryRead, c, m)
	err = a.view(ctx, who, o, func(tx *store.Tx) error {
		if err := auth.Require(who, auth.PermReportRead); err != nil {
			return err
		}
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return err
		}
		names, _ := stats.DivisionsOn(t, m)
		units := stats.UnitsOf(names, c)
		if err := stats.CheckKey(c, units, figure); err != nil {
			return err
		}
		if stats.IsSpecial(figure) {
			return apperr.Invalidf("figure", "特殊家庭的名单请从特殊家庭统计项打开", "the special families are listed by ReportFamilies")
		}
		var refs []stats.Ref
		if program, unit, ok := stats.PaidProgram(figure); ok {
			scope := c
			if unit != "" {
				scope = region.Code(unit)
			}
			if refs, err = tx.PaidPersons(ctx, scope, program, m.First(), m.Last()); err != nil {
				return err
			}
		} else {
			f, _, _, err := stats.FactsOn(ctx, tx, t, c, m, false)
			if err != nil {
				return err
			}
			refs = stats.Behind(c, m, units, f, figure)
		}
		recs, err := tx.PersonsByRefs(ctx, who.Scope, refs)
		if err != nil {
			return err
		}
		total = len(recs)
		if offset < 0 || offset > len(recs) {
			offset = len(recs)
		}
		for _, r := range recs[offset:min(len(recs), offset+limit)] {
			rows = append(rows, personRow(r))
		}
		return nil
	})
	return rows, total, err
}

// ReportStep is a step of the approval of reg's report of month: version
// is the version read, reason a return's or an unlock's reason.
type ReportStep struct {
	Region  string `json:"region"`
	Month   string `json:"month"`
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s ReportStep) parse() (stats.Step, error) {
	c, m, err := parseReport(s.Region, s.Month)
	return stats.Step{Region: c, Month: m, Version: s.Version, Reason: s.Reason}, err
}

// report runs one approval step under the permission to approve reports.
func (a *App) reportStep(ctx context.Context, who auth.Actor, name string, in ReportStep,
	fn func(tx *store.Tx, st stats.Step) (*stats.Approval, error)) (*stats.Approval, error) {
	st, err := in.parse()
	if err != nil {
		return nil, err
	}
	o := reportOp(name, auth.PermReportApprove, st.Region, st.Month)
	return write(a, ctx, who, o, func(tx *store.Tx) (*stats.Approval, error) { return fn(tx, st) })
}

// SubmitReport submits the actor's own region's report of a month to the
// level above: its figures are frozen.
func (a *App) SubmitReport(ctx context.Context, who auth.Actor, in ReportStep) (*stats.Approval, error) {
	return a.reportStep(ctx, who, "report.submit", in, func(tx *store.Tx, st stats.Step) (*stats.Approval, error) {
		t, err := a.divisions(ctx, tx, st.Region)
		if err != nil {
			return nil, err
		}
		return stats.Submit(ctx, tx, t, who, st)
	})
}

// ApproveReport approves a submitted report of the level below: it is
// locked.
func (a *App) ApproveReport(ctx context.Context, who auth.Actor, in ReportStep) (*stats.Approval, error) {
	return a.reportStep(ctx, who, "report.approve", in, func(tx *store.Tx, st stats.Step) (*stats.Approval, error) {
		return stats.Approve(ctx, tx, who, st)
	})
}

// ReturnReport returns a submitted report of the level below with a
// reason.
func (a *App) ReturnReport(ctx context.Context, who auth.Actor, in ReportStep) (*stats.Approval, error) {
	return a.reportStep(ctx, who, "report.return", in, func(tx *store.Tx, st stats.Step) (*stats.Approval, error) {
		return stats.Return(ctx, tx, who, st)
	})
}

// UnlockReport reopens a locked report of the level below, with a reason.
func (a *App) UnlockReport(ctx context.Context, who auth.Actor, in ReportStep) (*stats.Approval, error) {
	return a.reportStep(ctx, who, "report.unlock", in, func(tx *store.Tx, st stats.Step) (*stats.Approval, error) {
		return stats.Unlock(ctx, tx, who, st)
	})
}

// ReportRevisions lists the revisions recorded for reg's locked months.
func (a *App) ReportRevisions(ctx context.Context, who auth.Actor, reg string) ([]stats.Revision, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return nil, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	o := op{name: "report.revisions", perm: auth.PermReportRead, target: Target{Entity: "report", ID: string(c), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]stats.Revision, error) {
		return tx.Revisions(ctx, string(c))
	})
}

// DataQuality returns the quality of the registry of reg as of the last
// day of quarter (2026-Q1): the checks' counts and a score by unit.
func (a *App) DataQuality(ctx context.Context, who auth.Actor, reg, quarter string) (*stats.Quality, error) {
	c, q, err := parseQuality(reg, quarter)
	if err != nil {
		return nil, err
	}
	o := op{name: "report.quality", perm: auth.PermReportRead, target: Target{Entity: "quality", ID: string(c) + "/" + q.String(), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*stats.Quality, error) {
		issues, pop, err := tx.QualityFacts(ctx, c, q.Last())
		if err != nil {
			return nil, err
		}
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		return stats.ComputeQuality(string(c), t.FullName(c), q, stats.UnitsOf(t, c), pop, issues), nil
	})
}

func parseQuality(reg, quarter string) (region.Code, stats.Quarter, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return "", stats.Quarter{}, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	q, err := stats.ParseQuarter(quarter)
	return c, q, err
}

// QualityPersons lists the persons that check ("" any) names in unit (""
// the whole region) of reg's quality report of quarter, a page from
// offset, within the actor's scope, and how many there are.
func (a *App) QualityPersons(ctx context.Context, who auth.Actor, reg, quarter, check, unit string, offset, limit int) ([]PersonRow, int, error) {
	c, q, err := parseQuality(reg, quarter)
	if err != nil {
		return nil, 0, err
	}
	if check != "" && !stats.Checks.Has(check) {
		return nil, 0, apperr.Invalidf("check", "没有这项检查", "no such check")
	}
	if limit <= 0 || limit > MaxReportPersons {
		limit = MaxReportPersons
	}
	var rows []PersonRow
	var total int
	o := op{name: "report.quality_persons", perm: auth.PermRegistryRead, target: Target{Entity: "quality", ID: string(c) + "/" + q.String(), Region: c}}
	err = a.view(ctx, who, o, func(tx *store.Tx) error {
		if err := auth.Require(who, auth.PermReportRead); err != nil {
			return err
		}
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return err
		}
		units := stats.UnitsOf(t, c)
		if unit != "" && !slices.ContainsFunc(units, func(u stats.Unit) bool { return u.Code == unit }) {
			return apperr.Invalidf("unit", "该单位不在本报表中", "the unit is not one of the report's")
		}
		issues, _, err := tx.QualityFacts(ctx, c, q.Last())
		if err != nil {
			return err
		}
		recs, err := tx.PersonsByRefs(ctx, who.Scope, stats.IssuesOf(units, issues, check, unit))
		if err != nil {
			return err
		}
		total = len(recs)
		offset = min(max(offset, 0), len(recs))
		for _, r := range recs[offset:min(len(recs), offset+limit)] {
			rows = append(rows, personRow(r))
		}
		return nil
	})
	return rows, total, err
}

// Supervision returns the year's deadlines of reg's units and their
// progress: each month's report by the report day in force
// (stats.ParamReportDay), the year's payments on the cards by the end of
// August, and the data-quality score of the year's last quarter that is
// over — the indicators of the year-end assessment.
func (a *App) Supervision(ctx context.Context, who auth.Actor, reg string, year int) (*stats.Supervision, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return nil, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	if year < 2000 || year > 2100 {
		return nil, apperr.Invalidf("year", "年度无效", "invalid year")
	}
	o := op{name: "report.supervision", perm: auth.PermReportRead, target: Target{Entity: "supervision", ID: string(c) + "/" + strconv.Itoa(year), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*stats.Supervision, error) {
		day := stats.DefaultReportDay
		if v, err := tx.Param(ctx, c, stats.ParamReportDay); err != nil {
			return nil, err
		} else if v != "" {
			if day, err = stats.ParseReportDay(v); err != nil {
				return nil, err
			}
		}
		today := date.Today(tx.Now())
		t, err := a.divisions(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		units := stats.UnitsOf(t, c)
		codes := make([]string, len(units))
		for i, u := range units {
			codes[i] = u.Code
		}
		approvals, err := tx.ReportYear(ctx, codes, year)
		if err != nil {
			return nil, err
		}
		due, paid, err := tx.PaymentProgress(ctx, c, year, stats.PaymentDeadline(year))
		if err != nil {
			return nil, err
		}
		var quality *stats.Quality
		last := stats.QuarterOf(today).Add(-1)
		if last.Year > year {
			last = stats.Quarter{Year: year, Q: 4}
		}
		if last.Year == year {
			issues, pop, err := tx.QualityFacts(ctx, c, last.Last())
			if err != nil {
				return nil, err
			}
			quality = stats.ComputeQuality(string(c), a.tree().FullName(c), last, units, pop, issues)
		}
		s := stats.Supervise(string(c), a.tree().FullName(c), year, today, day, units, approvals, due, paid, quality)
		return s, a.addTimeliness(ctx, tx, c, s, units)
	})
}

// Pyramid returns the population pyramid of reg on day on (YYYY-MM-DD;
// today when empty): the living residents by five-year age band and sex.
func (a *App) Pyramid(ctx context.Context, who auth.Actor, reg, on string) (*stats.Pyramid, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return nil, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	var day date.Date
	if on != "" {
		if day, err = date.Parse(on); err != nil {
			return nil, apperr.Invalidf("on", "日期无效", "invalid date")
		}
	}
	o := op{name: "report.pyramid", perm: auth.PermReportRead, target: Target{Entity: "pyramid", ID: string(c), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*stats.Pyramid, error) {
		if day.IsZero() {
			day = date.Today(tx.Now())
		}
		rows, err := tx.AgeSex(ctx, c, day)
		if err != nil {
			return nil, err
		}
		return stats.BuildPyramid(string(c), a.tree().FullName(c), day, rows), nil
	})
}

// lastWarnings returns the month and the warnings of reg's latest report
// frozen (submitted or locked) in the three months before this one, from
// its snapshot; "" and none when there is none.
func (a *App) lastWarnings(ctx context.Context, tx *store.Tx, reg region.Code) (string, []stats.Warning, error) {
	m := stats.MonthOf(date.Today(tx.Now()))
	hist, err := tx.ReportHistory(ctx, string(reg), m.Add(-3), m.Add(-1))
	if err != nil {
		return "", nil, err
	}
	for _, x := range slices.Backward(hist) {
		if stats.Frozen(x.Status) && x.Snapshot != nil {
			th, err := a.thresholds(ctx, tx, reg)
			if err != nil {
				return "", nil, err
			}
			return x.Month, stats.Warnings(x.Snapshot, th), nil
		}
	}
	return "", nil, nil
}
