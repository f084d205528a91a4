// Package inperson is the annual face-to-face review (年审人人见面): every
// recipient on the roll is seen in person once a year — on a day, by a
// named member of staff, at a place, with a photo or the recipient's
// signature — or the reason they could not be seen is recorded (in
// hospital, moved away, died). Those not seen by the county's deadline are
// listed by township, and their money is held from the next payment batch
// until they are seen or the reason is recorded (package payment,
// ReviewHolds and ReleaseReviewHold).
//
// The village specialist, the township and the county record the review
// of the recipients within their scope; everyone who reads the roll reads
// it. The package checks permission, scope and content and writes its
// audit entries in the caller's transaction; storage is behind Store.
package inperson

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Statuses of a review.
const (
	Seen    = "seen"
	NotSeen = "not_seen"
)

// Statuses names the statuses.
var Statuses = term.List{
	{Code: Seen, ZH: "已见面", EN: "Seen"},
	{Code: NotSeen, ZH: "未见面（已说明原因）", EN: "Not seen (reason given)"},
}

// Reasons a recipient was not seen.
const (
	ReasonHospital = "hospital" // 住院治疗
	ReasonMoved    = "moved"    // 外出或迁居
	ReasonDied     = "died"     // 死亡
	ReasonOther    = "other"    // 其他
)

// Reasons names the reasons.
var Reasons = term.List{
	{Code: ReasonHospital, ZH: "住院治疗", EN: "In hospital"},
	{Code: ReasonMoved, ZH: "外出或迁居", EN: "Away or moved"},
	{Code: ReasonDied, ZH: "死亡", EN: "Died"},
	{Code: ReasonOther, ZH: "其他", EN: "Other"},
}

// Proofs of a meeting.
const (
	ProofPhoto     = "photo"     // 现场照片
	ProofSignature = "signature" // 本人签字
)

// Proofs names the proofs.
var Proofs = term.List{
	{Code: ProofPhoto, ZH: "现场照片", EN: "Photo"},
	{Code: ProofSignature, ZH: "本人签字（纸质表存档）", EN: "Signature (paper form filed)"},
}

// Review is the record of one person's review of a year.
type Review struct {
	County         string    `json:"county"`
	PersonID       int64     `json:"person_id"`
	Year           int       `json:"year"`
	Region         string    `json:"region"`
	Status         string    `json:"status"`
	Reason         string    `json:"reason,omitempty"`
	SeenOn         date.Date `json:"seen_on,omitempty"`
	Place          string    `json:"place,omitempty"`
	Proof          string    `json:"proof,omitempty"`
	AttachmentID   int64     `json:"attachment_id,omitempty"`
	Note           string    `json:"note,omitempty"`
	RecordedBy     int64     `json:"recorded_by"`
	RecordedByName string    `json:"recorded_by_name"`
	RecordedAt     time.Time `json:"recorded_at"`
	Version        int       `json:"version"`
}

// Entry is what staff record: seen (a day, a place, a proof; a photo
// when the proof is a photo) or not seen with the reason.
type Entry struct {
	Year   int          `json:"year"`
	Seen   bool         `json:"seen"`
	SeenOn date.Date    `json:"seen_on"`
	Place  string       `json:"place"`
	Proof  string       `json:"proof"`
	Reason string       `json:"reason"`
	Note   string       `json:"note"`
	Photo  *attach.File `json:"-"`
	// Version is the version of the year's record read (0 when there
	// was none): a record changed meanwhile is refused.
	Version int `json:"version"`
}

// Row is a recipient of the review's list: the person, the programs they
// are on, when they were first confirmed, and the year's record if any.
type Row struct {
	PersonID  int64     `json:"person_id"`
	Name      string    `json:"name"`
	IDNumber  string    `json:"id_number"`
	Region    string    `json:"region"`
	Programs  []string  `json:"programs"`
	Confirmed date.Date `json:"confirmed"`
	Review    *Review   `json:"review,omitempty"`
}

// Township returns the township of the row's region.
func (r Row) Township() string { return townshipOf(r.Region) }

// Due reports whether the row's person must be seen at the review of
// year for their money to go on: they were on the roll before the year.
func (r Row) Due(year int) bool { return r.Confirmed.Year() < year }

// Store is what the review needs from storage.
type Store interface {
	attach.Store
	payment.Store
	// ReviewRoll returns the active recipients of county within scope
	// (one row per person), with the record of year where there is one,
	// in region and person order.
	ReviewRoll(ctx context.Context, scope region.Code, county string, year int) ([]Row, error)
	// InPersonReview returns the record of person of year, NotFound when
	// there is none.
	InPersonReview(ctx context.Context, county string, personID int64, year int) (*Review, error)
	// SaveInPersonReview inserts r (Version 1) or writes it over
	// Version-1; Conflict when the stored version differs.
	SaveInPersonReview(ctx context.Context, r *Review) error
	// ActiveRecipient reports whether the person is on the county's roll.
	ActiveRecipient(ctx context.Context, county string, personID int64) (bool, error)
}

