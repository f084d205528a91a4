package synth

import (
	"context"
	"math"
	"testing"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// services counts what the services of births and the under-threes make
// of a synthetic county (docs/synthetic.md, "Births and the under-threes").
type services struct {
	residents    int            // alive at AsOf
	births       map[int]int    // by year
	registered   map[int]int    // by year of registration, cancelled ones included
	byParity     map[int][4]int // registrations of the year by parity 1, 2, 3, 4+
	open         int
	cancelled    int
	late         int
	closed       int
	children     int // born since 2022, alive in 2025
	claimed      int
	approved     int
	institutions int
	places       int
	inclusive    int
	inspections  int
	rectifying   int
	pop          map[string]int // residents by township
	tplaces      map[string]int // places by township
	badCodes     int
}

func measureServices(t *testing.T, cfg Config) services {
	t.Helper()
	m := services{births: map[int]int{}, registered: map[int]int{}, byParity: map[int][4]int{}, pop: map[string]int{}, tplaces: map[string]int{}}
	asOf := cfg.AsOf
	_, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		born := map[int64]date.Date{}
		for _, p := range b.Persons {
			if p.Death.IsZero() || p.Death.After(asOf) {
				m.residents++
				m.pop[p.Region[:9]]++
			}
			born[p.ID] = p.Birth
			if p.Birth.Year() >= 2021 {
				m.births[p.Birth.Year()]++
			}
			if !p.Birth.Before(date.Of(2022, 1, 1)) && (p.Death.IsZero() || !p.Death.Before(date.Of(2025, 1, 1))) {
				m.children++
			}
		}
		for _, r := range b.Registrations {
			y := r.Registered.Year()
			m.registered[y]++
			bp := m.byParity[y]
			bp[min(r.Parity, 4)-1]++
			m.byParity[y] = bp
			switch r.Status {
			case birth.StatusRegistered:
				m.open++
			case birth.StatusCancelled:
				m.cancelled++
			case birth.StatusClosed:
				m.closed++
				if r.Registered.After(r.Born) {
					m.late++
				}
			}
		}
		for _, c := range b.Claims {
			m.claimed++
			if c.Status == birth.ClaimApproved {
				m.approved++
			}
		}
		for _, x := range b.Institutions {
			if !childcare.ValidCreditCode(x.CreditCode) {
				m.badCodes++
			}
			if !x.Closed.IsZero() {
				continue
			}
			m.institutions++
			m.places += x.Places
			m.tplaces[x.Region[:9]] += x.Places
			if x.Inclusive {
				m.inclusive += x.Places
			}
		}
		for _, x := range b.Inspections {
			m.inspections++
			if x.Status == childcare.InspectionRectifying {
				m.rectifying++
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServicesRealism generates a 舒城 county of 600,000 persons to the end
// of 2025 and holds the services to their published rates: registrations
// per 1,000 residents and their parities against 淅川's 2023 figures
// (3,139 / 2,361 / 124 for about 0.7 million people, CO-XICHUAN), the
// subsidy's take-up, and childcare places per 1,000 residents (4.08 in
// 2024 nationally).
func TestServicesRealism(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a county of 600,000 persons")
	}
	m := measureServices(t, Config{County: "341523", Persons: 600_000, Seed: 11, AsOf: date.Of(2025, 12, 31)})
	per1000 := func(n int) float64 { return float64(n) * 1000 / float64(m.residents) }
	within := func(name string, got, lo, hi float64) {
		t.Helper()
		t.Logf("%s = %.3f (want %g–%g)", name, got, lo, hi)
		if math.IsNaN(got) || got < lo || got > hi {
			t.Errorf("%s = %.3f, want %g–%g", name, got, lo, hi)
		}
	}
	t.Logf("%d residents; births %v; registrations %v by parity %v; open %d, cancelled %d, late %d of %d closed",
		m.residents, m.births, m.registered, m.byParity, m.open, m.cancelled, m.late, m.closed)
	t.Logf("children %d, claims %d (approved %d); %d institutions, %d places (%d inclusive), %d inspections (%d rectifying)",
		m.children, m.claimed, m.approved, m.institutions, m.places, m.inclusive, m.inspections, m.rectifying)
	xichuan := 3139.0 + 2361 + 124
	within("registrations of 2023 per 1,000 / 淅川's", per1000(m.registered[2023])/(xichuan*1000/700_000), 0.5, 1.3)
	p := m.byParity[2023]
	n := float64(p[0] + p[1] + p[2] + p[3])
	// The parities follow the simulated births, whose second births since
	// 2021 (5% a year) fall short of 淅川's (docs/synthetic.md).
	within("first-child share of 2023 registrations (淅川 55.8%)", float64(p[0])/n, 0.45, 0.80)
	within("second-child share (淅川 42.0%)", float64(p[1])/n, 0.15, 0.50)
	within("third-child and later share (淅川 2.2%)", float64(p[2]+p[3])/n, 0.005, 0.15)
	within("registrations per birth, 2023", float64(m.registered[2023])/float64(m.births[2023]), 0.9, 1.25)
	within("late registrations among closed", float64(m.late)/float64(m.closed), 0.15, 0.4)
	within("claims per child under three (85% by 144 days)", float64(m.claimed)/float64(m.children), 0.6, 0.9)
	// A county's places come in whole institutions of 10–120: seeds 11–17
	// give 2.8–5.5 around the 4.08 aimed at.
	within("places per 1,000 residents (4.08 in 2024)", per1000(m.places), 2.5, 6.5)
	within("inclusive share of places (about half)", float64(m.inclusive)/float64(m.places), 0.35, 0.7)
	if m.badCodes > 0 {
		t.Errorf("%d institutions have a wrong credit code", m.badCodes)
	}
	below := 0
	for tw, pop := range m.pop {
		if pop > 2000 && float64(m.tplaces[tw])*1000/float64(pop) < childcare.DefaultTarget {
			below++
		}
	}
	if below == 0 || below == len(region.Default().Children("341523")) {
		t.Errorf("%d townships below the target: want some, not all", below)
	}
}

// TestNoClaimsBeforeTheSystemOpened checks that a county simulated to a day
// before 2025-09-08 has no subsidy claims, and registrations but no
// childcare places before 2020.
func TestNoClaimsBeforeTheSystemOpened(t *testing.T) {
	m := measureServices(t, Config{County: "341523", Persons: 5_000, Seed: 3})
	if m.claimed != 0 || m.approved != 0 {
		t.Errorf("%d claims before the system opened", m.claimed)
	}
	if m.closed == 0 {
		t.Errorf("no registration closed by a birth")
	}
}

func TestClaimMonths(t *testing.T) {
	for _, tt := range []struct {
		birth string
		year  int
		want  int
	}{{"2022-03-15", 2025, 3}, {"2022-03-15", 2026, 0}, {"2025-07-01", 2025, 12}, {"2025-07-01", 2027, 12}, {"2025-07-01", 2028, 0},
		{"2024-03-10", 2027, 3}, {"2023-06-01", 2026, 6}, {"2022-01-01", 2025, 1}, {"2021-12-31", 2025, 0}} {
		if got := claimMonths(date.MustParse(tt.birth), tt.year); got != tt.want {
			t.Errorf("claimMonths(%s, %d) = %d, want %d", tt.birth, tt.year, got, tt.want)
		}
	}
}
