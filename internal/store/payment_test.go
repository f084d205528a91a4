package store_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

var updatePayment = flag.Bool("update-payment", false, "rewrite the payment golden files in testdata")

const payCounty = "341523"

// The actors of the payment tests: two finance officers (maker and
// checker), the county approver and a township officer.
var (
	maker    = auth.Actor{UserID: 11, Username: "wangkj", Name: "王会计", Role: auth.RoleFinance, Scope: payCounty}
	checker  = auth.Actor{UserID: 12, Username: "licn", Name: "李出纳", Role: auth.RoleFinance, Scope: payCounty}
	approver = auth.Actor{UserID: 13, Username: "xsp", Name: "县审批", Role: auth.RoleCounty, Scope: payCounty}
	township = auth.Actor{UserID: 14, Username: "jsb", Name: "城关计生办", Role: auth.RoleTownship, Scope: "341523100000"}
)

// payDB is a fresh database with a fixed clock for payment tests.
func payDB(t *testing.T, engine store.Engine) *store.DB {
	t.Helper()
	db := storetest.Open(t, engine)
	db.Now = payNow
	return db
}

// payNow is the fixed clock of the payment tests.
func payNow() time.Time { return time.Date(2024, 6, 20, 2, 0, 0, 0, time.UTC) }

func execSQL(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// fxPerson is a person of the fixture with their roll entry and
// determination. Money is in fen, split central/province/city/county.
type fxPerson struct {
	id        int64
	name      string
	village   string
	death     string
	program   string
	confirmed string
	status    string
	lastMonth any // nil or a month index
	year      int
	months    int
	split     [4]int64
	bank      string // "" for no account
	card      string
}

// jfFixture is the 2024 奖扶 roll of the payment tests.
var jfFixture = []fxPerson{
	{1, "张秀英", "341523100201", "", "jf", "2019-03-01", "active", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "103", "6228480402564890018"},
	{2, "李桂兰", "341523100201", "", "jf", "2020-03-01", "active", nil, 2024, 12, [4]int64{57600, 62400, 0, 0}, "403", "6217994000000000010"},
	{3, "王德明", "341523100201", "2024-05-03", "jf", "2018-03-01", "active", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "103", "6228480402564890026"},
	{4, "赵玉珍", "341523101201", "", "jf", "2021-03-01", "active", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "", ""},
	{5, "陈建国", "341523101201", "", "jf", "2025-01-10", "active", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "103", "6228480402564890034"},
	{6, "刘凤英", "341523101201", "", "jf", "2019-03-01", "suspended", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "103", "6228480402564890042"},
	{7, "周淑珍", "341523101201", "", "jf", "2017-03-01", "exited", 2024*12 + 11, 2024, 12, [4]int64{57600, 38400, 0, 2000}, "103", "6228480402564890059"},
}

func (p fxPerson) idNumber() string {
	return string(idcard.Make(payCounty, time.Date(1960, 1, int(p.id), 0, 0, 0, 0, time.UTC), int(p.id)*2))
}

// seed writes persons, accounts, the roll and the determinations with
// plain SQL, as the registry, the qualification procedure and the batch
// evaluation would have left them.
func seed(t *testing.T, db *store.DB, ps []fxPerson) {
	t.Helper()
	now := "2024-01-02T00:00:00Z"
	for _, p := range ps {
		var death any
		if p.death != "" {
			death = p.death
		}
		execSQL(t, db, `INSERT INTO persons (county, id, id_number, name, sex, birth, death, death_source, region, hukou_type, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'F', '1960-01-01', ?, ?, ?, 'rural', ?, ?) ON CONFLICT (county, id) DO NOTHING`,
			payCounty, p.id, p.idNumber(), p.name, death, map[bool]string{true: "公安", false: ""}[p.death != ""], p.village, now, now)
		if p.bank != "" {
			execSQL(t, db, `INSERT INTO bank_accounts (county, person_id, bank, kind, account_no, holder, version, updated_by, created_at, updated_at)
				VALUES (?, ?, ?, 'card', ?, ?, 1, 11, ?, ?) ON CONFLICT (county, person_id) DO NOTHING`, payCounty, p.id, p.bank, p.card, p.name, now, now)
		}
		if p.status != "" {
			c := date.MustParse(p.confirmed)
			execSQL(t, db, `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, start_month, status, last_month,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
				payCounty, p.id*10+int64(len(p.program)), p.id, p.program, p.village, p.confirmed, c.Year(), p.status, p.lastMonth, now, now)
		}
		if p.year != 0 {
			setDetermination(t, db, p.year, p.program, p.id, p.months, p.split)
		}
	}
}

func setDetermination(t *testing.T, db *store.DB, year int, program string, person int64, months int, split [4]int64) {
	t.Helper()
	execSQL(t, db, `INSERT INTO determinations (county, year, program, person_id, eligible, amount_fen, months, central_fen, province_fen,
		city_fen, county_fen, rule_version, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', '2024-01-02T00:00:00Z')
		ON CONFLICT (county, year, program, person_id) DO UPDATE SET amount_fen = excluded.amount_fen, months = excluded.months,
		central_fen = excluded.central_fen, province_fen = excluded.province_fen, city_fen = excluded.city_fen, county_fen = excluded.county_fen`,
		payCounty, year, program, person, true, split[0]+split[1]+split[2]+split[3], months, split[0], split[1], split[2], split[3])
}

// stored is an Assessor over the determinations table: these tests give
// each person's amount as a batch evaluation would have stored it, so that
// the payment rules are tested apart from the policy engine (the tests of
// internal/app run the engine's path from enrolment to payment).
type stored struct{ tx *store.Tx }

func (d stored) Assess(ctx context.Context, county, program string, year int, persons []int64) (map[int64]payment.Assessment, error) {
	rows, err := d.tx.Query(ctx, `SELECT person_id, eligible, amount_fen, months, central_fen, province_fen, city_fen, county_fen
		FROM determinations WHERE county = ? AND program = ? AND year = ?`, county, program, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[int64]bool{}
	for _, id := range persons {
		want[id] = true
	}
	out := map[int64]payment.Assessment{}
	for rows.Next() {
		var id, amount int64
		var a payment.Assessment
		var lv [4]int64
		if err := rows.Scan(&id, &a.Eligible, &amount, &a.Months, &lv[0], &lv[1], &lv[2], &lv[3]); err != nil {
			return nil, err
		}
		a.Amount = money.Fen(amount)
		for i, v := range lv {
			a.Split[i] = money.Fen(v)
		}
		if want[id] {
			out[id] = a
		}
	}
	return out, rows.Err()
}

func update[T any](t *testing.T, db *store.DB, fn func(tx *store.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

func mustUpdate[T any](t *testing.T, db *store.DB, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	out, err := update(t, db, fn)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func view[T any](t *testing.T, db *store.DB, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var out T
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func genCycle(t *testing.T, db *store.DB, program, period string) (*payment.Cycle, []payment.Line, error) {
	t.Helper()
	var c *payment.Cycle
	var ls []payment.Line
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		c, ls, err = payment.GenerateCycle(context.Background(), tx, stored{tx}, maker, payment.CycleRequest{County: payCounty, Program: program, Period: period})
		return err
	})
	return c, ls, err
}

func lineSummary(ls []payment.Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = fmt.Sprintf("p%d %s %s r%d %s %s", l.PersonID, l.Period, l.Kind, l.Revision, l.Amount, l.Status)
	}
	return out
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestPaymentCycle(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			ctx := context.Background()

			if _, err := update(t, db, func(tx *store.Tx) (*payment.Cycle, error) {
				c, _, err := payment.GenerateCycle(ctx, tx, stored{tx}, approver, payment.CycleRequest{County: payCounty, Program: "jf", Period: "2024"})
				return c, err
			}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the county approver generated a cycle: err %v", err)
			}
			if _, _, err := genCycle(t, db, "jf", "2024-Q1"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("jf per quarter: err %v, want invalid", err)
			}

			c, lines, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			equalStrings(t, "lines", lineSummary(lines), []string{
				"p1 2024 regular r0 960.00 pending",
				"p2 2024 regular r0 1200.00 pending",
				"p3 2024 regular r0 960.00 held", // a recorded death holds the line
				"p4 2024 regular r0 960.00 pending",
				"p7 2024 regular r0 980.00 pending", // exited in December: paid to its last month
			})
			if c.Lines != 5 || c.Total != 96000*3+120000+98000 {
				t.Errorf("cycle = %+v", c)
			}
			stored := view(t, db, func(tx *store.Tx) ([]payment.Line, error) {
				return tx.PaymentLines(ctx, payCounty, payment.LineFilter{CycleID: c.ID})
			})
			equalStrings(t, "stored lines", lineSummary(stored), lineSummary(lines))
			for _, l := range stored {
				if l.Split.Total() != l.Amount || l.Note == "" {
					t.Errorf("line %d: split %v, amount %s, note %q", l.ID, l.Split, l.Amount, l.Note)
				}
			}
			if l := stored[4]; l.Split != (payment.Split{57600, 38400, 0, 2000}) {
				t.Errorf("split copied from the determination = %v", l.Split)
			}
			if stored[2].HoldReason == "" {
				t.Error("held line without a reason")
			}

			// One cycle per program and period.
			if _, _, err := genCycle(t, db, "jf", "2024"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second cycle: err %v, want conflict", err)
			}
			entries := view(t, db, func(tx *store.Tx) ([]string, error) {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: payCounty, Entity: "payment_cycle"})
				var out []string
				for _, e := range es {
					out = append(out, e.Action+" "+e.EntityID)
				}
				return out, err
			})
			equalStrings(t, "audit", entries, []string{fmt.Sprintf("payment.cycle.create %d", c.ID)})
		})
	}
}

// TestPaymentPaidOnceConstraint checks the database itself: a second
// payment line for the same person, program and period is refused whoever
// writes it, while a correction (revision 1) is allowed.
func TestPaymentPaidOnceConstraint(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			ins := func(id int64, revision int, kind string) error {
				return db.Update(context.Background(), func(tx *store.Tx) error {
					_, err := tx.Exec(context.Background(), `INSERT INTO payment_lines (county, id, cycle_id, person_id, recipient_id, program,
						period, revision, kind, region, months, amount_fen, central_fen, province_fen, city_fen, county_fen, status, updated_at)
						VALUES (?, ?, 1, 5, 50, 'jf', '2024', ?, ?, '341523100201', 12, 96000, 96000, 0, 0, 0, 'pending', '2024-01-01T00:00:00Z')`,
						payCounty, id, revision, kind)
					return err
				})
			}
			tests := []struct {
				id       int64
				revision int
				kind     string
				unique   bool // refused as a duplicate
				ok       bool
			}{
				{1, 0, "regular", false, true},
				{2, 0, "arrears", true, false},
				{3, 1, "correction", false, true},
				{4, 1, "correction", true, false},
				{5, 1, "regular", false, false}, // a payment line must be revision 0 (CHECK)
			}
			for _, tt := range tests {
				err := ins(tt.id, tt.revision, tt.kind)
				if (err == nil) != tt.ok || store.IsUniqueViolation(err) != tt.unique {
					t.Errorf("line %d (r%d %s): err %v, want ok %v unique %v", tt.id, tt.revision, tt.kind, err, tt.ok, tt.unique)
				}
			}
		})
	}
}

// TestPaymentConcurrentCycles runs two generations of the same cycle at
// once, each on its own connection: exactly one set of lines results.
func TestPaymentConcurrentCycles(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := storetest.URL(t, engine)
			ctx := context.Background()
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				db.Now = payNow
				dbs[i] = db
			}
			if err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			seed(t, dbs[0], jfFixture)
			for round := 0; round < 3; round++ {
				period := fmt.Sprint(2024 + round)
				if round > 0 {
					for _, p := range jfFixture {
						setDetermination(t, dbs[0], 2024+round, "jf", p.id, 12, p.split)
					}
				}
				start := make(chan struct{})
				errs := make(chan error, 2)
				for i := range dbs {
					go func(db *store.DB) {
						<-start
						errs <- db.Update(ctx, func(tx *store.Tx) error {
							_, _, err := payment.GenerateCycle(ctx, tx, stored{tx}, maker, payment.CycleRequest{County: payCounty, Program: "jf", Period: period})
							return err
						})
					}(dbs[i])
				}
				close(start)
				var ok, conflict int
				for range dbs {
					switch err := <-errs; {
					case err == nil:
						ok++
					case apperr.KindOf(err) == apperr.Conflict:
						conflict++
					default:
						t.Errorf("round %d: %v", round, err)
					}
				}
				if ok != 1 || conflict != 1 {
					t.Errorf("round %d: %d succeeded, %d conflicted; want 1 and 1", round, ok, conflict)
				}
				var cycles, lines, dup int
				err := dbs[0].View(ctx, func(tx *store.Tx) error {
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM payment_cycles WHERE county = ? AND period = ?`, payCounty, period).Scan(&cycles); err != nil {
						return err
					}
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM payment_lines WHERE county = ? AND period = ?`, payCounty, period).Scan(&lines); err != nil {
						return err
					}
					return tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT person_id FROM payment_lines WHERE county = ? AND revision = 0
						GROUP BY person_id, program, period HAVING COUNT(*) > 1) d`, payCounty).Scan(&dup)
				})
				if err != nil {
					t.Fatal(err)
				}
				if cycles != 1 || lines != 5 || dup != 0 {
					t.Errorf("round %d: %d cycles, %d lines, %d duplicated payments; want 1, 5, 0", round, cycles, lines, dup)
				}
			}
		})
	}
}

