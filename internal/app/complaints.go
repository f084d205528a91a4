package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The register of complaints, enquiries and petitions (package complaint,
// docs/complaints.md): staff record what comes by phone, at the office or
// by letter, a signed-in citizen files online and follows the reply; the
// handler answers and closes it; an item not answered by its deadline
// escalates to the level above. The time limits — the days of each kind
// and of each step of a case (限时办结) — are region parameters a county,
// city or province sets for itself.

// complaintOp is the access rule of a use case on item id of county:
// perm, and the item's region within the actor's scope.
func complaintOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "complaint", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			it, err := tx.Complaint(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(it.Region), nil
		}}
}

// FileComplaint records an item taken by phone, at the office or by
// letter in county: the region concerned, or the person's or the case's,
// must lie within the actor's scope.
func (a *App) FileComplaint(ctx context.Context, who auth.Actor, county string, in complaint.New) (*complaint.Item, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "complaint.file", perm: auth.PermComplaintHandle, target: Target{Entity: "complaint", Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			switch {
			case in.CaseID != 0:
				c, err := tx.Case(ctx, "", county, in.CaseID)
				if err != nil {
					return "", err
				}
				return region.Code(c.Region), nil
			case in.PersonID != 0:
				p, err := tx.PersonByKey(ctx, "", registry.Key{County: county, ID: in.PersonID})
				if err != nil {
					return "", err
				}
				return region.Code(p.Region), nil
			case strings.TrimSpace(in.Region) != "":
				c, err := region.ParseCode(strings.TrimSpace(in.Region))
				if err != nil || !region.Code(county).Contains(c) {
					return "", apperr.Invalidf("region", "请填写本县的乡镇或村（社区）代码", "name a township or a village of the county")
				}
				return c, nil
			}
			if !region.Code(county).Contains(who.Scope) {
				return region.Code(county), nil
			}
			return who.Scope, nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*complaint.Item, error) {
		if err := a.inForce(ctx, tx, "region", in.Region); err != nil {
			return nil, err
		}
		return complaint.File(ctx, tx, who, county, in)
	})
}

// ComplaintForm admits the actor to the form that records an item: staff
// who handle complaints; a refusal is audited.
func (a *App) ComplaintForm(ctx context.Context, who auth.Actor) error {
	o := op{name: "complaint.form", perm: auth.PermComplaintHandle, target: Target{Entity: "complaint"}}
	return a.view(ctx, who, o, func(*store.Tx) error { return nil })
}

// Complaint returns item id of county with its history.
func (a *App) Complaint(ctx context.Context, who auth.Actor, county string, id int64) (*complaint.Item, error) {
	return write(a, ctx, who, complaintOp("complaint.read", auth.PermCaseRead, county, id), func(tx *store.Tx) (*complaint.Item, error) {
		return complaint.Get(ctx, tx, who, county, id)
	})
}

