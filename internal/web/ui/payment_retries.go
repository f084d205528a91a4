package ui

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/web"
)

// retryRow is one failed line with its person.
type retryRow struct {
	payment.Retry
	Bank string
}

// retriesPage lists the lines the bank refused, the bank's reason and
// whether the account has been fixed since; the finance officer puts the
// fixed ones into retry batches.
func (h *Handler) retriesPage(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_retries_title")
	if err := h.retriesData(r, v, county); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_retries.html", v)
}

func (h *Handler) retriesData(r *http.Request, v *view, county string) error {
	rs, err := h.app.Retries(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	rows := make([]retryRow, len(rs))
	fixed := 0
	for i, x := range rs {
		if x.Fixed {
			fixed++
		}
		rows[i] = retryRow{Retry: web.MaskRetry(x), Bank: bankName(x.Failed.Bank, v.Lang)}
	}
	v.Data = map[string]any{"County": county, "Rows": rows, "Fixed": fixed}
	return nil
}

// retriesSubmit puts the failed lines whose account was fixed into retry
// batches.
func (h *Handler) retriesSubmit(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	if _, err := h.app.GenerateRetryBatches(r.Context(), web.Actor(r), county); err != nil {
		v := h.newView(w, r, "pay_retries_title")
		if !formError(v, err) {
			return err
		}
		if derr := h.retriesData(r, v, county); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_retries.html", v)
	}
	redirectDone(w, r, "/payments/batches?status=draft", "retry_batches")
	return nil
}
