package web

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

//go:embed openapi.json
var openAPIDoc []byte

// healthz reports whether the database answers.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.app.Ping(ctx); err != nil {
		h.log.Error("healthz: database unreachable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": h.app.Engine()})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": h.app.Engine()})
	return nil
}

func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	h.metrics.handler.ServeHTTP(w, r)
	return nil
}

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
	return nil
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return apperr.NotFoundf("没有这个页面或接口：%s", "no such page or endpoint: %s", r.URL.Path)
}
