package special

import (
	"context"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// NewRequest is a request (诉求) as staff record it.
type NewRequest struct {
	Raised    date.Date `json:"raised"`
	Source    string    `json:"source"`
	Content   string    `json:"content"`
	HandlerID int64     `json:"handler_id,omitempty"`
	Handler   string    `json:"handler"`
	// Deadline is when it must be answered; empty is the county's number
	// of days after it was raised.
	Deadline date.Date `json:"deadline,omitempty"`
}

// Raise records a request of family id of county.
func Raise(ctx context.Context, s Store, a auth.Actor, county string, id int64, in NewRequest) (*Request, error) {
	f, err := Visible(ctx, s, a, county, id)
	if err != nil {
		return nil, err
	}
	if in.Deadline.IsZero() && !in.Raised.IsZero() {
		rd, err := RequestDays(ctx, s, county)
		if err != nil {
			return nil, err
		}
		in.Deadline = in.Raised.AddDays(rd)
	}
	if strings.TrimSpace(in.Handler) == "" && in.HandlerID == 0 {
		in.HandlerID, in.Handler = a.UserID, a.Name
	}
	return insertRequest(ctx, s, a, f, in)
}

func insertRequest(ctx context.Context, s Store, a auth.Actor, f *Family, in NewRequest) (*Request, error) {
	today := date.Today(s.Now())
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if in.Raised.IsZero() || in.Raised.After(today) {
		add(apperr.Invalidf("raised", "提出日期不能为空或晚于今天", "the day raised must be given and not after today"))
	}
	if !RequestSources.Has(in.Source) {
		add(apperr.Invalidf("source", "请选择诉求来源", "choose where the request came from"))
	}
	in.Content, in.Handler = strings.TrimSpace(in.Content), strings.TrimSpace(in.Handler)
	if in.Content == "" {
		add(apperr.Invalidf("content", "请填写诉求内容", "say what the family asks"))
	}
	add(textcheck.Check("content", in.Content, textcheck.Para, MaxText))
	if in.Handler == "" {
		add(apperr.Invalidf("handler", "请填写承办人", "name who handles it"))
	} else {
		add(textcheck.Check("handler", in.Handler, textcheck.Name, registry.MaxName))
	}
	if in.Deadline.IsZero() || in.Deadline.Before(in.Raised) {
		add(apperr.Invalidf("deadline", "办理期限不能早于提出日期", "the deadline cannot come before the day raised"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	rid, err := s.NextIDs(ctx, "special_request", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Request{County: f.County, ID: rid, FamilyID: f.ID, Region: f.Region, Raised: in.Raised, Source: in.Source, Content: in.Content,
		HandlerID: in.HandlerID, Handler: in.Handler, Deadline: in.Deadline, Status: RequestOpen, Version: 1, CreatedBy: a.UserID,
		CreatedAt: now, UpdatedAt: now}
	if err := s.InsertSpecialRequest(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, requestEntry(a, "special.request", r, nil))
}

// Reply records the reply to request id of county on day on.
func Reply(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, on date.Date, reply string) (*Request, error) {
	r, err := visibleRequest(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if r.Status == RequestClosed {
		return nil, apperr.Conflictf("该诉求已办结", "the request is settled")
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return nil, apperr.Invalidf("reply", "请填写答复内容", "write the reply")
	}
	if e := textcheck.Check("reply", reply, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	if on.IsZero() || on.Before(r.Raised) || on.After(date.Today(s.Now())) {
		return nil, apperr.Invalidf("date", "答复日期应在提出日期与今天之间", "the reply must lie between the day raised and today")
	}
	before := *r
	r.Reply, r.Replied, r.Status = reply, on, RequestReplied
	return r, saveRequest(ctx, s, a, "special.request_reply", r, &before)
}

// Settle records the family's word on the reply to request id of county
// (satisfied "yes" or "no") and settles it. A family not satisfied keeps
// the request open, to be answered again, unless settle is forced by the
// county.
func Settle(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, satisfied string) (*Request, error) {
	r, err := visibleRequest(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if r.Status != RequestReplied {
		return nil, apperr.Conflictf("该诉求尚未答复或已办结", "the request is not answered, or is settled")
	}
	if satisfied != "yes" && satisfied != "no" {
		return nil, apperr.Invalidf("satisfied", "请选择家庭是否满意", "say whether the family is satisfied")
	}
	before := *r
	r.Satisfied = satisfied
	if satisfied == "yes" {
		r.Status = RequestClosed
	} else {
		r.Status = RequestOpen
	}
	return r, saveRequest(ctx, s, a, "special.request_settle", r, &before)
}

func visibleRequest(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Request, error) {
	if err := requireCare(a); err != nil {
		return nil, err
	}
	r, err := s.SpecialRequest(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if _, err := Visible(ctx, s, a, county, r.FamilyID); err != nil {
		return nil, err
	}
	if version != 0 && version != r.Version {
		return nil, apperr.Conflictf("该诉求已被他人修改，请刷新后重试", "the request was changed by someone else; reload and try again")
	}
	return r, nil
}

func saveRequest(ctx context.Context, s Store, a auth.Actor, action string, r *Request, before *Request) error {
	r.Version++
	r.UpdatedAt = s.Now()
	if err := s.UpdateSpecialRequest(ctx, r); err != nil {
		return err
	}
	return s.Audit(ctx, requestEntry(a, action, r, before))
}

// Requests lists the requests of county within a's scope with status (""
// for every status; "overdue" for the open ones past their deadline,
// "escalated" for those escalated to the county), with the families'
// names. At the village level only the requests of a's own families.
func Requests(ctx context.Context, s Store, a auth.Actor, county, status string) ([]Request, error) {
	if err := requireCare(a); err != nil {
		return nil, err
	}
	st := status
	if status == "overdue" || status == "escalated" {
		st = RequestOpen
	} else if status != "" && !RequestStatuses.Has(status) {
		return nil, apperr.Invalidf("status", "状态不正确", "unknown status")
	}
	rs, err := s.SpecialRequests(ctx, a.Scope, county, 0, st)
	if err != nil {
		return nil, err
	}
	today := date.Today(s.Now())
	out := []Request{}
	names := map[int64]string{}
	mine := map[int64]bool{}
	for _, r := range rs {
		if status == "overdue" && !r.Deadline.Before(today) {
			continue
		}
		if status == "escalated" && r.Escalated.IsZero() {
			continue
		}
		if villageLevel(a) {
			ok, seen := mine[r.FamilyID]
			if !seen {
				if ok, err = s.IsSpecialContact(ctx, county, r.FamilyID, a.UserID); err != nil {
					return nil, err
				}
				mine[r.FamilyID] = ok
			}
			if !ok {
				continue
			}
		}
		n, ok := names[r.FamilyID]
		if !ok {
			f, err := s.SpecialFamily(ctx, "", county, r.FamilyID)
			if err != nil {
				return nil, err
			}
			if err := name(ctx, s, f); err != nil {
				return nil, err
			}
			n, names[r.FamilyID] = f.Name, f.Name
		}
		r.Name = n
		out = append(out, r)
	}
	return out, readEntry(ctx, s, a, county, "special.requests", "list")
}

// escalate marks the open requests of county within a's scope past their
// deadline as escalated to the county, on today; it returns how many.
func escalate(ctx context.Context, s Store, a auth.Actor, county string, today date.Date) (int, error) {
	rs, err := s.SpecialRequests(ctx, a.Scope, county, 0, RequestOpen)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rs {
		r := &rs[i]
		if !r.Escalated.IsZero() || !r.Deadline.Before(today) {
			continue
		}
		before := *r
		r.Escalated = today
		if err := saveRequest(ctx, s, a, "special.request_escalate", r, &before); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

func requestEntry(a auth.Actor, action string, r *Request, before *Request) audit.Entry {
	e := audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "special_family",
		EntityID: strconv.FormatInt(r.FamilyID, 10), Region: r.Region, After: audit.JSON(r)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}
