package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/web"
)

// consistencyPage is the 库册一致 report of a cycle: the differences
// between the payment roll and the recipient roll, every roll entry
// without a line with the reason, and, when some are due, the form that
// supplements the cycle.
func (h *Handler) consistencyPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_consistency_title")
	rep, err := h.app.Consistency(r.Context(), web.Actor(r), county, id, v.Lang)
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, d := range rep.Differences {
		kinds[d.Kind]++
	}
	v.Data = map[string]any{"R": rep.Consistency, "Key": county + "/" + strconv.FormatInt(id, 10), "Program": rep.Program,
		"Kinds": kinds, "KindList": payment.DiffKinds}
	return h.render(w, http.StatusOK, "pay_consistency.html", v)
}

// letterPage shows the notification letter (告知书) of one person for one
// cycle, laid out for printing on A4.
func (h *Handler) letterPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	person, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	if pdf, err := web.WantsPDF(r); pdf || err != nil {
		if err != nil {
			return err
		}
		return web.ServeLetterPDF(h.app, w, r, county, id, person)
	}
	v := h.newView(w, r, "pay_letter_title")
	d, err := h.app.LetterContent(r.Context(), web.Actor(r), county, id, person)
	if err != nil {
		return err
	}
	v.Title = d.Title
	v.Data = map[string]any{"L": d, "Key": county + "/" + strconv.FormatInt(id, 10)}
	return h.render(w, http.StatusOK, "pay_letter.html", v)
}
