package account

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// Tokens is a fresh access/refresh pair.
type Tokens struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	Account          *Row
}

// Login checks a username or phone and password. It rate-limits per client IP and per
// identifier, locks the account after repeated failures and audits every outcome.
func (s *Service) Login(ctx context.Context, identifier, password string) (*Tokens, error) {
	if err := s.limitLogin(ctx, identifier); err != nil {
		return nil, err
	}
	acct, err := s.findByIdentifier(ctx, identifier)
	if errors.Is(err, ErrNotFound) {
		_, _ = s.Hasher.Verify(s.dummyHash, password)
		s.auditLogin(ctx, nil, identifier, audit.Failure, "unknown_account")
		return nil, errInvalidCredential
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if acct.LockedUntil != nil && acct.LockedUntil.After(now) {
		s.auditLogin(ctx, acct, identifier, audit.Failure, "locked")
		return nil, withRetry(errLocked, acct.LockedUntil.Sub(now))
	}
	if acct.PasswordHash == unusablePassword {
		_, _ = s.Hasher.Verify(s.dummyHash, password) // same timing as a wrong password
		s.auditLogin(ctx, acct, identifier, audit.Failure, "no_password")
		return nil, errInvalidCredential
	}
	ok, err := s.Hasher.Verify(acct.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failLogin(ctx, acct, identifier)
	}
	if acct.Status != StatusActive {
		s.auditLogin(ctx, acct, identifier, audit.Failure, "disabled")
		return nil, errDisabled
	}
	var tokens *Tokens
	var refused string
	err = s.inTx(ctx, func(ctx context.Context) error {
		reason, err := s.recheckLogin(ctx, acct, now)
		if err != nil {
			refused = reason
			return err
		}
		if err := s.Store.Bookkeep(ctx, acct.ID, map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now}); err != nil {
			return err
		}
		tokens, err = s.openSession(ctx, acct.ID)
		if err != nil {
			return err
		}
		s.auditLogin(ctx, acct, identifier, audit.Success, "")
		return nil
	})
	if refused != "" {
		s.auditLogin(ctx, acct, identifier, audit.Failure, refused)
	}
	return tokens, err
}

// recheckLogin locks the account and checks again what a login checked before verifying the
// password (outside any lock: hashing is slow): a password change or reset, a disable or a
// lockout committed meanwhile must neither be outlived by the new session nor undone by the
// reset of the failure count. reason says why it refused, for the audit.
func (s *Service) recheckLogin(ctx context.Context, verified *Account, now time.Time) (reason string, err error) {
	cur, err := s.Store.GetForUpdate(ctx, verified.ID)
	switch {
	case err != nil:
		return "", err
	case cur.PasswordHash != verified.PasswordHash:
		return "password_changed", errInvalidCredential
	case cur.LockedUntil != nil && cur.LockedUntil.After(now):
		return "locked", withRetry(errLocked, cur.LockedUntil.Sub(now))
	case cur.Status != StatusActive:
		return "disabled", errDisabled
	}
	return "", nil
}

func (s *Service) findByIdentifier(ctx context.Context, identifier string) (*Account, error) {
	if IsMobile(identifier) {
		return s.Store.ByPhoneIndex(ctx, s.Sealer.Index("phone", identifier))
	}
	return s.Store.ByUsername(ctx, normaliseUsername(identifier))
}

func (s *Service) limitLogin(ctx context.Context, identifier string) error {
	checks := []struct {
		key   string
		limit int
	}{
		{"login:ip:" + reqctx.From(ctx).IP, s.Settings.LoginPerIPPerMinute},
		// Hashed so that no phone number becomes a Redis key.
		{"login:id:" + auth.HashOpaqueToken(normaliseUsername(identifier))[:32], s.Settings.LoginPerAccountPerMinute},
	}
	for _, c := range checks {
		if c.limit <= 0 {
			continue
		}
		ok, retry, err := s.Limiter.Allow(ctx, c.key, c.limit, time.Minute)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.TooManyRequests(errRateLimited, "登录尝试过于频繁，请稍后再试", seconds(retry))
		}
	}
	return nil
}

// failLogin counts a wrong password and locks the account at the threshold.
func (s *Service) failLogin(ctx context.Context, acct *Account, identifier string) error {
	n, err := s.Store.RecordFailedLogin(ctx, acct.ID)
	if err != nil {
		return err
	}
	if n < s.Settings.LockAfterFailures {
		s.auditLogin(ctx, acct, identifier, audit.Failure, "wrong_password")
		return errInvalidCredential
	}
	until := s.Now().Add(s.Settings.LockFor)
	if err := s.Store.Bookkeep(ctx, acct.ID, map[string]any{"failed_logins": 0, "locked_until": until}); err != nil {
		return err
	}
	s.auditLogin(ctx, acct, identifier, audit.Failure, "locked_now")
	return withRetry(errLocked, s.Settings.LockFor)
}

