package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// ReviewStats counts what GenerateInPersonReviews recorded.
type ReviewStats struct {
	Recipients int `json:"recipients"`
	Seen       int `json:"seen"`
	NotSeen    int `json:"not_seen"`  // with a reason
	Unreached  int `json:"unreached"` // nothing recorded yet
}

// GenerateInPersonReviews records the first round of year's face-to-face
// review of county's recipients that have no record yet, as
// synth.InPersonReviews plans it (the synthetic county of the demo:
// docs/synthetic.md): most seen, some not seen with the reason, a few not
// reached. Only the system (the command line) runs it; each record is
// audited as the village's would be.
func (a *App) GenerateInPersonReviews(ctx context.Context, who auth.Actor, county string, year int, seed uint64) (*ReviewStats, error) {
	o := op{name: "inperson.generate", perm: auth.PermCaseRead, target: Target{Entity: "inperson_review", Region: region.Code(county)}}
	if who != auth.System {
		return nil, a.audited(ctx, who, o, apperr.Forbiddenf("只有系统（命令行）可以生成演示数据", "only the system (the command line) generates demo data"))
	}
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*ReviewStats, error) {
		rows, err := tx.ReviewRoll(ctx, region.Code(county), county, year)
		if err != nil {
			return nil, err
		}
		var persons []int64
		for _, r := range rows {
			if r.Review == nil {
				persons = append(persons, r.PersonID)
			}
		}
		years, err := a.retention(ctx, tx, county)
		if err != nil {
			return nil, err
		}
		st := &ReviewStats{Recipients: len(persons)}
		for _, p := range synth.InPersonReviews(persons, year, date.Today(tx.Now()), seed) {
			switch {
			case p.Skip:
				st.Unreached++
				continue
			case p.Entry.Seen:
				st.Seen++
			default:
				st.NotSeen++
			}
			if _, _, err := inperson.Record(ctx, tx, a.blobs(tx), who, registry.Key{County: county, ID: p.Person}, p.Entry, years); err != nil {
				return nil, err
			}
		}
		return st, nil
	})
}
