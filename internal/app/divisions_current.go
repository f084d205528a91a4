package app

import (
	"context"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The divisions in force today (docs/regions.md): what the pickers offer
// and what a new entry may hold. A code a recorded change retired is
// refused for a new entry, with a message naming its successor; an
// imported row that holds one is keyed to the successor.

// retired reports, for a township or village code a recorded change of
// its county retired before today, the code that succeeds it today and
// the message that refuses it; "" and nil for a code in force.
func (a *App) retired(ctx context.Context, tx *store.Tx, field string, code region.Code) (region.Code, error) {
	county := a.tree().County(code)
	if county == "" || code.Level() < region.Township {
		return "", nil
	}
	h, err := a.history(ctx, tx, string(county))
	if err != nil {
		return "", err
	}
	return retiredIn(h, date.Today(tx.Now()).String(), county, field, code)
}

// retiredIn is retired with county's history h read.
func retiredIn(h *region.History, today string, county region.Code, field string, code region.Code) (region.Code, error) {
	if !h.Changed() || h.Valid(code, today) {
		return "", nil
	}
	succ := h.Resolve(code, today)
	if succ == code || !h.Valid(succ, today) {
		return "", nil // not made yet, or unknown to the history
	}
	vs := h.Versions(code)
	last := vs[len(vs)-1]
	gone, now := h.On(dayBefore(last.To)), h.On(today)
	oldName, newName := below(gone, county, code), below(now, county, succ)
	day := date.Chinese(last.To)
	zh := oldName + "已于" + day + "并入" + newName + "，该区划代码已停用，请选择" + newName
	en := oldName + " was merged into " + newName + " on " + last.To
	if code.Level() == region.Village {
		was, _ := gone.Lookup(code)
		is, _ := now.Lookup(succ)
		switch {
		case !h.Valid(was.Parent, today): // its township was merged
			town := h.Resolve(was.Parent, today)
			zh = below(gone, county, was.Parent) + "已于" + day + "并入" + below(now, county, town) + "，" + oldName + "现为" + newName + "，请选择" + newName
			en = below(gone, county, was.Parent) + " was merged into " + below(now, county, town) + " on " + last.To + "; " + oldName + " is now " + newName
		case was.Name == is.Name: // moved under another township
			zh = oldName + "已于" + day + "改隶" + below(now, county, is.Parent) + "，请选择" + newName
			en = oldName + " was moved under " + below(now, county, is.Parent) + " on " + last.To
		}
	}
	return succ, &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: zh,
		EN: en + "; its code is retired: choose " + newName + " (" + string(succ) + ")"}
}

// below is the name of code below its county as v has it (镇 and 村).
func below(v *region.View, county, code region.Code) string {
	full, top := v.FullName(code), v.FullName(county)
	if n := strings.TrimPrefix(full, top); n != "" && full != "" {
		return n
	}
	if d, ok := v.Lookup(code); ok {
		return d.Name
	}
	return string(code)
}

// inForce refuses code (a new entry's division, named by field) when a
// recorded change retired it.
func (a *App) inForce(ctx context.Context, tx *store.Tx, field, code string) error {
	c, err := region.ParseCode(strings.TrimSpace(code))
	if err != nil || c == "" {
		return nil // the domain names a malformed code
	}
	_, err = a.retired(ctx, tx, field, c)
	return err
}

// successors returns a function that gives the code a recorded change
// keyed code to, when a change retired it, and code itself otherwise;
// it reads each county's changes once (an import calls it per row).
func (a *App) successors(ctx context.Context, tx *store.Tx) func(code string) (string, error) {
	hs := map[region.Code]*region.History{}
	today := date.Today(tx.Now()).String()
	return func(code string) (string, error) {
		c, err := region.ParseCode(strings.TrimSpace(code))
		county := a.tree().County(c)
		if err != nil || county == "" || c.Level() < region.Township {
			return code, nil
		}
		h, ok := hs[county]
		if !ok {
			if h, err = a.history(ctx, tx, string(county)); err != nil {
				return "", err
			}
			hs[county] = h
		}
		if succ, _ := retiredIn(h, today, county, "", c); succ != "" {
			return string(succ), nil
		}
		return code, nil
	}
}

// DivisionsToday returns the divisions directly below code as they are
// today, with the changes recorded for its county: what a division
// picker offers. A retired division has none.
func (a *App) DivisionsToday(ctx context.Context, code region.Code) ([]region.Division, error) {
	county := a.tree().County(code)
	if county == "" {
		return a.tree().Children(code), nil
	}
	var out []region.Division
	err := a.db.View(ctx, func(tx *store.Tx) error {
		h, err := a.history(ctx, tx, string(county))
		if err != nil {
			return err
		}
		out = h.On(date.Today(tx.Now()).String()).Children(code)
		return nil
	})
	return out, err
}

// InForceToday keeps of ds the divisions in force today (a search of the
// tree finds retired ones too), reading each county's changes once.
func (a *App) InForceToday(ctx context.Context, ds []region.Division) ([]region.Division, error) {
	out := ds[:0:0]
	err := a.db.View(ctx, func(tx *store.Tx) error {
		today := date.Today(tx.Now()).String()
		hs := map[region.Code]*region.History{}
		for _, d := range ds {
			county := a.tree().County(d.Code)
			if county != "" && d.Code.Level() >= region.Township {
				h, ok := hs[county]
				if !ok {
					var err error
					if h, err = a.history(ctx, tx, string(county)); err != nil {
						return err
					}
					hs[county] = h
				}
				if !h.Valid(d.Code, today) {
					continue
				}
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
