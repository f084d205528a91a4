package api

import (
	"io"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The special families' API (docs/special-families.md): every route but
// the certificate's verification and the partners' check needs the care
// permission (special.care).

// familyKey reads {county} and {id} of a family's path.
func (h *Handler) familyKey(r *http.Request) (string, int64, error) {
	return web.CountyKey(r, h.tree)
}

// optDate parses an optional YYYY-MM-DD query value.
func optDate(field, s string) (date.Date, error) {
	if s == "" {
		return date.Date{}, nil
	}
	d, err := date.Parse(s)
	if err != nil {
		return d, apperr.Invalidf(field, "日期格式应为YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	return d, nil
}

// listSpecial is GET /api/v1/special/{county}/families.
func (h *Handler) listSpecial(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	sq := special.Query{Region: q.Get("region"), Status: q.Get("status"), Category: q.Get("category"), Limit: 100}
	for _, p := range []struct {
		name string
		v    *int
	}{{"limit", &sq.Limit}, {"offset", &sq.Offset}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 1000 {
				return apperr.Invalidf(p.name, "应为0至1000的整数", "must be a whole number from 0 to 1000")
			}
			*p.v = n
		}
	}
	fs, n, err := h.app.SpecialFamilies(r.Context(), web.Actor(r), county, sq)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"families": fs, "total": n})
	return nil
}

// addSpecial is POST /api/v1/special/{county}/families: a family kept by
// hand.
func (h *Handler) addSpecial(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in special.NewFamily
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.app.AddSpecialFamily(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"family": f})
	return nil
}

// sweepSpecial is POST /api/v1/special/{county}/sweep.
func (h *Handler) sweepSpecial(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	res, err := h.app.SweepSpecial(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// getSpecial is GET /api/v1/special/{county}/families/{id}: the family's
// file.
func (h *Handler) getSpecial(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	f, err := h.app.SpecialFamily(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, f)
	return nil
}

// closeSpecial is POST /api/v1/special/{county}/families/{id}/close.
func (h *Handler) closeSpecial(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int       `json:"version"`
		Date    date.Date `json:"date"`
		Reason  string    `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.app.CloseSpecialFamily(r.Context(), web.Actor(r), county, id, in.Version, in.Date, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"family": f})
	return nil
}

// assignSpecialContact is POST /api/v1/special/{county}/families/{id}/contacts.
func (h *Handler) assignSpecialContact(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	var in special.NewContact
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.AssignSpecialContact(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"contact": c})
	return nil
}

// recordSpecialVisit is POST /api/v1/special/{county}/families/{id}/visits.
func (h *Handler) recordSpecialVisit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	var in special.NewVisit
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := h.app.RecordSpecialVisit(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"visit": v})
	return nil
}

// setSpecialService is POST /api/v1/special/{county}/families/{id}/services.
func (h *Handler) setSpecialService(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	var in struct {
		special.Service
		Version int `json:"version"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.app.SetSpecialService(r.Context(), web.Actor(r), county, id, in.Version, in.Service)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"family": f})
	return nil
}

// raiseSpecialRequest is POST /api/v1/special/{county}/families/{id}/requests.
func (h *Handler) raiseSpecialRequest(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.familyKey(r)
	if err != nil {
		return err
	}
	var in special.NewRequest
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	q, err := h.app.RaiseSpecialRequest(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"request": q})
	return nil
}

// listSpecialRequests is GET /api/v1/special/{county}/requests.
func (h *Handler) listSpecialRequests(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	rs, err := h.app.SpecialRequests(r.Context(), web.Actor(r), county, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"requests": rs})
	return nil
}

// replySpecialRequest is POST /api/v1/special/{county}/requests/{id}/reply.
func (h *Handler) replySpecialRequest(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version int       `json:"version"`
		Date    date.Date `json:"date"`
		Reply   string    `json:"reply"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	q, err := h.app.ReplySpecialRequest(r.Context(), web.Actor(r), county, id, in.Version, in.Date, in.Reply)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"request": q})
	return nil
}

// settleSpecialRequest is POST /api/v1/special/{county}/requests/{id}/settle.
func (h *Handler) settleSpecialRequest(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version   int    `json:"version"`
		Satisfied string `json:"satisfied"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	q, err := h.app.SettleSpecialRequest(r.Context(), web.Actor(r), county, id, in.Version, in.Satisfied)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"request": q})
	return nil
}

