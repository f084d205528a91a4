// Package move is people who move: a person's residence kept apart from
// their hukou (流动人口, counted where they live and paid where their
// hukou is), and the transfer of a person between counties (迁移) with
// the hand-over both counties sign.
//
// A transfer is started by the old county (after the police's record of
// a hukou moving out, or by hand) naming the new county; the new county
// accepts it (signs for it) or refuses it with a reason. On acceptance
// the person, their roll entries (名册) and their open cases move to the
// new county under new ids, the old county's rows are closed and kept as
// history, and the year is paid once: the old county pays to the end of
// the payment period the move falls in (or of the last period it has
// already paid, when later), the new county from the month after.
package move

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
)

// States of a transfer.
const (
	StateStarted   = "started"   // waiting for the new county
	StateAccepted  = "accepted"  // signed by both counties; the person moved
	StateRefused   = "refused"   // the new county refused; nothing moved
	StateCancelled = "cancelled" // withdrawn by the old county before a decision
)

// States names the states of a transfer.
var States = term.List{
	{Code: StateStarted, ZH: "待迁入地接收", EN: "Waiting for the new county"},
	{Code: StateAccepted, ZH: "已接收", EN: "Accepted"},
	{Code: StateRefused, ZH: "已拒收", EN: "Refused"},
	{Code: StateCancelled, ZH: "已撤回", EN: "Withdrawn"},
}

// Sides of a transfer: each county keeps its own row.
const (
	SideOut = "out" // the old county's row
	SideIn  = "in"  // the new county's row
)

// Sources of a transfer: what it was started on.
const (
	SourcePolice = "police" // the police's record of the hukou moving out (迁出)
	SourceHand   = "hand"   // started by hand on the person's or the family's word
)

// Sources names what a transfer may be started on.
var Sources = term.List{
	{Code: SourcePolice, ZH: "公安户籍迁出记录", EN: "Police record of the hukou moving out"},
	{Code: SourceHand, ZH: "依本人或家属申报发起", EN: "Started on the person's or the family's word"},
}

// Kinds of a tie that spans counties: what the other person is.
const (
	TieSpouse = "spouse"
	TieParent = "parent"
	TieChild  = "child"
)

// Field limits.
const (
	MaxRef    = 40
	MaxNote   = 500
	MaxReason = 500
)

// Transfer is one transfer as one county's row keeps it.
type Transfer struct {
	County        string    `json:"county"`
	ID            int64     `json:"id"`
	Side          string    `json:"side"`
	FromCounty    string    `json:"from_county"`
	ToCounty      string    `json:"to_county"`
	PersonID      int64     `json:"person_id"`
	NewPersonID   int64     `json:"new_person_id,omitempty"`
	Name          string    `json:"name"`
	IDMasked      string    `json:"id_number"`
	Sex           string    `json:"sex"`
	Birth         date.Date `json:"birth"`
	FromRegion    string    `json:"from_region"`
	ToRegion      string    `json:"to_region,omitempty"`
	MovedOn       date.Date `json:"moved_on"`
	Source        string    `json:"source"`
	SourceRef     string    `json:"source_ref,omitempty"`
	Note          string    `json:"note,omitempty"`
	Programs      string    `json:"programs,omitempty"` // comma-separated programs on the roll
	State         string    `json:"state"`
	StartedBy     int64     `json:"started_by"`
	StartedByName string    `json:"started_by_name"`
	StartedAt     time.Time `json:"started_at"`
	DecidedBy     int64     `json:"decided_by,omitempty"`
	DecidedByName string    `json:"decided_by_name,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	RefuseReason  string    `json:"refuse_reason,omitempty"`
	Handover      *Handover `json:"handover,omitempty"`
	Version       int       `json:"version"`
}

// Handover is what moved on acceptance (交接): each roll entry with the
// months each county pays, each open case, and each tie that now spans
// the two counties.
type Handover struct {
	Entries []MovedEntry `json:"entries"`
	Cases   []MovedCase  `json:"cases"`
	Ties    int          `json:"ties"`
	Account bool         `json:"account"` // the payment account went along
}

// MovedEntry is a roll entry handed over: the old county pays through
// OldLast (a month index, year*12+month-1), the new from NewFirst.
type MovedEntry struct {
	Program  string `json:"program"`
	OldID    int64  `json:"old_id"`
	NewID    int64  `json:"new_id"`
	Status   string `json:"status"`
	OldLast  int    `json:"old_last"`
	NewFirst int    `json:"new_first"`
}

// MovedCase is an open case handed over, in the state it had.
type MovedCase struct {
	Program string `json:"program"`
	OldID   int64  `json:"old_id"`
	NewID   int64  `json:"new_id"`
	State   string `json:"state"`
}

// Start is what the old county enters to start a transfer.
type Start struct {
	County    string    `json:"county"`
	PersonID  int64     `json:"person_id"`
	ToCounty  string    `json:"to_county"`
	ToRegion  string    `json:"to_region,omitempty"` // the village or township moved to, when known
	MovedOn   date.Date `json:"moved_on"`
	Source    string    `json:"source"`
	SourceRef string    `json:"source_ref,omitempty"` // the number of the police's record (迁移证编号)
	Note      string    `json:"note,omitempty"`
}

// Decision is the new county's answer: accept (with the village the
// person now lives in, when the start did not name it) or refuse with a
// reason.
type Decision struct {
	Accept   bool   `json:"accept"`
	ToRegion string `json:"to_region,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Version  int    `json:"version"`
}

