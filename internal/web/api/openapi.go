package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI document of the API (and of the server's
// /healthz and /metrics).
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI document.
func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
	return nil
}
