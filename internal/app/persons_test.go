package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// Two villages of 舒城县: the officer of the first works there only.
const (
	homeVillage  = "341523100001"
	otherVillage = "341523100201"
)

var (
	villager = auth.Actor{UserID: 7, Username: "village", Role: auth.RoleVillage, Scope: homeVillage}
	county   = auth.Actor{UserID: 8, Username: "county", Role: auth.RoleCounty, Scope: "341523"}
	citizen  = auth.Actor{UserID: 9, Username: "citizen", Role: auth.RoleCitizen, Scope: homeVillage}
)

// testApp returns the use-case layer over a fresh database of engine,
// its clock fixed on 2024-05-06.
func testApp(t *testing.T, engine store.Engine) *App {
	t.Helper()
	db := storetest.Open(t, engine)
	db.Now = func() time.Time { return time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC) }
	return New(db, DefaultConfig(), nil)
}

// register registers a rural person of region born on birth.
func register(t *testing.T, a *App, name, sex, birth, where string, seq int) registry.Key {
	t.Helper()
	b := date.MustParse(birth)
	if sex == registry.Male {
		seq = 2*seq + 1
	} else {
		seq = 2 * seq
	}
	rec, err := a.RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), seq)),
		Name: name, Sex: sex, Birth: b, Region: where, HukouType: registry.Rural})
	if err != nil {
		t.Fatal(err)
	}
	return registry.Key{County: rec.County, ID: rec.ID}
}

// denials returns the access.denied entries of the county's chain, newest
// first.
func denials(t *testing.T, a *App) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := a.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: "341523", Limit: 1000})
		for _, e := range es {
			if e.Action == "access.denied" {
				out = append(out, e)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRegistryRefusals checks how the registry's use cases refuse: a
// person located outside the actor's scope is not found, a region the
// caller names outside it is forbidden, a relative outside it is not found
// under the relative's field; each refusal is audited once on the actor's
// chain, naming what was refused, and a missing person is no refusal.
func TestRegistryRefusals(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := WithRequest(context.Background(), Request{Door: "test"})
			home := register(t, a, "张三", registry.Male, "1962-03-01", homeVillage, 1)
			other := register(t, a, "王五", registry.Female, "1964-01-01", otherVillage, 2)
			otherHusband := register(t, a, "赵六", registry.Male, "1960-01-01", otherVillage, 3)
			marriage, err := a.AddMarriage(ctx, county, other, Relative{ID: otherHusband.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("1985-01-01")}, "")
			if err != nil {
				t.Fatal(err)
			}
			missing := registry.Key{County: "341523", ID: 999999}
			tests := []struct {
				name  string
				call  func() error
				kind  apperr.Kind
				field string
				// the audit entry of the refusal; none when entity is ""
				entity, id, region string
			}{
				{"read a person of another village", func() error { _, err := a.Person(ctx, villager, other); return err },
					apperr.NotFound, "", "person", keyRef(other), otherVillage},
				{"overview of a person of another village", func() error { _, err := a.PersonOverview(ctx, villager, other, "zh"); return err },
					apperr.NotFound, "", "person", keyRef(other), otherVillage},
				{"search another village", func() error {
					_, _, err := a.SearchPersons(ctx, villager, registry.Query{Region: otherVillage})
					return err
				}, apperr.Forbidden, "", "person", "", otherVillage},
				{"register in another village", func() error {
					_, err := a.RegisterPerson(ctx, villager, registry.NewPerson{Name: "钱七", Sex: registry.Male, Birth: date.MustParse("1970-01-01"),
						Region: otherVillage, HukouType: registry.Rural})
					return err
				}, apperr.Forbidden, "", "person", "", otherVillage},
				{"marry a person of another village", func() error {
					_, err := a.AddMarriage(ctx, villager, home, Relative{ID: other.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("1990-01-01")}, "")
					return err
				}, apperr.NotFound, "spouse", "person", keyRef(other), otherVillage},
				{"end a marriage of another village", func() error {
					return a.EndMarriage(ctx, villager, "341523", marriage, date.MustParse("2020-01-01"), "divorce")
				}, apperr.NotFound, "", "marriage", strconv.FormatInt(marriage, 10), otherVillage},
				{"a citizen reads the registry", func() error { _, err := a.Person(ctx, citizen, home); return err },
					apperr.Forbidden, "", "person", keyRef(home), "341523"},
				{"a missing person", func() error { _, err := a.Person(ctx, villager, missing); return err },
					apperr.NotFound, "", "", "", ""},
				{"a missing spouse", func() error {
					_, err := a.AddMarriage(ctx, villager, home, Relative{ID: 999999, Field: "spouse"}, registry.Marriage{From: date.MustParse("1990-01-01")}, "")
					return err
				}, apperr.NotFound, "spouse", "", "", ""},
				{"a spouse by an ID number nobody in scope has", func() error {
					_, err := a.AddMarriage(ctx, villager, home, Relative{IDNumber: string(idcard.Make("341523", date.MustParse("1964-01-01").Time(), 4)), Field: "spouse"},
						registry.Marriage{From: date.MustParse("1990-01-01")}, "")
					return err
				}, apperr.Invalid, "spouse", "", "", ""},
			}
			for _, tt := range tests {
				before := len(denials(t, a))
				err := tt.call()
				e, _ := apperr.As(err)
				if apperr.KindOf(err) != tt.kind || e == nil || e.Field != tt.field {
					t.Errorf("%s: %v (%v, field %q), want %v on field %q", tt.name, err, apperr.KindOf(err), fieldOf(e), tt.kind, tt.field)
				}
				got := denials(t, a)
				switch {
				case tt.entity == "" && len(got) != before:
					t.Errorf("%s: %d access.denied entries written, want none", tt.name, len(got)-before)
				case tt.entity == "":
				case len(got) != before+1:
					t.Errorf("%s: %d access.denied entries written, want 1", tt.name, len(got)-before)
				case got[0].Entity != tt.entity || got[0].EntityID != tt.id || got[0].Region != tt.region:
					t.Errorf("%s: access.denied entry %+v, want %s %q in %q", tt.name, got[0], tt.entity, tt.id, tt.region)
				}
			}
		})
	}
}

