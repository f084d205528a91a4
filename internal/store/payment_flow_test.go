package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func makeBatches(t *testing.T, db *store.DB, a auth.Actor, cycleID int64) (*payment.BatchRun, error) {
	t.Helper()
	return update(t, db, func(tx *store.Tx) (*payment.BatchRun, error) {
		return payment.GenerateBatches(context.Background(), tx, a, payCounty, cycleID)
	})
}

func approve(t *testing.T, db *store.DB, a auth.Actor, b payment.Batch) (*payment.Batch, error) {
	t.Helper()
	return update(t, db, func(tx *store.Tx) (*payment.Batch, error) {
		return payment.Approve(context.Background(), tx, a, payCounty, b.ID, payment.Approval{Count: b.Count, Total: b.Total})
	})
}

func reconcile(t *testing.T, db *store.DB, batchID int64, file string) (*payment.ReconcileResult, error) {
	t.Helper()
	return update(t, db, func(tx *store.Tx) (*payment.ReconcileResult, error) {
		rows, err := parseReturns(file)
		if err != nil {
			return nil, err
		}
		return payment.Reconcile(context.Background(), tx, maker, payCounty, batchID, rows)
	})
}

func batchFile(t *testing.T, db *store.DB, id int64, format, enc string) []byte {
	t.Helper()
	b := view(t, db, func(tx *store.Tx) (*payment.Batch, error) {
		return tx.PaymentBatch(context.Background(), payCounty, id)
	})
	return writeBankFile(t, b.File(), format, enc)
}

