package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// tokenTypeAccess marks access tokens; anything else presented as a bearer token is refused.
const tokenTypeAccess = "access"

// Claims are the access token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Type         string   `json:"typ"`
	Role         Role     `json:"role"`
	UnitID       int64    `json:"unit"`
	UnitPath     string   `json:"upath"`
	TokenVersion int64    `json:"tv"`
	SessionID    string   `json:"sid,omitempty"`
	Scopes       []string `json:"scp,omitempty"`
}

// KeySet holds the signing key (by kid) and older keys still accepted during a rotation.
type KeySet struct {
	activeKID string
	keys      map[string][]byte
}

// NewKeySet builds a key set from the active key and "kid:key" pairs of previous keys.
func NewKeySet(activeKID, activeKey string, previous []string) (*KeySet, error) {
	if activeKID == "" || activeKey == "" {
		return nil, errors.New("jwt key id and signing key are required")
	}
	ks := &KeySet{activeKID: activeKID, keys: map[string][]byte{activeKID: []byte(activeKey)}}
	for i, pair := range previous {
		kid, key, ok := strings.Cut(pair, ":")
		if !ok || kid == "" || key == "" {
			// Name the position, never the value: it may be a pasted secret.
			return nil, fmt.Errorf("auth.jwt_previous_keys entry #%d is not kid:key", i+1)
		}
		ks.keys[kid] = []byte(key)
	}
	return ks, nil
}

// IssuerConfig configures the token issuer.
type IssuerConfig struct {
	Keys      *KeySet
	Issuer    string
	Audience  string
	AccessTTL time.Duration
	Leeway    time.Duration
}

// Issuer issues and verifies access tokens (HS256, kid, iss/aud/exp required).
type Issuer struct {
	cfg    IssuerConfig
	now    func() time.Time
	claims []jwt.ParserOption // the claim checks (issuer, audience, times)
}

// NewIssuer builds an issuer reading time from now.
func NewIssuer(cfg IssuerConfig, now func() time.Time) *Issuer {
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	i := &Issuer{cfg: cfg, now: now}
	i.claims = []jwt.ParserOption{jwt.WithIssuer(cfg.Issuer), jwt.WithAudience(cfg.Audience), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithLeeway(cfg.Leeway), jwt.WithTimeFunc(now)}
	return i
}

// AccessTTL is how long access tokens live.
func (i *Issuer) AccessTTL() time.Duration { return i.cfg.AccessTTL }

// TokenSubject is what an access token is issued for.
type TokenSubject struct {
	Actor        Actor
	TokenVersion int64
}

// Issue signs an access token for the subject and returns it with its expiry.
func (i *Issuer) Issue(s TokenSubject) (string, time.Time, error) {
	now := i.now()
	exp := now.Add(i.cfg.AccessTTL)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.cfg.Issuer,
			Subject:   s.Actor.Subject(),
			Audience:  jwt.ClaimStrings{i.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        uuid.NewString(),
		},
		Type:         tokenTypeAccess,
		Role:         s.Actor.Role,
		UnitID:       s.Actor.UnitID,
		UnitPath:     s.Actor.UnitPath,
		TokenVersion: s.TokenVersion,
		SessionID:    s.Actor.SessionID,
		Scopes:       s.Actor.Scopes,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = i.cfg.Keys.activeKID
	signed, err := tok.SignedString(i.cfg.Keys.keys[i.cfg.Keys.activeKID])
	return signed, exp, err
}

// ErrInvalidToken is returned for any token that fails verification.
var ErrInvalidToken = errors.New("invalid token")

// Verify parses and checks an access token: pinned algorithm, known kid, issuer, audience,
// expiry present and not passed (with a small leeway), and the access type.
func (i *Issuer) Verify(raw string) (*Claims, error) {
	claims := &Claims{}
	opts := append([]jwt.ParserOption{jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()})}, i.claims...)
	if _, err := jwt.ParseWithClaims(raw, claims, i.keyFor, opts...); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if claims.Type != tokenTypeAccess || !claims.Role.Valid() {
		return nil, fmt.Errorf("%w: not an access token", ErrInvalidToken)
	}
	if claims.ClientID() > 0 {
		if claims.Role != RoleIntegrator {
			return nil, fmt.Errorf("%w: client subject without the integrator role", ErrInvalidToken)
		}
	} else if _, err := strconv.ParseInt(claims.Subject, 10, 64); err != nil {
		return nil, fmt.Errorf("%w: bad subject", ErrInvalidToken)
	}
	return claims, nil
}

func (i *Issuer) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	key, ok := i.cfg.Keys.keys[kid]
	if !ok {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	return key, nil
}

// AccountID returns the subject as an account id (0 for an integration client).
func (c *Claims) AccountID() int64 {
	id, _ := strconv.ParseInt(c.Subject, 10, 64)
	return id
}

// ClientID returns the integration client id of a "client:<id>" subject (0 otherwise).
func (c *Claims) ClientID() int64 {
	raw, ok := strings.CutPrefix(c.Subject, ClientSubjectPrefix)
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// NewOpaqueToken returns a random refresh token and the hash to store.
func NewOpaqueToken() (token, hash string) {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	token = base64.RawURLEncoding.EncodeToString(buf)
	return token, HashOpaqueToken(token)
}

// HashOpaqueToken is how opaque tokens are stored: hex(sha256(token)).
func HashOpaqueToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
