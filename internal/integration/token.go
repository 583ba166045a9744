package integration

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// Client tokens: issued by the OAuth 2.0 client-credentials grant, and checked against the
// client on every request that carries one.

// TokenInput is a client-credentials token request.
type TokenInput struct {
	GrantType string
	ClientKey string
	Secret    string
	Scope     string // space-separated subset of the client's scopes; empty: all of them
}

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresIn   int
	Scope       string
}

// IssueToken runs the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).
func (s *Service) IssueToken(ctx context.Context, in TokenInput) (*Token, error) {
	if in.GrantType != "client_credentials" {
		if in.GrantType == "" {
			return nil, apperr.BadRequest("oauth.invalid_request", "缺少 grant_type", apperr.Field("grant_type", "必填"))
		}
		return nil, errUnsupportedGrantType
	}
	if in.ClientKey == "" || in.Secret == "" {
		return nil, errInvalidClient
	}
	if limit := s.Settings.TokenPerClientPerMinute; limit > 0 {
		ok, retry, err := s.Limiter.Allow(ctx, "oauth:client:"+auth.HashOpaqueToken(in.ClientKey)[:32], limit, time.Minute)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.TooManyRequests(errCodeTokenRateLimited, "申请令牌过于频繁，请稍后再试", seconds(retry))
		}
	}
	c, err := s.Store.ClientByKey(ctx, in.ClientKey)
	if errors.Is(err, ErrNotFound) {
		s.auditToken(ctx, nil, in.ClientKey, audit.Failure, "unknown_client")
		return nil, errInvalidClient
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if !s.secretMatches(c, in.Secret, now) {
		s.auditToken(ctx, c, in.ClientKey, audit.Failure, "wrong_secret")
		return nil, errInvalidClient
	}
	if c.Status != ClientActive {
		s.auditToken(ctx, c, in.ClientKey, audit.Failure, "disabled")
		return nil, errInvalidClient
	}
	granted := c.ScopeList()
	scopes := granted
	if req := splitList(in.Scope, " "); len(req) > 0 {
		for _, sc := range req {
			if !slices.Contains(granted, sc) {
				return nil, errInvalidScope
			}
		}
		scopes = req
		slices.Sort(scopes)
		scopes = slices.Compact(scopes)
	}
	actor := clientActor(c, scopes)
	access, exp, err := s.Issuer.Issue(auth.TokenSubject{Actor: actor})
	if err != nil {
		return nil, err
	}
	if err := s.Store.UpdateClient(ctx, c.ID, map[string]any{"last_token_at": now}); err != nil {
		return nil, err
	}
	s.auditToken(ctx, c, in.ClientKey, audit.Success, "")
	return &Token{AccessToken: access, ExpiresIn: int(exp.Sub(now).Seconds()), Scope: strings.Join(scopes, " ")}, nil
}

// secretMatches compares in constant time with the current secret and, during the grace
// period after a rotation, the previous one. Secrets are 256 random bits, so one SHA-256 is
// enough to store them: there is nothing to brute-force that a slow hash would protect.
func (s *Service) secretMatches(c *ClientRow, secret string, now time.Time) bool {
	h := []byte(auth.HashOpaqueToken(secret))
	ok := subtle.ConstantTimeCompare(h, []byte(c.SecretHash)) == 1
	if c.PrevSecretHash != nil && c.PrevSecretExpiresAt != nil && c.PrevSecretExpiresAt.After(now) {
		ok = subtle.ConstantTimeCompare(h, []byte(*c.PrevSecretHash)) == 1 || ok
	}
	return ok
}

func clientActor(c *ClientRow, scopes []string) auth.Actor {
	return auth.Actor{ClientID: c.ID, Name: c.Name, Role: auth.RoleIntegrator, UnitID: c.UnitID, UnitPath: c.UnitPath, Scopes: scopes}
}

// Authenticate turns a client token's claims into an Actor, checking on every request that
// the client is still active, limiting its request rate, and narrowing the token's scopes to
// those the client still holds; the unit subtree is the client's current one.
func (s *Service) Authenticate(ctx context.Context, claims *auth.Claims) (auth.Actor, error) {
	c, err := s.Store.Client(ctx, claims.ClientID())
	if errors.Is(err, ErrNotFound) {
		return auth.Actor{}, errClientRevoked
	}
	if err != nil {
		return auth.Actor{}, err
	}
	if c.Status != ClientActive || claims.Role != auth.RoleIntegrator {
		return auth.Actor{}, errClientRevoked
	}
	if limit := s.Settings.RequestsPerClientPerMinute; limit > 0 {
		ok, retry, err := s.Limiter.Allow(ctx, "integration:client:"+itoa(c.ID), limit, time.Minute)
		if err != nil {
			return auth.Actor{}, err
		}
		if !ok {
			return auth.Actor{}, apperr.TooManyRequests(errCodeAPIRateLimited, "请求过于频繁，请稍后再试", seconds(retry))
		}
	}
	held := c.ScopeList()
	scopes := make([]string, 0, len(claims.Scopes))
	for _, sc := range claims.Scopes {
		if slices.Contains(held, sc) {
			scopes = append(scopes, sc)
		}
	}
	return clientActor(c, scopes), nil
}

func (s *Service) auditToken(ctx context.Context, c *ClientRow, key string, outcome audit.Outcome, reason string) {
	e := audit.Entry{Action: "auth.token", ResourceType: "integration_client", Outcome: outcome, ActorName: key}
	if c != nil {
		actor := clientActor(c, nil)
		e.Actor, e.ResourceID = &actor, c.ID
	}
	if reason != "" {
		e.Detail = map[string]any{"reason": reason}
	}
	_ = s.Audit.Record(ctx, e)
}

func seconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}
