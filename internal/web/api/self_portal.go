package api

import (
	"fmt"
	"net/http"
	"path"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The citizen portal's JSON routes (docs/births.md, "The citizen
// portal"), for a phone app: the same use cases as the pages under /self.
// Every route reads or acts on the signed-in citizen's own record only;
// the use cases check it and audit a refusal. The documents' routes serve
// the staff too, each within the scope of the case, registration or claim.

// selfPerson is a person of the citizen's family, the ID number masked.
type selfPerson struct {
	Ref      string    `json:"ref"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number,omitempty"`
	Sex      string    `json:"sex"`
	Birth    date.Date `json:"birth"`
	Death    date.Date `json:"death"`
	Region   string    `json:"region,omitempty"`
}

func maskedPerson(p registry.Person) selfPerson {
	out := selfPerson{Ref: p.Ref, Name: p.Name, Sex: p.Sex, Birth: p.Birth, Death: p.Death, Region: p.Region}
	if p.IDNumber != "" {
		out.IDNumber = idcard.Number(p.IDNumber).Masked()
	}
	return out
}

// getSelfFamily answers GET /api/v1/self/family: the citizen, their
// relatives as the registry has them and the errors they reported.
func (h *Handler) getSelfFamily(w http.ResponseWriter, r *http.Request) error {
	f, err := h.app.SelfFamily(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	type relative struct {
		selfPerson
		Kind string `json:"kind"`
		Tie  string `json:"tie,omitempty"`
	}
	rels := []relative{}
	for _, x := range f.Relatives() {
		rels = append(rels, relative{selfPerson: maskedPerson(x.Person), Kind: x.Kind, Tie: x.Tie})
	}
	me := selfPerson{Ref: f.Me.Ref(), Name: f.Me.Name, IDNumber: idcard.Number(f.Me.IDNumber).Masked(), Sex: f.Me.Sex,
		Birth: f.Me.Birth, Death: f.Me.Death, Region: f.Me.Region}
	reports := f.Reports
	if reports == nil {
		reports = []portal.Report{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"me": me, "relatives": rels, "reports": reports})
	return nil
}

type selfReport struct {
	Text  string `json:"text"`
	Phone string `json:"phone"`
}

// selfReportError takes the citizen's report of an error in their
// family's record: POST /api/v1/self/family-reports.
func (h *Handler) selfReportError(w http.ResponseWriter, r *http.Request) error {
	var in selfReport
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rep, err := h.app.ReportFamilyError(r.Context(), web.Actor(r), in.Text, in.Phone)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"report": rep})
	return nil
}

// getSelfQualify answers GET /api/v1/self/qualify: every program decided
// for the citizen this year, clause by clause, and the childcare subsidy
// of each child of theirs under three.
func (h *Handler) getSelfQualify(w http.ResponseWriter, r *http.Request) error {
	q, err := h.app.SelfQualify(r.Context(), web.Actor(r), web.Language(r))
	if err != nil {
		return err
	}
	out := map[string]any{"year": q.Year, "program_names": q.Names, "version": q.Benefits.Version}
	if q.Benefits.Err != nil {
		out["problem"] = q.Benefits.Err.Error()
	}
	out["decisions"] = q.Benefits.Decisions
	type child struct {
		Child    selfPerson           `json:"child"`
		Decision *birth.ClaimDecision `json:"decision,omitempty"`
		Problem  string               `json:"problem,omitempty"`
		Claims   []birth.Claim        `json:"claims"`
	}
	children := []child{}
	for _, c := range q.Children {
		x := child{Child: maskedPerson(c.Child), Decision: c.Decision, Claims: c.Claims}
		if c.Err != nil {
			x.Problem = c.Err.Error()
		}
		if x.Claims == nil {
			x.Claims = []birth.Claim{}
		}
		children = append(children, x)
	}
	out["children"] = children
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

type selfBirth struct {
	Spouse    int64     `json:"spouse_id"`
	Expected  date.Date `json:"expected"`
	Expecting int       `json:"expecting"`
	Phone     string    `json:"phone"`
	Note      string    `json:"note"`
}

// selfRegisterBirth registers the citizen's birth, the citizen and the
// spouse named as the parents: POST /api/v1/self/births.
func (h *Handler) selfRegisterBirth(w http.ResponseWriter, r *http.Request) error {
	var in selfBirth
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	a := web.Actor(r)
	f, err := h.app.SelfFamily(r.Context(), a)
	if err != nil {
		return err
	}
	if in.Expecting == 0 {
		in.Expecting = 1
	}
	nr := birth.NewRegistration{County: a.PersonCounty, Applicant: a.PersonID, Expected: in.Expected, Expecting: in.Expecting,
		Phone: in.Phone, Note: in.Note}
	if f.Me.Sex == registry.Female {
		nr.Mother, nr.Father = a.PersonID, in.Spouse
	} else {
		nr.Father, nr.Mother = a.PersonID, in.Spouse
	}
	reg, err := h.app.RegisterBirth(r.Context(), a, nr)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"registration": reg})
	return nil
}

