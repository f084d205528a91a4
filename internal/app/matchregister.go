package app

import (
	"context"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TaskConfirmation is what an officer gives when confirming a task: a
// note, and for a task that registers a person what the department's
// record lacks — the name of a newborn recorded without one; the village
// and hukou type of a person who moved in.
type TaskConfirmation struct {
	Note      string
	Name      string
	Region    string
	HukouType string
}

// registersPerson says whether confirming a task of reason registers a
// person from the department's record.
func registersPerson(reason string) bool {
	return reason == matching.TaskNewChild || reason == matching.TaskMovedIn
}

// registerFromTask registers the person a new-child or moved-in task
// names, from the department's record, through the registry's own use
// cases (registry.Register, registry.AddChild; birth.Close for a hospital
// birth of parents with an open birth registration, which it closes).
func (a *App) registerFromTask(ctx context.Context, tx *store.Tx, who auth.Actor, t *matching.Task, row *matching.Row,
	results []matching.Result, in TaskConfirmation, out *TaskOutcome) error {
	s := row.Subject(t.Role)
	if s == nil {
		return apperr.Invalidf("task", "部门记录中没有该人员", "the department's record does not name the person")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" && s.NameKey != "" {
		name = s.Name
	}
	if name == "" {
		return apperr.Invalidf("name", "部门记录没有姓名，请填写姓名后再确认", "the record has no name: give the name to confirm")
	}
	if t.Reason == matching.TaskMovedIn {
		return a.registerArrival(ctx, tx, who, t, row, s, name, in, out)
	}
	born := s.Birth.Date
	if born.IsZero() {
		return apperr.Invalidf("birth", "部门记录没有出生日期，请通过人口登记表登记", "the record has no birth date: register the child with the registry's form")
	}
	var parents []registry.Key
	for _, r := range results {
		if (r.Role == matching.RoleMother || r.Role == matching.RoleFather) && r.Outcome == matching.Matched && r.Person.ID != 0 {
			parents = append(parents, r.Person)
		}
	}
	if len(parents) == 0 && t.Person.ID != 0 {
		parents = append(parents, t.Person)
	}
	if len(parents) == 0 {
		return apperr.Invalidf("task", "父母均不在人口库中，请通过人口登记表登记", "neither parent is in the registry: register the child with the registry's form")
	}
	if row.Kind == matching.HospitalBirths {
		for _, p := range parents {
			regs, err := tx.Registrations(ctx, "", p.County, birth.Query{Person: p.ID, Status: birth.StatusRegistered})
			if err != nil {
				return err
			}
			if len(regs) == 0 {
				continue
			}
			r := &regs[0]
			closed, err := birth.Close(ctx, tx, who, birth.Key{County: r.County, ID: r.ID}, 0, birth.BirthRecord{Born: born,
				Hospital: row.Event.Place, CertNo: row.Event.Number, HospitalBirth: true, Source: birth.SourceMatching,
				Children: []birth.NewChild{{Name: name, Sex: s.Sex}}})
			if err != nil {
				return err
			}
			out.Closed = closed
			if len(closed.Children) > 0 {
				out.Registered = &registry.Key{County: closed.County, ID: closed.Children[0]}
			}
			out.Applied = true
			return nil
		}
	}
	first, err := tx.PersonByKey(ctx, "", parents[0])
	if err != nil {
		return err
	}
	rec, err := registry.Register(ctx, tx, who, registry.NewPerson{Name: name, Sex: s.Sex, Birth: born, Region: first.Region,
		HukouType: first.HukouType, IDNumber: string(s.ID.Number)})
	if err != nil {
		return err
	}
	child := registry.Key{County: rec.County, ID: rec.ID}
	for _, p := range parents {
		if _, err := registry.AddChild(ctx, tx, who, p, child, registry.ParentChild{Kind: registry.Birth}, row.Event.Number); err != nil {
			return err
		}
	}
	out.Registered, out.Applied = &child, true
	return nil
}

// registerArrival registers a person who moved into the county, with the
// ID number, name and sex of the police record, in the village the
// officer gives.
func (a *App) registerArrival(ctx context.Context, tx *store.Tx, who auth.Actor, t *matching.Task, row *matching.Row, s *matching.Subject,
	name string, in TaskConfirmation, out *TaskOutcome) error {
	if s.ID.Number == "" {
		return apperr.Invalidf("task", "部门记录的身份证号无效，请通过人口登记表登记", "the record's ID number is not valid: register the person with the registry's form")
	}
	reg := strings.TrimSpace(in.Region)
	if reg == "" {
		return apperr.Invalidf("region", "请选择迁入的村（居）", "choose the village the person moved into")
	}
	if !strings.HasPrefix(reg, t.County) {
		return apperr.Invalidf("region", "迁入地应在本县", "the village must be in the county")
	}
	ht := strings.TrimSpace(in.HukouType)
	if ht == "" {
		ht = row.Event.HukouType
	}
	if ht == "" {
		return apperr.Invalidf("hukou_type", "请选择户口性质", "choose the hukou type")
	}
	sex, birthDay := s.Sex, s.Birth.Date
	if sex == "" {
		sex = s.ID.Number.Sex()
	}
	if sex == "" || birthDay.IsZero() {
		return apperr.Invalidf("task", "部门记录缺少性别或出生日期，请通过人口登记表登记", "the record lacks the sex or birth date: register the person with the registry's form")
	}
	rec, err := registry.Register(ctx, tx, who, registry.NewPerson{IDNumber: string(s.ID.Number), Name: name, Sex: sex, Birth: birthDay,
		Region: reg, HukouType: ht})
	if err != nil {
		return err
	}
	out.Registered, out.Applied = &registry.Key{County: rec.County, ID: rec.ID}, true
	return nil
}
