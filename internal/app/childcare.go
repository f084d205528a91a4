package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The childcare institutions' use cases (托育机构备案, docs/births.md): the
// county files institutions, changes and closes filings; the county and
// the township record inspections and the check of a rectification; staff
// read filings and the indicator of places per 1,000 residents by
// township against the target, which the rules' managers set.

// institutionOp is the access rule of a use case on filing id of county:
// perm, and the institution's region within the actor's scope.
func institutionOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "childcare_institution", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			x, err := tx.Institution(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(x.Region), nil
		}}
}

// FileChildcare records the filing of a childcare institution of county.
func (a *App) FileChildcare(ctx context.Context, who auth.Actor, county string, in childcare.NewInstitution) (*childcare.Institution, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "childcare.file", perm: auth.PermChildcareManage, target: Target{Entity: "childcare_institution", Region: region.Code(county)}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*childcare.Institution, error) {
		if err := a.inForce(ctx, tx, "region", in.Region); err != nil {
			return nil, err
		}
		return childcare.File(ctx, tx, who, county, in)
	})
}

// AmendChildcare records a change of filing id of county: in is the new
// state, effective from effective, for reason. version is the version
// read.
func (a *App) AmendChildcare(ctx context.Context, who auth.Actor, county string, id int64, version int, in childcare.NewInstitution, effective date.Date, reason string) (*childcare.Institution, error) {
	o := institutionOp("childcare.change", auth.PermChildcareManage, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*childcare.Institution, error) {
		if err := a.inForce(ctx, tx, "region", in.Region); err != nil {
			return nil, err
		}
		return childcare.Amend(ctx, tx, who, county, id, version, in, effective, reason)
	})
}

// CloseChildcare records the closure of filing id of county on day on.
func (a *App) CloseChildcare(ctx context.Context, who auth.Actor, county string, id int64, version int, on date.Date, reason string) (*childcare.Institution, error) {
	o := institutionOp("childcare.close", auth.PermChildcareManage, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*childcare.Institution, error) {
		return childcare.Close(ctx, tx, who, county, id, version, on, reason)
	})
}

// ChildcareInstitution returns filing id of county with its changes and
// inspections.
func (a *App) ChildcareInstitution(ctx context.Context, who auth.Actor, county string, id int64) (*childcare.Filing, error) {
	return look(a, ctx, who, institutionOp("childcare.read", auth.PermReportRead, county, id), func(tx *store.Tx) (*childcare.Filing, error) {
		return childcare.Get(ctx, tx, who, county, id)
	})
}

// ChildcareInstitutions returns a page of the filings of county within the
// actor's scope that q selects, and how many it selects.
func (a *App) ChildcareInstitutions(ctx context.Context, who auth.Actor, county string, q childcare.Query) ([]childcare.Institution, int, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, 0, err
	}
	var xs []childcare.Institution
	var n int
	t := Target{Entity: "childcare_institution", Region: region.Code(q.Region)}
	err = a.view(ctx, who, op{name: "childcare.list", perm: auth.PermReportRead, target: t}, func(tx *store.Tx) (err error) {
		xs, n, err = childcare.List(ctx, tx, who, county, q)
		return err
	})
	return xs, n, err
}

// InspectChildcare records an inspection of institution id of county.
func (a *App) InspectChildcare(ctx context.Context, who auth.Actor, county string, id int64, in childcare.NewInspection) (*childcare.Inspection, error) {
	o := institutionOp("childcare.inspect", auth.PermChildcareManage, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*childcare.Inspection, error) {
		return childcare.Inspect(ctx, tx, who, county, id, in)
	})
}

// CheckChildcareRectification records the check of the rectification
// inspection id of county asked for.
func (a *App) CheckChildcareRectification(ctx context.Context, who auth.Actor, county string, id int64, version int, c childcare.RectificationCheck) (*childcare.Inspection, error) {
	o := op{name: "childcare.rectification_check", perm: auth.PermChildcareManage,
		target: Target{Entity: "childcare_inspection", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			x, err := tx.Inspection(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(x.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*childcare.Inspection, error) {
		return childcare.CheckRectification(ctx, tx, who, county, id, version, c)
	})
}

// OpenChildcareInspections lists the inspections of county within the
// actor's scope whose rectification waits for its check.
func (a *App) OpenChildcareInspections(ctx context.Context, who auth.Actor, county string) ([]childcare.Inspection, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "childcare.inspections_open", perm: auth.PermReportRead, target: Target{Entity: "childcare_inspection"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]childcare.Inspection, error) {
		return childcare.OpenInspections(ctx, tx, who, county)
	})
}

// ChildcarePlaces returns the indicator of childcare places per 1,000
// residents of county by township, today, against the target in force
// for the county (childcare.TargetParam, else childcare.DefaultTarget).
// A township's officer reads the county's table too: it is a county's
// figure, and holds no person.
func (a *App) ChildcarePlaces(ctx context.Context, who auth.Actor, county string) (*childcare.PlacesReport, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "childcare.places", perm: auth.PermReportRead, target: Target{Entity: "childcare_places", Region: region.Code(county)}}
	reader := who
	if c := region.Code(county); !who.CanSee(c) && c.Contains(who.Scope) {
		o.target.Region, reader.Scope = who.Scope, c
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*childcare.PlacesReport, error) {
		target, err := a.placesTarget(ctx, tx, county)
		if err != nil {
			return nil, err
		}
		return childcare.Report(ctx, tx, reader, county, date.Today(tx.Now()), target)
	})
}

// placesTarget is the target in force for county.
func (a *App) placesTarget(ctx context.Context, tx *store.Tx, county string) (float64, error) {
	v, err := tx.Param(ctx, region.Code(county), childcare.TargetParam)
	if err != nil || v == "" {
		return childcare.DefaultTarget, err
	}
	return childcare.ParseTarget(v)
}

// SetChildcareTarget sets the target of childcare places per 1,000
// residents for the region of the actor's own level (a county, city or
// province manager of rules), from which the indicator of every county
// within it is read. It is audited.
func (a *App) SetChildcareTarget(ctx context.Context, who auth.Actor, code, value string) error {
	c, err := region.ParseCode(code)
	if err != nil || c.Level() > region.County {
		return apperr.Invalidf("region", "目标应设在省、市或县一级", "the target is set for a province, a city or a county")
	}
	o := op{name: "childcare.target", perm: auth.PermRulesManage, target: Target{Entity: "childcare_places", Region: c}}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		if who.Scope != c && who != auth.System {
			return apperr.Forbiddenf("只能为本级区划设定目标", "you may set the target of your own region only")
		}
		v, err := childcare.ParseTarget(value)
		if err != nil {
			return err
		}
		prefix, _ := c.Prefix()
		old, err := tx.Param(ctx, c, childcare.TargetParam)
		if err != nil {
			return err
		}
		if err := tx.SetParam(ctx, prefix, childcare.TargetParam, strconv.FormatFloat(v, 'f', -1, 64)); err != nil {
			return err
		}
		county := ""
		if c.Level() == region.County {
			county = string(c)
		}
		return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "childcare.target",
			Entity: "childcare_places", EntityID: string(c), Region: string(c),
			Before: audit.JSON(map[string]string{"target": old}), After: audit.JSON(map[string]string{"target": strconv.FormatFloat(v, 'f', -1, 64)})})
	})
}
