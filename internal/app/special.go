package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// The special families' use cases (计生特殊家庭, docs/special-families.md):
// the register built from the registry and the roll, families kept by
// hand and the changes listed for review; contacts and their hand-over;
// visits, the services of the three full coverages and the coverage
// report; requests; and the family-planning family certificate with its
// public verification and the partner departments' check. Everything but
// the certificate needs auth.PermSpecialCare; every read is audited.

// specialOp is the access rule of a use case on family id of county: the
// care permission, and the family's region within the actor's scope (the
// domain then admits, at the village level, only the family's contacts).
func specialOp(name string, county string, id int64) op {
	return op{name: name, perm: auth.PermSpecialCare,
		target: Target{Entity: "special_family", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			f, err := tx.SpecialFamily(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(f.Region), nil
		}}
}

// specialCountyOp is the access rule of a use case on the register of
// county as a whole: the care permission, and the county within the
// actor's scope, or the actor's scope (a township, a village) within the
// county, whose part of the register the domain then reads.
func specialCountyOp(name, county string, who auth.Actor) op {
	c := region.Code(county)
	if !who.CanSee(c) && c.Contains(who.Scope) {
		c = who.Scope
	}
	return op{name: name, perm: auth.PermSpecialCare, target: Target{Entity: "special_family", Region: c}}
}

// specialRules are the register's conditions in the rules in force for
// county this year: the min_age of the special assistance (only child
// died) and the max_grade of its disability tier.
func (a *App) specialRules(ctx context.Context, tx *store.Tx, county string) (special.Rules, error) {
	in, err := a.rulesInForce(ctx, tx, county, date.Today(tx.Now()).Year())
	if err != nil {
		return special.Rules{}, err
	}
	var r special.Rules
	for _, p := range in.Programs {
		for _, pv := range p.Params {
			n, ok := number(pv.Value)
			if !ok {
				continue
			}
			switch {
			case p.Code == policy.ProgramTFDeath && pv.Name == "min_age":
				r.MinAge = n
			case p.Code == policy.ProgramTFDisability && pv.Name == "max_grade":
				r.MaxGrade = n
			case p.Code == policy.ProgramTFDisability && pv.Name == "min_age" && r.MinAge == 0:
				r.MinAge = n
			}
		}
	}
	return r, nil
}

func number(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// SpecialRules returns the register's conditions in force for county.
func (a *App) SpecialRules(ctx context.Context, who auth.Actor, county string) (special.Rules, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return special.Rules{}, err
	}
	return look(a, ctx, who, specialCountyOp("special.rules", county, who), func(tx *store.Tx) (special.Rules, error) {
		return a.specialRules(ctx, tx, county)
	})
}

// SweepSpecial brings the register of county within the actor's scope up
// to the registry and the roll (special.Sweep), under the rules in force.
func (a *App) SweepSpecial(ctx context.Context, who auth.Actor, county string) (*special.SweepResult, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.sweep", county, who), func(tx *store.Tx) (*special.SweepResult, error) {
		r, err := a.specialRules(ctx, tx, county)
		if err != nil {
			return nil, err
		}
		return special.Sweep(ctx, tx, who, county, r)
	})
}

// AddSpecialFamily keeps a family on the register of county by hand.
func (a *App) AddSpecialFamily(ctx context.Context, who auth.Actor, county string, in special.NewFamily) (*special.Family, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "special.add", perm: auth.PermSpecialCare, target: Target{Entity: "person", Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			var p *registry.Record
			var err error
			if in.PersonID != 0 {
				p, err = tx.PersonByKey(ctx, "", registry.Key{County: county, ID: in.PersonID})
			} else {
				num, perr := idcard.Parse(strings.TrimSpace(in.IDNumber))
				if perr != nil {
					return "", apperr.Invalidf("id_number", "身份证号码不正确", "the ID number is not valid")
				}
				p, err = tx.PersonByIDNumber(ctx, "", string(num))
			}
			if err != nil {
				return "", err
			}
			return region.Code(p.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*special.Family, error) {
		return special.Add(ctx, tx, who, county, in)
	})
}

