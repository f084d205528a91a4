package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/ui"
)

// TestBusyIs503: a write the database could not do after its retries is
// answered 503 with Retry-After, by the API and by the pages, never 500.
func TestBusyIs503(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := ui.New(app.New(db, app.DefaultConfig(), nil), log, web.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	busy := fmt.Errorf("register: %w", store.ErrBusy)
	for name, serve := range map[string]func(http.ResponseWriter, *http.Request, error){
		"api":  func(w http.ResponseWriter, r *http.Request, err error) { web.ServeError(log, w, r, err) },
		"page": pages.ServeError,
	} {
		w := httptest.NewRecorder()
		serve(w, httptest.NewRequest("POST", "/api/v1/persons", nil), busy)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q; want 503 with Retry-After", name, w.Code, w.Header().Get("Retry-After"))
		}
	}
}
