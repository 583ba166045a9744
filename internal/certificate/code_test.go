package certificate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewCodeIsSixteenCrockfordCharacters(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		code, err := newCode()
		require.NoError(t, err)
		require.Len(t, code, CodeLength)
		for _, r := range code {
			require.True(t, strings.ContainsRune(codeAlphabet, r), "%q in %s", r, code)
		}
		norm, ok := normalizeCode(code)
		require.True(t, ok)
		require.Equal(t, code, norm, "an issued code is already normal")
		require.False(t, seen[code], "duplicate code %s", code)
		seen[code] = true
	}
	_, ok := normalizeCode(noSuchCode)
	assert.False(t, ok, "the stand-in for malformed codes can never be issued")
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"7QK2M9D4XW1HZ8RT", "7QK2M9D4XW1HZ8RT", true},
		{"7qk2m9d4xw1hz8rt", "7QK2M9D4XW1HZ8RT", true},
		{"7QK2-M9D4-XW1H-Z8RT", "7QK2M9D4XW1HZ8RT", true},
		{"7QK2 M9D4 XW1H Z8RT", "7QK2M9D4XW1HZ8RT", true},
		{"7QK2M9D4XWiHZ8RT", "7QK2M9D4XW1HZ8RT", true}, // i → 1
		{"7QK2M9D4XWLHZ8RT", "7QK2M9D4XW1HZ8RT", true}, // L → 1
		{"7QK2M9D4XW1HZ8Ro", "7QK2M9D4XW1HZ8R0", true}, // o → 0
		{"7QK2M9D4XW1HZ8R", "", false},                 // 15
		{"7QK2M9D4XW1HZ8RTX", "", false},               // 17
		{"7QK2M9D4XW1HZ8RU", "", false},                // U is not in the alphabet
		{"7QK2M9D4XW1HZ8R!", "", false},
		{"七QK2M9D4XW1HZ8RT", "", false},
		{"", "", false},
		{strings.Repeat("A", 10_000), "", false},
		{"' OR 1=1 --", "", false},
	}
	for _, tt := range tests {
		got, ok := normalizeCode(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"": "", "张": "*", "张伟": "张*", "张小三": "张*三", "欧阳小明": "欧**明"} {
		assert.Equal(t, want, maskName(in), in)
	}
}

func TestBand(t *testing.T) {
	for score, want := range map[int64]string{10000: BandExcellent, 9000: BandExcellent, 8999: BandGood, 8000: BandGood, 7999: BandPass, 6000: BandPass} {
		assert.Equal(t, want, bandOf(score), score)
	}
}

// The payload is compact JSON in the Statement's field order, Chinese and <>& unescaped, with
// no trailing newline: the bytes a verifier is given are the bytes that were signed.
func TestCanonicalJSON(t *testing.T) {
	st := Statement{Version: 1, Code: "7QK2M9D4XW1HZ8RT", Name: "张*", Unit: "华阳镇<&>", Issuer: "绩溪县", CampaignID: 3,
		Campaign: "第九个机关集中学法月", Year: 2026, StartDate: "2026-11-01", EndDate: "2026-12-31", Band: BandGood,
		Status: "met", StatusText: "达标", IssuedOn: "2026-12-31", KeyID: "c1"}
	raw, err := canonicalJSON(st)
	require.NoError(t, err)
	assert.Equal(t, `{"v":1,"code":"7QK2M9D4XW1HZ8RT","name":"张*","unit":"华阳镇<&>","issuer":"绩溪县","campaign_id":3,`+
		`"campaign":"第九个机关集中学法月","year":2026,"start_date":"2026-11-01","end_date":"2026-12-31","band":"良好",`+
		`"status":"met","status_cn":"达标","issued_on":"2026-12-31","kid":"c1"}`, string(raw))
	var back Statement
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, st, back)
}
