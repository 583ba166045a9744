package account

import (
	"context"
	"errors"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// What WeChat login (package wechat) needs from accounts: participant accounts for new openids,
// sessions for accounts it has identified, and a learner's phone-and-password check for binding.

// CreateParticipant creates a public participant's account in unitID (the root unit). It has no
// password: participants only ever log in through WeChat.
func (s *Service) CreateParticipant(ctx context.Context, displayName string, unitID int64) (int64, error) {
	a, err := s.Provision(ctx, ProvisionInput{DisplayName: displayName, Role: auth.RoleParticipant, UnitID: unitID, NoPassword: true})
	if err != nil {
		return 0, err
	}
	return a.ID, nil
}

// OpenSessionFor issues a token pair for an account another domain has authenticated (WeChat
// login, binding). A disabled account is refused like a password login would be.
func (s *Service) OpenSessionFor(ctx context.Context, accountID int64) (*Tokens, error) {
	var tokens *Tokens
	err := s.inTx(ctx, func(ctx context.Context) error {
		// Under the lock, so a disable cannot commit between the check and the new session.
		acct, err := s.Store.GetForUpdate(ctx, accountID)
		if err != nil {
			return err
		}
		if acct.Status != StatusActive {
			return errDisabled
		}
		if err := s.Store.Bookkeep(ctx, acct.ID, map[string]any{"last_login_at": s.Now()}); err != nil {
			return err
		}
		tokens, err = s.openSession(ctx, acct.ID)
		return err
	})
	return tokens, err
}

// CheckLearnerPassword checks a learner's phone and password exactly as a login does (rate
// limits, lockout, audit of failures) without opening a session, and returns the account id.
// Accounts of other roles answer like a wrong password.
func (s *Service) CheckLearnerPassword(ctx context.Context, phone, password string) (int64, error) {
	if err := s.limitLogin(ctx, phone); err != nil {
		return 0, err
	}
	acct, err := s.findByIdentifier(ctx, phone)
	if errors.Is(err, ErrNotFound) || (err == nil && acct.Role != auth.RoleLearner) {
		_, _ = s.Hasher.Verify(s.dummyHash, password)
		s.auditLogin(ctx, nil, phone, audit.Failure, "unknown_account")
		return 0, errInvalidCredential
	}
	if err != nil {
		return 0, err
	}
	now := s.Now()
	if acct.LockedUntil != nil && acct.LockedUntil.After(now) {
		s.auditLogin(ctx, acct, phone, audit.Failure, "locked")
		return 0, withRetry(errLocked, acct.LockedUntil.Sub(now))
	}
	if acct.PasswordHash == unusablePassword {
		_, _ = s.Hasher.Verify(s.dummyHash, password)
		s.auditLogin(ctx, acct, phone, audit.Failure, "no_password")
		return 0, errInvalidCredential
	}
	ok, err := s.Hasher.Verify(acct.PasswordHash, password)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.failLogin(ctx, acct, phone)
	}
	if acct.Status != StatusActive {
		s.auditLogin(ctx, acct, phone, audit.Failure, "disabled")
		return 0, errDisabled
	}
	var refused string
	err = s.inTx(ctx, func(ctx context.Context) error {
		reason, err := s.recheckLogin(ctx, acct, now)
		if err != nil {
			refused = reason
			return err
		}
		return s.Store.Bookkeep(ctx, acct.ID, map[string]any{"failed_logins": 0, "locked_until": nil})
	})
	if refused != "" {
		s.auditLogin(ctx, acct, phone, audit.Failure, refused)
	}
	if err != nil {
		return 0, err
	}
	return acct.ID, nil
}

// ActiveLearnerByPhone finds the active learner account holding a phone (0 when none).
func (s *Service) ActiveLearnerByPhone(ctx context.Context, phone string) (int64, error) {
	a, err := s.Store.ByPhoneIndex(ctx, s.PhoneIndex(phone))
	if errors.Is(err, ErrNotFound) || (err == nil && (a.Role != auth.RoleLearner || a.Status != StatusActive)) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return a.ID, nil
}

// TokenResponse converts a token pair for the API (for other domains' login handlers).
func (s *Service) TokenResponse(t *Tokens) TokenResponse { return s.toTokenResponse(*t) }
