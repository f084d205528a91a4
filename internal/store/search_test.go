package store_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
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
			rs, total, err := tx.FindPersons(ctx, c.scope, registry.Query{Who: w, Region: c.village, Limit: 50})
			if err != nil {
				return err
			}
			var got []int64
			for _, r := range rs {
				got = append(got, r.ID)
			}
			if g := names(got); !slices.Equal(g, c.persons) || total != len(c.persons) {
				t.Errorf("FindPersons(%s, %q, %s) = %v, %d in all; want %v", c.scope, c.q, c.village, g, total, c.persons)
			}
			// A full first page of one, and a page past the last, count
			// them too (a whole ID number's first page that is not full
			// needs no count; these do).
			for _, page := range []registry.Query{{Who: w, Region: c.village, Limit: 1}, {Who: w, Region: c.village, Limit: 1, Offset: 50}} {
				if _, total, err := tx.FindPersons(ctx, c.scope, page); err != nil || total != len(c.persons) {
					t.Errorf("FindPersons(%s, %q, %s) from %d, %d a page: %d in all, %v; want %d", c.scope, c.q, c.village,
						page.Offset, page.Limit, total, err, len(c.persons))
				}
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

// planCounty opens a database of engine (skipping the test without it)
// holding a synthetic county of 5,000 persons, enough for the planner's
// statistics to tell the indexes apart, and one person registered in it,
// whom it returns.
func planCounty(t *testing.T, engine store.Engine) (*store.DB, *registry.Record) {
	t.Helper()
	if !slices.Contains(storetest.Engines(t), engine) {
		t.Skip(string(engine) + " only")
	}
	db := storetest.Open(t, engine)
	fixedClock(db)
	ctx := context.Background()
	if _, err := store.LoadSynthetic(ctx, db, synth.Config{County: "341523", Persons: 5000, Seed: 2, BatchPersons: 2500}, nil); err != nil {
		t.Fatal(err)
	}
	a := register(t, db, person(t, "王秀英", "F", "1960-03-21", 471))
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	return db, a
}

// TestSearchGenericPlans checks, on PostgreSQL, that the person search by
// name, initials, the end of an ID number and the whole number is an index
// search on its own condition even in the generic plan of a prepared
// statement (which PostgreSQL adopts after a few runs when it looks no
// dearer), not a walk of the county's names in order filtered row by row.
func TestSearchGenericPlans(t *testing.T) {
	db, a := planCounty(t, store.Postgres)
	ctx := context.Background()
	type search struct {
		who   registry.Who
		index string // the index the scan of persons must search (or one whose name begins so)
		cond  string // in its Index Cond
		scope region.Code
		in    region.Code // the region searched in (Query.Region), if not the scope
		avoid string      // what the plan must not search on
	}
	cases := []search{
		{registry.Who{Kind: registry.WhoName, Text: "王秀"}, "persons_name", "(name)::text >= $", "341523", "", ""},
		{registry.Who{Kind: registry.WhoInitials, Text: "wxy"}, "persons_name_initials ", "(name_initials = $", "341523", "", ""},
		{registry.Who{Kind: registry.WhoInitials, Text: "wx"}, "persons_name_initials2", "substr(name_initials, 1, 2)", "341523", "", ""},
		{registry.Who{Kind: registry.WhoInitials, Text: "w"}, "persons_name_initial ", "substr(name_initials, 1, 1)", "341523", "", "substr(name_initials, 1, 2)"},
		// The county's officer who picks a village searches as its staff.
		{registry.Who{Kind: registry.WhoInitials, Text: "w"}, "persons_village_initial ", "(region = $", "341523", region.Code(a.Region), ""},
		{registry.Who{Kind: registry.WhoInitials, Text: "wx"}, "persons_village_initials ", "(region = $", "341523", region.Code(a.Region), "substr(name_initials, 1, 2)"},
		{registry.Who{Kind: registry.WhoIDSuffix, Text: a.IDNumber[12:]}, "persons_id_tail6", "id_tail6 =", "341523", "", ""},
		{registry.Who{Kind: registry.WhoIDSuffix, Text: a.IDNumber[13:]}, "persons_id_tail6", "id_tail6 = ANY", "341523", "", ""},
		{registry.Who{Kind: registry.WhoIDSuffix, Text: a.IDNumber[14:]}, "persons_id_tail ", "id_tail = $", "341523", "", ""},
		{registry.Who{Kind: registry.WhoIDNumber, Text: a.IDNumber}, "persons_id_hash", "id_hash =", "341523", "", ""},
	}
	// The same searches by the village's staff, within the village, and
	// by the township's, within the township, through the indexes that
	// hold each village's or township's persons apart.
	township := region.Code(a.Region).Parent()
	byCounty := slices.Clone(cases)
	for _, own := range []struct {
		scope   region.Code
		indexes map[string]string // the county's index → the region's
		cond    string
	}{
		{region.Code(a.Region), villageIndex, "(region = $"},
		{township, townshipIndex, "substr(region, 1, 9)"},
	} {
		for _, c := range byCounty {
			if c.scope != "341523" || c.in != "" {
				continue
			}
			c.scope = own.scope
			if c.who.Kind != registry.WhoIDNumber {
				index, ok := own.indexes[c.index]
				if !ok {
					t.Fatalf("no index in %s for %s", own.scope, c.index)
				}
				c.index, c.cond = index, own.cond
				if own.scope.Level() == region.Village && c.who.Kind == registry.WhoInitials && len(c.who.Text) == 2 {
					// Exactly two and a range of the village's initials,
					// not the county's first two.
					c.avoid = "substr(name_initials, 1, 2)"
				}
			}
			cases = append(cases, c)
		}
	}
	// The county's officer who picks a township searches as its staff.
	cases = append(cases, search{registry.Who{Kind: registry.WhoInitials, Text: "w"}, "persons_township_initial ", "substr(region, 1, 9)", "341523", township, ""})
	for _, c := range cases {
		var query string
		stop := store.TraceStatements(func(q string) {
			if query == "" && strings.Contains(q, "FROM persons") {
				query = q
			}
		})
		rs := view(t, db, func(tx *store.Tx) ([]registry.Record, error) {
			in := cmp.Or(c.in, c.scope)
			rs, _, err := tx.FindPersons(ctx, c.scope, registry.Query{Region: string(in), Who: c.who, Limit: 20})
			return rs, err
		})
		stop()
		if (c.who.Kind == registry.WhoIDSuffix || c.who.Kind == registry.WhoIDNumber) && !slices.ContainsFunc(rs, func(r registry.Record) bool { return r.ID == a.ID }) ||
			len(rs) == 0 {
			t.Errorf("%+v did not find %s", c.who, a.IDNumber)
		}
		var plan []string
		err := db.View(ctx, func(tx *store.Tx) error {
			// A table of a few rows is read whole whatever the indexes;
			// without sequential and bitmap scans the plan shows which
			// index, and which of its conditions, the search would use.
			for _, s := range []string{`SET LOCAL plan_cache_mode = force_generic_plan`, `SET LOCAL enable_seqscan = off`,
				`SET LOCAL enable_bitmapscan = off`, `PREPARE search_plan AS ` + store.Rebind(query)} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			n := strings.Count(store.Rebind(query), "$")
			rows, err := tx.Query(ctx, `EXPLAIN EXECUTE search_plan(`+strings.TrimPrefix(strings.Repeat(", NULL", n), ", ")+`)`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, line)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `DEALLOCATE search_plan`)
			return err
		})
		if err != nil {
			t.Fatalf("%+v: %v\n%s", c.who, err, query)
		}
		text := strings.Join(plan, "\n")
		found := false
		for i, line := range plan {
			if strings.Contains(line, "using "+c.index) && i+1 < len(plan) &&
				strings.Contains(plan[i+1], "Index Cond") && strings.Contains(plan[i+1], c.cond) {
				found = true
			}
		}
		if !found {
			t.Errorf("%+v: the generic plan does not search %s on %q:\n%s\n%s", c.who, c.index, c.cond, query, text)
		}
		if c.avoid != "" && strings.Contains(text, c.avoid) {
			t.Errorf("%+v in %s: the generic plan searches on %s:\n%s\n%s", c.who, cmp.Or(c.in, c.scope), c.avoid, query, text)
		}
		// Within a village, a search by initials or by the end of a
		// number reads the village's own entries of its index: every
		// scan of an index of persons searches it on the region, and
		// reads no row to find the matches but the page's own (a first
		// page's arm in name order reads its rows under the page's
		// Limit; a search by name reads the rows of its page too).
		if c.scope.Level() == region.Village && c.who.Kind != registry.WhoIDNumber {
			for i, line := range plan {
				if !scanOfPersons.MatchString(line) || strings.Contains(line, "persons_pkey") {
					continue
				}
				if i+1 >= len(plan) || !strings.Contains(plan[i+1], "(region = $") {
					t.Errorf("%+v in %s: the generic plan passes over other villages' persons (%s):\n%s\n%s", c.who, c.scope, strings.TrimSpace(line), query, text)
				}
				if c.who.Kind != registry.WhoName && !readsIndexOrPage(plan, i) {
					t.Errorf("%+v in %s: the generic plan reads rows to find the village's persons (%s):\n%s\n%s", c.who, c.scope, strings.TrimSpace(line), query, text)
				}
			}
		}
		// Within a township likewise: every scan of an index of persons
		// searches it on the township, and reads no row but the page's.
		if cmp.Or(c.in, c.scope).Level() == region.Township && c.who.Kind != registry.WhoIDNumber {
			for i, line := range plan {
				if !scanOfPersons.MatchString(line) || strings.Contains(line, "persons_pkey") {
					continue
				}
				if i+1 >= len(plan) || !strings.Contains(plan[i+1], "Index Cond") || !strings.Contains(plan[i+1], "substr(region, 1, 9)") {
					t.Errorf("%+v in %s: the generic plan passes over other townships' persons (%s):\n%s\n%s", c.who, cmp.Or(c.in, c.scope), strings.TrimSpace(line), query, text)
				}
				if c.who.Kind != registry.WhoName && !readsIndexOrPage(plan, i) {
					t.Errorf("%+v in %s: the generic plan reads rows to find the township's persons (%s):\n%s\n%s", c.who, cmp.Or(c.in, c.scope), strings.TrimSpace(line), query, text)
				}
			}
		}
		// And no part of the statement (the count, each arm of a page
		// by initials) walks the county's persons: every scan of an
		// index of persons searches it on more than the county.
		for i, line := range plan {
			if !scanOfPersons.MatchString(line) {
				continue
			}
			if i+1 >= len(plan) || !strings.Contains(plan[i+1], "Index Cond") || countyOnly.MatchString(plan[i+1]) {
				t.Errorf("%+v: the generic plan walks the county's persons (%s):\n%s\n%s", c.who, strings.TrimSpace(line), query, text)
			}
		}
	}
}

