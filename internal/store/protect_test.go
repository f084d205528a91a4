package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// dump returns every row of every table as text, as a raw dump of the
// database would show them; on SQLite also the bytes of the file and its
// write-ahead log.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := db.View(ctx, func(tx *store.Tx) error {
		q := `SELECT name FROM sqlite_master WHERE type = 'table'`
		if db.Engine == store.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
		}
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		for _, table := range tables {
			rows, err := tx.Query(ctx, `SELECT * FROM `+table)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
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
				for _, v := range vals {
					if s, ok := v.([]byte); ok {
						v = string(s)
					}
					fmt.Fprintf(&b, "%v\t", v)
				}
				b.WriteByte('\n')
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if db.Engine == store.SQLite {
		path := strings.TrimPrefix(db.URL, "sqlite:")
		for _, f := range []string{path, path + "-wal"} {
			raw, _ := os.ReadFile(f)
			b.Write(raw)
		}
	}
	return b.String()
}

// TestIDNumbersUnreadableInDump fills a database through the registry, the
// payment accounts and a payment batch (persons also written in clear and
// then encrypted, as migrating an older database does), and checks that
// no ID number and no account number can be read in a raw dump, while the
// system reads them all back.
func TestIDNumbersUnreadableInDump(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := payDB(t, engine)
			seed(t, db, jfFixture) // clear rows, as an older release left them
			if _, err := db.ProtectAgain(ctx); err != nil {
				t.Fatal(err)
			}
			// The fixture's persons took ids 1 to 7 without the counter.
			mustUpdate(t, db, func(tx *store.Tx) (int64, error) { return tx.NextIDs(ctx, "person", 100) })
			fresh := register(t, db, person(t, "孙新登", "F", "1961-02-03", 31))
			if _, err := setAccount(t, db, maker, fresh.ID, payment.AccountInput{Bank: "103", Kind: "card", Number: "6228480402564890067", Holder: "孙新登", Version: 0}); err != nil {
				t.Fatal(err)
			}
			c, _, err := genCycle(t, db, "jf", "2024")
			if err != nil {
				t.Fatal(err)
			}
			run, err := makeBatches(t, db, maker, c.ID)
			if err != nil || len(run.Batches) == 0 {
				t.Fatalf("batches: %v, %v", run, err)
			}
			secrets := []string{fresh.IDNumber, "6228480402564890067"}
			for _, p := range jfFixture {
				secrets = append(secrets, p.idNumber())
				if p.card != "" {
					secrets = append(secrets, p.card)
				}
			}
			d := dump(t, db)
			if !strings.Contains(d, "张秀英") || !strings.Contains(d, "孙新登") {
				t.Fatal("the dump lacks the names it should show")
			}
			for _, s := range secrets {
				if strings.Contains(d, s) {
					t.Errorf("%s can be read in a raw dump", s)
				}
			}
			// The system reads them all.
			got := view(t, db, func(tx *store.Tx) (*registry.Record, error) {
				return tx.PersonByIDNumber(ctx, "", jfFixture[1].idNumber())
			})
			if got.ID != 2 || got.IDNumber != jfFixture[1].idNumber() {
				t.Errorf("look-up by a number encrypted by the migration: %+v", got)
			}
			b := view(t, db, func(tx *store.Tx) (*payment.Batch, error) { return tx.PaymentBatch(ctx, payCounty, run.Batches[0].ID) })
			for _, it := range b.Items {
				if len(it.IDNumber) != 18 || len(it.Account) < 16 {
					t.Errorf("batch item read back as %q / %q", it.IDNumber, it.Account)
				}
			}
			es := view(t, db, func(tx *store.Tx) ([]audit.Entry, error) {
				return tx.AuditEntries(ctx, "", store.AuditFilter{County: payCounty, Entity: "person"})
			})
			if len(es) == 0 || !strings.Contains(es[len(es)-1].After, fresh.IDNumber) {
				t.Errorf("the audit entry of the registration reads back without the ID number: %v", es)
			}
			if v, err := db.VerifyAudit(ctx, nil); err != nil || len(v.Problems) > 0 {
				t.Errorf("audit: %v %v", err, v.Problems)
			}
		})
	}
}

