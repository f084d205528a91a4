package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AnchorFormat names the format of an anchor file.
const AnchorFormat = "jiahe-audit-anchor/1"

// An Anchor is a signed digest of the heads of every chain at one instant,
// made to be kept outside the system (printed, or sent to the city). The
// chains may only grow after it: each anchored entry must still be there
// with the anchored hash. Someone who rewrites the log — even with the
// audit key — cannot change what an anchor kept elsewhere says, and
// cannot sign a new one without the signing key.
type Anchor struct {
	Format string `json:"format"`
	// Database is the id of the database the chains belong to.
	Database string    `json:"database"`
	MadeAt   time.Time `json:"made_at"`
	// Key is the fingerprint of the signing key (KeyFingerprint) and
	// PublicKey the key itself (base64), so that the file can be checked
	// with nothing else; whoever keeps it should also keep the key.
	Key       string       `json:"key"`
	PublicKey string       `json:"public_key"`
	Chains    []AnchorHead `json:"chains"`
	// Digest is the SHA-256 of the signed text, to be read out or
	// compared by eye; Signature is the Ed25519 signature of that text.
	Digest    string `json:"digest"`
	Signature string `json:"signature"`
}

// AnchorHead is one chain's head in an anchor.
type AnchorHead struct {
	County string `json:"county"`
	Seq    int64  `json:"seq"`
	Hash   string `json:"hash"`
}

// KeyFingerprint names a public key: the first 16 bytes of its SHA-256,
// in hex.
func KeyFingerprint(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:16])
}

// NewAnchor signs the heads of database's chains at instant at.
func NewAnchor(database string, at time.Time, heads []AnchorHead, key ed25519.PrivateKey) *Anchor {
	pub := key.Public().(ed25519.PublicKey)
	a := &Anchor{Format: AnchorFormat, Database: database, MadeAt: at.UTC().Truncate(time.Second),
		Key: KeyFingerprint(pub), PublicKey: base64.StdEncoding.EncodeToString(pub), Chains: slices.Clone(heads)}
	slices.SortFunc(a.Chains, func(x, y AnchorHead) int { return strings.Compare(x.County, y.County) })
	msg := a.message()
	d := sha256.Sum256(msg)
	a.Digest = hex.EncodeToString(d[:])
	a.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
	return a
}

// message is the text an anchor's signature covers: one line per field,
// then one per chain.
func (a *Anchor) message() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%s\n%s\n%s\n", a.Format, a.Database, a.MadeAt.UTC().Format(time.RFC3339), a.Key)
	for _, h := range a.Chains {
		b.WriteString(h.County + "\t" + strconv.FormatInt(h.Seq, 10) + "\t" + h.Hash + "\n")
	}
	return b.Bytes()
}

// Marshal returns the anchor as indented JSON.
func (a *Anchor) Marshal() []byte {
	b, _ := json.MarshalIndent(a, "", "  ")
	return append(b, '\n')
}

// ParseAnchor reads an anchor file. It does not check the signature.
func ParseAnchor(b []byte) (*Anchor, error) {
	var a Anchor
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("anchor: %w", err)
	}
	if a.Format != AnchorFormat {
		return nil, fmt.Errorf("anchor: format %q, want %q", a.Format, AnchorFormat)
	}
	return &a, nil
}

// ErrUntrustedAnchor is returned by Check for an anchor signed by a key
// that is not among the trusted ones.
var ErrUntrustedAnchor = errors.New("the anchor is signed by a key that is not trusted here (were the keys replaced?)")

// Check verifies the anchor's signature with the trusted key of the
// fingerprint it names. trusted maps fingerprints to public keys: those
// of the key file, or one the keeper of the anchors holds.
func (a *Anchor) Check(trusted map[string]ed25519.PublicKey) error {
	pub, ok := trusted[a.Key]
	if !ok {
		return ErrUntrustedAnchor
	}
	if KeyFingerprint(pub) != a.Key {
		return ErrUntrustedAnchor
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		return fmt.Errorf("anchor signature: %w", err)
	}
	msg := a.message()
	if !ed25519.Verify(pub, msg, sig) {
		return errors.New("the anchor's signature does not match its content (the file was altered)")
	}
	if d := sha256.Sum256(msg); hex.EncodeToString(d[:]) != a.Digest {
		return errors.New("the anchor's digest does not match its content")
	}
	return nil
}
