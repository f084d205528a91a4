package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Operating the system as a whole: anchoring the audit trail, rotating the
// keys, backing up. These act on every county at once, so they are for
// an actor whose scope is the whole country (the command line runs them
// as the system).

// wholeSystem refuses an actor without perm or whose scope is not the
// whole country.
func wholeSystem(who auth.Actor, perm auth.Permission) error {
	if err := auth.Require(who, perm); err != nil {
		return err
	}
	if who.Scope != "" {
		return apperr.Forbiddenf("只有全国范围的管理员可以执行此操作", "only an administrator of the whole country may do this")
	}
	return nil
}

// AnchorAudit makes an anchor of the audit trail — the head of every
// chain, signed with the key file's signing key — and records on the
// system chain that it was made (audit.ActionAnchor, with its digest).
// The anchor is to be kept outside the system: `jiahe audit verify
// --anchor FILE` then checks that the chains still hold what it says.
func (a *App) AnchorAudit(ctx context.Context, who auth.Actor) (*audit.Anchor, error) {
	o := op{name: "audit.anchor", perm: auth.PermAuditVerify, target: Target{Entity: audit.EntityChain}}
	if err := wholeSystem(who, o.perm); err != nil {
		return nil, a.audited(ctx, who, o, err)
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*audit.Anchor, error) {
		id, err := tx.DatabaseID(ctx)
		if err != nil {
			return nil, err
		}
		heads, err := tx.AuditHeads(ctx)
		if err != nil {
			return nil, err
		}
		var ah []audit.AnchorHead
		for _, h := range heads {
			ah = append(ah, audit.AnchorHead{County: h.County, Seq: h.Seq, Hash: h.Hash})
		}
		anchor := audit.NewAnchor(id, tx.Now(), ah, a.db.Keys().Signer())
		err = tx.Audit(ctx, audit.Entry{County: "", UserID: who.UserID, Username: who.Username, Action: audit.ActionAnchor,
			Entity: audit.EntityChain, EntityID: anchor.Digest[:16],
			After: audit.JSON(map[string]any{"digest": anchor.Digest, "chains": len(ah), "key": anchor.Key})})
		return anchor, err
	})
}

// RotateKeys re-encrypts and rehashes every protected value with the key
// file's current generation (which the caller has just added) and retires
// the older generations; it returns how many rows it rewrote. The caller
// writes the key file with the older generations marked retired. No
// server may run on the database meanwhile.
func (a *App) RotateKeys(ctx context.Context, who auth.Actor) (int, error) {
	o := op{name: "keys.rotate", perm: auth.PermUsersManage, target: Target{Entity: audit.EntityChain}}
	if err := wholeSystem(who, o.perm); err != nil {
		return 0, a.audited(ctx, who, o, err)
	}
	return a.db.RotateKeys(ctx)
}

// KeyUse counts the protected values by the key generation that encrypted
// them (0: stored in clear).
func (a *App) KeyUse(ctx context.Context, who auth.Actor) (map[int]int, error) {
	o := op{name: "keys.status", perm: auth.PermUsersManage, target: Target{Entity: audit.EntityChain}}
	if err := wholeSystem(who, o.perm); err != nil {
		return nil, a.audited(ctx, who, o, err)
	}
	return a.db.KeyUse(ctx)
}

// Backup writes a consistent copy of a SQLite database to path, while it
// is in use, and records it on the system chain. PostgreSQL is backed up
// with its own tools (pg_dump); Backup refuses it with a message that
// says so.
func (a *App) Backup(ctx context.Context, who auth.Actor, path string) error {
	o := op{name: "backup", perm: auth.PermUsersManage, target: Target{Entity: "database"}}
	if err := wholeSystem(who, o.perm); err != nil {
		return a.audited(ctx, who, o, err)
	}
	if err := a.db.Backup(ctx, path); err != nil {
		return err
	}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Entry{County: "", UserID: who.UserID, Username: who.Username, Action: "database.backup",
			Entity: "database", After: audit.JSON(map[string]string{"path": path})})
	})
}
