package ui

import (
	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/term"
)

// benefits is what the rules decide for one person in one year, with the
// clause-by-clause explanation, beside what the last batch evaluation
// stored.
type benefits struct {
	Version   string
	Decisions []benefitDecision
	Stored    []policy.Determination
	Err       string // why the rules could not be applied (e.g. incomplete facts)
}

type benefitDecision struct {
	policy.Decision
	Name string
}

// toBenefits shows the decisions of b with the programs' names, and why
// the rules could not be applied in lang.
func toBenefits(b app.Benefits, names map[string]string, lang string) *benefits {
	out := &benefits{Version: b.Version, Stored: b.Stored}
	if b.Err != nil {
		out.Err = b.Err.Error()
		if e, ok := apperr.As(b.Err); ok {
			out.Err = e.Message(lang)
		}
	}
	for _, d := range b.Decisions {
		out.Decisions = append(out.Decisions, benefitDecision{Decision: d, Name: names[d.Program]})
	}
	return out
}

// Total returns the sum of the eligible amounts.
func (b *benefits) Total() money.Fen {
	var t money.Fen
	for _, d := range b.Decisions {
		if d.Eligible {
			t += d.AmountFen
		}
	}
	return t
}

// label is the name of program code in names, else the name the embedded
// rules give it.
func label(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return policy.ProgramName(code)
}

// programNames maps the programs of list to their names in lang.
func programNames(list term.List, lang string) map[string]string {
	names := make(map[string]string, len(list))
	for _, p := range list {
		names[p.Code] = p.Name(lang)
	}
	return names
}