// CloseSpecialFamily takes family id of county off the register.
func (a *App) CloseSpecialFamily(ctx context.Context, who auth.Actor, county string, id int64, version int, on date.Date, reason string) (*special.Family, error) {
	return write(a, ctx, who, specialOp("special.close", county, id), func(tx *store.Tx) (*special.Family, error) {
		return special.Close(ctx, tx, who, county, id, version, on, reason)
	})
}

// SpecialFamily returns the file of family id of county.
func (a *App) SpecialFamily(ctx context.Context, who auth.Actor, county string, id int64) (*special.File, error) {
	return write(a, ctx, who, specialOp("special.read", county, id), func(tx *store.Tx) (*special.File, error) {
		return special.Get(ctx, tx, who, county, id)
	})
}

// SpecialFamilies returns a page of the register of county within the
// actor's scope, and how many families q selects.
func (a *App) SpecialFamilies(ctx context.Context, who auth.Actor, county string, q special.Query) ([]special.Family, int, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, 0, err
	}
	var fs []special.Family
	var n int
	o := specialCountyOp("special.list", county, who)
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码不正确", "the division code is not valid")
		}
		o.target.Region = c
	}
	err = a.update(ctx, who, o, func(tx *store.Tx) (err error) {
		fs, n, err = special.List(ctx, tx, who, county, q)
		return err
	})
	return fs, n, err
}

// SpecialChanges lists the changes of the register of county found in the
// registry, with status ("" for any).
func (a *App) SpecialChanges(ctx context.Context, who auth.Actor, county, status string) ([]special.Change, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.changes", county, who), func(tx *store.Tx) ([]special.Change, error) {
		return special.Changes(ctx, tx, who, county, status)
	})
}

// ReviewSpecialChange records the review of change id of county.
func (a *App) ReviewSpecialChange(ctx context.Context, who auth.Actor, county string, id int64, accept, close bool, note string) (*special.Change, error) {
	o := op{name: "special.change_review", perm: auth.PermSpecialCare,
		target: Target{Entity: "special_change", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			c, err := tx.SpecialChange(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(c.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*special.Change, error) {
		return special.Review(ctx, tx, who, county, id, accept, close, note)
	})
}

// contactUser resolves the user account a contact names (by id or
// username): a member of staff of the county who may see the register.
func contactUser(ctx context.Context, tx *store.Tx, county string, id int64, username string) (auth.User, error) {
	var u auth.User
	var err error
	switch {
	case id != 0:
		u, err = tx.UserByID(ctx, region.Code(county), id)
	default:
		u, err = tx.UserByUsername(ctx, strings.TrimSpace(username))
		if err == nil && !region.Code(county).Contains(u.Region) {
			err = apperr.NotFoundf("未找到该用户", "no such user")
		}
	}
	if err != nil {
		return u, apperr.Invalidf("username", "本县没有该用户", "the county has no such user")
	}
	if u.Disabled || !auth.Can(auth.Actor{UserID: u.ID, Role: u.Role}, auth.PermSpecialCare) {
		return u, apperr.Invalidf("username", "该用户不能担任特殊家庭联系人", "the user cannot be a special family's contact")
	}
	return u, nil
}

// AssignSpecialContact names a contact of family id of county.
func (a *App) AssignSpecialContact(ctx context.Context, who auth.Actor, county string, id int64, in special.NewContact) (*special.Contact, error) {
	return write(a, ctx, who, specialOp("special.contact", county, id), func(tx *store.Tx) (*special.Contact, error) {
		if in.UserID != 0 || strings.TrimSpace(in.Username) != "" {
			u, err := contactUser(ctx, tx, county, in.UserID, in.Username)
			if err != nil {
				return nil, err
			}
			f, err := tx.SpecialFamily(ctx, "", county, id)
			if err != nil {
				return nil, err
			}
			if !u.Region.Contains(region.Code(f.Region)) {
				return nil, apperr.Invalidf("username", "该用户的管辖范围不含该家庭所在地，不能担任其联系人",
					"the user's region does not hold the family: they cannot be its contact")
			}
			in.UserID, in.Name = u.ID, u.Name
		}
		return special.Assign(ctx, tx, who, county, id, in)
	})
}

// HandOverSpecial hands the families of a contact who leaves over to
// another.
func (a *App) HandOverSpecial(ctx context.Context, who auth.Actor, county string, from special.Leaving, to special.NewContact, reason string) ([]special.Contact, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.handover", county, who), func(tx *store.Tx) ([]special.Contact, error) {
		if from.UserID == 0 && strings.TrimSpace(from.Username) != "" {
			u, err := tx.UserByUsername(ctx, strings.TrimSpace(from.Username))
			if err != nil {
				return nil, apperr.Invalidf("from", "没有该用户", "no such user")
			}
			from.UserID = u.ID
		}
		if to.UserID != 0 || strings.TrimSpace(to.Username) != "" {
			u, err := contactUser(ctx, tx, county, to.UserID, to.Username)
			if err != nil {
				return nil, err
			}
			to.UserID, to.Name = u.ID, u.Name
		}
		return special.HandOver(ctx, tx, who, county, from, to, reason)
	})
}

