// Package attach keeps files with a person or a case (资料齐全、档案规范):
// photos taken on a phone, scans and PDFs, each checked for its size and
// its type by its first bytes (never by its name or by what the sender
// claims), recorded with who added it and when, and kept until the
// retention period the county sets has passed.
//
// The bytes are kept by Blobs, one interface with two backends: the
// database (a row beside the attachment's, written in the same
// transaction) or a directory on disk (beside an SQLite file, a file per
// attachment named by its digest). The record of an attachment, with its
// SHA-256 digest, is always in the database; a read checks the bytes
// against it, so a file changed on disk is refused rather than shown.
package attach

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Owners of attachments.
const (
	OwnerPerson = "person"
	OwnerCase   = "case"
)

// Kinds of attachment.
const (
	KindPhoto     = "photo"     // 照片
	KindScan      = "scan"      // 扫描件
	KindSignature = "signature" // 签名
	KindDocument  = "document"  // 证明材料
)

// Kinds names the kinds of attachment.
var Kinds = term.List{
	{Code: KindPhoto, ZH: "照片", EN: "Photo"},
	{Code: KindScan, ZH: "扫描件", EN: "Scan"},
	{Code: KindSignature, ZH: "签名", EN: "Signature"},
	{Code: KindDocument, ZH: "证明材料", EN: "Document"},
}

// MaxSize bounds an attachment: a phone's photo, a scanned page or a
// short PDF.
const MaxSize = 10 << 20

// Types are the content types accepted, by the first bytes of the file.
var Types = []struct {
	ContentType, Ext, ZH string
	magic                func([]byte) bool
}{
	{"image/jpeg", ".jpg", "JPEG 照片", func(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) }},
	{"image/png", ".png", "PNG 图片", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }},
	{"image/webp", ".webp", "WebP 图片", func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	}},
	{"application/pdf", ".pdf", "PDF 文件", func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) }},
}

// Sniff returns the content type of data, or "" when it is none of Types.
func Sniff(data []byte) string {
	for _, t := range Types {
		if t.magic(data) {
			return t.ContentType
		}
	}
	return ""
}

// IsImage reports whether a content type is a picture a page can show.
func IsImage(ct string) bool { return strings.HasPrefix(ct, "image/") }

// DefaultRetentionYears is how long an attachment is kept when the county
// has not set RetentionParam: the archives of the benefits are kept long
// after the benefit ends.
const DefaultRetentionYears = 30

// RetentionParam is the regional parameter (workflow parameters, by
// division prefix) naming how many years a county keeps attachments.
const RetentionParam = "attachment_retention_years"

