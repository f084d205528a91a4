package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// record reads person k as the store has it.
func (e *bornEnv) record(k registry.Key) *registry.Record {
	e.t.Helper()
	var r *registry.Record
	if err := e.a.DB().View(e.ctx, func(tx *store.Tx) (err error) {
		r, err = tx.PersonByKey(e.ctx, "", k)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *bornEnv) parents(k registry.Key) []int64 {
	e.t.Helper()
	var ps []int64
	if err := e.a.DB().View(e.ctx, func(tx *store.Tx) (err error) {
		ps, err = tx.Parents(e.ctx, k.County, k.ID)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(ps)
	return ps
}

// importOne imports file as an extract of kind and returns its only task.
func (e *bornEnv) importOne(kind, file string) matching.Task {
	e.t.Helper()
	res, err := e.a.ImportExtract(e.ctx, county, app.MatchImport{County: "341523", Kind: kind, FileName: kind + ".csv", File: strings.NewReader(file)})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(res.Tasks) != 1 {
		e.t.Fatalf("%s: tasks %+v, results %+v, problems %+v", kind, res.Tasks, res.Results, res.Problems)
	}
	return res.Tasks[0]
}

// TestConfirmRegistersFromTheRecord: confirming a task of a child or an
// arrival the registry lacks registers the person from the department's
// record. A hospital birth of parents with an open birth registration
// closes it, the child added through it and tied to both parents; a
// vaccinated child without a name asks for the name; an arrival asks for
// the village.
func TestConfirmRegistersFromTheRecord(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-12-10")
			ctx := e.ctx
			w, h, _ := e.couple("赵丽华", "钱志强", "341523100201")
			reg, err := e.a.RegisterBirth(ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-11-20")})
			if err != nil {
				t.Fatal(err)
			}
			mother, father := e.record(w), e.record(h)

			// 出生医学证明: the child matches nobody, the parents match.
			task := e.importOne("hospital-births", "出生医学证明编号,新生儿姓名,性别,出生日期,母亲姓名,母亲身份证号,父亲姓名,父亲身份证号,出生地点\n"+
				"Q340012345,钱小宝,男,2025-11-18,赵丽华,"+mother.IDNumber+",钱志强,"+father.IDNumber+",舒城县人民医院\n")
			if task.Reason != matching.TaskNewChild || task.Person.ID != w.ID || task.Level != matching.AtVillage {
				t.Fatalf("birth task %+v", task)
			}
			out, err := e.a.ConfirmMatchTaskWith(ctx, villager, "341523", task.ID, task.Version, app.TaskConfirmation{Note: "已入户核实"})
			if err != nil {
				t.Fatal(err)
			}
			if out.Task.Status != matching.TaskConfirmed || !out.Applied || out.Registered == nil || out.Closed == nil {
				t.Fatalf("confirmation %+v task %+v", out, out.Task)
			}
			got, err := e.a.BirthRegistration(ctx, villager, birth.Key{County: "341523", ID: reg.ID})
			if err != nil || got.Status != birth.StatusClosed || got.Source != birth.SourceMatching || got.CertNo != "Q340012345" ||
				got.Hospital != "舒城县人民医院" || !got.HospitalBirth || got.Born.String() != "2025-11-18" || len(got.Children) != 1 ||
				got.Children[0] != out.Registered.ID {
				t.Fatalf("the registration after the confirmation %+v: %v", got, err)
			}
			child := e.record(*out.Registered)
			if child.Name != "钱小宝" || child.Sex != registry.Male || child.Birth.String() != "2025-11-18" || child.Region != "341523100201" {
				t.Errorf("the child %+v", child)
			}
			if ps := e.parents(*out.Registered); !slices.Equal(ps, sorted(w.ID, h.ID)) {
				t.Errorf("the child's parents %v, want %d and %d", ps, w.ID, h.ID)
			}

			// 预防接种: a child the registry lacks, no name yet, no open
			// registration.
			task = e.importOne("vaccination", "儿童姓名,性别,出生日期,母亲姓名,母亲身份证号,接种单位\n"+
				"女婴,女,2024-05-06,赵丽华,"+mother.IDNumber+",城关镇卫生院\n")
			if task.Reason != matching.TaskNewChild {
				t.Fatalf("vaccination task %+v", task)
			}
			_, err = e.a.ConfirmMatchTaskWith(ctx, villager, "341523", task.ID, task.Version, app.TaskConfirmation{})
			if ae, ok := err.(*apperr.Error); !ok || ae.Field != "name" {
				t.Fatalf("confirming a child without a name: %v", err)
			}
			out, err = e.a.ConfirmMatchTaskWith(ctx, villager, "341523", task.ID, task.Version, app.TaskConfirmation{Name: "钱小花"})
			if err != nil || out.Registered == nil || out.Closed != nil {
				t.Fatalf("confirming with the name %+v: %v", out, err)
			}
			if c := e.record(*out.Registered); c.Name != "钱小花" || c.Sex != registry.Female || c.Birth.String() != "2024-05-06" {
				t.Errorf("the vaccinated child %+v", c)
			}
			if ps := e.parents(*out.Registered); !slices.Equal(ps, []int64{w.ID}) {
				t.Errorf("the vaccinated child's parents %v, want the mother %d", ps, w.ID)
			}

			// 公安迁入: a person the registry lacks; the county chooses the
			// village.
			num := string(idcard.Make("340102", date.MustParse("1990-01-01").Time(), 37))
			task = e.importOne("police-moves", "身份证号,姓名,变动类型,变动日期,对方区划代码,户口性质\n"+num+",孙立新,迁入,2025-10-01,340102,非农业\n")
			if task.Reason != matching.TaskMovedIn || task.Level != matching.AtCounty {
				t.Fatalf("arrival task %+v", task)
			}
			_, err = e.a.ConfirmMatchTaskWith(ctx, county, "341523", task.ID, task.Version, app.TaskConfirmation{})
			if ae, ok := err.(*apperr.Error); !ok || ae.Field != "region" {
				t.Fatalf("confirming an arrival without a village: %v", err)
			}
			_, err = e.a.ConfirmMatchTaskWith(ctx, county, "341523", task.ID, task.Version, app.TaskConfirmation{Region: "340102001001"})
			wantKind(t, "an arrival into another county's village", err, apperr.Invalid)
			out, err = e.a.ConfirmMatchTaskWith(ctx, county, "341523", task.ID, task.Version, app.TaskConfirmation{Region: "341523100201"})
			if err != nil || out.Registered == nil {
				t.Fatalf("confirming the arrival %+v: %v", out, err)
			}
			if p := e.record(*out.Registered); p.IDNumber != num || p.Name != "孙立新" || p.Sex != registry.Male || p.HukouType != registry.Urban ||
				p.Region != "341523100201" {
				t.Errorf("the arrival %+v", p)
			}

			// Every registration and the closing are audited.
			var creates, closes, confirms int
			if err := e.a.DB().View(ctx, func(tx *store.Tx) error {
				for q, n := range map[string]*int{"person.create": &creates, "birth.close": &closes, "match.task.confirm": &confirms} {
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, q).Scan(n); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if creates < 3+2 || closes != 1 || confirms != 3 {
				t.Errorf("audited: %d persons created, %d registrations closed, %d confirmations", creates, closes, confirms)
			}
		})
	}
}

func sorted(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}
