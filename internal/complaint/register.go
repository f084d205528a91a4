package complaint

import (
	"context"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// New is an item as staff record it.
type New struct {
	// Region is the village, township or county concerned; it may be
	// left empty when a person or a case is named (their region is taken).
	Region   string    `json:"region"`
	Kind     string    `json:"kind"`
	Source   string    `json:"source"`
	Received date.Date `json:"received"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone"`
	Content  string    `json:"content"`
	PersonID int64     `json:"person_id,omitempty"`
	CaseID   int64     `json:"case_id,omitempty"`
	// Handler is who handles it (empty: the one who records it).
	Handler string `json:"handler"`
	// Deadline is when the reply is due; empty is the region's days for
	// the kind after the day received (DaysParam).
	Deadline date.Date `json:"deadline,omitzero"`
}

// Days returns the days an item of kind in reg has before its reply is
// due: the region's parameter, else DefaultDays.
func Days(ctx context.Context, s Store, reg region.Code, kind string) (int, error) {
	v, err := s.Param(ctx, reg, DaysParam(kind))
	if err != nil || v == "" {
		return DefaultDays[kind], err
	}
	return ParseDays(DaysParam(kind), v)
}

// File records an item taken by staff (a call, a visit, a letter) in
// county. The region, the person's and the case's, must lie within the
// actor's scope.
func File(ctx context.Context, s Store, a auth.Actor, county string, in New) (*Item, error) {
	if in.Source == SourceOnline {
		return nil, apperr.Invalidf("source", "网上提交的事项由群众本人在网上办事大厅提交", "online items are filed by the citizen on the portal")
	}
	it := &Item{County: county, Region: strings.TrimSpace(in.Region), PersonID: in.PersonID, CaseID: in.CaseID, Handler: strings.TrimSpace(in.Handler)}
	if in.PersonID != 0 {
		p, err := s.PersonByKey(ctx, a.Scope, registry.Key{County: county, ID: in.PersonID})
		if err != nil {
			return nil, err
		}
		it.Region = p.Region
	}
	if in.CaseID != 0 {
		c, err := s.Case(ctx, a.Scope, county, in.CaseID)
		if err != nil {
			return nil, err
		}
		it.Region = c.Region
		if it.PersonID == 0 {
			it.PersonID = c.PersonID
		}
	}
	if it.Region == "" {
		it.Region = string(a.Scope)
	}
	c, err := region.ParseCode(it.Region)
	if err != nil || !region.Code(county).Contains(c) || c.Level() < region.County {
		return nil, apperr.Invalidf("region", "请填写本县的乡镇或村（社区）代码", "name a township or a village of the county")
	}
	if err := a.CheckScope(c); err != nil {
		return nil, err
	}
	it.Region = string(c)
	if it.Handler == "" {
		it.HandlerID, it.Handler = a.UserID, a.Name
	}
	return insert(ctx, s, a, it, in)
}

// Online is what a signed-in citizen files on the portal.
type Online struct {
	Kind    string `json:"kind"`
	Phone   string `json:"phone"`
	Content string `json:"content"`
}

// FileOnline records an item a signed-in citizen files on the portal: it
// concerns the citizen's own person, is received today, and waits for the
// township of the citizen's village to handle it.
func FileOnline(ctx context.Context, s Store, a auth.Actor, in Online) (*Item, error) {
	if a.PersonID == 0 || a.PersonCounty == "" {
		return nil, apperr.Forbiddenf("您的账户尚未关联人口信息，请联系村（社区）专干", "your account is not linked to a person of the registry")
	}
	p, err := s.PersonByKey(ctx, "", registry.Key{County: a.PersonCounty, ID: a.PersonID})
	if err != nil {
		return nil, err
	}
	it := &Item{County: p.County, Region: p.Region, PersonID: p.ID, CitizenID: a.UserID}
	return insert(ctx, s, a, it, New{Kind: in.Kind, Source: SourceOnline, Received: date.Today(s.Now()), Name: p.Name,
		Phone: in.Phone, Content: in.Content})
}

func insert(ctx context.Context, s Store, a auth.Actor, it *Item, in New) (*Item, error) {
	today := date.Today(s.Now())
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if !Kinds.Has(in.Kind) {
		add(apperr.Invalidf("kind", "请选择类别（投诉、咨询或信访）", "choose the kind: complaint, enquiry or petition"))
	}
	if !Sources.Has(in.Source) {
		add(apperr.Invalidf("source", "请选择来源", "choose where it came from"))
	}
	if in.Received.IsZero() || in.Received.After(today) {
		add(apperr.Invalidf("received", "受理日期不能为空或晚于今天", "the day received must be given and not after today"))
	}
	it.Name, it.Phone, it.Content = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Content)
	if it.Name == "" {
		add(apperr.Invalidf("name", "请填写反映人姓名", "name who raised it"))
	} else {
		add(textcheck.Check("name", it.Name, textcheck.Name, registry.MaxName))
	}
	if it.Phone != "" {
		add(registry.CheckPhone("phone", it.Phone))
	}
	if it.Content == "" {
		add(apperr.Invalidf("content", "请填写反映的内容", "say what it is about"))
	}
	add(textcheck.Check("content", it.Content, textcheck.Para, MaxText))
	if it.Handler != "" {
		add(textcheck.Check("handler", it.Handler, textcheck.Name, registry.MaxName))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	it.Kind, it.Source, it.Received, it.Deadline = in.Kind, in.Source, in.Received, in.Deadline
	if it.Deadline.IsZero() {
		d, err := Days(ctx, s, region.Code(it.Region), it.Kind)
		if err != nil {
			return nil, err
		}
		it.Deadline = it.Received.AddDays(d)
	} else if it.Deadline.Before(it.Received) {
		return nil, apperr.Invalidf("deadline", "办理期限不能早于受理日期", "the deadline cannot come before the day received")
	}
	id, err := s.NextIDs(ctx, "complaint", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	it.ID, it.Status, it.Version, it.CreatedBy, it.CreatedAt, it.UpdatedAt = id, StatusOpen, 1, a.UserID, now, now
	if err := s.InsertComplaint(ctx, it); err != nil {
		return nil, err
	}
	if err := history(ctx, s, a, it, ActFiled, Sources.Chinese(it.Source)+"，"+Kinds.Chinese(it.Kind)); err != nil {
		return nil, err
	}
	return it, s.Audit(ctx, entry(a, "complaint.file", it, nil))
}

// Get returns item id of county within a's scope with its history. A
// citizen reads only the items they filed.
func Get(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*Item, error) {
	it, err := visible(ctx, s, a, county, id, 0)
	if err != nil {
		return nil, err
	}
	if it.History, err = s.ComplaintEvents(ctx, county, id); err != nil {
		return nil, err
	}
	return it, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "complaint.read",
		Entity: "complaint", EntityID: strconv.FormatInt(id, 10), Region: it.Region})
}

