package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The rules page: the rule layers that apply within the user's scope,
// each citing the documents it comes from; to a county, city or province,
// the form of its own level's parameters (built from the declarations in
// policy.Params: labels, units, ranges, help), whose change is previewed
// — who gains or loses, and the money, by township and program — and
// saved only on confirmation; the withdrawal of a stored layer, with a
// reason, also previewed first; and the comparison of two versions. The
// rule text (JSON) remains as an advanced view.

// rulesPage is GET /rules.
func (h *Handler) rulesPage(w http.ResponseWriter, r *http.Request) error {
	infos, err := h.app.RulesInForce(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rules.title")
	d := h.rulesData(r, v, infos)
	if d.Propose {
		year := date.Today(h.now()).Year()
		v.Form.Set("layer", exampleLayer(web.Actor(r), layersOf(infos), year, d.Names))
		v.Form.Set("county", string(h.firstCounty(web.Actor(r).Scope)))
		v.Form.Set("year", strconv.Itoa(year))
		v.Form.Set("from", date.Of(year, time.January, 1).String())
		v.Form.Set("title", d.Names[d.Own]+"：政策参数调整")
		if v.Lang == "en" {
			v.Form.Set("title", d.Names[d.Own]+": parameters changed")
		}
		if err := h.ruleForm(r, v, d); err != nil {
			return err
		}
	}
	return h.render(w, http.StatusOK, "rules.html", v)
}

// rulesView is the data of the rules page.
type rulesView struct {
	Layers  []layerView
	Names   map[string]string // region prefix → full name
	Propose bool
	Own     string
	OwnName string
	// Form: the programs' parameters (and the region's), the versions of
	// the own level that may be superseded, the counties to preview in.
	Family   []paramRow
	Programs []programForm
	Versions []int
	Counties []countyOption
	// After a preview: the report, what was previewed, and whether the
	// form or the rule text was.
	Impact   *impactView
	JSONMode bool
	// Withdraw is the stored layer whose withdrawal is being confirmed.
	Withdraw *layerView
	// Diff lists the regions with more than one version, for the
	// comparison form.
	Diff []diffRegion
}

// layerView is a rule layer as the page shows it.
type layerView struct {
	app.LayerInfo
	Name      string // "舒城县第2版"
	FromWords string
	Citations []string
	Programs  []programView
	Params    []paramValue
	Own       bool // a stored layer of the user's own level, in force: it may be withdrawn
}

type programView struct {
	Name       string
	Basis      []string // the documents that establish the program
	Remove     bool
	Params     []paramValue
	Clauses    []string
	Rates      []rateView
	Increments []string
}

type paramValue struct{ Label, Value string }

type rateView struct {
	policy.Rate
	FromWords, TierName string
}

type countyOption struct{ Code, Name string }

type diffRegion struct {
	Region, Name string
	Versions     []int
}

// paramRow is one field of the rules form.
type paramRow struct {
	Name, Field, Label, Unit, Help, Range, Kind string
	Prefill                                     string // the value in force as the field holds it
	Min, Max                                    int
	MinDate, MaxDate                            string
	Choices                                     []paramChoice
	Current, From                               string // the value in force, in words, and the layer that set it
}

type paramChoice struct{ Code, Name string }

type programForm struct {
	Code, Name string
	Rows       []paramRow
	Open       bool
}

// impactView is an impact report with township and program names.
type impactView struct {
	CountyName, Change string
	Year, Persons      int
	Rows, Programs     []impactRowView
	Total              policy.ImpactRow
}

type impactRowView struct {
	policy.ImpactRow
	TownshipName, ProgramName string
}

// layersOf returns the layers of infos.
func layersOf(infos []app.LayerInfo) []policy.Layer {
	out := make([]policy.Layer, len(infos))
	for i, l := range infos {
		out[i] = l.Layer
	}
	return out
}

// rulesData fills v.Data with the layers that apply within the actor's
// scope and whether the actor may change its own level's rules.
func (h *Handler) rulesData(r *http.Request, v *view, infos []app.LayerInfo) *rulesView {
	a := web.Actor(r)
	prefix, _ := a.Scope.Prefix()
	var shown []app.LayerInfo
	for _, l := range infos {
		// A layer applies here when it covers the scope (an ancestor) or
		// lies within it (a county of a prefecture's scope).
		if strings.HasPrefix(prefix, l.Region) || prefix != "" && strings.HasPrefix(l.Region, prefix) || prefix == "" {
			shown = append(shown, l)
		}
	}
	slices.SortStableFunc(shown, func(x, y app.LayerInfo) int {
		if c := len(x.Region) - len(y.Region); c != 0 {
			return c
		}
		if c := strings.Compare(x.Region, y.Region); c != 0 {
			return c
		}
		return x.Version - y.Version
	})
	d := &rulesView{Names: map[string]string{}, Own: prefix}
	for _, l := range shown {
		d.Names[l.Region] = h.regionWords(l.Region, v)
	}
	if prefix != "" {
		d.Names[prefix] = h.tree.FullName(a.Scope)
	}
	d.OwnName = d.Names[prefix]
	// The form is offered to a user who may add layers for a level of its
	// own (policy.CanEditLayer decides again when the layer is saved), so
	// a user without a level gets none.
	d.Propose = auth.Can(a, auth.PermRulesManage) && prefix != ""
	programs, _ := h.app.ProgramList(r.Context(), a)
	docs := map[string]policy.Document{}
	for _, l := range infos {
		for _, doc := range l.Documents {
			docs[doc.ID] = doc
		}
	}
	versions := map[string][]int{}
	for _, l := range shown {
		lv := layerView{LayerInfo: l, Name: layerWords(d.Names[l.Region], l.Version, v.Lang), FromWords: dateWords(l.From, v.Lang)}
		lv.Own = d.Propose && !l.Builtin && !l.Withdrawn && l.Region == prefix
		lv.Citations = citations(l.Documents, v.Lang)
		for _, k := range sortedParams(l.Params) {
			lv.Params = append(lv.Params, paramValue{paramLabel(k, v.Lang), policy.ParamValue(k, l.Params[k], v.Lang)})
		}
		for _, p := range l.Programs {
			pv := programView{Name: programs.Name(p.Code, v.Lang), Remove: p.Remove}
			for _, rt := range p.Rates {
				pv.Rates = append(pv.Rates, rateView{rt, dateWords(rt.From, v.Lang), policy.RateTiers.Name(rt.Tier, v.Lang)})
			}
			if p.Name != "" {
				pv.Name = p.Name
				if v.Lang == "en" && p.NameEN != "" {
					pv.Name = p.NameEN
				}
			}
			for _, k := range sortedParams(p.Params) {
				pv.Params = append(pv.Params, paramValue{paramLabel(k, v.Lang), policy.ParamValue(k, p.Params[k], v.Lang)})
			}
			for _, id := range docIDs(p.Doc) {
				if doc, ok := docs[id]; ok {
					pv.Basis = append(pv.Basis, doc.Citation(v.Lang))
				}
			}
			for _, c := range p.Clauses {
				text := c.Text
				if v.Lang == "en" && c.TextEN != "" {
					text = c.TextEN
				}
				if c.Drop {
					text = v.T["rules_clause_dropped"]
				}
				text = policy.Statement(text, p.Params, v.Lang)
				if cite := shortCites(c.Doc, docs, v); cite != "" && !c.Drop {
					text += cite
				}
				pv.Clauses = append(pv.Clauses, text)
			}
			for _, in := range p.Increments {
				pv.Increments = append(pv.Increments, incrementWords(in, v))
			}
			lv.Programs = append(lv.Programs, pv)
		}
		d.Layers = append(d.Layers, lv)
		versions[l.Region] = append(versions[l.Region], l.Version)
		if lv.Own {
			d.Versions = append(d.Versions, l.Version)
		}
	}
	for _, l := range shown {
		if vs := versions[l.Region]; len(vs) > 1 && !slices.ContainsFunc(d.Diff, func(x diffRegion) bool { return x.Region == l.Region }) {
			d.Diff = append(d.Diff, diffRegion{Region: regionParam(l.Region), Name: d.Names[l.Region], Versions: vs})
		}
	}
	v.Data = d
	return d
}

// regionParam writes a layer's region for a form: "national" for the
// national baseline.
func regionParam(reg string) string {
	if reg == "" {
		return "national"
	}
	return reg
}

// regionWords names a layer's region: 全国, or the full name of the
// division its prefix names.
func (h *Handler) regionWords(reg string, v *view) string {
	if reg == "" {
		return v.T["national"]
	}
	return h.tree.FullName(region.Code(reg + strings.Repeat("0", max(0, 6-len(reg)))))
}

// layerWords names a version of a region's rules: 舒城县第2版.
func layerWords(name string, version int, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("%s, version %d", name, version)
	}
	return fmt.Sprintf("%s第%d版", name, version)
}