// villageIndex is the index a village's search uses where the county's
// uses the key's (two initials within a village are a range of the
// village's initials: there is no village index of the first two).
var villageIndex = map[string]string{
	"persons_name":           "persons_village_name",
	"persons_name_initial ":  "persons_village_initial ",
	"persons_name_initials ": "persons_village_initials ",
	"persons_name_initials2": "persons_village_initials ",
	"persons_id_tail ":       "persons_village_id_tail ",
	"persons_id_tail6":       "persons_village_id_tail6",
}

// townshipIndex is the index a township's search uses where the county's
// uses the key's.
var townshipIndex = map[string]string{
	"persons_name":           "persons_township_name",
	"persons_name_initial ":  "persons_township_initial ",
	"persons_name_initials ": "persons_township_initials ",
	"persons_name_initials2": "persons_township_initials2",
	"persons_id_tail ":       "persons_township_id_tail ",
	"persons_id_tail6":       "persons_township_id_tail6",
}

// scanOfPersons is a line of a plan that scans persons, and countyOnly an
// index condition on the county alone.
var (
	scanOfPersons = regexp.MustCompile(`(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan).* on persons\b`)
	countyOnly    = regexp.MustCompile(`Index Cond: \(county = \$\d+\)$`)
)

// TestInitialsPages checks that a search by initials pages through
// everyone whose initials begin with those asked, in name order, whether
// their initials are exactly those asked or go on, with two initials or
// more, ascending and descending.
func TestInitialsPages(t *testing.T) {
	names := []string{"张建", "张建国", "赵军", "周杰伦", "朱建国", "张家港口", "曾经", "张建国", "郑佳", "张军", "赵建华", "郑",
		"欧阳建国", "张金", "周家宝", "朱江"}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			type entry struct {
				name string
				id   int64
			}
			var all []entry
			for i, n := range names {
				in := person(t, n, "F", "1970-01-01", 300+i)
				in.Region = pageVillages[i%len(pageVillages)]
				all = append(all, entry{n, register(t, db, in).ID})
			}
			for _, q := range []string{"zj", "zjg", "zjgk", "zjh", "z", "zw"} {
				for _, desc := range []bool{false, true} {
					var want []found
					for i, e := range all {
						if strings.HasPrefix(matching.Initials(e.name), q) {
							want = append(want, found{fmt.Sprintf("%s/%d", e.name, e.id), pageVillages[i%len(pageVillages)]})
						}
					}
					checkPages(t, db, registry.Who{Kind: registry.WhoInitials, Text: q}, desc, want)
				}
			}
		})
	}
}

