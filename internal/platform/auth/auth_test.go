package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

func TestHasher(t *testing.T) {
	h := auth.NewHasher(auth.FastPasswordParams())
	hash, err := h.Hash("Correct-Horse-9")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$"), hash)
	assert.NotContains(t, hash, "Correct-Horse-9")

	again, err := h.Hash("Correct-Horse-9")
	require.NoError(t, err)
	assert.NotEqual(t, hash, again, "each hash has its own salt")

	ok, err := h.Verify(hash, "Correct-Horse-9")
	require.NoError(t, err)
	assert.True(t, ok, "right password")

	ok, err = h.Verify(hash, "correct-horse-9")
	require.NoError(t, err)
	assert.False(t, ok, "wrong password")

	t.Run("hash made with other params still verifies", func(t *testing.T) {
		other := auth.NewHasher(auth.PasswordParams{Memory: 2048, Time: 2, Threads: 2})
		otherHash, err := other.Hash("Correct-Horse-9")
		require.NoError(t, err)
		assert.Contains(t, otherHash, "$m=2048,t=2,p=2$")

		ok, err := h.Verify(otherHash, "Correct-Horse-9")
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = h.Verify(otherHash, "Wrong-Horse-9")
		require.NoError(t, err)
		assert.False(t, ok)
	})
}

func TestHasherVerifyMalformed(t *testing.T) {
	h := auth.NewHasher(auth.FastPasswordParams())
	good, err := h.Hash("Correct-Horse-9")
	require.NoError(t, err)
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := map[string]string{
		"empty":            "",
		"plain text":       "Correct-Horse-9",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          with(1, "argon2i"),
		"other version":    with(2, "v=16"),
		"garbled version":  with(2, "version"),
		"garbled params":   with(3, "m=x,t=1,p=1"),
		"salt not base64":  with(4, "!!!"),
		"key not base64":   with(5, "!!!"),
		"too few sections": strings.Join(parts[:5], "$"),
	}
	for name, encoded := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := h.Verify(encoded, "Correct-Horse-9")
			require.Error(t, err)
			assert.False(t, ok)
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{name: "empty", password: ""},
		{name: "7 chars, 4 classes", password: "Ab1!xyz"},
		{name: "8 chars, lower and digit only", password: "abcd1234"},
		{name: "8 chars, upper and lower only", password: "abcdEFGH"},
		{name: "long but one class", password: "abcdefghijklmnop"},
		{name: "lower upper digit", password: "abcdEF12", ok: true},
		{name: "lower digit symbol", password: "abcd12!?", ok: true},
		{name: "upper digit symbol", password: "ABCD12!?", ok: true},
		{name: "all four classes", password: "aB3$aB3$", ok: true},
		{name: "space counts as symbol", password: "abcd 123", ok: true},
		{name: "unicode counted in characters, not bytes", password: "密码Ab1"}, // 5 chars, 11 bytes
		{name: "chinese characters are symbols", password: "密码密码ab12", ok: true},
		{name: "chinese alone is one class", password: "密码密码密码密码"},
		{name: "accented letters have case", password: "ÉCOLEécole1", ok: true},
		{name: "128 bytes is allowed", password: strings.Repeat("aB3$", 32), ok: true},
		{name: "over 128 bytes", password: strings.Repeat("aB3$", 32) + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := auth.CheckPolicy(tt.password)
			if tt.ok {
				assert.Empty(t, msg)
			} else {
				assert.NotEmpty(t, msg, "a refusal carries a message for the user")
			}
		})
	}
	assert.Contains(t, auth.CheckPolicy("Ab1!"), "8", "the length message states the minimum")
}

func TestGeneratePasswordPassesPolicy(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p := auth.GeneratePassword()
		assert.Empty(t, auth.CheckPolicy(p), "generated %q", p)
		seen[p] = true
	}
	assert.Len(t, seen, 50, "generated passwords are random")
}

// fakeClock is a now func the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newKeySet(t *testing.T, kid, key string, previous ...string) *auth.KeySet {
	t.Helper()
	ks, err := auth.NewKeySet(kid, key, previous)
	require.NoError(t, err)
	return ks
}