// TestMigrateOlderDatabase builds a database as release 8 of the schema
// left it — ID and account numbers in clear, unkeyed audit chains — and
// migrates it: everything is encrypted, look-ups work, the chains are
// keyed from a first keyed entry on, which seals the unkeyed ones before
// it, and an edit of an old entry, even rehashed, is then detected.
func TestMigrateOlderDatabase(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = payNow
			if err := db.MigrateTo(ctx, 8); err != nil {
				t.Fatal(err)
			}
			idn := jfFixture[0].idNumber()
			execSQL(t, db, `INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at)
				VALUES ('341523', 1, ?, '张秀英', 'F', '1960-01-01', '341523100201', 'rural', '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z')`, idn)
			execSQL(t, db, `INSERT INTO bank_accounts (county, person_id, bank, kind, account_no, holder, version, updated_by, created_at, updated_at)
				VALUES ('341523', 1, '103', 'card', '6228480402564890018', '张秀英', 1, 11, '2024-01-02T00:00:00Z', '2024-01-02T00:00:00Z')`)
			// Two unkeyed chains, written as release 8 wrote them.
			heads := map[string]audit.Entry{}
			at := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
			for i, c := range []string{"", "341523", "341523", "341523"} {
				e := audit.Entry{County: c, At: at, UserID: int64(i), Username: "old", Action: "person.create", Entity: "person", EntityID: "1",
					Region: c, After: `{"id_number":"` + idn + `"}`, Seq: 1, PrevHash: audit.Genesis}
				if h, ok := heads[c]; ok {
					e.Seq, e.PrevHash = h.Seq+1, h.Hash
				}
				e.Hash = audit.ComputeHash(e)
				heads[c] = e
				execSQL(t, db, `INSERT INTO audit_log (county, seq, at, user_id, username, action, entity, entity_id, region, before, after, prev_hash, hash)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.County, e.Seq, e.At.Format(time.RFC3339Nano), e.UserID, e.Username, e.Action,
					e.Entity, e.EntityID, e.Region, e.Before, e.After, e.PrevHash, e.Hash)
			}
			for c, h := range heads {
				execSQL(t, db, `INSERT INTO audit_head (county, seq, hash) VALUES (?, ?, ?)`, c, h.Seq, h.Hash)
			}

			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrating again: %v", err)
			}
			if d := dump(t, db); strings.Contains(d, idn) || strings.Contains(d, "6228480402564890018") {
				t.Error("a number of the older database can still be read in a raw dump after migrating")
			}
			got := view(t, db, func(tx *store.Tx) (*registry.Record, error) { return tx.PersonByIDNumber(ctx, "", idn) })
			if got.Name != "张秀英" || got.IDNumber != idn {
				t.Errorf("look-up after migrating: %+v", got)
			}
			acct := view(t, db, func(tx *store.Tx) (*payment.Account, error) { return tx.BankAccount(ctx, "341523", 1) })
			if acct.Number != "6228480402564890018" {
				t.Errorf("account after migrating: %q", acct.Number)
			}
			v, err := db.VerifyAudit(ctx, nil)
			if err != nil || len(v.Problems) > 0 {
				t.Fatalf("verify after migrating: %v %v", err, v.Problems)
			}
			// system: 1 old + keyed + open(341523); 341523: 3 old + keyed
			if v.Checked != 7 || v.Chains() != 2 {
				t.Errorf("after migrating: %d entries in %d chains, want 7 in 2", v.Checked, v.Chains())
			}
			es := view(t, db, func(tx *store.Tx) ([]audit.Entry, error) {
				return tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523"})
			})
			if es[0].Action != audit.ActionKeyed || es[0].KeyID != 1 || es[1].KeyID != 0 || !strings.Contains(es[1].After, idn) {
				t.Errorf("the chain after migrating: %+v", es)
			}

			// An old entry edited and the old part rehashed, unkeyed as it
			// was: the keyed entry after it no longer links.
			prev := audit.Genesis
			for seq := int64(1); seq <= 3; seq++ {
				e := es[len(es)-int(seq)]
				if seq == 2 {
					e.Username = "mallory"
				}
				e.PrevHash = prev
				e.Hash = audit.ComputeHash(e)
				prev = e.Hash
				execSQL(t, db, `UPDATE audit_log SET username = ?, prev_hash = ?, hash = ? WHERE county = '341523' AND seq = ?`, e.Username, e.PrevHash, e.Hash, seq)
			}
			if v, _ := db.VerifyAudit(ctx, nil); !hasProblem(v, "chain 341523 entry 4: previous hash does not match") {
				t.Errorf("a rehashed edit of the unkeyed part: problems %v", v.Problems)
			}
		})
	}
}

// TestRotateKeys rotates to a new generation (with the other cipher):
// every value is encrypted with it, look-ups and the audit chains still
// work, the old generation is retired, and the old key file alone no
// longer opens the data.
func TestRotateKeys(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			ring := storetest.Keys(t, url)
			db, err := store.Open(ctx, url, store.WithKeys(ring))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = payNow
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var recs []*registry.Record
			for i := range 5 {
				recs = append(recs, register(t, db, person(t, fmt.Sprintf("轮换%d", i), "M", "1970-01-01", 40+i)))
			}
			if _, err := setAccount(t, db, maker, recs[0].ID, payment.AccountInput{Bank: "103", Kind: "card", Number: "6228480402564890067", Holder: "轮换0"}); err != nil {
				t.Fatal(err)
			}
			old, _ := keys.Parse(ring.Marshal())
			other := keys.AESGCM
			if ring.Current().Cipher == keys.AESGCM {
				other = keys.SM4GCM
			}
			if err := ring.Add(other); err != nil {
				t.Fatal(err)
			}
			n, err := db.RotateKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n < 5 {
				t.Errorf("rotation rewrote %d rows", n)
			}
			use, err := db.KeyUse(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if use[1] != 0 || use[0] != 0 || use[2] == 0 {
				t.Errorf("values by generation after rotation: %v, want all under 2", use)
			}
			if g, _ := ring.Generation(1); !g.Retired {
				t.Error("generation 1 is not retired")
			}
			got := view(t, db, func(tx *store.Tx) (*registry.Record, error) { return tx.PersonByIDNumber(ctx, "", recs[3].IDNumber) })
			if got.ID != recs[3].ID {
				t.Errorf("look-up after rotation found %+v", got)
			}
			if v, err := db.VerifyAudit(ctx, nil); err != nil || len(v.Problems) > 0 {
				t.Errorf("audit after rotation: %v %v", err, v.Problems)
			}
			// A new registration after the rotation, and the database with
			// the old key file alone: it is refused before use.
			register(t, db, person(t, "轮换后", "F", "1971-01-01", 50))
			oldDB, err := store.Open(ctx, url, store.WithKeys(old))
			if err != nil {
				t.Fatal(err)
			}
			defer oldDB.Close()
			if err := oldDB.CheckKeys(ctx); err == nil || !strings.Contains(err.Error(), "lacks key generation 2") {
				t.Errorf("the old key file: CheckKeys = %v", err)
			}
		})
	}
}

// TestKeysOfAnotherDatabaseRefused: a key file that is not the database's
// is refused before it writes anything.
func TestKeysOfAnotherDatabaseRefused(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			stranger, _ := keys.Generate(keys.SM4GCM)
			other, err := store.Open(ctx, db.URL, store.WithKeys(stranger))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.CheckKeys(ctx); err == nil || !strings.Contains(err.Error(), "wrong or replaced key file") {
				t.Errorf("CheckKeys with another key file = %v", err)
			}
			if err := other.Migrate(ctx); err == nil {
				t.Error("migrating with another key file succeeded")
			}
		})
	}
}

// TestPersonsByIDSuffix finds persons by the last 4 to 6 characters of
// their ID number, within scope.
func TestPersonsByIDSuffix(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			fixedClock(db)
			a := register(t, db, person(t, "甲", "M", "1962-03-01", 11))
			b := register(t, db, person(t, "乙", "F", "1965-07-07", 12))
			for _, tt := range []struct {
				suffix string
				scope  region.Code
				want   []int64
			}{
				{a.IDNumber[14:], "", []int64{a.ID}},
				{a.IDNumber[13:], "341523", []int64{a.ID}},
				{a.IDNumber[12:], "341523", []int64{a.ID}},
				{b.IDNumber[14:], "341523", []int64{b.ID}},
				{"9" + a.IDNumber[15:], "", nil},
				{a.IDNumber[14:], "341524", nil},
			} {
				got := view(t, db, func(tx *store.Tx) ([]registry.Record, error) {
					return tx.PersonsByIDSuffix(ctx, tt.scope, tt.suffix, 10)
				})
				var ids []int64
				for _, r := range got {
					ids = append(ids, r.ID)
				}
				if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
					t.Errorf("suffix %s in %q: %v, want %v", tt.suffix, tt.scope, ids, tt.want)
				}
			}
			for _, bad := range []string{"123", "1234567", "12X4"} {
				err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.PersonsByIDSuffix(ctx, "", bad, 10); return err })
				if apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("suffix %q: %v, want Invalid", bad, err)
				}
			}
		})
	}
}

// TestOneIDNumberTwoCounties registers the same ID number in two counties
// at the same instant, again and again: exactly one registration wins each
// time, whatever the engine (on PostgreSQL the number's bucket is locked
// at READ COMMITTED).
func TestOneIDNumberTwoCounties(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			regions := []string{village, "341524100001"}
			actors := []auth.Actor{villager, {UserID: 8, Username: "v2", Role: auth.RoleVillage, Scope: "341524100001"}}
			for round := range 8 {
				in := person(t, "重号", "M", "1980-01-01", 60+round)
				start := make(chan struct{})
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						p := in
						p.Region = regions[i]
						<-start
						errs[i] = db.Update(context.Background(), func(tx *store.Tx) error {
							if err := tx.LockChain(context.Background(), p.Region[:6]); err != nil {
								return err
							}
							_, err := registry.Register(context.Background(), tx, actors[i], p)
							return err
						})
					}()
				}
				close(start)
				wg.Wait()
				ok := 0
				for _, err := range errs {
					if err == nil {
						ok++
					} else if apperr.KindOf(err) != apperr.Conflict {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: %d registrations of one ID number succeeded, want 1", round, ok)
				}
			}
		})
	}
}
