package certificate

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// MaxReason bounds a revoke reason (the column's size).
const MaxReason = 500

// Errors of this domain.
var (
	errNotFound       = apperr.NotFound("certificate.not_found", "证书不存在")
	errAlreadyRevoked = apperr.Conflict("certificate.already_revoked", "证书已撤销")
	errNotALearner    = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errReason         = apperr.Invalid("request.validation", "请求参数有误",
		apperr.Field("reason", "请填写撤销原因（1–500 个字）"))
)

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Deps are the service's collaborators.
type Deps struct {
	DB      *gorm.DB
	Store   *Store
	Keys    *KeySet
	Audit   Auditor
	Limiter ratelimit.Limiter
	// LookupPerIPPerMinute limits public lookups by code per client IP.
	LookupPerIPPerMinute int
	Now                  func() time.Time
}

// Service issues, shows and revokes certificates.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

// now is the server clock at the precision both databases store.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Lookup is the public read of a certificate by code. A malformed code looks up a code that can
// never exist, so it costs the same query as an unknown one and answers the same 404: neither
// the answer nor its timing tells a caller which it was.
func (s *Service) Lookup(ctx context.Context, raw string) (*Row, error) {
	if err := s.limitLookup(ctx); err != nil {
		return nil, err
	}
	code, ok := normalizeCode(raw)
	if !ok {
		code = noSuchCode
	}
	row, err := s.Store.ByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	return row, err
}

func (s *Service) limitLookup(ctx context.Context) error {
	ok, retry, err := s.Limiter.Allow(ctx, "certificate:lookup:ip:"+reqctx.From(ctx).IP, s.LookupPerIPPerMinute, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.TooManyRequests("certificate.rate_limited", "查询过于频繁，请稍后再试", int(retry.Seconds())+1)
	}
	return nil
}

// PublicKeys are the keys that verify certificates, the active one first.
func (s *Service) PublicKeys() []PublicKey { return s.Keys.Published() }

// ActiveKeyID is the key id new certificates are signed with.
func (s *Service) ActiveKeyID() string { return s.Keys.ActiveKID() }

// Mine lists the calling learner's certificates, newest first (revoked ones included, marked).
func (s *Service) Mine(ctx context.Context, actor auth.Actor, offset, limit int) ([]Row, int64, error) {
	learnerID, err := s.Store.LearnerIDByAccount(ctx, actor.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, errNotALearner
	}
	if err != nil {
		return nil, 0, err
	}
	return s.Store.ListByLearner(ctx, learnerID, offset, limit)
}

// Revoke revokes a certificate of a learner in the admin's subtree (404 for any other, so codes
// do not leak), for a result corrected after the close. Audited in the same transaction.
func (s *Service) Revoke(ctx context.Context, actor auth.Actor, rawCode, reason string) (*Row, error) {
	if actor.Role != auth.RoleAdmin {
		return nil, apperr.ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return nil, errReason
	}
	code, ok := normalizeCode(rawCode)
	if !ok {
		return nil, errNotFound
	}
	var out *Row
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		row, err := s.Store.ByCode(ctx, code)
		if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(row.LearnerUnitPath)) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		by := actor.AccountID
		revoked, err := s.Store.Revoke(ctx, row.ID, &by, reason, s.now())
		if err != nil {
			return err
		}
		if !revoked {
			return errAlreadyRevoked
		}
		if err := s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "certificate.revoke", ResourceType: "certificate",
			ResourceID: row.ID, Outcome: audit.Success, Detail: map[string]any{
				"code": row.Code, "learner_id": row.LearnerID, "campaign_id": row.CampaignID, "close_no": row.CloseNo, "reason": reason,
			}}); err != nil {
			return err
		}
		out, err = s.Store.ByID(ctx, row.ID)
		return err
	})
	return out, err
}