// CanRecord reports whether a may record reviews: the staff who take
// cases at village, township and county level.
func CanRecord(a auth.Actor) bool {
	return auth.Can(a, auth.PermCaseApply) || auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove)
}

const maxText = 200

// Record records the review of year of person k: seen, or not seen and
// why. It keeps the photo with the person (attach.Add, the county's
// retention), writes the record over the version read, puts back to
// pending any lines the review held, and for a death reported at the
// review raises a payment hold (as a suspected death) until the death is
// verified. It returns the record and how many lines it released.
func Record(ctx context.Context, s Store, b attach.Blobs, a auth.Actor, k registry.Key, e Entry, retention int) (*Review, int, error) {
	if !CanRecord(a) {
		return nil, 0, auth.Require(a, auth.PermCaseApply)
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, 0, err
	}
	today := date.Today(s.Now())
	if err := check(&e, today); err != nil {
		return nil, 0, err
	}
	on, err := s.ActiveRecipient(ctx, p.County, p.ID)
	if err != nil {
		return nil, 0, err
	}
	if !on {
		return nil, 0, apperr.Conflictf("%s 不在名册上（或已暂停、退出），无需年审见面", "%s is not on the roll: there is nothing to review", p.Name)
	}
	old, err := s.InPersonReview(ctx, p.County, p.ID, e.Year)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		old = nil
	case err != nil:
		return nil, 0, err
	}
	version := 0
	if old != nil {
		version = old.Version
	}
	if e.Version != version {
		return nil, 0, apperr.Conflictf("该人员 %d 年度的年审记录已被他人修改，请刷新后重试", "the review of %d was changed meanwhile: reload and try again", e.Year)
	}
	r := &Review{County: p.County, PersonID: p.ID, Year: e.Year, Region: p.Region, Note: e.Note,
		RecordedBy: a.UserID, RecordedByName: actorName(a), RecordedAt: s.Now(), Version: version + 1}
	if e.Seen {
		r.Status, r.SeenOn, r.Place, r.Proof = Seen, e.SeenOn, e.Place, e.Proof
		if e.Proof == ProofPhoto {
			x, err := attach.Add(ctx, s, b, a, p.County, attach.OwnerPerson, p.ID, p.Region, *e.Photo, retention)
			if err != nil {
				return nil, 0, err
			}
			r.AttachmentID = x.ID
		}
	} else {
		r.Status, r.Reason = NotSeen, e.Reason
	}
	if err := s.SaveInPersonReview(ctx, r); err != nil {
		return nil, 0, err
	}
	released, err := payment.ReleaseReviewHold(ctx, s, a, p.County, p.ID, e.Year)
	if err != nil {
		return nil, 0, err
	}
	if r.Reason == ReasonDied {
		why := "年审见面时报告死亡：" + e.Note
		if err := s.SetPaymentHold(ctx, p.County, p.ID, why, a.UserID); err != nil {
			return nil, 0, err
		}
	}
	before := ""
	if old != nil {
		before = audit.JSON(old)
	}
	return r, released, s.Audit(ctx, audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username, Action: "inperson.record",
		Entity: "person", EntityID: p.Ref(), Region: p.Region, Before: before,
		After: audit.JSON(map[string]any{"year": r.Year, "status": r.Status, "reason": r.Reason, "seen_on": r.SeenOn.String(),
			"place": r.Place, "proof": r.Proof, "attachment": r.AttachmentID, "note": r.Note, "lines_released": released})})
}