// Complaints lists the items of q within the actor's scope, by deadline.
func (a *App) Complaints(ctx context.Context, who auth.Actor, q complaint.Query) ([]complaint.Item, error) {
	if q.County != "" {
		c, err := ParseCounty("county", q.County)
		if err != nil {
			return nil, err
		}
		q.County = c
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	o := op{name: "complaint.list", perm: auth.PermCaseRead, target: Target{Entity: "complaint", Region: who.Scope}}
	return write(a, ctx, who, o, func(tx *store.Tx) ([]complaint.Item, error) {
		return complaint.List(ctx, tx, who, q)
	})
}

// AssignComplaint names who handles item id of county.
func (a *App) AssignComplaint(ctx context.Context, who auth.Actor, county string, id int64, version int, handler string) (*complaint.Item, error) {
	return write(a, ctx, who, complaintOp("complaint.assign", auth.PermComplaintHandle, county, id), func(tx *store.Tx) (*complaint.Item, error) {
		return complaint.Assign(ctx, tx, who, county, id, version, handler)
	})
}

// ReplyComplaint records the reply to item id of county on day on (zero:
// today).
func (a *App) ReplyComplaint(ctx context.Context, who auth.Actor, county string, id int64, version int, on date.Date, reply string) (*complaint.Item, error) {
	return write(a, ctx, who, complaintOp("complaint.reply", auth.PermComplaintHandle, county, id), func(tx *store.Tx) (*complaint.Item, error) {
		return complaint.Reply(ctx, tx, who, county, id, version, on, reply)
	})
}

// CloseComplaint closes an answered item with its outcome.
func (a *App) CloseComplaint(ctx context.Context, who auth.Actor, county string, id int64, version int, outcome, note string) (*complaint.Item, error) {
	return write(a, ctx, who, complaintOp("complaint.close", auth.PermComplaintHandle, county, id), func(tx *store.Tx) (*complaint.Item, error) {
		return complaint.Close(ctx, tx, who, county, id, version, outcome, note)
	})
}

// EscalateComplaints escalates the items within the actor's scope not
// answered by their deadline to the level above, once each, and returns
// how many. The server runs it for the whole country as the system.
//
// Each county's items are escalated in a transaction of its own, on the
// county's audit chain.
func (a *App) EscalateComplaints(ctx context.Context, who auth.Actor) (int, error) {
	o := op{name: "complaint.escalate", perm: auth.PermComplaintHandle, target: Target{Entity: "complaint", Region: who.Scope}}
	counties, err := look(a, ctx, who, o, func(tx *store.Tx) ([]string, error) {
		items, err := tx.Complaints(ctx, complaint.Query{Scope: who.Scope, Status: complaint.FilterOverdue, Today: date.Today(tx.Now())})
		var out []string
		for _, it := range items {
			if it.Escalated.IsZero() && !slices.Contains(out, it.County) {
				out = append(out, it.County)
			}
		}
		return out, err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range counties {
		scope := who.Scope
		if scope.Contains(region.Code(c)) {
			scope = region.Code(c)
		}
		oc := o
		oc.target.Region = scope
		k, err := write(a, ctx, who, oc, func(tx *store.Tx) (int, error) {
			return complaint.Escalate(ctx, tx, who, scope)
		})
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// SelfComplain records what a signed-in citizen files online.
func (a *App) SelfComplain(ctx context.Context, who auth.Actor, in complaint.Online) (*complaint.Item, error) {
	o := op{name: "complaint.self_file", perm: auth.PermSelfService, target: selfTarget(who)}
	return write(a, ctx, who, o, func(tx *store.Tx) (*complaint.Item, error) {
		return complaint.FileOnline(ctx, tx, who, in)
	})
}

// SelfComplaints lists what the signed-in citizen filed online, each with
// its history (the reply and what became of it).
func (a *App) SelfComplaints(ctx context.Context, who auth.Actor) ([]complaint.Item, error) {
	o := op{name: "complaint.self_list", perm: auth.PermSelfService, target: selfTarget(who)}
	return write(a, ctx, who, o, func(tx *store.Tx) ([]complaint.Item, error) {
		items, err := complaint.List(ctx, tx, who, complaint.Query{County: who.PersonCounty})
		if err != nil {
			return nil, err
		}
		for i := range items {
			it := &items[i]
			if it.History, err = tx.ComplaintEvents(ctx, it.County, it.ID); err != nil {
				return nil, err
			}
			// The citizen sees what happened and when, not the staff's
			// accounts.
			it.HandlerID, it.CreatedBy = 0, 0
			for j := range it.History {
				it.History[j].UserID, it.History[j].Username = 0, ""
			}
		}
		return items, nil
	})
}

// TimeLimits are the time limits in force for a region, in days: of each
// kind of complaint (by kind) and of each step of a case (by the state the
// case waits in).
type TimeLimits struct {
	Region     string         `json:"region"`
	Complaints map[string]int `json:"complaints"`
	Steps      map[string]int `json:"steps"`
}

// TimeLimits returns the time limits in force for reg.
func (a *App) TimeLimits(ctx context.Context, who auth.Actor, reg string) (*TimeLimits, error) {
	c, err := region.ParseCode(reg)
	if err != nil {
		return nil, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	o := op{name: "time_limits.read", perm: auth.PermReportRead, target: Target{Entity: "time_limit", ID: string(c), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*TimeLimits, error) {
		return a.timeLimits(ctx, tx, c)
	})
}

func (a *App) timeLimits(ctx context.Context, tx *store.Tx, c region.Code) (*TimeLimits, error) {
	t := &TimeLimits{Region: string(c), Complaints: map[string]int{}, Steps: map[string]int{}}
	for _, k := range complaint.Kinds.Codes() {
		d, err := complaint.Days(ctx, tx, c, k)
		if err != nil {
			return nil, err
		}
		t.Complaints[k] = d
	}
	l, err := a.stepLimits(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	for st, d := range l {
		t.Steps[string(st)] = d
	}
	return t, nil
}

// stepLimits are the time limits of the steps of cases in force for c.
func (a *App) stepLimits(ctx context.Context, tx *store.Tx, c region.Code) (stats.Limits, error) {
	l := stats.DefaultLimits()
	for _, st := range stats.StepStates {
		v, err := tx.Param(ctx, c, stats.StepParam(st))
		if err != nil {
			return nil, err
		}
		if v != "" {
			if l[st], err = stats.ParseStepDays(stats.StepParam(st), v); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

// SetTimeLimit sets a time limit in days — kind "complaint", "enquiry" or
// "petition", or the state a case waits in ("township_review", …) — for
// the region of the actor's own level (a county, city or province manager
// of rules). It is audited.
func (a *App) SetTimeLimit(ctx context.Context, who auth.Actor, code, of string, days string) (*TimeLimits, error) {
	c, err := region.ParseCode(code)
	if err != nil {
		return nil, apperr.Invalidf("region", "区划代码无效", "invalid division code")
	}
	o := op{name: "time_limits.set", perm: auth.PermRulesManage, target: Target{Entity: "time_limit", ID: of, Region: c}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*TimeLimits, error) {
		if who.Scope != c && who != auth.System {
			return nil, apperr.Forbiddenf("只能为本级区划设定办理时限", "you may set the time limits of your own region only")
		}
		if c.Level() > region.County {
			return nil, apperr.Invalidf("region", "时限应设在省、市或县一级", "a time limit is set for a province, a city or a county")
		}
		var name string
		var n int
		switch {
		case complaint.Kinds.Has(of):
			name = complaint.DaysParam(of)
			n, err = complaint.ParseDays("days", days)
		case isStepState(of):
			name = stats.StepParam(workflow.State(of))
			n, err = stats.ParseStepDays("days", days)
		default:
			return nil, apperr.Invalidf("of", "没有这项办理时限", "no such time limit")
		}
		if err != nil {
			return nil, err
		}
		old, err := tx.Param(ctx, c, name)
		if err != nil {
			return nil, err
		}
		prefix, _ := c.Prefix()
		if err := tx.SetParam(ctx, prefix, name, strconv.Itoa(n)); err != nil {
			return nil, err
		}
		county := ""
		if c.Level() == region.County {
			county = string(c)
		}
		if err := tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "time_limits.set",
			Entity: "time_limit", EntityID: name, Region: string(c), Before: audit.JSON(map[string]string{name: old}),
			After: audit.JSON(map[string]int{name: n})}); err != nil {
			return nil, err
		}
		return a.timeLimits(ctx, tx, c)
	})
}

func isStepState(s string) bool {
	for _, st := range stats.StepStates {
		if string(st) == s {
			return true
		}
	}
	return false
}

// addTimeliness adds the time limits of single cases and the complaints'
// handling to the supervision s of reg (Supervision).
func (a *App) addTimeliness(ctx context.Context, tx *store.Tx, reg region.Code, s *stats.Supervision, units []stats.Unit) error {
	limits, err := a.stepLimits(ctx, tx, reg)
	if err != nil {
		return err
	}
	cases, err := tx.CaseStepTimes(ctx, reg, s.Year)
	if err != nil {
		return err
	}
	answers, err := tx.ComplaintAnswers(ctx, reg, s.Year)
	if err != nil {
		return err
	}
	s.AddTimeliness(units, limits, cases, answers)
	return nil
}
