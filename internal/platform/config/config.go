// Package config loads settings: defaults in code < YAML file < XUEFA_* environment.
// The environment name of a key is XUEFA_ + the key upper-cased with dots as underscores,
// e.g. http.addr → XUEFA_HTTP_ADDR.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Modes.
const (
	ModeDev        = "dev"
	ModeProduction = "production"
)

// Duration is a time.Duration read from strings such as "15m".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Std returns the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Config is every setting of the server. Masked hides its secrets for logging.
type Config struct {
	Mode        string      `yaml:"mode"`
	HTTP        HTTP        `yaml:"http"`
	Database    Database    `yaml:"database"`
	Auth        Auth        `yaml:"auth"`
	Crypto      Crypto      `yaml:"crypto"`
	Redis       Redis       `yaml:"redis"`
	Bootstrap   Bootstrap   `yaml:"bootstrap"`
	Log         Log         `yaml:"log"`
	Integration Integration `yaml:"integration"`
	WeChat      WeChat      `yaml:"wechat"`
	Quiz        Quiz        `yaml:"quiz"`
	Campaign    Campaign    `yaml:"campaign"`
	Credit      Credit      `yaml:"credit"`
	Supervision Supervision `yaml:"supervision"`
	// Certificates signs the year's certificates.
	Certificates Certificates `yaml:"certificates"`
}

// Certificates settings: the Ed25519 key that signs certificates, rotated like the JWT keys.
// signing_key is base64 of a 32-byte seed (openssl rand -base64 32) named key_id;
// previous_keys lists keys still published so certificates signed with them keep verifying:
// "kid:pub:<base64 public key>" (preferred: a retired seed need not be kept) or
// "kid:<base64 seed>".
type Certificates struct {
	SigningKey   string   `yaml:"signing_key"`
	KeyID        string   `yaml:"key_id"`
	PreviousKeys []string `yaml:"previous_keys"`
	// LookupPerIPPerMinute limits GET /api/v1/certificates/{code} per client IP (the endpoint
	// is public; the limit makes guessing codes slower still).
	LookupPerIPPerMinute int `yaml:"lookup_per_ip_per_minute"`
}

// Quiz settings: rate limits on starting and submitting quiz plays, per account and per client
// IP, per minute.
type Quiz struct {
	StartPerAccountPerMinute  int `yaml:"start_per_account_per_minute"`
	StartPerIPPerMinute       int `yaml:"start_per_ip_per_minute"`
	SubmitPerAccountPerMinute int `yaml:"submit_per_account_per_minute"`
	SubmitPerIPPerMinute      int `yaml:"submit_per_ip_per_minute"`
}

// Supervision settings.
type Supervision struct {
	// DashboardTTL is how long a unit dashboard's figures are reused (0: computed on every
	// request). A county's figures aggregate every learner under it.
	DashboardTTL Duration `yaml:"dashboard_ttl"`
}

// Campaign settings.
type Campaign struct {
	// FactsTTL is how long a replica reuses a campaign's facts (organiser, dates, targets,
	// rules; 0: read on every use). Every award and every learner's home screen reads them; a
	// write through a replica drops its copy when it commits, other replicas see it within the TTL.
	FactsTTL Duration `yaml:"facts_ttl"`
}

// Credit settings.
type Credit struct {
	// UnitRankingTTL is how long a leaderboard's unit ranking is reused (0: computed on every
	// request). Ranking a county's units aggregates every learner under it.
	UnitRankingTTL Duration `yaml:"unit_ranking_ttl"`
}

