package birth

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// Slip is what the registration slip (生育登记服务单) prints: the
// registration, both parents as the registry has them with their hukou
// places, the children counted for the parity, the children born once it
// is closed, the re-birth approval it rests on, the issuing office and
// the path of the public verification its QR code links to.
type Slip struct {
	Registration *Registration
	Mother       *registry.Record // nil when the mother is not in the registry
	Father       *registry.Record
	MotherPlace  string
	FatherPlace  string
	Counted      []registry.Person // the elder children the parity counts
	Born         []registry.Record // the children of the birth, once recorded
	Approval     *Approval
	Issuer       string // 舒城县卫生健康委员会
	// VerifyPath is the path and query of the public verification of the
	// slip, to be put after the site's address.
	VerifyPath string
}

// VerifyPath is the path the public verification of a slip answers.
const VerifyPath = "/verify/birth"

// SlipData returns what the slip of registration k prints, for the staff
// of its scope and for its parents.
func SlipData(ctx context.Context, s Store, a auth.Actor, k Key) (*Slip, error) {
	r, err := Get(ctx, s, a, k)
	if err != nil {
		return nil, err
	}
	t := region.Default()
	sl := &Slip{Registration: r, Issuer: t.FullName(t.County(region.Code(r.Region)))}
	if c, ok := t.Lookup(t.County(region.Code(r.Region))); ok {
		sl.Issuer = c.Name + "卫生健康委员会"
	}
	q := url.Values{"serial": {r.Serial}, "code": {r.Code}}
	sl.VerifyPath = VerifyPath + "?" + q.Encode()
	person := func(id int64) (*registry.Record, string, error) {
		if id == 0 {
			return nil, "", nil
		}
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: id})
		if err != nil {
			return nil, "", err
		}
		return p, t.FullName(region.Code(p.Region)), nil
	}
	if sl.Mother, sl.MotherPlace, err = person(r.Mother); err != nil {
		return nil, err
	}
	if sl.Father, sl.FatherPlace, err = person(r.Father); err != nil {
		return nil, err
	}
	if r.Decision != nil && len(r.Decision.Counted) > 0 {
		ids := make([]int64, 0, len(r.Decision.Counted))
		for _, ref := range r.Decision.Counted {
			if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		facts, err := s.FamilyFacts(ctx, r.County, ids)
		if err != nil {
			return nil, err
		}
		for _, ref := range r.Decision.Counted {
			if p := facts.Person(ref); p != nil {
				sl.Counted = append(sl.Counted, *p)
			}
		}
		slices.SortFunc(sl.Counted, func(a, b registry.Person) int { return a.Birth.Compare(b.Birth) })
	}
	for _, id := range r.Children {
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: id})
		if err != nil {
			return nil, err
		}
		sl.Born = append(sl.Born, *p)
	}
	if r.ApprovalID != 0 {
		as, err := s.Approvals(ctx, r.County, []int64{r.Mother, r.Father})
		if err != nil {
			return nil, err
		}
		for i := range as {
			if as[i].ID == r.ApprovalID {
				sl.Approval = &as[i]
			}
		}
	}
	return sl, nil
}

// RecordApproval records a birth approval held by person k (再生育审批, or
// a birth certificate issued before 2021), kept on the person and read by
// later registrations beyond the limit. Staff who may write the registry
// record it for a person of their scope.
func RecordApproval(ctx context.Context, s Store, a auth.Actor, k registry.Key, in Approval) (*Approval, error) {
	if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if !ApprovalKinds.Has(in.Kind) {
		add(apperr.Invalidf("kind", "审批类型应为%s", "kind must be one of %s", strings.Join(ApprovalKinds.Codes(), "、")))
	}
	if in.Parity < 1 || in.Parity > 20 {
		add(apperr.Invalidf("parity", "准予生育的孩次应为1–20", "the child allowed must be 1–20"))
	}
	switch {
	case in.Issued.IsZero():
		add(apperr.Invalidf("issued", "缺少批准日期", "the day of the approval is missing"))
	case in.Issued.After(today(s)) || !in.Issued.After(p.Birth.AddMonths(12*15)):
		add(apperr.Invalidf("issued", "批准日期应在本人年满15周岁之后、今天之前", "the approval must be dated after the holder's fifteenth birthday and not after today"))
	}
	add(textcheck.Check("number", in.Number, textcheck.Line, MaxNumber))
	add(textcheck.Check("issuer", in.Issuer, textcheck.Line, MaxLine))
	add(textcheck.Check("note", in.Note, textcheck.Para, MaxNote))
	if len(errs) > 0 {
		return nil, errs
	}
	if in.Spouse != 0 {
		sp, err := s.PersonByKey(ctx, "", registry.Key{County: k.County, ID: in.Spouse})
		if err != nil || sp.ID == p.ID {
			return nil, apperr.Invalidf("spouse_id", "未找到配偶", "no such spouse")
		}
	}
	id, err := s.NextIDs(ctx, "birth_approval", 1)
	if err != nil {
		return nil, err
	}
	x := &Approval{County: p.County, ID: id, Person: p.ID, Spouse: in.Spouse, Kind: in.Kind, Parity: in.Parity,
		Number: strings.TrimSpace(in.Number), Issued: in.Issued, Issuer: strings.TrimSpace(in.Issuer), Note: strings.TrimSpace(in.Note),
		RecordedBy: a.UserID, CreatedAt: s.Now()}
	if err := s.InsertApproval(ctx, x); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, personEntry(a, "birth.approval.create", p, x))
}

// Approvals returns the approvals held by or naming person k, oldest
// first.
func Approvals(ctx context.Context, s Store, a auth.Actor, k registry.Key) ([]Approval, error) {
	if err := auth.Require(a, auth.PermRegistryRead); err != nil {
		return nil, err
	}
	if _, err := s.PersonByKey(ctx, a.Scope, k); err != nil {
		return nil, err
	}
	return s.Approvals(ctx, k.County, []int64{k.ID})
}

// personEntry is the audit entry of action about person p.
func personEntry(a auth.Actor, action string, p *registry.Record, after any) audit.Entry {
	return audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "person",
		EntityID: strconv.FormatInt(p.ID, 10), Region: p.Region, After: audit.JSON(after)}
}
