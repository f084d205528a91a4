package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestSearchWho finds persons in the person search, the roll and the
// worklist by what staff type into the search box: the beginning of a
// name, pinyin initials, the last four to six characters of an ID number
// or the whole number, with village, program and status.
func TestSearchWho(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testSearchWho(t, engine) })
	}
}

func testSearchWho(t *testing.T, engine store.Engine) {
	db := storetest.Open(t, engine)
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	const v1, v2 = "341523100201", "341523100202"
	// Four persons; 张建国 and 张建华 share the last four characters of
	// their numbers but not the last five.
	type p struct {
		name, idn, region string
	}
	num := func(seq int, day int) string {
		return string(idcard.Make("341523", date.Of(1960, 3, day).Time(), seq))
	}
	second := ""
	for day := 1; day <= 28 && second == ""; day++ {
		if n := num(11, day); day%10 != 2 && n[17] == num(11, 12)[17] {
			second = n
		}
	}
	people := []p{
		{"张建国", num(11, 12), v1},
		{"张建华", second, v1},
		{"单丽", num(24, 5), v2},
		{"王秀英", num(37, 9), v2},
	}
	if people[0].idn[14:] != people[1].idn[14:] || people[0].idn[13:] == people[1].idn[13:] {
		t.Fatalf("fixture: %s and %s should share the last four characters only", people[0].idn, people[1].idn)
	}
	ids := map[string]int64{}
	must := func(what string, fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("persons", func(tx *store.Tx) error {
		for _, x := range people {
			sex := idcard.Number(x.idn).Sex()
			r, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: x.name, IDNumber: x.idn, Sex: sex,
				Birth: date.MustParse(x.idn[6:10] + "-" + x.idn[10:12] + "-" + x.idn[12:14]), Region: x.region, HukouType: registry.Rural})
			if err != nil {
				return err
			}
			ids[x.name] = r.ID
		}
		return nil
	})
	must("roll and cases", func(tx *store.Tx) error {
		for i, r := range []struct {
			name, program, status string
		}{{"张建国", "jf", "active"}, {"张建华", "jf", "exited"}, {"单丽", "tf_death", "active"}, {"王秀英", "jf", "active"}} {
			reg := people[slices.IndexFunc(people, func(x p) bool { return x.name == r.name })].region
			if err := tx.InsertRecipient(ctx, &roll.Recipient{County: "341523", ID: int64(i + 1), PersonID: ids[r.name], Program: r.program,
				Region: reg, Confirmed: date.Of(2024, 1, 1), StartYear: 2024, StartMonth: 1, Status: r.status, Version: 1,
				CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, &workflow.Case{County: "341523", ID: int64(i + 1), PersonID: ids[r.name], Program: r.program,
				Year: 2024, Region: reg, State: workflow.VillageNotice, Submitted: date.Of(2024, 5, 1), Version: 1,
				CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	who := func(s string) registry.Who {
		w, err := registry.ParseWho("q", s)
		if err != nil {
			t.Fatalf("ParseWho(%q): %v", s, err)
		}
		return w
	}
	names := func(ids_ []int64) []string {
		var out []string
		for _, id := range ids_ {
			for n, x := range ids {
				if x == id {
					out = append(out, n)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		scope   region.Code
		q       string
		village string
		program string
		status  string
		persons []string // the person search
		onRoll  []string // the roll
		cases   []string // the worklist
	}{
		{"341523", "张建", "", "", "", []string{"张建华", "张建国"}, []string{"张建华", "张建国"}, []string{"张建华", "张建国"}},
		{"341523", "zjg", "", "", "", []string{"张建国"}, []string{"张建国"}, []string{"张建国"}},
		{"341523", "ZJ", "", "", "", []string{"张建华", "张建国"}, []string{"张建华", "张建国"}, []string{"张建华", "张建国"}},
		{"341523", "sl", "", "", "", []string{"单丽"}, []string{"单丽"}, []string{"单丽"}},
		{"341523", people[0].idn[14:], "", "", "", []string{"张建华", "张建国"}, []string{"张建华", "张建国"}, []string{"张建华", "张建国"}},
		{"341523", people[0].idn[13:], "", "", "", []string{"张建国"}, []string{"张建国"}, []string{"张建国"}},
		{"341523", people[1].idn[12:], "", "", "", []string{"张建华"}, []string{"张建华"}, []string{"张建华"}},
		{"341523", people[3].idn, "", "", "", []string{"王秀英"}, []string{"王秀英"}, []string{"王秀英"}},
		{"341523", "zj", "", "jf", "active", []string{"张建华", "张建国"}, []string{"张建国"}, []string{"张建华", "张建国"}},
		{"341523", "", v2, "jf", "", []string{"单丽", "王秀英"}, []string{"王秀英"}, []string{"王秀英"}},
		{"341523", "w", v1, "", "", nil, nil, nil},
		{"341523", "9999", "", "", "", nil, nil, nil},
		{v2, "zj", "", "", "", nil, nil, nil}, // out of scope
		{"341524", people[3].idn, "", "", "", nil, nil, nil},
	} {
		err := db.View(ctx, func(tx *store.Tx) error {
			w := who(c.q)
			rs, _, err := tx.FindPersons(ctx, c.scope, registry.Query{Who: w, Region: c.village, Limit: 50})
			if err != nil {
				return err
			}
			var got []int64
			for _, r := range rs {
				got = append(got, r.ID)
			}
			if g := names(got); !slices.Equal(g, c.persons) {
				t.Errorf("FindPersons(%s, %q, %s) = %v, want %v", c.scope, c.q, c.village, g, c.persons)
			}
			rq := roll.Query{Who: w, Region: c.village, Program: c.program, Status: c.status}
			recs, err := tx.Roll(ctx, c.scope, rq)
			if err != nil {
				return err
			}
			got = got[:0]
			for _, r := range recs {
				got = append(got, r.PersonID)
			}
			if g := names(got); !slices.Equal(g, c.onRoll) {
				t.Errorf("Roll(%s, %+v) = %v, want %v", c.scope, rq, g, c.onRoll)
			}
			if n, err := tx.RollTotal(ctx, c.scope, rq); err != nil || n != len(c.onRoll) {
				t.Errorf("RollTotal(%s, %+v) = %d, %v; want %d", c.scope, rq, n, err, len(c.onRoll))
			}
			cq := workflow.CaseQuery{Who: w, Region: c.village, Program: c.program}
			cs, err := tx.Cases(ctx, c.scope, cq)
			if err != nil {
				return err
			}
			got = got[:0]
			for _, x := range cs {
				got = append(got, x.PersonID)
			}
			if g := names(got); !slices.Equal(g, c.cases) {
				t.Errorf("Cases(%s, %+v) = %v, want %v", c.scope, cq, g, c.cases)
			}
			if n, err := tx.CountCases(ctx, c.scope, cq); err != nil || n != len(c.cases) {
				t.Errorf("CountCases(%s, %+v) = %d, %v; want %d", c.scope, cq, n, err, len(c.cases))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
	}
}

// TestInitialsOfOlderDatabase checks that migrating a database written
// before the initials existed fills them, so that its persons are found
// by initials at once.
func TestInitialsOfOlderDatabase(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 14); err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"张建国", "张建国", "曾国华", "欧阳修文"} {
				execSQL(t, db, `INSERT INTO persons (county, id, name, sex, birth, region, hukou_type, created_at, updated_at)
					VALUES ('341523', ?, ?, 'F', '1960-01-01', '341523100201', 'rural', '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z')`, i+1, name)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string]int{"zjg": 2, "zgh": 1, "oyxw": 1, "z": 3, "x": 0} {
				rs := view(t, db, func(tx *store.Tx) ([]registry.Record, error) {
					rs, _, err := tx.FindPersons(ctx, "341523", registry.Query{Who: registry.Who{Kind: registry.WhoInitials, Text: q}, Limit: 10})
					return rs, err
				})
				if len(rs) != want {
					t.Errorf("%q found %d persons, want %d", q, len(rs), want)
				}
			}
		})
	}
}