// listSpecialChanges is GET /api/v1/special/{county}/changes.
func (h *Handler) listSpecialChanges(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	cs, err := h.app.SpecialChanges(r.Context(), web.Actor(r), county, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"changes": cs})
	return nil
}

// reviewSpecialChange is POST /api/v1/special/{county}/changes/{id}/review.
func (h *Handler) reviewSpecialChange(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Accept bool   `json:"accept"`
		Close  bool   `json:"close"`
		Note   string `json:"note"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.ReviewSpecialChange(r.Context(), web.Actor(r), county, id, in.Accept, in.Close, in.Note)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"change": c})
	return nil
}

// handOverSpecial is POST /api/v1/special/{county}/handover.
func (h *Handler) handOverSpecial(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		From   special.Leaving    `json:"from"`
		To     special.NewContact `json:"to"`
		Reason string             `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	cs, err := h.app.HandOverSpecial(r.Context(), web.Actor(r), county, in.From, in.To, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"contacts": cs})
	return nil
}

// overdueSpecial is GET /api/v1/special/{county}/overdue.
func (h *Handler) overdueSpecial(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	fs, err := h.app.OverdueSpecialVisits(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"families": fs})
	return nil
}

// specialCoverage is GET /api/v1/special/{county}/coverage.
func (h *Handler) specialCoverage(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	c, err := h.app.SpecialCoverage(r.Context(), web.Actor(r), county, r.URL.Query().Get("area"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, c)
	return nil
}

// getSpecialSettings is GET /api/v1/special/{county}/settings.
func (h *Handler) getSpecialSettings(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	s, err := h.app.SpecialSettingsOf(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

// putSpecialSettings is PUT /api/v1/special/{county}/settings.
func (h *Handler) putSpecialSettings(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in app.SpecialSettings
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := h.app.SetSpecialSettings(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

// familyCertificate is POST /api/v1/persons/{county}/{id}/family-certificate:
// issues the certificate and answers its PDF.
func (h *Handler) familyCertificate(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Date date.Date `json:"date"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.IssueFamilyCertificate(r.Context(), web.Actor(r), county, id, in.Date)
	if err != nil {
		return err
	}
	site := web.Site(r)
	return web.ServePDF(w, "计划生育家庭证明-"+p.Certificate.Serial+".pdf", "family-certificate-"+p.Certificate.Serial+".pdf",
		func(out io.Writer) error { return printout.FamilyCertificate(out, p, site) })
}

// verifyFamilyCertificate is GET /api/v1/family-certificates/verify: the
// public verification of a certificate by its number and check code.
func (h *Handler) verifyFamilyCertificate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v, err := h.app.VerifyFamilyCertificate(r.Context(), q.Get("serial"), q.Get("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

// familyCheck is POST /api/v1/family-check: a partner department asks
// whether an ID number is in a category on a day; the answer is yes or no.
func (h *Handler) familyCheck(w http.ResponseWriter, r *http.Request) error {
	var in special.CheckQuery
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := h.app.CheckFamilyCategory(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, a)
	return nil
}

// listHelpLists is GET /api/v1/special/{county}/help-lists.
func (h *Handler) listHelpLists(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	ls, err := h.app.HelpLists(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"lists": ls})
	return nil
}

// makeHelpList is POST /api/v1/special/{county}/help-lists.
func (h *Handler) makeHelpList(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in special.NewHelpList
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.MakeHelpList(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"list": l})
	return nil
}

// approveHelpList is POST /api/v1/special/{county}/help-lists/{id}/approve.
func (h *Handler) approveHelpList(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.ApproveHelpList(r.Context(), web.Actor(r), county, id, in.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"list": l})
	return nil
}

// payHelpList is POST /api/v1/special/{county}/help-lists/{id}/pay: the
// finance officer makes the payment cycle of an approved list.
func (h *Handler) payHelpList(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	c, err := h.app.PayHelpList(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"cycle": c})
	return nil
}