type selfClaim struct {
	Child int64  `json:"child_id"`
	Year  int    `json:"year"`
	Phone string `json:"phone"`
}

// selfApplySubsidy applies for the childcare subsidy of a child of the
// citizen, the citizen as its mother or father:
// POST /api/v1/self/subsidy-claims.
func (h *Handler) selfApplySubsidy(w http.ResponseWriter, r *http.Request) error {
	var in selfClaim
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	a := web.Actor(r)
	f, err := h.app.SelfFamily(r.Context(), a)
	if err != nil {
		return err
	}
	relation := birth.RelationFather
	if f.Me.Sex == registry.Female {
		relation = birth.RelationMother
	}
	if in.Year == 0 {
		in.Year = date.Today(h.now()).Year()
	}
	c, err := h.app.ApplySubsidy(r.Context(), a, birth.NewClaim{County: a.PersonCounty, Child: in.Child, Applicant: a.PersonID,
		Relation: relation, Year: in.Year, Phone: in.Phone})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"claim": c})
	return nil
}

// selfTrackItem is one application of the citizen with its steps and the
// documents stored with it.
type selfTrackItem struct {
	Entity    string            `json:"entity"`
	County    string            `json:"county"`
	ID        int64             `json:"id"`
	Program   string            `json:"program,omitempty"`
	Year      int               `json:"year,omitempty"`
	Serial    string            `json:"serial,omitempty"`
	Status    string            `json:"status"`
	StatusZH  string            `json:"status_zh"`
	Steps     []selfTrackStep   `json:"steps"`
	Documents []portal.Document `json:"documents"`
}

type selfTrackStep struct {
	Step string    `json:"step"`
	Role string    `json:"role,omitempty"`
	Date date.Date `json:"date"`
	Done bool      `json:"done"`
}

// getSelfApplications answers GET /api/v1/self/applications: every
// application of the citizen (the reward programs' cases, birth
// registrations, subsidy claims) with its steps and their dates, and the
// documents stored with it.
func (h *Handler) getSelfApplications(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	ctx := r.Context()
	sv, err := h.app.Self(ctx, a)
	if err != nil {
		return err
	}
	steps, err := h.app.SelfCaseSteps(ctx, a)
	if err != nil {
		return err
	}
	items := []selfTrackItem{}
	for _, c := range sv.Cases {
		it := selfTrackItem{Entity: portal.EntityCase, County: c.County, ID: c.ID, Program: c.Program, Year: c.Year,
			Status: string(c.State), StatusZH: c.StatusZH, Steps: []selfTrackStep{{Step: "submitted", Date: c.Submitted, Done: true}}}
		for _, s := range steps[c.ID] {
			it.Steps = append(it.Steps, selfTrackStep{Step: string(s.Step), Role: string(s.Role), Date: s.On, Done: true})
		}
		items = append(items, it)
	}
	regs, _, err := h.app.BirthRegistrations(ctx, a, a.PersonCounty, birth.Query{Limit: 50})
	if err != nil {
		return err
	}
	for _, g := range regs {
		it := selfTrackItem{Entity: portal.EntityRegistration, County: g.County, ID: g.ID, Serial: g.Serial, Year: g.Registered.Year(),
			Status: g.Status, StatusZH: birth.Statuses.Name(g.Status, "zh"),
			Steps: []selfTrackStep{{Step: "registered", Date: g.Registered, Done: true},
				{Step: "born", Date: g.Born, Done: g.Status == birth.StatusClosed}}}
		if g.Status == birth.StatusCancelled {
			it.Steps[1] = selfTrackStep{Step: "cancelled", Date: g.Cancelled, Done: true}
		}
		items = append(items, it)
	}
	claims, _, err := h.app.SubsidyClaims(ctx, a, a.PersonCounty, birth.ClaimQuery{Limit: 50})
	if err != nil {
		return err
	}
	for _, c := range claims {
		items = append(items, selfTrackItem{Entity: portal.EntityClaim, County: c.County, ID: c.ID, Year: c.Year,
			Status: c.Status, StatusZH: birth.ClaimStatuses.Name(c.Status, "zh"),
			Steps: []selfTrackStep{{Step: "submitted", Date: c.Filed, Done: true},
				{Step: "checked", Date: c.Checked, Done: !c.Checked.IsZero()},
				{Step: "decided", Date: c.Decided, Done: !c.Decided.IsZero()}}})
	}
	for i := range items {
		if items[i].Documents, err = h.app.Documents(ctx, a, items[i].Entity, items[i].County, items[i].ID); err != nil {
			return err
		}
		if items[i].Documents == nil {
			items[i].Documents = []portal.Document{}
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"applications": items})
	return nil
}

