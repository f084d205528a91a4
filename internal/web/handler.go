// Package web serves Jiahe over HTTP: the JSON API under /api/v1 with its
// OpenAPI document, /healthz and /metrics. Every handler returns an error,
// which one adapter (serveError) turns into a status and a message in
// Chinese or English.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"

	"github.com/jiahe-project/jiahe/internal/region"
)

// Config is the server's configuration: what is HTTP's. Passwords and
// sessions are the use-case layer's (app.Config).
type Config struct {
	// SecureCookies marks the session cookie Secure even when the request
	// did not arrive over TLS (behind a TLS-terminating proxy).
	SecureCookies bool
	// ShutdownTimeout is how long Serve waits for requests in flight.
	ShutdownTimeout time.Duration
}

// DefaultConfig is the production configuration.
func DefaultConfig() Config {
	return Config{ShutdownTimeout: 10 * time.Second}
}

// Handler holds what every request needs. Handlers are its methods.
type Handler struct {
	app     *app.App
	log     *slog.Logger
	now     func() time.Time
	cfg     Config
	tree    *region.Tree
	metrics *metrics
	// ui holds the staff pages' templates, static files and translations.
	ui *ui
}

// New returns a Handler serving the use cases of a.
func New(a *app.App, logger *slog.Logger, cfg Config) (*Handler, error) {
	h := &Handler{app: a, log: logger, now: a.Now, cfg: cfg, tree: a.Tree()}
	h.metrics = newMetrics(a.PoolStats)
	var err error
	if h.ui, err = newUI(h.tree); err != nil {
		return nil, err
	}
	return h, nil
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting connections and waits up to cfg.ShutdownTimeout for
// requests in flight. It also removes expired sessions every ten minutes.
func (h *Handler) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           h.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // exports of a large county take a while
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return err
		case <-tick.C:
			h.sweepSessions(ctx)
		case <-ctx.Done():
			h.log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), h.cfg.ShutdownTimeout)
			defer cancel()
			err := srv.Shutdown(sctx)
			if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
				err = serr
			}
			return err
		}
	}
}

func (h *Handler) sweepSessions(ctx context.Context) {
	if _, err := h.app.SweepSessions(ctx); err != nil && ctx.Err() == nil {
		h.log.Error("sweep sessions", "err", err)
	}
}
