package app_test

import (
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

var (
	// doctor is the village doctor of 仁和村 with an account; villageMate
	// another account of the same village who is no family's contact;
	// newDoctor the one who takes over.
	doctor      = auth.Actor{UserID: 111, Username: "cy", Name: "王村医", Role: auth.RoleVillage, Scope: "341523100201"}
	villageMate = auth.Actor{UserID: 112, Username: "cz9", Name: "李专干", Role: auth.RoleVillage, Scope: "341523100201"}
	newDoctor   = auth.Actor{UserID: 113, Username: "cy2", Name: "赵村医", Role: auth.RoleVillage, Scope: "341523100201"}
	inspector   = auth.Actor{UserID: 501, Username: "jd", Name: "监督", Role: auth.RoleSupervisor, Scope: "341523"}
	partner     = auth.Actor{UserID: 601, Username: "jyj", Name: "县教育局", Role: auth.RolePartner, Scope: "341523"}
)

// family registers a couple of village with the wife born wifeBorn and
// their children born on the days given.
func (e *bornEnv) family(wife, wifeBorn, village string, kids ...string) (w, h registry.Key, children []registry.Key) {
	e.t.Helper()
	w = e.person(wife, registry.Female, wifeBorn, village)
	h = e.person(wife+"的丈夫", registry.Male, wifeBorn, village)
	if _, err := e.a.AddMarriage(e.ctx, auth.System, h, app.Relative{ID: w.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse(wifeBorn).AddMonths(23 * 12)}, ""); err != nil {
		e.t.Fatal(err)
	}
	for i, born := range kids {
		c := e.person(wife+"的孩子"+string(rune('甲'+i)), registry.Male, born, village)
		e.tie(w, c, true)
		e.tie(h, c, true)
		children = append(children, c)
	}
	return w, h, children
}

func findFamily(t *testing.T, fs []special.Family, anchor int64) *special.Family {
	t.Helper()
	for i := range fs {
		if fs[i].Anchor == anchor {
			return &fs[i]
		}
	}
	return nil
}

// TestSpecialFamilies builds the register from the registry under the
// rules' age, keeps a family by hand, names contacts, records visits and
// services, reads the coverage by township, lists overdue visits, follows
// a parent's death for review, hands a contact's families over, settles a
// request, issues and verifies a certificate and answers a partner's
// check; and checks that no one else sees the files, every refusal
// audited.
func TestSpecialFamilies(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			addStaff(t, e.a.DB(), doctor, villageMate, newDoctor, inspector, partner)
			const renhe, xiaotian = "341523100201", "341523101200"
			// A: the only child died; the mother is 55 this year.
			a, ah, ak := e.family("张秀英", "1970-02-01", renhe, "1995-05-01")
			if _, err := e.a.RecordDeath(e.ctx, auth.System, ak[0], date.MustParse("2024-03-01"), "police"); err != nil {
				t.Fatal(err)
			}
			// B: the only child died, but the mother is 40.
			_, _, bk := e.family("刘年轻", "1985-01-01", renhe, "2009-01-01")
			if _, err := e.a.RecordDeath(e.ctx, auth.System, bk[0], date.MustParse("2023-01-01"), "police"); err != nil {
				t.Fatal(err)
			}
			// C: the only child is disabled at grade 2, in another township.
			c, _, ck := e.family("陈桂兰", "1968-06-01", xiaotian, "1992-01-01")
			if _, err := e.a.AddDisability(e.ctx, auth.System, ck[0], registry.Disability{Grade: 2, Category: "limb", From: date.MustParse("2010-01-01")}, "34152319920101001X12"); err != nil {
				t.Fatal(err)
			}
			// D: one child of two died.
			d, _, dk := e.family("吴两孩", "1966-01-01", renhe, "1990-01-01", "1993-01-01")
			if _, err := e.a.RecordDeath(e.ctx, auth.System, dk[0], date.MustParse("2020-01-01"), "police"); err != nil {
				t.Fatal(err)
			}

			rules, err := e.a.SpecialRules(e.ctx, county, "341523")
			if err != nil || rules.MinAge != 49 || rules.MaxGrade != 3 {
				t.Fatalf("rules %+v %v: want the national min_age 49 and max_grade 3", rules, err)
			}
			before := denied(t, e.a)
			_, err = e.a.SweepSpecial(e.ctx, doctor, "341523")
			wantKind(t, "a village sweeps", err, apperr.Forbidden)
			res, err := e.a.SweepSpecial(e.ctx, county, "341523")
			if err != nil || res.Added != 2 {
				t.Fatalf("sweep %+v %v: want A and C added", res, err)
			}
			fs, n, err := e.a.SpecialFamilies(e.ctx, county, "341523", special.Query{})
			if err != nil || n != 2 {
				t.Fatalf("register %d %v", n, err)
			}
			fa, fc := findFamily(t, fs, a.ID), findFamily(t, fs, c.ID)
			if fa == nil || fc == nil || findFamily(t, fs, d.ID) != nil {
				t.Fatalf("register %+v", fs)
			}
			if fa.Category != special.CategoryDied || fa.Reason != special.ReasonChildDied || fa.Source != special.SourceRegistry ||
				fa.Child != ak[0].ID || fa.Spouse != ah.ID || fa.Name != "张秀英" || !slices.Contains([]byte(fa.IDMasked), '*') {
				t.Errorf("family A %+v", fa)
			}
			if fc.Category != special.CategoryDisabled || fc.Reason != special.ReasonChildDisabled {
				t.Errorf("family C %+v", fc)
			}
			if again, err := e.a.SweepSpecial(e.ctx, county, "341523"); err != nil || again.Added != 0 || again.Changes != 0 {
				t.Errorf("second sweep %+v %v: want nothing new", again, err)
			}

			// A family kept by hand needs its reason.
			e2 := e.person("孙某", registry.Female, "1960-01-01", renhe)
			_, err = e.a.AddSpecialFamily(e.ctx, township, "341523", special.NewFamily{PersonID: e2.ID, Category: special.CategoryOther})
			wantKind(t, "no reason", err, apperr.Invalid)
			fe, err := e.a.AddSpecialFamily(e.ctx, township, "341523", special.NewFamily{PersonID: e2.ID, Category: special.CategoryOther,
				Note: "独生子女失联多年，经村委会证明"})
			if err != nil || fe.Source != special.SourceManual {
				t.Fatalf("add %+v %v", fe, err)
			}

			// Contacts: the township cadre and the village doctor.
			if _, err := e.a.AssignSpecialContact(e.ctx, county, "341523", fa.ID, special.NewContact{Kind: special.KindTownshipCadre,
				Username: "xz", Phone: "13900000001"}); err != nil {
				t.Fatal(err)
			}
			_, err = e.a.AssignSpecialContact(e.ctx, doctor, "341523", fa.ID, special.NewContact{Kind: special.KindVillageDoctor, Username: "cy"})
			wantKind(t, "a village names contacts", err, apperr.Forbidden)
			_, err = e.a.AssignSpecialContact(e.ctx, county, "341523", fa.ID, special.NewContact{Kind: special.KindVillageDoctor, Username: "cw"})
			wantKind(t, "the finance officer as a contact", err, apperr.Invalid)
			_, err = e.a.AssignSpecialContact(e.ctx, county, "341523", fa.ID, special.NewContact{Kind: special.KindVillageDoctor, Username: "cz2"})
			wantKind(t, "a village account of another village as a contact", err, apperr.Invalid)
			if _, err := e.a.AssignSpecialContact(e.ctx, township, "341523", fa.ID, special.NewContact{Kind: special.KindVillageDoctor,
				Username: "cy"}); err != nil {
				t.Fatal(err)
			}

			// Who sees the file: the family's contact, the township and
			// the county; not another village account, not another
			// township's, not the supervisor, the finance officer or a
			// partner.
			file, err := e.a.SpecialFamily(e.ctx, doctor, "341523", fa.ID)
			if err != nil || len(file.Contacts) != 2 || len(file.Missing) != 0 || len(file.Members) != 3 {
				t.Fatalf("the doctor's file %+v %v", file, err)
			}
			for _, m := range file.Members {
				if len(m.IDMasked) != 18 || !slices.Contains([]byte(m.IDMasked), '*') {
					t.Errorf("member %s: ID %q not masked", m.Name, m.IDMasked)
				}
			}
			if _, err := e.a.SpecialFamily(e.ctx, township, "341523", fa.ID); err != nil {
				t.Fatal(err)
			}
			mid := denied(t, e.a)
			for _, who := range []auth.Actor{villageMate, otherVillager, inspector, finance, partner} {
				if _, err := e.a.SpecialFamily(e.ctx, who, "341523", fa.ID); !isRefused(err) {
					t.Errorf("%s read the file: %v", who.Username, err)
				}
				if fs, _, err := e.a.SpecialFamilies(e.ctx, who, "341523", special.Query{}); err == nil && len(fs) > 0 {
					t.Errorf("%s listed %d families", who.Username, len(fs))
				}
			}
			if got := denied(t, e.a) - mid; got < 5 {
				t.Errorf("%d refusals audited, want at least 5", got)
			}
			if mine, _, err := e.a.SpecialFamilies(e.ctx, doctor, "341523", special.Query{}); err != nil || len(mine) != 1 || mine[0].ID != fa.ID {
				t.Errorf("the doctor's list %+v %v: want A only", mine, err)
			}

			// A visit on the phone-sized form: next due by the interval; a
			// request raised on it is recorded.
			v, err := e.a.RecordSpecialVisit(e.ctx, doctor, "341523", fa.ID, special.NewVisit{Date: date.MustParse("2025-06-09"),
				Mode: special.ModeHome, Found: "血压偏高，情绪平稳", Help: "测量血压，送药", Requests: "希望协助办理住院护理险"})
			if err != nil || v.NextDue != date.MustParse("2025-09-07") {
				t.Fatalf("visit %+v %v", v, err)
			}
			_, err = e.a.RecordSpecialVisit(e.ctx, villageMate, "341523", fa.ID, special.NewVisit{Date: date.MustParse("2025-06-09"),
				Mode: special.ModeHome, Found: "x"})
			if !isRefused(err) {
				t.Errorf("a village account not the family's contact recorded a visit: %v", err)
			}
			reqs, err := e.a.SpecialRequests(e.ctx, township, "341523", "")
			if err != nil || len(reqs) != 1 || reqs[0].Source != special.FromVisit || reqs[0].Handler != "王村医" {
				t.Fatalf("requests %+v %v", reqs, err)
			}

			// Services and the coverage by township.
			if _, err := e.a.SetSpecialService(e.ctx, doctor, "341523", fa.ID, 0, special.Service{Kind: special.ServiceDoctor,
				Date: date.MustParse("2025-06-09"), By: "王村医", TCM: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.SetSpecialService(e.ctx, township, "341523", fa.ID, 0, special.Service{Kind: special.ServiceGreen,
				Date: date.MustParse("2025-06-09"), By: "舒城县人民医院"}); err != nil {
				t.Fatal(err)
			}
			cov, err := e.a.SpecialCoverage(e.ctx, county, "341523", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(cov.Rows) != 2 || cov.Total.Families != 3 || cov.Total.Full != 1 || cov.Total.Contacts != 1 {
				t.Fatalf("coverage %+v", cov)
			}
			if cov.Rows[0].Name != "城关镇" || cov.Rows[0].Families != 2 || cov.Rows[0].Full != 1 || cov.Rows[0].Rate(cov.Rows[0].Full) != 50 {
				t.Errorf("城关镇 %+v", cov.Rows[0])
			}
			if len(cov.Gaps) != 3 { // A lacks insurance, C and E lack all
				t.Errorf("gaps %+v", cov.Gaps)
			}
			tcov, err := e.a.SpecialCoverage(e.ctx, township, "341523", "")
			if err != nil || tcov.Total.Families != 2 {
				t.Errorf("the township's coverage %+v %v", tcov, err)
			}

			// 100 days later: A's visit and every other family's first
			// visit are overdue; the request is escalated by the sweep.
			e.clock.set("2025-09-20")
			over, err := e.a.OverdueSpecialVisits(e.ctx, county, "341523")
			if err != nil || len(over) != 3 {
				t.Fatalf("overdue %d %v", len(over), err)
			}
			// A's husband dies: the sweep lists it for review.
			if _, err := e.a.RecordDeath(e.ctx, auth.System, ah, date.MustParse("2025-09-01"), "police"); err != nil {
				t.Fatal(err)
			}
			res, err = e.a.SweepSpecial(e.ctx, county, "341523")
			if err != nil || res.Changes != 1 || res.Escalated != 1 {
				t.Fatalf("sweep %+v %v: want the death listed and the request escalated", res, err)
			}
			changes, err := e.a.SpecialChanges(e.ctx, township, "341523", special.ChangePending)
			if err != nil || len(changes) != 1 || changes[0].Kind != special.ChangeParentDied || changes[0].Name != "张秀英" {
				t.Fatalf("changes %+v %v", changes, err)
			}
			if _, err := e.a.ReviewSpecialChange(e.ctx, township, "341523", changes[0].ID, true, false, "已核实，家庭仍在册"); err != nil {
				t.Fatal(err)
			}
			esc, err := e.a.SpecialRequests(e.ctx, county, "341523", "escalated")
			if err != nil || len(esc) != 1 {
				t.Fatalf("escalated %+v %v", esc, err)
			}
			r, err := e.a.ReplySpecialRequest(e.ctx, doctor, "341523", esc[0].ID, esc[0].Version, date.MustParse("2025-09-20"), "已协助办理参保")
			if err != nil {
				t.Fatal(err)
			}
			if r, err = e.a.SettleSpecialRequest(e.ctx, doctor, "341523", r.ID, r.Version, "yes"); err != nil || r.Status != special.RequestClosed {
				t.Fatalf("settle %+v %v", r, err)
			}

			// The doctor leaves: the township hands the families over.
			moved, err := e.a.HandOverSpecial(e.ctx, township, "341523", special.Leaving{Username: "cy"},
				special.NewContact{Username: "cy2"}, "调离")
			if err != nil || len(moved) != 1 || moved[0].Kind != special.KindVillageDoctor || moved[0].UserID != newDoctor.UserID {
				t.Fatalf("handover %+v %v", moved, err)
			}
			if _, err := e.a.SpecialFamily(e.ctx, doctor, "341523", fa.ID); !isRefused(err) {
				t.Errorf("the doctor who left still reads the file: %v", err)
			}
			if _, err := e.a.SpecialFamily(e.ctx, newDoctor, "341523", fa.ID); err != nil {
				t.Errorf("the new doctor: %v", err)
			}

			// The certificate and the partner's check.
			paper, err := e.a.IssueFamilyCertificate(e.ctx, county, "341523", a.ID, date.Date{})
			if err != nil || !slices.Contains(paper.Certificate.Categories, special.CatSpecial) || paper.Certificate.Serial != "341523-JS2025-000001" {
				t.Fatalf("certificate %+v %v", paper, err)
			}
			ver, err := e.a.VerifyFamilyCertificate(e.ctx, paper.Certificate.Serial, paper.Certificate.Code)
			if err != nil || ver.Name != "张**" {
				t.Fatalf("verify %+v %v", ver, err)
			}
			_, err = e.a.VerifyFamilyCertificate(e.ctx, paper.Certificate.Serial, "ABCDEFGH")
			wantKind(t, "a wrong code", err, apperr.NotFound)
			_, err = e.a.IssueFamilyCertificate(e.ctx, county, "341523", d.ID, date.Date{})
			wantKind(t, "a person in no category", err, apperr.Conflict)

			idA := personID(t, e, a)
			for _, tc := range []struct {
				id, cat string
				on      string
				want    bool
			}{
				{idA, special.CatSpecial, "2025-09-20", true},
				{idA, special.CatSpecial, "2025-01-01", false}, // before the register
				{idA, special.CatOneChild, "2025-09-20", false},
				{"110101199001011234", special.CatSpecial, "2025-09-20", false},
			} {
				ans, err := e.a.CheckFamilyCategory(e.ctx, partner, special.CheckQuery{IDNumber: tc.id, Category: tc.cat, Date: date.MustParse(tc.on)})
				if tc.id == "110101199001011234" && apperr.KindOf(err) == apperr.Invalid {
					continue // not a valid number: refused as such
				}
				if err != nil || ans.Answer != tc.want {
					t.Errorf("check %s %s %s = %+v %v, want %v", tc.id, tc.cat, tc.on, ans, err, tc.want)
				}
			}
			for _, who := range []auth.Actor{county, doctor, finance} {
				_, err := e.a.CheckFamilyCategory(e.ctx, who, special.CheckQuery{IDNumber: idA, Category: special.CatSpecial})
				wantKind(t, who.Username+" checks", err, apperr.Forbidden)
			}
			if got := denied(t, e.a) - before; got < 12 {
				t.Errorf("%d refusals audited in all, want at least 12", got)
			}
			// Every read of a file is audited.
			var reads int
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				return tx.QueryRow(e.ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'special.read'`).Scan(&reads)
			}); err != nil || reads < 3 {
				t.Errorf("%d reads audited: %v", reads, err)
			}
		})
	}
}

func isRefused(err error) bool {
	k := apperr.KindOf(err)
	return k == apperr.Forbidden || k == apperr.NotFound
}

func personID(t *testing.T, e *bornEnv, k registry.Key) string {
	t.Helper()
	p, err := e.a.Person(e.ctx, auth.System, k)
	if err != nil {
		t.Fatal(err)
	}
	return p.Person.IDNumber
}
