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
	// PrintReport sends a monthly report as the printed PDF, made as the
	// pages make it (the server sets it).
	PrintReport func(w http.ResponseWriter, r *http.Request, reg, month string) error
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
		web.SignedIn("GET /api/v1/inperson-review", h.inPersonProgress),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/inperson-review", h.getInPerson),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/inperson-review", h.recordInPerson),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/attachments", h.personAttachments),
		web.SignedIn("GET /api/v1/attachments/{county}/{id}", h.getAttachment),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/attachments", h.addPersonAttachment),
		web.SignedIn("GET /api/v1/cases/{county}/{id}/attachments", h.caseAttachments),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/attachments", h.addCaseAttachment),
		web.SignedIn("GET /api/v1/cases/{county}/{id}/case-file", h.caseFile),
		web.SignedIn("GET /api/v1/attachment-retention/{county}", h.getRetention),
		web.SignedIn("PUT /api/v1/attachment-retention/{county}", h.putRetention),
		web.SignedIn("GET /api/v1/cases/{county}/{id}/escalations", h.caseEscalations),
		web.SignedIn("POST /api/v1/cases/{county}/{id}/escalations", h.escalateCase),
		web.SignedIn("POST /api/v1/escalations/{county}/{id}/answer", h.answerEscalation),
		web.SignedIn("GET /api/v1/escalations", h.openEscalations),
		web.SignedIn("GET /api/v1/charges", h.chargeBoard),
		web.SignedIn("POST /api/v1/charges", h.assignCharges),
		web.SignedIn("GET /api/v1/charges/mine", h.myCharges),
		web.SignedIn("GET /api/v1/pension-list/{county}", h.pensionList),
		web.SignedIn("GET /api/v1/check-samples", h.listCheckSamples),
		web.SignedIn("POST /api/v1/check-samples", h.drawCheckSample),
		web.SignedIn("GET /api/v1/check-samples/{county}/{id}", h.getCheckSample),
		web.SignedIn("POST /api/v1/check-samples/{county}/{id}/items/{seq}/visit", h.assignCheckVisit),
		web.SignedIn("POST /api/v1/check-samples/{county}/{id}/items/{seq}/finding", h.recordCheckFinding),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/events", h.applyPersonEvent),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/residence", h.getResidence),
		web.SignedIn("PUT /api/v1/persons/{county}/{id}/residence", h.putResidence),
		web.SignedIn("GET /api/v1/migrants", h.listMigrants),
		web.SignedIn("POST /api/v1/transfers", h.startTransfer),
		web.SignedIn("GET /api/v1/transfers", h.listTransfers),
		web.SignedIn("GET /api/v1/transfers/{county}/{id}", h.getTransfer),
		web.SignedIn("POST /api/v1/transfers/{county}/{id}/decision", h.decideTransfer),
		web.SignedIn("POST /api/v1/transfers/{county}/{id}/withdraw", h.withdrawTransfer),
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
		web.SignedIn("GET /api/v1/budget/{county}", h.getBudget),
		web.SignedIn("POST /api/v1/budget/{county}/funds", h.recordFund),
		web.SignedIn("GET /api/v1/payment-calendar/{county}", h.getCalendar),

		web.SignedIn("GET /api/v1/reports/{region}/{month}", h.getReport),
		web.SignedIn("GET /api/v1/reports/{region}/{month}/persons", h.reportPersons),
		web.SignedIn("GET /api/v1/reports/{region}/{month}/print.pdf", h.reportPDF),
		web.SignedIn("POST /api/v1/reports/{region}/{month}/{step}", h.reportStep),
		web.SignedIn("GET /api/v1/reports/{region}/revisions", h.reportRevisions),
		web.SignedIn("GET /api/v1/quality/{region}/{quarter}", h.getQuality),
		web.SignedIn("GET /api/v1/quality/{region}/{quarter}/persons", h.qualityPersons),
		web.SignedIn("GET /api/v1/supervision/{region}/{year}", h.getSupervision),
		web.SignedIn("GET /api/v1/reports/{region}/{month}/families", h.reportFamilies),
		web.SignedIn("GET /api/v1/complaints", h.listComplaints),
		web.SignedIn("POST /api/v1/complaints/{county}", h.fileComplaint),
		web.SignedIn("GET /api/v1/complaints/{county}/{id}", h.getComplaint),
		web.SignedIn("POST /api/v1/complaints/{county}/{id}/assign", h.complaintAction("assign")),
		web.SignedIn("POST /api/v1/complaints/{county}/{id}/reply", h.complaintAction("reply")),
		web.SignedIn("POST /api/v1/complaints/{county}/{id}/close", h.complaintAction("close")),
		web.SignedIn("GET /api/v1/self/complaints", h.selfComplaints),
		web.SignedIn("POST /api/v1/self/complaints", h.selfComplain),
		web.SignedIn("GET /api/v1/self/family", h.getSelfFamily),
		web.SignedIn("POST /api/v1/self/family-reports", h.selfReportError),
		web.SignedIn("GET /api/v1/self/qualify", h.getSelfQualify),
		web.SignedIn("POST /api/v1/self/births", h.selfRegisterBirth),
		web.SignedIn("POST /api/v1/self/subsidy-claims", h.selfApplySubsidy),
		web.SignedIn("GET /api/v1/self/applications", h.getSelfApplications),
		web.SignedIn("GET /api/v1/self/payments", h.getSelfPayments),
		web.SignedIn("GET /api/v1/self/letters/{county}/{id}/{person}", h.selfLetter),
		web.SignedIn("GET /api/v1/documents/{entity}/{county}/{id}", h.listDocuments),
		web.SignedIn("GET /api/v1/documents/{entity}/{county}/{id}/{doc}", h.getDocument),
		web.SignedIn("POST /api/v1/documents/{entity}/{county}/{id}", h.addDocument),
		web.SignedIn("GET /api/v1/time-limits/{region}", h.getTimeLimits),
		web.SignedIn("PUT /api/v1/time-limits/{region}", h.setTimeLimit),
		web.SignedIn("GET /api/v1/divisions/{county}/changes", h.listDivisionChanges),
		web.SignedIn("POST /api/v1/divisions/{county}/changes", h.changeDivision),
		web.SignedIn("GET /api/v1/divisions/{code}/history", h.divisionHistory),
		web.SignedIn("GET /api/v1/divisions/{code}/children", h.divisionsOn),
		web.SignedIn("POST /api/v1/births", h.registerBirth),
		web.SignedIn("GET /api/v1/births", h.listBirths),
		web.SignedIn("GET /api/v1/births/{county}/{id}", h.getBirth),
		web.SignedIn("POST /api/v1/births/{county}/{id}/close", h.closeBirth),
		web.SignedIn("POST /api/v1/births/{county}/{id}/cancel", h.cancelBirth),
		web.SignedIn("GET /api/v1/births/{county}/{id}/slip", h.birthSlip),
		web.Public("GET /api/v1/verify/birth", h.verifyBirth),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/birth-approvals", h.listBirthApprovals),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/birth-approvals", h.recordBirthApproval),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/subsidy-preview", h.subsidyPreview),
		web.SignedIn("POST /api/v1/subsidy-claims", h.applySubsidy),
		web.SignedIn("GET /api/v1/subsidy-claims", h.listSubsidyClaims),
		web.SignedIn("GET /api/v1/subsidy-claims/{county}/{id}", h.getSubsidyClaim),
		web.SignedIn("POST /api/v1/subsidy-claims/{county}/{id}/check", h.checkSubsidy),
		web.SignedIn("POST /api/v1/subsidy-claims/{county}/{id}/confirm", h.confirmSubsidy),
		web.SignedIn("POST /api/v1/subsidy-claims/{county}/{id}/withdraw", h.withdrawSubsidy),

		web.SignedIn("POST /api/v1/childcare/{county}/institutions", h.fileChildcare),
		web.SignedIn("GET /api/v1/childcare/{county}/institutions", h.listChildcare),
		web.SignedIn("GET /api/v1/childcare/{county}/institutions/{id}", h.getChildcare),
		web.SignedIn("PUT /api/v1/childcare/{county}/institutions/{id}", h.amendChildcare),
		web.SignedIn("POST /api/v1/childcare/{county}/institutions/{id}/close", h.closeChildcare),
		web.SignedIn("POST /api/v1/childcare/{county}/institutions/{id}/inspections", h.inspectChildcare),
		web.SignedIn("GET /api/v1/childcare/{county}/inspections", h.openInspections),
		web.SignedIn("POST /api/v1/childcare/{county}/inspections/{id}/check", h.checkRectification),
		web.SignedIn("GET /api/v1/childcare/{county}/places", h.childcarePlaces),
		web.SignedIn("PUT /api/v1/childcare-target/{region}", h.setChildcareTarget),
		web.SignedIn("GET /api/v1/pyramid/{region}", h.getPyramid),

		web.SignedIn("GET /api/v1/policy/programs", h.policyPrograms),
		web.SignedIn("GET /api/v1/policy-sheet", h.policySheet),
		web.SignedIn("GET /api/v1/policy/layers", h.policyLayers),
		web.SignedIn("POST /api/v1/policy/layers", h.createPolicyLayer),
		web.SignedIn("POST /api/v1/policy/check", h.policyCheck),
		web.SignedIn("POST /api/v1/policy/impact", h.policyImpact),
		web.SignedIn("POST /api/v1/policy/layers/{region}/{version}/withdraw", h.withdrawPolicyLayer),
		web.SignedIn("POST /api/v1/policy/layers/{region}/{version}/supersede", h.supersedePolicyLayer),
		web.SignedIn("GET /api/v1/policy/params", h.policyParams),
		web.SignedIn("GET /api/v1/policy/diff", h.policyDiff),
		web.SignedIn("GET /api/v1/persons/{county}/{id}/decisions", h.personDecisions),
		web.SignedIn("GET /api/v1/determinations", h.listDeterminations),

		web.SignedIn("GET /api/v1/special/{county}/families", h.listSpecial),
		web.SignedIn("POST /api/v1/special/{county}/families", h.addSpecial),
		web.SignedIn("POST /api/v1/special/{county}/sweep", h.sweepSpecial),
		web.SignedIn("GET /api/v1/special/{county}/families/{id}", h.getSpecial),
		web.SignedIn("POST /api/v1/special/{county}/families/{id}/close", h.closeSpecial),
		web.SignedIn("POST /api/v1/special/{county}/families/{id}/contacts", h.assignSpecialContact),
		web.SignedIn("POST /api/v1/special/{county}/families/{id}/visits", h.recordSpecialVisit),
		web.SignedIn("POST /api/v1/special/{county}/families/{id}/services", h.setSpecialService),
		web.SignedIn("POST /api/v1/special/{county}/families/{id}/requests", h.raiseSpecialRequest),
		web.SignedIn("GET /api/v1/special/{county}/requests", h.listSpecialRequests),
		web.SignedIn("POST /api/v1/special/{county}/requests/{id}/reply", h.replySpecialRequest),
		web.SignedIn("POST /api/v1/special/{county}/requests/{id}/settle", h.settleSpecialRequest),
		web.SignedIn("GET /api/v1/special/{county}/changes", h.listSpecialChanges),
		web.SignedIn("POST /api/v1/special/{county}/changes/{id}/review", h.reviewSpecialChange),
		web.SignedIn("POST /api/v1/special/{county}/handover", h.handOverSpecial),
		web.SignedIn("GET /api/v1/special/{county}/overdue", h.overdueSpecial),
		web.SignedIn("GET /api/v1/special/{county}/coverage", h.specialCoverage),
		web.SignedIn("GET /api/v1/special/{county}/settings", h.getSpecialSettings),
		web.SignedIn("PUT /api/v1/special/{county}/settings", h.putSpecialSettings),
		web.SignedIn("GET /api/v1/special/{county}/help-lists", h.listHelpLists),
		web.SignedIn("POST /api/v1/special/{county}/help-lists", h.makeHelpList),
		web.SignedIn("POST /api/v1/special/{county}/help-lists/{id}/approve", h.approveHelpList),
		web.SignedIn("POST /api/v1/special/{county}/help-lists/{id}/pay", h.payHelpList),
		web.SignedIn("POST /api/v1/persons/{county}/{id}/family-certificate", h.familyCertificate),
		web.Public("GET /api/v1/family-certificates/verify", h.verifyFamilyCertificate),
		web.SignedIn("POST /api/v1/family-check", h.familyCheck),
		web.SignedIn("GET /api/v1/match/kinds", h.matchKinds),
		web.SignedIn("POST /api/v1/match/imports", h.matchImport),
		web.SignedIn("GET /api/v1/match/imports", h.listMatchImports),
		web.SignedIn("GET /api/v1/match/duplicates", h.listMatchDuplicates),
		web.SignedIn("GET /api/v1/match/imports/{county}/{id}", h.getMatchImport),
		web.SignedIn("GET /api/v1/match/imports/{county}/{id}/feedback", h.matchFeedback),
		web.SignedIn("GET /api/v1/match/tasks", h.listMatchTasks),
		web.SignedIn("GET /api/v1/match/tasks/{county}/{id}", h.getMatchTask),
		web.SignedIn("POST /api/v1/match/tasks/{county}/{id}/confirm", h.decideMatchTask("confirm")),
		web.SignedIn("POST /api/v1/match/tasks/{county}/{id}/reject", h.decideMatchTask("reject")),
		web.SignedIn("POST /api/v1/match/tasks/{county}/{id}/hand-up", h.decideMatchTask("hand-up")),
		web.SignedIn("POST /api/v1/match/tasks/{county}/{id}/decide", h.decideMatchTask("decide")),
		web.SignedIn("GET /api/v1/match/exchanges", h.listMatchExchanges),
		web.SignedIn("GET /api/v1/match/mappings/{county}", h.getMatchMapping),
		web.SignedIn("PUT /api/v1/match/mappings/{county}", h.putMatchMapping),
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
