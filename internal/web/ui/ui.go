// Package ui is the staff web UI: server-rendered html/template pages
// with embedded templates, static files (CSS, a little JavaScript) under
// content-hashed URLs, and translations of the pages' own words in
// i18n/messages.json (the domain's words are named from their packages'
// lists: words.go). Every page calls the use-case layer (internal/app) as
// the JSON API does, so scope and separation of duties are enforced on the
// server whatever the page shows or hides.
package ui

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/oidc"
)

// Handler holds what every page needs. Pages are its methods.
type Handler struct {
	app  *app.App
	log  *slog.Logger
	now  func() time.Time
	cfg  web.Config
	tree *region.Tree
	// eng holds the templates, static files and translations.
	eng *engine
	// oidc is the unified identity service, nil when none is configured.
	oidc *oidc.Provider
}

// New returns the staff pages over the use cases of a. It parses every
// template: a broken one is an error here, not on first use.
func New(a *app.App, logger *slog.Logger, cfg web.Config) (*Handler, error) {
	h := &Handler{app: a, log: logger, now: a.Now, cfg: cfg, tree: a.Tree()}
	if cfg.OIDC.Enabled() {
		h.oidc = oidc.New(cfg.OIDC)
	}
	var err error
	if h.eng, err = newEngine(h.tree); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes is the table of the staff pages, one route per line. It is kept
// apart from the API's table, which the OpenAPI document describes; the
// access test checks every route for every role.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Public("GET /static/{name}", h.serveStatic),
		web.Public("GET /login", h.loginPage),
		web.Public("POST /login", h.loginSubmit),
		web.Public("POST /logout", h.logoutSubmit),
		web.Public("GET /login/oidc", h.oidcStart),
		web.Public("GET /login/oidc/callback", h.oidcCallback),

		web.SignedIn("GET /{$}", h.homePage),

		web.SignedIn("GET /persons", h.personsPage),
		web.SignedIn("GET /persons/export.xlsx", h.personsExport),
		web.SignedIn("GET /persons/import", h.importPage),
		web.SignedIn("GET /persons/import/template.xlsx", h.importTemplate),
		web.SignedIn("POST /persons/import", h.importSubmit),
		web.SignedIn("GET /persons/new", h.personNewPage),
		web.SignedIn("POST /persons/new", h.personNewSubmit),
		web.SignedIn("GET /persons/{county}/{id}", h.personPage),
		web.SignedIn("GET /persons/{county}/{id}/{event}", h.eventPage),
		web.SignedIn("POST /persons/{county}/{id}/{event}", h.eventSubmit),

		web.SignedIn("GET /cases", h.casesPage),
		web.SignedIn("GET /outreach", h.outreachPage),
		web.SignedIn("GET /self", h.selfPage),
		web.SignedIn("POST /self", h.selfSubmit),
		web.SignedIn("GET /self/family", h.selfFamilyPage),
		web.SignedIn("POST /self/family", h.selfFamilySubmit),
		web.SignedIn("GET /self/qualify", h.selfQualifyPage),
		web.SignedIn("GET /self/birth", h.selfBirthPage),
		web.SignedIn("POST /self/birth", h.selfBirthSubmit),
		web.SignedIn("GET /self/births/{county}/{id}", h.selfBirthView),
		web.SignedIn("GET /self/subsidy", h.selfSubsidyPage),
		web.SignedIn("POST /self/subsidy", h.selfSubsidySubmit),
		web.SignedIn("GET /self/track", h.selfTrackPage),
		web.SignedIn("GET /self/payments", h.selfPaymentsPage),
		web.SignedIn("GET /self/complaints", h.selfComplaintsPage),
		web.SignedIn("POST /self/complaints", h.selfComplaintsSubmit),
		web.SignedIn("GET /self/letters/{county}/{id}/{person}", h.selfLetterPDF),
		web.SignedIn("POST /documents/{entity}/{county}/{id}", h.documentSubmit),
		web.SignedIn("GET /documents/{entity}/{county}/{id}/{doc}", h.documentPage),
		web.SignedIn("GET /family-reports", h.familyReportsPage),
		web.SignedIn("POST /family-reports/{county}/{id}", h.familyReportSubmit),
		web.SignedIn("GET /cases/export.xlsx", h.casesExport),
		web.SignedIn("GET /persons/{county}/{id}/apply", h.applyPage),
		web.SignedIn("POST /persons/{county}/{id}/apply", h.applySubmit),
		web.SignedIn("GET /cases/{county}/{id}", h.casePage),
		web.SignedIn("POST /cases/{county}/{id}/{step}", h.caseStepSubmit),
		web.SignedIn("GET /cases/{county}/{id}/notices/{nid}", h.noticePrint),
		web.SignedIn("GET /cases/{county}/{id}/notices/{nid}/export.xlsx", h.noticeExport),
		web.SignedIn("GET /cases/{county}/{id}/documents/{kind}", h.caseDocumentPage),

		web.SignedIn("GET /notices", h.noticesPage),
		web.SignedIn("GET /notices/print", h.noticeListsPDF),
		web.SignedIn("GET /roll", h.rollPage),
		web.SignedIn("GET /roll/export.xlsx", h.rollExport),
		web.SignedIn("GET /roll/annual-review", h.annualReviewPage),
		web.SignedIn("POST /roll/annual-review", h.annualReviewSubmit),
		web.SignedIn("GET /roll/annual-review/{county}/{id}", h.annualReviewRunPage),
		web.SignedIn("GET /roll/annual-review/{county}/{id}/export.xlsx", h.annualReviewExport),
		web.SignedIn("GET /transfers", h.transfersPage),
		web.SignedIn("GET /transfers/new", h.transferNew),
		web.SignedIn("POST /transfers", h.transferStart),
		web.SignedIn("GET /transfers/{county}/{id}", h.transferPage),
		web.SignedIn("POST /transfers/{county}/{id}/{what}", h.transferSubmit),
		web.SignedIn("GET /migrants", h.migrantsPage),
		web.SignedIn("GET /persons/{county}/{id}/residence", h.residencePage),
		web.SignedIn("POST /persons/{county}/{id}/residence", h.residenceSubmit),
		web.SignedIn("GET /checks", h.checksPage),
		web.SignedIn("POST /checks", h.checksDraw),
		web.SignedIn("GET /checks/{county}/{id}", h.checkPage),
		web.SignedIn("POST /checks/{county}/{id}/items/{seq}/{what}", h.checkItemSubmit),
		web.SignedIn("GET /charges", h.chargesPage),
		web.SignedIn("POST /charges", h.chargesAssign),
		web.SignedIn("GET /charges/mine", h.myChargesPage),
		web.SignedIn("GET /pension-list", h.pensionPage),
		web.SignedIn("GET /pension-list/{county}/file", h.pensionFile),
		web.SignedIn("GET /inperson", h.inPersonPage),
		web.SignedIn("GET /persons/{county}/{id}/inperson", h.inPersonForm),
		web.SignedIn("POST /persons/{county}/{id}/inperson", h.inPersonSubmit),
		web.SignedIn("GET /attachments/{county}/{id}", h.attachmentFile),
		web.SignedIn("POST /cases/{county}/{id}/attachments", h.caseAttachmentSubmit),
		web.SignedIn("POST /cases/{county}/{id}/escalations", h.escalateSubmit),
		web.SignedIn("POST /escalations/{county}/{id}/answer", h.answerSubmit),
		web.SignedIn("GET /cases/{county}/{id}/case-file", h.caseFilePDF),
		web.SignedIn("GET /persons/{county}/{id}/roll-event", h.rollEventPage),
		web.SignedIn("POST /persons/{county}/{id}/roll-event", h.rollEventSubmit),

		web.SignedIn("GET /payments", h.paymentsPage),
		web.SignedIn("POST /payments/cycles", h.cycleCreateSubmit),
		web.SignedIn("GET /payments/cycles/{county}/{id}", h.cyclePage),
		web.SignedIn("GET /payments/cycles/{county}/{id}/export.xlsx", h.cycleExport),
		web.SignedIn("POST /payments/cycles/{county}/{id}/supplement", h.cycleSupplementSubmit),
		web.SignedIn("POST /payments/cycles/{county}/{id}/batches", h.batchesCreateSubmit),
		web.SignedIn("GET /payments/cycles/{county}/{id}/consistency", h.consistencyPage),
		web.SignedIn("GET /payments/cycles/{county}/{id}/letters/{person}", h.letterPage),
		web.SignedIn("GET /payments/cycles/{county}/{id}/letters", h.cycleLettersPDF),
		web.SignedIn("POST /payments/lines/{county}/{id}/verify", h.lineVerifySubmit),
		web.SignedIn("GET /payments/batches", h.batchesPage),
		web.SignedIn("GET /payments/batches/{county}/{id}", h.batchPage),
		web.SignedIn("POST /payments/batches/{county}/{id}/approve", h.batchApproveSubmit),
		web.SignedIn("POST /payments/batches/{county}/{id}/recall", h.batchRecallSubmit),
		web.SignedIn("GET /payments/batches/{county}/{id}/file", h.batchFileDownload),
		web.SignedIn("POST /payments/batches/{county}/{id}/returns", h.batchReturnsSubmit),
		web.SignedIn("GET /payments/retries", h.retriesPage),
		web.SignedIn("POST /payments/retries", h.retriesSubmit),
		web.SignedIn("GET /payments/ledger", h.ledgerPage),
		web.SignedIn("GET /payments/bank-templates", h.bankTemplatesPage),
		web.SignedIn("POST /payments/bank-templates/{county}/{bank}", h.bankTemplateSubmit),
		web.SignedIn("POST /payments/bank-templates/{county}/{bank}/reset", h.bankTemplateReset),
		web.SignedIn("GET /payments/ledger/export.xlsx", h.ledgerExport),
		web.SignedIn("GET /payments/budget", h.budgetPage),
		web.SignedIn("POST /payments/budget/funds", h.fundSubmit),
		web.SignedIn("GET /persons/{county}/{id}/account", h.accountPage),
		web.SignedIn("POST /persons/{county}/{id}/account", h.accountSubmit),

		web.SignedIn("GET /match", h.matchPage),
		web.SignedIn("GET /match/import", h.matchImportPage),
		web.SignedIn("POST /match/import", h.matchImportSubmit),
		web.SignedIn("GET /match/imports/{county}/{id}", h.matchImportResultPage),
		web.SignedIn("GET /match/imports/{county}/{id}/feedback", h.matchFeedbackDownload),
		web.SignedIn("GET /match/tasks", h.matchTasksPage),
		web.SignedIn("GET /match/duplicates", h.matchDuplicatesPage),
		web.SignedIn("GET /match/tasks/{county}/{id}", h.matchTaskPage),
		web.SignedIn("POST /match/tasks/{county}/{id}/{action}", h.matchTaskSubmit),
		web.SignedIn("GET /reports", h.reportPage),
		web.SignedIn("GET /reports/persons", h.reportPersonsPage),
		web.SignedIn("GET /reports/export.xlsx", h.reportExport),
		web.SignedIn("GET /reports/print.pdf", h.reportPrint),
		web.SignedIn("POST /reports/{region}/{month}/{step}", h.reportStepSubmit),
		web.SignedIn("GET /reports/quality", h.qualityPage),
		web.SignedIn("GET /reports/quality/persons", h.qualityPersonsPage),
		web.SignedIn("GET /reports/supervision", h.supervisionPage),
		web.SignedIn("GET /reports/families", h.reportFamiliesPage),
		web.SignedIn("GET /complaints", h.complaintsPage),
		web.SignedIn("GET /complaints/new", h.complaintNewPage),
		web.SignedIn("POST /complaints/limits", h.timeLimitSubmit),
		web.SignedIn("POST /complaints/new", h.complaintNewSubmit),
		web.SignedIn("GET /complaints/{county}/{id}", h.complaintPage),
		web.SignedIn("POST /complaints/{county}/{id}/{action}", h.complaintSubmit),
		web.SignedIn("GET /reports/pyramid", h.pyramidPage),
		web.SignedIn("GET /divisions", h.divisionsPage),
		web.SignedIn("POST /divisions/changes", h.divisionChangeSubmit),
		web.SignedIn("GET /reports/supervision/export.xlsx", h.supervisionExport),
		web.SignedIn("GET /births", h.birthsPage),
		web.SignedIn("GET /births/new", h.birthNewPage),
		web.SignedIn("POST /births/new", h.birthNewSubmit),
		web.SignedIn("GET /births/{county}/{id}", h.birthPage),
		web.SignedIn("POST /births/{county}/{id}/close", h.birthCloseSubmit),
		web.SignedIn("POST /births/{county}/{id}/cancel", h.birthCancelSubmit),
		web.SignedIn("GET /births/{county}/{id}/slip.pdf", h.birthSlipPDF),
		web.SignedIn("GET /persons/{county}/{id}/birth-approvals", h.birthApprovalsPage),
		web.SignedIn("POST /persons/{county}/{id}/birth-approvals", h.birthApprovalSubmit),
		web.Public("GET /verify/birth", h.verifyPage),
		web.SignedIn("GET /subsidy", h.subsidyPage),
		web.SignedIn("GET /subsidy/new", h.subsidyNewPage),
		web.SignedIn("POST /subsidy/new", h.subsidyNewSubmit),
		web.SignedIn("GET /subsidy/{county}/{id}", h.subsidyClaimPage),
		web.SignedIn("POST /subsidy/{county}/{id}/{step}", h.subsidyStepSubmit),
		web.SignedIn("GET /childcare", h.childcarePage),
		web.SignedIn("GET /childcare/new", h.childcareNewPage),
		web.SignedIn("POST /childcare/new", h.childcareNewSubmit),
		web.SignedIn("GET /childcare/{county}/{id}", h.institutionPage),
		web.SignedIn("GET /childcare/{county}/{id}/edit", h.childcareEditPage),
		web.SignedIn("POST /childcare/{county}/{id}/edit", h.childcareEditSubmit),
		web.SignedIn("POST /childcare/{county}/{id}/{step}", h.institutionStepSubmit),
		web.SignedIn("POST /childcare/{county}/inspections/{id}/check", h.rectificationSubmit),

		web.SignedIn("GET /audit", h.auditPage),
		web.SignedIn("GET /overrides", h.overridesPage),
		web.SignedIn("GET /audit/export.xlsx", h.auditTrailExport),
		web.SignedIn("GET /rules", h.rulesPage),
		web.SignedIn("GET /policy-sheet", h.policySheetPDF),
		web.SignedIn("POST /rules", h.rulesSubmit),
		web.SignedIn("POST /rules/withdraw", h.rulesWithdraw),
		web.SignedIn("GET /rules/diff", h.rulesDiff),
		web.SignedIn("GET /users", h.usersPage),
		web.SignedIn("GET /users/new", h.userNewPage),
		web.SignedIn("POST /users/new", h.userNewSubmit),
		web.SignedIn("POST /users/{id}/{action}", h.userActionSubmit),
		web.SignedIn("POST /users/{id}/password", h.userPasswordSubmit),

		web.SignedIn("GET /special", h.specialPage),
		web.SignedIn("POST /special/{action}", h.specialSubmit),
		web.SignedIn("GET /special/coverage", h.coveragePage),
		web.SignedIn("GET /special/help", h.helpPage),
		web.SignedIn("POST /special/help", h.helpSubmit),
		web.SignedIn("POST /special/help/{county}/{id}/{action}", h.helpActionSubmit),
		web.SignedIn("GET /special/requests", h.specialRequestsPage),
		web.SignedIn("GET /special/changes", h.specialChangesPage),
		web.SignedIn("POST /special/changes/{county}/{id}/review", h.specialChangeSubmit),
		web.SignedIn("GET /special/{county}/{id}", h.specialFamilyPage),
		web.SignedIn("GET /special/{county}/{id}/visit", h.visitPage),
		web.SignedIn("POST /special/{county}/{id}/{action}", h.specialFamilySubmit),
		web.SignedIn("POST /persons/{county}/{id}/family-certificate", h.familyCertificateSubmit),
		web.SignedIn("GET /family-check", h.familyCheckPage),
		web.SignedIn("POST /family-check", h.familyCheckSubmit),
		web.Public("GET /verify/family", h.verifyFamilyPage),
	}
}

