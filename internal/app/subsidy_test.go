package app_test

import (
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestSubsidyClaim follows a childcare subsidy claim from the mother's
// application online to the township's check, the county's confirmation,
// the roll (the child's row) and the payment cycle that pays it, and
// checks the refusals on the way.
func TestSubsidyClaim(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-08-01")
			w, h, kids := e.couple("陈芳", "刘伟", "341523100201", "2024-03-10", "2021-05-01")
			child, older := kids[0], kids[1]
			mother := citizenOf(w, "341523100201")

			// The rules decide before anyone applies.
			pre, err := e.a.SubsidyPreview(e.ctx, villager, child, 2025, "zh")
			if err != nil || !pre.Eligible || pre.AmountFen != 360000 || pre.Months != 12 {
				t.Fatalf("preview %+v %v", pre, err)
			}
			_, err = e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: older.ID, Applicant: w.ID,
				Relation: birth.RelationMother, Year: 2025})
			wantKind(t, "a child born in 2021", err, apperr.Invalid)
			_, err = e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: child.ID, Applicant: h.ID,
				Relation: birth.RelationFather, Year: 2025})
			wantKind(t, "the mother applying as the father", err, apperr.Forbidden)
			_, err = e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: child.ID, Applicant: w.ID,
				Relation: birth.RelationFather, Year: 2025})
			wantKind(t, "the mother as a father", err, apperr.Invalid)

			// Not through the qualification procedure, which the forms
			// do not offer it for.
			_, err = e.a.Apply(e.ctx, villager, workflow.NewApplication{County: "341523", PersonID: child.ID,
				Program: policy.ProgramChildcareSubsidy, Year: 2025, Application: workflow.Application{Pledge: true,
					Attachments: []string{"出生医学证明"}, Declared: workflow.Declared{HukouType: registry.Rural}}})
			wantKind(t, "the subsidy through the procedure", err, apperr.Invalid)
			if form, err := e.a.ApplyForm(e.ctx, villager, w); err != nil || slices.Contains(form.Programs, policy.ProgramChildcareSubsidy) {
				t.Errorf("the application form offers %v (%v)", form.Programs, err)
			}

			c, err := e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: child.ID, Applicant: w.ID,
				Relation: birth.RelationMother, Year: 2025, Phone: "13800001111"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != birth.ClaimSubmitted || c.Channel != birth.ChannelOnline || c.Engine == nil || c.Engine.AmountFen != 360000 {
				t.Fatalf("claim %+v", c)
			}
			_, err = e.a.ApplySubsidy(e.ctx, villager, birth.NewClaim{County: "341523", Child: child.ID, Applicant: h.ID,
				Relation: birth.RelationFather, Year: 2025})
			wantKind(t, "a second claim", err, apperr.Conflict)
			if mine, n, err := e.a.SubsidyClaims(e.ctx, mother, "", birth.ClaimQuery{}); err != nil || n != 1 || mine[0].ID != c.ID {
				t.Fatalf("the mother's claims: %d %v", n, err)
			}

			// The village specialist cannot check; the township checks;
			// the one who checked cannot confirm; the county confirms.
			before := denied(t, e.a)
			_, err = e.a.CheckSubsidy(e.ctx, villager, "341523", c.ID, c.Version, true, "")
			wantKind(t, "the village checks", err, apperr.Forbidden)
			_, err = e.a.CheckSubsidy(e.ctx, otherVillager, "341523", c.ID, c.Version, true, "")
			wantKind(t, "another village checks", err, apperr.Forbidden)
			_, err = e.a.SubsidyClaim(e.ctx, citizenOf(h, "341523100201"), "341523", c.ID)
			wantKind(t, "the father reads the mother's claim", err, apperr.NotFound)
			if got := denied(t, e.a) - before; got != 3 {
				t.Errorf("%d refusals audited, want 3", got)
			}
			_, err = e.a.CheckSubsidy(e.ctx, township, "341523", c.ID, c.Version, false, "太短")
			wantKind(t, "a rejection without its reason", err, apperr.Invalid)
			c, err = e.a.CheckSubsidy(e.ctx, township, "341523", c.ID, c.Version, true, "户籍、出生医学证明核实无误")
			if err != nil || c.Status != birth.ClaimChecked {
				t.Fatalf("check: %+v %v", c, err)
			}
			_, err = e.a.ConfirmSubsidy(e.ctx, township, "341523", c.ID, c.Version, true, "")
			wantKind(t, "the township confirms", err, apperr.Forbidden)
			c, err = e.a.ConfirmSubsidy(e.ctx, county, "341523", c.ID, c.Version, true, "")
			if err != nil || c.Status != birth.ClaimApproved || c.RecipientID == 0 {
				t.Fatalf("confirm: %+v %v", c, err)
			}
			_, err = e.a.WithdrawSubsidy(e.ctx, mother, "341523", c.ID, c.Version)
			wantKind(t, "withdrawing a confirmed claim", err, apperr.Conflict)

			// The child is on the roll, and the 2025 cycle pays 3,600.
			entries, err := e.a.Roll(e.ctx, county, roll.Query{Program: policy.ProgramChildcareSubsidy})
			if err != nil || len(entries) != 1 || entries[0].PersonID != child.ID || entries[0].StartYear != 2025 {
				t.Fatalf("roll %+v %v", entries, err)
			}
			e.clock.set("2025-11-01")
			cyc, lines, err := e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: policy.ProgramChildcareSubsidy, Period: "2025"})
			if err != nil {
				t.Fatal(err)
			}
			if cyc.Lines != 1 || len(lines) != 1 || lines[0].PersonID != child.ID || lines[0].Amount != money.Fen(360000) || lines[0].Months != 12 ||
				lines[0].Split != (payment.Split{324000, 36000, 0, 0}) {
				t.Fatalf("cycle %+v lines %+v", cyc, lines)
			}
			// The next year's claim needs no application: 2026's cycle
			// pays the second year.
			e.clock.set("2026-03-01")
			_, lines, err = e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: policy.ProgramChildcareSubsidy, Period: "2026"})
			if err != nil || len(lines) != 1 || lines[0].Amount != 360000 {
				t.Fatalf("2026 lines %+v %v", lines, err)
			}
			_, err = e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: child.ID, Applicant: w.ID,
				Relation: birth.RelationMother, Year: 2026})
			wantKind(t, "a claim for a child on the roll", err, apperr.Conflict)
		})
	}
}

