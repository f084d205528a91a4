package webtest

import (
	"context"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// WFUsers adds the procedure's staff for 仁和村 of 城关镇, 舒城县.
func (ts *Server) WFUsers() {
	ts.T.Helper()
	for _, u := range []auth.NewUser{
		{Username: "czg", Name: "村专干", Role: auth.RoleVillage, Region: "341523100201", Password: "cz123456"},
		{Username: "xzs", Name: "乡审核", Role: auth.RoleTownship, Region: "341523100000", Password: "xz123456"},
		{Username: "jdu", Name: "监督", Role: auth.RoleSupervisor, Region: "341523", Password: "jd123456"},
		{Username: "dcy", Name: "李调查", Role: auth.RoleTownship, Region: "341523100000", Password: "dc123456"},
	} {
		built, err := u.Build(region.Default(), auth.TestParams)
		if err != nil {
			ts.T.Fatal(err)
		}
		if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
			_, err := auth.CreateUser(context.Background(), tx, auth.System, built)
			return err
		}); err != nil {
			ts.T.Fatal(err)
		}
	}
}

// Surveyors are the investigators the procedure tests name: the village
// specialist czg and the township's surveyor dcy (WFUsers).
func (ts *Server) Surveyors() []map[string]any {
	return []map[string]any{{"user_id": ts.UID("czg")}, {"user_id": ts.UID("dcy")}}
}

// Namesakes registers n men of HomeVillage whose names are prefix and a
// number of three digits (prefix000, prefix001, …), born on different days.
func (ts *Server) Namesakes(prefix string, n int) {
	ts.T.Helper()
	ctx := context.Background()
	err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		for i := range n {
			birth := fmt.Sprintf("19%02d-%02d-%02d", 50+i/12%40, i%12+1, i%28+1)
			if _, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{IDNumber: PersonID(birth, true, 50+i),
				Name: fmt.Sprintf("%s%03d", prefix, i), Sex: "M", Birth: date.MustParse(birth), Region: HomeVillage,
				HukouType: registry.Rural}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		ts.T.Fatal(err)
	}
}

// WFFamily registers a rural couple with one daughter and returns the
// wife.
func (ts *Server) WFFamily() *registry.Record {
	ts.T.Helper()
	ctx := context.Background()
	var wife *registry.Record
	err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		reg := func(name, sex, birth string, seq int) (*registry.Record, error) {
			b := date.MustParse(birth)
			return registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: name, Sex: sex, Birth: b,
				IDNumber: string(idcard.Make("341523", b.Time(), seq)), Region: "341523100201", HukouType: registry.Rural,
				Address: "舒城县城关镇仁和村三组15号"})
		}
		w, err := reg("王秀英", "F", "1964-01-15", 22)
		if err != nil {
			return err
		}
		h, err := reg("张建国", "M", "1962-03-01", 31)
		if err != nil {
			return err
		}
		c, err := reg("张丽", "F", "1987-04-12", 42)
		if err != nil {
			return err
		}
		if _, err := registry.AddMarriage(ctx, tx, auth.System, registry.Key{County: "341523", ID: h.ID}, registry.Key{County: "341523", ID: w.ID},
			registry.Marriage{From: date.MustParse("1986-01-01")}, ""); err != nil {
			return err
		}
		yes := true
		for _, p := range []*registry.Record{w, h} {
			if _, err := registry.AddChild(ctx, tx, auth.System, registry.Key{County: "341523", ID: p.ID}, registry.Key{County: "341523", ID: c.ID},
				registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
				return err
			}
		}
		wife = w
		return nil
	})
	if err != nil {
		ts.T.Fatal(err)
	}
	return wife
}

// PaySeed adds a second finance officer and two 奖扶 recipients, each
// with a rural husband and one son: the roll rows are written with SQL as
// the procedure would leave them, and no batch evaluation is run, since a
// cycle decides what the roll is due when it is generated (960 yuan a
// year each under Anhui's rules for 2024).
func (ts *Server) PaySeed() {
	ts.T.Helper()
	ctx := context.Background()
	u := auth.NewUser{Username: "finance2", Name: "复核", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"}
	built, err := u.Build(region.Default(), auth.TestParams)
	if err != nil {
		ts.T.Fatal(err)
	}
	err = ts.DB.Update(ctx, func(tx *store.Tx) error {
		if _, err := auth.CreateUser(ctx, tx, auth.System, built); err != nil {
			return err
		}
		for i, p := range []struct {
			id        int64
			name, idn string
		}{{501, "张秀英", "341523196001010023"}, {502, "李桂兰", "341523196001020015"}} {
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at)
					VALUES ('341523', ?, ?, ?, 'F', '1960-01-01', '341523100201', 'rural', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
					[]any{p.id, p.idn, p.name}},
				{`INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at)
					VALUES ('341523', ?, ?, 'jf', '341523100201', '2020-03-01', 2020, 'active', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
					[]any{p.id, p.id}},
			} {
				if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			wife := registry.Key{County: "341523", ID: p.id}
			if err := tx.InsertHukouSpell(ctx, "341523", p.id, registry.HukouSpell{Type: registry.Rural, Region: "341523100201",
				From: date.MustParse("1960-01-01")}); err != nil {
				return err
			}
			if err := payFamily(ctx, tx, wife, 61+i*4); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		ts.T.Fatal(err)
	}
}

// payFamily registers a rural husband born in 1958 and a son born in
// 1985 to wife, registered in 仁和村; seq, odd, keeps ID numbers apart.
func payFamily(ctx context.Context, tx *store.Tx, wife registry.Key, seq int) error {
	reg := func(name, sex, birth string, seq int) (*registry.Record, error) {
		b := date.MustParse(birth)
		return registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: name, Sex: sex, Birth: b,
			IDNumber: string(idcard.Make("341523", b.Time(), seq)), Region: "341523100201", HukouType: registry.Rural,
			Address: "舒城县城关镇仁和村三组15号"})
	}
	h, err := reg("周德福", "M", "1958-01-01", seq)
	if err != nil {
		return err
	}
	c, err := reg("周小军", "M", "1985-05-01", seq+2)
	if err != nil {
		return err
	}
	if _, err := registry.AddMarriage(ctx, tx, auth.System, registry.Key{County: "341523", ID: h.ID}, wife,
		registry.Marriage{From: date.MustParse("1983-01-01")}, ""); err != nil {
		return err
	}
	yes := true
	for _, p := range []registry.Key{wife, {County: "341523", ID: h.ID}} {
		if _, err := registry.AddChild(ctx, tx, auth.System, p, registry.Key{County: "341523", ID: c.ID},
			registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
			return err
		}
	}
	return nil
}

// Field walks the JSON object body down path and returns what it finds
// there, or nil.
func Field(body map[string]any, path ...string) any {
	var v any = body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// Num is a JSON number as an integer.
func Num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// ErrKind is the kind of a JSON error answer.
func ErrKind(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["kind"].(string)
	return s
}

// ErrMessage is the message of a JSON error answer.
func ErrMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// The village officer of New works in 东苑社区 341523100001; 仁和村
// 341523100201 is in the same county but outside that village.
const (
	HomeVillage  = "341523100001"
	OtherVillage = "341523100201"
)

// PersonID returns a valid ID number of 舒城县: the n-th of the birth
// date, of a man when male.
func PersonID(birth string, male bool, n int) string {
	seq := 2 * n
	if male {
		seq++
	}
	return string(idcard.Make("341523", date.MustParse(birth).Time(), seq))
}