// TestSuffixPages pages through the persons found by the last four, five
// and six characters of their ID numbers, up and down, in pages of two: every
// person once, in name order, with the matches counted on every page.
// Their numbers end alike after days of birth in different tens (the
// character before the last five), so a search by five reads several
// hashes of six-character endings.
func TestSuffixPages(t *testing.T) {
	names := []string{"张建", "赵军", "周杰伦", "朱建国", "张家港口", "曾经", "张建国", "郑佳", "张军", "赵建华", "郑", "欧阳建国"}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			// Numbers of persons born on the 1st, 11th, 21st and 31st
			// of a month, with the sequence 123, that end in the same
			// five characters (the check character decides which do).
			byEnd := map[string][]string{}
			for y := 1940; y < 2000; y++ {
				for m := 1; m <= 12; m++ {
					for _, d := range []int{1, 11, 21, 31} {
						if d > time.Date(y, time.Month(m+1), 0, 0, 0, 0, 0, time.UTC).Day() {
							continue
						}
						n := idFor(t, fmt.Sprintf("%d-%02d-%02d", y, m, d), 123)
						byEnd[n[13:]] = append(byEnd[n[13:]], n)
					}
				}
			}
			end := slices.MaxFunc(slices.Collect(maps.Keys(byEnd)), func(a, b string) int {
				return cmp.Or(cmp.Compare(len(byEnd[a]), len(byEnd[b])), strings.Compare(b, a))
			})
			// Numbers of each ten of days in turn, so that the search by
			// five reads every one of its hashes.
			byTen := map[byte][]string{}
			for _, n := range byEnd[end] {
				byTen[n[12]] = append(byTen[n[12]], n)
			}
			var numbers []string
			for i := 0; len(numbers) < len(names) && i < len(byEnd[end]); i++ {
				for _, d := range []byte("0123") {
					if i < len(byTen[d]) && len(numbers) < len(names) {
						numbers = append(numbers, byTen[d][i])
					}
				}
			}
			type entry struct {
				name, number string
				id           int64
			}
			var all []entry
			for i, n := range numbers {
				in := registry.NewPerson{IDNumber: n, Name: names[i], Sex: idcard.Number(n).Sex(), Birth: date.Of(idcard.Number(n).Birth()),
					Region: pageVillages[i%len(pageVillages)], HukouType: registry.Rural}
				all = append(all, entry{names[i], n, register(t, db, in).ID})
			}
			tens := map[byte]bool{}
			for _, n := range numbers {
				tens[n[12]] = true
			}
			if len(tens) < 4 {
				t.Fatalf("the numbers ending in %s are born in %d tens of days; the search by five would not read all its hashes", end, len(tens))
			}
			for _, suffix := range []string{end, all[0].number[12:], end[1:]} {
				for _, desc := range []bool{false, true} {
					var want []found
					for i, e := range all {
						if strings.HasSuffix(e.number, suffix) {
							want = append(want, found{fmt.Sprintf("%s/%d", e.name, e.id), pageVillages[i%len(pageVillages)]})
						}
					}
					checkPages(t, db, registry.Who{Kind: registry.WhoIDSuffix, Text: suffix}, desc, want)
				}
			}
		})
	}
}

