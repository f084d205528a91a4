package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The audit trail: reading a chain, exporting it, verifying the chains,
// and recording that a list left the system.
//
// The log holds one hash chain per county and a system chain ("") for
// what belongs to no county (users, sign-ins, refusals above county
// level). A reader reads one chain: the county they name, which must lie
// within their scope, or by default their own county's (the system chain
// for a scope above county level); of it they see the entries whose region
// lies within their scope.

// AuditQuery selects audit entries of one chain.
type AuditQuery struct {
	// County names the chain; "" is the actor's own.
	County   string
	Entity   string
	EntityID string
	// User keeps the entries of one user, named by username or by id.
	User string
	// UserID keeps the entries of one user, by id (when User is "").
	UserID int64
	// BeforeSeq pages backwards from this sequence number (0: newest).
	BeforeSeq int64
	// Limit is the page's size: 1 to 1000, 100 when zero.
	Limit int
	// Verify also checks the chain (it needs audit.verify).
	Verify bool
}

// AuditPage is a page of one chain's entries, newest first.
type AuditPage struct {
	County  string
	Entries []audit.Entry
	// Names are the display names of the entries' users, by username
	// (the system's own entries and users since removed have none).
	Names map[string]string
	// Verified is the check of the chain, when the query asked for it.
	Verified *audit.Verifier
}

// auditChain picks the chain q reads for who, under o: the county q names,
// which must be a county (or a prefecture with townships) within the
// actor's scope, or the actor's own. The permission is checked first. A
// refusal is audited.
func (a *App) auditChain(ctx context.Context, who auth.Actor, o op, county string) (string, error) {
	if err := auth.Require(who, o.perm); err != nil {
		return "", a.audited(ctx, who, o, err)
	}
	if county == "" {
		return string(a.tree().County(who.Scope)), nil
	}
	c, err := region.ParseCode(county)
	if err != nil {
		e := err.(*region.Error)
		return "", &apperr.Error{Kind: apperr.Invalid, Field: "county", ZH: e.ZH, EN: e.EN, Err: err}
	}
	if c.Level() != region.County && c.Level() != region.Prefecture {
		return "", apperr.Invalidf("county", "%s 不是县级区划", "%s is not a county", c)
	}
	if err := who.CheckScope(c); err != nil {
		o.target.Region = c
		return "", a.audited(ctx, who, o, err)
	}
	return string(c), nil
}

// filter turns q into the store's filter of chain, resolving q.User.
func (q AuditQuery) filter(ctx context.Context, tx *store.Tx, chain string) (store.AuditFilter, error) {
	f := store.AuditFilter{County: chain, Entity: q.Entity, EntityID: q.EntityID, UserID: q.UserID, BeforeSeq: q.BeforeSeq, Limit: q.Limit}
	if s := strings.TrimSpace(q.User); s != "" {
		id, err := userIDOf(ctx, tx, s)
		if err != nil {
			return f, err
		}
		f.UserID = id
	}
	return f, nil
}

// userIDOf resolves a user named by username or, failing that, by id. A
// username is no secret to an audit reader, who sees it in the entries.
func userIDOf(ctx context.Context, tx *store.Tx, s string) (int64, error) {
	u, err := tx.UserByUsername(ctx, s)
	if err == nil {
		return u.ID, nil
	}
	if apperr.KindOf(err) != apperr.NotFound {
		return 0, err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	return 0, apperr.Invalidf("user", "没有用户名或编号为 %s 的用户", "there is no user with the username or id %s", s)
}

// AuditEntries returns a page of the entries of the chain q names that
// lie within the actor's scope, newest first, and the chain's check when
// q asks for it.
func (a *App) AuditEntries(ctx context.Context, who auth.Actor, q AuditQuery) (*AuditPage, error) {
	o := op{name: "audit.list", perm: auth.PermAuditRead, target: Target{Entity: "audit"}}
	chain, err := a.auditChain(ctx, who, o, q.County)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*AuditPage, error) {
		f, err := q.filter(ctx, tx, chain)
		if err != nil {
			return nil, err
		}
		es, err := tx.AuditEntries(ctx, who.Scope, f)
		if err != nil {
			return nil, err
		}
		p := &AuditPage{County: chain, Entries: append([]audit.Entry{}, es...), Names: map[string]string{}}
		for _, e := range es {
			if _, done := p.Names[e.Username]; done || e.Username == "" || e.UserID == 0 {
				continue
			}
			p.Names[e.Username] = ""
			if u, err := tx.UserByUsername(ctx, e.Username); err == nil {
				p.Names[e.Username] = u.Name
			}
		}
		if q.Verify {
			if err := auth.Require(who, auth.PermAuditVerify); err != nil {
				return nil, err
			}
			if p.Verified, err = tx.VerifyAudit(ctx, &chain); err != nil {
				return nil, err
			}
		}
		return p, nil
	})
}

