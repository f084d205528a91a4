package store

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/payment"
)

// SavePaymentPayee records that person's payments of program go to
// payee's account (docs/births.md, "Payment").
func (tx *Tx) SavePaymentPayee(ctx context.Context, county string, person int64, program string, payee, by int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_payees (county, person_id, program, payee_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (county, person_id, program) DO UPDATE SET payee_id = excluded.payee_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		county, person, program, payee, by, ts(tx.now))
	return err
}

// PaymentPayees returns the payees recorded for those of personIDs that
// have one, by person and program.
func (tx *Tx) PaymentPayees(ctx context.Context, county string, personIDs []int64) (map[payment.PayeeKey]int64, error) {
	out := map[payment.PayeeKey]int64{}
	for _, ids := range chunks(personIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT person_id, program, payee_id FROM payment_payees WHERE county = ? AND person_id `+in, append([]any{county}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k payment.PayeeKey
			var payee int64
			if err := rows.Scan(&k.PersonID, &k.Program, &payee); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = payee
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
