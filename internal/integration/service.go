package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ratelimit"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain. The token endpoint's codes follow RFC 6749 §5.2 (invalid_client,
// invalid_scope, unsupported_grant_type, invalid_request) inside the API's error envelope.
var (
	errClientNotFound       = apperr.NotFound("integration.client_not_found", "集成客户端不存在")
	errClientDisabled       = apperr.Conflict("integration.client_disabled", "集成客户端已停用")
	errUnitNotFound         = apperr.Invalid("integration.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在"))
	errInvalidClient        = apperr.Unauthorized("oauth.invalid_client", "客户端认证失败")
	errInvalidScope         = apperr.BadRequest("oauth.invalid_scope", "申请的授权范围超出客户端的授权", apperr.Field("scope", "超出客户端的授权范围"))
	errUnsupportedGrantType = apperr.BadRequest("oauth.unsupported_grant_type", "仅支持 client_credentials 授权方式", apperr.Field("grant_type", "必须是 client_credentials"))
	errClientRevoked        = apperr.Unauthorized("auth.token_revoked", "客户端已停用或凭证已失效")
)

const (
	errCodeTokenRateLimited = "oauth.rate_limited"
	errCodeAPIRateLimited   = "integration.rate_limited"
	clientKeyPrefix         = "xfc_"
	clientSecretPrefix      = "xfs_"
	webhookSecretPrefix     = "whsec_"
)

// Units is what integration needs from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Auditor records client management and token requests.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Settings tune clients, tokens and webhooks.
type Settings struct {
	SecretGrace                time.Duration
	TokenPerClientPerMinute    int
	RequestsPerClientPerMinute int
	AllowPrivateWebhooks       bool
	WebhookTimeout             time.Duration
	WebhookMaxAttempts         int
	WebhookBackoff             time.Duration
	WebhookDisableAfter        int
	DeliveryRetention          time.Duration // finished deliveries and their events are deleted after this; 0: kept
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Store    *Store
	Units    Units
	Audit    Auditor
	Issuer   *auth.Issuer
	Sealer   *crypto.Sealer
	Limiter  ratelimit.Limiter
	Now      func() time.Time
	Settings Settings
	// HTTP sends webhook deliveries; nil builds one that refuses private addresses at dial time
	// (unless Settings.AllowPrivateWebhooks).
	HTTP *http.Client
	// Resolver resolves webhook hosts when their URL is validated; nil: net.DefaultResolver.
	Resolver Resolver
}

// Service manages clients, tokens, webhooks and their deliveries.
type Service struct {
	Deps
}

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Settings.WebhookMaxAttempts <= 0 {
		d.Settings.WebhookMaxAttempts = 8
	}
	if d.Settings.WebhookBackoff <= 0 {
		d.Settings.WebhookBackoff = 30 * time.Second
	}
	if d.Settings.WebhookTimeout <= 0 {
		d.Settings.WebhookTimeout = 10 * time.Second
	}
	if d.Resolver == nil {
		d.Resolver = defaultResolver{}
	}
	if d.HTTP == nil {
		d.HTTP = newWebhookClient(d.Settings.WebhookTimeout, d.Settings.AllowPrivateWebhooks)
	}
	return &Service{Deps: d}
}

// randomToken returns prefix + base64url of 32 random bytes (256 bits).
func randomToken(prefix string) string {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	return prefix + base64.RawURLEncoding.EncodeToString(buf)
}

func newClientKey() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	return clientKeyPrefix + hex.EncodeToString(buf)
}

// ClientInput creates or changes a client.
type ClientInput struct {
	Name   *string
	UnitID *int64
	Scopes []string
}

func checkScopes(scopes []string) (string, error) {
	if len(scopes) == 0 {
		return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("scopes", "至少授权一个范围"))
	}
	var out []string
	for _, s := range scopes {
		if !slices.Contains(AllScopes(), s) {
			return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("scopes", "未知的授权范围: "+s))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " "), nil
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
		return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("name", "名称须为 2–100 个字"))
	}
	return name, nil
}

// requireRootAdmin lets only the county (root-unit) admin manage clients.
func requireRootAdmin(actor auth.Actor) error {
	if !actor.IsRootAdmin() {
		return apperr.ErrForbidden
	}
	return nil
}

// CreatedClient is a new client and its secret, shown this once.
type CreatedClient struct {
	Row    *ClientRow
	Secret string
}