// HTTP settings.
type HTTP struct {
	Addr            string   `yaml:"addr"`
	TrustedProxies  []string `yaml:"trusted_proxies"`
	CORSOrigins     []string `yaml:"cors_origins"`
	BodyLimitBytes  int64    `yaml:"body_limit_bytes"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// ReadinessDBGrace is how long /readyz keeps answering 200 while the database does not
	// answer its ping: every replica shares the database, so a short blip (a Galera node
	// leaving, a failover) would otherwise take them all out of the balancer at once.
	ReadinessDBGrace Duration `yaml:"readiness_db_grace"`
	// MetricsAddr serves /metrics on a listener of its own (e.g. 127.0.0.1:9090) instead of the
	// API's. Production never serves it on the API's listener.
	MetricsAddr string `yaml:"metrics_addr"`
}

// MetricsOnAPI reports whether /metrics is served on the API's own listener: in development
// when no metrics address is set.
func (c Config) MetricsOnAPI() bool { return c.HTTP.MetricsAddr == "" && c.Mode == ModeDev }

// Database settings.
type Database struct {
	Driver                  string   `yaml:"driver"`
	DSN                     string   `yaml:"dsn"`
	MaxOpenConns            int      `yaml:"max_open_conns"`
	MaxIdleConns            int      `yaml:"max_idle_conns"`
	ConnMaxLifetime         Duration `yaml:"conn_max_lifetime"`
	SlowQuery               Duration `yaml:"slow_query"`
	AllowSQLiteInProduction bool     `yaml:"allow_sqlite_in_production"`
}

// Auth settings. jwt_previous_keys lists "kid:key" pairs still accepted for verification
// during a key rotation.
type Auth struct {
	JWTSigningKey            string   `yaml:"jwt_signing_key"`
	JWTKeyID                 string   `yaml:"jwt_key_id"`
	JWTPreviousKeys          []string `yaml:"jwt_previous_keys"`
	Issuer                   string   `yaml:"issuer"`
	Audience                 string   `yaml:"audience"`
	AccessTTL                Duration `yaml:"access_ttl"`
	RefreshTTL               Duration `yaml:"refresh_ttl"`
	LoginPerIPPerMinute      int      `yaml:"login_per_ip_per_minute"`
	LoginPerAccountPerMinute int      `yaml:"login_per_account_per_minute"`
	// PrincipalCacheTTL keeps a token's account/session check in memory (0: check the database
	// on every request); PrincipalCacheSize caps the entries.
	PrincipalCacheTTL  Duration `yaml:"principal_cache_ttl"`
	PrincipalCacheSize int      `yaml:"principal_cache_size"`
	// PasswordHashing is the argon2id cost: standard (64 MiB, 3 passes) or fast (1 MiB, 1 pass),
	// which only development and tests may use.
	PasswordHashing string `yaml:"password_hashing"`
}

// Password hashing costs.
const (
	PasswordHashingStandard = "standard"
	PasswordHashingFast     = "fast"
)

// Crypto settings: data_key is base64 of 32 bytes, the AES-256-GCM key for personal data.
type Crypto struct {
	DataKey string `yaml:"data_key"`
}

// Redis settings; shared state moves to Redis when addr is set.
type Redis struct {
	Addr     string `yaml:"addr"`
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
}

// Bootstrap names the root admin created on first start.
type Bootstrap struct {
	AdminUsername string `yaml:"admin_username"`
	AdminPassword string `yaml:"admin_password"`
	// RootUnitName names the root unit created on first start of an empty, unseeded database.
	RootUnitName string `yaml:"root_unit_name"`
}

// Integration settings: machine clients and webhooks.
type Integration struct {
	// SecretGrace is how long a client's previous secret keeps working after a rotation.
	SecretGrace Duration `yaml:"secret_grace"`
	// TokenPerClientPerMinute limits POST /api/v1/auth/token per client id.
	TokenPerClientPerMinute int `yaml:"token_per_client_per_minute"`
	// RequestsPerClientPerMinute limits API calls made with one client's tokens.
	RequestsPerClientPerMinute int `yaml:"requests_per_client_per_minute"`
	// AllowPrivateWebhooks lets webhook URLs reach loopback, link-local and private addresses
	// (development and tests only: it opens the server to SSRF).
	AllowPrivateWebhooks bool `yaml:"allow_private_webhooks"`
	// WebhookTimeout bounds one delivery attempt.
	WebhookTimeout Duration `yaml:"webhook_timeout"`
	// WebhookMaxAttempts is how many times one delivery is tried before it is marked failed.
	WebhookMaxAttempts int `yaml:"webhook_max_attempts"`
	// WebhookBackoff is the wait after the first failed attempt; it doubles after each failure.
	WebhookBackoff Duration `yaml:"webhook_backoff"`
	// WebhookDisableAfter disables a webhook after this many consecutive failed attempts.
	WebhookDisableAfter int `yaml:"webhook_disable_after"`
	// DispatchInterval is how often the dispatcher looks for deliveries due.
	DispatchInterval Duration `yaml:"dispatch_interval"`
	// DeliveryRetention is how long a finished delivery (succeeded or failed) stays in the
	// delivery log, and with it the event it sent; 0 keeps them for good.
	DeliveryRetention Duration `yaml:"delivery_retention"`
}

// WeChat modes.
const (
	WeChatFake = "fake" // an in-process fake WeChat (development): code "dev-<name>" logs in a stable user
	WeChatLive = "live" // the real WeChat API; needs app_id and secret
	WeChatOff  = "off"  // WeChat login and the wechat reminder channel are disabled
)

// WeChat settings of the mini-program. mode "" becomes fake in dev and off in production.
type WeChat struct {
	Mode    string   `yaml:"mode"`
	AppID   string   `yaml:"app_id"`
	Secret  string   `yaml:"secret"`
	BaseURL string   `yaml:"base_url"`
	Timeout Duration `yaml:"timeout"`
	// LoginPerIPPerMinute and LoginPerOpenIDPerMinute limit POST /api/v1/auth/wechat.
	LoginPerIPPerMinute     int `yaml:"login_per_ip_per_minute"`
	LoginPerOpenIDPerMinute int `yaml:"login_per_openid_per_minute"`
	// ReminderTemplateID is the subscribe-message template of the wechat reminder channel
	// (fields thing1, thing2, time3); ReminderPage the mini-program page it opens.
	ReminderTemplateID string `yaml:"reminder_template_id"`
	ReminderPage       string `yaml:"reminder_page"`
	// MiniProgramState is formal, trial or developer (which build a message opens).
	MiniProgramState string `yaml:"miniprogram_state"`
}

// Log settings.
type Log struct {
	Level string `yaml:"level"`
}

// Dev-only secrets: usable only in mode dev, refused in production.
const (
	devJWTKey  = "dev-only-jwt-signing-key-change-me-0123456789"
	devDataKey = "ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtISEhISE=" // "dev-only-data-key-32-bytes-!!!!!"
	devCertKey = "ZGV2LW9ubHktY2VydGlmaWNhdGUtc2VlZC0zMmJ5dGU=" // "dev-only-certificate-seed-32byte"
)

// Default returns the built-in defaults (embedded SQLite, dev mode).
func Default() Config {
	return Config{
		Mode: ModeDev,
		HTTP: HTTP{
			Addr:             ":8080",
			BodyLimitBytes:   1 << 20,
			ShutdownTimeout:  Duration(15 * time.Second),
			ReadinessDBGrace: Duration(10 * time.Second),
		},
		Database: Database{
			Driver:          "sqlite",
			DSN:             "data/xuefa.db",
			MaxOpenConns:    20,
			MaxIdleConns:    10,
			ConnMaxLifetime: Duration(5 * time.Minute),
			SlowQuery:       Duration(200 * time.Millisecond),
		},
		Auth: Auth{
			JWTKeyID:                 "k1",
			Issuer:                   "xuefa",
			Audience:                 "xuefa-api",
			AccessTTL:                Duration(15 * time.Minute),
			RefreshTTL:               Duration(30 * 24 * time.Hour),
			LoginPerIPPerMinute:      30,
			LoginPerAccountPerMinute: 10,
			PrincipalCacheTTL:        Duration(time.Minute),
			PrincipalCacheSize:       200_000,
			PasswordHashing:          PasswordHashingStandard,
		},
		Bootstrap: Bootstrap{RootUnitName: "本县"},
		Log:       Log{Level: "info"},
		Integration: Integration{
			SecretGrace:                Duration(24 * time.Hour),
			TokenPerClientPerMinute:    30,
			RequestsPerClientPerMinute: 1200,
			WebhookTimeout:             Duration(10 * time.Second),
			WebhookMaxAttempts:         8,
			WebhookBackoff:             Duration(30 * time.Second),
			WebhookDisableAfter:        20,
			DispatchInterval:           Duration(5 * time.Second),
			DeliveryRetention:          Duration(30 * 24 * time.Hour),
		},
		WeChat: WeChat{
			BaseURL:                 "https://api.weixin.qq.com",
			Timeout:                 Duration(5 * time.Second),
			LoginPerIPPerMinute:     60,
			LoginPerOpenIDPerMinute: 10,
			ReminderPage:            "pages/index/index",
			MiniProgramState:        "formal",
		},
		Quiz:         Quiz{StartPerAccountPerMinute: 10, StartPerIPPerMinute: 600, SubmitPerAccountPerMinute: 20, SubmitPerIPPerMinute: 1200},
		Campaign:     Campaign{FactsTTL: Duration(5 * time.Second)},
		Credit:       Credit{UnitRankingTTL: Duration(30 * time.Second)},
		Supervision:  Supervision{DashboardTTL: Duration(30 * time.Second)},
		Certificates: Certificates{KeyID: "c1", LookupPerIPPerMinute: 60},
	}
}

// Load reads defaults, then the YAML file at path (if path is not empty), then the environment.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := applyEnv(reflect.ValueOf(&cfg).Elem(), "XUEFA", getenv); err != nil {
		return cfg, err
	}
	cfg.fillDevSecrets()
	return cfg, cfg.Validate()
}

func (c *Config) fillDevSecrets() {
	if c.WeChat.Mode == "" {
		c.WeChat.Mode = WeChatOff
		if c.Mode == ModeDev {
			c.WeChat.Mode = WeChatFake
		}
	}
	if c.Mode != ModeDev {
		return
	}
	if c.Auth.JWTSigningKey == "" {
		c.Auth.JWTSigningKey = devJWTKey
	}
	if c.Crypto.DataKey == "" {
		c.Crypto.DataKey = devDataKey
	}
	if c.Certificates.SigningKey == "" {
		c.Certificates.SigningKey = devCertKey
	}
}

// Validate checks the settings; production refuses to run without real secrets and a server database.
func (c *Config) Validate() error {
	var problems []string
	switch c.Mode {
	case ModeDev, ModeProduction:
	default:
		problems = append(problems, fmt.Sprintf("mode must be dev or production, not %q", c.Mode))
	}
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		problems = append(problems, fmt.Sprintf("database.driver must be sqlite or mysql, not %q", c.Database.Driver))
	}
	if c.Database.DSN == "" {
		problems = append(problems, "database.dsn is required")
	}
	if c.Mode == ModeProduction {
		if c.Auth.JWTSigningKey == "" || c.Auth.JWTSigningKey == devJWTKey {
			problems = append(problems, "auth.jwt_signing_key is required in production")
		} else if len(c.Auth.JWTSigningKey) < 32 {
			problems = append(problems, "auth.jwt_signing_key must be at least 32 characters")
		}
		if c.Crypto.DataKey == "" || c.Crypto.DataKey == devDataKey {
			problems = append(problems, "crypto.data_key is required in production")
		} else if key, err := base64.StdEncoding.DecodeString(c.Crypto.DataKey); err != nil || len(key) != 32 {
			problems = append(problems, "crypto.data_key must be base64 of 32 bytes (openssl rand -base64 32)")
		}
		if c.Certificates.SigningKey == "" || c.Certificates.SigningKey == devCertKey {
			problems = append(problems, "certificates.signing_key is required in production")
		}
		if c.Auth.PasswordHashing == PasswordHashingFast {
			problems = append(problems, "auth.password_hashing fast is for development and tests only")
		}
		if c.Database.Driver == "sqlite" && !c.Database.AllowSQLiteInProduction {
			problems = append(problems, "production needs database.driver mysql (or database.allow_sqlite_in_production: true)")
		}
	}
	switch c.Auth.PasswordHashing {
	case PasswordHashingStandard, PasswordHashingFast:
	default:
		problems = append(problems, fmt.Sprintf("auth.password_hashing must be standard or fast, not %q", c.Auth.PasswordHashing))
	}
	problems = append(problems, c.WeChat.problems(c.Mode)...)
	problems = append(problems, c.Certificates.problems()...)
	if (c.Bootstrap.AdminUsername == "") != (c.Bootstrap.AdminPassword == "") {
		problems = append(problems, "bootstrap.admin_username and bootstrap.admin_password are set together or not at all")
	}
	if c.HTTP.BodyLimitBytes <= 0 {
		problems = append(problems, "http.body_limit_bytes must be positive")
	}
	if len(problems) > 0 {
		return fmt.Errorf("config: %s", strings.Join(problems, "; "))
	}
	return nil
}

// applyEnv overrides every leaf field from XUEFA_<PATH> when that variable is set.
func applyEnv(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := prefix + "_" + strings.ToUpper(strings.Split(f.Tag.Get("yaml"), ",")[0])
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct {
			if err := applyEnv(fv, name, getenv); err != nil {
				return err
			}
			continue
		}
		raw := getenv(name)
		if raw == "" {
			continue
		}
		if err := setFromString(fv, raw); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
	}
	return nil
}

func setFromString(fv reflect.Value, raw string) error {
	if fv.Type() == reflect.TypeOf(Duration(0)) {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		fv.SetInt(int64(d))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(raw)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		fv.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		fv.SetBool(b)
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		fv.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("unsupported kind %s", fv.Kind())
	}
	return nil
}

// Masked returns a copy safe to log: secrets replaced, DSN passwords hidden.
func (c Config) Masked() Config {
	m := c
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "******"
	}
	m.Auth.JWTSigningKey = mask(c.Auth.JWTSigningKey)
	if len(c.Auth.JWTPreviousKeys) > 0 {
		m.Auth.JWTPreviousKeys = []string{"******"}
	}
	m.Crypto.DataKey = mask(c.Crypto.DataKey)
	m.Redis.Password = mask(c.Redis.Password)
	m.Bootstrap.AdminPassword = mask(c.Bootstrap.AdminPassword)
	m.WeChat.Secret = mask(c.WeChat.Secret)
	m.Certificates.SigningKey = mask(c.Certificates.SigningKey)
	if len(c.Certificates.PreviousKeys) > 0 {
		m.Certificates.PreviousKeys = []string{"******"}
	}
	m.Database.DSN = MaskDSN(c.Database.DSN)
	return m
}

// MaskDSN hides the password of a MySQL DSN "user:pass@tcp(...)/db".
func MaskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	creds := dsn[:at]
	if colon := strings.Index(creds, ":"); colon >= 0 {
		return creds[:colon] + ":******" + dsn[at:]
	}
	return dsn
}

// MarshalJSON writes the duration as a string ("15s") so logged configs read naturally.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}

// problems checks the WeChat settings: the fake lets anyone log in as anyone, so production
// refuses it; live needs the mini-program's credentials.
func (w WeChat) problems(mode string) []string {
	var out []string
	switch w.Mode {
	case WeChatFake:
		if mode == ModeProduction {
			out = append(out, "wechat.mode fake is for development only; use live (with wechat.app_id and wechat.secret) or off in production")
		}
	case WeChatLive:
		if w.AppID == "" || w.Secret == "" {
			out = append(out, "wechat.app_id and wechat.secret are required with wechat.mode live (XUEFA_WECHAT_APP_ID, XUEFA_WECHAT_SECRET)")
		}
		if w.BaseURL == "" {
			out = append(out, "wechat.base_url is required with wechat.mode live")
		}
	case WeChatOff, "":
	default:
		out = append(out, fmt.Sprintf("wechat.mode must be fake, live or off, not %q", w.Mode))
	}
	return out
}

// problems checks the certificate key's shape in every mode (a key that cannot sign would fail
// only at the first close-out); previous keys are parsed when the key set is built.
func (c Certificates) problems() []string {
	var out []string
	if c.SigningKey != "" {
		if seed, err := base64.StdEncoding.DecodeString(c.SigningKey); err != nil || len(seed) != 32 {
			out = append(out, "certificates.signing_key must be base64 of a 32-byte Ed25519 seed (openssl rand -base64 32)")
		}
	}
	if strings.TrimSpace(c.KeyID) == "" {
		out = append(out, "certificates.key_id is required")
	}
	if c.LookupPerIPPerMinute <= 0 {
		out = append(out, "certificates.lookup_per_ip_per_minute must be positive")
	}
	return out
}