// auditLogin records a login attempt. A failure to audit a login must not turn a correct
// login into an error, so it is logged by the audit store's caller chain and ignored here.
func (s *Service) auditLogin(ctx context.Context, acct *Account, identifier string, outcome audit.Outcome, reason string) {
	if IsMobile(identifier) {
		identifier = crypto.MaskPhone(identifier) // the audit log shows who tried, never a phone number
	}
	e := audit.Entry{Action: "auth.login", ResourceType: "account", Outcome: outcome, ActorName: identifier}
	if acct != nil {
		actor := auth.Actor{AccountID: acct.ID, Name: identifier, Role: acct.Role, UnitID: acct.UnitID}
		if u, err := s.Units.Lookup(ctx, acct.UnitID); err == nil {
			actor.UnitPath = u.Path
		}
		e.Actor, e.ResourceID = &actor, acct.ID
	}
	if reason != "" {
		e.Detail = map[string]any{"reason": reason}
	}
	_ = s.Audit.Record(ctx, e)
}

// openSession starts a session with its first refresh token and issues an access token.
func (s *Service) openSession(ctx context.Context, accountID int64) (*Tokens, error) {
	now := s.Now()
	info := reqctx.From(ctx)
	sess := &Session{
		ID: uuid.NewString(), AccountID: accountID, IP: info.IP, UserAgent: truncate(info.UserAgent, 255),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.Settings.RefreshTTL),
	}
	refresh, hash := auth.NewOpaqueToken()
	token := &RefreshToken{SessionID: sess.ID, TokenHash: hash, ExpiresAt: sess.ExpiresAt, CreatedAt: now}
	if err := s.Store.CreateSession(ctx, sess, token); err != nil {
		return nil, err
	}
	return s.issue(ctx, accountID, sess.ID, refresh, token.ExpiresAt)
}

// issue signs an access token for the account's current state.
func (s *Service) issue(ctx context.Context, accountID int64, sessionID, refresh string, refreshExp time.Time) (*Tokens, error) {
	row, err := s.Store.GetRow(ctx, accountID)
	if err != nil {
		return nil, err
	}
	actor := auth.Actor{AccountID: row.ID, Name: row.DisplayName, Role: row.Role, UnitID: row.UnitID, UnitPath: row.UnitPath, SessionID: sessionID}
	access, exp, err := s.Issuer.Issue(auth.TokenSubject{Actor: actor, TokenVersion: row.TokenVersion})
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, AccessExpiresAt: exp, RefreshToken: refresh, RefreshExpiresAt: refreshExp, Account: row}, nil
}

