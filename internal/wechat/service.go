package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// Errors of this domain.
var (
	errDisabled       = apperr.New(503, "wechat.disabled", "微信登录未启用")
	errInvalidCode    = apperr.Unauthorized("wechat.invalid_code", "微信登录凭证无效，请重新登录").WithFields(apperr.Field("code", "无效或已过期"))
	errCodeUsed       = apperr.Unauthorized("wechat.code_used", "微信登录凭证已被使用，请重新登录").WithFields(apperr.Field("code", "已被使用"))
	errHighRisk       = apperr.Forbidden("wechat.high_risk_user", "该微信账号存在风险，暂不能登录")
	errUpstreamBusy   = apperr.New(503, "wechat.busy", "微信服务繁忙，请稍后再试")
	errUpstream       = apperr.New(502, "wechat.upstream_error", "微信服务异常，请稍后再试")
	errNotLinked      = apperr.NotFound("wechat.not_linked", "当前账号不是通过微信登录的")
	errAlreadyBound   = apperr.Conflict("wechat.already_bound", "该微信已绑定学员账号")
	errLearnerBound   = apperr.Conflict("wechat.learner_already_bound", "该学员账号已绑定其他微信")
	errNotBound       = apperr.Conflict("wechat.not_bound", "当前账号未绑定微信")
	errNoLearner      = apperr.NotFound("wechat.learner_not_found", "该手机号未登记为学员")
	errInvalidPhoneCd = apperr.Invalid("wechat.invalid_phone_code", "手机号授权凭证无效，请重新授权", apperr.Field("phone_code", "无效或已过期"))
	errBindInput      = apperr.Invalid("request.validation", "请求参数有误",
		apperr.Field("phone_code", "须提供 phone_code，或同时提供 phone 和 password"))
)

// API is the part of the WeChat client the service calls (nil when WeChat is off).
type API interface {
	Code2Session(ctx context.Context, code string) (*Session, error)
	PhoneNumber(ctx context.Context, code string) (string, error)
	SendSubscribe(ctx context.Context, m SubscribeMessage) error
}

// Accounts is what WeChat login needs from accounts.
type Accounts interface {
	CreateParticipant(ctx context.Context, displayName string, unitID int64) (int64, error)
	OpenSessionFor(ctx context.Context, accountID int64) (*account.Tokens, error)
	CheckLearnerPassword(ctx context.Context, phone, password string) (int64, error)
	ActiveLearnerByPhone(ctx context.Context, phone string) (int64, error)
	TokenResponse(t *account.Tokens) account.TokenResponse
}

// Auditor records logins and bindings.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Settings tune login and the reminder template.
type Settings struct {
	LoginPerIPPerMinute     int
	LoginPerOpenIDPerMinute int
	ReminderTemplateID      string
	ReminderPage            string
	// MiniProgramState is sent with subscribe messages: formal, trial or developer.
	MiniProgramState string
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Store    *Store
	API      API
	Accounts Accounts
	Audit    Auditor
	Limiter  ratelimit.Limiter
	RootUnit func(ctx context.Context) (int64, error)
	Log      *slog.Logger
	Now      func() time.Time
	Settings Settings
}

// Service logs mini-program users in and binds them to learners.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service { return &Service{Deps: d} }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// LoginResult is a token pair and whether this openid was seen for the first time.
type LoginResult struct {
	Tokens *account.Tokens
	New    bool
}

