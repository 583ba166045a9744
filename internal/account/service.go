package account

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain.
var (
	errNotFound          = apperr.NotFound("account.not_found", "账号不存在")
	errUsernameTaken     = apperr.Conflict("account.username_taken", "用户名已被使用")
	errPhoneTaken        = apperr.Conflict("account.phone_taken", "手机号已被其他账号使用")
	errSelfChange        = apperr.Forbidden("account.self_change", "不能修改自己的角色、单位或状态")
	errManagedElsewhere  = apperr.Forbidden("account.managed_elsewhere", "该账号由其他模块管理（学员、公众参与者或集成客户端）")
	errUnitOutsideScope  = apperr.Invalid("account.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errInvalidCredential = apperr.Unauthorized("auth.invalid_credentials", "用户名或密码错误")
	errLocked            = apperr.New(423, "auth.account_locked", "登录失败次数过多，账号已锁定，请稍后再试")
	errDisabled          = apperr.Forbidden("auth.account_disabled", "账号已停用")
	errBadRefresh        = apperr.Unauthorized("auth.invalid_refresh_token", "登录已失效，请重新登录")
	errRefreshReused     = apperr.Unauthorized("auth.refresh_token_reused", "登录凭证已被使用，为安全起见已退出该设备的登录")
	errTokenRevoked      = apperr.Unauthorized("auth.token_revoked", "登录已失效，请重新登录")
	errWrongPassword     = apperr.Invalid("auth.wrong_password", "当前密码不正确", apperr.Field("current_password", "当前密码不正确"))
	errSamePassword      = apperr.Invalid("auth.password_reused", "新密码不能与当前密码相同", apperr.Field("new_password", "不能与当前密码相同"))
)

const errRateLimited = "auth.rate_limited"

// managedRoles are the roles this API creates and edits; learners, participants and
// integrators belong to their own domains.
var managedRoles = []auth.Role{auth.RoleAdmin, auth.RoleLecturer, auth.RoleAuditor}

func isManaged(r auth.Role) bool {
	for _, m := range managedRoles {
		if m == r {
			return true
		}
	}
	return false
}

var mobilePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// IsMobile reports whether s is a mainland China mobile number.
func IsMobile(s string) bool { return mobilePattern.MatchString(s) }

// Auditor records security-relevant actions.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Units is what accounts need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Settings tune login and tokens.
type Settings struct {
	RefreshTTL               time.Duration
	LockAfterFailures        int
	LockFor                  time.Duration
	LoginPerIPPerMinute      int
	LoginPerAccountPerMinute int
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Store    *Store
	Units    Units
	Audit    Auditor
	Hasher   *auth.Hasher
	Issuer   *auth.Issuer
	Sealer   *crypto.Sealer
	Limiter  ratelimit.Limiter
	Now      func() time.Time
	Settings Settings
}

// Service manages accounts and sessions.
type Service struct {
	Deps
	dummyHash string
}

// NewService builds the service.
func NewService(d Deps) (*Service, error) {
	if d.Settings.LockAfterFailures == 0 {
		d.Settings.LockAfterFailures = 5
	}
	if d.Settings.LockFor == 0 {
		d.Settings.LockFor = 30 * time.Minute
	}
	// A hash to verify against when the username is unknown, so timing does not tell
	// whether an account exists.
	dummy, err := d.Hasher.Hash(auth.GeneratePassword())
	if err != nil {
		return nil, err
	}
	return &Service{Deps: d, dummyHash: dummy}, nil
}

// CountInUnit implements unit.Dependents.
func (s *Service) CountInUnit(ctx context.Context, unitID int64) (int64, error) {
	return s.Store.CountInUnit(ctx, unitID)
}

// normaliseUsername lower-cases so usernames are unique case-insensitively on every dialect.
func normaliseUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// sealPhone returns the sealed phone and its blind index.
func (s *Service) sealPhone(phone string) (enc, index *string, err error) {
	if phone == "" {
		return nil, nil, nil
	}
	sealed, err := s.Sealer.Seal(phone)
	if err != nil {
		return nil, nil, err
	}
	idx := s.Sealer.Index("phone", phone)
	return &sealed, &idx, nil
}

// maskedPhone opens and masks a stored phone for views ("" when none or unreadable).
func (s *Service) maskedPhone(a Account) string {
	if a.PhoneEnc == nil {
		return ""
	}
	phone, err := s.Sealer.Open(*a.PhoneEnc)
	if err != nil {
		return ""
	}
	return crypto.MaskPhone(phone)
}

func (s *Service) record(ctx context.Context, actor *auth.Actor, action string, id int64, outcome audit.Outcome, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: action, ResourceType: "account", ResourceID: id, Outcome: outcome, Detail: detail})
}

// dupError turns a unique-key violation on create/update into the matching 409.
func (s *Service) dupError(ctx context.Context, err error, username *string, phoneIndex *string, selfID int64) error {
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return err
	}
	if username != nil {
		if other, lookupErr := s.Store.ByUsername(ctx, *username); lookupErr == nil && other.ID != selfID {
			return errUsernameTaken
		}
	}
	if phoneIndex != nil {
		return errPhoneTaken
	}
	return errUsernameTaken
}

// inTx runs fn in a transaction.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return database.WithTx(ctx, s.DB, fn)
}
