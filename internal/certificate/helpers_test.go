package certificate_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/apitest"
)

func verifies(t *testing.T, pub ed25519.PublicKey, payload, signature string) bool {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(signature)
	require.NoError(t, err)
	return ed25519.Verify(pub, []byte(payload), sig)
}

// statements records every SQL statement the app runs on e's database from now on.
type statements struct {
	mu  sync.Mutex
	sql []string
}

func recordStatements(t *testing.T, e *apitest.Env) *statements {
	t.Helper()
	s := &statements{}
	record := func(db *gorm.DB) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sql = append(s.sql, db.Statement.SQL.String())
	}
	cb := e.DB.Callback()
	require.NoError(t, cb.Query().After("gorm:query").Register("certtest:query", record))
	require.NoError(t, cb.Create().After("gorm:create").Register("certtest:create", record))
	require.NoError(t, cb.Update().After("gorm:update").Register("certtest:update", record))
	require.NoError(t, cb.Row().After("gorm:row").Register("certtest:row", record))
	require.NoError(t, cb.Raw().After("gorm:raw").Register("certtest:raw", record))
	return s
}

// take returns the statements recorded since the last take.
func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sql
	s.sql = nil
	return out
}

// countQueries returns a function listing the statements run since countQueries was called.
func countQueries(t *testing.T, e *apitest.Env) func() []string {
	t.Helper()
	return recordStatements(t, e).take
}