// Login exchanges a wx.login code: tokens for the learner bound to the openid, else for its
// participant account (created at the first login). Rate limited per client IP before calling
// WeChat and per openid after; every outcome is audited.
func (s *Service) Login(ctx context.Context, code string) (*LoginResult, error) {
	if s.API == nil {
		return nil, errDisabled
	}
	if err := s.limit(ctx, "wechat:ip:"+reqctx.From(ctx).IP, s.Settings.LoginPerIPPerMinute); err != nil {
		return nil, err
	}
	sess, err := s.API.Code2Session(ctx, code)
	if err != nil {
		s.auditLogin(ctx, nil, 0, audit.Failure, loginReason(err))
		return nil, s.upstream(ctx, err)
	}
	if err := s.limit(ctx, "wechat:openid:"+auth.HashOpaqueToken(sess.OpenID)[:32], s.Settings.LoginPerOpenIDPerMinute); err != nil {
		return nil, err
	}
	id, created, err := s.identity(ctx, sess)
	if err != nil {
		return nil, err
	}
	accountID := id.ParticipantAccountID
	if id.LearnerAccountID != nil {
		accountID = *id.LearnerAccountID
	}
	var out *LoginResult
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		tokens, err := s.Accounts.OpenSessionFor(ctx, accountID)
		if err != nil {
			return err
		}
		if err := s.Store.Touch(ctx, id.ID, s.now()); err != nil {
			return err
		}
		out = &LoginResult{Tokens: tokens, New: created}
		return nil
	})
	if err != nil {
		s.auditLogin(ctx, id, accountID, audit.Failure, "account_refused")
		return nil, err
	}
	s.auditLogin(ctx, id, accountID, audit.Success, "")
	return out, nil
}

// identity returns the openid's identity, creating it with a participant account at the first
// login. Two first logins racing: the loser's insert hits the unique openid and it reads the
// winner's row.
func (s *Service) identity(ctx context.Context, sess *Session) (*Identity, bool, error) {
	id, err := s.Store.ByOpenID(ctx, sess.OpenID)
	if !errors.Is(err, ErrNotFound) {
		return id, false, err
	}
	root, err := s.RootUnit(ctx)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	id = &Identity{OpenID: sess.OpenID, CreatedAt: now, UpdatedAt: now}
	if sess.UnionID != "" {
		id.UnionID = &sess.UnionID
	}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		accountID, err := s.Accounts.CreateParticipant(ctx, "微信用户"+sess.OpenID[len(sess.OpenID)-4:], root)
		if err != nil {
			return err
		}
		id.ParticipantAccountID = accountID
		return s.Store.Create(ctx, id)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		id, err = s.Store.ByOpenID(ctx, sess.OpenID)
		return id, false, err
	}
	return id, err == nil, err
}

// BindInput is a participant's proof of being a learner: phone and password, or a phone-number
// code from the mini-program's getPhoneNumber button.
type BindInput struct {
	Phone     string
	Password  string
	PhoneCode string
}

// Bind binds the caller's openid (the caller is its participant account) to a learner account
// and answers with the learner's tokens: from then on WeChat login signs in as the learner.
func (s *Service) Bind(ctx context.Context, actor auth.Actor, in BindInput) (*account.Tokens, error) {
	if (in.PhoneCode == "") == (in.Phone == "" || in.Password == "") {
		return nil, errBindInput
	}
	id, err := s.Store.ByParticipant(ctx, actor.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotLinked
	}
	if err != nil {
		return nil, err
	}
	if id.LearnerAccountID != nil {
		return nil, errAlreadyBound
	}
	learnerID, method, err := s.proveLearner(ctx, in)
	if err != nil {
		s.auditBind(ctx, actor, "wechat.bind", id, 0, audit.Failure, map[string]any{"method": method, "reason": errCode(err)})
		return nil, err
	}
	var tokens *account.Tokens
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		ok, err := s.Store.Bind(ctx, id.ID, learnerID, s.now())
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errLearnerBound
		}
		if err != nil {
			return err
		}
		if !ok {
			return errAlreadyBound
		}
		if err := s.auditBind(ctx, actor, "wechat.bind", id, learnerID, audit.Success, map[string]any{"method": method}); err != nil {
			return err
		}
		tokens, err = s.Accounts.OpenSessionFor(ctx, learnerID)
		return err
	})
	return tokens, err
}