// EachAuditEntry calls fn with every entry of the chain q names that lies
// within the actor's scope, newest first from q.BeforeSeq, reading a
// thousand at a time in one transaction, until fn returns an error (which
// it returns). It returns the chain read.
func (a *App) EachAuditEntry(ctx context.Context, who auth.Actor, q AuditQuery, fn func(audit.Entry) error) (string, error) {
	o := op{name: "audit.export", perm: auth.PermAuditRead, target: Target{Entity: "audit"}}
	chain, err := a.auditChain(ctx, who, o, q.County)
	if err != nil {
		return "", err
	}
	return chain, a.view(ctx, who, o, func(tx *store.Tx) error {
		f, err := q.filter(ctx, tx, chain)
		if err != nil {
			return err
		}
		const batch = 1000
		f.Limit = batch
		for {
			es, err := tx.AuditEntries(ctx, who.Scope, f)
			if err != nil {
				return err
			}
			for _, e := range es {
				if err := fn(e); err != nil {
					return err
				}
				f.BeforeSeq = e.Seq
			}
			if len(es) < batch {
				return nil
			}
		}
	})
}

// VerifyAudit checks the hash chain county names, as AuditEntries picks
// it, or every chain when every is set, county is "" and the actor's scope
// is the whole country.
func (a *App) VerifyAudit(ctx context.Context, who auth.Actor, county string, every bool) (*audit.Verifier, error) {
	return a.VerifyAuditWith(ctx, who, VerifyOptions{County: county, Every: every})
}

// VerifyOptions says what VerifyAuditWith checks.
type VerifyOptions struct {
	// County and Every pick the chains, as for VerifyAudit.
	County string
	Every  bool
	// Anchors are anchors kept outside the system: each must be signed by
	// a trusted key and belong to this database, and the chains must still
	// hold every head it records.
	Anchors []*audit.Anchor
	// AnchorKeys are public keys trusted to sign anchors besides those of
	// the key file: the keeper of the anchors checks with the key they
	// were given, so that a replaced key file cannot vouch for itself.
	AnchorKeys []ed25519.PublicKey
}

// VerifyAuditWith checks the chains o picks against their keys, their
// sealed heads, the record of chains on the system chain, and o's anchors.
// A problem with an anchor itself (its signature, its database) is
// reported with the chains' problems.
func (a *App) VerifyAuditWith(ctx context.Context, who auth.Actor, o VerifyOptions) (*audit.Verifier, error) {
	op := op{name: "audit.verify", perm: auth.PermAuditVerify, target: Target{Entity: "audit"}}
	var chain *string
	if !o.Every || who.Scope != "" || o.County != "" {
		c, err := a.auditChain(ctx, who, op, o.County)
		if err != nil {
			return nil, err
		}
		chain = &c
	}
	trusted := a.db.Keys().PublicKeys()
	for _, k := range o.AnchorKeys {
		trusted[audit.KeyFingerprint(k)] = k
	}
	return look(a, ctx, who, op, func(tx *store.Tx) (*audit.Verifier, error) {
		id, err := tx.DatabaseID(ctx)
		if err != nil {
			return nil, err
		}
		var good []*audit.Anchor
		var bad []audit.Problem
		for _, an := range o.Anchors {
			made := an.MadeAt.Format(time.RFC3339)
			switch err := an.Check(trusted); {
			case err != nil:
				bad = append(bad, audit.Problem{Reason: fmt.Sprintf("anchor of %s: %v", made, err)})
			case an.Database != id:
				bad = append(bad, audit.Problem{Reason: fmt.Sprintf("anchor of %s belongs to database %s, not this one (%s)", made, an.Database, id)})
			default:
				good = append(good, an)
			}
		}
		v, err := tx.VerifyAudit(ctx, chain, good...)
		if err != nil {
			return nil, err
		}
		v.Problems = append(bad, v.Problems...)
		return v, nil
	})
}

// Export describes a list that left the system (an export of a page), for
// its audit entry.
type Export struct {
	Action   string // e.g. case.export
	Entity   string
	EntityID string
	// Region is the region the list belongs to; the entry goes on its
	// county's chain.
	Region region.Code
	// Detail is recorded as the entry's after state: the filter, the
	// number of rows, whether the list was complete.
	Detail any
}

// RecordExport records that a list left the system, in a transaction of
// its own that the caller's cancellation does not stop: the list is out
// whether or not the client is still there.
func (a *App) RecordExport(ctx context.Context, who auth.Actor, x Export) error {
	ctx = context.WithoutCancel(ctx)
	o := op{name: "export.record", target: Target{Entity: x.Entity, ID: x.EntityID, Region: x.Region}}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Entry{County: string(a.tree().County(x.Region)), UserID: who.UserID, Username: who.Username,
			Action: x.Action, Entity: x.Entity, EntityID: x.EntityID, Region: string(x.Region), After: audit.JSON(x.Detail)})
	})
}
