package web

import (
	"encoding/json"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/idcard"
)

// Override is one review signed against the engine, or approving or
// rejecting what it could not decide, as the supervisor's list shows it:
// the ID number masked.
type Override struct {
	County         string    `json:"county"`
	CaseID         int64     `json:"case_id"`
	Program        string    `json:"program"`
	Year           int       `json:"year"`
	Applicant      string    `json:"applicant"`
	IDNumber       string    `json:"id_number"`
	Step           string    `json:"step"`
	Outcome        string    `json:"outcome"`
	EngineEligible bool      `json:"engine_eligible"`
	EngineStatus   string    `json:"engine_status"`
	Reason         string    `json:"reason"`
	Signer         string    `json:"signer"`
	SignedAt       time.Time `json:"signed_at"`
}

// Overrides turns the stored overrides into the rows of the supervisor's
// list, which both doors show.
func Overrides(os []app.Override) []Override {
	out := make([]Override, 0, len(os))
	for _, o := range os {
		var d struct {
			Outcome        string `json:"outcome"`
			OverrideReason string `json:"override_reason"`
			Engine         struct {
				Eligible bool   `json:"eligible"`
				Status   string `json:"status"`
			} `json:"engine"`
		}
		_ = json.Unmarshal(o.Step.Detail, &d)
		out = append(out, Override{County: o.Case.County, CaseID: o.Case.ID, Program: o.Case.Program, Year: o.Case.Year,
			Applicant: o.Person, IDNumber: idcard.Number(o.IDNumber).Masked(), Step: string(o.Step.Step), Outcome: d.Outcome,
			EngineEligible: d.Engine.Eligible, EngineStatus: d.Engine.Status, Reason: d.OverrideReason, Signer: o.Step.Signature.Name, SignedAt: o.Step.Signature.At})
	}
	return out
}