// tfFixture is a 特扶 (only child died) roll paid per quarter.
var tfFixture = []fxPerson{
	{21, "孙桂芳", "341523100201", "", "tf_death", "2020-03-01", "active", nil, 2024, 12, [4]int64{576000, 384000, 0, 0}, "103", "6228480402564890067"},
	{22, "吴玉兰", "341523100201", "", "tf_death", "2021-03-01", "active", nil, 2024, 12, [4]int64{576000, 384000, 0, 0}, "103", "6228480402564890075"},
}

func TestPaymentArrearsAndCorrections(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, tfFixture)
			_, q1, err := genCycle(t, db, "tf_death", "2024-Q1")
			if err != nil {
				t.Fatal(err)
			}
			equalStrings(t, "Q1", lineSummary(q1), []string{
				"p21 2024-Q1 regular r0 2400.00 pending",
				"p22 2024-Q1 regular r0 2400.00 pending",
			})
			// 郑秀珍 is confirmed in April for the whole of 2024: Q2 pays
			// her Q1 as arrears. 孙桂芳's 2024 amount is raised after Q1 was
			// paid (a re-evaluation at a new rate): Q2 corrects Q1. 吴玉兰's
			// is lowered: the difference is to be recovered.
			seed(t, db, []fxPerson{{23, "郑秀珍", "341523101201", "", "tf_death", "2024-04-15", "active", nil, 2024, 12, [4]int64{576000, 384000, 0, 0}, "", ""}})
			setDetermination(t, db, 2024, "tf_death", 21, 12, [4]int64{648000, 432000, 0, 0})
			setDetermination(t, db, 2024, "tf_death", 22, 12, [4]int64{576000, 360000, 0, 0})
			if _, _, err := genCycle(t, db, "tf_death", "2024-05"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a monthly cycle in a quarterly year: %v", err)
			}
			c2, q2, err := genCycle(t, db, "tf_death", "2024-Q2")
			if err != nil {
				t.Fatal(err)
			}
			equalStrings(t, "Q2", lineSummary(q2), []string{
				"p21 2024-Q1 correction r1 300.00 pending",
				"p21 2024-Q2 regular r0 2700.00 pending",
				"p22 2024-Q1 correction r1 -60.00 recovery",
				"p22 2024-Q2 regular r0 2340.00 pending",
				"p23 2024-Q1 arrears r0 2400.00 pending",
				"p23 2024-Q2 regular r0 2400.00 pending",
			})
			for _, l := range q2 {
				if l.Split.Total() != l.Amount {
					t.Errorf("%d: split %v != %s", l.PersonID, l.Split, l.Amount)
				}
			}
			if q2[0].Split != (payment.Split{18000, 12000, 0, 0}) || !strings.Contains(q2[0].Note, "更正2024年第1季度") {
				t.Errorf("correction = %v %q", q2[0].Split, q2[0].Note)
			}
			// The cycle page counts lines by status and kind and lists
			// arrears and corrections apart.
			counts := view(t, db, func(tx *store.Tx) ([]store.LineCount, error) {
				return tx.PaymentLineCounts(context.Background(), payCounty, payment.LineFilter{CycleID: c2.ID})
			})
			var got []string
			for _, c := range counts {
				got = append(got, fmt.Sprintf("%s %s %d %s", c.Status, c.Kind, c.Lines, c.Amount))
			}
			equalStrings(t, "counts", got, []string{"pending arrears 1 2400.00", "pending correction 1 300.00", "pending regular 3 7440.00", "recovery correction 1 -60.00"})
			extra := view(t, db, func(tx *store.Tx) ([]payment.Line, error) {
				return tx.PaymentLines(context.Background(), payCounty, payment.LineFilter{CycleID: c2.ID,
					Kinds: []payment.LineKind{payment.Arrears, payment.Correction}, Limit: 2, Offset: 1})
			})
			equalStrings(t, "arrears and corrections, page 2", lineSummary(extra), []string{
				"p22 2024-Q1 correction r1 -60.00 recovery", "p23 2024-Q1 arrears r0 2400.00 pending"})
			// Q3: everything is settled; nothing is paid twice.
			_, q3, err := genCycle(t, db, "tf_death", "2024-Q3")
			if err != nil {
				t.Fatal(err)
			}
			equalStrings(t, "Q3", lineSummary(q3), []string{
				"p21 2024-Q3 regular r0 2700.00 pending",
				"p22 2024-Q3 regular r0 2340.00 pending",
				"p23 2024-Q3 regular r0 2400.00 pending",
			})
		})
	}
}