// ParseRetention reads the retention parameter: whole years, 1 to 100.
func ParseRetention(v string) (int, error) {
	if strings.TrimSpace(v) == "" {
		return DefaultRetentionYears, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 100 {
		return 0, apperr.Invalidf("value", "保管年限应为 1 到 100 的整数", "the retention must be a whole number of years from 1 to 100")
	}
	return n, nil
}

// Attachment is a file kept with a person or a case.
type Attachment struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	Owner       string    `json:"owner"`
	OwnerID     int64     `json:"owner_id"`
	Region      string    `json:"region"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Storage     string    `json:"storage"`
	AddedBy     int64     `json:"added_by"`
	AddedByName string    `json:"added_by_name"`
	AddedAt     time.Time `json:"added_at"`
	KeepUntil   date.Date `json:"keep_until"`
}

// File is an uploaded file before it is kept.
type File struct {
	Name string
	Kind string
	Data []byte
}

// Blobs keeps the bytes of attachments.
type Blobs interface {
	// Kind is "db", "disk" or "s3" (package store/s3), recorded with
	// each attachment.
	Kind() string
	Put(ctx context.Context, county string, id int64, sum string, data []byte) error
	Get(ctx context.Context, county string, id int64, sum string) ([]byte, error)
}

// Store is what attachments need from storage.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error
	InsertAttachment(ctx context.Context, x *Attachment) error
	Attachment(ctx context.Context, county string, id int64) (*Attachment, error)
	Attachments(ctx context.Context, county, owner string, ownerIDs []int64) ([]Attachment, error)
}

// Check checks an uploaded file: a kind, a name, a size within MaxSize
// and one of Types by its first bytes. It returns the content type.
func Check(f File) (string, error) {
	var errs apperr.List
	if !Kinds.Has(f.Kind) {
		errs = append(errs, apperr.Invalidf("kind", "附件类别无效", "unknown kind of attachment"))
	}
	if len(f.Data) == 0 {
		errs = append(errs, apperr.Invalidf("file", "请选择要上传的文件", "choose a file to upload"))
	} else if len(f.Data) > MaxSize {
		errs = append(errs, apperr.Invalidf("file", "文件过大（%.1f MB），附件不得超过 %d MB",
			"the file is too large (%.1f MB): an attachment may be at most %d MB", float64(len(f.Data))/(1<<20), MaxSize>>20))
	}
	ct := Sniff(f.Data)
	if len(f.Data) > 0 && ct == "" {
		errs = append(errs, apperr.Invalidf("file", "只能上传 JPEG、PNG、WebP 照片或 PDF 文件", "only JPEG, PNG or WebP photos and PDF files may be uploaded"))
	}
	if !utf8.ValidString(f.Name) || utf8.RuneCountInString(f.Name) > 200 {
		errs = append(errs, apperr.Invalidf("name", "文件名无效或过长", "the file name is invalid or too long"))
	}
	if len(errs) > 0 {
		return "", errs
	}
	return ct, nil
}

// Sum returns the hex SHA-256 digest of data.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Add keeps file f with owner ownerID of county, whose region is region
// (the caller has checked that the actor may act on the owner), for
// retention years. It writes the record, the bytes and an audit entry.
func Add(ctx context.Context, s Store, b Blobs, a auth.Actor, county, owner string, ownerID int64, region string, f File, retention int) (*Attachment, error) {
	ct, err := Check(f)
	if err != nil {
		return nil, err
	}
	if owner != OwnerPerson && owner != OwnerCase {
		return nil, fmt.Errorf("attach: unknown owner %q", owner)
	}
	id, err := s.NextIDs(ctx, "attachment", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	name := strings.TrimSpace(f.Name)
	if name == "" {
		name = f.Kind + extOf(ct)
	}
	x := &Attachment{County: county, ID: id, Owner: owner, OwnerID: ownerID, Region: region, Kind: f.Kind, Name: name,
		ContentType: ct, Size: int64(len(f.Data)), SHA256: Sum(f.Data), Storage: b.Kind(), AddedBy: a.UserID,
		AddedByName: actorName(a), AddedAt: now, KeepUntil: date.Today(now).AddMonths(12 * retention)}
	if err := b.Put(ctx, county, id, x.SHA256, f.Data); err != nil {
		return nil, err
	}
	if err := s.InsertAttachment(ctx, x); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "attachment.add",
		Entity: owner, EntityID: strconv.FormatInt(ownerID, 10), Region: region,
		After: audit.JSON(map[string]any{"attachment": id, "kind": x.Kind, "name": x.Name, "content_type": ct, "size": x.Size,
			"sha256": x.SHA256, "keep_until": x.KeepUntil.String()})})
}

// Read returns attachment id of county with its bytes, checked against
// the recorded digest.
func Read(ctx context.Context, s Store, b Blobs, county string, id int64) (*Attachment, []byte, error) {
	return ReadFrom(ctx, s, func(string) (Blobs, error) { return b, nil }, county, id)
}

// ReadFrom is Read from the backend pick gives for the storage the
// attachment was recorded with, which need not be the one that keeps new
// files (a deployment that moved from the database to a directory or an
// S3 store still reads its older files).
func ReadFrom(ctx context.Context, s Store, pick func(storage string) (Blobs, error), county string, id int64) (*Attachment, []byte, error) {
	x, err := s.Attachment(ctx, county, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := pick(x.Storage)
	if err != nil {
		return nil, nil, err
	}
	data, err := b.Get(ctx, county, id, x.SHA256)
	if err != nil {
		return nil, nil, err
	}
	if Sum(data) != x.SHA256 {
		return nil, nil, fmt.Errorf("attachment %s/%d: the stored bytes do not match the recorded digest", county, id)
	}
	return x, data, nil
}

func extOf(ct string) string {
	for _, t := range Types {
		if t.ContentType == ct {
			return t.Ext
		}
	}
	return ""
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// Viewed records that a read attachment x: a photo of a recipient or a
// scan of a certificate is personal data, whose every reading is audited.
func Viewed(ctx context.Context, s Store, a auth.Actor, x *Attachment) error {
	return s.Audit(ctx, audit.Entry{County: x.County, UserID: a.UserID, Username: a.Username, Action: "attachment.read",
		Entity: "attachment", EntityID: strconv.FormatInt(x.ID, 10), Region: x.Region,
		After: audit.JSON(map[string]any{"owner": x.Owner, "owner_id": x.OwnerID, "name": x.Name})})
}

// CanAdd reports whether a may keep files with persons and cases: the
// staff who take cases at village, township and county level.
func CanAdd(a auth.Actor) bool {
	return auth.Can(a, auth.PermCaseApply) || auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove)
}
