// Package audit is the tamper-evident record of every change: who, when,
// what, before and after. Entries form one hash chain per county, plus a
// system chain ("") for what belongs to no county; each entry's hash covers
// its content and the previous entry's hash, so editing, deleting or
// reordering any entry breaks the chain from there on.
//
// The hashes are keyed (HMAC-SHA256) with a secret kept outside the
// database (see Keyring), so that someone who can write to the database
// but does not hold the key cannot recompute a chain after changing it.
// Each chain's head — its last sequence number and hash — is stored with
// a keyed seal of its own, so that the newest entries cannot be removed
// and the head moved back. The system chain records the opening of every
// county chain (ActionOpen), so that deleting a whole chain is noticed.
// Anchors (anchor.go) are signed digests of every head, kept outside the
// system, which bound what even the key's holder could rewrite.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"time"
)

// Entry is one audited change.
type Entry struct {
	County   string    `json:"county"` // chain: six-digit county, "" for system-wide
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	Action   string    `json:"action"` // e.g. person.create, case.approve, access.denied
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Region   string    `json:"region"`
	Before   string    `json:"before"` // JSON of the state before ("" when created)
	After    string    `json:"after"`  // JSON of the state after ("" when deleted)
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
	// KeyID is the generation of the key the hash is keyed with; 0 marks
	// an entry written before chains were keyed (hashed with ComputeHash).
	KeyID int `json:"key_id"`
}

// The actions the audit trail records about itself.
const (
	// ActionInit starts the system chain of a database; its EntityID is
	// the database's id.
	ActionInit = "audit.init"
	// ActionOpen, on the system chain, records that a county's chain was
	// opened; its EntityID is the county.
	ActionOpen = "audit.open"
	// ActionKeyed is the first keyed entry of a chain that holds unkeyed
	// entries from before: it seals them, since its hash covers theirs.
	ActionKeyed = "audit.keyed"
	// ActionAnchor records that an anchor of every head was made.
	ActionAnchor = "audit.anchor"
	// EntityChain is the entity of ActionOpen and ActionKeyed entries.
	EntityChain = "audit_chain"
)

// Genesis is the previous hash of the first entry of every chain.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// JSON encodes v for Before/After; nil gives "".
func JSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// fields writes each field of e, length-prefixed so that no two different
// entries encode alike.
func (e Entry) fields(h hash.Hash) {
	for _, f := range []string{
		e.County, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.UserID, 10), e.Username, e.Action, e.Entity, e.EntityID,
		e.Region, e.Before, e.After, e.PrevHash,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
}

// ComputeHash returns the unkeyed hash of e chained to e.PrevHash: the
// hash of entries written before the chains were keyed (KeyID 0).
func ComputeHash(e Entry) string {
	h := sha256.New()
	e.fields(h)
	return hex.EncodeToString(h.Sum(nil))
}

// Keyring holds the secrets the chains are keyed with, by generation. New
// entries are keyed with the current generation; older generations stay
// to verify the entries keyed with them.
type Keyring struct {
	current int
	keys    map[int][]byte
}

// NewKeyring returns a keyring whose current generation is current.
func NewKeyring(current int, keys map[int][]byte) *Keyring {
	k := &Keyring{current: current, keys: map[int][]byte{}}
	for id, s := range keys {
		k.keys[id] = append([]byte(nil), s...)
	}
	return k
}

// Current returns the generation new entries are keyed with.
func (k *Keyring) Current() int { return k.current }

func (k *Keyring) mac(id int, label string) (hash.Hash, error) {
	key, ok := k.keys[id]
	if !ok || id == 0 {
		return nil, fmt.Errorf("audit: no key of generation %d", id)
	}
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%s\n%d\n", label, id)
	return h, nil
}

