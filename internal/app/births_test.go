package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// otherVillager is the specialist of 东苑社区 (341523100001), the other
// village of 城关镇 that the births' tests use.
var otherVillager = auth.Actor{UserID: 102, Username: "cz2", Name: "东苑专干", Role: auth.RoleVillage, Scope: "341523100001"}

// bornEnv is a database with a fixed clock, and builds families in it.
type bornEnv struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *clock
	seq   int
}

func newBornEnv(t *testing.T, engine store.Engine, day string) *bornEnv {
	t.Helper()
	db := storetest.Open(t, engine)
	c := &clock{}
	c.set(day)
	a := app.New(db, app.DefaultConfig(), nil)
	a.SetClock(c.now)
	addStaff(t, db, villager, township, county, finance, otherVillager)
	return &bornEnv{t: t, ctx: app.WithRequest(context.Background(), app.Request{Door: "test"}), a: a, clock: c, seq: 100}
}

// person registers a rural person of village.
func (e *bornEnv) person(name, sex, birth, village string) registry.Key {
	e.t.Helper()
	e.seq++
	n := 2 * e.seq
	if sex == registry.Male {
		n++
	}
	b := date.MustParse(birth)
	r, err := e.a.RegisterPerson(e.ctx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), n)),
		Name: name, Sex: sex, Birth: b, Region: village, HukouType: registry.Rural})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	return registry.Key{County: r.County, ID: r.ID}
}

