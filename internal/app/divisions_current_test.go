package app_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestRetiredDivision merges 晓天镇 into 城关镇 on 2026-02-01, on both
// engines, and checks what follows: a new person, a move of hukou, a
// user or a childcare filing in the retired township or its village is
// refused with a message naming the successor; a roster row of the
// retired village is registered in its successor; the pickers offer the
// divisions of today; the staff users of 晓天 are scoped to 城关 in the
// change's transaction (audited) and see the persons who followed; the
// parameters set for 晓天 follow unless 城关 has its own.
func TestRetiredDivision(t *testing.T) {
	const cg, xt = "341523100000", "341523101000"
	const cgP, xtP = "341523100", "341523101" // parameters are set for a prefix
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			xtStaff := auth.Actor{UserID: 901, Username: "xtz", Name: "晓天乡干", Role: auth.RoleTownship, Scope: xt}
			xtVillage := auth.Actor{UserID: 902, Username: "xtc", Name: "晓天村干", Role: auth.RoleVillage, Scope: xiaotian}
			addStaff(t, e.a.DB(), xtStaff, xtVillage)
			sqls(t, e.a.DB(), `INSERT INTO workflow_params (region, name, value) VALUES (?, 'survey_days', '9'), (?, 'notice_days', '5'), (?, 'notice_days', '7')`, xtP, xtP, cgP)

			ch, err := e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeMerge, Code: xt, Target: cg, Day: "2026-02-01", Basis: "皖政秘〔2026〕1号"})
			if err != nil {
				t.Fatal(err)
			}
			var moved region.Code
			for _, k := range ch.Keys {
				if k.Old == xiaotian {
					moved = k.New
				}
			}
			if len(ch.Users) != 2 || ch.Users[0].To != cg || ch.Users[1].To != moved {
				t.Errorf("users moved: %+v", ch.Users)
			}

			// A new entry in the retired township or village is refused,
			// naming the successor.
			b := date.MustParse("1990-04-01")
			np := registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 777)), Name: "新人", Sex: registry.Male, Birth: b, Region: xiaotian, HukouType: registry.Rural}
			_, err = e.a.RegisterPerson(e.ctx, county, np)
			wantKind(t, "a person in the retired village", err, apperr.Invalid)
			var ae *apperr.Error
			if !errors.As(err, &ae) || !strings.Contains(ae.ZH, "晓天镇") || !strings.Contains(ae.ZH, "2026年2月1日") || !strings.Contains(ae.ZH, "并入城关镇") ||
				!strings.Contains(ae.ZH, "现为城关镇龙潭村委会，请选择城关镇龙潭村委会") || ae.Field != "region" || !strings.Contains(ae.EN, string(moved)) {
				t.Errorf("the refusal: %+v", ae)
			}
			np.Region = xt
			_, err = e.a.RegisterPerson(e.ctx, county, np)
			if !errors.As(err, &ae) || !strings.HasPrefix(ae.ZH, "晓天镇已于2026年2月1日并入城关镇") {
				t.Errorf("a person in the retired township: %v", err)
			}
			np.Region = string(moved)
			if _, err := e.a.RegisterPerson(e.ctx, county, np); err != nil {
				t.Errorf("a person in the successor: %v", err)
			}
			mover := e.person("迁入者", registry.Female, "1991-01-01", renhe)
			_, err = e.a.ChangeHukou(e.ctx, county, mover, registry.HukouChange{Type: registry.Rural, From: date.MustParse("2026-02-05"), Reason: "婚迁", Region: xiaotian})
			wantKind(t, "a move into the retired village", err, apperr.Invalid)
			_, err = e.a.CreateUser(e.ctx, auth.System, auth.NewUser{Username: "newxt", Name: "新乡干", Role: auth.RoleTownship, Region: xt, Password: "Correct-Horse-9"})
			wantKind(t, "a user of the retired township", err, apperr.Invalid)

			// The pickers offer today's divisions.
			kids, err := e.a.DivisionsToday(e.ctx, "341523")
			if err != nil || slices.ContainsFunc(kids, func(d region.Division) bool { return d.Code == xt }) ||
				!slices.ContainsFunc(kids, func(d region.Division) bool { return d.Code == cg }) {
				t.Errorf("the county's townships today: %v %v", kids, err)
			}
			if kids, err = e.a.DivisionsToday(e.ctx, cg); err != nil || !slices.ContainsFunc(kids, func(d region.Division) bool { return d.Code == moved }) {
				t.Errorf("城关's villages today: %v %v", kids, err)
			}
			if kids, err = e.a.DivisionsToday(e.ctx, xt); err != nil || len(kids) != 0 {
				t.Errorf("晓天's villages today: %v %v", kids, err)
			}

			// A roster row of the retired village is registered in its
			// successor.
			id := idcard.Make("341523", date.MustParse("1970-06-01").Time(), 779)
			src, err := sheet.Open(bytes.NewReader([]byte("身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n"+string(id)+",旧册人,男,1970-06-01,"+xiaotian+",农业\n")), "")
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.a.ImportRoster(e.ctx, county, src, false)
			if err != nil || len(res.Problems) != 0 || res.Created != 1 || res.Persons[0].Region != string(moved) {
				t.Errorf("the roster: %+v %v", res, err)
			}

			// The users of 晓天 now work in 城关 and see the persons who
			// followed.
			var scopes []string
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				for _, id := range []int64{901, 902} {
					u, err := tx.UserByID(e.ctx, "", id)
					if err != nil {
						return err
					}
					scopes = append(scopes, string(u.Region))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(scopes, []string{cg, string(moved)}) {
				t.Errorf("the users' scopes: %v", scopes)
			}
			now := auth.Actor{UserID: 902, Username: "xtc", Name: "晓天村干", Role: auth.RoleVillage, Scope: moved}
			recs, n, err := e.a.SearchPersons(e.ctx, now, registry.Query{Name: "晓天母"})
			if err != nil || n != 1 || recs[0].Region != string(moved) {
				t.Errorf("the village's user searches its persons: %+v %d %v", recs, n, err)
			}
			var params []string
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(e.ctx, `SELECT region || ':' || name || '=' || value FROM workflow_params WHERE region IN (?, ?) ORDER BY 1`, xtP, cgP)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						return err
					}
					params = append(params, s)
				}
				return rows.Err()
			}); err != nil {
				t.Fatal(err)
			}
			want := []string{cgP + ":notice_days=7", cgP + ":survey_days=9", xtP + ":notice_days=5"}
			if !slices.Equal(params, want) {
				t.Errorf("the parameters: %v, want %v", params, want)
			}
			if n := auditCount(t, e.a.DB(), "division.merge"); n != 1 {
				t.Errorf("%d merger audited", n)
			}
			if n := auditCount(t, e.a.DB(), "user.region"); n != 2 {
				t.Errorf("%d users' moves audited, want 2", n)
			}
		})
	}
}
