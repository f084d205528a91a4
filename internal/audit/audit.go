// Package audit is the tamper-evident record of every change: who, when,
// what, before and after. Entries form one hash chain per county; each
// entry's hash covers its content and the previous entry's hash, so
// editing, deleting or reordering any entry breaks the chain from there on.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
}

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

// ComputeHash returns the hash of e chained to e.PrevHash. Each field is
// length-prefixed so that no two different entries encode alike.
func ComputeHash(e Entry) string {
	h := sha256.New()
	for _, f := range []string{
		e.County, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.UserID, 10), e.Username, e.Action, e.Entity, e.EntityID,
		e.Region, e.Before, e.After, e.PrevHash,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
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
// through it. Feed each chain's entries in sequence order.
type Verifier struct {
	last     map[string]Entry
	Checked  int64
	Problems []Problem
}

// NewVerifier returns an empty Verifier.
func NewVerifier() *Verifier { return &Verifier{last: map[string]Entry{}} }

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
		v.Problems = append(v.Problems, Problem{e.County, e.Seq, fmt.Sprintf("sequence gap: want %d", wantSeq)})
	case e.PrevHash != wantPrev:
		v.Problems = append(v.Problems, Problem{e.County, e.Seq, "previous hash does not match the entry before"})
	case ComputeHash(e) != e.Hash:
		v.Problems = append(v.Problems, Problem{e.County, e.Seq, "content does not match its hash (edited)"})
	}
	v.last[e.County] = e
}

// Chains returns how many chains the entries added belong to.
func (v *Verifier) Chains() int { return len(v.last) }

// Finish checks each chain's last entry against the recorded head (the
// head guards against the newest entries being deleted).
func (v *Verifier) Finish(heads map[string]Entry) {
	for county, head := range heads {
		last, ok := v.last[county]
		if !ok || last.Seq != head.Seq || last.Hash != head.Hash {
			v.Problems = append(v.Problems, Problem{county, head.Seq, "chain head does not match the last entry (entries removed)"})
		}
	}
	for county, last := range v.last {
		if _, ok := heads[county]; !ok {
			v.Problems = append(v.Problems, Problem{county, last.Seq, "chain has entries but no recorded head (head removed)"})
		}
	}
	sort.Slice(v.Problems, func(i, j int) bool {
		a, b := v.Problems[i], v.Problems[j]
		return a.County < b.County || (a.County == b.County && a.Seq < b.Seq)
	})
}
