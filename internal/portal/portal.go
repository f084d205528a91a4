// Package portal holds what the citizen portal adds to the other
// services: a citizen's report of an error in their family as the
// registry has it, which becomes a task of their village's specialist
// (Report), and the photos of documents a citizen uploads from a phone
// with an application, checked for size and type and stored with the
// case, the birth registration or the subsidy claim (Document).
//
// The package checks permission, scope and content and writes its audit
// entries in the caller's transaction; storage is behind Store.
package portal

import (
	"context"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/attach"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// Report is a citizen's report of an error in their family's record.
type Report struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Person is the citizen who reported it; Region their village, whose
	// specialist handles it.
	Person       int64     `json:"person_id"`
	Region       string    `json:"region"`
	Text         string    `json:"text"`
	Phone        string    `json:"phone,omitempty"`
	Status       string    `json:"status"`
	Filed        date.Date `json:"filed"`
	Resolved     date.Date `json:"resolved,omitempty"`
	ResolvedBy   int64     `json:"resolved_by,omitempty"`
	ResolvedName string    `json:"resolved_name,omitempty"`
	Note         string    `json:"note,omitempty"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Statuses of a report.
const (
	ReportOpen     = "open"
	ReportResolved = "resolved"
)

// ReportStatuses names the statuses of a report.
var ReportStatuses = term.List{
	{Code: ReportOpen, ZH: "待村专干核实", EN: "Waiting for the village specialist"},
	{Code: ReportResolved, ZH: "已核实处理", EN: "Checked and dealt with"},
}

// Limits of a report's text.
const (
	MinReport = 5
	MaxReport = 1000
)

// Document is a photo or scan of a document uploaded with an application.
type Document struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Entity and EntityID name what it is stored with.
	Entity     string    `json:"entity"`
	EntityID   int64     `json:"entity_id"`
	Region     string    `json:"region"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Size       int       `json:"size"`
	Data       []byte    `json:"-"`
	UploadedBy int64     `json:"uploaded_by"`
	CreatedAt  time.Time `json:"created_at"`
	// Storage is where the bytes are: StorageInline (a document stored
	// before the portal used the file store, its bytes in its own row) or
	// the kind of the attachment store that keeps them (attach.Blobs:
	// "db", "disk" or "s3") under BlobID, a key of the attachments'
	// sequence, checked against SHA256 when read.
	Storage string `json:"-"`
	BlobID  int64  `json:"-"`
	SHA256  string `json:"-"`
}

// StorageInline marks a document whose bytes are kept in its own row.
const StorageInline = "inline"

// What documents are stored with.
const (
	EntityCase         = "case"
	EntityRegistration = "birth_registration"
	EntityClaim        = "subsidy_claim"
)

// Limits of an upload.
const (
	// MaxDocument is the largest file accepted: a phone's photo, resized
	// by the page before it is sent, is well below it.
	MaxDocument = 5 << 20
	// MaxDocuments is the most files stored with one application.
	MaxDocuments = 10
	MaxFileName  = 100
)

// Types accepted, by what the file's first bytes say it is.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
)

// Sniff returns the type of a document from its first bytes — a JPEG or
// PNG photo, or a PDF scan — or an error naming the field when it is none
// of them, is empty or is too large.
func Sniff(field string, data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", apperr.Invalidf(field, "文件为空", "the file is empty")
	case len(data) > MaxDocument:
		return "", apperr.Invalidf(field, "文件超过%dMB，请压缩后重新上传", "the file exceeds %d MB: make it smaller", MaxDocument>>20)
	}
	// The first bytes are read as the case files read them (attach.Sniff);
	// an application takes the photos and scans of those, not WebP.
	switch ct := attach.Sniff(data); ct {
	case TypeJPEG, TypePNG, TypePDF:
		return ct, nil
	}
	return "", apperr.Invalidf(field, "只能上传照片（JPG、PNG）或PDF文件", "only photos (JPG, PNG) or PDF files can be uploaded")
}

// CleanName returns a file name fit to keep and show: its base, without
// control characters, at most MaxFileName characters, and with the
// extension of its type.
func CleanName(name, ctype string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	ext := map[string]string{TypeJPEG: ".jpg", TypePNG: ".png", TypePDF: ".pdf"}[ctype]
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" || base == "." {
		base = "材料"
	}
	for utf8.RuneCountInString(base) > MaxFileName-len(ext) {
		_, n := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-n]
	}
	return base + ext
}

// Store is what the portal needs from storage.
type Store interface {
	registry.Store
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	InsertReport(ctx context.Context, r *Report) error
	// UpdateReport writes r over the stored version r.Version-1.
	UpdateReport(ctx context.Context, r *Report) error
	Report(ctx context.Context, scope region.Code, county string, id int64) (*Report, error)
	// Reports returns the reports of county within scope with status
	// ("" any), oldest first; person, when not 0, selects one person's.
	Reports(ctx context.Context, scope region.Code, county, status string, person int64) ([]Report, error)
	InsertDocument(ctx context.Context, d *Document) error
	// Documents returns the documents stored with an entity, without
	// their data, oldest first.
	Documents(ctx context.Context, county, entity string, id int64) ([]Document, error)
	// Document returns a document with its data.
	Document(ctx context.Context, county string, id int64) (*Document, error)
}

