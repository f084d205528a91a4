package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// sortFixture is a county of persons with repeated names and birth dates,
// two without an ID number, in two villages, with roll rows, cases and
// payment lines of their own.
type sortFixture struct {
	db      *store.DB
	persons map[int64]registry.Record
}

const sortVillage2 = "341523101201"

func newSortFixture(t *testing.T, engine store.Engine) *sortFixture {
	t.Helper()
	db := storetest.Open(t, engine)
	fixedClock(db)
	f := &sortFixture{db: db, persons: map[int64]registry.Record{}}
	people := []struct {
		name, sex, birth string
		noID             bool
	}{
		{"王芳", "F", "1960-05-01", false}, {"李娜", "F", "1962-01-15", false}, {"王芳", "F", "1958-11-30", true},
		{"张伟", "M", "1960-05-01", false}, {"陈静", "F", "1965-07-07", false}, {"王芳", "F", "1960-05-01", false},
		{"刘洋", "M", "1959-02-02", true}, {"赵敏", "F", "1963-03-03", false}, {"孙丽", "F", "1961-09-09", false},
	}
	for i, p := range people {
		in := person(t, p.name, p.sex, p.birth, 40+i)
		if p.noID {
			in.IDNumber = ""
		}
		if i%2 == 1 {
			in.Region = sortVillage2
		}
		r := register(t, db, in)
		f.persons[r.ID] = *r
	}
	return f
}

// ids returns the person ids in map order made stable (ascending id).
func (f *sortFixture) ids() []int64 {
	var out []int64
	for id := range f.persons {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// paged reads a whole list a few rows a page and checks that no page
// repeats or skips a row: the pages together are the list read at once.
func paged[T any](t *testing.T, what string, read func(limit, offset int) []T, key func(T) string) []T {
	t.Helper()
	all := read(1000, 0)
	var pages []T
	for offset := 0; offset < len(all)+3; offset += 3 {
		pages = append(pages, read(3, offset)...)
	}
	var a, b []string
	for _, x := range all {
		a = append(a, key(x))
	}
	for _, x := range pages {
		b = append(b, key(x))
	}
	if !slices.Equal(a, b) {
		t.Errorf("%s: pages of 3 give %v, the whole list %v", what, b, a)
	}
	return all
}

// wantOrder checks got against the rows sorted by less (ascending), or
// reversed when desc.
func wantOrder[T any](t *testing.T, what string, got []T, desc bool, less func(a, b T) int, key func(T) string) {
	t.Helper()
	want := slices.Clone(got)
	slices.SortStableFunc(want, less)
	if desc {
		slices.Reverse(want)
	}
	var g, w []string
	for i := range got {
		g, w = append(g, key(got[i])), append(w, key(want[i]))
	}
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got %v\nwant %v", what, g, w)
	}
}

func wantSortRefused(t *testing.T, what string, err error) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Field != "sort" {
		t.Errorf("%s: err = %v, want Invalid naming sort", what, err)
	}
}

func TestPersonSearchSort(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newSortFixture(t, engine)
			ctx := context.Background()
			tie := func(a, b registry.Record) int {
				return cmp.Or(cmp.Compare(a.County, b.County), cmp.Compare(a.ID, b.ID))
			}
			keys := map[string]func(a, b registry.Record) int{
				"": func(a, b registry.Record) int { return cmp.Or(strings.Compare(a.Name, b.Name), tie(a, b)) },
				registry.SortName: func(a, b registry.Record) int {
					return cmp.Or(strings.Compare(a.Name, b.Name), tie(a, b))
				},
				registry.SortBirth: func(a, b registry.Record) int {
					return cmp.Or(cmp.Compare(a.Birth.String(), b.Birth.String()), tie(a, b))
				},
				// A missing ID number ("") sorts first.
				registry.SortIDNumber: func(a, b registry.Record) int {
					return cmp.Or(strings.Compare(a.IDNumber, b.IDNumber), tie(a, b))
				},
				registry.SortRegion: func(a, b registry.Record) int {
					return cmp.Or(strings.Compare(a.Region, b.Region), tie(a, b))
				},
			}
			key := func(r registry.Record) string { return fmt.Sprintf("%s#%d", r.Name, r.ID) }
			for sortKey, less := range keys {
				for _, desc := range []bool{false, true} {
					what := fmt.Sprintf("sort=%q desc=%v", sortKey, desc)
					got := paged(t, what, func(limit, offset int) []registry.Record {
						var rs []registry.Record
						err := f.db.View(ctx, func(tx *store.Tx) error {
							var err error
							rs, _, err = registry.Search(ctx, tx, villager, registry.Query{Sort: sortKey, Desc: desc, Limit: limit, Offset: offset})
							return err
						})
						if err != nil {
							t.Fatalf("%s: %v", what, err)
						}
						return rs
					}, key)
					if len(got) != len(f.persons) {
						t.Fatalf("%s: %d persons, want %d", what, len(got), len(f.persons))
					}
					wantOrder(t, what, got, desc, less, key)
				}
			}
			// A name prefix with the order by name: the three 王芳 by id.
			var rs []registry.Record
			f.db.View(ctx, func(tx *store.Tx) error {
				var err error
				rs, _, err = registry.Search(ctx, tx, villager, registry.Query{Name: "王", Sort: registry.SortName, Desc: true, Limit: 2, Offset: 1})
				return err
			})
			if ids := f.ids(); len(rs) != 2 || rs[0].ID != ids[2] || rs[1].ID != ids[0] {
				t.Errorf("王, by name descending, page 2 of 1 row each: %v", rs)
			}
			// Unknown keys are refused by the registry and by the store.
			err := f.db.View(ctx, func(tx *store.Tx) error {
				_, _, err := registry.Search(ctx, tx, villager, registry.Query{Sort: "name; DROP TABLE persons"})
				return err
			})
			wantSortRefused(t, "registry.Search", err)
			err = f.db.View(ctx, func(tx *store.Tx) error {
				_, _, err := tx.FindPersons(ctx, "341523", registry.Query{Sort: "phone", Limit: 5})
				return err
			})
			wantSortRefused(t, "FindPersons", err)
		})
	}
}

