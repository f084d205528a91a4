package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestInsertDeterminations stores more determinations than one statement
// holds on either engine, then stores some of them again, changed: each
// reads back as last stored, with its explanation or without one.
func TestInsertDeterminations(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			det := func(id int64, fen int64, explanation string) policy.Determination {
				return policy.Determination{County: "341523", Year: 2024, PersonID: id, Program: "jf", Eligible: true,
					AmountFen: fen, Months: 12, Funding: [4]int64{fen, 0, 0, 0}, RuleVersion: "national@1", Explanation: explanation}
			}
			var first, again []policy.Determination
			for id := int64(1); id <= 5500; id++ {
				first = append(first, det(id, 96000, ""))
			}
			for id := int64(2); id <= 5500; id += 1000 {
				again = append(again, det(id, 120000, fmt.Sprint("explained ", id)))
			}
			if err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.InsertDeterminations(ctx, first); err != nil {
					return err
				}
				return tx.InsertDeterminations(ctx, again)
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.View(ctx, func(tx *store.Tx) error {
				for _, id := range []int64{1, 2, 1002, 5500} {
					want := det(id, 96000, "")
					if id%1000 == 2 {
						want = det(id, 120000, fmt.Sprint("explained ", id))
					}
					got, err := tx.Determinations(ctx, "341523", id, 2024)
					if err != nil {
						return err
					}
					if len(got) != 1 || got[0] != want {
						t.Errorf("person %d: read %+v, want %+v", id, got, want)
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