func newIssuer(ks *auth.KeySet, clock *fakeClock, mutate ...func(*auth.IssuerConfig)) *auth.Issuer {
	cfg := auth.IssuerConfig{
		Keys:      ks,
		Issuer:    "xuefa",
		Audience:  "xuefa-api",
		AccessTTL: 15 * time.Minute,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return auth.NewIssuer(cfg, clock.Now)
}

var testActor = auth.Actor{
	AccountID: 42,
	Role:      auth.RoleAdmin,
	UnitID:    4,
	UnitPath:  "/1/4/",
	SessionID: "6f1c9a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	iss := newIssuer(newKeySet(t, "k1", "test-signing-key-0123456789abcdef"), clock)

	actor := testActor
	actor.Role = auth.RoleIntegrator
	actor.Scopes = []string{"learners:read", "exams:read"}
	raw, exp, err := iss.Issue(auth.TokenSubject{Actor: actor, TokenVersion: 7})
	require.NoError(t, err)
	assert.Equal(t, clock.t.Add(15*time.Minute), exp)

	claims, err := iss.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, int64(42), claims.AccountID())
	assert.Equal(t, "42", claims.Subject)
	assert.Equal(t, auth.RoleIntegrator, claims.Role)
	assert.Equal(t, int64(4), claims.UnitID)
	assert.Equal(t, "/1/4/", claims.UnitPath)
	assert.Equal(t, int64(7), claims.TokenVersion)
	assert.Equal(t, actor.SessionID, claims.SessionID)
	assert.Equal(t, actor.Scopes, claims.Scopes)
	assert.Equal(t, "xuefa", claims.Issuer)
	assert.Equal(t, jwt.ClaimStrings{"xuefa-api"}, claims.Audience)
	assert.NotEmpty(t, claims.ID)

	tok, _, err := jwt.NewParser().ParseUnverified(raw, &jwt.RegisteredClaims{})
	require.NoError(t, err)
	assert.Equal(t, "k1", tok.Header["kid"])
	assert.Equal(t, "HS256", tok.Header["alg"])

	clock.Advance(14 * time.Minute)
	_, err = iss.Verify(raw)
	assert.NoError(t, err, "still valid just before expiry")
}

