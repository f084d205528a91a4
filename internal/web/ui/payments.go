package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The finance officer's pages: payment cycles with their supplementary
// runs, batches with their maker–checker approval, bank files and return
// files, retries, the funds ledger, the 库册一致 report and the
// notification letters, one file per page (payment_*.go). Each page
// makes one call to the use-case layer, which enforces the permissions,
// the county scope and the separation of maker and checker, and audits
// every refusal; a page only hides what would be refused.

// bankName names a bank in lang.
func bankName(code, lang string) string {
	b, ok := payment.BankByCode(code)
	switch {
	case !ok:
		return code
	case lang == "en":
		return b.EN
	}
	return b.Name
}

// bankNames names every bank in lang, by code.
func bankNames(lang string) map[string]string {
	m := map[string]string{}
	for _, b := range payment.Banks {
		m[b.Code] = bankName(b.Code, lang)
	}
	return m
}

// payPath is the page of a county's payment entity: kind is "cycles",
// "batches" or "lines".
func payPath(kind, county string, id int64) string {
	return "/payments/" + kind + "/" + county + "/" + strconv.FormatInt(id, 10)
}

// cycleRow is one line of the cycle list.
type cycleRow struct {
	payment.Cycle
	ProgramName string
}

// paymentsPage lists the county's payment cycles and, for the finance
// officer, offers the form that generates one.
func (h *Handler) paymentsPage(w http.ResponseWriter, r *http.Request) error {
	if scope := web.Actor(r).Scope; r.URL.Query().Get("county") == "" && h.tree.County(scope) == "" {
		// Above a county (a city, a province): pick one of its counties.
		if err := web.Require(h.app, r, auth.PermPaymentRead, app.Target{Entity: "payment_cycle", Region: scope}); err != nil {
			return err
		}
		v := h.newView(w, r, "pay_cycles_title")
		v.Data = map[string]any{"Counties": h.countiesIn(scope)}
		return h.render(w, http.StatusOK, "payments.html", v)
	}
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycles_title")
	if v.F("period") == "" {
		v.Form.Set("period", strconv.Itoa(date.Today(h.now()).Year()))
	}
	if err := h.paymentsData(r, v, county); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "payments.html", v)
}

// countiesIn lists the counties within scope, a prefecture, a province or
// the whole country, in code order.
func (h *Handler) countiesIn(scope region.Code) []region.Division {
	var out []region.Division
	var walk func(c region.Code, depth int)
	walk = func(c region.Code, depth int) {
		for _, d := range h.tree.Children(c) {
			switch {
			case d.Level == region.County || h.tree.County(d.Code) == d.Code:
				out = append(out, d)
			case depth < 2:
				walk(d.Code, depth+1)
			}
		}
	}
	walk(scope, 0)
	return out
}

func (h *Handler) paymentsData(r *http.Request, v *view, county string) error {
	q := r.URL.Query()
	f := payment.CycleFilter{Program: q.Get("program")}
	if s := q.Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
		f.Year = y
	}
	list, err := h.app.Cycles(r.Context(), web.Actor(r), county, f, v.Lang)
	if err != nil {
		return err
	}
	// Newest first: the list is read from the top.
	rows := make([]cycleRow, 0, len(list.Cycles))
	for i := len(list.Cycles) - 1; i >= 0; i-- {
		c := list.Cycles[i]
		rows = append(rows, cycleRow{Cycle: c, ProgramName: list.Names[c.Program]})
	}
	// A pension contribution is paid to the social-insurance office, not
	// in a cycle: it is left out of the programs to generate, and named.
	var payable, contrib []string
	for _, p := range list.Programs {
		if slices.Contains(list.Contributions, p) {
			contrib = append(contrib, list.Names[p])
		} else {
			payable = append(payable, p)
		}
	}
	v.Data = map[string]any{"County": county, "Rows": rows, "Programs": list.Programs, "Payable": payable, "Names": list.Names,
		"Contributions": strings.Join(contrib, "、"), "Filter": map[string]string{"program": f.Program, "year": q.Get("year")}}
	return nil
}

// cycleCreateSubmit generates a payment cycle.
func (h *Handler) cycleCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county := strings.TrimSpace(r.PostFormValue("county"))
	if county == "" {
		county = string(h.tree.County(web.Actor(r).Scope))
	}
	v := h.newView(w, r, "pay_cycles_title")
	for _, f := range []string{"program", "period"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	c, _, err := h.app.GenerateCycle(r.Context(), web.Actor(r), payment.CycleRequest{County: county, Program: v.F("program"), Period: v.F("period")})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.paymentsData(r, v, county); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "payments.html", v)
	}
	redirectDone(w, r, payPath("cycles", c.County, c.ID), "cycle_created")
	return nil
}
