package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
			policy := auth.SessionPolicy{Absolute: 8 * time.Hour, Idle: 30 * time.Minute}
			u := newUser(t, "village", auth.RoleVillage, "341523100001")
			tok, hash, err := auth.NewSessionToken()
			if err != nil {
				t.Fatal(err)
			}
			_, hash2, _ := auth.NewSessionToken()
			err = db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.CreateUser(ctx, &u); err != nil {
					return err
				}
				for _, h := range []string{hash, hash2} {
					if err := tx.CreateSession(ctx, auth.Session{TokenHash: h, UserID: u.ID, CreatedAt: t0,
						ExpiresAt: policy.Expiry(t0, t0), UserAgent: "test"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			get := func(h string) (auth.Session, auth.User, error) {
				var s auth.Session
				var su auth.User
				err := db.View(ctx, func(tx *store.Tx) error {
					var err error
					s, su, err = tx.Session(ctx, h)
					return err
				})
				return s, su, err
			}
			s, su, err := get(auth.HashToken(tok))
			if err != nil {
				t.Fatal(err)
			}
			if su.ID != u.ID || su.Username != "village" || !s.CreatedAt.Equal(t0) || !s.ExpiresAt.Equal(t0.Add(30*time.Minute)) || s.UserAgent != "test" {
				t.Errorf("Session = %+v, %+v; want the stored session of user %d", s, su, u.ID)
			}
			if _, _, err := get(tok); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("Session(raw token) err = %v, want Unauthenticated: only hashes are stored", err)
			}
			later := t0.Add(20 * time.Minute)
			err = db.Update(ctx, func(tx *store.Tx) error {
				return tx.TouchSession(ctx, hash, policy.Expiry(s.CreatedAt, later))
			})
			if err != nil {
				t.Fatal(err)
			}
			s, _, _ = get(hash)
			if !s.ExpiresAt.Equal(t0.Add(50 * time.Minute)) {
				t.Errorf("ExpiresAt after touch = %v, want %v", s.ExpiresAt, t0.Add(50*time.Minute))
			}
			// hash2 expired at 08:30; hash lives until 08:50.
			var n int64
			err = db.Update(ctx, func(tx *store.Tx) error {
				n, err = tx.DeleteExpiredSessions(ctx, t0.Add(40*time.Minute))
				return err
			})
			if err != nil || n != 1 {
				t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
			}
			if _, _, err := get(hash2); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("expired session still there: %v", err)
			}
			err = db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, hash) })
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := get(hash); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("session after sign-out: err = %v, want Unauthenticated", err)
			}
		})
	}
}
