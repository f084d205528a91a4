package childcare

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// NewInspection is an inspection as the inspectors record it.
type NewInspection struct {
	Date        date.Date `json:"date"`
	Kind        string    `json:"kind"`
	Inspectors  []string  `json:"inspectors"`
	Findings    string    `json:"findings"`
	Grade       string    `json:"grade"`
	Rectify     bool      `json:"rectify"`
	Requirement string    `json:"requirement,omitempty"`
	Deadline    date.Date `json:"deadline,omitempty"`
}

// MaxInspectors is the most inspectors an inspection names.
const MaxInspectors = 20

// names checks a list of inspectors' names.
func names(field string, list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	for i, n := range list {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if e := textcheck.Check(fmt.Sprintf("%s[%d]", field, i), n, textcheck.Name, registry.MaxName); e != nil {
			return nil, e
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 || len(out) > MaxInspectors {
		return nil, apperr.Invalidf(field, "请填写检查人员（1–%d人）", "name the inspectors (1–%d)", MaxInspectors)
	}
	return out, nil
}

// Inspect records an inspection of institution id of county: the county
// or the township of the institution records it (the quarterly joint
// inspections). An inspection that asks for a rectification stays open
// until its check passes.
func Inspect(ctx context.Context, s Store, a auth.Actor, county string, id int64, in NewInspection) (*Inspection, error) {
	if err := auth.Require(a, auth.PermChildcareManage); err != nil {
		return nil, err
	}
	x, err := s.Institution(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if x.Status != StatusFiled {
		return nil, apperr.Conflictf("该机构已注销，不能再检查", "the institution is closed: it cannot be inspected")
	}
	today := date.Today(s.Now())
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if in.Date.IsZero() || in.Date.After(today) || in.Date.Before(x.Filed) {
		add(apperr.Invalidf("date", "检查日期应在备案日期与今天之间", "the inspection must lie between the filing and today"))
	}
	if !InspectionKinds.Has(in.Kind) {
		add(apperr.Invalidf("kind", "检查类型应为%s之一", "kind must be one of %s", strings.Join(InspectionKinds.Codes(), ", ")))
	}
	inspectors, err := names("inspectors", in.Inspectors)
	if err != nil {
		return nil, err
	}
	in.Findings = strings.TrimSpace(in.Findings)
	if in.Findings == "" {
		add(apperr.Invalidf("findings", "请填写检查发现的情况", "say what the inspection found"))
	}
	add(textcheck.Check("findings", in.Findings, textcheck.Para, MaxText))
	if !Grades.Has(in.Grade) {
		add(apperr.Invalidf("grade", "评定等级应为A、B、C或D", "grade must be A, B, C or D"))
	}
	in.Requirement = strings.TrimSpace(in.Requirement)
	if in.Rectify {
		if in.Requirement == "" {
			add(apperr.Invalidf("requirement", "责令整改须写明整改要求", "a rectification needs its requirement"))
		}
		if in.Deadline.IsZero() || !in.Deadline.After(in.Date) {
			add(apperr.Invalidf("deadline", "整改期限应晚于检查日期", "the deadline must come after the inspection"))
		}
	} else if in.Grade == "D" {
		add(apperr.Invalidf("rectify", "评为D级（不合格）的必须责令整改", "an inspection graded D must ask for a rectification"))
	}
	add(textcheck.Check("requirement", in.Requirement, textcheck.Para, MaxText))
	if len(errs) > 0 {
		return nil, errs
	}
	iid, err := s.NextIDs(ctx, "childcare_inspection", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Inspection{County: county, ID: iid, InstitutionID: id, Region: x.Region, Date: in.Date, Kind: in.Kind, Inspectors: inspectors,
		Findings: in.Findings, Grade: in.Grade, Rectify: in.Rectify, Requirement: in.Requirement, Deadline: in.Deadline,
		Status: InspectionClosed, RecordedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if !in.Rectify {
		r.Deadline = date.Date{}
	} else {
		r.Status = InspectionRectifying
	}
	if err := s.InsertInspection(ctx, r); err != nil {
		return nil, err
	}
	if r.Date.After(x.LastInspection) {
		x.LastInspection = r.Date
		if err := save(ctx, s, x); err != nil {
			return nil, err
		}
	}
	return r, s.Audit(ctx, inspectionEntry(a, "childcare.inspect", r, nil))
}

// RectificationCheck is the check (复查) of a rectification: when, by whom,
// whether it passed, and, when it did not, the new deadline.
type RectificationCheck struct {
	Date     date.Date `json:"date"`
	Checkers []string  `json:"checkers"`
	Passed   bool      `json:"passed"`
	Note     string    `json:"note,omitempty"`
	Deadline date.Date `json:"deadline,omitempty"`
}

// CheckRectification records the check of the rectification inspection id
// of county asked for. A check that passes closes the inspection; one that
// does not keeps it open with a new deadline.
func CheckRectification(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, c RectificationCheck) (*Inspection, error) {
	if err := auth.Require(a, auth.PermChildcareManage); err != nil {
		return nil, err
	}
	r, err := s.Inspection(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != r.Version {
		return nil, apperr.Conflictf("该检查记录已被他人修改，请刷新后重试", "the inspection was changed by someone else; reload and try again")
	}
	if r.Status != InspectionRectifying {
		return nil, apperr.Conflictf("该检查记录没有待复查的整改", "the inspection has no rectification to check")
	}
	today := date.Today(s.Now())
	if c.Date.IsZero() || c.Date.Before(r.Date) || c.Date.After(today) {
		return nil, apperr.Invalidf("date", "复查日期应在检查日期与今天之间", "the check must lie between the inspection and today")
	}
	checkers, err := names("checkers", c.Checkers)
	if err != nil {
		return nil, err
	}
	c.Note = strings.TrimSpace(c.Note)
	if e := textcheck.Check("note", c.Note, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	if !c.Passed {
		if c.Note == "" {
			return nil, apperr.Invalidf("note", "复查未通过须写明原因", "a check that fails needs its reason")
		}
		if c.Deadline.IsZero() || !c.Deadline.After(c.Date) {
			return nil, apperr.Invalidf("deadline", "复查未通过须重新确定整改期限", "a check that fails needs a new deadline")
		}
	}
	before := *r
	r.CheckedOn, r.Checkers, r.CheckPassed, r.CheckNote = c.Date, checkers, c.Passed, c.Note
	if c.Passed {
		r.Status = InspectionClosed
	} else {
		r.Deadline = c.Deadline
	}
	r.Version++
	r.UpdatedAt = s.Now()
	if err := s.UpdateInspection(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, inspectionEntry(a, "childcare.rectification_check", r, &before))
}

// OpenInspections lists the inspections of county within the actor's
// scope whose rectification waits for its check, oldest deadline first.
func OpenInspections(ctx context.Context, s Store, a auth.Actor, county string) ([]Inspection, error) {
	if err := auth.Require(a, auth.PermReportRead); err != nil {
		return nil, err
	}
	return s.OpenInspections(ctx, a.Scope, county)
}

func inspectionEntry(a auth.Actor, action string, r *Inspection, before *Inspection) audit.Entry {
	e := audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "childcare_inspection",
		EntityID: strconv.FormatInt(r.ID, 10), Region: r.Region, After: audit.JSON(r)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}
