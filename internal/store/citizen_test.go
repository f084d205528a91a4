package store_test

import (
	"fmt"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestCitizenUserLink checks that a citizen account is linked to an
// existing person of its region, and staff accounts to none.
func TestCitizenUserLink(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 60)
			build := func(username string, role auth.Role, code, person string) (auth.User, error) {
				return auth.NewUser{Username: username, Name: "王秀英", Role: role, Region: region.Code(code), Password: "passw0rd",
					Person: person}.Build(region.Default(), auth.TestParams)
			}
			ref := fmt.Sprintf("%s/%d", w.County, w.ID)
			if _, err := build("cit0", auth.RoleCitizen, w.Region, ""); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("citizen without a person: %v", err)
			}
			if _, err := build("staff0", auth.RoleVillage, w.Region, ref); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("staff with a person: %v", err)
			}
			for _, c := range []struct{ code, person string }{
				{w.Region, fmt.Sprintf("%s/%d", w.County, 999999)}, // no such person
				{"341523100202", ref},                              // another village
			} {
				u, err := build("cit1", auth.RoleCitizen, c.code, c.person)
				if err != nil {
					t.Fatal(err)
				}
				err = e.do(func(tx *store.Tx) error { _, err := auth.CreateUser(e.ctx, tx, auth.System, u); return err })
				if apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("%s in %s: %v, want Invalid", c.person, c.code, err)
				}
			}
			u, err := build("cit2", auth.RoleCitizen, w.Region, ref)
			if err != nil {
				t.Fatal(err)
			}
			e.must("create", func(tx *store.Tx) error { u, err = auth.CreateUser(e.ctx, tx, auth.System, u); return err })
			e.must("read", func(tx *store.Tx) error {
				got, err := tx.UserByUsername(e.ctx, "cit2")
				if err == nil && (got.PersonCounty != w.County || got.PersonID != w.ID) {
					t.Errorf("link = %s/%d, want %s", got.PersonCounty, got.PersonID, ref)
				}
				return err
			})
		})
	}
}

