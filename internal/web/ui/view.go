package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
)

// langCookie remembers the language picked with the switch.
const langCookie = "jiahe_lang"

// view is what every page template gets.
type view struct {
	Lang    string
	T       map[string]string
	Title   string // already translated
	Actor   *auth.Actor
	RoleKey string
	Scope   string // full name of the actor's region
	Nav     []navItem
	Path    string // the request path, for the language switch and active nav
	Query   string // the request query without lang
	// LangURL maps "zh" and "en" to this page's address in that language,
	// with the rest of the query kept, for the language switch.
	LangURL map[string]string
	Notice  string // a translated one-line confirmation ("saved")
	// Errors maps form fields to messages; Problems lists every message
	// (the error summary at the top of a form).
	Errors   map[string]string
	Problems []string
	Form     url.Values
	Data     any
}

// F returns the submitted (or prefilled) value of a form field.
func (v *view) F(name string) string {
	if v.Form == nil {
		return ""
	}
	return v.Form.Get(name)
}

// Can reports whether the signed-in user has permission p; templates use
// it to show only the actions the server would accept.
func (v *view) Can(p string) bool {
	return v.Actor != nil && auth.Can(*v.Actor, auth.Permission(p))
}

type navItem struct {
	Href, Label string
	Active      bool
}

// navEntry is a candidate item of the navigation bar.
type navEntry struct {
	href, key string
	ok        bool
}

// navFor lists the pages a role works with, in order. An item appears only
// when the role has the permission its page checks on the server.
func (h *Handler) navFor(a auth.Actor, t map[string]string, current string) []navItem {
	can := func(p auth.Permission) bool { return auth.Can(a, p) }
	entries := []navEntry{
		{"/", "nav.home", a.Role != auth.RoleCitizen && a.Role != auth.RolePartner},
		{"/self", "nav.self", can(auth.PermSelfService)},
		{"/persons", "nav.persons", can(auth.PermRegistryRead)},
		{"/outreach", "nav.outreach", can(auth.PermCaseApply)},
		{"/cases", "nav.cases", can(auth.PermCaseRead)},
		{"/notices", "nav.notices", can(auth.PermCaseRead)},
		{"/roll", "nav.roll", can(auth.PermCaseRead) || can(auth.PermPaymentRead)},
		{"/match", "nav.match", can(auth.PermRegistryRead)},
		{"/births", "nav.births", can(auth.PermRegistryRead)},
		{"/subsidy", "nav.subsidy", can(auth.PermCaseRead)},
		{"/family-reports", "nav.family_reports", can(auth.PermRegistryWrite)},
		{"/childcare", "nav.childcare", can(auth.PermReportRead) && a.Role != auth.RoleAdmin},
		{"/inperson", "nav.inperson", can(auth.PermCaseRead)},
		{"/complaints", "nav.complaints", can(auth.PermCaseRead)},
		{"/charges", "nav.charges", can(auth.PermCaseRead)},
		{"/pension-list", "nav.pension", can(auth.PermPensionList)},
		{"/transfers", "nav.transfers", can(auth.PermTransfer) || can(auth.PermAuditRead) && can(auth.PermCaseRead)},
		{"/migrants", "nav.migrants", can(auth.PermRegistryRead) && a.Role != auth.RoleFinance},
		{"/checks", "nav.checks", can(auth.PermCheckRecord) || can(auth.PermAuditRead) && can(auth.PermCaseRead)},
		{"/payments", "nav.payments", can(auth.PermPaymentRead)},
		{"/special", "nav.special", can(auth.PermSpecialCare)},
		{"/special/help", "nav.special_help", can(auth.PermPaymentManage) && !can(auth.PermSpecialCare)},
		{"/family-check", "nav.family_check", can(auth.PermFamilyCheck)},
		{"/reports", "nav.reports", can(auth.PermReportRead) && a.Role != auth.RoleAdmin},
		{"/audit", "nav.audit", can(auth.PermAuditRead)},
		{"/rules", "nav.rules", can(auth.PermRulesManage)},
		{"/users", "nav.users", can(auth.PermUsersManage)},
	}
	var out []navItem
	for _, e := range entries {
		if !e.ok {
			continue
		}
		active := e.href == current || e.href != "/" && strings.HasPrefix(current, e.href+"/")
		out = append(out, navItem{Href: e.href, Label: t[e.key], Active: active})
	}
	return out
}

// uiLang picks the page language: ?lang= (remembered in a cookie), the
// cookie, then the browser's Accept-Language; Simplified Chinese by default.
func uiLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		}
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	return web.Language(r)
}

// newView starts the view of a page for the request.
func (h *Handler) newView(w http.ResponseWriter, r *http.Request, titleKey string) *view {
	lang := uiLang(w, r)
	t := h.eng.msgs[lang]
	q := r.URL.Query()
	q.Del("lang")
	v := &view{Lang: lang, T: t, Title: t[titleKey], Path: r.URL.Path, Query: q.Encode(), Form: url.Values{}, LangURL: map[string]string{}}
	for _, l := range []string{"zh", "en"} {
		q.Set("lang", l)
		v.LangURL[l] = r.URL.Path + "?" + q.Encode()
	}
	if a, ok := auth.ActorFrom(r.Context()); ok {
		v.Actor = &a
		v.RoleKey = "role." + string(a.Role)
		v.Scope = h.tree.FullName(a.Scope)
		v.Nav = h.navFor(a, t, r.URL.Path)
	}
	if k := r.URL.Query().Get("done"); k != "" {
		v.Notice = t["done."+k]
	}
	return v
}