// CreateClient registers a client for a unit subtree with scopes (root admins only).
func (s *Service) CreateClient(ctx context.Context, actor auth.Actor, in ClientInput) (*CreatedClient, error) {
	if err := requireRootAdmin(actor); err != nil {
		return nil, err
	}
	var fields []apperr.FieldError
	name, err := checkName(deref(in.Name))
	if err != nil {
		fields = append(fields, err.(*apperr.Error).Fields...)
	}
	scopes, err := checkScopes(in.Scopes)
	if err != nil {
		fields = append(fields, err.(*apperr.Error).Fields...)
	}
	if in.UnitID == nil || *in.UnitID <= 0 {
		fields = append(fields, apperr.Field("unit_id", "必填"))
	}
	if len(fields) > 0 {
		return nil, apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	u, err := s.Units.Lookup(ctx, *in.UnitID)
	if err != nil || !actor.Covers(u.Path) {
		return nil, errUnitNotFound
	}
	secret := randomToken(clientSecretPrefix)
	now := s.Now()
	createdBy := actor.AccountID
	c := &Client{ClientKey: newClientKey(), Name: name, UnitID: u.ID, Scopes: scopes, Status: ClientActive,
		SecretHash: auth.HashOpaqueToken(secret), CreatedBy: &createdBy, CreatedAt: now, UpdatedAt: now}
	out := &CreatedClient{Secret: secret}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.CreateClient(ctx, c); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "integration.client_create", "integration_client", c.ID,
			map[string]any{"name": name, "unit_id": u.ID, "scopes": scopes}); err != nil {
			return err
		}
		out.Row, err = s.Store.Client(ctx, c.ID)
		return err
	})
	return out, err
}

// Clients lists every client (root admins only).
func (s *Service) Clients(ctx context.Context, actor auth.Actor, offset, limit int) ([]ClientRow, int64, error) {
	if err := requireRootAdmin(actor); err != nil {
		return nil, 0, err
	}
	return s.Store.Clients(ctx, offset, limit)
}

// Client returns one client (root admins only).
func (s *Service) Client(ctx context.Context, actor auth.Actor, id int64) (*ClientRow, error) {
	if err := requireRootAdmin(actor); err != nil {
		return nil, err
	}
	c, err := s.Store.Client(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errClientNotFound
	}
	return c, err
}

// UpdateClient renames a client or changes its scopes or unit. Tokens already issued lose a
// withdrawn scope at once (every request re-reads the client).
func (s *Service) UpdateClient(ctx context.Context, actor auth.Actor, id int64, in ClientInput) (*ClientRow, error) {
	if _, err := s.Client(ctx, actor, id); err != nil {
		return nil, err
	}
	cols := map[string]any{"updated_at": s.Now()}
	changed := []string{}
	if in.Name != nil {
		name, err := checkName(*in.Name)
		if err != nil {
			return nil, err
		}
		cols["name"] = name
		changed = append(changed, "name")
	}
	if in.Scopes != nil {
		scopes, err := checkScopes(in.Scopes)
		if err != nil {
			return nil, err
		}
		cols["scopes"] = scopes
		changed = append(changed, "scopes")
	}
	if in.UnitID != nil {
		u, err := s.Units.Lookup(ctx, *in.UnitID)
		if err != nil || !actor.Covers(u.Path) {
			return nil, errUnitNotFound
		}
		cols["unit_id"] = u.ID
		changed = append(changed, "unit_id")
	}
	var out *ClientRow
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.UpdateClient(ctx, id, cols); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "integration.client_update", "integration_client", id, map[string]any{"changed": changed}); err != nil {
			return err
		}
		var err error
		out, err = s.Store.Client(ctx, id)
		return err
	})
	return out, err
}

// RotateSecret issues a new secret; the previous one keeps working for the grace period so
// the integrator can deploy the new one without downtime. The client is read under its lock:
// the secret kept as the previous one must be the current one, even when a concurrent rotation
// just set it, and a concurrent disable must be seen.
func (s *Service) RotateSecret(ctx context.Context, actor auth.Actor, id int64) (*CreatedClient, error) {
	if _, err := s.Client(ctx, actor, id); err != nil {
		return nil, err
	}
	secret := randomToken(clientSecretPrefix)
	now := s.Now()
	prevExpires := now.Add(s.Settings.SecretGrace)
	out := &CreatedClient{Secret: secret}
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		cur, err := s.Store.LockClient(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return errClientNotFound
		}
		if err != nil {
			return err
		}
		if cur.Status != ClientActive {
			return errClientDisabled
		}
		if err := s.Store.UpdateClient(ctx, id, map[string]any{"secret_hash": auth.HashOpaqueToken(secret),
			"prev_secret_hash": cur.SecretHash, "prev_secret_expires_at": prevExpires, "updated_at": now}); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "integration.client_rotate_secret", "integration_client", id,
			map[string]any{"previous_valid_until": prevExpires.Format(time.RFC3339)}); err != nil {
			return err
		}
		out.Row, err = s.Store.Client(ctx, id)
		return err
	})
	return out, err
}

// DisableClient stops a client: no new tokens, and its tokens stop working at once.
func (s *Service) DisableClient(ctx context.Context, actor auth.Actor, id int64) (*ClientRow, error) {
	cur, err := s.Client(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if cur.Status == ClientDisabled {
		return cur, nil
	}
	var out *ClientRow
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.UpdateClient(ctx, id, map[string]any{"status": ClientDisabled, "prev_secret_hash": nil,
			"prev_secret_expires_at": nil, "updated_at": s.Now()}); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "integration.client_disable", "integration_client", id, nil); err != nil {
			return err
		}
		out, err = s.Store.Client(ctx, id)
		return err
	})
	return out, err
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action, resource string, id int64, detail map[string]any) error {
	return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: resource, ResourceID: id, Outcome: audit.Success, Detail: detail})
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