// Check checks a start against today and the division tree: every
// problem named by field.
func (s *Start) Check(today date.Date, tree *region.Tree) error {
	s.ToCounty = strings.TrimSpace(s.ToCounty)
	s.ToRegion = strings.TrimSpace(s.ToRegion)
	s.SourceRef = strings.TrimSpace(s.SourceRef)
	s.Note = strings.TrimSpace(s.Note)
	to, err := region.ParseCode(s.ToCounty)
	switch {
	case err != nil || to.Level() != region.County:
		return apperr.Invalidf("to_county", "迁入县（区）应为六位县级区划代码", "the county moved to must be a six-digit county code")
	case !known(tree, to):
		return apperr.Invalidf("to_county", "迁入县（区）%s 不在区划表中", "county %s is not in the division table", s.ToCounty)
	case s.ToCounty == s.County:
		return apperr.Invalidf("to_county", "迁入县（区）与迁出县（区）相同；县内迁移请修改户籍地或居住地", "the county moved to is the same county: change the hukou or the residence instead")
	}
	if s.ToRegion != "" {
		r, err := region.ParseCode(s.ToRegion)
		if err != nil || r.Level() < region.Township || !to.Contains(r) || !known(tree, r) {
			return apperr.Invalidf("to_region", "迁入地应为迁入县（区）内的乡镇或村", "the place moved to must be a township or village of the new county")
		}
	}
	if s.MovedOn.IsZero() {
		return apperr.Invalidf("moved_on", "请填写迁移日期", "the date of the move is missing")
	}
	if s.MovedOn.After(today) {
		return apperr.Invalidf("moved_on", "迁移日期晚于今天", "the date of the move is in the future")
	}
	if s.MovedOn.Before(today.AddMonths(-60)) {
		return apperr.Invalidf("moved_on", "迁移日期早于五年前，请核实", "the move is more than five years ago: check the date")
	}
	if !Sources.Has(s.Source) {
		return apperr.Invalidf("source", "请选择迁移依据", "choose what the transfer is based on")
	}
	if s.Source == SourcePolice && s.SourceRef == "" {
		return apperr.Invalidf("source_ref", "依据公安迁出记录的，请填写迁移证明编号", "a transfer on the police's record needs the record's number")
	}
	if e := checkText("source_ref", s.SourceRef, MaxRef); e != nil {
		return e
	}
	return checkText("note", s.Note, MaxNote)
}

// Check checks a decision: a refusal needs its reason; a place, when
// given, lies in county.
func (d *Decision) Check(county string, tree *region.Tree) error {
	d.Reason = strings.TrimSpace(d.Reason)
	d.ToRegion = strings.TrimSpace(d.ToRegion)
	if !d.Accept {
		if d.Reason == "" {
			return apperr.Invalidf("reason", "拒收须写明理由", "a refusal needs its reason")
		}
		return checkText("reason", d.Reason, MaxReason)
	}
	if d.ToRegion != "" {
		r, err := region.ParseCode(d.ToRegion)
		if err != nil || r.Level() < region.Township || !region.Code(county).Contains(r) || !known(tree, r) {
			return apperr.Invalidf("to_region", "迁入地应为本县（区）内的乡镇或村", "the place moved to must be a township or village of this county")
		}
	}
	return nil
}