// KeyedHash returns e's hash keyed with generation e.KeyID.
func (k *Keyring) KeyedHash(e Entry) (string, error) {
	h, err := k.mac(e.KeyID, "jiahe audit entry")
	if err != nil {
		return "", err
	}
	e.fields(h)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Seal keys e with the current generation: it sets KeyID and Hash (e's
// other fields, PrevHash included, must be final).
func (k *Keyring) Seal(e *Entry) error {
	e.KeyID = k.current
	h, err := k.KeyedHash(*e)
	e.Hash = h
	return err
}

// Head is what a chain's head row records: the last entry's sequence and
// hash, sealed with a key so that it cannot be set back to an earlier
// entry by someone without the key.
type Head struct {
	County string
	Seq    int64
	Hash   string
	KeyID  int
	MAC    string
}

// SealHead sets h.KeyID and h.MAC with the current generation.
func (k *Keyring) SealHead(h *Head) error {
	h.KeyID = k.current
	m, err := k.headMAC(*h)
	h.MAC = m
	return err
}

func (k *Keyring) headMAC(h Head) (string, error) {
	m, err := k.mac(h.KeyID, "jiahe audit head")
	if err != nil {
		return "", err
	}
	for _, f := range []string{h.County, strconv.FormatInt(h.Seq, 10), h.Hash} {
		fmt.Fprintf(m, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil)), nil
}

// Problem is one break found by a Verifier.
type Problem struct {
	County string
	Seq    int64
	Reason string
}

func (p Problem) String() string {
	c := p.County
	if c == "" {
		c = "system"
	}
	return fmt.Sprintf("chain %s entry %d: %s", c, p.Seq, p.Reason)
}

// Verifier checks chains entry by entry, so a log of any size streams
// through it. Feed each chain's entries in sequence order, then call
// Finish with the recorded heads.
type Verifier struct {
	keys     *Keyring
	last     map[string]Entry
	keyed    map[string]bool
	opened   map[string]int64 // county → seq of its ActionOpen entry on the system chain
	expected map[string]map[int64]anchored
	Checked  int64
	Problems []Problem
}

type anchored struct {
	hash string
	at   time.Time
	seen bool
}

// NewVerifier returns an empty Verifier that checks keyed hashes with keys.
func NewVerifier(keys *Keyring) *Verifier {
	return &Verifier{keys: keys, last: map[string]Entry{}, keyed: map[string]bool{}, opened: map[string]int64{},
		expected: map[string]map[int64]anchored{}}
}

func (v *Verifier) problem(county string, seq int64, format string, args ...any) {
	v.Problems = append(v.Problems, Problem{county, seq, fmt.Sprintf(format, args...)})
}

// Expect adds the heads of a (checked) anchor: each chain it names must
// still hold an entry at the anchored sequence with the anchored hash.
// Anchors of other databases are ignored by the caller, not here.
func (v *Verifier) Expect(a *Anchor) {
	for _, h := range a.Chains {
		m := v.expected[h.County]
		if m == nil {
			m = map[int64]anchored{}
			v.expected[h.County] = m
		}
		m[h.Seq] = anchored{hash: h.Hash, at: a.MadeAt}
	}
}

// Add checks e against the previous entry of its chain.
func (v *Verifier) Add(e Entry) {
	v.Checked++
	prev, seen := v.last[e.County]
	wantPrev, wantSeq := Genesis, int64(1)
	if seen {
		wantPrev, wantSeq = prev.Hash, prev.Seq+1
	}
	switch {
	case e.Seq != wantSeq:
		v.problem(e.County, e.Seq, "sequence gap: want %d", wantSeq)
	case e.PrevHash != wantPrev:
		v.problem(e.County, e.Seq, "previous hash does not match the entry before")
	case e.KeyID == 0 && v.keyed[e.County]:
		v.problem(e.County, e.Seq, "unkeyed entry after keyed ones (rewritten without the key)")
	case e.KeyID == 0:
		if ComputeHash(e) != e.Hash {
			v.problem(e.County, e.Seq, "content does not match its hash (edited)")
		}
	default:
		v.keyed[e.County] = true
		if v.keys == nil {
			v.problem(e.County, e.Seq, "keyed entry, but no audit key to check it with")
			break
		}
		h, err := v.keys.KeyedHash(e)
		switch {
		case err != nil:
			v.problem(e.County, e.Seq, "keyed with generation %d, which the key file does not hold", e.KeyID)
		case !hmac.Equal([]byte(h), []byte(e.Hash)):
			v.problem(e.County, e.Seq, "content does not match its keyed hash (edited, or rehashed without the key)")
		}
	}
	if m := v.expected[e.County]; m != nil {
		if x, ok := m[e.Seq]; ok {
			if x.hash != e.Hash {
				v.problem(e.County, e.Seq, "differs from the anchor of %s (rewritten since)", x.at.Format(time.RFC3339))
			}
			x.seen = true
			m[e.Seq] = x
		}
	}
	if e.County == "" && e.Action == ActionOpen && e.Entity == EntityChain {
		v.opened[e.EntityID] = e.Seq
	}
	v.last[e.County] = e
}

// Chains returns how many chains the entries added belong to.
func (v *Verifier) Chains() int { return len(v.last) }

// Finish checks each chain's last entry against its recorded head, which
// must be sealed with the key (the head guards against the newest entries
// being deleted); what the anchors expected and was not seen; and, when
// every chain was added (all), that the system chain exists and that
// every county chain it opened exists and none exists that it did not
// open.
func (v *Verifier) Finish(heads map[string]Head, all bool) {
	for county, head := range heads {
		switch {
		case head.KeyID == 0 || v.keys == nil:
			v.problem(county, head.Seq, "chain head is not sealed with the key")
		default:
			m, err := v.keys.headMAC(head)
			if err != nil || !hmac.Equal([]byte(m), []byte(head.MAC)) {
				v.problem(county, head.Seq, "chain head seal does not match (head moved or forged)")
			}
		}
		last, ok := v.last[county]
		if !ok || last.Seq != head.Seq || last.Hash != head.Hash {
			v.problem(county, head.Seq, "chain head does not match the last entry (entries removed)")
		}
	}
	for county, last := range v.last {
		if _, ok := heads[county]; !ok {
			v.problem(county, last.Seq, "chain has entries but no recorded head (head removed)")
		}
	}
	for county, m := range v.expected {
		if _, checked := v.last[county]; !checked && !all {
			continue // a chain this run did not read
		}
		for seq, x := range m {
			if x.seen {
				continue
			}
			if _, ok := v.last[county]; !ok {
				v.problem(county, seq, "chain anchored on %s is missing (deleted)", x.at.Format(time.RFC3339))
			} else {
				v.problem(county, seq, "entry anchored on %s is missing (entries removed)", x.at.Format(time.RFC3339))
			}
		}
	}
	if all {
		if _, ok := v.last[""]; !ok {
			v.problem("", 0, "the system chain, which records every chain, is missing")
		}
		for county, seq := range v.opened {
			if _, ok := v.last[county]; !ok {
				v.problem(county, 0, "chain opened at system entry %d is missing (deleted)", seq)
			}
		}
		for county, last := range v.last {
			if _, ok := v.opened[county]; !ok && county != "" {
				v.problem(county, last.Seq, "chain was never opened on the system chain")
			}
		}
	}
	sort.Slice(v.Problems, func(i, j int) bool {
		a, b := v.Problems[i], v.Problems[j]
		return a.County < b.County || (a.County == b.County && a.Seq < b.Seq)
	})
}
