package special

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Family-planning family categories (计生家庭类别) a certificate states and
// a partner department checks.
const (
	// CatOneChild: the person or the spouse holds a one-child parents'
	// certificate (独生子女父母光荣证) not cancelled on the day.
	CatOneChild = "one_child"
	// CatTwoDaughters: the couple's children born are two daughters and no
	// son, and one of them was sterilised (已落实绝育措施的二女户).
	CatTwoDaughters = "two_daughters"
	// CatSpecial: the family is on the register of special families on
	// the day (计生特殊家庭).
	CatSpecial = "special"
)

// FamilyCategories names the categories.
var FamilyCategories = term.List{
	{Code: CatOneChild, ZH: "独生子女家庭", EN: "One-child family"},
	{Code: CatTwoDaughters, ZH: "已扎二女户", EN: "Two daughters, sterilised"},
	{Code: CatSpecial, ZH: "计生特殊家庭", EN: "Special family"},
}

// CategoriesOn returns the categories of person id of county on day on,
// in the order of FamilyCategories.
func CategoriesOn(ctx context.Context, s Store, county string, id int64, on date.Date) ([]string, error) {
	f, err := factsAround(ctx, s, county, id)
	if err != nil {
		return nil, err
	}
	me := strconv.FormatInt(id, 10)
	couple := []string{me}
	if sp := spouseOf(f, me, on); sp != 0 {
		couple = append(couple, strconv.FormatInt(sp, 10))
	}
	var out []string
	for _, c := range f.Certificates {
		if c.Kind == registry.CertOneChild && slices.Contains(couple, c.Holder) && !c.Issued.After(on) && (c.Cancelled.IsZero() || c.Cancelled.After(on)) {
			out = append(out, CatOneChild)
			break
		}
	}
	var kids []string
	for _, t := range f.Children {
		if t.Kind == registry.Birth && slices.Contains(couple, t.Parent) && !slices.Contains(kids, t.Child) {
			if c := f.Person(t.Child); c != nil && !c.Birth.After(on) {
				kids = append(kids, t.Child)
			}
		}
	}
	if len(kids) == 2 && !slices.ContainsFunc(kids, func(k string) bool { return f.Person(k).Sex != registry.Female }) &&
		slices.ContainsFunc(f.Contraception, func(c registry.Contraception) bool {
			return slices.Contains(couple, c.Person) && c.Sterilisation() && !c.Date.After(on)
		}) {
		out = append(out, CatTwoDaughters)
	}
	ids := []int64{id}
	fams, err := s.SpecialFamiliesOf(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	for _, fam := range fams {
		if !fam.Since.After(on) && (fam.Closed.IsZero() || fam.Closed.After(on)) {
			out = append(out, CatSpecial)
			break
		}
	}
	return out, nil
}

// Certificate is a family-planning family certificate (计生家庭证明) as
// issued: its serial and check code, the person, the categories stated and
// the day they hold on.
type Certificate struct {
	County     string    `json:"county"`
	ID         int64     `json:"id"`
	Serial     string    `json:"serial"`
	Code       string    `json:"code"`
	PersonID   int64     `json:"person_id"`
	Region     string    `json:"region"`
	Categories []string  `json:"categories"`
	AsOf       date.Date `json:"as_of"`
	Issued     date.Date `json:"issued"`
	IssuedBy   int64     `json:"issued_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Paper is what the certificate prints.
type Paper struct {
	Certificate *Certificate
	Name        string
	IDNumber    string
	Place       string
	Issuer      string
	// VerifyPath is the path and query of the public verification.
	VerifyPath string
}

// VerifyPath is the path the public verification of a certificate answers.
const VerifyPath = "/verify/family"

// Issue issues a certificate of the categories person id of county is in
// on day on (today when zero). Only staff who keep the registry issue it
// within their scope; the special family's category is stated only by
// staff who may see the register. A person in no category gets none.
func Issue(ctx context.Context, s Store, a auth.Actor, county string, id int64, on date.Date) (*Paper, error) {
	if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, a.Scope, registry.Key{County: county, ID: id})
	if err != nil {
		return nil, err
	}
	today := date.Today(s.Now())
	if on.IsZero() {
		on = today
	}
	if on.After(today) {
		return nil, apperr.Invalidf("date", "证明日期不能晚于今天", "the day cannot be after today")
	}
	cats, err := CategoriesOn(ctx, s, county, id, on)
	if err != nil {
		return nil, err
	}
	if slices.Contains(cats, CatSpecial) && !auth.Can(a, auth.PermSpecialCare) {
		return nil, apperr.Forbiddenf("特殊家庭的证明由乡镇或县卫健委出具", "the township or the county certifies a special family")
	}
	if len(cats) == 0 {
		return nil, apperr.Conflictf("此人在该日不属于任何计生家庭类别，不能出具证明", "the person is in no family-planning category on that day")
	}
	seq, err := s.NextFamilyCertSerial(ctx, county, today.Year())
	if err != nil {
		return nil, err
	}
	code, err := birth.NewCode()
	if err != nil {
		return nil, err
	}
	cid, err := s.NextIDs(ctx, "family_certificate", 1)
	if err != nil {
		return nil, err
	}
	c := &Certificate{County: county, ID: cid, Serial: fmt.Sprintf("%s-JS%04d-%06d", county, today.Year(), seq), Code: code, PersonID: id,
		Region: p.Region, Categories: cats, AsOf: on, Issued: today, IssuedBy: a.UserID, CreatedAt: s.Now()}
	if err := s.InsertFamilyCert(ctx, c); err != nil {
		return nil, err
	}
	if err := s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "family.certificate",
		Entity: "person", EntityID: strconv.FormatInt(id, 10), Region: p.Region,
		After: audit.JSON(map[string]any{"serial": c.Serial, "categories": cats, "as_of": on})}); err != nil {
		return nil, err
	}
	return paper(c, p), nil
}

func paper(c *Certificate, p *registry.Record) *Paper {
	t := region.Default()
	out := &Paper{Certificate: c, Name: p.Name, IDNumber: p.IDNumber, Place: t.FullName(region.Code(p.Region))}
	out.Issuer = t.FullName(region.Code(c.County)) + "卫生健康委员会"
	if d, ok := t.Lookup(region.Code(c.County)); ok {
		out.Issuer = d.Name + "卫生健康委员会"
	}
	out.VerifyPath = VerifyPath + "?serial=" + c.Serial + "&code=" + c.Code
	return out
}

// Verification is what the public verification of a certificate shows:
// the number, the name masked, the categories and the days.
type Verification struct {
	Serial     string    `json:"serial"`
	Name       string    `json:"name"`
	Categories []string  `json:"categories"`
	AsOf       date.Date `json:"as_of"`
	Issued     date.Date `json:"issued"`
}

// Verify answers the public verification of the certificate with serial
// and check code; a certificate that is not valid is not found.
func Verify(ctx context.Context, s Store, serial, code string) (*Verification, error) {
	serial, code = strings.TrimSpace(serial), strings.ToUpper(strings.TrimSpace(code))
	notFound := apperr.NotFoundf("没有与该编号和校验码相符的计生家庭证明", "no family-planning family certificate has this number and check code")
	if len(serial) > 32 || len(code) != birth.CodeLen {
		return nil, notFound
	}
	c, err := s.FamilyCertBySerial(ctx, serial)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(c.Code), []byte(code)) != 1 {
		return nil, notFound
	}
	p, err := s.PersonByKey(ctx, "", registry.Key{County: c.County, ID: c.PersonID})
	if err != nil {
		return nil, err
	}
	return &Verification{Serial: c.Serial, Name: birth.MaskName(p.Name), Categories: c.Categories, AsOf: c.AsOf, Issued: c.Issued}, nil
}

// CheckQuery is a partner department's question: is the person of this
// ID number in category on day date?
type CheckQuery struct {
	IDNumber string    `json:"id_number"`
	Category string    `json:"category"`
	Date     date.Date `json:"date"`
}

// CheckAnswer is the answer: yes or no, and nothing else.
type CheckAnswer struct {
	Category string    `json:"category"`
	Date     date.Date `json:"date"`
	Answer   bool      `json:"answer"`
}

// Check answers a partner department's question within a's scope. A
// person the registry of the scope does not hold is answered no, like one
// outside the category. The question and the answer are audited, with
// the ID number masked.
func Check(ctx context.Context, s Store, a auth.Actor, q CheckQuery) (*CheckAnswer, error) {
	if err := auth.Require(a, auth.PermFamilyCheck); err != nil {
		return nil, err
	}
	var errs apperr.List
	num, err := idcard.Parse(strings.TrimSpace(q.IDNumber))
	if err != nil {
		errs = append(errs, apperr.Invalidf("id_number", "身份证号码不正确", "the ID number is not valid"))
	}
	if !FamilyCategories.Has(q.Category) {
		errs = append(errs, apperr.Invalidf("category", "类别应为%s之一", "category must be one of %s", strings.Join(FamilyCategories.Codes(), ", ")))
	}
	today := date.Today(s.Now())
	if q.Date.IsZero() {
		q.Date = today
	}
	if q.Date.After(today) {
		errs = append(errs, apperr.Invalidf("date", "日期不能晚于今天", "the day cannot be after today"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	ans := &CheckAnswer{Category: q.Category, Date: q.Date}
	county := string(region.Default().County(a.Scope))
	p, err := s.PersonByIDNumber(ctx, a.Scope, string(num))
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
	case err != nil:
		return nil, err
	default:
		county = p.County
		cats, err := CategoriesOn(ctx, s, p.County, p.ID, q.Date)
		if err != nil {
			return nil, err
		}
		ans.Answer = slices.Contains(cats, q.Category)
	}
	return ans, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "family.check",
		Entity: "family_check", EntityID: num.Masked(), Region: string(a.Scope),
		After: audit.JSON(map[string]any{"id_number": num.Masked(), "category": q.Category, "date": q.Date, "answer": ans.Answer})})
}
