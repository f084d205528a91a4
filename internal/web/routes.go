package web

import (
	"net/http"
)

// access says who may call a route.
type access int

const (
	public   access = iota // anyone
	signedIn               // a valid session; the actor is in the context
)

// route is one entry of the route table. The OpenAPI test checks the
// table against the document, both ways.
type route struct {
	pattern string
	access  access
	fn      func(w http.ResponseWriter, r *http.Request) error
}

// routes is the table of every route Jiahe serves.
func (h *Handler) routes() []route {
	return []route{
		{"GET /healthz", public, h.healthz},
		{"GET /metrics", public, h.serveMetrics},
		{"GET /api/openapi.json", public, h.openAPI},

		{"POST /api/v1/login", public, h.login},
		{"POST /api/v1/logout", public, h.logout},
		{"GET /api/v1/me", signedIn, h.me},
		{"POST /api/v1/me/password", signedIn, h.changeOwnPassword},

		{"GET /api/v1/users", signedIn, h.listUsers},
		{"POST /api/v1/users", signedIn, h.createUser},
		{"GET /api/v1/users/{id}", signedIn, h.getUser},
		{"POST /api/v1/users/{id}/disable", signedIn, h.disableUser},
		{"POST /api/v1/users/{id}/enable", signedIn, h.enableUser},
		{"POST /api/v1/users/{id}/password", signedIn, h.resetPassword},

		{"GET /api/v1/regions", signedIn, h.searchRegions},
		{"GET /api/v1/regions/{code}", signedIn, h.getRegion},
		{"GET /api/v1/regions/{code}/children", signedIn, h.regionChildren},
		{"GET /api/v1/regions/{code}/ancestors", signedIn, h.regionAncestors},

		{"POST /api/v1/idcard/validate", signedIn, h.validateIDCard},

		{"GET /api/v1/audit", signedIn, h.listAudit},
		{"GET /api/v1/audit/verify", signedIn, h.verifyAudit},
	}
}

// Routes returns the whole HTTP handler: request logging and metrics
// around cross-origin protection (CSRF) around the mux.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.adapt(rt))
	}
	mux.Handle("/", h.adapt(route{access: public, fn: h.notFound}))
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serveError(w, r, errCrossOrigin)
	}))
	return h.observe(csrf.Handler(mux))
}