// Mount adds the pages' routes to mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Pattern, h.adapt(rt))
	}
}

// adapt turns a page's error-returning function into an http.Handler: a
// missing or expired session sends the browser to the sign-in page, and
// errors are shown as a page.
func (h *Handler) adapt(rt web.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Access == web.AccessSignedIn {
			a, err := web.Authenticate(h.app, r)
			if apperr.KindOf(err) == apperr.Unauthenticated {
				next := r.URL.Path
				if r.Method == http.MethodGet && r.URL.RawQuery != "" {
					next += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			}
			if err != nil {
				h.ServeError(w, r, err)
				return
			}
			r = web.WithActor(r, a)
		}
		r = web.WithDoor(r, "ui", rt.Pattern)
		if err := rt.Fn(w, r); err != nil {
			h.ServeError(w, r, err)
		}
	})
}

// ServeError shows err as a page, with the status of its kind. As in
// web.ServeError, only internal errors are logged, with ID numbers masked.
func (h *Handler) ServeError(w http.ResponseWriter, r *http.Request, err error) {
	v := h.newView(w, r, "error.title")
	kind := apperr.KindOf(err)
	status := web.StatusOf(kind)
	var msgs []string
	var list apperr.List
	if e, ok := apperr.As(err); ok && kind != apperr.Internal {
		msgs = append(msgs, e.Message(v.Lang))
	} else if errors.As(err, &list) {
		for _, p := range list {
			msgs = append(msgs, p.Message(v.Lang))
		}
	} else {
		h.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "err", web.RedactIDs(err.Error()))
		msgs = []string{v.T["error.internal"]}
	}
	v.Problems = msgs
	v.Data = map[string]any{"Status": status}
	web.RetryLater(w, kind)
	if rerr := h.render(w, status, "error.html", v); rerr != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, strings.Join(msgs, "\n"), status)
	}
}

// notFound answers a page address that names nothing (an unknown event
// or action): a page for a browser, the JSON error for other clients.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) error {
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		web.ServeError(h.log, w, r, apperr.NotFoundf("没有这个页面或接口：%s", "no such page or endpoint: %s", r.URL.Path))
		return nil
	}
	return apperr.NotFoundf("没有这个页面：%s", "no such page: %s", r.URL.Path)
}