// versionWords turns a rule-version name ("34@1", "national@1") into
// words.
func (h *Handler) versionWords(name string, v *view) string {
	reg, n, ok := strings.Cut(name, "@")
	ver, err := strconv.Atoi(n)
	if !ok || err != nil {
		return ""
	}
	if reg == "national" {
		reg = ""
	}
	return layerWords(h.regionWords(reg, v), ver, v.Lang)
}

// citations renders the documents a layer cites.
func citations(docs []policy.Document, lang string) []string {
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.Citation(lang))
	}
	return out
}

func sortedParams(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// paramLabel is the label of a parameter with its unit.
func paramLabel(name, lang string) string {
	s, ok := policy.ParamOf(name)
	if !ok {
		return name
	}
	return s.Label(lang)
}

// docIDs splits a citation ("a" or "a,b") into document IDs.
func docIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// shortCites cites the documents ids names briefly, after a clause:
// （依据：国办发〔2004〕21号）, the title where the number was not found.
func shortCites(ids string, docs map[string]policy.Document, v *view) string {
	var parts []string
	for _, id := range docIDs(ids) {
		doc, ok := docs[id]
		if !ok {
			continue
		}
		switch {
		case doc.Number != "":
			parts = append(parts, doc.Number)
		case v.Lang == "en":
			parts = append(parts, doc.Title)
		default:
			parts = append(parts, "《"+strings.Trim(doc.Title, "《》")+"》")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if v.Lang == "en" {
		return " (" + v.T["rules_basis"] + ": " + strings.Join(parts, "; ") + ")"
	}
	return "（" + v.T["rules_basis"] + "：" + strings.Join(parts, "；") + "）"
}

// incrementWords describes an increment: its text, amount, payer and
// dates.
func incrementWords(in policy.Increment, v *view) string {
	var b strings.Builder
	if in.Text != "" {
		b.WriteString(in.Text + v.T["rules_colon"])
	}
	if in.PctOfBase > 0 {
		fmt.Fprintf(&b, v.T["rules_pct_of_base"], in.PctOfBase)
	} else {
		b.WriteString(v.T["per."+in.Per] + " " + in.Fen.String() + " " + v.T["yuan"])
	}
	b.WriteString(v.T["rules_comma"] + policy.FundingLevels.Name(in.Payer, v.Lang) + v.T["rules_pays"])
	b.WriteString(v.T["rules_comma"] + v.T["from"] + " " + dateWords(in.From, v.Lang))
	if !in.To.IsZero() {
		b.WriteString(" " + v.T["rules_until"] + " " + dateWords(in.To, v.Lang))
	}
	return b.String()
}

// dateWords is a date as the page shows it: 2024年1月1日, or ISO in
// English.
func dateWords(d date.Date, lang string) string {
	if lang == "en" {
		return d.String()
	}
	return d.Chinese()
}

// ruleForm fills the form of the own level's parameters: the county and
// year to preview in (the form's values in force are those of that
// county), the programs with their declared parameters, the versions that
// may be superseded.
func (h *Handler) ruleForm(r *http.Request, v *view, d *rulesView) error {
	a := web.Actor(r)
	d.Counties = h.counties(a.Scope)
	// The form shows the values in force in the county to preview in; a
	// county outside the user's scope is left for the preview to refuse.
	county := v.F("county")
	if !slices.ContainsFunc(d.Counties, func(c countyOption) bool { return c.Code == county }) {
		county = string(h.firstCounty(a.Scope))
		if v.F("county") == "" {
			v.Form.Set("county", county)
		}
	}
	year, err := strconv.Atoi(v.F("year"))
	if err != nil || app.CheckYear(year) != nil {
		year = date.Today(h.now()).Year()
		v.Form.Set("year", strconv.Itoa(year))
	}
	s, err := h.app.RuleForm(r.Context(), a, county, year)
	if err != nil {
		return err
	}
	fill := func(prefix string, f policy.ParamField) paramRow {
		row := paramRow{Name: f.Name, Field: prefix + f.Name, Prefill: f.FormText(f.Value), Label: f.Label(v.Lang), Unit: f.Unit(v.Lang), Help: f.Help(v.Lang), Range: f.Range(v.Lang),
			Kind: f.Kind, Min: f.Min, Max: f.Max, MinDate: f.MinDate, MaxDate: f.MaxDate}
		if f.Kind == policy.KindFen {
			row.Min, row.Max = f.Min/100, f.Max/100
		}
		for _, c := range f.Choices {
			row.Choices = append(row.Choices, paramChoice{c.Code, c.Name(v.Lang)})
		}
		if f.Value != nil {
			row.Current = policy.ParamValue(f.Name, f.Value, v.Lang)
			if f.Kind == policy.KindDate {
				if dd, err := date.Parse(fmt.Sprint(f.Value)); err == nil {
					row.Current = dateWords(dd, v.Lang)
				}
			}
		} else {
			row.Current = v.T["rules_not_set"]
		}
		if f.Layer != "" {
			row.From = h.versionWords(f.Layer, v)
		} else {
			row.From = v.T["rules_default"]
		}
		if _, posted := v.Form[row.Field]; !posted {
			v.Form.Set(row.Field, f.FormText(f.Value))
		}
		return row
	}
	for _, f := range s.Family {
		d.Family = append(d.Family, fill("f.", f))
	}
	for _, p := range s.Programs {
		pf := programForm{Code: p.Code, Name: p.Name}
		if v.Lang == "en" && p.NameEN != "" {
			pf.Name = p.NameEN
		}
		for _, f := range p.Params {
			row := fill("p."+p.Code+".", f)
			if v.Errors[row.Field] != "" || v.F(row.Field) != f.FormText(f.Value) {
				pf.Open = true
			}
			pf.Rows = append(pf.Rows, row)
		}
		d.Programs = append(d.Programs, pf)
	}
	return nil
}

// counties lists the counties of scope, with their names, for the
// preview.
func (h *Handler) counties(scope region.Code) []countyOption {
	var out []countyOption
	var walk func(c region.Code)
	walk = func(c region.Code) {
		if h.tree.County(c) == c {
			out = append(out, countyOption{string(c), h.tree.FullName(c)})
			return
		}
		for _, d := range h.tree.Children(c) {
			walk(d.Code)
		}
	}
	if scope != "" {
		walk(scope)
	}
	return out
}

// rulesSubmit is POST /rules: a county, city or province user changes its
// own level's rules. The change comes from the form (parameters whose
// value differs from the one in force; the document it rests on; the
// version it supersedes, with the reason) or, in the advanced view, from
// the rule text (field layer). action=preview checks the change and shows
// its impact on a county (nothing is stored) with the button that
// confirms it; action=save stores it (validated, audited). Errors are
// shown next to the form's fields.
func (h *Handler) rulesSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	infos, err := h.app.RulesInForce(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rules.title")
	for k, vals := range r.PostForm {
		if k != "action" {
			v.Form[k] = slices.Clone(vals)
		}
	}
	d := h.rulesData(r, v, infos)
	if !d.Propose {
		return apperr.Forbiddenf("无权修改政策规则", "you may not change rules")
	}
	d.JSONMode = strings.TrimSpace(v.F("layer")) != ""
	if err := h.ruleForm(r, v, d); err != nil {
		return err
	}
	action := r.PostFormValue("action")
	ch, err := h.formChange(r, v, d, infos)
	if err == nil {
		year, _ := strconv.Atoi(v.F("year"))
		digest := changeDigest(ch, v.F("county"), year)
		if action == "save" && v.F("previewed") != digest {
			// Saved only as previewed: a change not previewed, or changed
			// since, is previewed again for the user to confirm.
			action = "preview"
			v.Notice = v.T["rules_preview_changed"]
		}
		if action == "save" {
			if ch.Withdraw > 0 {
				err = h.app.SupersedeLayer(r.Context(), web.Actor(r), ch.Withdraw, ch.Add, ch.Reason)
			} else {
				err = h.app.SaveLayer(r.Context(), web.Actor(r), ch.Add)
			}
			if err == nil {
				redirectDone(w, r, "/rules", "layer_saved")
				return nil
			}
		} else {
			var rep policy.ImpactReport
			rep, err = h.app.PreviewChange(r.Context(), web.Actor(r), ch, app.EvalOptions{Region: v.F("county"), Year: year})
			if err == nil {
				d.Impact = h.impactView(r, v, rep, ch)
				v.Form.Set("previewed", digest)
			}
		}
	}
	status := http.StatusOK
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if ch != nil && ch.Add != nil && !d.JSONMode {
			formFields(v, ch.Add)
		}
		status = http.StatusUnprocessableEntity
		// Show the form again with the fields at fault opened.
		d.Family, d.Programs = nil, nil
		if err := h.ruleForm(r, v, d); err != nil {
			return err
		}
	}
	return h.render(w, status, "rules.html", v)
}

// formChange builds the change the form (or the rule text) asks for.
func (h *Handler) formChange(r *http.Request, v *view, d *rulesView, infos []app.LayerInfo) (*app.LayerChange, error) {
	ch := &app.LayerChange{}
	if sup := v.F("supersedes"); sup != "" && sup != "0" {
		n, err := strconv.Atoi(sup)
		if err != nil || !slices.Contains(d.Versions, n) {
			return ch, apperr.Invalidf("supersedes", "请选择要替代的版本", "choose the version to supersede")
		}
		ch.Withdraw, ch.Region, ch.Reason = n, d.Own, v.F("reason")
	}
	if d.JSONMode {
		l, err := policy.ParseLayer([]byte(v.F("layer")))
		if err != nil {
			return ch, err
		}
		ch.Add = l
		return ch, nil
	}
	var problems apperr.List
	bad := func(err error) {
		if e, ok := apperr.As(err); ok {
			problems = append(problems, e)
		}
	}
	l := &policy.Layer{Region: d.Own, Version: nextVersion(infos, d.Own), Title: strings.TrimSpace(v.F("title"))}
	ch.Add = l
	if l.Title == "" {
		bad(apperr.Invalidf("title", "请填写标题", "give a title"))
	}
	if from, err := date.Parse(v.F("from")); err != nil || from.IsZero() {
		bad(apperr.Invalidf("from", "生效日期应为日期，如2025-01-01", "the date it takes effect must be a date such as 2025-01-01"))
	} else {
		l.From = from
	}
	doc := policy.Document{ID: "basis", Issuer: strings.TrimSpace(v.F("doc_issuer")), Number: strings.TrimSpace(v.F("doc_number")),
		Title: strings.TrimSpace(v.F("doc_title")), Date: strings.TrimSpace(v.F("doc_date"))}
	if doc.Issuer != "" || doc.Number != "" || doc.Title != "" || doc.Date != "" {
		if doc.Issuer == "" {
			bad(apperr.Invalidf("doc_issuer", "请填写发文机关", "give the issuing body"))
		}
		if doc.Title == "" {
			bad(apperr.Invalidf("doc_title", "请填写文件标题", "give the document's title"))
		}
		if doc.Date != "" {
			if _, err := date.Parse(doc.Date); err != nil {
				bad(apperr.Invalidf("doc_date", "印发日期应为日期，如2025-01-01", "the date of issue must be a date such as 2025-01-01"))
			}
		}
		l.Documents = []policy.Document{doc}
	}
	for _, row := range d.Family {
		name := strings.TrimPrefix(row.Field, "f.")
		h.readParam(v, row, bad, func(x any) {
			if l.Params == nil {
				l.Params = map[string]any{}
			}
			l.Params[name] = x
		})
	}
	for _, p := range d.Programs {
		var pl *policy.ProgramLayer
		for _, row := range p.Rows {
			name := strings.TrimPrefix(row.Field, "p."+p.Code+".")
			h.readParam(v, row, bad, func(x any) {
				if pl == nil {
					l.Programs = append(l.Programs, policy.ProgramLayer{Code: p.Code, Params: map[string]any{}})
					pl = &l.Programs[len(l.Programs)-1]
				}
				pl.Params[name] = x
			})
		}
	}
	if err := problems.Err(); err != nil {
		return ch, err
	}
	if len(l.Params) == 0 && len(l.Programs) == 0 {
		return ch, apperr.Invalidf("", "没有修改任何参数：请在下方修改要调整的参数", "no parameter was changed: change the values you want to adjust below")
	}
	return ch, nil
}

// changeDigest identifies a change previewed in a county and year, so
// that what is saved is what was previewed.
func changeDigest(ch *app.LayerChange, county string, year int) string {
	b, _ := json.Marshal(struct {
		Add      *policy.Layer
		Withdraw int
		County   string
		Year     int
	}{ch.Add, ch.Withdraw, county, year})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// readParam reads the form field of a parameter: a value that differs
// from the one in force is checked against the declaration and set; an
// unchanged or empty field changes nothing.
func (h *Handler) readParam(v *view, row paramRow, bad func(error), set func(any)) {
	text := strings.TrimSpace(v.F(row.Field))
	if text == "" || text == row.Prefill {
		return
	}
	spec, ok := policy.ParamOf(row.Name)
	if !ok {
		return
	}
	val, err := spec.Parse(row.Field, text)
	if err != nil {
		bad(err)
		return
	}
	set(val)
}

// formFields moves the errors a layer's validation gives on its fields
// (programs[0].params.min_age, params.remarriage) to the form's fields
// (p.jf.min_age, f.remarriage).
func formFields(v *view, l *policy.Layer) {
	for k, msg := range v.Errors {
		to := ""
		if name, ok := strings.CutPrefix(k, "params."); ok {
			to = "f." + name
		} else if rest, ok := strings.CutPrefix(k, "programs["); ok {
			i, tail, _ := strings.Cut(rest, "]")
			n, err := strconv.Atoi(i)
			if name, ok := strings.CutPrefix(tail, ".params."); ok && err == nil && n < len(l.Programs) {
				to = "p." + l.Programs[n].Code + "." + name
			}
		}
		if to != "" {
			delete(v.Errors, k)
			v.Errors[to] = msg
		}
	}
}

// nextVersion is the first version number the region has not used, in
// force or withdrawn.
func nextVersion(infos []app.LayerInfo, reg string) int {
	n := 1
	for _, l := range infos {
		if l.Region == reg {
			n = max(n, l.Version+1)
		}
	}
	return n
}

// impactView names the townships and programs of an impact report and
// says what change it is of.
func (h *Handler) impactView(r *http.Request, v *view, rep policy.ImpactReport, ch *app.LayerChange) *impactView {
	list, _ := h.app.ProgramList(r.Context(), web.Actor(r))
	out := &impactView{CountyName: h.tree.FullName(region.Code(rep.County)), Year: rep.Year, Persons: rep.Persons, Total: rep.Total}
	row := func(x policy.ImpactRow) impactRowView {
		rv := impactRowView{ImpactRow: x, ProgramName: list.Name(x.Program, v.Lang)}
		if x.Township == "" {
			rv.TownshipName = v.T["rules_township_unknown"]
		} else if d, ok := h.tree.Lookup(region.Code(x.Township + "000")); ok {
			rv.TownshipName = d.Name
		} else {
			rv.TownshipName = x.Township
		}
		return rv
	}
	for _, x := range rep.Rows {
		out.Rows = append(out.Rows, row(x))
	}
	for _, x := range rep.Programs {
		out.Programs = append(out.Programs, row(x))
	}
	name := h.regionWords(ch.Region, v)
	switch {
	case ch.Add != nil && ch.Withdraw > 0:
		out.Change = fmt.Sprintf(v.T["rules_change_supersede"], layerWords(h.regionWords(ch.Add.Region, v), ch.Add.Version, v.Lang), layerWords(name, ch.Withdraw, v.Lang))
	case ch.Add != nil:
		out.Change = fmt.Sprintf(v.T["rules_change_add"], layerWords(h.regionWords(ch.Add.Region, v), ch.Add.Version, v.Lang))
	default:
		out.Change = fmt.Sprintf(v.T["rules_change_withdraw"], layerWords(name, ch.Withdraw, v.Lang))
	}
	return out
}

// rulesWithdraw is POST /rules/withdraw: a stored layer of the user's own
// level is taken out of force. action=preview shows the impact of its
// withdrawal on a county, with the reason field and the button that
// confirms it; action=withdraw withdraws it (the reason is required;
// audited).
func (h *Handler) rulesWithdraw(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	reg := r.PostFormValue("region")
	if reg == "national" {
		reg = ""
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 1 {
		return apperr.Invalidf("version", "请选择要撤回的版本", "choose the version to withdraw")
	}
	reason := r.PostFormValue("reason")
	infos, err := h.app.RulesInForce(r.Context(), a)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rules.title")
	v.Form.Set("reason", reason)
	d := h.rulesData(r, v, infos)
	for i := range d.Layers {
		if d.Layers[i].Region == reg && d.Layers[i].Version == version {
			d.Withdraw = &d.Layers[i]
		}
	}
	if d.Withdraw == nil || !d.Withdraw.Own {
		// Not a layer this user may withdraw here: the use case says why
		// (and audits a refusal).
		if err := h.app.WithdrawLayer(r.Context(), a, reg, version, reason); err != nil {
			return err
		}
		redirectDone(w, r, "/rules", "layer_withdrawn")
		return nil
	}
	county := r.PostFormValue("county")
	if county == "" {
		county = string(h.firstCounty(a.Scope))
	}
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		year = date.Today(h.now()).Year()
	}
	v.Form.Set("county", county)
	v.Form.Set("year", strconv.Itoa(year))
	d.Counties = h.counties(a.Scope)
	status := http.StatusOK
	ch := &app.LayerChange{Region: reg, Withdraw: version, Reason: reason}
	if r.PostFormValue("action") == "withdraw" {
		// Withdraw; a refusal is shown next to the reason.
		err := h.app.WithdrawLayer(r.Context(), a, reg, version, reason)
		if err == nil {
			redirectDone(w, r, "/rules", "layer_withdrawn")
			return nil
		}
		if !formError(v, err) {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	rep, err := h.app.PreviewChange(r.Context(), a, ch, app.EvalOptions{Region: county, Year: year})
	switch {
	case err == nil:
		d.Impact = h.impactView(r, v, rep, ch)
	case formError(v, err):
		status = http.StatusUnprocessableEntity
	default:
		return err
	}
	return h.render(w, status, "rules_withdraw.html", v)
}

// firstCounty is the county in which a user of the scope previews a
// change by default: the scope itself for a county, else its first
// county.
func (h *Handler) firstCounty(scope region.Code) region.Code {
	if scope == "" {
		return ""
	}
	if c := h.tree.County(scope); c == scope {
		return c
	}
	for _, d := range h.tree.Children(scope) {
		if c := h.firstCounty(d.Code); c != "" {
			return c
		}
	}
	return ""
}

// diffView is the comparison page's data.
type diffView struct {
	Region, Name string
	A, B         layerView
	Lines        []policy.DiffLine
	Regions      []diffRegion
	Changed      int
}

// rulesDiff is GET /rules/diff?region=&a=&b=: two versions of a region's
// rules side by side, line by line in words, the changed lines marked.
func (h *Handler) rulesDiff(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := q.Get("region")
	if reg == "national" {
		reg = ""
	}
	va, err1 := strconv.Atoi(q.Get("a"))
	vb, err2 := strconv.Atoi(q.Get("b"))
	if err1 != nil || err2 != nil {
		return apperr.Invalidf("version", "请选择要比较的两个版本", "choose the two versions to compare")
	}
	infos, err := h.app.RulesInForce(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	diff, err := h.app.DiffLayers(r.Context(), web.Actor(r), reg, va, vb, web.Language(r))
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rules.diff_title")
	d := h.rulesData(r, v, infos)
	dv := &diffView{Region: regionParam(reg), Name: h.regionWords(reg, v), Lines: diff.Lines, Regions: d.Diff}
	for _, l := range d.Layers {
		if l.Region == reg && l.Version == va {
			dv.A = l
		}
		if l.Region == reg && l.Version == vb {
			dv.B = l
		}
	}
	for _, l := range diff.Lines {
		if l.Changed {
			dv.Changed++
		}
	}
	v.Form.Set("region", dv.Region)
	v.Form.Set("a", strconv.Itoa(va))
	v.Form.Set("b", strconv.Itoa(vb))
	v.Data = dv
	return h.render(w, http.StatusOK, "rules_diff.html", v)
}

// exampleLayer is the rule text the advanced view starts from: for the
// actor's own level, the next unused version, from 1 January of year,
// raising the minimum age of 奖扶 (jf) by one year over the value in
// force for the region.
func exampleLayer(a auth.Actor, layers []policy.Layer, year int, names map[string]string) string {
	own, _ := a.Scope.Prefix()
	version, minAge := 1, 60
	applied := slices.Clone(layers)
	slices.SortStableFunc(applied, func(x, y policy.Layer) int {
		if c := len(x.Region) - len(y.Region); c != 0 {
			return c
		}
		if c := x.From.Compare(y.From); c != 0 {
			return c
		}
		return x.Version - y.Version
	})
	for _, l := range applied {
		if l.Region == own {
			version = max(version, l.Version+1)
		}
		if !strings.HasPrefix(own, l.Region) || l.From.Year() > year {
			continue
		}
		for _, p := range l.Programs {
			if p.Code != policy.ProgramJF {
				continue
			}
			switch n := p.Params["min_age"].(type) {
			case float64:
				minAge = int(n)
			case int:
				minAge = n
			case json.Number:
				if i, err := n.Int64(); err == nil {
					minAge = int(i)
				}
			}
		}
	}
	l := policy.Layer{Region: own, Version: version, From: date.Of(year, time.January, 1),
		Title:    fmt.Sprintf("%s：奖扶领取年龄调整为%d周岁（示例）", names[own], minAge+1),
		Programs: []policy.ProgramLayer{{Code: policy.ProgramJF, Params: map[string]any{"min_age": minAge + 1}}}}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