// pageVillages are the villages the persons of the paging tests live in,
// in turn: two of township 341523100 and one of another.
var pageVillages = []string{village, "341523100202", "341523101201"}

// found is a person a search should find ("name/id") and its village.
type found struct{ key, region string }

// checkPages pages through the persons of county 341523 that who selects,
// in name order (descending with desc), two at a time, and checks that the
// pages give want ("name/id" in byte order, then ids of one length) and
// that every page, full or not, and the one past the last, counts all the
// matches. It does so as the county's officer, the township's and the
// village's staff, and the county's officer who picks the township or the
// village, whose searches read other indexes, and each finds those of
// want within that region.
func checkPages(t *testing.T, db *store.DB, who registry.Who, desc bool, all []found) {
	t.Helper()
	for _, in := range []struct{ scope, filter region.Code }{
		{"341523", ""}, {"341523100000", ""}, {village, ""}, {"341523", "341523100000"}, {"341523", village},
	} {
		within := cmp.Or(in.filter, in.scope)
		var want []string
		for _, p := range all {
			if within.Contains(region.Code(p.region)) {
				want = append(want, p.key)
			}
		}
		slices.Sort(want)
		if desc {
			slices.Reverse(want)
		}
		var got []string
		for offset := 0; offset < len(want)+2; offset += 2 {
			var total int
			rs := view(t, db, func(tx *store.Tx) (rs []registry.Record, err error) {
				q := registry.Query{Region: string(in.filter), Who: who, Desc: desc, Limit: 2, Offset: offset}
				rs, total, err = tx.FindPersons(context.Background(), in.scope, q)
				return rs, err
			})
			if total != len(want) {
				t.Errorf("%q in %s from %d: %d matches counted, want %d", who.Text, within, offset, total, len(want))
			}
			for _, r := range rs {
				got = append(got, fmt.Sprintf("%s/%d", r.Name, r.ID))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q in %s (descending %v): pages give %v, want %v", who.Text, within, desc, got, want)
		}
	}
}

// readsIndexOrPage reports whether the scan of persons on line i of a plan
// reads no row to find its matches: it reads its index alone, or it reads
// the rows of its index in the page's order under a Limit, each a match
// (an arm of a first page, whose rows are the page's).
func readsIndexOrPage(plan []string, i int) bool {
	if strings.Contains(plan[i], "Index Only Scan") {
		return true
	}
	if !strings.Contains(plan[i], "Index Scan") {
		return false
	}
	// Every row it reads is a match: no filter drops any.
	if i+2 < len(plan) && strings.Contains(plan[i+2], "Filter:") && !strings.Contains(plan[i+2], "One-Time Filter") {
		return false
	}
	// A Result that only tests the arguments may stand between.
	for i--; i >= 0 && (strings.Contains(plan[i], "Result") || strings.Contains(plan[i], "One-Time Filter")); i-- {
	}
	return i >= 0 && strings.Contains(plan[i], "Limit")
}

// TestRegionSearchPlansSQLite checks that on SQLite the staff of a
// village or a township search their region through the indexes that hold
// each village's or township's persons apart: every search of persons by
// name, initials or the end of a number names the region (the township,
// substr(region, 1, 9)) in its index's key, and none scans the table.
func TestRegionSearchPlansSQLite(t *testing.T) {
	db, a := planCounty(t, store.SQLite)
	ctx := context.Background()
	for _, scope := range []region.Code{region.Code(a.Region), region.Code(a.Region).Parent()} {
		// The region's own indexes, and the key they are searched on.
		level, key := "village", "region=?"
		if scope.Level() == region.Township {
			level, key = "township", "<expr>=?"
		}
		for _, who := range []registry.Who{
			{Kind: registry.WhoName, Text: "王秀"},
			{Kind: registry.WhoInitials, Text: "wxy"},
			{Kind: registry.WhoInitials, Text: "wx"},
			{Kind: registry.WhoInitials, Text: "w"},
			{Kind: registry.WhoIDSuffix, Text: a.IDNumber[12:]},
			{Kind: registry.WhoIDSuffix, Text: a.IDNumber[13:]},
			{Kind: registry.WhoIDSuffix, Text: a.IDNumber[14:]},
		} {
			var query string
			stop := store.TraceStatements(func(q string) {
				if query == "" && strings.Contains(q, "FROM persons") {
					query = q
				}
			})
			rs := view(t, db, func(tx *store.Tx) ([]registry.Record, error) {
				rs, _, err := tx.FindPersons(ctx, scope, registry.Query{Region: string(scope), Who: who, Limit: 20})
				return rs, err
			})
			stop()
			if len(rs) == 0 {
				t.Errorf("%+v found nobody in %s", who, scope)
			}
			plan := view(t, db, func(tx *store.Tx) ([]string, error) {
				rows, err := tx.Query(ctx, `EXPLAIN QUERY PLAN `+query, make([]any, strings.Count(query, "?"))...)
				if err != nil {
					return nil, err
				}
				defer rows.Close()
				var plan []string
				for rows.Next() {
					var id, parent, notused int
					var detail string
					if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
						return nil, err
					}
					plan = append(plan, detail)
				}
				return plan, rows.Err()
			})
			searched := false
			for _, line := range plan {
				if !strings.Contains(line, "persons") || strings.Contains(line, "PRIMARY KEY") || strings.Contains(line, "sqlite_autoindex") {
					continue
				}
				own := strings.HasPrefix(line, "SEARCH persons USING COVERING INDEX persons_"+level+"_") ||
					strings.HasPrefix(line, "SEARCH persons USING INDEX persons_"+level+"_")
				if !own || !strings.Contains(line, key) {
					t.Errorf("%+v in %s: %q does not search the region's own index entries:\n%s\n%s", who, scope, line, query, strings.Join(plan, "\n"))
				}
				searched = true
			}
			if !searched {
				t.Errorf("%+v: no search of persons in the plan:\n%s", who, strings.Join(plan, "\n"))
			}
		}
	}
}
