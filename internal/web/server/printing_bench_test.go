package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/server"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// BenchmarkCycleLetters2000 asks the API for the letters of a township of
// 2,000 recipients as one PDF (GET /api/v1/payment-cycles/{county}/{id}/
// letters?township=), as the finance officer's browser does: the read of
// every letter's data in one transaction and its audit entry ("read"),
// and the whole route with the PDF laid out and sent ("route").
func BenchmarkCycleLetters2000(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			cfg := app.DefaultConfig()
			cfg.Password = auth.TestParams
			a := app.New(db, cfg, nil)
			s, err := server.New(a, slog.New(slog.DiscardHandler), web.DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			built, err := auth.NewUser{Username: "finance", Name: "财政", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"}.
				Build(region.Default(), auth.TestParams)
			if err != nil {
				b.Fatal(err)
			}
			var who auth.Actor
			if err := db.Update(context.Background(), func(tx *store.Tx) error {
				u, err := auth.CreateUser(context.Background(), tx, auth.System, built)
				who = auth.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, Scope: u.Region}
				return err
			}); err != nil {
				b.Fatal(err)
			}
			// 2,666 persons over four villages: 2,000 of them in 城关镇.
			cycle, _ := webtest.LetterSeed(b, db, 2666)
			const township = "341523100000"

			b.Run("read", func(b *testing.B) {
				for b.Loop() {
					ls, err := a.CycleLetters(context.Background(), who, "341523", cycle, township)
					if err != nil || len(ls) != 2000 {
						b.Fatalf("%d letters: %v", len(ls), err)
					}
				}
			})
			b.Run("route", func(b *testing.B) {
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar}
				login, _ := json.Marshal(map[string]string{"username": "finance", "password": "finance1234"})
				resp, err := c.Post(srv.URL+"/api/v1/login", "application/json", bytes.NewReader(login))
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("login: %v %v", resp, err)
				}
				resp.Body.Close()
				path := fmt.Sprintf("%s/api/v1/payment-cycles/341523/%d/letters?township=%s", srv.URL, cycle, township)
				var size int64
				for b.Loop() {
					resp, err := c.Get(path)
					if err != nil {
						b.Fatal(err)
					}
					size, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
						b.Fatalf("%d %s: %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
					}
				}
				b.ReportMetric(float64(size)/(1<<20), "MiB")
			})
		})
	}
}
