package workflow

import (
	"context"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// AnnualReview is one run of the annual review (年审) of a region's roll.
type AnnualReview struct {
	County    string       `json:"county"`
	ID        int64        `json:"id"`
	Region    string       `json:"region"`
	Year      int          `json:"year"`
	UserID    int64        `json:"user_id"`
	At        time.Time    `json:"at"`
	Reviewed  int          `json:"reviewed"`
	Confirmed int          `json:"confirmed"`
	Changed   []ReviewLine `json:"changed"`
}

// ReviewLine is a recipient whose status the annual review found changed,
// with the reason: the failed clauses of the engine's decision.
type ReviewLine struct {
	RecipientID int64                 `json:"recipient_id"`
	PersonID    int64                 `json:"person_id"`
	Name        string                `json:"name"`
	IDNumber    string                `json:"id_number"`
	Program     string                `json:"program"`
	Reason      string                `json:"reason"`      // a code, e.g. died, moved_out, children_changed
	ReasonText  string                `json:"reason_text"` // its Chinese label
	Clauses     []policy.ClauseResult `json:"clauses"`
}

// RunAnnualReview re-evaluates everyone on the roll of a region (a county,
// township or village within the actor's scope) for year with the policy
// engine. Those still eligible are confirmed together, in one statement
// and one audit entry; those who are not are listed with the reason, for
// the exit procedure (ApplyEvent or a correction) — or, when the engine
// needs review (reason needs_review), for staff to decide. Township and
// county staff run it.
func RunAnnualReview(ctx context.Context, s Store, eng Engine, a auth.Actor, code string, year int) (*AnnualReview, error) {
	if err := checkActorRole(a, auth.PermCaseReview, auth.PermCaseApprove); err != nil {
		return nil, err
	}
	c, err := region.ParseCode(code)
	if err != nil || c.Level() < region.County {
		return nil, apperr.Invalidf("region", "请选择县、乡镇或村", "choose a county, township or village")
	}
	if err := a.CheckScope(c); err != nil {
		return nil, err
	}
	if now := today(s); year < firstYear || year > now.Year()+1 {
		return nil, apperr.Invalidf("year", "年审年度应在 %d 至 %d 之间", "the year must lie between %d and %d", firstYear, now.Year()+1)
	}
	county := string(region.Default().County(c))
	rows, err := s.Roll(ctx, c, roll.Query{Status: roll.StatusActive})
	if err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "annual_review", 1)
	if err != nil {
		return nil, err
	}
	ar := &AnnualReview{County: county, ID: id, Region: string(c), Year: year, UserID: a.UserID, At: s.Now(), Changed: []ReviewLine{}}
	var survivors []int64
	results := map[int64]*policy.Result{}
	for _, r := range rows {
		if r.StartYear > year {
			continue // not yet paid in the year under review
		}
		ar.Reviewed++
		res := results[r.PersonID]
		if res == nil {
			if res, _, err = evaluate(ctx, s, eng, auth.System, r.County, r.PersonID, year); err != nil {
				return nil, err
			}
			results[r.PersonID] = res
		}
		d := decisionOf(res, r.PersonID, r.Program)
		if d != nil && d.Eligible {
			survivors = append(survivors, r.ID)
			continue
		}
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: r.PersonID})
		if err != nil {
			return nil, err
		}
		line := ReviewLine{RecipientID: r.ID, PersonID: r.PersonID, Name: p.Name, IDNumber: maskID(p.IDNumber), Program: r.Program,
			Clauses: []policy.ClauseResult{}}
		if d != nil {
			for _, cl := range d.Clauses {
				if !cl.OK {
					line.Clauses = append(line.Clauses, cl)
				}
			}
		}
		line.Reason = roll.ExitReason(line.Clauses, "", false)
		if d == nil {
			line.Reason = roll.ExitProgramEnded
		} else if d.Status == policy.StatusReview {
			// Neither confirmed nor listed for exit: staff decide.
			line.Reason = roll.ExitNeedsReview
		}
		line.ReasonText = roll.ExitReasons.Chinese(line.Reason)
		ar.Changed = append(ar.Changed, line)
	}
	ar.Confirmed = len(survivors)
	if err := s.MarkReviewed(ctx, county, survivors, year); err != nil {
		return nil, err
	}
	if err := s.InsertAnnualReview(ctx, ar); err != nil {
		return nil, err
	}
	return ar, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "roll.annual_review",
		Entity: "annual_review", EntityID: strconv.FormatInt(id, 10), Region: string(c),
		After: audit.JSON(map[string]any{"year": year, "reviewed": ar.Reviewed, "confirmed": survivors, "changed": ar.Changed})})
}