// RecordSpecialVisit records a visit to family id of county.
func (a *App) RecordSpecialVisit(ctx context.Context, who auth.Actor, county string, id int64, in special.NewVisit) (*special.Visit, error) {
	return write(a, ctx, who, specialOp("special.visit", county, id), func(tx *store.Tx) (*special.Visit, error) {
		return special.RecordVisit(ctx, tx, who, county, id, in)
	})
}

// OverdueSpecialVisits lists the families of county within the actor's
// scope whose visit is overdue.
func (a *App) OverdueSpecialVisits(ctx context.Context, who auth.Actor, county string) ([]special.Family, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.overdue", county, who), func(tx *store.Tx) ([]special.Family, error) {
		return special.Overdue(ctx, tx, who, county)
	})
}

// SetSpecialService records a service (family doctor, green channel,
// insurance) of family id of county.
func (a *App) SetSpecialService(ctx context.Context, who auth.Actor, county string, id int64, version int, sv special.Service) (*special.Family, error) {
	return write(a, ctx, who, specialOp("special.service", county, id), func(tx *store.Tx) (*special.Family, error) {
		return special.SetService(ctx, tx, who, county, id, version, sv)
	})
}

// SpecialCoverage returns the three full coverages of county within the
// actor's scope, by township (or by village of area, a township).
func (a *App) SpecialCoverage(ctx context.Context, who auth.Actor, county, area string) (*special.Coverage, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := specialCountyOp("special.coverage", county, who)
	if area != "" {
		c, err := region.ParseCode(area)
		if err != nil || !region.Code(county).Contains(c) {
			return nil, apperr.Invalidf("area", "区划代码不正确", "the division code is not valid")
		}
		o.target.Region = c
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*special.Coverage, error) {
		return special.Report(ctx, tx, who, county, area)
	})
}

// RaiseSpecialRequest records a request of family id of county.
func (a *App) RaiseSpecialRequest(ctx context.Context, who auth.Actor, county string, id int64, in special.NewRequest) (*special.Request, error) {
	return write(a, ctx, who, specialOp("special.request", county, id), func(tx *store.Tx) (*special.Request, error) {
		return special.Raise(ctx, tx, who, county, id, in)
	})
}

func specialRequestOp(name, county string, id int64) op {
	return op{name: name, perm: auth.PermSpecialCare,
		target: Target{Entity: "special_request", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			r, err := tx.SpecialRequest(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(r.Region), nil
		}}
}

// ReplySpecialRequest records the reply to request id of county.
func (a *App) ReplySpecialRequest(ctx context.Context, who auth.Actor, county string, id int64, version int, on date.Date, reply string) (*special.Request, error) {
	return write(a, ctx, who, specialRequestOp("special.request_reply", county, id), func(tx *store.Tx) (*special.Request, error) {
		return special.Reply(ctx, tx, who, county, id, version, on, reply)
	})
}

// SettleSpecialRequest records the family's word on the reply.
func (a *App) SettleSpecialRequest(ctx context.Context, who auth.Actor, county string, id int64, version int, satisfied string) (*special.Request, error) {
	return write(a, ctx, who, specialRequestOp("special.request_settle", county, id), func(tx *store.Tx) (*special.Request, error) {
		return special.Settle(ctx, tx, who, county, id, version, satisfied)
	})
}

// SpecialRequests lists the requests of county within the actor's scope
// with status ("", a status, "overdue" or "escalated").
func (a *App) SpecialRequests(ctx context.Context, who auth.Actor, county, status string) ([]special.Request, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.requests", county, who), func(tx *store.Tx) ([]special.Request, error) {
		return special.Requests(ctx, tx, who, county, status)
	})
}

