package web

// The staff web UI: server-rendered html/template pages with embedded
// templates, static files (CSS, a little JavaScript) under content-hashed
// URLs, and translations of the pages' own words in i18n/messages.json
// (the domain's words are named from their packages' lists: words.go).
// Every page calls the use-case layer as the JSON API does, so scope and
// separation of duties are enforced on the server whatever the page shows
// or hides.

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/policy"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed i18n/messages.json
var messagesJSON []byte

// langCookie remembers the language picked with the switch.
const langCookie = "jiahe_lang"

// ui holds the parsed templates, the hashed static files and the
// translations. It is built once, in New, and read-only afterwards.
type ui struct {
	pages  map[string]*template.Template // by page file name, e.g. "persons.html"
	assets map[string]asset              // by hashed name, e.g. "app.1a2b3c4d5e.css"
	urls   map[string]string             // logical name → URL path
	msgs   map[string]map[string]string  // lang → key → text
}

type asset struct {
	body  []byte
	ctype string
}

// newUI parses every template and hashes every static file, so that a
// broken template stops the server at start rather than on first use.
func newUI(tree *region.Tree) (*ui, error) {
	u := &ui{pages: map[string]*template.Template{}, assets: map[string]asset{}, urls: map[string]string{}}
	if err := u.loadMessages(); err != nil {
		return nil, err
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		u.assets[hashed] = asset{body: b, ctype: mime.TypeByExtension(ext)}
		u.urls[name] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, err
	}
	funcs := u.funcs(tree)
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "_") || name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/_*.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", name, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

// loadMessages reads i18n/messages.json: {"key": ["中文", "English"]}.
func (u *ui) loadMessages() error {
	var raw map[string][2]string
	if err := json.Unmarshal(messagesJSON, &raw); err != nil {
		return fmt.Errorf("ui: i18n/messages.json: %w", err)
	}
	u.msgs = map[string]map[string]string{"zh": {}, "en": {}}
	for k, v := range raw {
		if v[0] == "" || v[1] == "" {
			return fmt.Errorf("ui: i18n key %q lacks a translation", k)
		}
		u.msgs["zh"][k], u.msgs["en"][k] = v[0], v[1]
	}
	return nil
}

func (u *ui) funcs(tree *region.Tree) template.FuncMap {
	fm := template.FuncMap{
		"static": func(name string) (string, error) {
			if p, ok := u.urls[name]; ok {
				return p, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		// mask shows an ID number as lists and notices must: first six and
		// last four characters.
		"mask": func(s string) string { return idcard.Number(s).Masked() },
		"region": func(code string) string {
			if code == "" {
				return ""
			}
			if n := tree.FullName(region.Code(code)); n != "" {
				return n
			}
			return code
		},
		"regionShort": func(code string) string {
			if d, ok := tree.Lookup(region.Code(code)); ok {
				return d.Name
			}
			return code
		},
		"fen":  func(f money.Fen) string { return groupDigits(f.String()) },
		"yuan": func(f int64) string { return groupDigits(money.Fen(f).String()) },
		"date": func(d date.Date) string { return d.String() },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(date.Beijing).Format("2006-01-02 15:04")
		},
		// tr translates a coded value: tr $.T "sex" "M" is T["sex.M"], or
		// the value itself when there is no such key.
		"tr": func(t map[string]string, prefix, v string) string {
			if s, ok := t[prefix+"."+v]; ok {
				return s
			}
			return v
		},
		"add":         func(a, b int) int { return a + b },
		"programName": policy.ProgramName,
		"list":        func(xs ...string) []string { return xs },
		"redact":      redactIDs,
		"pct": func(part, whole int64) int {
			if whole <= 0 {
				return 0
			}
			return int(part * 100 / whole)
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	for name, f := range wordFuncs() {
		fm[name] = f
	}
	return fm
}

// groupDigits puts thousands separators into a decimal string.
func groupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

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
		{"/", "nav.home", a.Role != auth.RoleCitizen},
		{"/self", "nav.self", can(auth.PermSelfService)},
		{"/persons", "nav.persons", can(auth.PermRegistryRead)},
		{"/cases", "nav.cases", can(auth.PermCaseRead)},
		{"/notices", "nav.notices", can(auth.PermCaseRead)},
		{"/roll", "nav.roll", can(auth.PermCaseRead) || can(auth.PermPaymentRead)},
		{"/payments", "nav.payments", can(auth.PermPaymentRead)},
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
	return language(r)
}

// newView starts the view of a page for the request.
func (h *Handler) newView(w http.ResponseWriter, r *http.Request, titleKey string) *view {
	lang := uiLang(w, r)
	t := h.ui.msgs[lang]
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

// render executes page with v and writes it with status. The page is
// rendered into a buffer first, so a template error is a clean 500.
func (h *Handler) render(w http.ResponseWriter, status int, page string, v *view) error {
	t, ok := h.ui.pages[page]
	if !ok {
		return fmt.Errorf("ui: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("ui: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// serveStatic serves an embedded file under its content-hashed name; the
// name changes whenever the content does, so it may be cached for ever.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) error {
	a, ok := h.ui.assets[r.PathValue("name")]
	if !ok {
		return apperr.NotFoundf("没有这个文件", "no such file")
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write(a.body)
	return err
}

// adaptPage is adapt for HTML pages: a missing or expired session sends
// the browser to the sign-in page, and errors are shown as a page.
func (h *Handler) adaptPage(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access == signedIn {
			a, err := h.authenticate(r)
			if apperr.KindOf(err) == apperr.Unauthenticated {
				next := r.URL.Path
				if r.Method == http.MethodGet && r.URL.RawQuery != "" {
					next += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			}
			if err != nil {
				h.servePageError(w, r, err)
				return
			}
			r = r.WithContext(auth.WithActor(r.Context(), a))
			if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
				info.userID = a.UserID
			}
		}
		r = r.WithContext(app.WithRequest(r.Context(), app.Request{Door: "ui", Method: r.Method, Route: rt.pattern}))
		if err := rt.fn(w, r); err != nil {
			h.servePageError(w, r, err)
		}
	})
}

// servePageError shows err as a page, with the status of its kind. As in
// serveError, only internal errors are logged, with ID numbers masked.
func (h *Handler) servePageError(w http.ResponseWriter, r *http.Request, err error) {
	v := h.newView(w, r, "error.title")
	kind := apperr.KindOf(err)
	status := statusOf(kind)
	var msgs []string
	var list apperr.List
	if e, ok := apperr.As(err); ok && kind != apperr.Internal {
		msgs = append(msgs, e.Message(v.Lang))
	} else if errors.As(err, &list) {
		for _, p := range list {
			msgs = append(msgs, p.Message(v.Lang))
		}
	} else {
		h.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "err", redactIDs(err.Error()))
		msgs = []string{v.T["error.internal"]}
	}
	v.Problems = msgs
	v.Data = map[string]any{"Status": status}
	retryLater(w, kind)
	if rerr := h.render(w, status, "error.html", v); rerr != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, strings.Join(msgs, "\n"), status)
	}
}

// pageNotFound answers paths nothing else serves: an HTML page for a
// browser, the JSON error for the API and other clients.
func (h *Handler) pageNotFound(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.URL.Path, "/api/") || !strings.Contains(r.Header.Get("Accept"), "text/html") {
		h.serveError(w, r, apperr.NotFoundf("没有这个页面或接口：%s", "no such page or endpoint: %s", r.URL.Path))
		return nil
	}
	return apperr.NotFoundf("没有这个页面：%s", "no such page: %s", r.URL.Path)
}