// payGolden compares got with testdata/name, or rewrites it under
// -update-payment.
func payGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updatePayment {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update-payment to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file: got\n%s", name, got)
	}
}

func setAccount(t *testing.T, db *store.DB, a auth.Actor, person int64, in payment.AccountInput) (*payment.Account, error) {
	t.Helper()
	return update(t, db, func(tx *store.Tx) (*payment.Account, error) {
		return payment.SetAccount(context.Background(), tx, a, registry.Key{County: payCounty, ID: person}, in)
	})
}

func TestPaymentAccounts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			tests := []struct {
				name   string
				actor  auth.Actor
				person int64
				in     payment.AccountInput
				kind   apperr.Kind // 0 with ok
				ok     bool
			}{
				{"county approver may not edit accounts", approver, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉珍"}, apperr.Forbidden, false},
				{"township may not either", township, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉珍"}, apperr.Forbidden, false},
				{"holder must be the person", maker, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉兰"}, apperr.Invalid, false},
				{"luhn", maker, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890084", Holder: "赵玉珍"}, apperr.Invalid, false},
				{"new account", maker, 4, payment.AccountInput{Bank: "402", Kind: payment.Passbook, Number: "2000 0123 4567 8901 2", Holder: "赵玉珍"}, 0, true},
				{"stale version", maker, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉珍"}, apperr.Conflict, false},
				{"change over version 1", maker, 4, payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉珍", Version: 1}, 0, true},
				{"person outside scope", auth.Actor{UserID: 15, Username: "jz", Role: auth.RoleFinance, Scope: "341524"}, 4,
					payment.AccountInput{Bank: "103", Number: "6228480402564890083", Holder: "赵玉珍", Version: 2}, apperr.NotFound, false},
			}
			for _, tt := range tests {
				acc, err := setAccount(t, db, tt.actor, tt.person, tt.in)
				if (err == nil) != tt.ok || (err != nil && apperr.KindOf(err) != tt.kind) {
					t.Errorf("%s: err %v (kind %v), want ok %v kind %v", tt.name, err, apperr.KindOf(err), tt.ok, tt.kind)
				}
				if err == nil && acc.Holder != "赵玉珍" {
					t.Errorf("%s: account %+v", tt.name, acc)
				}
			}
			acc := view(t, db, func(tx *store.Tx) (*payment.Account, error) {
				return tx.BankAccount(context.Background(), payCounty, 4)
			})
			if acc.Bank != "103" || acc.Number != "6228480402564890083" || acc.Version != 2 {
				t.Errorf("stored account = %+v", acc)
			}
			n := view(t, db, func(tx *store.Tx) (int, error) {
				es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: payCounty, Entity: "person", EntityID: "4"})
				return len(es), err
			})
			if n != 2 {
				t.Errorf("%d audit entries for the account, want 2", n)
			}
		})
	}
}
