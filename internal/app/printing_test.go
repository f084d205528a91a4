package app_test

import (
	"reflect"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestCycleLetters: the bulk print reads, for every person of a cycle (or
// of a township), the very letter LetterContent gives for the person
// alone; a person whose line was cancelled gets none; the read is audited
// as one bulk read; a township of another county and a finance officer
// of another county are refused.
func TestCycleLetters(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			e := newPayEnv(t, db)
			ctx := e.ctx
			cycle, persons := webtest.LetterSeed(t, db, 24)
			all, err := e.a.CycleLetters(ctx, finance, "341523", cycle, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 23 {
				t.Fatalf("%d letters, want 23 (one person's line is cancelled)", len(all))
			}
			byNo := map[string]int{}
			for i, l := range all {
				byNo[l.No] = i
			}
			for i, p := range persons {
				one, err := e.a.LetterContent(ctx, finance, "341523", cycle, p)
				if err != nil {
					t.Fatal(err)
				}
				j, ok := byNo[one.No]
				if i == 3 {
					if ok || len(one.Rows) != 0 {
						t.Errorf("the cancelled person has a letter: %+v", one)
					}
					continue
				}
				if !ok || !reflect.DeepEqual(all[j], *one) {
					t.Errorf("person %d: bulk letter %+v, alone %+v", p, all[min(j, len(all)-1)], one)
				}
			}
			if all[0].Total != "960.00" || all[0].PaidOn != "2024-06-30" || all[0].Account == "" || all[0].Bank != "中国农业银行" {
				t.Errorf("first letter %+v", all[0])
			}
			// 城关镇's persons only: three villages of four.
			town, err := e.a.CycleLetters(ctx, finance, "341523", cycle, "341523100000")
			if err != nil || len(town) != 18 {
				t.Fatalf("城关镇: %d letters, %v; want 18", len(town), err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.letters.print'`); n != 2 {
				t.Errorf("%d bulk reads audited, want 2", n)
			}
			if _, err := e.a.CycleLetters(ctx, finance, "341523", cycle, "341522100000"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("another county's township: %v", err)
			}
			if _, err := e.a.CycleLetters(ctx, neighbour, "341523", cycle, ""); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("another county's finance: %v", err)
			}
			if _, err := e.a.CycleLetters(ctx, villager, "341523", cycle, ""); !app.IsRefusal(err) {
				t.Errorf("the village: %v", err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.letters.print'`); n != 2 {
				t.Errorf("%d bulk reads audited after the refusals, want 2", n)
			}
		})
	}
}
