package zz

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
)

func TestTime(t *testing.T) {
	url := os.Getenv("ZZDB")
	ring, err := keys.Load(os.Getenv("ZZKEYS"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.WithKeys(ring))
	if err != nil {
		t.Fatal(err)
	}
	reg := region.Code(os.Getenv("ZZREG"))
	for i := 0; i < 2; i++ {
		db.View(ctx, func(tx *store.Tx) error {
			s := time.Now()
			_, err := tx.Facts(ctx, reg, stats.Month{2025, 6}, true)
			t.Logf("facts %v %v", time.Since(s), err)
			s = time.Now()
			_, err = tx.ReportHistory(ctx, string(reg), stats.Month{2024, 6}, stats.Month{2025, 5})
			t.Logf("history %v %v", time.Since(s), err)
			s = time.Now()
			v, err := tx.Param(ctx, reg, "x")
			t.Logf("param %v %v %v", time.Since(s), v, err)
			return nil
		})
	}
}
