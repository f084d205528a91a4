package keys_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/keys"
)

func TestSealOpen(t *testing.T) {
	for _, c := range keys.Ciphers {
		t.Run(c, func(t *testing.T) {
			r, err := keys.Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			const id, aad = "34152319620301011X", "persons.id_number 341523/7"
			s := r.Seal(id, aad)
			if !keys.IsSealed(s) || strings.Contains(s, id) || strings.Contains(s, "011X") {
				t.Fatalf("sealed value %q shows the clear text", s)
			}
			if s2 := r.Seal(id, aad); s2 == s {
				t.Error("sealing twice gave the same text: the nonce is not random")
			}
			if got, err := r.Open(s, aad); err != nil || got != id {
				t.Fatalf("Open = %q, %v; want %q", got, err, id)
			}
			if _, err := r.Open(s, "persons.id_number 341523/8"); !errors.Is(err, keys.ErrCorrupt) {
				t.Errorf("a value moved to another row opened: %v", err)
			}
			bad := []byte(s)
			bad[len(bad)-3] ^= 1
			if _, err := r.Open(string(bad), aad); err == nil {
				t.Error("an altered value opened")
			}
			if got, err := r.Open("34152319620301011X", aad); err != nil || got != id {
				t.Errorf("a clear value: Open = %q, %v", got, err)
			}
			if r.Seal("", aad) != "" {
				t.Error("the empty string was sealed")
			}
			other, _ := keys.Generate(c)
			if _, err := other.Open(s, aad); err == nil {
				t.Error("another key file opened the value")
			}
		})
	}
}

func TestFileRoundTripAndRotation(t *testing.T) {
	r, err := keys.Generate(keys.SM4GCM)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jiahe.keys")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	loaded, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed := r.Seal("6222021234567890123", "bank_accounts.account_no 341523/1")
	if got, err := loaded.Open(sealed, "bank_accounts.account_no 341523/1"); err != nil || got != "6222021234567890123" {
		t.Fatalf("loaded key file: Open = %q, %v", got, err)
	}
	h1 := loaded.Hash("id_number", "34152319620301011X")
	if h1 != r.Hash("id_number", "34152319620301011X") || len(h1) != keys.HashSize {
		t.Fatalf("hash %q differs after loading", h1)
	}

	// A rotation adds generation 2 (here with the other cipher): it seals
	// and hashes from then on; generation 1 still opens what it sealed,
	// and look-ups try both until generation 1 is retired.
	if err := loaded.Add(keys.AESGCM); err != nil {
		t.Fatal(err)
	}
	if got := loaded.Current().ID; got != 2 {
		t.Fatalf("current generation %d, want 2", got)
	}
	if keys.SealedWith(loaded.Seal("x", "")) != 2 || keys.SealedWith(sealed) != 1 {
		t.Error("SealedWith does not name the sealing generation")
	}
	if got, err := loaded.Open(sealed, "bank_accounts.account_no 341523/1"); err != nil || got != "6222021234567890123" {
		t.Errorf("after rotation: Open = %q, %v", got, err)
	}
	hs := loaded.Hashes("id_number", "34152319620301011X")
	if len(hs) != 2 || hs[1] != h1 || hs[0] == h1 {
		t.Errorf("Hashes during rotation = %v, want [new, %s]", hs, h1)
	}
	loaded.Retire()
	if hs := loaded.Hashes("id_number", "34152319620301011X"); len(hs) != 1 {
		t.Errorf("Hashes after retiring = %v, want one", hs)
	}
	again, err := keys.Parse(loaded.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := again.Generation(1); !g.Retired || again.Current().ID != 2 || again.Current().Cipher != keys.AESGCM {
		t.Errorf("reparsed ring: generation 1 retired %v, current %d %s", g.Retired, again.Current().ID, again.Current().Cipher)
	}
	if _, ok := again.PublicKeys()[r.Current().Fingerprint()]; !ok {
		t.Error("the public keys lack the first generation's, which signed the older anchors")
	}
}

func TestParseRefusesBadFiles(t *testing.T) {
	for _, text := range []string{
		"",
		"key 1 sm4-gcm 00\n",
		"jiahe-keys 1\nkey 1 des 0000000000000000000000000000000000000000000000000000000000000000\n",
		"jiahe-keys 1\nkey 1 sm4-gcm 00\n",
		"jiahe-keys 1\nkey 2 sm4-gcm 0000000000000000000000000000000000000000000000000000000000000000\nkey 1 sm4-gcm 0000000000000000000000000000000000000000000000000000000000000000\n",
	} {
		if _, err := keys.Parse([]byte(text)); err == nil {
			t.Errorf("Parse(%q) accepted a bad key file", text)
		}
	}
}

func TestAuditKeyring(t *testing.T) {
	r, _ := keys.Generate(keys.AESGCM)
	kr := r.Audit()
	e := audit.Entry{County: "341523", Seq: 1, Action: "person.create", PrevHash: audit.Genesis}
	if err := kr.Seal(&e); err != nil {
		t.Fatal(err)
	}
	if e.KeyID != 1 || e.Hash == audit.ComputeHash(e) {
		t.Fatalf("keyed entry: key %d, hash equals the unkeyed one", e.KeyID)
	}
	other, _ := keys.Generate(keys.AESGCM)
	h, _ := other.Audit().KeyedHash(e)
	if h == e.Hash {
		t.Error("another key gave the same keyed hash")
	}
}

func BenchmarkSealSM4(b *testing.B) { benchSeal(b, keys.SM4GCM) }
func BenchmarkSealAES(b *testing.B) { benchSeal(b, keys.AESGCM) }

func benchSeal(b *testing.B, c string) {
	r, _ := keys.Generate(c)
	for b.Loop() {
		s := r.Seal("34152319620301011X", "persons.id_number 341523/7")
		if _, err := r.Open(s, "persons.id_number 341523/7"); err != nil {
			b.Fatal(err)
		}
		r.Hash("id_number", "34152319620301011X")
	}
}
