package matching

import (
	"context"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// A small registry: a family in a village of 舒城县, namesakes and
// look-alikes, and enough strangers that names and dates are not rare by
// accident.
func smallIndex(t *testing.T) *Matcher {
	t.Helper()
	b := NewIndexBuilder()
	add := func(id int64, idn, name, sex, birth, region string, mother, father int64) {
		b.Add(Candidate{Key: registry.Key{County: "341523", ID: id}, IDNumber: idn, Name: name, Sex: sex,
			Birth: date.MustParse(birth), Region: region, Mother: mother, Father: father})
	}
	add(1, "341523196503120011", "张建国", "M", "1965-03-12", "341523101200", 0, 0)
	add(2, "34152319670805002X", "王丽", "F", "1967-08-05", "341523101200", 0, 0)
	add(3, "341523199004060015", "张伟", "M", "1990-04-06", "341523101200", 2, 1)
	add(4, "", "张子涵", "F", "2023-05-01", "341523101200", 9, 3)
	add(9, "341523199203040021", "陈静", "F", "1992-03-04", "341523101200", 0, 0)
	add(5, "341523196503120038", "章建华", "M", "1965-03-12", "341523102200", 0, 0)
	add(6, "341523198001010046", "李秀英", "F", "1980-01-01", "341523100001", 0, 0)
	add(7, "341523198001010054", "李秀英", "F", "1980-01-01", "341523103200", 0, 0) // not possible with this number's sex digit, but the index does not check sex
	add(8, "341523195511300017", "单国强", "M", "1955-11-30", "341523102201", 0, 0)
	// Strangers.
	for i := range 2000 {
		d := date.Of(1940+i%70, time.Month(1+i%12), 1+i%28)
		add(int64(100+i), "", []string{"赵", "钱", "孙", "周", "吴"}[i%5]+[]string{"一", "二", "三", "四", "五", "六", "七"}[i%7]+[]string{"甲", "乙", "丙"}[i%3], []string{"M", "F"}[i%2], d.String(), "341523104200", 0, 0)
	}
	m, err := NewMatcher(b.Build(), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatchCases(t *testing.T) {
	m := smallIndex(t)
	for _, c := range []struct {
		name   string
		kind   Kind
		text   string
		role   Role
		want   Outcome
		person int64
		level  func(Evidence) bool
	}{
		{"valid number", PoliceDeaths, "341523196503120011,张建国,男,1965-03-12,2024-03-05,", RolePerson, Matched, 1, func(e Evidence) bool { return e.ID == LevelExact }},
		{"15-digit number", PoliceDeaths, "341523650312001,张建国,男,,2024-03-05,", RolePerson, Matched, 1, nil},
		{"lower-case x and full-width digits", Pension, "３４１５２３１９６７０８０５００２x,王丽,2024-03-05,企业", RolePerson, Matched, 2, nil},
		{"wrong check character", Pension, "341523196503120012,张建国,2024-03-05,企业", RolePerson, Matched, 1, func(e Evidence) bool { return e.ID == LevelCheckChar }},
		{"exchanged digits", Pension, "341523196503210011,张建国,2024-03-05,企业", RolePerson, Matched, 1, func(e Evidence) bool { return e.ID == LevelOneEdit }},
		{"homophone surname, no number", PoliceDeaths, ",章建国,男,1965-03-12,2024-03-05,舒城县晓天镇龙潭村3组", RolePerson, Matched, 1, func(e Evidence) bool { return e.Name == LevelSound && e.Place == LevelVillage }},
		{"traditional characters, swapped date", PoliceDeaths, ",張建國,男,1965-12-03,2024-03-05,晓天镇龙潭村", RolePerson, Matched, 1, func(e Evidence) bool { return e.Birth == LevelSwapped }},
		{"homophone given name", PoliceDeaths, ",王莉,女,1967-08-05,2024-03-05,晓天镇", RolePerson, Matched, 2, func(e Evidence) bool { return e.Name == LevelSound }},
		{"surname read as a surname", PoliceDeaths, ",单国强,男,1955-11-30,2024-03-05,", RolePerson, Matched, 8, nil},
		{"a valid number of someone else: never matched", PoliceDeaths, string(idcard.Make("341524", date.MustParse("1965-03-12").Time(), 1)) + ",张建国,男,1965-03-12,2024-03-05,", RolePerson, Review, 1, func(e Evidence) bool { return e.ID == LevelDiffer }},
		{"namesakes born the same day", PoliceDeaths, ",李秀英,女,1980-01-01,2024-03-05,", RolePerson, Review, 0, nil},
		{"a namesake told apart by the village", PoliceDeaths, ",李秀英,女,1980-01-01,2024-03-05,舒城县城关镇东苑社区", RolePerson, Matched, 6, nil},
		{"a number and another name", PoliceDeaths, "341523196503120011,李四,男,1965-03-12,2024-03-05,", RolePerson, Review, 1, nil},
		{"nobody", PoliceDeaths, ",欧阳修,男,1907-08-01,2024-03-05,", RolePerson, Unmatched, 0, nil},
		{"an unnamed child through its mother", Vaccination, "张伟之女,女,2023-05-01,陈静,341523199203040021,", RoleChild, Matched, 4, func(e Evidence) bool { return e.Parent == LevelAgree }},
		{"a child whose named mother is not its registered one", Vaccination, "张子涵,女,2023-05-01,王丽,,", RoleChild, Review, 4, func(e Evidence) bool { return e.Parent == LevelDiffer }},
		{"a child through its father", HospitalBirths, ",,女,2023-05-01,陈静,,张伟,341523199004060015,晓天镇卫生院", RoleChild, Matched, 4, func(e Evidence) bool { return e.Parent == LevelAgree }},
		{"a father through his child", HospitalBirths, ",张子涵,女,2023-05-01,陈静,,张伟,,晓天镇卫生院", RoleFather, Matched, 3, func(e Evidence) bool { return e.Parent == LevelAgree }},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, err := Parse(csvTable(joinHeader(c.kind)+"\n"+c.text), c.kind, Options{})
			if err != nil || !x.OK() || len(x.Rows) != 1 {
				t.Fatalf("%v %v", err, x.Problems)
			}
			rs := m.Match(&x.Rows[0])
			var r *Result
			for i := range rs {
				if rs[i].Role == c.role {
					r = &rs[i]
				}
			}
			if r == nil {
				t.Fatalf("no result for %s: %+v", c.role, rs)
			}
			if r.Outcome != c.want || c.person != 0 && r.Person.ID != c.person || c.want == Matched && r.IDNumber != m.ix.idNumber(m.ix.findForTest(c.person)) {
				t.Fatalf("got %s %v (%.3f, %s), want %s %d; candidates %+v", r.Outcome, r.Person, r.Score, r.Reason, c.want, c.person, r.Candidates)
			}
			if c.level != nil && !c.level(r.Candidates[0].Evidence) {
				t.Errorf("evidence %+v", r.Candidates[0].Evidence)
			}
			if l := r.Line(); len(l) != 5 || l[0] != "1" || l[1] != string(c.role) || l[2] != string(c.want) {
				t.Errorf("line %v", l)
			}
		})
	}
}

func joinHeader(k Kind) string {
	h := ""
	for i, c := range k.Headers() {
		if i > 0 {
			h += ","
		}
		h += c
	}
	return h
}

func (ix *Index) findForTest(id int64) int32 {
	for i := range ix.cands {
		if ix.cands[i].id == id {
			return int32(i)
		}
	}
	return -1
}

func TestMatchRowsOrderAndCancel(t *testing.T) {
	m := smallIndex(t)
	text := joinHeader(CivilMarriages)
	for range 1000 {
		text += "\n结婚,1989-01-01,张伟,341523199004060015,王丽,34152319670805002X"
	}
	x, _ := Parse(csvTable(text), CivilMarriages, Options{})
	res, err := m.MatchRows(context.Background(), x.Rows)
	if err != nil || len(res) != 2000 {
		t.Fatalf("%d results, %v", len(res), err)
	}
	for i, r := range res {
		if r.Row != i/2+1 || r.Role != []Role{RoleHusband, RoleWife}[i%2] || r.Outcome != Matched {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.MatchRows(ctx, x.Rows); err == nil {
		t.Errorf("a cancelled context went unnoticed")
	}
}

func TestParams(t *testing.T) {
	for _, p := range []Params{{Match: 0, Review: 0.1, Outside: 0.1}, {Match: 0.9, Review: 0.95, Outside: 0.1}, {Match: 0.9, Review: 0.1, Outside: 1}} {
		if p.Check() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := DefaultParams().Check(); err != nil {
		t.Error(err)
	}
}

func TestFeedback(t *testing.T) {
	m := smallIndex(t)
	x, _ := Parse(csvTable(joinHeader(PoliceDeaths)+",备注\n"+
		"341523196503120011,张建国,男,1965-03-12,2024-03-05,,甲\n"+
		",欧阳修,男,1907-08-01,2024-03-05,,乙\n"+
		"341523196503120011,李四,男,1965-03-12,2024-03-05,,丙\n"+
		"341523196503120011,张建国,男,1965-03-12,x,,丁"), PoliceDeaths, Options{})
	res, err := m.MatchRows(context.Background(), x.Rows)
	if err != nil {
		t.Fatal(err)
	}
	fb := Feedback(x, res)
	h := FeedbackHeader(x)
	if len(h) != 9 || h[6] != "备注" || h[7] != "比对结果" {
		t.Fatalf("header %v", h)
	}
	if len(fb) != 3 || fb[0][6] != "乙" || fb[1][6] != "丙" || fb[2][6] != "丁" {
		t.Fatalf("feedback %v", fb)
	}
	for _, r := range fb {
		if len(r) != len(h) || r[8] == "" {
			t.Errorf("feedback row %v", r)
		}
	}
}
