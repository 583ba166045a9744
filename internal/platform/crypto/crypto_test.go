package crypto_test

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/crypto"
)

// newKey returns a fresh base64 data key of 32 bytes.
func newKey(t *testing.T) string {
	t.Helper()
	raw := make([]byte, 32)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

func newSealer(t *testing.T) *crypto.Sealer {
	t.Helper()
	s, err := crypto.NewSealer(newKey(t))
	require.NoError(t, err)
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	s := newSealer(t)
	for _, plain := range []string{
		"",
		"13812345678",
		"341802199001011234",
		"安徽省宣城市宣州区鳌峰街道 12 号 3 单元 🏠",
		strings.Repeat("长", 2000),
	} {
		sealed, err := s.Seal(plain)
		require.NoError(t, err)
		if plain != "" {
			assert.NotContains(t, sealed, plain, "the sealed value does not show the plaintext")
		}
		got, err := s.Open(sealed)
		require.NoError(t, err)
		assert.Equal(t, plain, got)
	}
}

func TestSealUsesARandomNonce(t *testing.T) {
	s := newSealer(t)
	a, err := s.Seal("13812345678")
	require.NoError(t, err)
	b, err := s.Seal("13812345678")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestOpenRejects(t *testing.T) {
	s := newSealer(t)
	sealed, err := s.Seal("13812345678")
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(sealed)
	require.NoError(t, err)

	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.StdEncoding.EncodeToString(b)
	}
	other := newSealer(t)
	fromOther, err := other.Seal("13812345678")
	require.NoError(t, err)

	tests := map[string]string{
		"tampered nonce":      flip(0),
		"tampered ciphertext": flip(len(raw) / 2),
		"tampered tag":        flip(len(raw) - 1),
		"truncated":           base64.StdEncoding.EncodeToString(raw[:len(raw)-1]),
		"shorter than nonce":  base64.StdEncoding.EncodeToString(raw[:5]),
		"empty":               "",
		"not base64":          "%%%not-base64%%%",
		"sealed by other key": fromOther,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := s.Open(in)
			require.Error(t, err)
			assert.Empty(t, got)
		})
	}
}

func TestIndex(t *testing.T) {
	key := newKey(t)
	s1, err := crypto.NewSealer(key)
	require.NoError(t, err)
	s2, err := crypto.NewSealer(key)
	require.NoError(t, err)
	other := newSealer(t)

	idx := s1.Index("phone", "13812345678")
	assert.Len(t, idx, 64, "hex of a SHA-256 HMAC")
	assert.NotContains(t, idx, "13812345678")
	assert.Equal(t, idx, s1.Index("phone", "13812345678"), "deterministic")
	assert.Equal(t, idx, s2.Index("phone", "13812345678"), "same key, same index")
	assert.NotEqual(t, idx, s1.Index("id_number", "13812345678"), "differs by kind")
	assert.NotEqual(t, idx, s1.Index("phone", "13812345679"), "differs by value")
	assert.NotEqual(t, idx, other.Index("phone", "13812345678"), "differs by key")
	assert.NotEqual(t, s1.Index("ab", "c"), s1.Index("a", "bc"), "kind and value are separated")
}

func TestNewSealerRejectsBadKeys(t *testing.T) {
	tests := map[string]struct {
		key     string
		wantErr string
	}{
		"not base64": {key: "this is not base64!", wantErr: "base64"},
		"empty":      {key: "", wantErr: "32 bytes"},
		"16 bytes":   {key: base64.StdEncoding.EncodeToString(make([]byte, 16)), wantErr: "32 bytes"},
		"31 bytes":   {key: base64.StdEncoding.EncodeToString(make([]byte, 31)), wantErr: "32 bytes"},
		"33 bytes":   {key: base64.StdEncoding.EncodeToString(make([]byte, 33)), wantErr: "32 bytes"},
		"url base64": {key: base64.URLEncoding.EncodeToString(append(make([]byte, 30), 0xfb, 0xff)), wantErr: "base64"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := crypto.NewSealer(tt.key)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"15900001111", "159****1111"},
		{"123456", "****"},
		{"", "****"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := crypto.MaskPhone(tt.in)
			assert.Equal(t, tt.want, got)
		})
	}
}