// getSelfPayments answers GET /api/v1/self/payments: the payment lines of
// the citizen and of their children, by year, newest first, with the sum
// paid each year.
func (h *Handler) getSelfPayments(w http.ResponseWriter, r *http.Request) error {
	p, err := h.app.SelfPayments(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	type year struct {
		Year    int   `json:"year"`
		PaidFen int64 `json:"paid_fen"`
		Lines   any   `json:"lines"`
	}
	years := []year{}
	for _, y := range p.Years {
		years = append(years, year{Year: y.Year, PaidFen: y.Total, Lines: y.Lines})
	}
	names := map[string]string{}
	for id, n := range p.Names {
		names[fmt.Sprint(id)] = n
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"years": years, "names": names})
	return nil
}

// selfLetter sends the citizen's notification letter of a cycle as a PDF:
// GET /api/v1/self/letters/{county}/{id}/{person}.
func (h *Handler) selfLetter(w http.ResponseWriter, r *http.Request) error {
	return web.ServeSelfLetter(w, r, h.app, h.tree)
}

// listDocuments lists the documents stored with a case, registration or
// claim, without their data: GET /api/v1/documents/{entity}/{county}/{id}.
func (h *Handler) listDocuments(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	docs, err := h.app.Documents(r.Context(), web.Actor(r), r.PathValue("entity"), county, id)
	if err != nil {
		return err
	}
	if docs == nil {
		docs = []portal.Document{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"documents": docs})
	return nil
}

// getDocument sends a stored document:
// GET /api/v1/documents/{entity}/{county}/{id}/{doc}.
func (h *Handler) getDocument(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	doc, err := web.PathID(r, "doc")
	if err != nil {
		return err
	}
	d, err := h.app.Document(r.Context(), web.Actor(r), r.PathValue("entity"), county, id, doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", d.Type)
	w.Header().Set("Content-Disposition", web.Attachment(d.Name, fmt.Sprintf("document-%d%s", d.ID, path.Ext(d.Name))))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(d.Data)
	return err
}

// addDocument stores a photo or scan of a document with a case,
// registration or claim: POST /api/v1/documents/{entity}/{county}/{id}
// (multipart, the part "file"). Who may is checked, and a refusal
// audited, before any byte of the file is read.
func (h *Handler) addDocument(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	entity := r.PathValue("entity")
	if err := h.app.CheckAttach(r.Context(), web.Actor(r), entity, county, id); err != nil {
		return err
	}
	name, data, _, err := web.ReadDocument(w, r, portal.MaxDocument)
	if err != nil {
		return err
	}
	d, err := h.app.AttachDocument(r.Context(), web.Actor(r), entity, county, id, name, data)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"document": d})
	return nil
}
