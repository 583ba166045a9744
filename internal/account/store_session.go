package account

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// CreateSession inserts a session with its first refresh token.
func (s *Store) CreateSession(ctx context.Context, sess *Session, token *RefreshToken) error {
	if err := s.conn(ctx).Create(sess).Error; err != nil {
		return err
	}
	return s.conn(ctx).Create(token).Error
}

// RefreshByHash loads a refresh token and its session.
func (s *Store) RefreshByHash(ctx context.Context, hash string) (*RefreshToken, *Session, error) {
	var t RefreshToken
	err := s.conn(ctx).Where("token_hash = ?", hash).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var sess Session
	if err := s.conn(ctx).Where("id = ?", t.SessionID).Take(&sess).Error; err != nil {
		return nil, nil, err
	}
	return &t, &sess, nil
}

// SpendRefresh marks a token used; false means someone spent it first (reuse or a race).
func (s *Store) SpendRefresh(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", id).Update("used_at", at)
	return res.RowsAffected == 1, res.Error
}

// AddRefresh stores the next token of a session and touches the session.
func (s *Store) AddRefresh(ctx context.Context, t *RefreshToken) error {
	if err := s.conn(ctx).Create(t).Error; err != nil {
		return err
	}
	return s.conn(ctx).Model(&Session{}).Where("id = ?", t.SessionID).Update("last_used_at", t.CreatedAt).Error
}

// RevokeSession revokes one of an account's sessions (idempotent).
func (s *Store) RevokeSession(ctx context.Context, accountID int64, id string, at time.Time, reason string) error {
	s.changed(ctx, accountID)
	return s.conn(ctx).Model(&Session{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason}).Error
}

// RevokeAccountSessions revokes every live session of an account except keep (may be "").
func (s *Store) RevokeAccountSessions(ctx context.Context, accountID int64, keep string, at time.Time, reason string) error {
	s.changed(ctx, accountID)
	return s.conn(ctx).Model(&Session{}).Where("account_id = ? AND revoked_at IS NULL AND id <> ?", accountID, keep).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason}).Error
}
