// Package crypto seals personal data at rest (AES-256-GCM) and derives keyed blind indexes
// (HMAC-SHA256) so sealed values can still be looked up and kept unique.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Sealer encrypts and indexes personal data with keys derived from one data key.
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewSealer takes the base64 data key (32 bytes) from config.
func NewSealer(base64Key string) (*Sealer, error) {
	key, err := base64.StdEncoding.DecodeString(base64Key)
	if err != nil {
		return nil, fmt.Errorf("crypto.data_key is not base64: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("crypto.data_key must decode to 32 bytes, got %d", len(key))
	}
	encKey := derive(key, "xuefa/seal/v1")
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, indexKey: derive(key, "xuefa/index/v1")}, nil
}

// derive makes independent subkeys so the cipher key never doubles as the HMAC key.
func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plaintext into base64(nonce ‖ ciphertext).
func (s *Sealer) Seal(plaintext string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal.
func (s *Sealer) Open(sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	n := s.aead.NonceSize()
	if len(raw) < n {
		return "", errors.New("sealed value too short")
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// Index is the blind index of a value: hex(HMAC-SHA256(indexKey, kind ‖ 0 ‖ value)). The kind
// keeps, e.g., a phone and an ID number with the same digits from colliding.
func (s *Sealer) Index(kind, value string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskPhone shows a mobile number as 138****5678.
func MaskPhone(phone string) string {
	if len(phone) < 11 {
		return "****"
	}
	return phone[:3] + "****" + phone[len(phone)-4:]
}
