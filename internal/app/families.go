package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// familyChunk is how many persons' families are read at a time.
const familyChunk = 500

// families reads the family the rules see for each of persons of county
// with the one family reader (store.Tx.Families, registry.Families) that
// the family view and batch evaluation use, so that a payment run decides
// on the same facts as the person page, the procedure and the batch: a
// chunk of persons at a time. A person not registered in the county has
// no entry.
func families(ctx context.Context, tx *store.Tx, county string, persons []int64) (map[int64]*registry.Family, error) {
	out := make(map[int64]*registry.Family, len(persons))
	for start := 0; start < len(persons); start += familyChunk {
		chunk := persons[start:min(start+familyChunk, len(persons))]
		fs, err := tx.Families(ctx, county, chunk)
		if err != nil {
			return nil, err
		}
		for _, id := range fs.Subjects {
			out[id] = fs.Family(id)
		}
	}
	// The relatives that persons who moved in left in their old county
	// (package move).
	if err := tx.WidenFamilies(ctx, county, out); err != nil {
		return nil, err
	}
	return out, nil
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }
