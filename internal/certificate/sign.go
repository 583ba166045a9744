package certificate

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Alg names the signature algorithm in the published key list and the docs.
const Alg = "Ed25519"

// KeySet holds the Ed25519 key that signs new certificates (by key id) and the public keys of
// earlier signing keys, still published so certificates signed before a rotation keep verifying.
type KeySet struct {
	activeKID string
	signer    ed25519.PrivateKey
	public    map[string]ed25519.PublicKey
	order     []string // key ids, the active one first, then previous keys as configured
}

// PublicKey is one published verification key.
type PublicKey struct {
	KID string
	Key ed25519.PublicKey
}

// NewKeySet builds the key set from the active key (base64 of a 32-byte seed) and previous keys,
// each "kid:pub:<base64 public key>" or "kid:<base64 seed>". Errors name the entry's position,
// never its value: it may be a pasted secret.
func NewKeySet(activeKID, activeSeed string, previous []string) (*KeySet, error) {
	activeKID = strings.TrimSpace(activeKID)
	if activeKID == "" {
		return nil, errors.New("certificates.key_id is required")
	}
	seed, err := base64.StdEncoding.DecodeString(activeSeed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("certificates.signing_key must be base64 of a 32-byte Ed25519 seed")
	}
	signer := ed25519.NewKeyFromSeed(seed)
	ks := &KeySet{activeKID: activeKID, signer: signer, public: map[string]ed25519.PublicKey{}}
	ks.add(activeKID, signer.Public().(ed25519.PublicKey))
	for i, entry := range previous {
		kid, pub, err := parsePrevious(entry)
		if err != nil {
			return nil, fmt.Errorf("certificates.previous_keys entry #%d: %w", i+1, err)
		}
		if _, dup := ks.public[kid]; dup {
			return nil, fmt.Errorf("certificates.previous_keys entry #%d: key id %q is used twice", i+1, kid)
		}
		ks.add(kid, pub)
	}
	return ks, nil
}

func (ks *KeySet) add(kid string, pub ed25519.PublicKey) {
	ks.public[kid] = pub
	ks.order = append(ks.order, kid)
}

func parsePrevious(entry string) (string, ed25519.PublicKey, error) {
	kid, rest, ok := strings.Cut(strings.TrimSpace(entry), ":")
	if !ok || kid == "" || rest == "" {
		return "", nil, errors.New("not kid:pub:<base64 public key> or kid:<base64 seed>")
	}
	if b64, isPub := strings.CutPrefix(rest, "pub:"); isPub {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return "", nil, errors.New("the public key is not base64 of 32 bytes")
		}
		return kid, ed25519.PublicKey(raw), nil
	}
	seed, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(seed) != ed25519.SeedSize {
		return "", nil, errors.New("the seed is not base64 of 32 bytes")
	}
	return kid, ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), nil
}

// ActiveKID is the key id new certificates are signed with.
func (ks *KeySet) ActiveKID() string { return ks.activeKID }

// Sign signs payload with the active key and returns the signature in standard base64.
func (ks *KeySet) Sign(payload []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(ks.signer, payload))
}

// Verify reports whether signature (standard base64) is kid's signature of payload.
func (ks *KeySet) Verify(kid string, payload []byte, signature string) bool {
	pub, ok := ks.public[kid]
	sig, err := base64.StdEncoding.DecodeString(signature)
	return ok && err == nil && ed25519.Verify(pub, payload, sig)
}

// Published lists every verification key, the active one first.
func (ks *KeySet) Published() []PublicKey {
	out := make([]PublicKey, 0, len(ks.order))
	for _, kid := range ks.order {
		out = append(out, PublicKey{KID: kid, Key: ks.public[kid]})
	}
	return out
}

// PEM is the key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo), what openssl reads.
func (k PublicKey) PEM() string {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil { // only for keys of the wrong length, which NewKeySet refuses
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
