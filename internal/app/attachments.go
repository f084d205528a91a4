package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Case files (资料齐全、档案规范): scans, photos and PDFs kept with a case
// or a person, listed on it and in the printed case file, kept for the
// county's retention period.

// AddCaseAttachment keeps file f with case k.
func (a *App) AddCaseAttachment(ctx context.Context, who auth.Actor, k CaseKey, f attach.File) (*attach.Attachment, error) {
	return write(a, ctx, who, caseOp("attachment.add", auth.PermCaseRead, k), func(tx *store.Tx) (*attach.Attachment, error) {
		if !attach.CanAdd(who) {
			return nil, auth.Require(who, auth.PermCaseApply)
		}
		c, err := tx.Case(ctx, "", k.County, k.ID)
		if err != nil {
			return nil, err
		}
		years, err := a.retention(ctx, tx, k.County)
		if err != nil {
			return nil, err
		}
		return attach.Add(ctx, tx, a.blobs(tx), who, k.County, attach.OwnerCase, k.ID, c.Region, f, years)
	})
}

// AddPersonAttachment keeps file f with person k.
func (a *App) AddPersonAttachment(ctx context.Context, who auth.Actor, k registry.Key, f attach.File) (*attach.Attachment, error) {
	return write(a, ctx, who, personOp("attachment.add", auth.PermCaseRead, k), func(tx *store.Tx) (*attach.Attachment, error) {
		if !attach.CanAdd(who) {
			return nil, auth.Require(who, auth.PermCaseApply)
		}
		p, err := tx.PersonByKey(ctx, "", k)
		if err != nil {
			return nil, err
		}
		years, err := a.retention(ctx, tx, k.County)
		if err != nil {
			return nil, err
		}
		return attach.Add(ctx, tx, a.blobs(tx), who, k.County, attach.OwnerPerson, k.ID, p.Region, f, years)
	})
}

// CaseAttachments lists the files kept with case k, oldest first.
func (a *App) CaseAttachments(ctx context.Context, who auth.Actor, k CaseKey) ([]attach.Attachment, error) {
	return look(a, ctx, who, caseOp("attachment.list", auth.PermCaseRead, k), func(tx *store.Tx) ([]attach.Attachment, error) {
		return tx.Attachments(ctx, k.County, attach.OwnerCase, []int64{k.ID})
	})
}

// CaseFile is what the printed case file (案卷目录) lists: the case with
// its signed steps, and the files kept with the case and its applicant.
type CaseFile struct {
	History *workflow.History
	Files   []attach.Attachment
}

// CaseFileIndex returns the case file of case k for printing.
func (a *App) CaseFileIndex(ctx context.Context, who auth.Actor, k CaseKey) (*CaseFile, error) {
	return look(a, ctx, who, caseOp("case.file", auth.PermCaseRead, k), func(tx *store.Tx) (*CaseFile, error) {
		h, err := workflow.Get(ctx, tx, who, k.County, k.ID)
		if err != nil {
			return nil, err
		}
		files, err := tx.Attachments(ctx, k.County, attach.OwnerCase, []int64{k.ID})
		if err != nil {
			return nil, err
		}
		own, err := tx.Attachments(ctx, k.County, attach.OwnerPerson, []int64{h.Case.PersonID})
		if err != nil {
			return nil, err
		}
		return &CaseFile{History: h, Files: append(files, own...)}, nil
	})
}

// AttachmentRetention returns how many years county keeps attachments.
func (a *App) AttachmentRetention(ctx context.Context, who auth.Actor, county string) (int, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return 0, err
	}
	o := op{name: "attachment.retention_read", perm: auth.PermCaseRead, target: Target{Entity: "attachment", Region: region.Code(county)}}
	return look(a, ctx, who, o, func(tx *store.Tx) (int, error) { return a.retention(ctx, tx, county) })
}

// SetAttachmentRetention sets how many years county keeps the files it
// adds from now on (the county's manager of rules). It is audited.
func (a *App) SetAttachmentRetention(ctx context.Context, who auth.Actor, county string, years int) error {
	county, err := ParseCounty("county", county)
	if err != nil {
		return err
	}
	o := op{name: "attachment.retention", perm: auth.PermRulesManage, target: Target{Entity: "attachment", Region: region.Code(county)}}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		if who.Scope != region.Code(county) && who != auth.System {
			return apperr.Forbiddenf("保管期限由县级设定", "the county sets the retention")
		}
		if _, err := attach.ParseRetention(strconv.Itoa(years)); err != nil {
			return err
		}
		old, err := a.retention(ctx, tx, county)
		if err != nil {
			return err
		}
		if err := tx.SetParam(ctx, county, attach.RetentionParam, strconv.Itoa(years)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "attachment.retention",
			Entity: "attachment", EntityID: county, Region: county,
			Before: audit.JSON(map[string]int{"years": old}), After: audit.JSON(map[string]int{"years": years})})
	})
}
