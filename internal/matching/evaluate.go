package matching

import (
	"fmt"
	"strings"
)

// Accuracy compares results with the truth of a generated extract.
type Accuracy struct {
	Lines   int `json:"lines"`   // roles in the truth
	Inside  int `json:"inside"`  // of them, registry persons
	Outside int `json:"outside"` // persons not in the registry

	Matched        int `json:"matched"`         // results matched automatically
	MatchedRight   int `json:"matched_right"`   // … to the true person
	MatchedWrong   int `json:"matched_wrong"`   // … to another registry person, or matched when the person is outside
	OutsideMatched int `json:"outside_matched"` // persons outside the registry matched to someone
	Review         int `json:"review"`          // results sent to review
	ReviewFound    int `json:"review_found"`    // … of registry persons listed among the candidates
	Unmatched      int `json:"unmatched"`
	Missing        int `json:"missing"` // truth lines without a result
}

// Precision is the share of automatic matches that are right.
func (a Accuracy) Precision() float64 { return ratio(a.MatchedRight, a.Matched) }

// Recall is the share of registry persons matched automatically to
// themselves.
func (a Accuracy) Recall() float64 { return ratio(a.MatchedRight, a.Inside) }

// RecallWithReview is the share of registry persons matched automatically
// or sent to review with themselves among the candidates.
func (a Accuracy) RecallWithReview() float64 { return ratio(a.MatchedRight+a.ReviewFound, a.Inside) }

// ReviewShare is the share of lines sent to review.
func (a Accuracy) ReviewShare() float64 { return ratio(a.Review, a.Lines) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Add adds b's counts to a.
func (a *Accuracy) Add(b Accuracy) {
	a.Lines += b.Lines
	a.Inside += b.Inside
	a.Outside += b.Outside
	a.Matched += b.Matched
	a.MatchedRight += b.MatchedRight
	a.MatchedWrong += b.MatchedWrong
	a.OutsideMatched += b.OutsideMatched
	a.Review += b.Review
	a.ReviewFound += b.ReviewFound
	a.Unmatched += b.Unmatched
	a.Missing += b.Missing
}

// String prints the figures on one line.
func (a Accuracy) String() string {
	return fmt.Sprintf("lines %d (outside %d): precision %.4f, auto %.4f, auto+review %.4f, review %.2f%%, outside matched %d, wrong %d",
		a.Lines, a.Outside, a.Precision(), a.Recall(), a.RecallWithReview(), 100*a.ReviewShare(), a.OutsideMatched, a.MatchedWrong)
}

// Evaluate compares results with truth, line by line (row and role).
func Evaluate(results []Result, truth []Truth) Accuracy {
	type rk struct {
		row  int
		role Role
	}
	byLine := make(map[rk]*Result, len(results))
	for i := range results {
		byLine[rk{results[i].Row, results[i].Role}] = &results[i]
	}
	var a Accuracy
	for _, t := range truth {
		a.Lines++
		inside := t.Person.ID != 0
		if inside {
			a.Inside++
		} else {
			a.Outside++
		}
		r := byLine[rk{t.Row, t.Role}]
		if r == nil {
			a.Missing++
			continue
		}
		switch r.Outcome {
		case Matched:
			a.Matched++
			switch {
			case !inside:
				a.OutsideMatched++
				a.MatchedWrong++
			case r.Person == t.Person:
				a.MatchedRight++
			default:
				a.MatchedWrong++
			}
		case Review:
			a.Review++
			if inside {
				for _, c := range r.Candidates {
					if c.Person == t.Person {
						a.ReviewFound++
						break
					}
				}
			}
		default:
			a.Unmatched++
		}
	}
	return a
}

// AccuracyTable prints accuracies by name as a Markdown table.
func AccuracyTable(names []string, accs []Accuracy) string {
	var b strings.Builder
	b.WriteString("| extract | lines | outside | precision | auto | auto + review | review | outside matched |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, n := range names {
		a := accs[i]
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.4f | %.4f | %.2f %% | %d |\n", n, a.Lines, a.Outside, a.Precision(), a.Recall(), a.RecallWithReview(), 100*a.ReviewShare(), a.OutsideMatched)
	}
	return b.String()
}