// couple registers a married couple of village and their children born
// on the days given, all in policy.
func (e *bornEnv) couple(wife, husband, village string, kids ...string) (w, h registry.Key, children []registry.Key) {
	e.t.Helper()
	w = e.person(wife, registry.Female, "1994-03-01", village)
	h = e.person(husband, registry.Male, "1992-07-01", village)
	if _, err := e.a.AddMarriage(e.ctx, auth.System, h, app.Relative{ID: w.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("2015-10-01")}, ""); err != nil {
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

func (e *bornEnv) tie(parent, child registry.Key, inPolicy bool) {
	e.t.Helper()
	if _, err := e.a.AddChild(e.ctx, auth.System, parent, app.Relative{ID: child.ID, Field: "child"},
		registry.ParentChild{Kind: registry.Birth, InPolicy: &inPolicy}, ""); err != nil {
		e.t.Fatal(err)
	}
}

// citizenOf is the citizen account of person k.
func citizenOf(k registry.Key, village string) auth.Actor {
	return auth.Actor{UserID: 900 + k.ID, Username: "qz", Role: auth.RoleCitizen, Scope: "341523100201", PersonCounty: k.County, PersonID: k.ID}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: err %v (%v), want %v", what, err, apperr.KindOf(err), kind)
	}
}

// TestBirthRegistration follows a registration from the village
// specialist's counter to the hospital's birth record, its slip and its
// public verification, and a parent's own registration online, cancelled.
func TestBirthRegistration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			w, h, kids := e.couple("王秀英", "李建国", "341523100201", "2021-04-02")

			r, err := e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-11-20"), Expecting: 2, Phone: "13912345678"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Serial != "341523-2025-000001" || r.Parity != 2 || r.Statistical != 2 || r.Status != birth.StatusRegistered ||
				!r.InPolicy || r.PolicyStatus != policy.ParityRegistration || r.Channel != birth.ChannelCounter || len(r.Code) != birth.CodeLen {
				t.Fatalf("registration %+v", r)
			}
			if r.Decision == nil || len(r.Decision.Counted) != 1 || r.Decision.Counted[0] != keyStr(kids[0]) {
				t.Fatalf("decision %+v", r.Decision)
			}
			_, err = e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: h.ID, Expected: date.MustParse("2025-11-20")})
			wantKind(t, "a second open registration", err, apperr.Conflict)

			// Staff list it; the mother reads it as a citizen.
			list, n, err := e.a.BirthRegistrations(e.ctx, villager, "341523", birth.Query{})
			if err != nil || n != 1 || len(list) != 1 {
				t.Fatalf("list %d %v", n, err)
			}
			mother := citizenOf(w, "341523100201")
			if got, err := e.a.BirthRegistration(e.ctx, mother, birth.Key{County: "341523", ID: r.ID}); err != nil || got.Serial != r.Serial {
				t.Fatalf("the mother reads her registration: %v", err)
			}
			if mine, n, err := e.a.BirthRegistrations(e.ctx, mother, "", birth.Query{}); err != nil || n != 1 || mine[0].ID != r.ID {
				t.Fatalf("the mother lists %d: %v", n, err)
			}

			// Twins are born: the children join the registry, tied in
			// policy, and the registration is closed.
			k := birth.Key{County: "341523", ID: r.ID}
			closed, err := e.a.CloseBirth(e.ctx, villager, k, r.Version, birth.BirthRecord{Born: date.MustParse("2025-06-08"),
				Hospital: "舒城县人民医院", CertNo: "R341234567", HospitalBirth: true,
				Children: []birth.NewChild{{Name: "李一", Sex: registry.Male}, {Name: "李二", Sex: registry.Female}}})
			if err != nil {
				t.Fatal(err)
			}
			if closed.Status != birth.StatusClosed || len(closed.Children) != 2 || closed.Born != date.MustParse("2025-06-08") {
				t.Fatalf("closed %+v", closed)
			}
			fam, err := e.a.Family(e.ctx, county, w)
			if err != nil {
				t.Fatal(err)
			}
			in := 0
			for _, tie := range fam.Children {
				if tie.Child == keyStr(registry.Key{ID: closed.Children[0]}) || tie.Child == keyStr(registry.Key{ID: closed.Children[1]}) {
					if tie.InPolicy == nil || !*tie.InPolicy {
						t.Errorf("tie %+v not in policy", tie)
					}
					in++
				}
			}
			if in != 4 { // from the mother and from the father
				t.Errorf("the mother's family holds %d ties to the twins, want 4", in)
			}
			_, err = e.a.CloseBirth(e.ctx, villager, k, closed.Version, birth.BirthRecord{Born: date.MustParse("2025-06-08"),
				Children: []birth.NewChild{{Name: "李三", Sex: registry.Male}}})
			wantKind(t, "closing twice", err, apperr.Conflict)

			// The slip prints the counted elder child and the twins, with
			// a link to the verification.
			slip, err := e.a.BirthSlip(e.ctx, mother, k)
			if err != nil {
				t.Fatal(err)
			}
			if len(slip.Counted) != 1 || len(slip.Born) != 2 || slip.Mother.Name != "王秀英" || slip.Issuer != "舒城县卫生健康委员会" ||
				!strings.HasPrefix(slip.VerifyPath, birth.VerifyPath+"?") {
				t.Fatalf("slip %+v", slip)
			}
			var buf bytes.Buffer
			if err := printout.BirthSlip(&buf, slip, "https://jiahe.example.gov.cn"); err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(pdftest.Text(t, buf.Bytes()), " ", "")
			for _, want := range []string{"生育登记服务单", r.Serial, r.Code, "王秀英", "李建国", "第2孩", "2025年6月10日", "李一", "李二", "舒城县卫生健康委员会"} {
				if !strings.Contains(text, want) {
					t.Errorf("the slip lacks %q:\n%s", want, text)
				}
			}

			// The public verification answers the number, parity, day and
			// masked names, and nothing for a wrong code.
			v, err := e.a.VerifyBirthSlip(e.ctx, r.Serial, strings.ToLower(r.Code))
			if err != nil || v.Parity != 2 || v.Mother != "王**" || v.Father != "李**" || v.Registered != r.Registered {
				t.Fatalf("verify %+v %v", v, err)
			}
			_, err = e.a.VerifyBirthSlip(e.ctx, r.Serial, "AAAAAAAA")
			wantKind(t, "a wrong code", err, apperr.NotFound)

			// The father registers the next birth online himself, and
			// cancels it.
			father := citizenOf(h, "341523100201")
			online, err := e.a.RegisterBirth(e.ctx, father, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: h.ID, Expected: date.MustParse("2026-02-01")})
			if err != nil {
				t.Fatal(err)
			}
			if online.Serial != "341523-2025-000002" || online.Parity != 4 || online.Channel != birth.ChannelOnline ||
				online.PolicyStatus != policy.ParityApprovalRequired || online.InPolicy {
				t.Fatalf("online registration %+v", online)
			}
			_, err = e.a.CancelBirth(e.ctx, mother, birth.Key{County: "341523", ID: online.ID}, 0, birth.CancelPregnancyEnded, "")
			wantKind(t, "the other parent cancels", err, apperr.Forbidden)
			cancelled, err := e.a.CancelBirth(e.ctx, father, birth.Key{County: "341523", ID: online.ID}, online.Version, birth.CancelPregnancyEnded, "")
			if err != nil || cancelled.Status != birth.StatusCancelled {
				t.Fatalf("cancel: %v", err)
			}
			_, err = e.a.VerifyBirthSlip(e.ctx, online.Serial, online.Code)
			wantKind(t, "a cancelled slip", err, apperr.NotFound)
		})
	}
}

