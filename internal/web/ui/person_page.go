package ui

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// personKey reads {county}/{id} from the path.
func personKey(r *http.Request) (registry.Key, error) {
	county := r.PathValue("county")
	c, err := region.ParseCode(county)
	if err != nil || c.Level() != region.County && c.Level() != region.Prefecture {
		return registry.Key{}, apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return registry.Key{}, apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")
	}
	return registry.Key{County: string(c), ID: id}, nil
}

// personPage shows one person: the record, the family tree, hukou
// history, life events, the benefits the rules in force decide this year
// with their clause-by-clause explanation, the person's rows on the roll,
// their account and (for auditors) the change log — one overview read
// through the use-case layer, which refuses and audits a person outside
// the actor's scope as the API does.
func (h *Handler) personPage(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "person.title")
	o, err := h.app.PersonOverview(r.Context(), a, k, v.Lang)
	if err != nil {
		return err
	}
	rec, fam := o.Person, o.Family
	v.Title = rec.Name
	var hukou []registry.HukouSpell
	if p := fam.Person(rec.Ref()); p != nil {
		hukou = slices.Clone(p.Hukou)
		slices.SortFunc(hukou, func(a, b registry.HukouSpell) int { return cmp.Compare(b.From.String(), a.From.String()) })
	}
	v.Data = map[string]any{
		"Rec":       rec,
		"Key":       rec.County + "/" + rec.Ref(),
		"IDMasked":  idcard.Number(rec.IDNumber).Masked(),
		"Age":       ageOf(rec, date.Today(h.now()), v.T),
		"Tree":      familyTree(fam, rec.County, rec.Ref()),
		"Hukou":     hukou,
		"Events":    lifeEvents(fam, rec, v.T),
		"Audit":     o.Audit,
		"CanAudit":  auth.Can(a, auth.PermAuditRead),
		"CanWrite":  canWriteRegistry(a),
		"EventKind": eventKinds,
		"Benefits":  toBenefits(o.Benefits, o.Names, v.Lang),
		"Year":      o.Year,
		"Roll":      rollEntries(o.Roll, o.Names),
		"Cases":     o.Cases,
		"Names":     o.Names,
		"RollEvent": canApplyEvents(a),
		"Account":   accountBlock(a, o.Account, v.Lang),
		"Lines":     o.Lines,
		"Tasks":     o.Tasks,
	}
	return h.render(w, http.StatusOK, "person.html", v)
}

// rollEntries are a person's rows on the roll as the page lists them.
func rollEntries(rows []app.RollEntry, names map[string]string) []personRollEntry {
	if rows == nil {
		return nil
	}
	out := make([]personRollEntry, len(rows))
	for i, r := range rows {
		out[i] = personRollEntry{Recipient: r.Recipient, ProgramName: label(names, r.Program), PaidThrough: r.PaidThrough(), Changes: r.Changes}
	}
	return out
}

// accountBlock is the account block of the person page: shown to the roles
// that read payments, the number masked, editable by the finance officer
// only; nil for the other roles.
func accountBlock(a auth.Actor, acc *payment.Account, lang string) *personAccount {
	if !auth.Can(a, auth.PermPaymentRead) {
		return nil
	}
	pa := &personAccount{CanEdit: auth.Can(a, auth.PermPaymentManage), Banks: payment.Banks}
	if acc != nil {
		masked := *acc
		masked.Number = payment.MaskAccount(acc.Number)
		pa.Account, pa.BankName = &masked, bankName(acc.Bank, lang)
	}
	return pa
}

// canWriteRegistry decides whether to offer the registry's forms; the
// registry checks the same permission again on every change.
func canWriteRegistry(a auth.Actor) bool {
	return auth.Can(a, auth.PermRegistryWrite)
}

// ageOf is the person's age today in words ("65 岁"), or the age at
// death for one who has died ("享年 86 岁").
func ageOf(rec *registry.Record, today date.Date, t map[string]string) string {
	if !rec.Death.IsZero() {
		return fmt.Sprintf(t["age_at_death"], rec.Birth.YearsBetween(rec.Death))
	}
	return fmt.Sprintf(t["age_n"], rec.Birth.YearsBetween(today))
}
