package api

import (
	"fmt"
	"net/http"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// validateIDCard checks a citizen ID number and returns what it encodes.
func (h *Handler) validateIDCard(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDNumber string `json:"id_number"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := idcard.Parse(in.IDNumber)
	if err != nil {
		e := err.(*idcard.Error)
		return &apperr.Error{Kind: apperr.Invalid, Field: "id_number", ZH: e.ZH, EN: e.EN, Err: err}
	}
	y, m, d := n.Birth()
	web.WriteJSON(w, http.StatusOK, map[string]any{
		"valid":        true,
		"id_number":    n.String(),
		"masked":       n.Masked(),
		"birth":        fmt.Sprintf("%04d-%02d-%02d", y, int(m), d),
		"sex":          n.Sex(),
		"address_code": n.Address(),
		"address_name": h.tree.FullName(region.Code(n.Address())),
	})
	return nil
}
