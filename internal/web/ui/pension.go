package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The county-paid pension contributions list (养老保险代缴名单): a page with
// the year and the format, and the download, which carries full ID
// numbers for the social-insurance office and is audited.

// pensionPage shows the download form.
func (h *Handler) pensionPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermPensionList, app.Target{Entity: "pension_list"}); err != nil {
		return err
	}
	v := h.newView(w, r, "pension_title")
	a := web.Actor(r)
	county := ""
	if c := h.app.Tree().County(a.Scope); c != "" {
		county = string(c)
	}
	v.Form.Set("county", county)
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	v.Data = map[string]any{"County": county}
	return h.render(w, http.StatusOK, "pension.html", v)
}

// pensionFile sends the list.
func (h *Handler) pensionFile(w http.ResponseWriter, r *http.Request) error {
	return web.ServePensionList(h.app, w, r, r.PathValue("county"))
}