func TestVerifyRejects(t *testing.T) {
	const key = "test-signing-key-0123456789abcdef"
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

	// signWith signs claims as the issuer would, but with the given method, kid and key.
	signWith := func(method jwt.SigningMethod, kid string, signKey any, mutate func(*auth.Claims)) string {
		c := auth.Claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer:    "xuefa",
				Subject:   "42",
				Audience:  jwt.ClaimStrings{"xuefa-api"},
				IssuedAt:  jwt.NewNumericDate(start),
				ExpiresAt: jwt.NewNumericDate(start.Add(15 * time.Minute)),
			},
			Type: "access", Role: auth.RoleAdmin, UnitID: 4, UnitPath: "/1/4/", TokenVersion: 1,
		}
		if mutate != nil {
			mutate(&c)
		}
		tok := jwt.NewWithClaims(method, c)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(signKey)
		require.NoError(t, err)
		return s
	}

	tests := []struct {
		name  string
		token func(t *testing.T) string
		after time.Duration // how far the verifier's clock is past issue time
	}{
		{
			name: "expired",
			token: func(t *testing.T) string {
				raw, _, err := newIssuer(newKeySet(t, "k1", key), &fakeClock{t: start}).Issue(auth.TokenSubject{Actor: testActor})
				require.NoError(t, err)
				return raw
			},
			after: 16 * time.Minute,
		},
		{
			name: "issued in the future",
			token: func(t *testing.T) string {
				raw, _, err := newIssuer(newKeySet(t, "k1", key), &fakeClock{t: start.Add(10 * time.Minute)}).Issue(auth.TokenSubject{Actor: testActor})
				require.NoError(t, err)
				return raw
			},
		},
		{
			name: "wrong audience",
			token: func(t *testing.T) string {
				iss := newIssuer(newKeySet(t, "k1", key), &fakeClock{t: start}, func(c *auth.IssuerConfig) { c.Audience = "other-api" })
				raw, _, err := iss.Issue(auth.TokenSubject{Actor: testActor})
				require.NoError(t, err)
				return raw
			},
		},
		{
			name: "wrong issuer",
			token: func(t *testing.T) string {
				iss := newIssuer(newKeySet(t, "k1", key), &fakeClock{t: start}, func(c *auth.IssuerConfig) { c.Issuer = "evil" })
				raw, _, err := iss.Issue(auth.TokenSubject{Actor: testActor})
				require.NoError(t, err)
				return raw
			},
		},
		{
			name: "signed by another key set with the same kid",
			token: func(t *testing.T) string {
				iss := newIssuer(newKeySet(t, "k1", "another-signing-key-0123456789abc"), &fakeClock{t: start})
				raw, _, err := iss.Issue(auth.TokenSubject{Actor: testActor})
				require.NoError(t, err)
				return raw
			},
		},
		{
			name: "unknown kid",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "k9", []byte(key), nil)
			},
		},
		{
			name: "no kid",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "", []byte(key), nil)
			},
		},
		{
			name: "alg none",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodNone, "k1", jwt.UnsafeAllowNoneSignatureType, nil)
			},
		},
		{
			name: "HS512 with the right key",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS512, "k1", []byte(key), nil)
			},
		},
		{
			name: "no expiry",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "k1", []byte(key), func(c *auth.Claims) { c.ExpiresAt = nil })
			},
		},
		{
			name: "not an access token",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "k1", []byte(key), func(c *auth.Claims) { c.Type = "refresh" })
			},
		},
		{
			name: "unknown role",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "k1", []byte(key), func(c *auth.Claims) { c.Role = "superuser" })
			},
		},
		{
			name: "non-numeric subject",
			token: func(t *testing.T) string {
				return signWith(jwt.SigningMethodHS256, "k1", []byte(key), func(c *auth.Claims) { c.Subject = "admin" })
			},
		},
		{
			name:  "garbage",
			token: func(*testing.T) string { return "not.a.jwt" },
		},
		{
			name: "tampered payload",
			token: func(t *testing.T) string {
				good := signWith(jwt.SigningMethodHS256, "k1", []byte(key), nil)
				evil := signWith(jwt.SigningMethodHS256, "k1", []byte(key), func(c *auth.Claims) { c.UnitPath = "/1/" })
				g, e := strings.Split(good, "."), strings.Split(evil, ".")
				return g[0] + "." + e[1] + "." + g[2]
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.token(t)
			verifier := newIssuer(newKeySet(t, "k1", key), &fakeClock{t: start.Add(tt.after)})
			claims, err := verifier.Verify(raw)
			require.ErrorIs(t, err, auth.ErrInvalidToken)
			assert.Nil(t, claims)
		})
	}
}

func TestKeySetRotation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	const oldKey, newKey = "old-signing-key-0123456789abcdefgh", "new-signing-key-0123456789abcdefgh"

	oldIssuer := newIssuer(newKeySet(t, "k1", oldKey), clock)
	oldToken, _, err := oldIssuer.Issue(auth.TokenSubject{Actor: testActor, TokenVersion: 1})
	require.NoError(t, err)

	rotated := newIssuer(newKeySet(t, "k2", newKey, "k1:"+oldKey), clock)
	claims, err := rotated.Verify(oldToken)
	require.NoError(t, err, "a token signed with a previous key still verifies")
	assert.Equal(t, int64(42), claims.AccountID())

	newToken, _, err := rotated.Issue(auth.TokenSubject{Actor: testActor, TokenVersion: 1})
	require.NoError(t, err)
	tok, _, err := jwt.NewParser().ParseUnverified(newToken, &jwt.RegisteredClaims{})
	require.NoError(t, err)
	assert.Equal(t, "k2", tok.Header["kid"], "new tokens use the active key")
	_, err = rotated.Verify(newToken)
	require.NoError(t, err)

	_, err = oldIssuer.Verify(newToken)
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "the old key set does not know k2")

	retired := newIssuer(newKeySet(t, "k2", newKey), clock)
	_, err = retired.Verify(oldToken)
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "once k1 is dropped its tokens are refused")

	t.Run("key containing a colon", func(t *testing.T) {
		ks := newKeySet(t, "k2", newKey, "k1:part:with:colons")
		iss := newIssuer(newKeySet(t, "k1", "part:with:colons"), clock)
		raw, _, err := iss.Issue(auth.TokenSubject{Actor: testActor})
		require.NoError(t, err)
		_, err = newIssuer(ks, clock).Verify(raw)
		assert.NoError(t, err)
	})
}

