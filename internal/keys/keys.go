// Package keys holds the secrets Jiahe keeps outside its database: the
// key that encrypts ID numbers and account numbers at rest, the key of
// the keyed hashes by which they are found, the key of the audit chains
// and the key that signs audit anchors.
//
// A key file holds one or more generations. Each generation is one
// 32-byte random secret and the cipher it encrypts with (SM4-GCM or
// AES-256-GCM); its four keys are derived from the secret with HKDF-SHA256
// under distinct labels, so that no key serves two purposes. The newest
// generation that is not retired encrypts, hashes, keys and signs;
// older ones stay to read what they wrote: values encrypted before a
// rotation finished, backups, audit entries and anchors.
//
// The file is text:
//
//	jiahe-keys 1
//	key 1 sm4-gcm 5f0e…(64 hex digits) retired
//	key 2 aes-256-gcm 9c41…
package keys

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/emmansun/gmsm/sm4"

	"github.com/jiahe-project/jiahe/internal/audit"
)

// The ciphers a generation may encrypt with.
const (
	SM4GCM = "sm4-gcm"     // GB/T 32907 SM4 in GCM mode, 128-bit key
	AESGCM = "aes-256-gcm" // AES-256 in GCM mode
)

// Ciphers lists the ciphers, the default first.
var Ciphers = []string{SM4GCM, AESGCM}

const (
	fileHeader = "jiahe-keys 1"
	secretSize = 32
)

// Generation is one generation of keys.
type Generation struct {
	ID      int
	Cipher  string
	Retired bool

	secret []byte
	aead   cipher.AEAD
	lookup []byte
	macs   sync.Pool // HMAC-SHA256 states keyed with lookup
	audit  []byte
	sign   ed25519.PrivateKey
}

// Fingerprint names the generation without revealing it: the fingerprint
// of its anchor-signing public key.
func (g *Generation) Fingerprint() string { return audit.KeyFingerprint(g.PublicKey()) }

// PublicKey returns the public half of the generation's signing key.
func (g *Generation) PublicKey() ed25519.PublicKey { return g.sign.Public().(ed25519.PublicKey) }

func derive(secret []byte, label string, n int) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, "jiahe "+label, n)
	if err != nil {
		panic(err) // only for lengths HKDF-SHA256 cannot produce
	}
	return k
}

func newGeneration(id int, cipherName string, secret []byte) (*Generation, error) {
	if len(secret) != secretSize {
		return nil, fmt.Errorf("key %d: the secret must be %d bytes, not %d", id, secretSize, len(secret))
	}
	g := &Generation{ID: id, Cipher: cipherName, secret: slices.Clone(secret)}
	var block cipher.Block
	var err error
	switch cipherName {
	case SM4GCM:
		block, err = sm4.NewCipher(derive(secret, "data sm4-gcm", 16))
	case AESGCM:
		block, err = aes.NewCipher(derive(secret, "data aes-256-gcm", 32))
	default:
		return nil, fmt.Errorf("key %d: unknown cipher %q (want %s)", id, cipherName, strings.Join(Ciphers, " or "))
	}
	if err != nil {
		return nil, err
	}
	if g.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	g.lookup = derive(secret, "lookup hmac-sha256", 32)
	g.macs.New = func() any { return hmac.New(sha256.New, g.lookup) }
	g.audit = derive(secret, "audit hmac-sha256", 32)
	g.sign = ed25519.NewKeyFromSeed(derive(secret, "anchor ed25519", ed25519.SeedSize))
	return g, nil
}

// Ring is a key file's generations.
type Ring struct {
	gens []*Generation // by ID, ascending
}

// Generate returns a ring of one new generation that encrypts with
// cipherName.
func Generate(cipherName string) (*Ring, error) {
	r := &Ring{}
	return r, r.Add(cipherName)
}

// Add appends a new generation, which becomes the current one.
func (r *Ring) Add(cipherName string) error {
	secret := make([]byte, secretSize)
	rand.Read(secret)
	id := 1
	if len(r.gens) > 0 {
		id = r.gens[len(r.gens)-1].ID + 1
	}
	g, err := newGeneration(id, cipherName, secret)
	if err != nil {
		return err
	}
	r.gens = append(r.gens, g)
	return nil
}

// Retire marks every generation but the current one retired: nothing in
// the database is encrypted or hashed with them any more.
func (r *Ring) Retire() {
	cur := r.Current()
	for _, g := range r.gens {
		g.Retired = g != cur
	}
}

