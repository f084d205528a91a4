package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// personOp is the access rule of a use case on person k: perm, and the
// person's region (their village) within the actor's scope.
func personOp(name string, perm auth.Permission, k registry.Key) op {
	return op{name: name, perm: perm, target: Target{Entity: "person", ID: strconv.FormatInt(k.ID, 10), Region: region.Code(k.County)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			rec, err := tx.PersonByKey(ctx, "", k)
			if err != nil {
				return "", err
			}
			return region.Code(rec.Region), nil
		}}
}