func TestNewKeySetRejects(t *testing.T) {
	tests := []struct {
		name     string
		kid, key string
		previous []string
	}{
		{name: "no active kid", key: "k"},
		{name: "no active key", kid: "k1"},
		{name: "previous without colon", kid: "k1", key: "k", previous: []string{"k0"}},
		{name: "previous without kid", kid: "k1", key: "k", previous: []string{":oldkey"}},
		{name: "previous without key", kid: "k1", key: "k", previous: []string{"k0:"}},
		{name: "one good, one bad", kid: "k1", key: "k", previous: []string{"k0:old", "bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := auth.NewKeySet(tt.kid, tt.key, tt.previous)
			require.Error(t, err)
			assert.Nil(t, ks)
		})
	}
}

func TestActorCovers(t *testing.T) {
	tests := []struct {
		actorPath, path string
		want            bool
	}{
		{"/1/4/", "/1/4/", true},
		{"/1/4/", "/1/4/17/", true},
		{"/1/4/", "/1/4/17/30/", true},
		{"/1/4/", "/1/40/", false},
		{"/1/4/", "/1/", false},
		{"/1/4/", "/2/4/", false},
		{"/1/", "/1/4/17/", true},
		{"", "/1/", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.actorPath+" covers "+tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, auth.Actor{UnitPath: tt.actorPath}.Covers(tt.path))
		})
	}
}

func TestRootPathAndRootAdmin(t *testing.T) {
	for path, want := range map[string]bool{
		"/1/":     true,
		"/27/":    true,
		"/1/4/":   false,
		"/":       false,
		"":        false,
		"/1/4/7/": false,
	} {
		assert.Equal(t, want, auth.IsRootPath(path), "IsRootPath(%q)", path)
	}

	tests := []struct {
		name  string
		actor auth.Actor
		want  bool
	}{
		{"admin of the root", auth.Actor{Role: auth.RoleAdmin, UnitPath: "/1/"}, true},
		{"admin of a township", auth.Actor{Role: auth.RoleAdmin, UnitPath: "/1/4/"}, false},
		{"auditor of the root", auth.Actor{Role: auth.RoleAuditor, UnitPath: "/1/"}, false},
		{"lecturer of the root", auth.Actor{Role: auth.RoleLecturer, UnitPath: "/1/"}, false},
		{"admin without unit", auth.Actor{Role: auth.RoleAdmin}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.actor.IsRootAdmin())
		})
	}
}

func TestRoleValidAndScopes(t *testing.T) {
	for _, r := range auth.AllRoles() {
		assert.True(t, r.Valid(), r)
	}
	assert.False(t, auth.Role("root").Valid())
	assert.False(t, auth.Role("").Valid())

	a := auth.Actor{Role: auth.RoleIntegrator, Scopes: []string{"learners:read"}}
	assert.True(t, a.HasScope("learners:read"))
	assert.False(t, a.HasScope("learners:write"))
}

func TestOpaqueToken(t *testing.T) {
	tok, hash := auth.NewOpaqueToken()
	assert.Equal(t, hash, auth.HashOpaqueToken(tok))
	assert.Len(t, hash, 64)
	assert.NotContains(t, hash, tok)
	tok2, hash2 := auth.NewOpaqueToken()
	assert.NotEqual(t, tok, tok2)
	assert.NotEqual(t, hash, hash2)
}
