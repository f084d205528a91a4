package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
)

// Routes is the server's own route table: what is neither the API's nor
// the pages'. The OpenAPI document describes it with the API's.
func (s *Server) Routes() []web.Route {
	return []web.Route{
		web.Public("GET /healthz", s.healthz),
		web.Public("GET /metrics", s.serveMetrics),
	}
}

// Doors returns the route tables of the two doors, by door: "api" and
// "ui".
func (s *Server) Doors() map[string][]web.Route {
	return map[string][]web.Route{"api": s.api.Routes(), "ui": s.ui.Routes()}
}

// errCrossOrigin answers a write from another site.
var errCrossOrigin = apperr.New(apperr.Forbidden, "拒绝跨站请求", "cross-origin request refused")

// Handler returns the whole HTTP handler: request logging and metrics
// around cross-origin protection (CSRF) around the mux, on which the
// server's routes, the API's and the pages' are mounted, and the answer
// to what none of them serves.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, s.adapt(rt))
	}
	s.api.Mount(mux)
	s.ui.Mount(mux)
	mux.HandleFunc("GET /{path...}", s.notFound)
	mux.HandleFunc("/", s.notFound)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.ServeError(s.log, w, r, errCrossOrigin)
	}))
	return web.Observe(s.log, s.metrics, csrf.Handler(mux))
}

// adapt serves one of the server's public routes, an error as JSON.
func (s *Server) adapt(rt web.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Fn(w, r); err != nil {
			web.ServeError(s.log, w, r, err)
		}
	})
}

// notFound answers paths nothing else serves: a page for a browser's GET
// outside the API, the JSON error for the API and other clients.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html") {
		s.ui.ServeError(w, r, apperr.NotFoundf("没有这个页面：%s", "no such page: %s", r.URL.Path))
		return
	}
	web.ServeError(s.log, w, r, apperr.NotFoundf("没有这个页面或接口：%s", "no such page or endpoint: %s", r.URL.Path))
}

// healthz reports whether the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Ping(ctx); err != nil {
		s.log.Error("healthz: database unreachable", "err", err)
		web.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": s.app.Engine()})
		return nil
	}
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": s.app.Engine()})
	return nil
}

// serveMetrics answers a scrape of the metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.ServeHTTP(w, r)
	return nil
}