func keyStr(k registry.Key) string { return (&registry.Record{ID: k.ID}).Ref() }

// TestBirthRefusals checks that the registration's use cases refuse what
// the actor may not do, each refusal audited once, and that a missing
// registration is no refusal.
func TestBirthRefusals(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			w, h, _ := e.couple("张兰", "赵明", "341523100201")
			stranger := e.person("钱多", registry.Female, "1990-01-01", "341523100201")
			r, err := e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-12-01")})
			if err != nil {
				t.Fatal(err)
			}
			k := birth.Key{County: "341523", ID: r.ID}
			tests := []struct {
				name    string
				call    func() error
				kind    apperr.Kind
				refused bool
			}{
				{"another village reads it", func() error { _, err := e.a.BirthRegistration(e.ctx, otherVillager, k); return err }, apperr.NotFound, true},
				{"another village closes it", func() error {
					_, err := e.a.CloseBirth(e.ctx, otherVillager, k, 0, birth.BirthRecord{Born: date.MustParse("2025-06-01"),
						Children: []birth.NewChild{{Name: "赵一", Sex: registry.Male}}})
					return err
				}, apperr.NotFound, true},
				{"another village registers for a parent of this one", func() error {
					_, err := e.a.RegisterBirth(e.ctx, otherVillager, birth.NewRegistration{County: "341523", Mother: stranger.ID,
						Applicant: stranger.ID, Expected: date.MustParse("2025-12-01")})
					return err
				}, apperr.NotFound, true},
				{"a stranger reads it as a citizen", func() error {
					_, err := e.a.BirthRegistration(e.ctx, citizenOf(stranger, "341523100201"), k)
					return err
				}, apperr.NotFound, true},
				{"a citizen registers for others", func() error {
					_, err := e.a.RegisterBirth(e.ctx, citizenOf(stranger, "341523100201"), birth.NewRegistration{County: "341523",
						Mother: w.ID, Father: h.ID, Applicant: w.ID, Expected: date.MustParse("2025-12-01")})
					return err
				}, apperr.Forbidden, true},
				{"a citizen records the birth", func() error {
					_, err := e.a.CloseBirth(e.ctx, citizenOf(w, "341523100201"), k, 0, birth.BirthRecord{Born: date.MustParse("2025-06-01"),
						Children: []birth.NewChild{{Name: "赵一", Sex: registry.Male}}})
					return err
				}, apperr.Forbidden, true},
				{"finance registers", func() error {
					_, err := e.a.RegisterBirth(e.ctx, finance, birth.NewRegistration{County: "341523", Mother: stranger.ID,
						Applicant: stranger.ID, Expected: date.MustParse("2025-12-01")})
					return err
				}, apperr.Forbidden, true},
				{"another village records an approval", func() error {
					_, err := e.a.RecordBirthApproval(e.ctx, otherVillager, w, birth.Approval{Kind: birth.ApprovalRebirth, Parity: 4,
						Issued: date.MustParse("2025-01-01")})
					return err
				}, apperr.NotFound, true},
				{"a missing registration", func() error {
					_, err := e.a.BirthRegistration(e.ctx, villager, birth.Key{County: "341523", ID: 999999})
					return err
				}, apperr.NotFound, false},
				{"a bad expected day", func() error {
					_, err := e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: stranger.ID,
						Applicant: stranger.ID, Expected: date.MustParse("2027-01-01")})
					return err
				}, apperr.Invalid, false},
			}
			for _, tt := range tests {
				before := denied(t, e.a)
				err := tt.call()
				wantKind(t, tt.name, err, tt.kind)
				want := before
				if tt.refused {
					want++
				}
				if got := denied(t, e.a); got != want {
					t.Errorf("%s: %d refusals audited, want %d", tt.name, got-before, want-before)
				}
			}
		})
	}
}

