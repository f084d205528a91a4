package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The annual face-to-face review (年审人人见面, package inperson) and the
// files kept with persons and cases (package attach).

// blobs is where the bytes of new attachments are kept: the S3 store of
// Config.S3, the directory of Config.Files, or the database within tx.
func (a *App) blobs(tx *store.Tx) attach.Blobs {
	switch {
	case a.cfg.S3 != nil:
		return *a.cfg.S3
	case a.cfg.Files != "":
		return attach.Disk{Dir: a.cfg.Files}
	}
	return tx.Blobs()
}

// blobsOf is the backend that keeps the attachments recorded with
// storage, for reading: the database's is always there; a directory's or
// an S3 store's only when configured.
func (a *App) blobsOf(tx *store.Tx) func(storage string) (attach.Blobs, error) {
	return func(storage string) (attach.Blobs, error) {
		switch {
		case storage == "s3" && a.cfg.S3 != nil:
			return *a.cfg.S3, nil
		case storage == "disk" && a.cfg.Files != "":
			return attach.Disk{Dir: a.cfg.Files}, nil
		case storage == "db":
			return tx.Blobs(), nil
		}
		return nil, fmt.Errorf("attachments kept in %q storage, which this deployment does not configure", storage)
	}
}

// retention is how many years county keeps attachments.
func (a *App) retention(ctx context.Context, tx *store.Tx, county string) (int, error) {
	v, err := tx.Param(ctx, region.Code(county), attach.RetentionParam)
	if err != nil {
		return 0, err
	}
	return attach.ParseRetention(v)
}

// InPersonRecorded is a recorded review with how many held payment lines
// it put back to pending.
type InPersonRecorded struct {
	Review   *inperson.Review `json:"review"`
	Released int              `json:"lines_released"`
}

// RecordInPerson records the face-to-face review of person k for e.Year:
// seen (with a photo or a signature) or not seen and why.
func (a *App) RecordInPerson(ctx context.Context, who auth.Actor, k registry.Key, e inperson.Entry) (*InPersonRecorded, error) {
	o := personOp("inperson.record", auth.PermCaseRead, k)
	return write(a, ctx, who, o, func(tx *store.Tx) (*InPersonRecorded, error) {
		years, err := a.retention(ctx, tx, k.County)
		if err != nil {
			return nil, err
		}
		r, n, err := inperson.Record(ctx, tx, a.blobs(tx), who, k, e, years)
		if err != nil {
			return nil, err
		}
		return &InPersonRecorded{Review: r, Released: n}, nil
	})
}

// InPersonProgress returns the face-to-face review of year within code
// (a county or a division of one): every recipient with the year's
// record, and by township who was seen, excused, not seen and held.
func (a *App) InPersonProgress(ctx context.Context, who auth.Actor, code string, year int) (*inperson.Progress, error) {
	o := op{name: "inperson.progress", perm: auth.PermCaseRead, target: Target{Entity: "inperson_review"}}
	if c, err := region.ParseCode(code); err == nil {
		o.target.Region = c
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*inperson.Progress, error) {
		return inperson.Report(ctx, tx, who, code, year)
	})
}

// InPersonReview returns the record of person k's review of year, nil
// when there is none.
func (a *App) InPersonReview(ctx context.Context, who auth.Actor, k registry.Key, year int) (*inperson.Review, error) {
	return look(a, ctx, who, personOp("inperson.read", auth.PermCaseRead, k), func(tx *store.Tx) (*inperson.Review, error) {
		r, err := tx.InPersonReview(ctx, k.County, k.ID, year)
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, nil
		}
		return r, err
	})
}

// attachmentOp is the access rule of reading attachment id of county:
// perm, and the region of what it is kept with within the actor's scope.
func attachmentOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "attachment", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			x, err := tx.Attachment(ctx, county, id)
			if err != nil {
				return "", err
			}
			return region.Code(x.Region), nil
		}}
}

// AttachmentFile is an attachment with its bytes.
type AttachmentFile struct {
	Attachment *attach.Attachment
	Data       []byte
}

// Attachment returns attachment id of county with its bytes, checked
// against the recorded digest. Reading it is audited.
func (a *App) Attachment(ctx context.Context, who auth.Actor, county string, id int64) (*AttachmentFile, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := attachmentOp("attachment.read", auth.PermCaseRead, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*AttachmentFile, error) {
		x, data, err := attach.ReadFrom(ctx, tx, a.blobsOf(tx), county, id)
		if err != nil {
			return nil, err
		}
		return &AttachmentFile{Attachment: x, Data: data}, attach.Viewed(ctx, tx, who, x)
	})
}

// PersonAttachments lists the files kept with person k.
func (a *App) PersonAttachments(ctx context.Context, who auth.Actor, k registry.Key) ([]attach.Attachment, error) {
	return look(a, ctx, who, personOp("attachment.list", auth.PermCaseRead, k), func(tx *store.Tx) ([]attach.Attachment, error) {
		return tx.Attachments(ctx, k.County, attach.OwnerPerson, []int64{k.ID})
	})
}
