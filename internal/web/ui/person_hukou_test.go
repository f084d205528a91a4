package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestUIHukouReasons checks that the person page names why each hukou
// spell began in words — 出生, 迁入, 农转非 — and never shows the stored
// code, for the reasons a generated county records besides the ones staff
// pick on the hukou form (征地农转非, 迁移, 其他).
func TestUIHukouReasons(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := store.LoadSynthetic(ctx, ts.DB, synth.Config{County: "341523", Persons: 1500, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	words := map[string]string{"birth": "出生", "move_in": "迁入", "conversion": "农转非"}
	c := ts.Browser().Login("county", "county1234")
	for code, word := range words {
		var id int64
		if err := ts.DB.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT MIN(person_id) FROM hukou_spells WHERE county = ? AND reason = ?`, "341523", code).Scan(&id)
		}); err != nil {
			t.Fatalf("a person whose hukou spell began by %s: %v", code, err)
		}
		c.Get("/persons/341523/"+strconv.FormatInt(id, 10)).Want(200, "<td>"+word+"</td>")
		if strings.Contains(c.Body, "<td>"+code+"</td>") {
			t.Errorf("person %d's page shows the code %q", id, code)
		}
	}
}

// TestUIPagerGaps checks that the paging bar marks the pages it leaves
// out: page 10 of 75 links 1 … 8 9 10 11 12 … 75, never 1 8 or 12 75 side
// by side as if they followed each other.
func TestUIPagerGaps(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := store.LoadSynthetic(ctx, ts.DB, synth.Config{County: "341523", Persons: 1500, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	c := ts.Browser().Login("county", "county1234")
	c.Get("/persons?region=341523&page=10").Want(200, `aria-current="page">10</span>`)
	nav := pagerOf(c.Body)
	if n := strings.Count(nav, `class="gap"`); n != 2 {
		t.Errorf("the paging bar of page 10 has %d gaps, want 2 (before 8 and after 12):\n%s", n, nav)
	}
	c.Get("/persons?region=341523&page=2").Want(200)
	nav = pagerOf(c.Body)
	if n := strings.Count(nav, `class="gap"`); n != 1 {
		t.Errorf("the paging bar of page 2 has %d gaps, want 1 (after 4):\n%s", n, nav)
	}
}

// pagerOf returns the paging bar of a page ("" when it has none).
func pagerOf(body string) string {
	i := strings.Index(body, `<nav class="pager"`)
	if i < 0 {
		return ""
	}
	nav := body[i:]
	return nav[:strings.Index(nav, "</nav>")+len("</nav>")]
}
