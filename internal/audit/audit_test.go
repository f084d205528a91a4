package audit_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
)

func keyring() *audit.Keyring {
	k := make([]byte, 32)
	rand.Read(k)
	return audit.NewKeyring(1, map[int][]byte{1: k})
}

// chain returns n keyed entries of county and its sealed head.
func chain(t *testing.T, kr *audit.Keyring, county string, n int) ([]audit.Entry, audit.Head) {
	t.Helper()
	prev := audit.Genesis
	var es []audit.Entry
	for i := 1; i <= n; i++ {
		e := audit.Entry{County: county, Seq: int64(i), At: time.Date(2024, 1, i, 0, 0, 0, 0, time.UTC), Action: "x", PrevHash: prev}
		if err := kr.Seal(&e); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		es = append(es, e)
	}
	h := audit.Head{County: county, Seq: int64(n), Hash: prev}
	if err := kr.SealHead(&h); err != nil {
		t.Fatal(err)
	}
	return es, h
}

func TestVerifier(t *testing.T) {
	kr := keyring()
	sys, sh := chain(t, kr, "", 1)
	county, ch := chain(t, kr, "341523", 3)
	open := audit.Entry{County: "", Seq: 2, Action: audit.ActionOpen, Entity: audit.EntityChain, EntityID: "341523", PrevHash: sys[0].Hash}
	kr.Seal(&open)
	sh = audit.Head{County: "", Seq: 2, Hash: open.Hash}
	kr.SealHead(&sh)
	sys = append(sys, open)

	run := func(sys, county []audit.Entry, heads map[string]audit.Head) []audit.Problem {
		v := audit.NewVerifier(kr)
		for _, e := range append(append([]audit.Entry{}, sys...), county...) {
			v.Add(e)
		}
		v.Finish(heads, true)
		return v.Problems
	}
	if p := run(sys, county, map[string]audit.Head{"": sh, "341523": ch}); len(p) != 0 {
		t.Fatalf("an intact log: %v", p)
	}
	// A legacy (unkeyed) entry may only come before keyed ones.
	legacy := audit.Entry{County: "341523", Seq: 4, PrevHash: county[2].Hash, Action: "x"}
	legacy.Hash = audit.ComputeHash(legacy)
	h4 := audit.Head{County: "341523", Seq: 4, Hash: legacy.Hash}
	kr.SealHead(&h4)
	if p := run(sys, append(county, legacy), map[string]audit.Head{"": sh, "341523": h4}); len(p) != 1 || !strings.Contains(p[0].Reason, "unkeyed entry after keyed") {
		t.Errorf("an unkeyed entry after keyed ones: %v", p)
	}
	// A chain that exists without an opening on the system chain.
	if p := run(sys[:1], county, map[string]audit.Head{"": {County: "", Seq: 1, Hash: sys[0].Hash}, "341523": ch}); len(p) == 0 {
		t.Error("a chain never opened went unnoticed")
	}
	// A head without its seal.
	bare := ch
	bare.MAC = ""
	if p := run(sys, county, map[string]audit.Head{"": sh, "341523": bare}); len(p) != 1 || !strings.Contains(p[0].Reason, "seal") {
		t.Errorf("an unsealed head: %v", p)
	}
}

func TestAnchor(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	heads := []audit.AnchorHead{{County: "341523", Seq: 4, Hash: "ab"}, {County: "", Seq: 2, Hash: "cd"}}
	a := audit.NewAnchor("db1", time.Now(), heads, priv)
	trusted := map[string]ed25519.PublicKey{audit.KeyFingerprint(pub): pub}
	b, err := audit.ParseAnchor(a.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(trusted); err != nil {
		t.Fatalf("a good anchor: %v", err)
	}
	if b.Chains[0].County != "" {
		t.Error("the anchor's chains are not in county order")
	}
	b.Chains[1].Seq = 3
	if err := b.Check(trusted); err == nil {
		t.Error("an altered anchor passed")
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if err := a.Check(map[string]ed25519.PublicKey{audit.KeyFingerprint(other): other}); !errors.Is(err, audit.ErrUntrustedAnchor) {
		t.Errorf("an anchor of an untrusted key: %v", err)
	}
	v := audit.NewVerifier(keyring())
	v.Expect(a)
	v.Finish(nil, true)
	if len(v.Problems) < 2 {
		t.Errorf("anchored chains missing: %v", v.Problems)
	}
}