func keyRef(k registry.Key) string { return strconv.FormatInt(k.ID, 10) }

func fieldOf(e *apperr.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}

// TestPersonOverviewUsesCachedRules checks that the person page's overview
// decides with the compiled rules the App holds, compiling them once for
// any number of views, and shows what the role may read.
func TestPersonOverviewUsesCachedRules(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := context.Background()
			h := register(t, a, "王建国", registry.Male, "1962-03-01", homeVillage, 11)
			w := register(t, a, "李秀英", registry.Female, "1964-12-31", homeVillage, 22)
			d := register(t, a, "王小红", registry.Female, "1988-06-01", homeVillage, 42)
			if _, err := a.AddMarriage(ctx, villager, h, Relative{ID: w.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("1986-01-01")}, ""); err != nil {
				t.Fatal(err)
			}
			for _, p := range []registry.Key{h, w} {
				if _, err := a.AddChild(ctx, villager, p, Relative{ID: d.ID, Field: "child"}, registry.ParentChild{Kind: registry.Birth, InPolicy: new(true)}, ""); err != nil {
					t.Fatal(err)
				}
			}
			first, err := a.PersonOverview(ctx, villager, h, "zh")
			if err != nil {
				t.Fatal(err)
			}
			compiled := a.rules.ev["zh"]
			if compiled == nil {
				t.Fatal("the overview compiled no rules into the App's rulebook")
			}
			second, err := a.PersonOverview(ctx, county, h, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if a.rules.ev["zh"] != compiled {
				t.Error("a second overview compiled the rules again")
			}
			for _, o := range []*PersonOverview{first, second} {
				if o.Benefits.Err != nil || len(o.Benefits.Decisions) == 0 || o.Year != 2024 || len(o.Family.Persons) != 3 {
					t.Fatalf("overview = %+v", o)
				}
				if !o.Benefits.Decisions[0].Eligible || o.Benefits.Decisions[0].Program != "jf" || len(o.Benefits.Decisions[0].Clauses) == 0 {
					t.Errorf("first decision = %+v, want jf eligible with its clauses", o.Benefits.Decisions[0])
				}
			}
			// What each role reads besides: the village neither the audit
			// trail nor payments; the county both.
			if first.Audit != nil || first.Account != nil || second.Audit == nil {
				t.Errorf("audit entries: village %d, county %d; want none for the village", len(first.Audit), len(second.Audit))
			}
		})
	}
}

// TestExportRoster checks that a roster export refused by scope writes
// nothing and is audited as a refusal, and that an allowed one writes
// every person of the region and records the export.
func TestExportRoster(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := context.Background()
			register(t, a, "张三", registry.Male, "1962-03-01", homeVillage, 1)
			register(t, a, "王五", registry.Female, "1964-01-01", otherVillage, 2)
			var buf bytes.Buffer
			opened := 0
			open := func() (RowSink, error) {
				opened++
				buf.Reset()
				return sheet.NewWriter(&buf, registry.RosterHeader(), sheet.WriterOptions{Format: sheet.FormatCSV, Encoding: sheet.EncodingUTF8})
			}
			err := a.ExportRoster(ctx, villager, RosterExport{Region: otherVillage, Format: sheet.FormatCSV}, open)
			if apperr.KindOf(err) != apperr.Forbidden || opened != 0 || len(denials(t, a)) != 1 {
				t.Fatalf("export of another village: %v, opened %d times, %d refusals audited", err, opened, len(denials(t, a)))
			}
			if err := a.ExportRoster(ctx, villager, RosterExport{Format: sheet.FormatCSV, Encoding: sheet.EncodingUTF8}, open); err != nil {
				t.Fatal(err)
			}
			table, err := sheet.Open(bytes.NewReader(buf.Bytes()), "")
			if err != nil {
				t.Fatal(err)
			}
			ro, err := registry.ParseRoster(table, registry.RosterOptions{})
			if err != nil || len(ro.Rows) != 1 || ro.Rows[0].Person.Name != "张三" {
				t.Fatalf("the village's export read back: %v %+v", err, ro)
			}
			var e audit.Entry
			err = a.db.View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523", Limit: 1})
				if len(es) == 1 {
					e = es[0]
				}
				return err
			})
			var detail map[string]any
			json.Unmarshal([]byte(e.After), &detail)
			if err != nil || e.Action != "person.export" || e.Username != "village" || e.Region != homeVillage ||
				detail["rows"] != 1.0 || detail["complete"] != true {
				t.Errorf("the export's audit entry = %+v (%v)", e, err)
			}
		})
	}
}

// TestRegionNamedOrLocated pins the rule of op.check: a region the caller
// names outside the scope is forbidden, a target located outside it is
// not found.
func TestRegionNamedOrLocated(t *testing.T) {
	a := testApp(t, store.SQLite)
	other := register(t, a, "王五", registry.Female, "1964-01-01", otherVillage, 2)
	err := a.view(context.Background(), villager, op{name: "named", target: Target{Entity: "person", Region: region.Code(otherVillage)}},
		func(*store.Tx) error { return nil })
	if apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("named region: %v, want forbidden", err)
	}
	err = a.view(context.Background(), villager, personOp("located", "", other), func(*store.Tx) error { return nil })
	var s scopeError
	if !errors.As(err, &s) || apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("located person: %v, want not found", err)
	}
}
