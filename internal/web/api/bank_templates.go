package api

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/web"
)

// listBankTemplates is GET /api/v1/bank-templates/{county}: for every
// bank, the layout of the county's files for it (its template, or the
// generic layout), with the built-in layouts and what a layout may hold.
func (h *Handler) listBankTemplates(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	vs, err := h.app.BankTemplates(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"banks": vs, "builtins": payment.BuiltinLayouts,
		"columns": payment.BankColumns, "delimiters": payment.Delimiters,
		"line_placeholders": payment.LinePlaceholders, "remark_placeholders": payment.RemarkPlaceholders})
	return nil
}

// putBankTemplate is PUT /api/v1/bank-templates/{county}/{bank} with the
// layout and the version read (0 for a bank without a template).
func (h *Handler) putBankTemplate(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Layout  payment.BankLayout `json:"layout"`
		Version int                `json:"version"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.app.SetBankTemplate(r.Context(), web.Actor(r), county, r.PathValue("bank"), in.Layout, in.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"template": t})
	return nil
}

// deleteBankTemplate is DELETE /api/v1/bank-templates/{county}/{bank}?version=:
// the bank's files follow the generic layout again.
func (h *Handler) deleteBankTemplate(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.URL.Query().Get("version"))
	if err != nil || version < 1 {
		return apperr.Invalidf("version", "请给出所读模板的版本号", "give the version of the template read")
	}
	if err := h.app.ResetBankTemplate(r.Context(), web.Actor(r), county, r.PathValue("bank"), version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