// FileReport records a citizen's report of an error in their family's
// record, for their village's specialist.
func FileReport(ctx context.Context, s Store, a auth.Actor, text, phone string) (*Report, error) {
	if err := auth.Require(a, auth.PermSelfService); err != nil {
		return nil, err
	}
	if a.PersonID == 0 || a.PersonCounty == "" {
		return nil, apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
	}
	p, err := s.PersonByKey(ctx, "", registry.Key{County: a.PersonCounty, ID: a.PersonID})
	if err != nil {
		return nil, err
	}
	text, phone = strings.TrimSpace(text), strings.TrimSpace(phone)
	var errs apperr.List
	if utf8.RuneCountInString(text) < MinReport {
		errs = append(errs, apperr.Invalidf("text", "请写明哪里有误、应当是什么（至少%d个字）", "say what is wrong and what it should be (at least %d characters)", MinReport))
	}
	if e := textcheck.Check("text", text, textcheck.Para, MaxReport); e != nil {
		errs = append(errs, e)
	}
	if e := registry.CheckPhone("phone", phone); e != nil {
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	id, err := s.NextIDs(ctx, "family_report", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Report{County: p.County, ID: id, Person: p.ID, Region: p.Region, Text: text, Phone: phone, Status: ReportOpen,
		Filed: date.Today(now), Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertReport(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, reportEntry(a, "family_report.file", r, nil))
}

// Reports lists the reports of county within the actor's scope: staff
// who keep the registry (registry.read); a citizen, their own.
func Reports(ctx context.Context, s Store, a auth.Actor, county, status string) ([]Report, error) {
	if status != "" && !ReportStatuses.Has(status) {
		return nil, apperr.OneOf("status", status, ReportStatuses.Codes())
	}
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfService); err != nil {
			return nil, err
		}
		return s.Reports(ctx, "", a.PersonCounty, status, a.PersonID)
	}
	if err := auth.Require(a, auth.PermRegistryRead); err != nil {
		return nil, err
	}
	return s.Reports(ctx, a.Scope, county, status, 0)
}

// Resolve records that the village (or the township, the county) has
// checked a report and dealt with it, with a note of what was done.
func Resolve(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, note string) (*Report, error) {
	if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	r, err := s.Report(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if r.Version != version {
		return nil, apperr.Conflictf("该报告已被他人更新，请刷新后重试", "the report was changed meanwhile: reload and try again")
	}
	if r.Status != ReportOpen {
		return nil, apperr.Conflictf("该报告已处理", "the report is dealt with already")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) < MinReport {
		return nil, apperr.Invalidf("note", "请写明核实结果和处理情况（至少%d个字）", "say what was found and done (at least %d characters)", MinReport)
	}
	if e := textcheck.Check("note", note, textcheck.Para, MaxReport); e != nil {
		return nil, e
	}
	before := *r
	now := s.Now()
	r.Status, r.Note, r.Resolved, r.ResolvedBy, r.ResolvedName = ReportResolved, note, date.Today(now), a.UserID, a.Name
	if r.ResolvedName == "" {
		r.ResolvedName = a.Username
	}
	r.Version++
	r.UpdatedAt = now
	if err := s.UpdateReport(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, reportEntry(a, "family_report.resolve", r, &before))
}

func reportEntry(a auth.Actor, action string, r *Report, before *Report) audit.Entry {
	e := audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "family_report",
		EntityID: strconv.FormatInt(r.ID, 10), Region: r.Region,
		After: audit.JSON(map[string]any{"person": r.Person, "status": r.Status, "text": r.Text, "note": r.Note})}
	if before != nil {
		e.Before = audit.JSON(map[string]any{"status": before.Status})
	}
	return e
}

// Attach stores a document with entity id of county, whose region the
// caller located and checked (the use case does, as for the entity
// itself); name is the file's name as uploaded. Its bytes go to b, the
// one store of the deployment's files (as the case files' attachments).
func Attach(ctx context.Context, s Store, b attach.Blobs, a auth.Actor, entity, county string, id int64, reg, name string, data []byte) (*Document, error) {
	switch entity {
	case EntityCase, EntityRegistration, EntityClaim:
	default:
		return nil, apperr.Invalidf("entity", "不能为此上传材料", "documents cannot be stored with this")
	}
	ctype, err := Sniff("file", data)
	if err != nil {
		return nil, err
	}
	have, err := s.Documents(ctx, county, entity, id)
	if err != nil {
		return nil, err
	}
	if len(have) >= MaxDocuments {
		return nil, apperr.Invalidf("file", "每份申请最多上传%d个文件", "at most %d files can be stored with one application", MaxDocuments)
	}
	nid, err := s.NextIDs(ctx, "document", 1)
	if err != nil {
		return nil, err
	}
	blob, err := s.NextIDs(ctx, "attachment", 1)
	if err != nil {
		return nil, err
	}
	d := &Document{County: county, ID: nid, Entity: entity, EntityID: id, Region: reg, Name: CleanName(name, ctype), Type: ctype,
		Size: len(data), Data: data, UploadedBy: a.UserID, CreatedAt: s.Now(), Storage: b.Kind(), BlobID: blob, SHA256: attach.Sum(data)}
	if err := b.Put(ctx, county, blob, d.SHA256, data); err != nil {
		return nil, err
	}
	if err := s.InsertDocument(ctx, d); err != nil {
		return nil, err
	}
	return d, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "document.upload", Entity: entity,
		EntityID: strconv.FormatInt(id, 10), Region: reg,
		After: audit.JSON(map[string]any{"document": nid, "name": d.Name, "type": ctype, "size": d.Size})})
}