// formError turns a domain error into messages next to the form's fields.
// It returns false for errors a form cannot show (internal errors,
// refusals), which the caller returns to be served as an error page.
// Fields the form does not have are shown in the summary only.
func formError(v *view, err error) bool {
	var list apperr.List
	var errs []*apperr.Error
	switch e, ok := apperr.As(err); {
	case errors.As(err, &list) && !ok:
		errs = list
	case ok && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict || e.Kind == apperr.NotFound):
		errs = []*apperr.Error{e}
	default:
		return false
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	for _, e := range errs {
		msg := e.ZH
		if v.Lang == "en" || msg == "" {
			msg = e.EN
		}
		f := e.Field
		if _, taken := v.Errors[f]; f != "" && !taken {
			v.Errors[f] = msg
		}
		v.Problems = append(v.Problems, msg)
	}
	return true
}

// invalid adds a form error for field, in both languages.
func invalid(field, zh, en string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: zh, EN: en}
}

// formDate reads an optional YYYY-MM-DD field.
func formDate(r *http.Request, field string, required bool) (date.Date, *apperr.Error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		if required {
			return date.Date{}, invalid(field, "请填写日期", "the date is required")
		}
		return date.Date{}, nil
	}
	d, err := date.Parse(s)
	if err != nil {
		return date.Date{}, invalid(field, "日期格式应为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	return d, nil
}

// formInt reads an integer field within [lo, hi].
func formInt(r *http.Request, field string, lo, hi int) (int, *apperr.Error) {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
	if err != nil || n < lo || n > hi {
		return 0, invalid(field, fmt.Sprintf("应为 %d 至 %d 的整数", lo, hi), fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n, nil
}

// redirectDone sends the browser to target with a confirmation key.
func redirectDone(w http.ResponseWriter, r *http.Request, target, done string) {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+"done="+url.QueryEscape(done), http.StatusSeeOther)
}

// pager is the paging bar of a list.
type pager struct {
	Total, Page, Pages, From, To int
	// More says the count stopped at Total: there are more rows.
	More       bool
	Prev, Next string
	Links      []pageLink
}

type pageLink struct {
	N       int
	Href    string
	Current bool
}

// pageSize is the number of rows in a list page.
const pageSize = 20

// pageOf reads ?page= (1-based) and returns the page and its offset.
func pageOf(r *http.Request) (page, offset int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	page = min(page, 1_000_000)
	return page, (page - 1) * pageSize
}

// newPager builds the paging bar for total rows, linking to the current
// URL with another page number.
func newPager(r *http.Request, total, page int) pager {
	p := pager{Total: total, Page: page, Pages: (total + pageSize - 1) / pageSize}
	if total > 0 {
		p.From = (page-1)*pageSize + 1
		p.To = min(page*pageSize, total)
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("done")
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	var ns []int
	for _, n := range []int{1, page - 2, page - 1, page, page + 1, page + 2, p.Pages} {
		if n >= 1 && n <= p.Pages && !contains(ns, n) {
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	for _, n := range ns {
		p.Links = append(p.Links, pageLink{N: n, Href: link(n), Current: n == page})
	}
	return p
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
