package policy

import (
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
)

// RulesInForce are the rules that apply in one county in one year, each
// part with the layer it comes from ("national@1", "34@1", "341723@2";
// "" for a default of design §5).
type RulesInForce struct {
	County   string           `json:"county"`
	Year     int              `json:"year"`
	Version  string           `json:"version"` // the layers applied, top-down
	Family   []ParamInForce   `json:"family_params"`
	Central  []DatedPct       `json:"central_pct"` // the central share of base standards by date
	Programs []ProgramInForce `json:"programs"`
	// ProvinceEncoded is false when no rules of the county's province are
	// encoded: decisions then rest on the national baseline alone.
	ProvinceEncoded bool `json:"province_encoded"`
	// Documents are the documents the rules in force cite, by ID.
	Documents []Document `json:"documents"`
}

// ProgramInForce is one program as merged from its layers.
type ProgramInForce struct {
	Code          string             `json:"code"`
	Name          string             `json:"name"`
	NameEN        string             `json:"name_en,omitempty"`
	Layer         string             `json:"layer"` // the layer that defined it
	Params        []ParamInForce     `json:"params"`
	Clauses       []ClauseInForce    `json:"clauses"`
	Tier          string             `json:"tier,omitempty"`
	TierLayer     string             `json:"tier_layer,omitempty"`
	Rates         []RateInForce      `json:"rates"`
	Increments    []IncrementInForce `json:"increments"`
	Funding       Funding            `json:"funding"`
	FundingLayer  string             `json:"funding_layer"`
	ExclusiveWith []string           `json:"exclusive_with"`
	ExclusiveFrom string             `json:"exclusive_with_layer,omitempty"`
	RequiresAny   []string           `json:"requires_any,omitempty"`
	Doc           string             `json:"doc,omitempty"`
}

// ParamInForce is a parameter's value and the layer that set it.
type ParamInForce struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
	Layer string `json:"layer"`
}

// ClauseInForce is a clause and the layer that last set it.
type ClauseInForce struct {
	ClauseDef
	Layer string `json:"layer"`
}

// RateInForce is a rate and the layer that added it.
type RateInForce struct {
	Rate
	Layer string `json:"layer"`
}

// IncrementInForce is an increment and the layer that added it.
type IncrementInForce struct {
	Increment
	Layer string `json:"layer"`
}

// InForce returns the rules in force in county in year, with the layer
// each program, parameter, clause, rate and increment comes from, programs
// in evaluation order.
func (e *Evaluator) InForce(county string, year int) (*RulesInForce, error) {
	rs, err := e.rules(county, year)
	if err != nil {
		return nil, err
	}
	out := &RulesInForce{County: county, Year: year, Version: rs.version, Programs: []ProgramInForce{}, Central: []DatedPct{},
		ProvinceEncoded: rs.provinceEncoded, Documents: []Document{}}
	for _, d := range rs.docs {
		out.Documents = append(out.Documents, d)
	}
	slices.SortFunc(out.Documents, func(a, b Document) int { return strings.Compare(a.ID, b.ID) })
	out.Family = []ParamInForce{
		{Name: "remarriage", Value: rs.reading.remarriage},
		{Name: "tf_childless_spouse", Value: rs.reading.childless},
		{Name: "land_requisition_rural", Value: rs.reading.landRequisition},
	}
	if rs.reading.defactoCutoffSet {
		out.Family = append(out.Family, ParamInForce{Name: "defacto_adoption_cutoff", Value: rs.reading.defactoCutoff.String()})
	}
	for i := range out.Family {
		out.Family[i].Layer = rs.readingFrom[out.Family[i].Name]
	}
	end := date.Of(year, 12, 31)
	for _, c := range rs.central {
		if !c.From.After(end) {
			out.Central = append(out.Central, c)
		}
	}
	for _, p := range rs.programs {
		d := p.def
		pf := ProgramInForce{Code: p.code, Name: p.name, NameEN: p.nameEN, Layer: d.origin["program"],
			Params: []ParamInForce{}, Clauses: []ClauseInForce{}, Rates: []RateInForce{}, Increments: []IncrementInForce{},
			Funding: p.funding, FundingLayer: d.origin["funding"], ExclusiveWith: append([]string{}, p.exclusive...),
			ExclusiveFrom: d.origin["exclusive_with"], RequiresAny: p.requires, Doc: p.doc}
		if d.tier != "" {
			pf.Tier, pf.TierLayer = d.tier, d.origin["tier"]
		}
		// The named conventions first (with their defaults), then the
		// other parameters by name.
		names := []string{"accrual", "exit_timing", "age_rule"}
		var rest []string
		for k := range d.params {
			if !slices.Contains(names, k) {
				rest = append(rest, k)
			}
		}
		slices.Sort(rest)
		for _, k := range append(names, rest...) {
			v, ok := d.params[k]
			if !ok {
				v = map[string]string{"accrual": p.accrual, "exit_timing": p.exit, "age_rule": p.ageRule}[k]
			}
			pf.Params = append(pf.Params, ParamInForce{Name: k, Value: v, Layer: d.origin["params."+k]})
		}
		for _, c := range p.clauses {
			pf.Clauses = append(pf.Clauses, ClauseInForce{ClauseDef: c.ClauseDef, Layer: d.origin["clause."+c.ID]})
		}
		for i, r := range d.rates {
			pf.Rates = append(pf.Rates, RateInForce{Rate: r, Layer: d.rateFrom[i]})
		}
		slices.SortStableFunc(pf.Rates, func(a, b RateInForce) int { return a.From.Compare(b.From) })
		for i, in := range d.incs {
			pf.Increments = append(pf.Increments, IncrementInForce{Increment: in, Layer: d.incFrom[i]})
		}
		out.Programs = append(out.Programs, pf)
	}
	return out, nil
}
