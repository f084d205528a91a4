// Package server serves Jiahe over HTTP: it mounts the JSON API (package
// web/api) and the staff pages (package web/ui) on one mux, beside
// /healthz and /metrics, answers what neither serves, refuses cross-origin
// writes, and logs and measures every request (web.Observe).
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/api"
	"github.com/jiahe-project/jiahe/internal/web/ui"
)

// Server is the HTTP server over one use-case layer.
type Server struct {
	app     *app.App
	log     *slog.Logger
	cfg     web.Config
	metrics *web.Metrics
	api     *api.Handler
	ui      *ui.Handler
}

// New returns the server of the use cases of a. It parses the pages'
// templates: a broken one is an error here.
func New(a *app.App, logger *slog.Logger, cfg web.Config) (*Server, error) {
	s := &Server{app: a, log: logger, cfg: cfg, metrics: web.NewMetrics(a.PoolStats), api: api.New(a, logger, cfg)}
	var err error
	if s.ui, err = ui.New(a, logger, cfg); err != nil {
		return nil, err
	}
	s.api.PrintReport = s.ui.PrintReport
	return s, nil
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting connections and waits up to cfg.ShutdownTimeout for
// requests in flight. It also removes expired sessions and escalates the
// complaints past their deadline every ten minutes.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // exports of a large county take a while
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
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
			s.sweepSessions(ctx)
			s.escalateComplaints(ctx)
		case <-ctx.Done():
			s.log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
			defer cancel()
			err := srv.Shutdown(sctx)
			if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
				err = serr
			}
			return err
		}
	}
}

// escalateComplaints escalates the complaints, enquiries and petitions
// not answered by their deadline to the level above (once each).
func (s *Server) escalateComplaints(ctx context.Context) {
	if _, err := s.app.EscalateComplaints(ctx, auth.System); err != nil && ctx.Err() == nil {
		s.log.Error("escalate complaints", "err", err)
	}
}

func (s *Server) sweepSessions(ctx context.Context) {
	if _, err := s.app.SweepSessions(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("sweep sessions", "err", err)
	}
}
