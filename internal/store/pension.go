package store

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
)

var _ payment.PensionStore = (*Tx)(nil)

// PersonsByIDs returns the persons of county with the ids, in id order.
func (tx *Tx) PersonsByIDs(ctx context.Context, county string, ids []int64) ([]registry.Record, error) {
	var out []registry.Record
	for _, part := range chunks(ids) {
		in, args := tx.oneOf(part)
		got, err := tx.persons(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id `+in+` ORDER BY id`, append([]any{county}, args...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}