// check checks an entry against today, naming each field at fault.
func check(e *Entry, today date.Date) error {
	var errs apperr.List
	e.Place, e.Note = strings.TrimSpace(e.Place), strings.TrimSpace(e.Note)
	if e.Year < today.Year()-1 || e.Year > today.Year() {
		errs = append(errs, apperr.Invalidf("year", "年审年度应为今年或上一年", "the year must be this year or the last"))
	}
	if utf8.RuneCountInString(e.Place) > maxText || utf8.RuneCountInString(e.Note) > maxText {
		errs = append(errs, apperr.Invalidf("note", "地点或说明不得超过 %d 字", "the place or the note is longer than %d characters", maxText))
	}
	if e.Seen {
		switch {
		case e.SeenOn.IsZero():
			errs = append(errs, apperr.Invalidf("seen_on", "请填写见面日期", "give the day of the meeting"))
		case e.SeenOn.After(today):
			errs = append(errs, apperr.Invalidf("seen_on", "见面日期不能晚于今天", "the day of the meeting cannot be after today"))
		case e.SeenOn.Year() != e.Year:
			errs = append(errs, apperr.Invalidf("seen_on", "见面日期应在 %d 年内", "the day of the meeting must be in %d", e.Year))
		}
		if e.Place == "" {
			errs = append(errs, apperr.Invalidf("place", "请填写见面地点", "say where the meeting took place"))
		}
		switch e.Proof {
		case ProofPhoto:
			if e.Photo == nil || len(e.Photo.Data) == 0 {
				errs = append(errs, apperr.Invalidf("file", "请上传现场照片", "upload the photo taken at the meeting"))
			} else {
				e.Photo.Kind = attach.KindPhoto
				if _, err := attach.Check(*e.Photo); err != nil {
					errs = append(errs, asList(err)...)
				} else if !attach.IsImage(attach.Sniff(e.Photo.Data)) {
					errs = append(errs, apperr.Invalidf("file", "现场照片应为图片（JPEG、PNG 或 WebP）", "the photo must be a picture (JPEG, PNG or WebP)"))
				}
			}
		case ProofSignature:
		default:
			errs = append(errs, apperr.Invalidf("proof", "请选择见面凭证：现场照片或本人签字", "choose the proof: a photo or a signature"))
		}
		if e.Reason != "" {
			errs = append(errs, apperr.Invalidf("reason", "已见面的不填未见面原因", "a recipient seen has no reason for not being seen"))
		}
	} else {
		if !Reasons.Has(e.Reason) {
			errs = append(errs, apperr.Invalidf("reason", "请选择未见面原因", "choose why the recipient was not seen"))
		}
		if (e.Reason == ReasonOther || e.Reason == ReasonDied) && e.Note == "" {
			errs = append(errs, apperr.Invalidf("note", "请说明具体情况", "describe the circumstances"))
		}
		if e.Photo != nil && len(e.Photo.Data) > 0 {
			errs = append(errs, apperr.Invalidf("file", "未见面的不上传现场照片", "no photo for a recipient not seen"))
		}
	}
	return errs.Err()
}

func asList(err error) apperr.List {
	if l, ok := err.(apperr.List); ok {
		return l
	}
	if e, ok := apperr.As(err); ok {
		return apperr.List{e}
	}
	return apperr.List{apperr.Invalidf("file", "文件无效", "invalid file")}
}

// Township is one township's line of the review's progress.
type Township struct {
	Code     string `json:"code"`
	Total    int    `json:"total"`
	Seen     int    `json:"seen"`
	Excused  int    `json:"excused"` // not seen, reason recorded
	Unseen   int    `json:"unseen"`  // no record yet
	Held     int    `json:"held"`    // unseen and due: held once the deadline has passed
	Unseeing []Row  `json:"unseen_rows"`
}

// Progress is the review of a year within a region: the rows, the
// deadline, and the figures by township.
type Progress struct {
	County    string     `json:"county"`
	Region    string     `json:"region"`
	Year      int        `json:"year"`
	Deadline  date.Date  `json:"deadline,omitempty"`
	Passed    bool       `json:"passed"` // the deadline has passed: the unseen are held
	Rows      []Row      `json:"rows"`
	Townships []Township `json:"townships"`
}

// Report returns the review of year within code (a county or a part of
// one) as the actor may read it.
func Report(ctx context.Context, s Store, a auth.Actor, code string, year int) (*Progress, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	c, err := region.ParseCode(code)
	if err != nil || c.Level() < region.County {
		return nil, apperr.Invalidf("region", "请选择县或县以下的区划", "choose a county or a division within one")
	}
	if err := a.CheckScope(c); err != nil {
		return nil, err
	}
	county := string(c)[:6]
	today := date.Today(s.Now())
	if year < 2000 || year > today.Year()+1 {
		return nil, apperr.Invalidf("year", "年度无效", "invalid year")
	}
	stored, err := s.PaymentParams(ctx, county)
	if err != nil {
		return nil, err
	}
	prm, err := payment.ResolveParams(county, stored)
	if err != nil {
		return nil, err
	}
	rows, err := s.ReviewRoll(ctx, c, county, year)
	if err != nil {
		return nil, err
	}
	p := &Progress{County: county, Region: string(c), Year: year, Rows: rows}
	if d, ok := prm.ReviewDeadlineOf(year); ok {
		p.Deadline, p.Passed = d, today.After(d)
	}
	by := map[string]*Township{}
	for _, r := range rows {
		t := by[r.Township()]
		if t == nil {
			t = &Township{Code: r.Township()}
			by[t.Code] = t
		}
		t.Total++
		switch {
		case r.Review == nil:
			t.Unseen++
			t.Unseeing = append(t.Unseeing, r)
			if p.Passed && r.Due(year) {
				t.Held++
			}
		case r.Review.Status == Seen:
			t.Seen++
		default:
			t.Excused++
		}
	}
	for _, t := range by {
		p.Townships = append(p.Townships, *t)
	}
	sort.Slice(p.Townships, func(i, j int) bool { return p.Townships[i].Code < p.Townships[j].Code })
	return p, nil
}

// townshipOf is the township (a 12-digit code ending in 000) of a
// village's code.
func townshipOf(code string) string {
	if len(code) >= 9 {
		return code[:9] + "000"
	}
	return code
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// Ref is the record's reference in audit entries.
func (r *Review) Ref() string { return strconv.FormatInt(r.PersonID, 10) + "/" + strconv.Itoa(r.Year) }
