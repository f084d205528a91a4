package synth

import (
	"math/rand/v2"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/inperson"
)

// The first round of the annual face-to-face review (年审人人见面) in the
// synthetic county (docs/synthetic.md, "The face-to-face review"): most
// recipients are seen at home or at the village office between March and
// the end of June; some are not seen at first, with a reason the village
// records, and a few are not reached at all yet (no record: held from the
// next payment once the county's deadline passes). No source gives the
// shares of a first round; they are stated assumptions. The recipients of
// 奖扶 and 特扶 are mostly over 60, many living with children who work in
// cities (the 2020 census counted 376 million persons living away from
// their hukou), so being away is the commonest reason.
const (
	// AwayRate is the share not seen because they are away, living with
	// their children elsewhere or working away (外出或迁居).
	AwayRate = 0.05
	// HospitalRate is the share in hospital at the time of the round.
	HospitalRate = 0.015
	// OtherRate is the share not seen for another reason, written down.
	OtherRate = 0.005
	// UnreachedRate is the share with nothing recorded yet.
	UnreachedRate = 0.02
)

// ReviewPlan is the planned first-round record of one recipient: Skip
// leaves them with no record.
type ReviewPlan struct {
	Person int64
	Skip   bool
	Entry  inperson.Entry
}

var (
	reviewPlaces = []string{"家中", "家中", "家中", "家中", "村委会"}
	awayNotes    = []string{"随子女在外地居住", "在外务工", "在女儿家帮忙带孩子", "冬季随子女外出未归"}
	otherNotes   = []string{"本人长期卧床，家属不同意打扰，已电话核实", "入户时本人外出赶集，已约定下次见面"}
)

// InPersonReviews plans the first round of year's review for persons up
// to asOf: seen (on a day from March, or from January when the round is
// early, to asOf or the end of June, with the recipient's signature) or
// not seen with a reason, at the rates above, spread evenly through the
// list from a random offset so that a small county has its share. The
// same seed gives the same plan.
func InPersonReviews(persons []int64, year int, asOf date.Date, seed uint64) []ReviewPlan {
	r := rand.New(rand.NewPCG(seed, 0x1e55ee))
	first, last := date.Of(year, time.March, 1), date.Of(year, time.June, 30)
	if asOf.Before(last) {
		last = asOf
	}
	if last.Before(first) {
		first = date.Of(year, time.January, 2)
	}
	span := max(int(last.Time().Sub(first.Time()).Hours()/24)+1, 1)
	// Each share takes its slice of [0,1); a person's position runs
	// through them evenly from a random offset.
	offset := r.Float64()
	out := make([]ReviewPlan, 0, len(persons))
	for i, p := range persons {
		x := offset + float64(i)*0.6180339887498949
		x -= float64(int(x))
		plan := ReviewPlan{Person: p, Entry: inperson.Entry{Year: year}}
		switch {
		case x < UnreachedRate:
			plan.Skip = true
		case x < UnreachedRate+AwayRate:
			plan.Entry.Reason, plan.Entry.Note = inperson.ReasonMoved, awayNotes[r.IntN(len(awayNotes))]
		case x < UnreachedRate+AwayRate+HospitalRate:
			plan.Entry.Reason, plan.Entry.Note = inperson.ReasonHospital, "在县人民医院住院治疗"
		case x < UnreachedRate+AwayRate+HospitalRate+OtherRate:
			plan.Entry.Reason, plan.Entry.Note = inperson.ReasonOther, otherNotes[r.IntN(len(otherNotes))]
		default:
			plan.Entry.Seen = true
			plan.Entry.SeenOn = first.AddDays(r.IntN(span))
			plan.Entry.Place = reviewPlaces[r.IntN(len(reviewPlaces))]
			plan.Entry.Proof = inperson.ProofSignature
		}
		out = append(out, plan)
	}
	return out
}
