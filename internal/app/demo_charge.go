package app

import (
	"context"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// demoCharges puts some of the demo village's recipients and open cases
// in the charge of the demo's cadres and leaves the others with nobody,
// so that both lists have something to show: every recipient but the
// last has the village specialist, the first half the township officer
// too and the first two the county officer; the open cases but the last
// two have the village specialist. It returns how many were assigned.
func (a *App) demoCharges(ctx context.Context, cast DemoCast, village region.Code) (int, error) {
	n := 0
	for _, kind := range charge.Kinds.Codes() {
		b, err := a.ChargeBoard(ctx, cast.Township, charge.Query{Region: string(village), Kind: kind})
		if err != nil {
			return n, err
		}
		var ids []int64
		for _, t := range b.Rows {
			ids = append(ids, t.ID)
		}
		if len(ids) < 3 {
			continue
		}
		type step struct {
			cadre int64
			level workflow.Level
			upto  int
		}
		steps := []step{{cast.Village.UserID, workflow.LevelVillage, len(ids) - 2}}
		if kind == charge.KindRecipient {
			steps = []step{{cast.Village.UserID, workflow.LevelVillage, len(ids) - 1},
				{cast.Township.UserID, workflow.LevelTownship, len(ids) / 2}, {cast.County.UserID, workflow.LevelCounty, 2}}
		}
		for _, s := range steps {
			who := cast.Township
			if s.level == workflow.LevelCounty {
				who = cast.County
			}
			d, err := a.AssignCharges(ctx, who, charge.Batch{Region: string(village), Kind: kind, Level: s.level, IDs: ids[:s.upto], UserID: s.cadre})
			if err != nil {
				return n, fmt.Errorf("demo: cadres in charge: %w", err)
			}
			n += d.Changed
		}
	}
	return n, nil
}
