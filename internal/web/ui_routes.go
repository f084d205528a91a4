package web

import "net/http"

// uiRoutes is the table of the staff UI's pages. It is kept apart from
// routes(), the API table that the OpenAPI document describes.
func (h *Handler) uiRoutes() []route {
	return []route{
		{"GET /static/{name}", public, h.serveStatic},
		{"GET /login", public, h.loginPage},
		{"POST /login", public, h.loginSubmit},
		{"POST /logout", public, h.logoutSubmit},

		{"GET /{$}", signedIn, h.homePage},

		{"GET /persons", signedIn, h.personsPage},
		{"GET /persons/export.xlsx", signedIn, h.personsExport},
		{"GET /persons/import", signedIn, h.importPage},
		{"POST /persons/import", signedIn, h.importSubmit},
		{"GET /persons/new", signedIn, h.personNewPage},
		{"POST /persons/new", signedIn, h.personNewSubmit},
		{"GET /persons/{county}/{id}", signedIn, h.personPage},
		{"GET /persons/{county}/{id}/{event}", signedIn, h.eventPage},
		{"POST /persons/{county}/{id}/{event}", signedIn, h.eventSubmit},

		{"GET /cases", signedIn, h.casesPage},
		{"GET /self", signedIn, h.selfPage},
		{"POST /self", signedIn, h.selfSubmit},
		{"GET /cases/export.xlsx", signedIn, h.casesExport},
		{"GET /persons/{county}/{id}/apply", signedIn, h.applyPage},
		{"POST /persons/{county}/{id}/apply", signedIn, h.applySubmit},
		{"GET /cases/{county}/{id}", signedIn, h.casePage},
		{"POST /cases/{county}/{id}/{step}", signedIn, h.caseStepSubmit},
		{"GET /cases/{county}/{id}/notices/{nid}", signedIn, h.noticePrint},
		{"GET /cases/{county}/{id}/notices/{nid}/export.xlsx", signedIn, h.noticeExport},

		{"GET /notices", signedIn, h.noticesPage},
		{"GET /roll", signedIn, h.rollPage},
		{"GET /roll/export.xlsx", signedIn, h.rollExport},
		{"GET /roll/annual-review", signedIn, h.annualReviewPage},
		{"POST /roll/annual-review", signedIn, h.annualReviewSubmit},
		{"GET /roll/annual-review/{county}/{id}", signedIn, h.annualReviewRunPage},
		{"GET /roll/annual-review/{county}/{id}/export.xlsx", signedIn, h.annualReviewExport},
		{"GET /persons/{county}/{id}/roll-event", signedIn, h.rollEventPage},
		{"POST /persons/{county}/{id}/roll-event", signedIn, h.rollEventSubmit},

		{"GET /payments", signedIn, h.paymentsPage},
		{"POST /payments/cycles", signedIn, h.cycleCreateSubmit},
		{"GET /payments/cycles/{county}/{id}", signedIn, h.cyclePage},
		{"GET /payments/cycles/{county}/{id}/export.xlsx", signedIn, h.cycleExport},
		{"POST /payments/cycles/{county}/{id}/supplement", signedIn, h.cycleSupplementSubmit},
		{"POST /payments/cycles/{county}/{id}/batches", signedIn, h.batchesCreateSubmit},
		{"GET /payments/cycles/{county}/{id}/consistency", signedIn, h.consistencyPage},
		{"GET /payments/cycles/{county}/{id}/letters/{person}", signedIn, h.letterPage},
		{"POST /payments/lines/{county}/{id}/verify", signedIn, h.lineVerifySubmit},
		{"GET /payments/batches", signedIn, h.batchesPage},
		{"GET /payments/batches/{county}/{id}", signedIn, h.batchPage},
		{"POST /payments/batches/{county}/{id}/approve", signedIn, h.batchApproveSubmit},
		{"GET /payments/batches/{county}/{id}/file", signedIn, h.batchFileDownload},
		{"POST /payments/batches/{county}/{id}/returns", signedIn, h.batchReturnsSubmit},
		{"GET /payments/retries", signedIn, h.retriesPage},
		{"POST /payments/retries", signedIn, h.retriesSubmit},
		{"GET /payments/ledger", signedIn, h.ledgerPage},
		{"GET /payments/ledger/export.xlsx", signedIn, h.ledgerExport},
		{"GET /persons/{county}/{id}/account", signedIn, h.accountPage},
		{"POST /persons/{county}/{id}/account", signedIn, h.accountSubmit},

		{"GET /audit", signedIn, h.auditPage},
		{"GET /overrides", signedIn, h.overridesPage},
		{"GET /audit/export.xlsx", signedIn, h.auditTrailExport},
		{"GET /rules", signedIn, h.rulesPage},
		{"POST /rules", signedIn, h.rulesSubmit},
		{"GET /users", signedIn, h.usersPage},
		{"GET /users/new", signedIn, h.userNewPage},
		{"POST /users/new", signedIn, h.userNewSubmit},
		{"POST /users/{id}/{action}", signedIn, h.userActionSubmit},
		{"POST /users/{id}/password", signedIn, h.userPasswordSubmit},

		{"GET /{path...}", public, h.pageNotFound},
	}
}

// mountUI adds the UI's pages to mux.
func (h *Handler) mountUI(mux *http.ServeMux) {
	for _, rt := range h.uiRoutes() {
		mux.Handle(rt.pattern, h.adaptPage(rt))
	}
}