func (s *Service) proveLearner(ctx context.Context, in BindInput) (int64, string, error) {
	if in.PhoneCode == "" {
		id, err := s.Accounts.CheckLearnerPassword(ctx, in.Phone, in.Password)
		return id, "password", err
	}
	if s.API == nil {
		return 0, "phone_code", errDisabled
	}
	phone, err := s.API.PhoneNumber(ctx, in.PhoneCode)
	if IsCode(err, CodeInvalidCode) {
		return 0, "phone_code", errInvalidPhoneCd
	}
	if err != nil {
		return 0, "phone_code", s.upstream(ctx, err)
	}
	id, err := s.Accounts.ActiveLearnerByPhone(ctx, phone)
	if err == nil && id == 0 {
		err = errNoLearner
	}
	return id, "phone_code", err
}

// Unbind detaches the caller (a learner) from their WeChat: WeChat login signs in as the
// participant again, and the subscribe-message allowances (which belonged to that openid) go.
func (s *Service) Unbind(ctx context.Context, actor auth.Actor) error {
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		id, err := s.Store.ByLearner(ctx, actor.AccountID)
		if errors.Is(err, ErrNotFound) {
			return errNotBound
		}
		if err != nil {
			return err
		}
		if err := s.Store.Unbind(ctx, id.ID, s.now()); err != nil {
			return err
		}
		if err := s.Store.DeleteSubscriptions(ctx, actor.AccountID); err != nil {
			return err
		}
		return s.auditBind(ctx, actor, "wechat.unbind", id, actor.AccountID, audit.Success, nil)
	})
}

// limit applies one per-minute limit (0: off).
func (s *Service) limit(ctx context.Context, key string, perMinute int) error {
	if perMinute <= 0 {
		return nil
	}
	ok, retry, err := s.Limiter.Allow(ctx, key, perMinute, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.TooManyRequests("auth.rate_limited", "登录尝试过于频繁，请稍后再试", int(retry.Seconds()+0.999))
	}
	return nil
}

// upstream turns a WeChat failure into what the client sees; transport failures and unknown
// codes are logged (without secrets: the client never puts them in errors) and answered 502.
func (s *Service) upstream(ctx context.Context, err error) error {
	var we *Error
	if errors.As(err, &we) {
		switch we.Code {
		case CodeInvalidCode:
			return errInvalidCode
		case CodeCodeUsed:
			return errCodeUsed
		case CodeHighRiskUser:
			return errHighRisk
		case CodeMinuteQuota, CodeSystemBusy:
			return errUpstreamBusy
		}
	}
	s.Log.WarnContext(ctx, "wechat call failed", "error", err.Error())
	return errUpstream
}

func loginReason(err error) string {
	var we *Error
	if errors.As(err, &we) {
		return fmt.Sprintf("errcode_%d", we.Code)
	}
	return "upstream"
}

func errCode(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return "internal"
}

// auditLogin records a WeChat login. Like password logins, a failure to audit must not turn a
// correct login into an error.
func (s *Service) auditLogin(ctx context.Context, id *Identity, accountID int64, outcome audit.Outcome, reason string) {
	e := audit.Entry{Action: "auth.wechat_login", ResourceType: "wechat_identity", Outcome: outcome, ActorName: "wechat"}
	detail := map[string]any{}
	if id != nil {
		e.ResourceID = id.ID
		detail["bound"] = id.LearnerAccountID != nil
	}
	if accountID > 0 {
		detail["account_id"] = accountID
	}
	if reason != "" {
		detail["reason"] = reason
	}
	e.Detail = detail
	_ = s.Audit.Record(ctx, e)
}

func (s *Service) auditBind(ctx context.Context, actor auth.Actor, action string, id *Identity, learnerAccountID int64, outcome audit.Outcome, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	if learnerAccountID > 0 {
		detail["learner_account_id"] = learnerAccountID
	}
	detail["participant_account_id"] = id.ParticipantAccountID
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "wechat_identity", ResourceID: id.ID, Outcome: outcome, Detail: detail})
}