// Current returns the generation that encrypts, hashes, keys and signs:
// the newest one not retired.
func (r *Ring) Current() *Generation {
	for i := len(r.gens) - 1; i >= 0; i-- {
		if !r.gens[i].Retired {
			return r.gens[i]
		}
	}
	return r.gens[len(r.gens)-1]
}

// Generations returns every generation, oldest first.
func (r *Ring) Generations() []*Generation { return slices.Clone(r.gens) }

// Generation returns generation id.
func (r *Ring) Generation(id int) (*Generation, bool) {
	for _, g := range r.gens {
		if g.ID == id {
			return g, true
		}
	}
	return nil, false
}

// Parse reads a key file.
func Parse(data []byte) (*Ring, error) {
	r := &Ring{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	header := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !header {
			if line != fileHeader {
				return nil, fmt.Errorf("key file: line %d: want %q", n, fileHeader)
			}
			header = true
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f) > 5 || f[0] != "key" || len(f) == 5 && f[4] != "retired" {
			return nil, fmt.Errorf("key file: line %d: want \"key ID CIPHER SECRET [retired]\"", n)
		}
		id, err := strconv.Atoi(f[1])
		if err != nil || id < 1 {
			return nil, fmt.Errorf("key file: line %d: bad generation %q", n, f[1])
		}
		if len(r.gens) > 0 && id <= r.gens[len(r.gens)-1].ID {
			return nil, fmt.Errorf("key file: line %d: generations must be listed in increasing order", n)
		}
		secret, err := hex.DecodeString(f[3])
		if err != nil {
			return nil, fmt.Errorf("key file: line %d: the secret is not hex", n)
		}
		g, err := newGeneration(id, f[2], secret)
		if err != nil {
			return nil, fmt.Errorf("key file: line %d: %w", n, err)
		}
		g.Retired = len(f) == 5
		r.gens = append(r.gens, g)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(r.gens) == 0 {
		return nil, errors.New("key file: no key")
	}
	return r, nil
}

// Marshal returns the ring as a key file.
func (r *Ring) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Jiahe keys. Keep this file outside the database and its backups, readable by\n")
	b.WriteString("# the service only. Without it the ID numbers in the database cannot be read.\n")
	b.WriteString(fileHeader + "\n")
	for _, g := range r.gens {
		fmt.Fprintf(&b, "key %d %s %s", g.ID, g.Cipher, hex.EncodeToString(g.secret))
		if g.Retired {
			b.WriteString(" retired")
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Load reads the key file at path.
func Load(path string) (*Ring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// WriteFile writes the ring to path, readable by its owner only. The file
// is replaced atomically: a crash leaves the old one or the new one.
func (r *Ring) WriteFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(r.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// A sealed value is "$" GENERATION "$" base64(nonce ‖ ciphertext ‖ tag).
// Nothing Jiahe stores in clear starts with "$": not an ID number, an
// account number or JSON.
const sealMark = '$'

// IsSealed reports whether s is a sealed value.
func IsSealed(s string) bool { return len(s) > 0 && s[0] == sealMark }

// SealedWith returns the generation that sealed s (0 if s is not sealed).
func SealedWith(s string) int {
	if !IsSealed(s) {
		return 0
	}
	num, _, ok := strings.Cut(s[1:], "$")
	if !ok {
		return 0
	}
	id, _ := strconv.Atoi(num)
	return id
}

// Seal encrypts plain with the current generation. aad binds the value to
// its place (e.g. "persons.id_number 341523/42"): a value moved to
// another place does not open. The empty string stays empty.
func (r *Ring) Seal(plain, aad string) string {
	if plain == "" {
		return ""
	}
	g := r.Current()
	ns := g.aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+g.aead.Overhead())
	rand.Read(buf)
	buf = g.aead.Seal(buf, buf[:ns], []byte(plain), []byte(aad))
	return string(sealMark) + strconv.Itoa(g.ID) + string(sealMark) + base64.RawStdEncoding.EncodeToString(buf)
}

// ErrCorrupt is returned for a sealed value that does not open: altered,
// moved from another place, or sealed with another key.
var ErrCorrupt = errors.New("an encrypted value does not decrypt (altered, moved, or encrypted with another key)")

// Open decrypts a sealed value. A value that is not sealed (written
// before encryption, and not yet sealed) is returned as it is.
func (r *Ring) Open(s, aad string) (string, error) { return r.open(s, aad, nil) }

// OpenWith is Open with the additional data as bytes, which it does not
// keep: a caller that opens many values builds each one's in a buffer of
// its own, instead of a string each.
func (r *Ring) OpenWith(s string, aad []byte) (string, error) { return r.open(s, "", aad) }

// openBufs are open's scratch buffers: a look-up opens the twenty ID
// numbers of its page, and a buffer for each value's bytes, another for
// its additional data and a third for the plain text came to three of
// the four allocations of each.
var openBufs = sync.Pool{New: func() any { return new([]byte) }}

// openBufMax is the largest buffer kept for the next open.
const openBufMax = 4 << 10

// open decrypts s with the additional data aad, then aadBytes.
func (r *Ring) open(s, aad string, aadBytes []byte) (string, error) {
	if !IsSealed(s) {
		return s, nil
	}
	num, body, ok := strings.Cut(s[1:], "$")
	if !ok {
		return "", ErrCorrupt
	}
	id, err := strconv.Atoi(num)
	if err != nil {
		return "", ErrCorrupt
	}
	g, ok := r.Generation(id)
	if !ok {
		return "", fmt.Errorf("a value is encrypted with key generation %d, which the key file does not hold", id)
	}
	// One buffer holds the additional data, the encoded value, the
	// decoded value and the plain text, in that order.
	enc := base64.RawStdEncoding
	n := enc.DecodedLen(len(body))
	bp := openBufs.Get().(*[]byte)
	na := len(aad) + len(aadBytes)
	buf := slices.Grow((*bp)[:0], na+len(body)+2*n)
	buf = append(append(append(buf, aad...), aadBytes...), body...)
	a, b := buf[:na], buf[na:]
	raw := buf[len(buf) : len(buf)+n]
	m, err := enc.Decode(raw, b)
	var plain []byte
	if ns := g.aead.NonceSize(); err == nil && m >= ns+g.aead.Overhead() {
		raw = raw[:m]
		plain, err = g.aead.Open(raw[m:m], raw[:ns], raw[ns:], a)
	} else {
		err = ErrCorrupt
	}
	var out string
	if err == nil {
		out = string(plain)
	}
	if cap(buf) <= openBufMax {
		*bp = buf
		openBufs.Put(bp)
	}
	if err != nil {
		return "", ErrCorrupt
	}
	return out, nil
}

// HashSize is the length of a look-up hash: 96 bits of HMAC-SHA256 in
// unpadded URL-safe base64. Short keys keep the indexes small; at 96 bits
// two of a billion and a half ID numbers hash alike with a chance under
// one in 10^10.
const HashSize = 16

// Hash returns the keyed look-up hash of value for purpose (e.g.
// "id_number") with the current generation. Equal values hash alike, so
// a hash column can be indexed and searched; without the key nobody can
// tell which value a hash is.
func (r *Ring) Hash(purpose, value string) string { return r.Current().hash(purpose, value) }

func (g *Generation) hash(purpose, value string) string {
	m := g.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	var sum [sha256.Size]byte
	out := base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:12])
	g.macs.Put(m)
	return out
}

// Hashes returns value's look-up hash under every generation not retired,
// the current one first: while a rotation is under way a row may still
// hold the hash of the generation before.
func (r *Ring) Hashes(purpose, value string) []string {
	cur := r.Current()
	out := []string{cur.hash(purpose, value)}
	for i := len(r.gens) - 1; i >= 0; i-- {
		if g := r.gens[i]; g != cur && !g.Retired {
			out = append(out, g.hash(purpose, value))
		}
	}
	return out
}

// Audit returns the keyring of the audit chains.
func (r *Ring) Audit() *audit.Keyring {
	m := map[int][]byte{}
	for _, g := range r.gens {
		m[g.ID] = g.audit
	}
	return audit.NewKeyring(r.Current().ID, m)
}

// Signer returns the current generation's anchor-signing key.
func (r *Ring) Signer() ed25519.PrivateKey { return r.Current().sign }

// PublicKeys returns the public signing key of every generation, by
// fingerprint: the keys anchors made here are checked with.
func (r *Ring) PublicKeys() map[string]ed25519.PublicKey {
	m := map[string]ed25519.PublicKey{}
	for _, g := range r.gens {
		m[g.Fingerprint()] = g.PublicKey()
	}
	return m
}

// ParsePublicKey reads a public signing key given as base64 (as `jiahe
// keys public` prints it and anchors carry it).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not a base64 Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}
