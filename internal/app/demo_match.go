package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// demoMatchRows is the size of each department extract the demo imports.
const demoMatchRows = 120

// demoMatching imports, as the county's officer, a hospital birth extract
// and a vaccination extract generated from the demo county (the dirty
// extracts of `jiahe gen-extract`), so that the worklist has new children
// to register. No police death is imported: it would hold the payments
// the demo stages.
func (a *App) demoMatching(ctx context.Context, officer auth.Actor, cfg synth.Config) (tasks int, err error) {
	reg, err := matching.GenerateCounty(ctx, synth.Config{County: cfg.County, Persons: cfg.Persons, Seed: cfg.Seed})
	if err != nil {
		return 0, err
	}
	outside, err := matching.GenerateCounty(ctx, synth.Config{County: matching.NeighbourCounty(cfg.County), Persons: 2000, Seed: cfg.Seed + 1})
	if err != nil {
		return 0, err
	}
	for i, k := range []matching.Kind{matching.HospitalBirths, matching.Vaccination} {
		x, err := matching.GenerateExtract(reg, outside, matching.ExtractConfig{Kind: k, Rows: demoMatchRows, Noise: 1, Outside: -1, Seed: uint64(7 + i)})
		if err != nil {
			return 0, err
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write(x.Header); err != nil {
			return 0, err
		}
		if err := w.WriteAll(x.Rows); err != nil {
			return 0, err
		}
		res, err := a.ImportExtract(ctx, officer, MatchImport{County: cfg.County, Kind: string(k), FileName: fmt.Sprintf("%s.csv", k),
			File: &buf, Limits: sheet.LocalLimits})
		if err != nil {
			return 0, err
		}
		tasks += res.Import.Tasks
	}
	return tasks, nil
}
