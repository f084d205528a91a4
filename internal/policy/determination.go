package policy

import (
	"encoding/json"
	"slices"
)

// Determination is a decision as batch evaluation stores it: one person,
// program and year, with the amount split by level of government and the
// rule version that decided it.
type Determination struct {
	County      string
	Year        int
	Program     string
	PersonID    int64
	Eligible    bool
	AmountFen   int64
	Months      int
	Funding     [4]int64 // central, province, city, county
	RuleVersion string
	Explanation string // the clauses as JSON, when stored with them
}

// Determine turns decision d of person id into the determination batch
// evaluation stores, with the explanation when explain is set.
func Determine(county string, year int, id int64, version string, d Decision, explain bool) Determination {
	det := Determination{County: county, Year: year, Program: d.Program, PersonID: id, Eligible: d.Eligible,
		AmountFen: int64(d.AmountFen), Months: d.Months, RuleVersion: version}
	for _, s := range d.Funding {
		if i := slices.Index(levels, s.Level); i >= 0 {
			det.Funding[i] = int64(s.Fen)
		}
	}
	if explain {
		b, _ := json.Marshal(d.Clauses)
		det.Explanation = string(b)
	}
	return det
}
