package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// LedgerView is the funds ledger with the programs, in the order the
// rules declare them, and their names.
type LedgerView struct {
	*payment.Ledger
	Programs []string          // the programs' codes
	Names    map[string]string // program names, by code
}

// Ledger returns the funds ledger of year by level of government for
// code (a division within the actor's scope; "" for the whole scope) and
// program ("" for all). With a lang, the programs are named in it.
func (a *App) Ledger(ctx context.Context, who auth.Actor, year int, code, program, lang string) (*LedgerView, error) {
	o := op{name: "payment.ledger", perm: auth.PermPaymentRead, target: Target{Entity: "ledger", Region: region.Code(code)}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*LedgerView, error) {
		l, err := payment.GetLedger(ctx, tx, who, a.tree(), year, code, program)
		if err != nil {
			return nil, err
		}
		if lang == "" {
			return &LedgerView{Ledger: l}, nil
		}
		list, err := a.programs(ctx, tx)
		if err != nil {
			return nil, err
		}
		names := namesIn(list, lang)
		for i := range l.ByProgram {
			if n := names[l.ByProgram[i].Key]; n != "" {
				l.ByProgram[i].Name = n
			}
		}
		return &LedgerView{Ledger: l, Programs: list.Codes(), Names: names}, nil
	})
}

// Letter returns the printable notification letter (告知书, HTML) of person
// for cycle id of county.
func (a *App) Letter(ctx context.Context, who auth.Actor, county string, id, person int64) ([]byte, error) {
	o := countyOp("payment.letter", auth.PermPaymentRead, "payment_cycle", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) ([]byte, error) {
		return payment.Letter(ctx, tx, who, a.tree(), county, id, person)
	})
}

// LetterContent returns what the notification letter of person for cycle
// id of county says, for a page to lay out.
func (a *App) LetterContent(ctx context.Context, who auth.Actor, county string, id, person int64) (*payment.LetterData, error) {
	o := countyOp("payment.letter", auth.PermPaymentRead, "payment_cycle", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.LetterData, error) {
		return payment.LetterContent(ctx, tx, who, a.tree(), county, id, person)
	})
}