// SpecialSettings are a county's settings of the care: the kinds of
// contact every family needs, the interval of visits and the days a
// request may take.
type SpecialSettings struct {
	Kinds       []string `json:"kinds"`
	VisitDays   int      `json:"visit_days"`
	RequestDays int      `json:"request_days"`
}

// SpecialSettingsOf returns the settings in force for county.
func (a *App) SpecialSettingsOf(ctx context.Context, who auth.Actor, county string) (*SpecialSettings, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, specialCountyOp("special.settings", county, who), func(tx *store.Tx) (*SpecialSettings, error) {
		return specialSettings(ctx, tx, county)
	})
}

func specialSettings(ctx context.Context, tx *store.Tx, county string) (*SpecialSettings, error) {
	var s SpecialSettings
	var err error
	if s.Kinds, err = special.RequiredKinds(ctx, tx, county); err != nil {
		return nil, err
	}
	if s.VisitDays, err = special.VisitDays(ctx, tx, county); err != nil {
		return nil, err
	}
	if s.RequestDays, err = special.RequestDays(ctx, tx, county); err != nil {
		return nil, err
	}
	return &s, nil
}

// SetSpecialSettings sets county's settings of the care; only the county
// (a county-level member of staff with the care permission) sets them.
// It is audited.
func (a *App) SetSpecialSettings(ctx context.Context, who auth.Actor, county string, in SpecialSettings) (*SpecialSettings, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.settings_set", county, who), func(tx *store.Tx) (*SpecialSettings, error) {
		if who.Scope != region.Code(county) && who != auth.System {
			return nil, apperr.Forbiddenf("由县卫健委设定", "the county sets these")
		}
		kinds, err := special.ParseKinds(strings.Join(in.Kinds, ","))
		if err != nil {
			return nil, err
		}
		vd, err := special.ParseDays("visit_days", strconv.Itoa(in.VisitDays))
		if err != nil {
			return nil, err
		}
		rd, err := special.ParseDays("request_days", strconv.Itoa(in.RequestDays))
		if err != nil {
			return nil, err
		}
		before, err := specialSettings(ctx, tx, county)
		if err != nil {
			return nil, err
		}
		for name, v := range map[string]string{special.ContactKindsParam: strings.Join(kinds, ","), special.VisitDaysParam: strconv.Itoa(vd),
			special.RequestDaysParam: strconv.Itoa(rd)} {
			if err := tx.SetParam(ctx, county, name, v); err != nil {
				return nil, err
			}
		}
		after := &SpecialSettings{Kinds: kinds, VisitDays: vd, RequestDays: rd}
		return after, tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "special.settings",
			Entity: "special_settings", EntityID: county, Region: county, Before: audit.JSON(before), After: audit.JSON(after)})
	})
}

// IssueFamilyCertificate issues the family-planning family certificate of
// person id of county on day on; the door prints it
// (printout.FamilyCertificate).
func (a *App) IssueFamilyCertificate(ctx context.Context, who auth.Actor, county string, id int64, on date.Date) (*special.Paper, error) {
	k := registry.Key{County: county, ID: id}
	return write(a, ctx, who, personOp("family.certificate", auth.PermRegistryWrite, k), func(tx *store.Tx) (*special.Paper, error) {
		return special.Issue(ctx, tx, who, county, id, on)
	})
}

// VerifyFamilyCertificate answers the public verification of a family
// certificate. No one signs in for it.
func (a *App) VerifyFamilyCertificate(ctx context.Context, serial, code string) (*special.Verification, error) {
	o := op{name: "family.verify", target: Target{Entity: "family_certificate"}}
	return look(a, ctx, auth.Actor{}, o, func(tx *store.Tx) (*special.Verification, error) {
		return special.Verify(ctx, tx, serial, code)
	})
}

