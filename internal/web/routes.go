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

		{"POST /api/v1/persons", signedIn, h.registerPerson},
		{"GET /api/v1/persons", signedIn, h.searchPersons},
		{"GET /api/v1/persons/{county}/{id}", signedIn, h.getPerson},
		{"PATCH /api/v1/persons/{county}/{id}", signedIn, h.updatePerson},
		{"GET /api/v1/persons/{county}/{id}/family", signedIn, h.personFamily},
		{"GET /api/v1/persons/{county}/{id}/history", signedIn, h.personHistory},
		{"POST /api/v1/persons/{county}/{id}/death", signedIn, h.recordDeath},
		{"POST /api/v1/persons/{county}/{id}/hukou", signedIn, h.changeHukou},
		{"POST /api/v1/persons/{county}/{id}/marriages", signedIn, h.addMarriage},
		{"POST /api/v1/marriages/{county}/{id}/end", signedIn, h.endMarriage},
		{"POST /api/v1/persons/{county}/{id}/children", signedIn, h.addChild},
		{"POST /api/v1/persons/{county}/{id}/disabilities", signedIn, h.addDisability},
		{"POST /api/v1/persons/{county}/{id}/certificates", signedIn, h.addCertificate},
		{"POST /api/v1/persons/{county}/{id}/certificates/{cid}/cancel", signedIn, h.cancelCertificate},
		{"POST /api/v1/persons/{county}/{id}/complications", signedIn, h.addComplication},
		{"POST /api/v1/persons/{county}/{id}/retirements", signedIn, h.addRetirement},
		{"POST /api/v1/import/persons", signedIn, h.importPersons},
		{"GET /api/v1/export/persons", signedIn, h.exportPersons},

		{"POST /api/v1/cases", signedIn, h.applyCase},
		{"GET /api/v1/cases", signedIn, h.listCases},
		{"GET /api/v1/cases/{county}/{id}", signedIn, h.getCase},
		{"POST /api/v1/cases/{county}/{id}/survey", signedIn, h.surveyCase},
		{"POST /api/v1/cases/{county}/{id}/village-review", signedIn, h.villageReviewCase},
		{"POST /api/v1/cases/{county}/{id}/notices", signedIn, h.openCaseNotice},
		{"POST /api/v1/cases/{county}/{id}/notices/{n}/objections", signedIn, h.objectCaseNotice},
		{"POST /api/v1/cases/{county}/{id}/notices/{n}/close", signedIn, h.closeCaseNotice},
		{"POST /api/v1/cases/{county}/{id}/objections/{o}/resolve", signedIn, h.resolveCaseObjection},
		{"POST /api/v1/cases/{county}/{id}/township-review", signedIn, h.townshipReviewCase},
		{"POST /api/v1/cases/{county}/{id}/county-approval", signedIn, h.countyApproveCase},
		{"POST /api/v1/cases/{county}/{id}/withdraw", signedIn, h.withdrawCase},
		{"POST /api/v1/cases/{county}/{id}/accept", signedIn, h.acceptCase},
		{"POST /api/v1/cases/{county}/{id}/return", signedIn, h.returnCase},
		{"GET /api/v1/self", signedIn, h.getSelf},
		{"POST /api/v1/self/applications", signedIn, h.selfApply},
		{"GET /api/v1/cases/{county}/{id}/documents/{kind}", signedIn, h.caseDocument},
		{"GET /api/v1/roll", signedIn, h.listRoll},
		{"POST /api/v1/annual-review", signedIn, h.runAnnualReview},
		{"POST /api/v1/persons/{county}/{id}/events", signedIn, h.applyPersonEvent},
		{"GET /api/v1/overrides", signedIn, h.listOverrides},

		{"GET /api/v1/banks", signedIn, h.listBanks},
		{"GET /api/v1/persons/{county}/{id}/account", signedIn, h.getAccount},
		{"PUT /api/v1/persons/{county}/{id}/account", signedIn, h.putAccount},
		{"POST /api/v1/persons/{county}/{id}/payment-hold", signedIn, h.holdPayment},
		{"GET /api/v1/payment-params/{county}", signedIn, h.getPaymentParams},
		{"PUT /api/v1/payment-params/{county}", signedIn, h.putPaymentParams},
		{"POST /api/v1/payment-cycles", signedIn, h.createCycle},
		{"GET /api/v1/payment-cycles", signedIn, h.listCycles},
		{"GET /api/v1/payment-cycles/{county}/{id}", signedIn, h.getCycle},
		{"GET /api/v1/payment-cycles/{county}/{id}/consistency", signedIn, h.cycleConsistency},
		{"GET /api/v1/payment-cycles/{county}/{id}/letters/{person}", signedIn, h.cycleLetter},
		{"POST /api/v1/payment-cycles/{county}/{id}/supplement", signedIn, h.supplementCycle},
		{"POST /api/v1/payment-cycles/{county}/{id}/batches", signedIn, h.createBatches},
		{"GET /api/v1/batches", signedIn, h.listBatches},
		{"GET /api/v1/batches/{county}/{id}", signedIn, h.getBatch},
		{"POST /api/v1/batches/{county}/{id}/approve", signedIn, h.approveBatch},
		{"GET /api/v1/batches/{county}/{id}/file", signedIn, h.batchFile},
		{"POST /api/v1/batches/{county}/{id}/returns", signedIn, h.batchReturns},
		{"GET /api/v1/retries", signedIn, h.listRetries},
		{"POST /api/v1/retries/{county}/batches", signedIn, h.createRetryBatches},
		{"POST /api/v1/payment-lines/{county}/{id}/verify", signedIn, h.verifyLine},
		{"GET /api/v1/ledger", signedIn, h.getLedger},

		{"GET /api/v1/policy/programs", signedIn, h.policyPrograms},
		{"GET /api/v1/policy/layers", signedIn, h.policyLayers},
		{"POST /api/v1/policy/layers", signedIn, h.createPolicyLayer},
		{"POST /api/v1/policy/check", signedIn, h.policyCheck},
		{"POST /api/v1/policy/impact", signedIn, h.policyImpact},
		{"GET /api/v1/persons/{county}/{id}/decisions", signedIn, h.personDecisions},
		{"GET /api/v1/determinations", signedIn, h.listDeterminations},
	}
}

// Routes returns the whole HTTP handler: request logging and metrics
// around cross-origin protection (CSRF) around the mux.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.adapt(rt))
	}
	h.mountUI(mux)
	mux.Handle("/", h.adapt(route{access: public, fn: h.notFound}))
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serveError(w, r, errCrossOrigin)
	}))
	return h.observe(csrf.Handler(mux))
}
