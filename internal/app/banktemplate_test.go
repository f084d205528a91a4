package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestBankTemplates: the finance officer sets the layout of the county's
// files for a bank, validated field by field and audited; a stale version
// is refused, other roles and counties too; the bank's file then follows
// the template, and follows the generic layout again once it is reset.
func TestBankTemplates(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			vs, err := e.a.BankTemplates(ctx, county, "341523")
			if err != nil || len(vs) != len(payment.Banks) {
				t.Fatalf("templates %v: %v", vs, err)
			}
			for _, v := range vs {
				if v.Template != nil || v.Layout.Name != payment.GenericLayout.Name {
					t.Errorf("%s: %+v before any template", v.Bank.Code, v)
				}
			}

			// Every problem of a layout at once, each on its field.
			bad := payment.BankLayout{Name: " ", Format: payment.LayoutText, Delimiter: "#", Encoding: "latin1", Columns: []string{"name", "nope"},
				Header: "{笔数}^{合计}", Remarks: "a^b", Split: "village"}
			_, err = e.a.SetBankTemplate(ctx, finance, "341523", "402", bad, 0)
			var list apperr.List
			if !asList(err, &list) {
				t.Fatalf("a bad layout: %v", err)
			}
			var fields []string
			for _, p := range list {
				fields = append(fields, p.Field)
			}
			for _, f := range []string{"name", "delimiter", "encoding", "split", "columns", "header"} {
				if !slices.Contains(fields, f) {
					t.Errorf("no problem on %s: %v", f, list)
				}
			}
			missing := payment.GenericLayout
			missing.Columns = []string{payment.ColName, payment.ColYuan}
			if _, err := e.a.SetBankTemplate(ctx, finance, "341523", "402", missing, 0); err == nil || !strings.Contains(err.Error(), "the account") {
				t.Errorf("a layout without the account: %v", err)
			}

			rcc, _ := payment.Builtin("rcc-caret")
			for _, who := range []struct {
				name string
				err  apperr.Kind
			}{{"county", apperr.Forbidden}, {"neighbour", apperr.Forbidden}} {
				actor := county
				if who.name == "neighbour" {
					actor = neighbour
				}
				if _, err := e.a.SetBankTemplate(ctx, actor, "341523", "402", rcc, 0); apperr.KindOf(err) != who.err {
					t.Errorf("%s sets a template: %v", who.name, err)
				}
			}
			if _, err := e.a.SetBankTemplate(ctx, finance, "341523", "999", rcc, 0); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("an unknown bank: %v", err)
			}
			tp, err := e.a.SetBankTemplate(ctx, finance, "341523", "402", rcc, 0)
			if err != nil || tp.Version != 1 || tp.UpdatedByName != finance.Name {
				t.Fatalf("set: %+v %v", tp, err)
			}
			if _, err := e.a.SetBankTemplate(ctx, finance, "341523", "402", rcc, 0); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a stale version: %v", err)
			}
			rcc.Name = "信用社（改）"
			if tp, err = e.a.SetBankTemplate(ctx, finance, "341523", "402", rcc, 1); err != nil || tp.Version != 2 {
				t.Fatalf("update: %+v %v", tp, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.bank_template.set'`); n != 2 {
				t.Errorf("%d template changes audited, want 2", n)
			}
			vs, _ = e.a.BankTemplates(ctx, county, "341523")
			for _, v := range vs {
				if (v.Bank.Code == "402") != (v.Template != nil) || v.Bank.Code == "402" && v.Layout.Name != "信用社（改）" {
					t.Errorf("%s: %+v", v.Bank.Code, v)
				}
			}

			// The 信用社 batch's file follows the template.
			b := e.releasedBatch("402")
			fs, err := e.a.BankFile(ctx, finance, "341523", b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fs.Template == nil || fs.Layout.Delimiter != "^" || len(fs.Files) != 1 {
				t.Fatalf("file set %+v", fs)
			}
			f := fs.Files[0]
			if want := []string{"2", b.Total.String(), "20240620", ""}; !slices.Equal(f.Header, want) {
				t.Errorf("first line %q, want %q", f.Header, want)
			}
			if len(f.Rows) != 2 || f.Rows[0][2] != "王秀英" || f.Rows[0][5] != "计生扶助2024" {
				t.Errorf("rows %q", f.Rows)
			}

			if err := e.a.ResetBankTemplate(ctx, finance, "341523", "402", 1); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("reset over a stale version: %v", err)
			}
			if err := e.a.ResetBankTemplate(ctx, finance, "341523", "402", 2); err != nil {
				t.Fatal(err)
			}
			if fs, err = e.a.BankFile(ctx, finance, "341523", b.ID); err != nil || fs.Template != nil || fs.Layout.Format != payment.LayoutCSV {
				t.Errorf("after the reset: %+v %v", fs, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.bank_template.reset'`); n != 1 {
				t.Errorf("%d resets audited", n)
			}
		})
	}
}

func asList(err error, list *apperr.List) bool {
	l, ok := err.(apperr.List)
	if ok {
		*list = l
	}
	return ok
}