// CheckFamilyCategory answers a partner department's question, within
// its account's scope: yes or no, and nothing else; it is audited.
func (a *App) CheckFamilyCategory(ctx context.Context, who auth.Actor, q special.CheckQuery) (*special.CheckAnswer, error) {
	o := op{name: "family.check", perm: auth.PermFamilyCheck, target: Target{Entity: "family_check"}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*special.CheckAnswer, error) {
		return special.Check(ctx, tx, who, q)
	})
}

// FamilyCheckForm admits the actor to the partners' check form (a partner
// account); a refusal is audited.
func (a *App) FamilyCheckForm(ctx context.Context, who auth.Actor) error {
	o := op{name: "family.check_form", perm: auth.PermFamilyCheck, target: Target{Entity: "family_check"}}
	return a.view(ctx, who, o, func(*store.Tx) error { return nil })
}

// SpecialForm admits the actor to the register's pages when no county is
// named yet (a member of staff who may see the register); a refusal is
// audited.
func (a *App) SpecialForm(ctx context.Context, who auth.Actor) error {
	o := op{name: "special.form", perm: auth.PermSpecialCare, target: Target{Entity: "special_family"}}
	return a.view(ctx, who, o, func(*store.Tx) error { return nil })
}

// CareStats counts what GenerateSpecialCare wrote.
type CareStats struct {
	Sweep    *special.SweepResult `json:"sweep"`
	Families int                  `json:"families"`
	Contacts int                  `json:"contacts"`
	Visits   int                  `json:"visits"`
	Requests int                  `json:"requests"`
}

// GenerateSpecialCare builds the register of special families of county
// from its registry and roll (SweepSpecial) and gives the families that
// have no contact yet the synthetic care synth.SpecialCare plans (the
// synthetic county of the demo: docs/synthetic.md). Only the system (the
// command line) runs it; it is audited.
func (a *App) GenerateSpecialCare(ctx context.Context, who auth.Actor, county string, seed uint64) (*CareStats, error) {
	o := specialCountyOp("special.generate", county, who)
	if who != auth.System {
		return nil, a.audited(ctx, who, o, apperr.Forbiddenf("只有系统（命令行）可以生成演示数据", "only the system (the command line) generates demo data"))
	}
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	res, err := a.SweepSpecial(ctx, who, county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*CareStats, error) {
		st := &CareStats{Sweep: res}
		fs, err := tx.SpecialFamilies(ctx, "", county, special.Query{Status: special.StatusActive})
		if err != nil {
			return nil, err
		}
		settings, err := specialSettings(ctx, tx, county)
		if err != nil {
			return nil, err
		}
		byID := map[int64]*special.Family{}
		var refs []synth.SpecialFamilyRef
		for i := range fs {
			cs, err := tx.SpecialContacts(ctx, county, fs[i].ID)
			if err != nil {
				return nil, err
			}
			if len(cs) > 0 || !fs[i].LastVisit.IsZero() {
				continue // cared for already
			}
			byID[fs[i].ID] = &fs[i]
			refs = append(refs, synth.SpecialFamilyRef{ID: fs[i].ID})
		}
		now := tx.Now()
		today := date.Today(now)
		for _, p := range synth.SpecialCare(refs, settings.Kinds, settings.VisitDays, today, seed) {
			f := byID[p.Family]
			st.Families++
			for _, c := range p.Contacts {
				id, err := tx.NextIDs(ctx, "special_contact", 1)
				if err != nil {
					return nil, err
				}
				c.County, c.ID, c.FamilyID, c.CreatedAt = county, id, f.ID, now
				if err := tx.InsertSpecialContact(ctx, &c); err != nil {
					return nil, err
				}
				st.Contacts++
			}
			for _, sv := range p.Service {
				switch sv.Kind {
				case special.ServiceDoctor:
					f.Signed, f.Doctor, f.DoctorTCM = sv.Date, sv.By, sv.TCM
				case special.ServiceGreen:
					f.Green, f.GreenHospital = sv.Date, sv.By
				case special.ServiceInsurance:
					f.Insured, f.Insurer = sv.Date, sv.By
				}
			}
			for _, v := range p.Visits {
				id, err := tx.NextIDs(ctx, "special_visit", 1)
				if err != nil {
					return nil, err
				}
				v.County, v.ID, v.FamilyID, v.Region, v.CreatedAt = county, id, f.ID, f.Region, now
				if err := tx.InsertSpecialVisit(ctx, &v); err != nil {
					return nil, err
				}
				f.LastVisit, f.NextVisit = v.Date, v.NextDue
				st.Visits++
			}
			for _, q := range p.Requests {
				id, err := tx.NextIDs(ctx, "special_request", 1)
				if err != nil {
					return nil, err
				}
				q.County, q.ID, q.FamilyID, q.Region, q.Version, q.CreatedAt, q.UpdatedAt = county, id, f.ID, f.Region, 1, now, now
				if err := tx.InsertSpecialRequest(ctx, &q); err != nil {
					return nil, err
				}
				st.Requests++
			}
			f.Version++
			f.UpdatedAt = now
			if err := tx.UpdateSpecialFamily(ctx, f); err != nil {
				return nil, err
			}
		}
		return st, tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "special.generate",
			Entity: "special_family", EntityID: "synthetic", Region: county, After: audit.JSON(st)})
	})
}

