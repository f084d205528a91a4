package api

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// regionJSON is a division as the API shows it.
type regionJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Level     string `json:"level"`
	LevelName string `json:"level_name"`
	Parent    string `json:"parent"`
	FullName  string `json:"full_name,omitempty"`
}

func (h *Handler) toRegionJSON(d region.Division, full bool) regionJSON {
	j := regionJSON{Code: string(d.Code), Name: d.Name, Level: d.Level.String(), LevelName: d.Level.Chinese(), Parent: string(d.Parent)}
	if full {
		j.FullName = h.tree.FullName(d.Code)
	}
	return j
}

func (h *Handler) toRegionsJSON(ds []region.Division) []regionJSON {
	out := make([]regionJSON, len(ds))
	for i, d := range ds {
		out[i] = h.toRegionJSON(d, false)
	}
	return out
}

// division looks the path's {code} up in the tree.
func (h *Handler) division(r *http.Request) (region.Division, error) {
	c, err := web.ParseRegion("code", r.PathValue("code"))
	if err != nil {
		return region.Division{}, err
	}
	d, ok := h.tree.Lookup(c)
	if !ok {
		return region.Division{}, apperr.NotFoundf("区划 %s 不存在", "there is no division %s", c)
	}
	return d, nil
}

func (h *Handler) getRegion(w http.ResponseWriter, r *http.Request) error {
	d, err := h.division(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"region": h.toRegionJSON(d, true)})
	return nil
}

func (h *Handler) regionChildren(w http.ResponseWriter, r *http.Request) error {
	var kids []region.Division
	if c := r.PathValue("code"); c == "000000" || c == "0" {
		kids = h.tree.Children("")
	} else {
		d, err := h.division(r)
		if err != nil {
			return err
		}
		// A picker offers the divisions in force today, with the
		// changes recorded for the county.
		if kids, err = h.app.DivisionsToday(r.Context(), d.Code); err != nil {
			return err
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"regions": h.toRegionsJSON(kids)})
	return nil
}

func (h *Handler) regionAncestors(w http.ResponseWriter, r *http.Request) error {
	d, err := h.division(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"regions": h.toRegionsJSON(h.tree.Ancestors(d.Code))})
	return nil
}

// searchRegions finds divisions by name within a subtree (the whole
// country by default).
func (h *Handler) searchRegions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	query := q.Get("q")
	if query == "" {
		return apperr.Invalidf("q", "请输入要查找的区划名称", "the query q is required")
	}
	var within region.Code
	if s := q.Get("within"); s != "" {
		c, err := web.ParseRegion("within", s)
		if err != nil {
			return err
		}
		within = c
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return apperr.Invalidf("limit", "limit 须为1至500", "limit must be between 1 and 500")
		}
		limit = n
	}
	found, err := h.app.InForceToday(r.Context(), h.tree.Search(query, within, limit))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"regions": h.toRegionsJSON(found)})
	return nil
}