// TestBirthBeyondThree checks that a fourth child is registered as needing
// a re-birth approval, and as approved once the couple holds one.
func TestBirthBeyondThree(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			w, h, _ := e.couple("孙梅", "周强", "341523100201", "2016-02-01", "2019-03-01", "2022-04-01")
			r, err := e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-12-01")})
			if err != nil || r.Parity != 4 || r.PolicyStatus != policy.ParityApprovalRequired || r.InPolicy {
				t.Fatalf("fourth without approval: %+v %v", r, err)
			}
			if _, err := e.a.CancelBirth(e.ctx, villager, birth.Key{County: "341523", ID: r.ID}, 0, birth.CancelError, ""); err != nil {
				t.Fatal(err)
			}
			ap, err := e.a.RecordBirthApproval(e.ctx, county, w, birth.Approval{Kind: birth.ApprovalRebirth, Parity: 4, Spouse: h.ID,
				Number: "舒再审〔2025〕3号", Issued: date.MustParse("2025-05-20"), Issuer: "舒城县卫生健康委员会"})
			if err != nil {
				t.Fatal(err)
			}
			if as, err := e.a.BirthApprovals(e.ctx, villager, h); err != nil || len(as) != 1 || as[0].ID != ap.ID {
				t.Fatalf("the husband's approvals %v %v", as, err)
			}
			r, err = e.a.RegisterBirth(e.ctx, villager, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-12-01")})
			if err != nil || r.Parity != 4 || r.PolicyStatus != policy.ParityApproved || !r.InPolicy || r.ApprovalID != ap.ID {
				t.Fatalf("fourth with approval: %+v %v", r, err)
			}
			slip, err := e.a.BirthSlip(e.ctx, villager, birth.Key{County: "341523", ID: r.ID})
			if err != nil || slip.Approval == nil || slip.Approval.Number != ap.Number || len(slip.Counted) != 3 {
				t.Fatalf("slip %+v %v", slip, err)
			}
		})
	}
}

// TestBirthCitizenOtherParent checks that a citizen names as the other
// parent only their spouse (or the other parent of a child of theirs).
func TestBirthCitizenOtherParent(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			w, h, _ := e.couple("林芳", "高山", "341523100201")
			other := e.person("路人甲", registry.Male, "1990-02-02", "341523100201")
			mother := citizenOf(w, "341523100201")
			_, err := e.a.RegisterBirth(e.ctx, mother, birth.NewRegistration{County: "341523", Mother: w.ID, Father: other.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-12-01")})
			wantKind(t, "a stranger as the father", err, apperr.Invalid)
			if _, err := e.a.RegisterBirth(e.ctx, mother, birth.NewRegistration{County: "341523", Mother: w.ID, Father: h.ID,
				Applicant: w.ID, Expected: date.MustParse("2025-12-01")}); err != nil {
				t.Fatalf("the husband as the father: %v", err)
			}
		})
	}
}