// MakeHelpList records a list of special families for a one-off payment
// (5·29, Spring Festival, emergency aid, study aid).
func (a *App) MakeHelpList(ctx context.Context, who auth.Actor, county string, in special.NewHelpList) (*special.HelpList, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, specialCountyOp("special.help_list", county, who), func(tx *store.Tx) (*special.HelpList, error) {
		return special.MakeHelpList(ctx, tx, who, county, in)
	})
}

// ApproveHelpList approves list id of county (another member of the
// county's staff than its maker).
func (a *App) ApproveHelpList(ctx context.Context, who auth.Actor, county string, id int64, version int) (*special.HelpList, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "special.help_list_approve", perm: auth.PermSpecialCare,
		target: Target{Entity: "special_help_list", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*special.HelpList, error) {
		return special.ApproveHelpList(ctx, tx, who, county, id, version)
	})
}

// HelpLists returns the lists of county.
func (a *App) HelpLists(ctx context.Context, who auth.Actor, county string) ([]special.HelpList, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := specialCountyOp("special.help_lists", county, who)
	o.perm = "" // the register's staff or the finance officer: special.HelpLists decides
	return look(a, ctx, who, o, func(tx *store.Tx) ([]special.HelpList, error) {
		return special.HelpLists(ctx, tx, who, county)
	})
}

// PayHelpList pays an approved list of county through a payment cycle of
// its one-off program (payment.OneOffCycle): one line per family, to the
// head of the family, the county's money. The finance officer then
// batches, approves (another officer), sends and reconciles it like any
// cycle, and the ledger counts it.
func (a *App) PayHelpList(ctx context.Context, who auth.Actor, county string, id int64) (*payment.Cycle, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "special.help_list_pay", perm: auth.PermPaymentManage,
		target: Target{Entity: "special_help_list", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Cycle, error) {
		l, err := tx.HelpList(ctx, county, id)
		if err != nil {
			return nil, err
		}
		if l.Status != special.ListApproved {
			return nil, apperr.Conflictf("名单未经审批或已发放，不能发放", "the list is not approved, or is paid already")
		}
		req := payment.OneOffRequest{County: county, Program: l.Program, Period: l.Period,
			Source: fmt.Sprintf("帮扶名单第%d号（%s审批）", l.ID, l.Approved.Chinese())}
		for _, fid := range l.Families {
			f, err := tx.SpecialFamily(ctx, "", county, fid)
			if err != nil {
				return nil, err
			}
			req.Lines = append(req.Lines, payment.OneOffLine{PersonID: f.Anchor, Region: f.Region, Amount: l.Amount})
		}
		c, _, err := payment.OneOffCycle(ctx, tx, who, req)
		if err != nil {
			return nil, err
		}
		return c, special.MarkHelpListPaid(ctx, tx, who, l, c.ID)
	})
}