// writeBankFile writes f with package sheet, as the web handlers do.
func writeBankFile(t *testing.T, f *payment.BankFile, format, enc string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, f.Header, sheet.WriterOptions{Format: format, Encoding: enc, Sheet: f.Sheet, Widths: f.Widths,
		Document: &sheet.Document{Title: f.Title, Creator: f.Creator, Language: f.Language, Time: f.Time, Money: []int{f.AmountColumn}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// parseReturns reads a CSV return file.
func parseReturns(file string) ([]payment.ReturnRow, error) {
	src, err := sheet.Open(strings.NewReader(file), "")
	if err != nil {
		return nil, err
	}
	return payment.ParseReturns(src)
}

// returnFile writes a bank return file: one row per line id with its
// amount, result and reason.
func returnFile(rows ...string) string {
	return "明细编号,金额,结果,失败原因,入账日期\r\n" + strings.Join(rows, "\r\n") + "\r\n"
}

func statuses(t *testing.T, db *store.DB, ids ...int64) map[int64]string {
	t.Helper()
	ls := view(t, db, func(tx *store.Tx) ([]payment.Line, error) {
		return tx.PaymentLines(context.Background(), payCounty, payment.LineFilter{})
	})
	out := map[int64]string{}
	for _, l := range ls {
		s := string(l.Status)
		if l.FailReason != "" {
			s += " (" + l.FailReason + ")"
		}
		if !l.PaidOn.IsZero() && l.Status == payment.Paid {
			s += " " + l.PaidOn.String()
		}
		out[l.PersonID] = s
	}
	return out
}

// TestPaymentBatchFlow follows a cycle from batches through approval, the
// bank file, the bank's return file and a retry, on both engines.
func TestPaymentBatchFlow(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			ctx := context.Background()
			c, _, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := makeBatches(t, db, approver, c.ID); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the county approver made batches: %v", err)
			}
			run, err := makeBatches(t, db, maker, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range run.Batches {
				got = append(got, fmt.Sprintf("%s %s %d %s", b.Bank, b.Status, b.Count, b.Total))
			}
			equalStrings(t, "batches", got, []string{"103 draft 2 1940.00", "403 draft 1 1200.00"})
			if len(run.Held) != 0 || len(run.NoAccount) != 1 || run.NoAccount[0].PersonID != 4 {
				t.Errorf("held %v, no account %v", lineSummary(run.Held), lineSummary(run.NoAccount))
			}
			abc, psbc := run.Batches[0], run.Batches[1]

			// The file is not released before approval.
			if _, err := update(t, db, func(tx *store.Tx) (*payment.BankFiles, error) {
				return payment.BatchFile(ctx, tx, maker, region.Default(), payCounty, abc.ID)
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("file of a draft batch: %v", err)
			}
			// Maker–checker.
			for _, tt := range []struct {
				name string
				a    auth.Actor
				seen payment.Approval
				kind apperr.Kind
			}{
				{"maker approves own batch", maker, payment.Approval{Count: abc.Count, Total: abc.Total}, apperr.Forbidden},
				{"county approver", approver, payment.Approval{Count: abc.Count, Total: abc.Total}, apperr.Forbidden},
				{"figures differ", checker, payment.Approval{Count: abc.Count, Total: abc.Total + 1}, apperr.Conflict},
			} {
				_, err := update(t, db, func(tx *store.Tx) (*payment.Batch, error) {
					return payment.Approve(ctx, tx, tt.a, payCounty, abc.ID, tt.seen)
				})
				if apperr.KindOf(err) != tt.kind {
					t.Errorf("%s: err %v, want %v", tt.name, err, tt.kind)
				}
			}
			for _, b := range run.Batches {
				if _, err := approve(t, db, checker, b); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := approve(t, db, checker, abc); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second approval: %v", err)
			}

			// The bank file is the same on both engines and every time.
			for _, f := range []struct{ golden, format, enc string }{
				{"payment_batch.utf8.csv", sheet.FormatCSV, sheet.EncodingUTF8},
				{"payment_batch.gbk.csv", sheet.FormatCSV, sheet.EncodingGB18030},
				{"payment_batch.xlsx", sheet.FormatXLSX, ""},
			} {
				first := batchFile(t, db, abc.ID, f.format, f.enc)
				payGolden(t, f.golden, first)
				if again := batchFile(t, db, abc.ID, f.format, f.enc); string(again) != string(first) {
					t.Errorf("%s: regenerated file differs", f.golden)
				}
			}

			// A bad return file changes nothing.
			_, err = reconcile(t, db, abc.ID, returnFile("1,960.00,成功,,2024-06-30", "999,10.00,成功,,"))
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("bad return file: %v", err)
			}
			if _, err := reconcile(t, db, abc.ID, returnFile("1,960.01,成功,,")); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("wrong amount: %v", err)
			}
			equalStrings(t, "after bad files", statusList(statuses(t, db)), []string{"1 batched", "2 batched", "3 held", "4 pending", "7 batched"})

			// 农业银行 pays 张秀英 and does not answer for 周淑珍; 邮储 refuses
			// 李桂兰's account.
			lineOf := func(b payment.Batch, person int64) int64 {
				for _, it := range b.Items {
					if it.PersonID == person {
						return it.LineID
					}
				}
				t.Fatalf("person %d not in batch %d", person, b.ID)
				return 0
			}
			res, err := reconcile(t, db, abc.ID, returnFile(fmt.Sprintf("%d,960.00,成功,,2024-06-30", lineOf(abc, 1))))
			if err != nil {
				t.Fatal(err)
			}
			if res.Paid != 1 || res.Missing != 1 || res.Failed != 0 || res.PaidTotal != 96000 || res.Batch.Status != payment.Reconciled {
				t.Errorf("reconcile = %+v", res)
			}
			if _, err := reconcile(t, db, psbc.ID, returnFile(fmt.Sprintf("%d,1200.00,失败,账户已冻结,", lineOf(psbc, 2)))); err != nil {
				t.Fatal(err)
			}
			equalStrings(t, "after returns", statusList(statuses(t, db)), []string{
				"1 paid 2024-06-30", "2 failed (账户已冻结)", "3 held", "4 pending", "7 missing"})
			// A later file settles the missing line; it cannot turn a paid one into a failure.
			if _, err := reconcile(t, db, abc.ID, returnFile(fmt.Sprintf("%d,960.00,失败,户名不符,", lineOf(abc, 1)))); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("paid line turned failed: %v", err)
			}
			res, err = reconcile(t, db, abc.ID, returnFile(fmt.Sprintf("%d,960.00,成功,,2024-06-30", lineOf(abc, 1)),
				fmt.Sprintf("%d,980.00,成功,,2024-07-01", lineOf(abc, 7))))
			if err != nil {
				t.Fatal(err)
			}
			if res.Paid != 1 || res.Unchanged != 1 || res.Missing != 0 {
				t.Errorf("second return file = %+v", res)
			}

			// Retry: not before the account is fixed, then once.
			if _, err := update(t, db, func(tx *store.Tx) (*payment.BatchRun, error) {
				return payment.GenerateRetryBatches(ctx, tx, maker, payCounty)
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("retry before the account was fixed: %v", err)
			}
			retries := view(t, db, func(tx *store.Tx) ([]payment.Retry, error) { return payment.Retries(ctx, tx, maker, payCounty) })
			if len(retries) != 1 || retries[0].Fixed || retries[0].Failed.Reason != "账户已冻结" {
				t.Errorf("retries = %+v", retries)
			}
			later := db.Now().Add(24 * 60 * 60e9)
			db.Now = func() time.Time { return later }
			if _, err := setAccount(t, db, maker, 2, payment.AccountInput{Bank: "103", Number: "6228480402564890091", Holder: "李桂兰", Version: 1}); err != nil {
				t.Fatal(err)
			}
			rrun, err := update(t, db, func(tx *store.Tx) (*payment.BatchRun, error) {
				return payment.GenerateRetryBatches(ctx, tx, maker, payCounty)
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rrun.Batches) != 1 || rrun.Batches[0].Kind != payment.RetryBatch || rrun.Batches[0].Items[0].Account != "6228480402564890091" {
				t.Fatalf("retry batches = %+v", rrun.Batches)
			}
			retry := rrun.Batches[0]
			if _, err := approve(t, db, checker, retry); err != nil {
				t.Fatal(err)
			}
			if _, err := reconcile(t, db, retry.ID, returnFile(fmt.Sprintf("%d,1200.00,成功,,2024-07-05", retry.Items[0].LineID))); err != nil {
				t.Fatal(err)
			}
			if _, err := update(t, db, func(tx *store.Tx) (*payment.BatchRun, error) {
				return payment.GenerateRetryBatches(ctx, tx, maker, payCounty)
			}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a second retry: %v", err)
			}
			equalStrings(t, "final", statusList(statuses(t, db)), []string{
				"1 paid 2024-06-30", "2 paid 2024-07-05", "3 held", "4 pending", "7 paid 2024-07-01"})
			// Each line was paid by exactly one item.
			var twice int
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT line_id FROM payment_batch_items WHERE county = ? AND result = 'paid'
					GROUP BY line_id HAVING COUNT(*) > 1) d`, payCounty).Scan(&twice)
			}); err != nil || twice != 0 {
				t.Errorf("%d lines paid twice (err %v)", twice, err)
			}
			// The old batch's file is unchanged by the retry.
			payGolden(t, "payment_batch.utf8.csv", batchFile(t, db, abc.ID, sheet.FormatCSV, sheet.EncodingUTF8))

			// Ledger of 2024: three persons paid, split by level.
			led := view(t, db, func(tx *store.Tx) (*payment.Ledger, error) {
				return payment.GetLedger(ctx, tx, approver, region.Default(), 2024, "", "jf")
			})
			if want := "2024 年 发放 3 人 0.3 万元，其中县级 0.0 万元"; led.Text != want || led.Amount != 96000+120000+98000 ||
				led.Split != (payment.Split{172800, 139200, 0, 2000}) {
				t.Errorf("ledger = %q %+v", led.Text, led.Totals)
			}
			if len(led.ByRegion) != 2 || led.ByRegion[0].Key != "341523100000" || led.ByRegion[0].Persons != 2 {
				t.Errorf("ledger by township = %+v", led.ByRegion)
			}
			if _, err := update(t, db, func(tx *store.Tx) (*payment.Ledger, error) {
				return payment.GetLedger(ctx, tx, township, region.Default(), 2024, "", "")
			}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("township read the ledger: %v", err)
			}

			// Every change is in the audit chain, which verifies.
			v, err := db.VerifyAudit(ctx, nil)
			if err != nil || len(v.Problems) > 0 {
				t.Errorf("audit chain: %v %v", err, v.Problems)
			}
			actions := view(t, db, func(tx *store.Tx) (map[string]int, error) {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: payCounty, Limit: 1000})
				m := map[string]int{}
				for _, e := range es {
					m[e.Action]++
				}
				return m, err
			})
			for action, n := range map[string]int{"payment.cycle.create": 1, "payment.batch.create": 3, "payment.batch.approve": 3,
				"payment.batch.reconcile": 4, "payment.account.set": 1} {
				if actions[action] != n {
					t.Errorf("%d audit entries %s, want %d (all: %v)", actions[action], action, n, actions)
				}
			}
		})
	}
}

func statusList(m map[int64]string) []string {
	var out []string
	for id, s := range m {
		out = append(out, fmt.Sprintf("%d %s", id, s))
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestPaymentHolds checks that a suspected death holds a person's lines,
// that finance cannot release them, and that the township can.
func TestPaymentHolds(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			ctx := context.Background()
			c, _, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			n, err := update(t, db, func(tx *store.Tx) (int, error) {
				return payment.FlagSuspectedDeath(ctx, tx, maker, registry.Key{County: payCounty, ID: 2}, "公安死亡注销比对：2024-06-01")
			})
			if err != nil || n != 1 {
				t.Fatalf("flag: %d %v", n, err)
			}
			run, err := makeBatches(t, db, maker, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range run.Batches {
				for _, it := range b.Items {
					if it.PersonID == 2 || it.PersonID == 3 {
						t.Errorf("held person %d in batch %d", it.PersonID, b.ID)
					}
				}
			}
			held := view(t, db, func(tx *store.Tx) ([]payment.Line, error) {
				return tx.PaymentLines(ctx, payCounty, payment.LineFilter{Statuses: []payment.Status{payment.Held}})
			})
			equalStrings(t, "held", lineSummary(held), []string{"p2 2024 regular r0 1200.00 held", "p3 2024 regular r0 960.00 held"})
			verify := func(a auth.Actor, id int64, v payment.Verdict) (*payment.Line, error) {
				return update(t, db, func(tx *store.Tx) (*payment.Line, error) {
					return payment.VerifyHeld(ctx, tx, a, payCounty, id, v)
				})
			}
			if _, err := verify(maker, held[0].ID, payment.Verdict{Pay: true, Note: "本人健在"}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("finance released a hold: %v", err)
			}
			if _, err := verify(township, held[0].ID, payment.Verdict{Pay: true}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("release without a note: %v", err)
			}
			l, err := verify(township, held[0].ID, payment.Verdict{Pay: true, Note: "入户见面，本人健在，系同名误报"})
			if err != nil || l.Status != payment.Pending {
				t.Fatalf("release: %+v %v", l, err)
			}
			l, err = verify(township, held[1].ID, payment.Verdict{Pay: false, Note: "死亡属实，已办理退出"})
			if err != nil || l.Status != payment.Cancelled {
				t.Fatalf("cancel: %+v %v", l, err)
			}
			if _, err := verify(township, held[1].ID, payment.Verdict{Pay: true, Note: "again"}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("verifying a settled line: %v", err)
			}
			// Released: the next batch run takes the line; the hold is gone.
			run, err = makeBatches(t, db, maker, c.ID)
			if err != nil || len(run.Batches) != 1 || run.Batches[0].Items[0].PersonID != 2 {
				t.Fatalf("batch after release: %+v %v", run, err)
			}

			// A death recorded while a batch waits for approval stops the
			// approval; holding the person takes the line out of the draft
			// batch, which is then approved with its new figures.
			var abc payment.Batch
			for _, b := range view(t, db, func(tx *store.Tx) ([]payment.Batch, error) {
				return tx.PaymentBatches(ctx, payCounty, payment.BatchFilter{CycleID: c.ID, Status: payment.Draft})
			}) {
				if b.Bank == "103" {
					abc = *view(t, db, func(tx *store.Tx) (*payment.Batch, error) { return tx.PaymentBatch(ctx, payCounty, b.ID) })
				}
			}
			if abc.Count != 2 {
				t.Fatalf("draft 农业银行 batch = %+v", abc)
			}
			execSQL(t, db, `UPDATE persons SET death = '2024-06-10', death_source = '公安' WHERE county = ? AND id = 7`, payCounty)
			if _, err := approve(t, db, checker, abc); apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "周淑珍") {
				t.Errorf("approval of a batch paying a dead person: %v", err)
			}
			if n, err := update(t, db, func(tx *store.Tx) (int, error) {
				return payment.FlagSuspectedDeath(ctx, tx, township, registry.Key{County: payCounty, ID: 7}, "公安死亡注销 2024-06-10")
			}); err == nil {
				t.Errorf("township held a person outside its scope (%d lines)", n)
			}
			if n, err := update(t, db, func(tx *store.Tx) (int, error) {
				return payment.FlagSuspectedDeath(ctx, tx, maker, registry.Key{County: payCounty, ID: 7}, "公安死亡注销 2024-06-10")
			}); err != nil || n != 1 {
				t.Fatalf("hold a batched line: %d %v", n, err)
			}
			after := view(t, db, func(tx *store.Tx) (*payment.Batch, error) { return tx.PaymentBatch(ctx, payCounty, abc.ID) })
			if after.Count != 1 || after.Total != 96000 || after.Items[0].Seq != 1 || after.Items[0].PersonID != 1 {
				t.Errorf("batch after the pull = %+v", after)
			}
			if _, err := approve(t, db, checker, abc); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("approval with the old figures: %v", err)
			}
			if _, err := approve(t, db, checker, *after); err != nil {
				t.Errorf("approval with the new figures: %v", err)
			}
			if got := statuses(t, db)[7]; got != "held" {
				t.Errorf("周淑珍's line is %s", got)
			}
		})
	}
}

// TestPaymentConsistency checks the 库册一致 report against changes made
// to the roll after the cycle.
func TestPaymentConsistency(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			ctx := context.Background()
			c, _, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			check := func() *payment.Consistency {
				return view(t, db, func(tx *store.Tx) (*payment.Consistency, error) {
					return payment.CheckConsistency(ctx, tx, stored{tx}, approver, payCounty, c.ID)
				})
			}
			summary := func(r *payment.Consistency) []string {
				var out []string
				for _, d := range r.Differences {
					out = append(out, fmt.Sprintf("p%d %s %s/%s", d.PersonID, d.Kind, d.Due, d.Paid))
				}
				return out
			}
			r := check()
			// Every roll entry without a line is listed with its reason:
			// 陈建国 is confirmed only in 2025, 刘凤英 is suspended.
			equalStrings(t, "fresh cycle", summary(r), []string{"p3 held 960.00/960.00", "p4 no_account 960.00/960.00",
				"p5 not_due 0.00/0.00", "p6 not_due 0.00/0.00"})
			if !r.Consistent || r.OnRoll != 5 || r.PaidLines != 5 || r.DueTotal != r.LinesTotal {
				t.Errorf("report = %+v", r)
			}
			// After the cycle: a recipient is added, one is exited back in
			// 2023, one has their determination changed, and a line is
			// written for a person who is on no roll.
			seed(t, db, []fxPerson{{8, "钱秀兰", "341523100201", "", "jf", "2023-03-01", "active", nil, 2024, 12, [4]int64{57600, 38400, 0, 0}, "", ""}})
			execSQL(t, db, `UPDATE recipients SET status = 'exited', last_month = ? WHERE county = ? AND person_id = 1`, 2023*12+11, payCounty)
			setDetermination(t, db, 2024, "jf", 2, 12, [4]int64{57600, 38400, 0, 0})
			seed(t, db, []fxPerson{{9, "冯桂香", "341523101201", "", "", "", "", nil, 0, 0, [4]int64{}, "", ""}})
			execSQL(t, db, `INSERT INTO payment_lines (county, id, cycle_id, person_id, recipient_id, program, period, revision, kind, region, months,
				amount_fen, central_fen, province_fen, city_fen, county_fen, status, updated_at)
				VALUES (?, 900, ?, 9, 0, 'jf', '2024', 0, 'regular', '341523101201', 12, 96000, 96000, 0, 0, 0, 'pending', '2024-06-20T02:00:00Z')`,
				payCounty, c.ID)
			r = check()
			equalStrings(t, "after changes", summary(r), []string{
				"p1 not_on_roll 0.00/960.00",
				"p2 amount 960.00/1200.00",
				"p3 held 960.00/960.00",
				"p8 not_paid 960.00/0.00",
				"p4 no_account 960.00/960.00",
				"p5 not_due 0.00/0.00",
				"p6 not_due 0.00/0.00",
				"p9 not_on_roll 0.00/960.00",
			})
			if r.Consistent {
				t.Error("report says consistent")
			}
		})
	}
}

// TestPaymentLetter renders a letter from the database after payment and
// checks that reprinting gives the same document.
func TestPaymentLetter(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := payDB(t, engine)
			seed(t, db, jfFixture)
			ctx := context.Background()
			c, _, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			run, err := makeBatches(t, db, maker, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := approve(t, db, checker, run.Batches[0]); err != nil {
				t.Fatal(err)
			}
			if _, err := reconcile(t, db, run.Batches[0].ID, returnFile(fmt.Sprintf("%d,960.00,成功,,2024-06-30", run.Batches[0].Items[0].LineID))); err != nil {
				t.Fatal(err)
			}
			letter := func(a auth.Actor) ([]byte, error) {
				return update(t, db, func(tx *store.Tx) ([]byte, error) {
					return payment.Letter(ctx, tx, a, region.Default(), payCounty, c.ID, 1)
				})
			}
			first, err := letter(approver)
			if err != nil {
				t.Fatal(err)
			}
			payGolden(t, "payment_letter.html", first)
			// The account changes afterwards; the letter still shows the
			// account the money went to.
			if _, err := setAccount(t, db, maker, 1, payment.AccountInput{Bank: "403", Number: "6217994000000000028", Holder: "张秀英", Version: 1}); err != nil {
				t.Fatal(err)
			}
			again, err := letter(maker)
			if err != nil || string(again) != string(first) {
				t.Errorf("reprinted letter differs (err %v)", err)
			}
			if _, err := letter(auth.Actor{UserID: 30, Username: "v", Role: auth.RoleVillage, Scope: "341523100201"}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("village read a letter: %v", err)
			}
		})
	}
}
