package synth

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/special"
)

// TestSpecialCare checks the synthetic care against its rates on 2,000
// families: the coverages within a few points of theirs, the overdue
// visits at the lapse rate, visits within the last year and in order, and
// the same plan from the same seed.
func TestSpecialCare(t *testing.T) {
	const n = 2000
	fs := make([]SpecialFamilyRef, n)
	for i := range fs {
		fs[i].ID = int64(i + 1)
	}
	asOf := date.MustParse("2025-06-30")
	kinds := []string{special.KindTownshipCadre, special.KindVillageDoctor}
	plans := SpecialCare(fs, kinds, 90, asOf, 7)
	var full, doctor, green, insured, overdue, visits int
	for _, p := range plans {
		if len(p.Contacts) == len(kinds) {
			full++
		}
		for _, s := range p.Service {
			switch s.Kind {
			case special.ServiceDoctor:
				doctor++
			case special.ServiceGreen:
				green++
			case special.ServiceInsurance:
				insured++
			}
		}
		for i, v := range p.Visits {
			visits++
			if v.Date.After(asOf) || v.Date.Before(asOf.AddDays(-365)) || (i > 0 && !v.Date.After(p.Visits[i-1].Date)) {
				t.Fatalf("family %d: visits %+v", p.Family, p.Visits)
			}
		}
		if len(p.Visits) > 0 && p.Visits[len(p.Visits)-1].NextDue.Before(asOf) {
			overdue++
		}
	}
	near := func(what string, got int, rate float64) {
		if r := float64(got) / n; r < rate-0.03 || r > rate+0.03 {
			t.Errorf("%s: %.3f, want %.2f", what, r, rate)
		}
	}
	near("full contacts", full, ContactsRate)
	near("family doctor", doctor, DoctorRate)
	near("green channel", green, GreenRate)
	near("insured", insured, InsuredRate)
	near("overdue", overdue, LapseRate)
	if visits < 3*n {
		t.Errorf("%d visits for %d families", visits, n)
	}
	again := SpecialCare(fs[:10], kinds, 90, asOf, 7)
	for i := range again {
		if len(again[i].Visits) != len(plans[i].Visits) || again[i].Contacts[0].Name != plans[i].Contacts[0].Name {
			t.Fatalf("the same seed gave another plan for family %d", i)
		}
	}
}