func TestRollCasesAndLinesSort(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newSortFixture(t, engine)
			ctx := context.Background()
			ids := f.ids()
			programs := []string{"reward", "tf_death", "tf_disability"}
			statuses := []string{roll.StatusExited, roll.StatusActive, roll.StatusSuspended}
			cstates := []workflow.State{workflow.CountyReview, workflow.Applied, workflow.VillageNotice, workflow.Surveyed}
			lstatuses := []payment.Status{payment.Paid, payment.Pending, payment.Failed, payment.Held, payment.Cancelled}
			now := f.db.Now()
			var lines []payment.Line
			err := f.db.Update(ctx, func(tx *store.Tx) error {
				n := int64(0)
				for i, pid := range ids {
					p := f.persons[pid]
					// Two roll rows (and cases and lines) for every other person,
					// so that rows tie on the person's name and region.
					for j := 0; j <= i%2; j++ {
						n++
						prog := programs[(i+j)%3]
						r := &roll.Recipient{County: "341523", ID: n, PersonID: pid, Program: prog, Region: p.Region,
							Confirmed: date.MustParse("2020-01-01"), StartYear: 2020 + i%3, StartMonth: 1 + (i*5)%12,
							Status: statuses[(i+j)%3], Version: 1, CreatedAt: now, UpdatedAt: now}
						if err := tx.InsertRecipient(ctx, r); err != nil {
							return err
						}
						c := &workflow.Case{County: "341523", ID: n, PersonID: pid, Program: prog, Year: 2024, Region: p.Region,
							State: cstates[int(n)%4], Submitted: date.MustParse(fmt.Sprintf("2024-01-%02d", 1+int(n)%4)),
							Version: 1, CreatedAt: now, UpdatedAt: now}
						if err := tx.InsertCase(ctx, c); err != nil {
							return err
						}
						amount := money.Fen(100 * (1 + int64(n)%4))
						lines = append(lines, payment.Line{County: "341523", ID: n, CycleID: 1, PersonID: pid, RecipientID: n,
							Program: prog, Period: mustPeriod(t, "2024"), Kind: payment.Regular, Region: p.Region, Months: 12,
							Amount: amount, Split: payment.Split{amount, 0, 0, 0}, Status: lstatuses[int(n)%5], UpdatedAt: now})
					}
				}
				return tx.InsertPaymentLines(ctx, lines)
			})
			if err != nil {
				t.Fatal(err)
			}
			name := func(pid int64) string { return f.persons[pid].Name }

			// The roll.
			rank := func(s string) int {
				return slices.Index([]string{roll.StatusActive, roll.StatusSuspended, roll.StatusExited}, s)
			}
			rtie := func(a, b roll.Recipient) int {
				return cmp.Or(cmp.Compare(a.County, b.County), cmp.Compare(a.PersonID, b.PersonID), cmp.Compare(a.Program, b.Program))
			}
			rollKeys := map[string]func(a, b roll.Recipient) int{
				"":              func(a, b roll.Recipient) int { return cmp.Or(cmp.Compare(a.Region, b.Region), rtie(a, b)) },
				roll.SortRegion: func(a, b roll.Recipient) int { return cmp.Or(cmp.Compare(a.Region, b.Region), rtie(a, b)) },
				roll.SortName: func(a, b roll.Recipient) int {
					return cmp.Or(cmp.Compare(name(a.PersonID), name(b.PersonID)), rtie(a, b))
				},
				roll.SortProgram: func(a, b roll.Recipient) int { return cmp.Or(cmp.Compare(a.Program, b.Program), rtie(a, b)) },
				roll.SortStartYear: func(a, b roll.Recipient) int {
					return cmp.Or(cmp.Compare(a.StartYear, b.StartYear), cmp.Compare(a.StartMonth, b.StartMonth), rtie(a, b))
				},
				roll.SortStatus: func(a, b roll.Recipient) int {
					return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), rtie(a, b))
				},
			}
			rkey := func(r roll.Recipient) string { return fmt.Sprint(r.ID) }
			for k, less := range rollKeys {
				for _, desc := range []bool{false, true} {
					what := fmt.Sprintf("roll sort=%q desc=%v", k, desc)
					got := paged(t, what, func(limit, offset int) []roll.Recipient {
						var rs []roll.Recipient
						if err := f.db.View(ctx, func(tx *store.Tx) error {
							var err error
							rs, err = tx.Roll(ctx, "341523", roll.Query{Sort: k, Desc: desc, Limit: limit, Offset: offset})
							return err
						}); err != nil {
							t.Fatalf("%s: %v", what, err)
						}
						return rs
					}, rkey)
					if len(got) != len(lines) {
						t.Fatalf("%s: %d rows, want %d", what, len(got), len(lines))
					}
					wantOrder(t, what, got, desc, less, rkey)
				}
			}
			// The filter and the count still agree with a join for the name.
			err = f.db.View(ctx, func(tx *store.Tx) error {
				q := roll.Query{Region: sortVillage2, Status: roll.StatusActive, Sort: roll.SortName, Limit: 100}
				rs, err := tx.Roll(ctx, "341523", q)
				if err != nil {
					return err
				}
				n, err := tx.RollTotal(ctx, "341523", q)
				if err != nil {
					return err
				}
				if len(rs) != n || n == 0 {
					t.Errorf("roll of %s, active, by name: %d rows, total %d", sortVillage2, len(rs), n)
				}
				for _, r := range rs {
					if r.Region != sortVillage2 || r.Status != roll.StatusActive {
						t.Errorf("roll filter let through %+v", r)
					}
				}
				_, err = tx.Roll(ctx, "341523", roll.Query{Sort: "exit_reason"})
				wantSortRefused(t, "Roll", err)
				_, err = workflow.Roll(ctx, tx, auth.Actor{UserID: 1, Role: auth.RoleCounty, Scope: "341523"}, roll.Query{Sort: "r.id"})
				wantSortRefused(t, "workflow.Roll", err)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// The worklist.
			ctie := func(a, b workflow.Case) int { return cmp.Or(cmp.Compare(a.County, b.County), cmp.Compare(a.ID, b.ID)) }
			caseKeys := map[string]func(a, b workflow.Case) int{
				workflow.CaseSortSubmitted: func(a, b workflow.Case) int {
					return cmp.Or(cmp.Compare(a.Submitted.String(), b.Submitted.String()), ctie(a, b))
				},
				workflow.CaseSortState: func(a, b workflow.Case) int {
					return cmp.Or(cmp.Compare(slices.Index(workflow.States, a.State), slices.Index(workflow.States, b.State)), ctie(a, b))
				},
				workflow.CaseSortName: func(a, b workflow.Case) int {
					return cmp.Or(cmp.Compare(name(a.PersonID), name(b.PersonID)), ctie(a, b))
				},
			}
			county := auth.Actor{UserID: 1, Role: auth.RoleCounty, Scope: "341523"}
			ckey := func(c workflow.Case) string { return fmt.Sprint(c.ID) }
			for k, less := range caseKeys {
				for _, desc := range []bool{false, true} {
					what := fmt.Sprintf("cases sort=%q desc=%v", k, desc)
					got := paged(t, what, func(limit, offset int) []workflow.Case {
						var cs []workflow.Case
						var total int
						if err := f.db.View(ctx, func(tx *store.Tx) error {
							var err error
							cs, total, err = workflow.WorklistPage(ctx, tx, county, workflow.CaseQuery{States: cstates, Sort: k, Desc: desc, Limit: limit, Offset: offset}, true)
							return err
						}); err != nil {
							t.Fatalf("%s: %v", what, err)
						}
						if total != len(lines) {
							t.Errorf("%s: total %d, want %d", what, total, len(lines))
						}
						return cs
					}, ckey)
					wantOrder(t, what, got, desc, less, ckey)
				}
			}
			err = f.db.View(ctx, func(tx *store.Tx) error {
				_, _, err := workflow.WorklistPage(ctx, tx, county, workflow.CaseQuery{Sort: "updated_at"}, false)
				wantSortRefused(t, "WorklistPage", err)
				_, err = tx.Cases(ctx, "341523", workflow.CaseQuery{Sort: "id DESC"})
				wantSortRefused(t, "Cases", err)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// The lines of a cycle.
			ltie := func(a, b payment.Line) int {
				return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.PersonID, b.PersonID), cmp.Compare(a.Period.String(), b.Period.String()),
					cmp.Compare(a.Revision, b.Revision), cmp.Compare(a.ID, b.ID))
			}
			lineKeys := map[string]func(a, b payment.Line) int{
				"":                     ltie,
				payment.LineSortRegion: ltie,
				payment.LineSortName: func(a, b payment.Line) int {
					return cmp.Or(cmp.Compare(name(a.PersonID), name(b.PersonID)), ltie(a, b))
				},
				payment.LineSortAmount: func(a, b payment.Line) int { return cmp.Or(cmp.Compare(a.Amount, b.Amount), ltie(a, b)) },
				payment.LineSortStatus: func(a, b payment.Line) int {
					return cmp.Or(cmp.Compare(slices.Index(payment.Statuses, a.Status), slices.Index(payment.Statuses, b.Status)), ltie(a, b))
				},
			}
			lkey := func(l payment.Line) string { return fmt.Sprint(l.ID) }
			for k, less := range lineKeys {
				for _, desc := range []bool{false, true} {
					what := fmt.Sprintf("lines sort=%q desc=%v", k, desc)
					got := paged(t, what, func(limit, offset int) []payment.Line {
						var ls []payment.Line
						if err := f.db.View(ctx, func(tx *store.Tx) error {
							var err error
							ls, err = tx.PaymentLines(ctx, "341523", payment.LineFilter{CycleID: 1, Sort: k, Desc: desc, Limit: limit, Offset: offset})
							return err
						}); err != nil {
							t.Fatalf("%s: %v", what, err)
						}
						return ls
					}, lkey)
					if len(got) != len(lines) {
						t.Fatalf("%s: %d lines, want %d", what, len(got), len(lines))
					}
					wantOrder(t, what, got, desc, less, lkey)
				}
			}
			err = f.db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.PaymentLines(ctx, "341523", payment.LineFilter{Sort: "note"})
				wantSortRefused(t, "PaymentLines", err)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func mustPeriod(t *testing.T, s string) payment.Period {
	t.Helper()
	p, err := payment.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPersonSortUsesIndex checks that a page of a county's persons, in any
// order the list offers, is read from an index with no sort step: with
// 10,000,000 persons a sort of a whole county per page is not an option.
func TestPersonSortUsesIndex(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			ctx := context.Background()
			type plan struct{ where, key string }
			var plans []plan
			for _, k := range registry.SortKeys {
				plans = append(plans, plan{"county = '341523'", k})
			}
			plans = append(plans, plan{"county = '341523' AND name LIKE '王建%'", registry.SortName})
			err := db.View(ctx, func(tx *store.Tx) error {
				explain := "EXPLAIN QUERY PLAN "
				if engine == store.Postgres {
					explain = "EXPLAIN "
					// The tables are empty: only an index scan can avoid
					// the sort the test looks for.
					if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						return err
					}
				}
				for _, p := range plans {
					for _, desc := range []bool{false, true} {
						order, err := store.PersonOrderBy(engine, p.key, desc)
						if err != nil {
							return err
						}
						q := "SELECT id FROM persons WHERE " + p.where + order + " LIMIT 20 OFFSET 40"
						rows, err := tx.Query(ctx, explain+q)
						if err != nil {
							return fmt.Errorf("%s: %w", q, err)
						}
						cols, _ := rows.Columns()
						var lines []string
						for rows.Next() {
							vals := make([]any, len(cols))
							ptrs := make([]any, len(cols))
							for i := range vals {
								ptrs[i] = &vals[i]
							}
							if err := rows.Scan(ptrs...); err != nil {
								rows.Close()
								return err
							}
							lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
						}
						rows.Close()
						text := strings.Join(lines, "\n")
						if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "Sort") || !strings.Contains(strings.ToLower(text), "index") {
							t.Errorf("%s\nsorts or reads no index:\n%s", q, text)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
