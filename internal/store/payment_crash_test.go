package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// The crash tests run a payment step in a child process (this test binary
// started again) that kills itself with os.Exit in the middle of the
// step's transaction, after part of the work is written. The database
// must then be exactly as before; the step run again completes.

const (
	crashEnvStage = "JIAHE_PAYMENT_CRASH_STAGE"
	crashEnvDB    = "JIAHE_PAYMENT_CRASH_DB"
	crashEnvKeys  = "JIAHE_PAYMENT_CRASH_KEYS"
	crashEnvArg   = "JIAHE_PAYMENT_CRASH_ARG"
	crashedCode   = 3 // the child died where it was told to
	survivedCode  = 4 // the child finished the step: the crash point was never reached
)

// crashingTx is the store of the child: the real transaction, except that
// the process dies right after the write named by stage.
type crashingTx struct {
	*store.Tx
	stage string
}

func (c crashingTx) InsertPaymentLines(ctx context.Context, lines []payment.Line) error {
	if err := c.Tx.InsertPaymentLines(ctx, lines); err != nil {
		return err
	}
	if c.stage == "cycle" {
		c.die(ctx, `SELECT COUNT(*) FROM payment_lines`)
	}
	return nil
}

// die reports how many rows query counts inside the open transaction (the
// partial work) and kills the process without committing.
func (c crashingTx) die(ctx context.Context, query string) {
	var n int
	if err := c.QueryRow(ctx, query).Scan(&n); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	fmt.Fprintf(os.Stderr, "partial work in the transaction: %d rows\n", n)
	os.Exit(crashedCode)
}

func (c crashingTx) UpdatePaymentLines(ctx context.Context, county string, ids []int64, from []payment.Status, u payment.LineUpdate) (int, error) {
	n, err := c.Tx.UpdatePaymentLines(ctx, county, ids, from, u)
	if err != nil {
		return n, err
	}
	switch {
	case c.stage == "batch" && u.Status == payment.Batched:
		c.die(ctx, `SELECT COUNT(*) FROM payment_batch_items`)
	case c.stage == "reconcile" && (u.Status == payment.Paid || u.Status == payment.Failed || u.Status == payment.Missing):
		c.die(ctx, `SELECT COUNT(*) FROM payment_batch_items WHERE result <> ''`)
	}
	return n, nil
}

// TestPaymentCrashChild is the child process of TestPaymentCrash; run
// directly it has nothing to do.
func TestPaymentCrashChild(t *testing.T) {
	stage := os.Getenv(crashEnvStage)
	if stage == "" {
		t.Skip("the child process of TestPaymentCrash")
	}
	ctx := context.Background()
	ring, err := keys.Load(os.Getenv(crashEnvKeys))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db, err := store.Open(ctx, os.Getenv(crashEnvDB), store.WithKeys(ring))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db.Now = payNow
	arg, _ := strconv.ParseInt(os.Getenv(crashEnvArg), 10, 64)
	err = db.Update(ctx, func(tx *store.Tx) error {
		s := crashingTx{Tx: tx, stage: stage}
		return crashStep(ctx, s, stage, arg)
	})
	fmt.Fprintln(os.Stderr, "step finished:", err)
	os.Exit(survivedCode)
}

// txOf is the transaction under s.
func txOf(s payment.Store) *store.Tx {
	if c, ok := s.(crashingTx); ok {
		return c.Tx
	}
	return s.(*store.Tx)
}

// crashStep runs one payment step on s.
func crashStep(ctx context.Context, s payment.Store, stage string, arg int64) error {
	switch stage {
	case "cycle":
		_, _, err := payment.GenerateCycle(ctx, s, stored{txOf(s)}, maker, payment.CycleRequest{County: payCounty, Program: "jf", Period: "2024"})
		return err
	case "batch":
		_, err := payment.GenerateBatches(ctx, s, maker, payCounty, arg)
		return err
	case "reconcile":
		b, err := s.PaymentBatch(ctx, payCounty, arg)
		if err != nil {
			return err
		}
		rows := []string{fmt.Sprintf("%d,%s,成功,,2024-06-30", b.Items[0].LineID, b.Items[0].Amount),
			fmt.Sprintf("%d,%s,失败,账户已销户,", b.Items[1].LineID, b.Items[1].Amount)}
		parsed, err := parseReturns(returnFile(rows...))
		if err != nil {
			return err
		}
		_, err = payment.Reconcile(ctx, s, maker, payCounty, arg, parsed)
		return err
	}
	return errors.New("unknown stage " + stage)
}

// snapshot renders every row of the tables a payment step writes.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	err := db.View(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			`SELECT * FROM payment_cycles ORDER BY county, id`,
			`SELECT * FROM payment_lines ORDER BY county, id`,
			`SELECT * FROM payment_batches ORDER BY county, id`,
			`SELECT * FROM payment_batch_items ORDER BY county, batch_id, seq`,
			`SELECT * FROM audit_log ORDER BY county, seq`,
			`SELECT * FROM audit_head ORDER BY county`,
			// id_seq is not compared: on PostgreSQL ids are reserved in
			// blocks outside the transaction, and those a crashed
			// transaction reserved are skipped, as a sequence's are.
		} {
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			n := 0
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
				fmt.Fprintf(&b, "%v\n", vals)
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			fmt.Fprintf(&b, "-- %d rows: %s\n", n, q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPaymentCrash(t *testing.T) {
	if os.Getenv(crashEnvStage) != "" {
		t.Skip("in the child")
	}
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		for _, stage := range []string{"cycle", "batch", "reconcile"} {
			t.Run(string(engine)+"/"+stage, func(t *testing.T) {
				url := storetest.URL(t, engine)
				db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				db.Now = payNow
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				seed(t, db, jfFixture)
				var arg int64
				if stage != "cycle" {
					c, _, err := genCycle(t, db, "jf", "2024")
					if err != nil {
						t.Fatal(err)
					}
					arg = c.ID
				}
				if stage == "reconcile" {
					run, err := makeBatches(t, db, maker, arg)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := approve(t, db, checker, run.Batches[0]); err != nil {
						t.Fatal(err)
					}
					arg = run.Batches[0].ID
				}
				before := snapshot(t, db)

				cmd := exec.Command(os.Args[0], "-test.run=^TestPaymentCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), crashEnvStage+"="+stage, crashEnvDB+"="+url, crashEnvKeys+"="+storetest.KeyFile(t, url), crashEnvArg+"="+strconv.FormatInt(arg, 10))
				out, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != crashedCode {
					t.Fatalf("child: %v, want exit status %d\n%s", err, crashedCode, out)
				}
				if !strings.Contains(string(out), "partial work in the transaction: ") || strings.Contains(string(out), "transaction: 0 rows") {
					t.Fatalf("the child died before writing anything:\n%s", out)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("the crash left a trace:\nbefore\n%s\nafter\n%s", before, after)
				}
				// Not a no-op: the same step run to the end changes the database.
				if err := db.Update(ctx, func(tx *store.Tx) error { return crashStep(ctx, tx, stage, arg) }); err != nil {
					t.Fatal(err)
				}
				if snapshot(t, db) == before {
					t.Error("the step changed nothing")
				}
				if v, err := db.VerifyAudit(ctx, nil); err != nil || len(v.Problems) > 0 {
					t.Errorf("audit chain: %v %v", err, v.Problems)
				}
			})
		}
	}
}