func visible(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Item, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		scope = ""
	}
	it, err := s.Complaint(ctx, scope, county, id)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && it.CitizenID != a.UserID {
		return nil, notFound()
	}
	if version != 0 && version != it.Version {
		return nil, apperr.Conflictf("该事项已被他人修改，请刷新后重试", "the item was changed by someone else; reload and try again")
	}
	return it, nil
}

func notFound() error {
	return apperr.NotFoundf("未找到该事项，或不在您的管辖范围内", "no such item in your scope")
}

// Assign names who handles item id of county.
func Assign(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, handler string) (*Item, error) {
	it, err := visible(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if it.Status == StatusClosed {
		return nil, apperr.Conflictf("该事项已结案", "the item is closed")
	}
	handler = strings.TrimSpace(handler)
	if handler == "" {
		return nil, apperr.Invalidf("handler", "请填写承办人", "name who handles it")
	}
	if e := textcheck.Check("handler", handler, textcheck.Name, registry.MaxName); e != nil {
		return nil, e
	}
	before := *it
	it.Handler, it.HandlerID = handler, 0
	if handler == a.Name {
		it.HandlerID = a.UserID
	}
	return it, save(ctx, s, a, "complaint.assign", ActAssigned, handler, it, &before)
}

// Reply records the reply to item id of county on day on.
func Reply(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, on date.Date, reply string) (*Item, error) {
	it, err := visible(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if it.Status == StatusClosed {
		return nil, apperr.Conflictf("该事项已结案", "the item is closed")
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return nil, apperr.Invalidf("reply", "请填写答复内容", "write the reply")
	}
	if e := textcheck.Check("reply", reply, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	if on.IsZero() {
		on = date.Today(s.Now())
	}
	if on.Before(it.Received) || on.After(date.Today(s.Now())) {
		return nil, apperr.Invalidf("replied", "答复日期应在受理日期与今天之间", "the reply must lie between the day received and today")
	}
	before := *it
	it.Reply, it.Replied, it.Status = reply, on, StatusReplied
	if it.HandlerID == 0 && it.Handler == "" {
		it.HandlerID, it.Handler = a.UserID, a.Name
	}
	return it, save(ctx, s, a, "complaint.reply", ActReplied, reply, it, &before)
}

// Close closes item id of county, answered, with its outcome.
func Close(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, outcome, note string) (*Item, error) {
	it, err := visible(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if it.Status != StatusReplied {
		return nil, apperr.Conflictf("该事项尚未答复或已结案", "the item is not answered, or is closed")
	}
	if !Outcomes.Has(outcome) {
		return nil, apperr.Invalidf("outcome", "请选择办理结果", "choose the outcome")
	}
	note = strings.TrimSpace(note)
	if e := textcheck.Check("note", note, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	before := *it
	it.Outcome, it.Closed, it.Status = outcome, date.Today(s.Now()), StatusClosed
	text := Outcomes.Chinese(outcome)
	if note != "" {
		text += "：" + note
	}
	return it, save(ctx, s, a, "complaint.close", ActClosed, text, it, &before)
}

// List lists the items of q within a's scope (a citizen's own only), by
// deadline. The list is audited.
func List(ctx context.Context, s Store, a auth.Actor, q Query) ([]Item, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	q.Scope, q.Today = a.Scope, date.Today(s.Now())
	if a.Role == auth.RoleCitizen {
		q.Scope, q.CitizenID = "", a.UserID
	}
	items, err := s.Complaints(ctx, q)
	if err != nil {
		return nil, err
	}
	county := q.County
	if county == "" && a.Scope.Level() >= region.County {
		county = string(a.Scope)[:6]
	}
	return items, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "complaint.list",
		Entity: "complaint", EntityID: "list", Region: string(a.Scope)})
}

// Escalate escalates the items within scope answered by none by their
// deadline, before today, to the level above the one that handles each
// (Above), once; each escalation is written on the item's history and
// audited. It returns how many it escalated.
func Escalate(ctx context.Context, s Store, a auth.Actor, scope region.Code) (int, error) {
	today := date.Today(s.Now())
	items, err := s.Complaints(ctx, Query{Scope: scope, Status: FilterOverdue, Today: today})
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range items {
		it := &items[i]
		if !it.Escalated.IsZero() {
			continue
		}
		to := Above(region.Code(it.Region))
		if to == "" {
			continue
		}
		before := *it
		it.Escalated, it.EscalatedTo = today, string(to)
		note := "办理期限" + it.Deadline.Chinese() + "已过，未答复"
		if err := save(ctx, s, a, "complaint.escalate", ActEscalated, note, it, &before); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func save(ctx context.Context, s Store, a auth.Actor, action, act, note string, it, before *Item) error {
	it.Version++
	it.UpdatedAt = s.Now()
	if err := s.UpdateComplaint(ctx, it); err != nil {
		return err
	}
	if err := history(ctx, s, a, it, act, note); err != nil {
		return err
	}
	return s.Audit(ctx, entry(a, action, it, before))
}

func history(ctx context.Context, s Store, a auth.Actor, it *Item, act, note string) error {
	return s.AddComplaintEvent(ctx, it.County, it.ID, Event{At: s.Now(), Action: act, UserID: a.UserID, Username: a.Username,
		Name: a.Name, Note: note})
}

func entry(a auth.Actor, action string, it, before *Item) audit.Entry {
	e := audit.Entry{County: it.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "complaint",
		EntityID: strconv.FormatInt(it.ID, 10), Region: it.Region, After: audit.JSON(it)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}
