package app_test

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestGenerateSpecialCare builds the register of a synthetic county from
// its registry and roll and gives the families synthetic care: the
// coverage is below 100 % with families to follow up, some visits are
// overdue, and a second run adds nothing.
func TestGenerateSpecialCare(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a synthetic county")
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-07-15")
			ctx := app.WithRequest(context.Background(), app.Request{Door: "cli"})
			if _, err := e.a.GenerateSynthetic(ctx, auth.System, synth.Config{County: "341523", Persons: 8000, Seed: 3}, nil); err != nil {
				t.Fatal(err)
			}
			_, err := e.a.GenerateSpecialCare(ctx, county, "341523", 1)
			wantKind(t, "a county officer generates", err, apperr.Forbidden)
			st, err := e.a.GenerateSpecialCare(ctx, auth.System, "341523", 1)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v %+v", st, st.Sweep)
			if st.Families < 5 || st.Contacts < st.Families || st.Visits < st.Families {
				t.Fatalf("care %+v", st)
			}
			cov, err := e.a.SpecialCoverage(ctx, county, "341523", "")
			if err != nil {
				t.Fatal(err)
			}
			if cov.Total.Families != st.Families || cov.Total.Full == cov.Total.Families || len(cov.Gaps) == 0 {
				t.Errorf("coverage %+v", cov.Total)
			}
			if cov.Total.Overdue == 0 {
				t.Errorf("no visit overdue: %+v", cov.Total)
			}
			again, err := e.a.GenerateSpecialCare(ctx, auth.System, "341523", 1)
			if err != nil || again.Families != 0 || again.Sweep.Added != 0 {
				t.Errorf("second run %+v %v", again, err)
			}
			fs, _, err := e.a.SpecialFamilies(ctx, county, "341523", special.Query{})
			if err != nil || len(fs) != st.Families {
				t.Errorf("register %d %v", len(fs), err)
			}
		})
	}
}
