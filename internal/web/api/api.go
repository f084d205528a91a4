// Package api is Jiahe's JSON API under /api/v1, described by the OpenAPI
// document it serves at /api/openapi.json. Every handler reads its input,
// makes one call to the use-case layer (internal/app), which checks the
// permission and the region scope and audits a refusal, and writes the
// answer; an error is written as {"error": {...}} with the status of its
// kind (web.ServeError).
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// Handler holds what every request of the API needs. Handlers are its
// methods.
type Handler struct {
	app  *app.App
	log  *slog.Logger
	now  func() time.Time
	cfg  web.Config
	tree *region.Tree
}

// New returns the API over the use cases of a.
func New(a *app.App, logger *slog.Logger, cfg web.Config) *Handler {
	return &Handler{app: a, log: logger, now: a.Now, cfg: cfg, tree: a.Tree()}
}

// Routes is the API's route table, one route per line. The OpenAPI test
// checks it against the document, both ways; the access test checks every
// route for every role.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Public("GET /api/openapi.json", h.openAPI),

		web.Public("POST /api/v1/login", h.login),
		web.Public("POST /api/v1/logout", h.logout),
		web.SignedIn("GET /api/v1/me", h.me),
		web.SignedIn("POST /api/v1/me/password", h.changeOwnPassword),

		web.SignedIn("GET /api/v1/users", h.listUsers),
		web.SignedIn("POST /api/v1/users", h.createUser),
		web.SignedIn("GET /api/v1/users/{id}", h.getUser),
		web.SignedIn("POST /api/v1/users/{id}/disable", h.disableUser),
		web.SignedIn("POST /api/v1/users/{id}/enable", h.enableUser),
		web.SignedIn("POST /api/v1/users/{id}/password", h.resetPassword),

		web.SignedIn("GET /api/v1/regions", h.searchRegions),
		web.SignedIn("GET /api/v1/regions/{code}", h.getRegion),
		web.SignedIn("GET /api/v1/regions/{code}/children", h.regionChildren),
		web.SignedIn("GET /api/v1/regions/{code}/ancestors", h.regionAncestors),

		web.SignedIn("POST /api/v1/idcard/validate", h.validateIDCard),

		web.SignedIn("GET /api/v1/audit", h.listAudit),
		web.SignedIn("GET /api/v1/audit/verify", h.verifyAudit),

		web.SignedIn("POST /api/v1/persons", h.registerPerson),
		web.SignedIn("GET /api/v1/persons", h.searchPersons),
		web.SignedIn("GET /api/v1/persons/{county}/{id}", h.getPerson),
		web.SignedIn("PATCH /api/v1/persons/{county}/{id}", h.updatePerson),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/family", h.personFamily),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/history", h.personHistory),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/death", h.recordDeath),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/hukou", h.changeHukou),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/marriages", h.addMarriage),
		web.SignedIn("POST /api/v1/marriages/{county}/{id}/end", h.endMarriage),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/children", h.addChild),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/disabilities", h.addDisability),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/certificates", h.addCertificate),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/certificates/{cid}/cancel", h.cancelCertificate),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/complications", h.addComplication),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/retirements", h.addRetirement),
		web.SignedIn("POST /api/v1/import/persons", h.importPersons),
		web.SignedIn("GET /api/v1/export/persons", h.exportPersons),

		web.SignedIn("POST /api/v1/cases", h.applyCase),
		web.SignedIn("GET /api/v1/cases", h.listCases),
		web.SignedIn("GET /api/v1/cases/{county}/{id}", h.getCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/survey", h.surveyCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/village-review", h.villageReviewCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/notices", h.openCaseNotice),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/notices/{n}/objections", h.objectCaseNotice),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/notices/{n}/close", h.closeCaseNotice),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/objections/{o}/resolve", h.resolveCaseObjection),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/township-review", h.townshipReviewCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/county-approval", h.countyApproveCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/withdraw", h.withdrawCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/accept", h.acceptCase),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/return", h.returnCase),
		web.SignedIn("GET /api/v1/self", h.getSelf),
		web.SignedIn("POST /api/v1/self/applications", h.selfApply),
		web.SignedIn("GET /api/v1/cases/{county}/{id}/documents/{kind}", h.caseDocument),
		web.SignedIn("GET /api/v1/notice-lists", h.noticeLists),
		web.SignedIn("GET /api/v1/roll", h.listRoll),
		web.SignedIn("POST /api/v1/annual-review", h.runAnnualReview),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/events", h.applyPersonEvent),
		web.SignedIn("GET /api/v1/overrides", h.listOverrides),

		web.SignedIn("GET /api/v1/banks", h.listBanks),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/account", h.getAccount),
		web.SignedIn("PUT /api/v1/persons/{county}/{id}/account", h.putAccount),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/payment-hold", h.holdPayment),
		web.SignedIn("GET /api/v1/payment-params/{county}", h.getPaymentParams),
		web.SignedIn("PUT /api/v1/payment-params/{county}", h.putPaymentParams),
		web.SignedIn("POST /api/v1/payment-cycles", h.createCycle),
		web.SignedIn("GET /api/v1/payment-cycles", h.listCycles),
		web.SignedIn("GET /api/v1/payment-cycles/{county}/{id}", h.getCycle),
		web.SignedIn("GET /api/v1/payment-cycles/{county}/{id}/consistency", h.cycleConsistency),
		web.SignedIn("GET /api/v1/payment-cycles/{county}/{id}/letters/{person}", h.cycleLetter),
		web.SignedIn("GET /api/v1/payment-cycles/{county}/{id}/letters", h.cycleLetters),
		web.SignedIn("POST /api/v1/payment-cycles/{county}/{id}/supplement", h.supplementCycle),
		web.SignedIn("POST /api/v1/payment-cycles/{county}/{id}/batches", h.createBatches),
		web.SignedIn("GET /api/v1/batches", h.listBatches),
		web.SignedIn("GET /api/v1/batches/{county}/{id}", h.getBatch),
		web.SignedIn("POST /api/v1/batches/{county}/{id}/approve", h.approveBatch),
		web.SignedIn("POST /api/v1/batches/{county}/{id}/recall", h.recallBatch),
		web.SignedIn("GET /api/v1/batches/{county}/{id}/file", h.batchFile),
		web.SignedIn("GET /api/v1/bank-templates/{county}", h.listBankTemplates),
		web.SignedIn("PUT /api/v1/bank-templates/{county}/{bank}", h.putBankTemplate),
		web.SignedIn("DELETE /api/v1/bank-templates/{county}/{bank}", h.deleteBankTemplate),
		web.SignedIn("POST /api/v1/batches/{county}/{id}/returns", h.batchReturns),
		web.SignedIn("GET /api/v1/retries", h.listRetries),
		web.SignedIn("POST /api/v1/retries/{county}/batches", h.createRetryBatches),
		web.SignedIn("POST /api/v1/payment-lines/{county}/{id}/verify", h.verifyLine),
		web.SignedIn("GET /api/v1/ledger", h.getLedger),

		web.SignedIn("GET /api/v1/reports/{region}/{month}", h.getReport),
		web.SignedIn("GET /api/v1/reports/{region}/{month}/persons", h.reportPersons),
		web.SignedIn("POST /api/v1/reports/{region}/{month}/{step}", h.reportStep),
		web.SignedIn("GET /api/v1/reports/{region}/revisions", h.reportRevisions),
		web.SignedIn("GET /api/v1/quality/{region}/{quarter}", h.getQuality),
		web.SignedIn("GET /api/v1/quality/{region}/{quarter}/persons", h.qualityPersons),
		web.SignedIn("GET /api/v1/supervision/{region}/{year}", h.getSupervision),
		web.SignedIn("GET /api/v1/pyramid/{region}", h.getPyramid),

		web.SignedIn("GET /api/v1/policy/programs", h.policyPrograms),
		web.SignedIn("GET /api/v1/policy/layers", h.policyLayers),
		web.SignedIn("POST /api/v1/policy/layers", h.createPolicyLayer),
		web.SignedIn("POST /api/v1/policy/check", h.policyCheck),
		web.SignedIn("POST /api/v1/policy/impact", h.policyImpact),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/decisions", h.personDecisions),
		web.SignedIn("GET /api/v1/determinations", h.listDeterminations),
	}
}

// Mount adds the API's routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Pattern, h.adapt(rt))
	}
}

// adapt turns a route's error-returning function into an http.Handler:
// for signed-in routes it resolves the session into an actor first; any
// error is written as JSON (web.ServeError).
func (h *Handler) adapt(rt web.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Access == web.AccessSignedIn {
			a, err := web.Authenticate(h.app, r)
			if err != nil {
				web.ServeError(h.log, w, r, err)
				return
			}
			r = web.WithActor(r, a)
		}
		r = web.WithDoor(r, "api", rt.Pattern)
		if err := rt.Fn(w, r); err != nil {
			web.ServeError(h.log, w, r, err)
		}
	})
}