// TestSubsidyClaimLater checks a first claim filed in the year after the
// birth year for the birth year, rejected and withdrawn claims, and that
// nobody confirms what they checked.
func TestSubsidyClaimLater(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2026-01-15")
			w, _, kids := e.couple("何静", "吴刚", "341523100201", "2025-12-20")
			c, err := e.a.ApplySubsidy(e.ctx, villager, birth.NewClaim{County: "341523", Child: kids[0].ID, Applicant: w.ID,
				Relation: birth.RelationMother, Year: 2025})
			if err != nil || c.Channel != birth.ChannelCounter || c.TakenBy != villager.UserID {
				t.Fatalf("claim for the birth year: %+v %v", c, err)
			}
			// The system may do anything but sign twice.
			c, err = e.a.CheckSubsidy(e.ctx, auth.System, "341523", c.ID, c.Version, true, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.a.ConfirmSubsidy(e.ctx, auth.System, "341523", c.ID, c.Version, true, "")
			wantKind(t, "confirming what one checked", err, apperr.Forbidden)
			c, err = e.a.ConfirmSubsidy(e.ctx, county, "341523", c.ID, c.Version, true, "")
			if err != nil {
				t.Fatal(err)
			}
			entries, err := e.a.Roll(e.ctx, county, roll.Query{Program: policy.ProgramChildcareSubsidy})
			if err != nil || len(entries) != 1 || entries[0].StartYear != 2025 || entries[0].Confirmed != date.MustParse("2025-12-31") {
				t.Fatalf("roll %+v %v", entries, err)
			}
			_, lines, err := e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: policy.ProgramChildcareSubsidy, Period: "2025"})
			if err != nil || len(lines) != 1 || lines[0].Amount != 360000 {
				t.Fatalf("the birth year is paid: %+v %v", lines, err)
			}

			// A claim rejected by the township, and one withdrawn.
			w2, _, kids2 := e.couple("郑丽", "冯军", "341523100201", "2024-09-09")
			mother := citizenOf(w2, "341523100201")
			c2, err := e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: kids2[0].ID, Applicant: w2.ID,
				Relation: birth.RelationMother, Year: 2026})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: kids2[0].ID, Applicant: w2.ID,
				Relation: birth.RelationMother, Year: 2025})
			wantKind(t, "last year for a child not born then", err, apperr.Invalid)
			c2, err = e.a.CheckSubsidy(e.ctx, township, "341523", c2.ID, c2.Version, false, "申请人户口簿信息不全，请补充后重新申请")
			if err != nil || c2.Status != birth.ClaimRejected {
				t.Fatalf("rejected: %+v %v", c2, err)
			}
			c3, err := e.a.ApplySubsidy(e.ctx, mother, birth.NewClaim{County: "341523", Child: kids2[0].ID, Applicant: w2.ID,
				Relation: birth.RelationMother, Year: 2026})
			if err != nil {
				t.Fatal(err)
			}
			if c3, err = e.a.WithdrawSubsidy(e.ctx, mother, "341523", c3.ID, c3.Version); err != nil || c3.Status != birth.ClaimWithdrawn {
				t.Fatalf("withdrawn: %+v %v", c3, err)
			}
			guardian := e.person("冯奶奶", registry.Female, "1960-01-01", "341523100201")
			if _, err := e.a.ApplySubsidy(e.ctx, villager, birth.NewClaim{County: "341523", Child: kids2[0].ID, Applicant: guardian.ID,
				Relation: birth.RelationGuardian, Year: 2026}); err != nil {
				t.Fatalf("a guardian applies: %v", err)
			}
		})
	}
}