func known(tree *region.Tree, c region.Code) bool {
	if tree == nil {
		return true
	}
	_, ok := tree.Lookup(c)
	return ok
}

func checkText(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalidf(field, "不能超过 %d 个字", "at most %d characters", max)
	}
	for _, r := range s {
		if r < ' ' && r != '\n' && r != '\t' {
			return apperr.Invalidf(field, "含有控制字符", "contains control characters")
		}
	}
	return nil
}

// Split returns the last month (a month index, year*12+month-1) the old
// county pays a roll entry of a program whose periods are of kind k, for
// a move on day moved when the old county has already paid through
// lastPaid (-1 when nothing): the end of the period the move falls in,
// or lastPaid when it is later. The new county pays from the month after,
// so that no month is paid twice and none is lost.
func Split(k payment.PeriodKind, moved date.Date, lastPaid int) int {
	_, last := payment.PeriodOf(k, moved.MonthIndex()).Months()
	return max(last, lastPaid)
}

// Residence is a person's place of living as the registry keeps it
// apart from their hukou.
type Residence struct {
	Region  string `json:"residence"` // 12-digit village or township code; "" when living at the hukou's place
	Version int    `json:"version"`   // the person's version read
}

// IsMigrant reports whether a person with hukou in division hukou and
// living in residence is a migrant (流动人口): living in another
// township (or county) than their hukou's.
func IsMigrant(hukou, residence string) bool {
	if residence == "" || len(hukou) < 9 || len(residence) < 9 {
		return false
	}
	return hukou[:9] != residence[:9]
}

// Migrant is a person living in a region other than their hukou's, as
// the list for the staff who serve them shows it.
type Migrant struct {
	County    string    `json:"county"` // the county of the hukou, which pays
	PersonID  int64     `json:"person_id"`
	Name      string    `json:"name"`
	IDMasked  string    `json:"id_number"`
	Sex       string    `json:"sex"`
	Birth     date.Date `json:"birth"`
	Hukou     string    `json:"hukou"`     // the hukou's division
	Residence string    `json:"residence"` // where they live
	Phone     string    `json:"phone,omitempty"`
	OnRoll    string    `json:"on_roll,omitempty"` // comma-separated programs they are paid for (by the hukou's county)
}

// TownshipCount is the number of migrants living in one township.
type TownshipCount struct {
	Township string `json:"township"`
	Count    int    `json:"count"`
}

// ByTownship counts ms by the township they live in, in code order.
func ByTownship(ms []Migrant) []TownshipCount {
	var out []TownshipCount
	idx := map[string]int{}
	for _, m := range ms {
		t := m.Residence
		if len(t) >= 9 {
			t = t[:9] + "000"
		}
		i, ok := idx[t]
		if !ok {
			i = len(out)
			idx[t] = i
			out = append(out, TownshipCount{Township: t})
		}
		out[i].Count++
	}
	slices.SortFunc(out, func(a, b TownshipCount) int { return strings.Compare(a.Township, b.Township) })
	return out
}

// Tie is a family tie of a person as a move sees it.
type Tie struct {
	Kind     string // TieSpouse, TieParent or TieChild: what Other is to the person
	TieKind  string // the kind of a parent–child tie (registry.Birth…)
	Other    int64
	From, To date.Date
}

// RemoteTie is a tie of a person to a relative in another county.
type RemoteTie struct {
	County      string    `json:"county"`
	PersonID    int64     `json:"person_id"`
	Kind        string    `json:"kind"`
	TieKind     string    `json:"tie_kind,omitempty"`
	OtherCounty string    `json:"other_county"`
	OtherID     int64     `json:"other_id"`
	From        date.Date `json:"from,omitzero"`
	To          date.Date `json:"to,omitzero"`
	TransferID  int64     `json:"transfer_id"`
	// The relative's name and division, filled in for the family page.
	Name   string `json:"name,omitempty"`
	Region string `json:"region,omitempty"`
}

// inverse is what the person is to their relative of kind k.
func inverse(k string) string {
	switch k {
	case TieParent:
		return TieChild
	case TieChild:
		return TieParent
	}
	return k
}
