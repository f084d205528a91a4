package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jiahe-project/jiahe/internal/audit"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed i18n/messages.json
var messagesJSON []byte

// engine holds the parsed templates, the hashed static files and the
// translations. It is built once, in New, and read-only afterwards.
type engine struct {
	pages  map[string]*template.Template // by page file name, e.g. "persons.html"
	assets map[string]asset              // by hashed name, e.g. "app.1a2b3c4d5e.css"
	urls   map[string]string             // logical name → URL path
	msgs   map[string]map[string]string  // lang → key → text
}

type asset struct {
	body  []byte
	ctype string
}

// newEngine parses every template and hashes every static file, so that
// a broken template stops the server at start rather than on first use.
func newEngine(tree *region.Tree) (*engine, error) {
	u := &engine{pages: map[string]*template.Template{}, assets: map[string]asset{}, urls: map[string]string{}}
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
func (u *engine) loadMessages() error {
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

func (u *engine) funcs(tree *region.Tree) template.FuncMap {
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
		// cdate writes a date (a Date, or ISO text) as formal papers do in
		// Chinese, 2026年12月5日, and as ISO text in English.
		"cdate": func(lang string, d any) string {
			var s string
			switch x := d.(type) {
			case date.Date:
				s = x.String()
			case string:
				s = x
			}
			if lang == "en" {
				return s
			}
			return date.Chinese(s)
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(date.Beijing).Format("2006-01-02 15:04")
		},
		"tr":          tr,
		"add":         func(a, b int) int { return a + b },
		"sub":         func(a, b int) int { return a - b },
		"programName": policy.ProgramName,
		// ruleVersion names the rule layers a decision applied
		// ("national@1+34@1") by their regions and versions.
		"ruleVersion": func(lang, v string) string { return ruleVersionText(tree, lang, v) },
		// auditHref links an audit entry's object to its page ("" when it
		// has none).
		"auditHref": auditHref,
		// auditWord names an audit entry's action or entity (kind), with a
		// neutral word when the code has none, so no code shows.
		"auditWord": func(t map[string]string, kind, v string) string {
			if s, ok := t[kind+"."+v]; ok || v == "" {
				return s
			}
			return t[kind+".other"]
		},
		// auditObject shows an audit entry's object ID: region codes by
		// their names, internal words left out.
		"auditObject": func(id string) string { return auditObject(tree, id) },
		// program names a program in the page's language.
		"program": func(lang, code string) string { return policy.BuiltinPrograms().Name(code, lang) },
		"list":    func(xs ...string) []string { return xs },
		"redact":  web.RedactIDs,
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

// render executes page with v and writes it with status. The page is
// rendered into a buffer first, so a template error is a clean 500.
func (h *Handler) render(w http.ResponseWriter, status int, page string, v *view) error {
	t, ok := h.eng.pages[page]
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
	a, ok := h.eng.assets[r.PathValue("name")]
	if !ok {
		return apperr.NotFoundf("没有这个文件", "no such file")
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write(a.body)
	return err
}

// ruleVersionText writes a rule version ("national@1+34@2", the layers a
// decision applied) in words: 国家规则第1版、安徽省规则第2版.
func ruleVersionText(tree *region.Tree, lang, v string) string {
	var parts []string
	for _, l := range strings.Split(v, "+") {
		where, n, ok := strings.Cut(l, "@")
		if !ok {
			parts = append(parts, l)
			continue
		}
		name := where
		if where == "national" {
			name = map[bool]string{true: "National", false: "国家"}[lang == "en"]
		} else if len(where) <= 6 && len(where)%2 == 0 {
			if d, ok := tree.Lookup(region.Code(where + strings.Repeat("0", 6-len(where)))); ok {
				name = d.Name
			}
		}
		if lang == "en" {
			parts = append(parts, name+" rules, version "+n)
		} else {
			parts = append(parts, name+"规则第"+n+"版")
		}
	}
	sep := "、"
	if lang == "en" {
		sep = "; "
	}
	return strings.Join(parts, sep)
}

// auditHref returns the page of the object an audit entry is about, or
// "" when it has no page of its own.
// auditObject shows id, an audit entry's EntityID, on a page: each part
// that is a region code (341523, 341523/12, 341523@3) by the region's
// name, and nothing for an internal word (a read of a list, a parameter's
// name, the kind and level in case/13/village).
func auditObject(tree *region.Tree, id string) string {
	var out []string
	for _, p := range strings.FieldsFunc(id, func(r rune) bool { return r == '/' || r == '@' }) {
		switch n := tree.FullName(region.Code(p)); {
		case internalWord.MatchString(p):
		case n != "" && len(p) >= 6:
			out = append(out, n)
		default:
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// internalWord is the shape of a code word rather than a number.
var internalWord = regexp.MustCompile(`^[a-z][a-z_.]*$`)

func auditHref(e audit.Entry) string {
	id := e.EntityID
	if id == "" || strings.ContainsAny(id, " ?#&") {
		return ""
	}
	county := e.County
	if c, rest, ok := strings.Cut(id, "/"); ok {
		county, id = c, rest
	}
	if len(county) != 6 {
		return ""
	}
	switch e.Entity {
	case "person":
		return "/persons/" + county + "/" + id
	case "case":
		return "/cases/" + county + "/" + id
	case "payment_cycle":
		return "/payments/cycles/" + county + "/" + id
	case "payment_batch":
		return "/payments/batches/" + county + "/" + id
	case "annual_review":
		return "/roll/annual-review/" + county + "/" + id
	}
	return ""
}

// tr translates a coded value: tr(t, "sex", "M") (in a template, tr $.T
// "sex" "M") is t["sex.M"], or the value itself when there is no such key.
func tr(t map[string]string, prefix, v string) string {
	if s, ok := t[prefix+"."+v]; ok {
		return s
	}
	return v
}
