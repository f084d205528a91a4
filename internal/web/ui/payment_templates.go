package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The finance officer's page of bank file templates: for each bank the
// county pays through, the layout of its files (the generic CSV until a
// template is set), and a form that sets one, starting from a built-in
// layout, previews it on a sample batch and saves it.

// templateColumns is how many column fields the form offers beyond the
// layout's own.
const templateColumns = 12

// delimiterNames name the delimiters on the form ("tab" stands for the
// tab, which a form cannot show).
var delimiterNames = map[string]string{"^": "^", "|": "|", ",": ",", ";": ";", "\t": "tab"}

// bankTemplatesPage lists the banks with the layout of their files and,
// with ?bank=, shows the form of that bank's template (prefilled from the
// built-in layout ?from= when given).
func (h *Handler) bankTemplatesPage(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_templates_title")
	q := r.URL.Query()
	if err := h.templatesData(r, v, county, q.Get("bank")); err != nil {
		return err
	}
	d := v.Data.(map[string]any)
	if cur, ok := d["Current"].(*payment.BankTemplateView); ok {
		l := cur.Layout
		if b, ok := payment.Builtin(q.Get("from")); ok {
			l = b
		}
		setLayoutForm(v, l)
		if cur.Template != nil {
			v.Form.Set("version", strconv.Itoa(cur.Template.Version))
		}
	}
	return h.render(w, http.StatusOK, "pay_templates.html", v)
}

// templatesData fills the page's data: the banks' layouts of county and,
// when bank names one, that bank's as Current.
func (h *Handler) templatesData(r *http.Request, v *view, county, bank string) error {
	vs, err := h.app.BankTemplates(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	d := v.Data.(map[string]any)
	d["County"], d["Views"], d["Builtins"] = county, vs, payment.BuiltinLayouts
	d["BankNames"], d["CanEdit"] = bankNames(v.Lang), auth.Can(web.Actor(r), auth.PermPaymentManage)
	d["Columns"], d["Delimiters"], d["DelimiterNames"] = payment.BankColumns, payment.Delimiters, delimiterNames
	d["LinePlaceholders"], d["RemarkPlaceholders"] = payment.LinePlaceholders, payment.RemarkPlaceholders
	for i := range vs {
		if vs[i].Bank.Code == bank {
			d["Current"] = &vs[i]
			n := templateColumns
			if k := len(vs[i].Layout.Columns) + 2; k > n {
				n = k
			}
			slots := make([]string, n)
			for j := range slots {
				slots[j] = strconv.Itoa(j + 1)
			}
			d["Slots"] = slots
		}
	}
	return nil
}

// setLayoutForm fills the form's fields with l.
func setLayoutForm(v *view, l payment.BankLayout) {
	f := v.Form
	f.Set("name", l.Name)
	f.Set("format", l.Format)
	f.Set("delimiter", delimiterNames[l.Delimiter])
	f.Set("encoding", l.Encoding)
	f.Set("line_end", l.LineEnd)
	f.Set("header", l.Header)
	f.Set("footer", l.Footer)
	f.Set("remarks", l.Remarks)
	f.Set("split", l.Split)
	for name, on := range map[string]bool{"titles": l.Titles, "total_row": l.TotalRow, "trailing": l.Trailing} {
		if on {
			f.Set(name, "1")
		}
	}
	for i, c := range l.Columns {
		f.Set("col"+strconv.Itoa(i+1), c)
	}
}

// layoutOf reads a layout from the posted form.
func layoutOf(f url.Values) payment.BankLayout {
	l := payment.BankLayout{Name: f.Get("name"), Format: f.Get("format"), Encoding: f.Get("encoding"), LineEnd: f.Get("line_end"),
		Header: f.Get("header"), Footer: f.Get("footer"), Remarks: f.Get("remarks"), Split: f.Get("split"),
		Titles: f.Get("titles") != "", TotalRow: f.Get("total_row") != "", Trailing: f.Get("trailing") != ""}
	for d, name := range delimiterNames {
		if f.Get("delimiter") == name {
			l.Delimiter = d
		}
	}
	for i := 1; i <= 40; i++ {
		if c := strings.TrimSpace(f.Get("col" + strconv.Itoa(i))); c != "" {
			l.Columns = append(l.Columns, c)
		}
	}
	return l
}

// bankTemplateSubmit previews the posted layout on the sample batch or,
// with action=save, saves it as the template of bank {bank}.
func (h *Handler) bankTemplateSubmit(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	bank := r.PathValue("bank")
	// Only the finance officer sets templates, so only they preview one.
	if err := web.Require(h.app, r, auth.PermPaymentManage, app.Target{Entity: "bank_template", ID: bank, Region: region.Code(county)}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "pay_templates_title")
	v.Form = r.PostForm
	l := layoutOf(r.PostForm)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if r.PostFormValue("action") == "save" {
		_, err = h.app.SetBankTemplate(r.Context(), web.Actor(r), county, bank, l, version)
		if err == nil {
			http.Redirect(w, r, "/payments/bank-templates?county="+county+"&done=template_saved", http.StatusSeeOther)
			return nil
		}
	} else if l, err = l.Validate(); err == nil {
		var files []web.FilePreview
		if files, err = web.BankFilePreview(l, h.tree); err == nil {
			v.Data = map[string]any{"Preview": files}
		}
	}
	status := http.StatusOK
	if err != nil {
		if !formError(v, err) {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	if derr := h.templatesData(r, v, county, bank); derr != nil {
		return derr
	}
	return h.render(w, status, "pay_templates.html", v)
}

// bankTemplateReset removes the template of bank {bank}: its files follow
// the generic layout again.
func (h *Handler) bankTemplateReset(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := h.app.ResetBankTemplate(r.Context(), web.Actor(r), county, r.PathValue("bank"), version); err != nil {
		return err
	}
	http.Redirect(w, r, "/payments/bank-templates?county="+county+"&done=template_reset", http.StatusSeeOther)
	return nil
}
