package certificate_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/certificate"
)

func seed(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var (
	seedA = seed("certificate-seed-a-32-bytes-long")
	seedB = seed("certificate-seed-b-32-bytes-long")
)

func TestKeySetConfiguration(t *testing.T) {
	pubB := base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed([]byte("certificate-seed-b-32-bytes-long")).Public().(ed25519.PublicKey))
	tests := []struct {
		name     string
		kid      string
		seed     string
		previous []string
		wantErr  string
		wantKIDs []string
	}{
		{name: "active only", kid: "c2", seed: seedA, wantKIDs: []string{"c2"}},
		{name: "previous as public key", kid: "c2", seed: seedA, previous: []string{"c1:pub:" + pubB}, wantKIDs: []string{"c2", "c1"}},
		{name: "previous as seed", kid: "c2", seed: seedA, previous: []string{"c1:" + seedB}, wantKIDs: []string{"c2", "c1"}},
		{name: "no key id", kid: " ", seed: seedA, wantErr: "certificates.key_id"},
		{name: "seed not base64", kid: "c2", seed: "not base64!", wantErr: "32-byte Ed25519 seed"},
		{name: "seed too short", kid: "c2", seed: seed("short"), wantErr: "32-byte Ed25519 seed"},
		{name: "previous without kid", kid: "c2", seed: seedA, previous: []string{seedB}, wantErr: "entry #1"},
		{name: "previous public key too short", kid: "c2", seed: seedA, previous: []string{"c1:pub:" + seed("short")}, wantErr: "entry #1: the public key"},
		{name: "previous reuses the active id", kid: "c2", seed: seedA, previous: []string{"c2:" + seedB}, wantErr: "used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := certificate.NewKeySet(tt.kid, tt.seed, tt.previous)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), seedB, "errors never echo key material")
				return
			}
			require.NoError(t, err)
			var kids []string
			for _, k := range ks.Published() {
				kids = append(kids, k.KID)
			}
			assert.Equal(t, tt.wantKIDs, kids)
		})
	}
}

// After a rotation the new key signs, and certificates signed with the old one still verify
// with its published public key alone.
func TestKeyRotationKeepsOldSignaturesVerifiable(t *testing.T) {
	before, err := certificate.NewKeySet("c1", seedB, nil)
	require.NoError(t, err)
	payload := []byte(`{"v":1,"code":"7QK2M9D4XW1HZ8RT"}`)
	oldSig := before.Sign(payload)

	pubB := base64.StdEncoding.EncodeToString(before.Published()[0].Key)
	after, err := certificate.NewKeySet("c2", seedA, []string{"c1:pub:" + pubB})
	require.NoError(t, err)
	assert.Equal(t, "c2", after.ActiveKID())
	assert.True(t, after.Verify("c1", payload, oldSig))
	assert.False(t, after.Verify("c2", payload, oldSig), "the old signature is not the new key's")
	newSig := after.Sign(payload)
	assert.True(t, after.Verify("c2", payload, newSig))
	assert.False(t, after.Verify("c2", append(payload, ' '), newSig), "one changed byte breaks it")
	assert.False(t, after.Verify("c9", payload, newSig), "unknown key id")
	assert.False(t, after.Verify("c2", payload, "!!"), "signature not base64")
}

func TestPublicKeyPEMIsSubjectPublicKeyInfo(t *testing.T) {
	ks, err := certificate.NewKeySet("c1", seedA, nil)
	require.NoError(t, err)
	k := ks.Published()[0]
	block, rest := pem.Decode([]byte(k.PEM()))
	require.NotNil(t, block)
	assert.Empty(t, strings.TrimSpace(string(rest)))
	assert.Equal(t, "PUBLIC KEY", block.Type)
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, k.Key, parsed)
}
