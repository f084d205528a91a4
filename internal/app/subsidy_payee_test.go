package app_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestSubsidyPaidToApplicant: the childcare subsidy's roll names the
// child, and once the claim is confirmed the year is paid into the account
// of the mother who applied: the bank batch names her, her ID number and
// her account. While no one has an account the lines stay pending; a
// child whose applicant (the father) has none is paid into its own.
func TestSubsidyPaidToApplicant(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-08-01")
			w, h, kids := e.couple("陈芳", "刘伟", "341523100201", "2024-03-10", "2025-02-01")
			mother := citizenOf(w, "341523100201")
			confirm := func(who auth.Actor, child, applicant registry.Key, relation string) {
				t.Helper()
				c, err := e.a.ApplySubsidy(e.ctx, who, birth.NewClaim{County: "341523", Child: child.ID, Applicant: applicant.ID,
					Relation: relation, Year: 2025})
				if err != nil {
					t.Fatal(err)
				}
				if c, err = e.a.CheckSubsidy(e.ctx, township, "341523", c.ID, c.Version, true, "户籍、出生医学证明核实无误"); err != nil {
					t.Fatal(err)
				}
				if _, err = e.a.ConfirmSubsidy(e.ctx, county, "341523", c.ID, c.Version, true, ""); err != nil {
					t.Fatal(err)
				}
			}
			confirm(mother, kids[0], w, birth.RelationMother)
			// The father, who has no account, applies for the second at the
			// counter.
			confirm(villager, kids[1], h, birth.RelationFather)
			e.clock.set("2025-11-01")
			cyc, _, err := e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: policy.ProgramChildcareSubsidy, Period: "2025"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.GenerateBatches(e.ctx, finance, "341523", cyc.ID); err == nil {
				t.Fatal("batches without any account")
			}
			if _, err := e.a.SetAccount(e.ctx, finance, w, payment.AccountInput{Bank: "103", Number: "6228480402564890018", Holder: "陈芳"}); err != nil {
				t.Fatal(err)
			}
			// The father has no account: the second child's year is paid
			// into the child's own.
			second, err := e.a.Person(e.ctx, auth.System, kids[1])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.SetAccount(e.ctx, finance, kids[1], payment.AccountInput{Bank: "103", Number: "6228480402564890026", Holder: second.Person.Name}); err != nil {
				t.Fatal(err)
			}
			run, err := e.a.GenerateBatches(e.ctx, finance, "341523", cyc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Batches) != 1 || len(run.Batches[0].Items) != 2 {
				t.Fatalf("batches %+v", run)
			}
			paid := map[int64]payment.Item{}
			for _, it := range run.Batches[0].Items {
				paid[it.PersonID] = it
			}
			it := paid[kids[0].ID]
			p, err := e.a.Person(e.ctx, auth.System, w)
			if err != nil {
				t.Fatal(err)
			}
			if it.PersonID != kids[0].ID || it.Name != "陈芳" || it.Account != "6228480402564890018" || it.IDNumber != p.Person.IDNumber {
				t.Errorf("the item %+v: want the child's line paid to the mother", it)
			}
			if it := paid[kids[1].ID]; it.Name != second.Person.Name || it.Account != "6228480402564890026" {
				t.Errorf("the item %+v: want the second child's line paid to the child's own account", it)
			}
		})
	}
}