// Refresh rotates a refresh token. Presenting a token that was already spent revokes its whole
// session (token family): someone else has a copy.
func (s *Service) Refresh(ctx context.Context, refresh string) (*Tokens, error) {
	token, sess, err := s.Store.RefreshByHash(ctx, auth.HashOpaqueToken(refresh))
	if errors.Is(err, ErrNotFound) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if sess.RevokedAt != nil || !token.ExpiresAt.After(now) || !sess.ExpiresAt.After(now) {
		return nil, errBadRefresh
	}
	if token.UsedAt != nil {
		return nil, s.revokeReused(ctx, sess)
	}
	var tokens *Tokens
	var reused bool
	err = s.inTx(ctx, func(ctx context.Context) error {
		spent, err := s.Store.SpendRefresh(ctx, token.ID, now)
		if err != nil || !spent {
			reused = !spent
			return err
		}
		acct, err := s.Store.Get(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		if acct.Status != StatusActive {
			return errBadRefresh
		}
		next, hash := auth.NewOpaqueToken()
		if err := s.Store.AddRefresh(ctx, &RefreshToken{SessionID: sess.ID, TokenHash: hash, ExpiresAt: sess.ExpiresAt, CreatedAt: now}); err != nil {
			return err
		}
		tokens, err = s.issue(ctx, acct.ID, sess.ID, next, sess.ExpiresAt)
		return err
	})
	if reused {
		return nil, s.revokeReused(ctx, sess)
	}
	return tokens, err
}

func (s *Service) revokeReused(ctx context.Context, sess *Session) error {
	if err := s.Store.RevokeSession(ctx, sess.AccountID, sess.ID, s.Now(), "refresh_reuse"); err != nil {
		return err
	}
	_ = s.Audit.Record(ctx, audit.Entry{Action: "auth.refresh_reuse", ResourceType: "account", ResourceID: sess.AccountID,
		Outcome: audit.Failure, Detail: map[string]any{"session_id": sess.ID}})
	return errRefreshReused
}

// Logout revokes the actor's current session: its refresh tokens and access tokens stop working.
func (s *Service) Logout(ctx context.Context, actor auth.Actor) error {
	if actor.SessionID == "" {
		return nil
	}
	return s.Store.RevokeSession(ctx, actor.AccountID, actor.SessionID, s.Now(), "logout")
}

// Authenticate turns verified token claims into an Actor, checking against the database on
// every request that the account is active, its token version current (a password change,
// role change or disable revokes at once) and its session not revoked.
func (s *Service) Authenticate(ctx context.Context, c *auth.Claims) (auth.Actor, error) {
	now := s.Now()
	p, err := s.Store.Principal(ctx, c.AccountID(), c.SessionID, now)
	if errors.Is(err, ErrNotFound) {
		return auth.Actor{}, errTokenRevoked
	}
	if err != nil {
		return auth.Actor{}, err
	}
	switch {
	case p.Status != StatusActive, p.TokenVersion != c.TokenVersion, p.Role != c.Role:
		return auth.Actor{}, errTokenRevoked
	case c.SessionID != "" && (!p.SessionFound || p.SessionRevokedAt != nil || (p.SessionExpiresAt != nil && !p.SessionExpiresAt.After(now))):
		return auth.Actor{}, errTokenRevoked
	}
	return auth.Actor{
		AccountID: p.ID, Name: p.DisplayName, Role: p.Role, UnitID: p.UnitID, UnitPath: p.UnitPath,
		Scopes: c.Scopes, SessionID: c.SessionID, MustChangePassword: p.MustChangePassword,
	}, nil
}

// ChangePassword checks the current password, applies the policy, revokes every other session
// and access token, and returns a fresh pair for this device.
func (s *Service) ChangePassword(ctx context.Context, actor auth.Actor, current, next string) (*Tokens, error) {
	acct, err := s.Store.Get(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	ok, err := s.Hasher.Verify(acct.PasswordHash, current)
	if err != nil {
		return nil, err
	}
	if !ok {
		_ = s.record(ctx, &actor, "account.change_password", actor.AccountID, audit.Failure, map[string]any{"reason": "wrong_password"})
		return nil, errWrongPassword
	}
	if msg := auth.CheckPolicy(next); msg != "" {
		return nil, apperr.Invalid("auth.weak_password", msg, apperr.Field("new_password", msg))
	}
	if current == next {
		return nil, errSamePassword
	}
	hash, err := s.Hasher.Hash(next)
	if err != nil {
		return nil, err
	}
	var tokens *Tokens
	err = s.inTx(ctx, func(ctx context.Context) error {
		// Checked again under the lock (the hashing above holds none): a reset or change
		// committed meanwhile replaced the password checked, a disable revoked the caller.
		cur, err := s.Store.GetForUpdate(ctx, acct.ID)
		switch {
		case err != nil:
			return err
		case cur.PasswordHash != acct.PasswordHash:
			return errWrongPassword
		case cur.Status != StatusActive:
			return errTokenRevoked
		}
		now := s.Now()
		if err := s.Store.Update(ctx, acct.ID, map[string]any{
			"password_hash": hash, "must_change_password": false, "token_version": cur.TokenVersion + 1,
		}); err != nil {
			return err
		}
		if err := s.Store.RevokeAccountSessions(ctx, acct.ID, "", now, "password_change"); err != nil {
			return err
		}
		if err := s.record(ctx, &actor, "account.change_password", acct.ID, audit.Success, nil); err != nil {
			return err
		}
		tokens, err = s.openSession(ctx, acct.ID)
		return err
	})
	if errors.Is(err, errWrongPassword) {
		_ = s.record(ctx, &actor, "account.change_password", actor.AccountID, audit.Failure, map[string]any{"reason": "password_changed"})
	}
	return tokens, err
}

// Me returns the actor's own account with its unit.
func (s *Service) Me(ctx context.Context, actor auth.Actor) (*Row, error) {
	return s.Store.GetRow(ctx, actor.AccountID)
}

func withRetry(e *apperr.Error, d time.Duration) *apperr.Error {
	out := *e
	out.RetryAfterSeconds = seconds(d)
	return &out
}

func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
