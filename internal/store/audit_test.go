package store_test

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func TestAuditChainDetectsTampering(t *testing.T) {
	tamper := []struct {
		name string
		sql  string
	}{
		{"edited content", `UPDATE audit_log SET after = '{"name":"x"}' WHERE county = '341523' AND seq = 2`},
		{"deleted middle entry", `DELETE FROM audit_log WHERE county = '341523' AND seq = 2`},
		{"deleted newest entry", `DELETE FROM audit_log WHERE county = '341523' AND seq = 3`},
		{"deleted chain head", `DELETE FROM audit_head WHERE county = '341523'`},
		{"rehashed edit", `UPDATE audit_log SET username = 'mallory', hash = prev_hash WHERE county = '341523' AND seq = 1`},
	}
	for _, engine := range storetest.Engines(t) {
		for _, tt := range tamper {
			t.Run(string(engine)+"/"+tt.name, func(t *testing.T) {
				db := storetest.Open(t, engine)
				ctx := context.Background()
				for i, c := range []string{"341523", "341523", "341523", ""} {
					err := db.Update(ctx, func(tx *store.Tx) error {
						return tx.Audit(ctx, audit.Entry{County: c, UserID: int64(i), Username: "u", Action: "person.update",
							Entity: "person", EntityID: "1", After: `{"name":"张三"}`})
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				v, err := db.VerifyAudit(ctx, nil)
				if err != nil || len(v.Problems) != 0 || v.Checked != 4 {
					t.Fatalf("clean log: checked %d, problems %v, err %v", v.Checked, v.Problems, err)
				}
				if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, tt.sql); return err }); err != nil {
					t.Fatal(err)
				}
				v, err = db.VerifyAudit(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(v.Problems) == 0 {
					t.Errorf("tampering (%s) went undetected", tt.name)
				}
			})
		}
	}
}