// TestCitizenApplication drives a citizen's own application: submitted,
// then returned or accepted; once accepted it goes on as a staff-taken
// case, with the acceptor separated from the later decisions.
func TestCitizenApplication(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 70)
			cit := auth.Actor{UserID: 901, Username: "wxy", Name: "王秀英", Role: auth.RoleCitizen, Scope: region.Code(w.Region),
				PersonCounty: w.County, PersonID: w.ID}
			e.clock.set("2024-01-10")
			in := wfApplication(w, "jf", 2024)
			submit := func() (*workflow.Case, error) {
				var c *workflow.Case
				err := e.do(func(tx *store.Tx) (err error) {
					c, err = workflow.ApplyAsCitizen(e.ctx, tx, e.eng, cit, workflow.CitizenApplication{Program: "jf", Year: 2024, Application: in.Application})
					return err
				})
				return c, err
			}
			step := func(fn func(tx *store.Tx) (*workflow.Case, error)) (*workflow.Case, error) {
				var c *workflow.Case
				err := e.do(func(tx *store.Tx) (err error) { c, err = fn(tx); return err })
				return c, err
			}

			// Unlinked citizens and staff cannot submit as citizens.
			unlinked := cit
			unlinked.PersonID = 0
			for _, a := range []auth.Actor{unlinked, wfVillage} {
				if err := e.do(func(tx *store.Tx) error {
					_, err := workflow.ApplyAsCitizen(e.ctx, tx, e.eng, a, workflow.CitizenApplication{Program: "jf", Year: 2024, Application: in.Application})
					return err
				}); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("%s submits: %v, want Forbidden", a.Username, err)
				}
			}
			// A citizen cannot take an application as staff.
			if err := e.do(func(tx *store.Tx) error { _, err := workflow.Apply(e.ctx, tx, e.eng, cit, in); return err }); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("citizen Apply: %v, want Forbidden", err)
			}

			c, err := submit()
			if err != nil {
				t.Fatal(err)
			}
			if c.State != workflow.Applied || c.Intake != workflow.IntakePending {
				t.Fatalf("submitted case = %s/%s", c.State, c.Intake)
			}
			if _, err := submit(); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second open application: %v, want Conflict", err)
			}
			// Pending: nothing but accept or return.
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.RecordSurvey(e.ctx, tx, wfVillage, c.County, c.ID, wfSurvey("2024-01-10", wfVillage, workflow.ConclusionEligible))
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("survey of a pending case: %v, want Conflict", err)
			}
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Withdraw(e.ctx, tx, wfVillage, c.County, c.ID, "不办了")
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("withdrawal of a pending case: %v, want Conflict", err)
			}
			// Only the village specialist of the village accepts or returns.
			for _, a := range []auth.Actor{cit, wfVillage2, wfTownship, wfFinance} {
				if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
					return workflow.Accept(e.ctx, tx, a, c.County, c.ID, "")
				}); apperr.KindOf(err) != apperr.Forbidden && apperr.KindOf(err) != apperr.NotFound {
					t.Errorf("%s accepts: %v, want Forbidden or NotFound", a.Username, err)
				}
			}
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Return(e.ctx, tx, wfVillage, c.County, c.ID, " ")
			}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("return without a reason: %v, want Invalid", err)
			}
			c, err = step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Return(e.ctx, tx, wfVillage, c.County, c.ID, "请补充结婚证")
			})
			if err != nil || c.State != workflow.Withdrawn || c.Intake != workflow.IntakeReturned {
				t.Fatalf("return: %v %+v", err, c)
			}
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Accept(e.ctx, tx, wfVillage, c.County, c.ID, "")
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("accepting a returned case: %v, want Conflict", err)
			}

			// Again, and accepted this time: the case goes on as usual.
			c2, err := submit()
			if err != nil {
				t.Fatal(err)
			}
			c2, err = step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Accept(e.ctx, tx, wfVillage, c2.County, c2.ID, "材料齐全")
			})
			if err != nil || c2.State != workflow.Applied || c2.Intake != workflow.IntakeAccepted {
				t.Fatalf("accept: %v %+v", err, c2)
			}
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.Accept(e.ctx, tx, wfVillage, c2.County, c2.ID, "")
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second acceptance: %v, want Conflict", err)
			}
			// The citizen cannot sign a later step.
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.RecordSurvey(e.ctx, tx, cit, c2.County, c2.ID, wfSurvey("2024-01-20", cit, workflow.ConclusionEligible))
			}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("citizen surveys: %v, want Forbidden", err)
			}
			e.clock.set("2024-01-20")
			if _, err := step(func(tx *store.Tx) (*workflow.Case, error) {
				return workflow.RecordSurvey(e.ctx, tx, wfVillage, c2.County, c2.ID, wfSurvey("2024-01-20", wfVillage, workflow.ConclusionEligible))
			}); err != nil {
				t.Fatal(err)
			}

			// The acceptor is the one who took the application.
			h := e.get(c2)
			var steps []workflow.Step
			for _, s := range h.Steps {
				steps = append(steps, s.Step)
			}
			want := []workflow.Step{workflow.StepSubmit, workflow.StepAccept, workflow.StepSurvey}
			if fmt.Sprint(steps) != fmt.Sprint(want) {
				t.Errorf("history = %v, want %v", steps, want)
			}
			if h.Steps[0].Signature.UserID != cit.UserID || h.Steps[1].Signature.UserID != wfVillage.UserID {
				t.Errorf("signatures = %+v, %+v", h.Steps[0].Signature, h.Steps[1].Signature)
			}

			// The citizen sees their own cases, the newest first.
			e.must("self", func(tx *store.Tx) error {
				v, err := workflow.Self(e.ctx, tx, cit)
				if err != nil {
					return err
				}
				if len(v.Cases) != 2 || v.Cases[0].ID != c2.ID || v.Cases[1].Reason != "请补充结婚证" || v.Cases[1].StatusZH != "已退回" {
					t.Errorf("self = %+v", v.Cases)
				}
				if v.Person.IDNumber == w.IDNumber {
					t.Errorf("ID number not masked: %s", v.Person.IDNumber)
				}
				return nil
			})
			if err := e.do(func(tx *store.Tx) error { _, err := workflow.Self(e.ctx, tx, wfVillage); return err }); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("staff Self: %v, want Forbidden", err)
			}
		})
	}
}
