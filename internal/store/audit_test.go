package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// auditFixture is a database with two county chains (341523: six entries,
// 341524: two) and the system chain, and an anchor of the heads taken
// when 341523 had four entries.
type auditFixture struct {
	db     *store.DB
	ring   *keys.Ring
	anchor *audit.Anchor
}

func newAuditFixture(t *testing.T, engine store.Engine) *auditFixture {
	t.Helper()
	url := storetest.URL(t, engine)
	ring := storetest.Keys(t, url)
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.WithKeys(ring))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &auditFixture{db: db, ring: ring}
	write := func(county string, i int) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, audit.Entry{County: county, UserID: int64(i), Username: "u", Action: "person.update",
				Entity: "person", EntityID: "1", Region: county + "100001", Before: `{"id_number":"34152319620301011X"}`, After: `{"name":"张三"}`})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 4; i++ {
		write("341523", i)
	}
	write("341524", 1)
	write("341524", 2)
	f.anchor = f.makeAnchor(t)
	write("341523", 5)
	write("341523", 6)
	return f
}

func (f *auditFixture) makeAnchor(t *testing.T) *audit.Anchor {
	t.Helper()
	ctx := context.Background()
	var a *audit.Anchor
	err := f.db.View(ctx, func(tx *store.Tx) error {
		id, err := tx.DatabaseID(ctx)
		if err != nil {
			return err
		}
		heads, err := tx.AuditHeads(ctx)
		if err != nil {
			return err
		}
		var ah []audit.AnchorHead
		for _, h := range heads {
			ah = append(ah, audit.AnchorHead{County: h.County, Seq: h.Seq, Hash: h.Hash})
		}
		a = audit.NewAnchor(id, tx.Now(), ah, f.ring.Signer())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *auditFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := f.db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// entries reads a chain's entries as stored (encrypted states, and all).
func (f *auditFixture) entries(t *testing.T, county string) []store.RawAuditEntry {
	t.Helper()
	var es []store.RawAuditEntry
	err := f.db.View(context.Background(), func(tx *store.Tx) (err error) {
		es, err = tx.RawAuditEntries(context.Background(), county)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// rewrite writes entries back as they are given (by county and seq).
func (f *auditFixture) rewrite(t *testing.T, es ...store.RawAuditEntry) {
	t.Helper()
	for _, e := range es {
		f.exec(t, `UPDATE audit_log SET at = ?, user_id = ?, username = ?, action = ?, entity = ?, entity_id = ?, region = ?,
			before = ?, after = ?, prev_hash = ?, hash = ?, key_id = ? WHERE county = ? AND seq = ?`,
			e.At.Format(time.RFC3339Nano), e.UserID, e.Username, e.Action, e.Entity, e.EntityID, e.Region, e.Before, e.After, e.PrevHash, e.Hash, e.KeyID, e.County, e.Seq)
	}
}

// recompute rehashes the chain from its first entry with the audit keys of
// ring (re-encrypting the states with it, decrypted with from), and seals
// its head with them, as someone holding ring but not the database's key
// would.
func (f *auditFixture) recompute(t *testing.T, county string, from, ring *keys.Ring, edit func(*audit.Entry)) {
	t.Helper()
	kr := ring.Audit()
	prev := audit.Genesis
	var last audit.Head
	for _, raw := range f.entries(t, county) {
		e := raw.Entry
		var err error
		if e.Before, err = from.Open(e.Before, store.AuditAAD(county, e.Seq, "before")); err != nil {
			t.Fatal(err)
		}
		if e.After, err = from.Open(e.After, store.AuditAAD(county, e.Seq, "after")); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(&e)
		}
		e.PrevHash = prev
		if err := kr.Seal(&e); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		f.rewrite(t, store.RawAuditEntry{Entry: e})
		f.exec(t, `UPDATE audit_log SET before = ?, after = ? WHERE county = ? AND seq = ?`,
			ring.Seal(e.Before, store.AuditAAD(county, e.Seq, "before")), ring.Seal(e.After, store.AuditAAD(county, e.Seq, "after")), county, e.Seq)
		last = audit.Head{County: county, Seq: e.Seq, Hash: e.Hash}
	}
	if err := kr.SealHead(&last); err != nil {
		t.Fatal(err)
	}
	f.exec(t, `UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, mac = ? WHERE county = ?`, last.Seq, last.Hash, last.KeyID, last.MAC, county)
}

func (f *auditFixture) verify(t *testing.T, anchors ...*audit.Anchor) *audit.Verifier {
	t.Helper()
	v, err := f.db.VerifyAudit(context.Background(), nil, anchors...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAuditTamperings makes each of the eight tamperings of an insider
// with access to the database and checks that verification finds it:
// without an anchor for the first seven, with one (kept outside the
// system) for the last, which holds the key.
func TestAuditTamperings(t *testing.T) {
	tamperings := []struct {
		name string
		do   func(t *testing.T, f *auditFixture)
		// needsAnchor: only an anchor kept outside can tell (the
		// tamperer held a key the verifier trusts).
		needsAnchor bool
		want        string
	}{
		{name: "edit", want: "content does not match its keyed hash", do: func(t *testing.T, f *auditFixture) {
			f.exec(t, `UPDATE audit_log SET username = 'mallory' WHERE county = '341523' AND seq = 2`)
		}},
		{name: "edit an encrypted state", want: "does not decrypt", do: func(t *testing.T, f *auditFixture) {
			es := f.entries(t, "341523")
			f.exec(t, `UPDATE audit_log SET after = ? WHERE county = '341523' AND seq = 2`, es[2].After) // entry 3's
		}},
		{name: "delete middle", want: "sequence gap", do: func(t *testing.T, f *auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE county = '341523' AND seq = 3`)
		}},
		{name: "delete newest", want: "chain head does not match the last entry", do: func(t *testing.T, f *auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE county = '341523' AND seq = 6`)
		}},
		{name: "delete newest and move the head", want: "chain head seal does not match", do: func(t *testing.T, f *auditFixture) {
			es := f.entries(t, "341523")
			f.exec(t, `DELETE FROM audit_log WHERE county = '341523' AND seq > 4`)
			f.exec(t, `UPDATE audit_head SET seq = 4, hash = ? WHERE county = '341523'`, es[3].Hash)
		}},
		{name: "delete a county's chain", want: "chain opened at system entry 3 is missing", do: func(t *testing.T, f *auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE county = '341524'`)
			f.exec(t, `DELETE FROM audit_head WHERE county = '341524'`)
		}},
		{name: "delete a county's chain and its opening", want: "chain head does not match the last entry", do: func(t *testing.T, f *auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE county = '341524'`)
			f.exec(t, `DELETE FROM audit_head WHERE county = '341524'`)
			f.exec(t, `DELETE FROM audit_log WHERE county = '' AND action = 'audit.open' AND entity_id = '341524'`)
		}},
		{name: "swap", want: "previous hash does not match", do: func(t *testing.T, f *auditFixture) {
			es := f.entries(t, "341523")
			a, b := es[1], es[2]
			a.Seq, b.Seq = b.Seq, a.Seq
			f.rewrite(t, a, b)
		}},
		{name: "recompute the chain unkeyed", want: "unkeyed entry after keyed ones", do: func(t *testing.T, f *auditFixture) {
			prev := audit.Genesis
			for _, raw := range f.entries(t, "341523") {
				e := raw.Entry
				if e.Seq == 2 {
					e.Username = "mallory"
				}
				if e.Seq > 1 { // the first entry is left as it was
					e.PrevHash, e.KeyID = prev, 0
					e.Hash = audit.ComputeHash(e)
				}
				prev = e.Hash
				f.rewrite(t, store.RawAuditEntry{Entry: e})
			}
			f.exec(t, `UPDATE audit_head SET hash = ? WHERE county = '341523'`, prev)
		}},
		{name: "recompute the chain with another key", want: "content does not match its keyed hash", do: func(t *testing.T, f *auditFixture) {
			mine, _ := keys.Generate(keys.AESGCM)
			f.recompute(t, "341523", f.ring, mine, func(e *audit.Entry) {
				if e.Seq == 2 {
					e.Username = "mallory"
				}
			})
		}},
		{name: "replace the key", needsAnchor: true, want: "differs from the anchor", do: func(t *testing.T, f *auditFixture) {
			// The tamperer holds the key file, replaces it with one of
			// their own and recomputes every chain with it, so that the
			// chains verify with the key file the system now reads.
			mine, _ := keys.Generate(keys.SM4GCM)
			for _, c := range []string{"", "341523", "341524"} {
				f.recompute(t, c, f.ring, mine, func(e *audit.Entry) {
					if e.Seq == 2 {
						e.Username = "mallory"
					}
				})
			}
			f.db.Close()
			db, err := store.Open(context.Background(), f.db.URL, store.WithKeys(mine))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f.db = db
		}},
	}
	for _, engine := range storetest.Engines(t) {
		for _, tt := range tamperings {
			t.Run(string(engine)+"/"+tt.name, func(t *testing.T) {
				f := newAuditFixture(t, engine)
				if v := f.verify(t, f.anchor); len(v.Problems) != 0 || v.Checked != 11 || v.Chains() != 3 {
					t.Fatalf("clean log: checked %d in %d chains, problems %v", v.Checked, v.Chains(), v.Problems)
				}
				tt.do(t, f)
				without := f.verify(t)
				if tt.needsAnchor {
					if len(without.Problems) != 0 {
						t.Errorf("without an anchor: %v (expected to pass: the tamperer holds the key)", without.Problems)
					}
				} else if !hasProblem(without, tt.want) {
					t.Errorf("without an anchor: problems %v, want one saying %q", without.Problems, tt.want)
				}
				if with := f.verify(t, f.anchor); !hasProblem(with, tt.want) {
					t.Errorf("with the anchor: problems %v, want one saying %q", with.Problems, tt.want)
				}
			})
		}
	}
}

func hasProblem(v *audit.Verifier, want string) bool {
	for _, p := range v.Problems {
		if strings.Contains(p.String(), want) {
			return true
		}
	}
	return false
}

// TestAuditAnchorBoundsTruncation: an insider who restores an old,
// properly sealed head (from a copy of the database) can undo the entries
// written after it; an anchor made after those entries tells.
func TestAuditAnchorBoundsTruncation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			f := newAuditFixture(t, engine)
			later := f.makeAnchor(t)
			// The head as it was when entry 4 was the last, sealed with the
			// key: what a copy of the database from then holds.
			es := f.entries(t, "341523")
			h := audit.Head{County: "341523", Seq: 4, Hash: es[3].Hash}
			if err := f.ring.Audit().SealHead(&h); err != nil {
				t.Fatal(err)
			}
			f.exec(t, `DELETE FROM audit_log WHERE county = '341523' AND seq > 4`)
			f.exec(t, `UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, mac = ? WHERE county = '341523'`, h.Seq, h.Hash, h.KeyID, h.MAC)
			if v := f.verify(t, f.anchor); len(v.Problems) != 0 {
				t.Fatalf("the earlier anchor cannot tell, yet it reports %v", v.Problems)
			}
			if v := f.verify(t, later); !hasProblem(v, "entry anchored on") {
				t.Errorf("the later anchor: problems %v, want the anchored entry missing", v.Problems)
			}
		})
	}
}
