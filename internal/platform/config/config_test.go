package config_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
)

// env turns a map into the getenv func Load takes.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeYAML writes a config file into the test's temp dir and returns its path.
func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "xuefa.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

const (
	prodJWTKey  = "production-jwt-signing-key-0123456789abcdef"
	prodDataKey = "cHJvZHVjdGlvbi1kYXRhLWtleS0zMi1ieXRlcyEhISE=" // 32 bytes
	prodCertKey = "cHJvZHVjdGlvbi1jZXJ0aWZpY2F0ZS1zZWVkLTMyYiE=" // 32 bytes
)

func TestLoadPrecedence(t *testing.T) {
	path := writeYAML(t, `
http:
  addr: ":9000"
  body_limit_bytes: 2048
database:
  max_open_conns: 50
auth:
  access_ttl: 5m
  issuer: from-file
`)
	cfg, err := config.Load(path, env(map[string]string{
		"XUEFA_HTTP_ADDR":   ":7000",
		"XUEFA_AUTH_ISSUER": "from-env",
	}))
	require.NoError(t, err)

	def := config.Default()
	assert.Equal(t, ":7000", cfg.HTTP.Addr, "env beats file")
	assert.Equal(t, "from-env", cfg.Auth.Issuer, "env beats file")
	assert.Equal(t, int64(2048), cfg.HTTP.BodyLimitBytes, "file beats default")
	assert.Equal(t, 50, cfg.Database.MaxOpenConns, "file beats default")
	assert.Equal(t, 5*time.Minute, cfg.Auth.AccessTTL.Std(), "file beats default")
	assert.Equal(t, def.Auth.Audience, cfg.Auth.Audience, "default kept when neither sets it")
	assert.Equal(t, def.Database.DSN, cfg.Database.DSN, "default kept when neither sets it")
	assert.Equal(t, def.HTTP.ShutdownTimeout, cfg.HTTP.ShutdownTimeout)
}

func TestLoadDefaultsOnly(t *testing.T) {
	cfg, err := config.Load("", env(nil))
	require.NoError(t, err)
	def := config.Default()
	assert.Equal(t, config.ModeDev, cfg.Mode)
	assert.Equal(t, def.HTTP, cfg.HTTP)
	assert.Equal(t, def.Database, cfg.Database)
	assert.Equal(t, def.Bootstrap, cfg.Bootstrap)
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{name: "unknown top-level key", yaml: "moode: dev\n", wantErr: "moode"},
		{name: "unknown nested key", yaml: "http:\n  adress: \":1\"\n", wantErr: "adress"},
		{name: "bad duration", yaml: "http:\n  shutdown_timeout: soon\n", wantErr: "soon"},
		{name: "wrong type", yaml: "database:\n  max_open_conns: many\n", wantErr: "many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeYAML(t, tt.yaml), env(nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
		require.Error(t, err)
	})
	t.Run("empty file keeps defaults", func(t *testing.T) {
		cfg, err := config.Load(writeYAML(t, ""), env(nil))
		require.NoError(t, err)
		assert.Equal(t, config.Default().HTTP.Addr, cfg.HTTP.Addr)
	})
}

func TestLoadEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c config.Config)
	}{
		{
			name: "http addr",
			env:  map[string]string{"XUEFA_HTTP_ADDR": "127.0.0.1:9999"},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, "127.0.0.1:9999", c.HTTP.Addr)
			},
		},
		{
			name: "database driver and dsn",
			env: map[string]string{
				"XUEFA_DATABASE_DRIVER": "mysql",
				"XUEFA_DATABASE_DSN":    "xuefa:pw@tcp(db:3306)/xuefa",
			},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, "mysql", c.Database.Driver)
				assert.Equal(t, "xuefa:pw@tcp(db:3306)/xuefa", c.Database.DSN)
			},
		},
		{
			name: "bootstrap admin",
			env: map[string]string{
				"XUEFA_BOOTSTRAP_ADMIN_USERNAME": "root",
				"XUEFA_BOOTSTRAP_ADMIN_PASSWORD": "Root-Pass-123",
			},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, "root", c.Bootstrap.AdminUsername)
				assert.Equal(t, "Root-Pass-123", c.Bootstrap.AdminPassword)
			},
		},
		{
			name: "comma list, blanks trimmed and dropped",
			env:  map[string]string{"XUEFA_HTTP_CORS_ORIGINS": "https://a.example, https://b.example,,"},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.HTTP.CORSOrigins)
			},
		},
		{
			name: "duration",
			env:  map[string]string{"XUEFA_HTTP_SHUTDOWN_TIMEOUT": "90s"},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, 90*time.Second, c.HTTP.ShutdownTimeout.Std())
			},
		},
		{
			name: "ints and bools",
			env: map[string]string{
				"XUEFA_DATABASE_MAX_OPEN_CONNS":             "7",
				"XUEFA_HTTP_BODY_LIMIT_BYTES":               "4096",
				"XUEFA_REDIS_DB":                            "3",
				"XUEFA_DATABASE_ALLOW_SQLITE_IN_PRODUCTION": "true",
			},
			check: func(t *testing.T, c config.Config) {
				assert.Equal(t, 7, c.Database.MaxOpenConns)
				assert.Equal(t, int64(4096), c.HTTP.BodyLimitBytes)
				assert.Equal(t, 3, c.Redis.DB)
				assert.True(t, c.Database.AllowSQLiteInProduction)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load("", env(tt.env))
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}

func TestLoadEnvErrorsNameTheVariable(t *testing.T) {
	for _, name := range []string{
		"XUEFA_DATABASE_MAX_OPEN_CONNS",
		"XUEFA_HTTP_BODY_LIMIT_BYTES",
		"XUEFA_HTTP_SHUTDOWN_TIMEOUT",
		"XUEFA_DATABASE_ALLOW_SQLITE_IN_PRODUCTION",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load("", env(map[string]string{name: "not-a-number"}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
}

func TestProductionRequiresSecrets(t *testing.T) {
	full := func() map[string]string {
		return map[string]string{
			"XUEFA_MODE":                 config.ModeProduction,
			"XUEFA_AUTH_JWT_SIGNING_KEY": prodJWTKey,
			"XUEFA_CRYPTO_DATA_KEY":      prodDataKey,
			"XUEFA_DATABASE_DRIVER":      "mysql",
			"XUEFA_DATABASE_DSN":         "xuefa:pw@tcp(db:3306)/xuefa",

			"XUEFA_CERTIFICATES_SIGNING_KEY": prodCertKey,
		}
	}
	tests := []struct {
		name    string
		change  func(m map[string]string)
		wantErr string // "" means it loads
	}{
		{name: "all set", change: func(map[string]string) {}},
		{name: "no jwt key", change: func(m map[string]string) { delete(m, "XUEFA_AUTH_JWT_SIGNING_KEY") }, wantErr: "auth.jwt_signing_key"},
		{name: "short jwt key", change: func(m map[string]string) { m["XUEFA_AUTH_JWT_SIGNING_KEY"] = "short" }, wantErr: "at least 32"},
		{name: "no data key", change: func(m map[string]string) { delete(m, "XUEFA_CRYPTO_DATA_KEY") }, wantErr: "crypto.data_key"},
		{name: "no certificate key", change: func(m map[string]string) { delete(m, "XUEFA_CERTIFICATES_SIGNING_KEY") },
			wantErr: "certificates.signing_key is required in production"},
		{name: "certificate key not a seed", change: func(m map[string]string) { m["XUEFA_CERTIFICATES_SIGNING_KEY"] = prodDataKey[:20] },
			wantErr: "certificates.signing_key must be base64 of a 32-byte Ed25519 seed"},
		{name: "no certificate key id", change: func(m map[string]string) { m["XUEFA_CERTIFICATES_KEY_ID"] = " " },
			wantErr: "certificates.key_id is required"},
		{name: "sqlite", change: func(m map[string]string) {
			m["XUEFA_DATABASE_DRIVER"] = "sqlite"
			m["XUEFA_DATABASE_DSN"] = "data/xuefa.db"
		}, wantErr: "database.driver"},
		{name: "sqlite explicitly allowed", change: func(m map[string]string) {
			m["XUEFA_DATABASE_DRIVER"] = "sqlite"
			m["XUEFA_DATABASE_DSN"] = "data/xuefa.db"
			m["XUEFA_DATABASE_ALLOW_SQLITE_IN_PRODUCTION"] = "true"
		}},
		{name: "unknown mode", change: func(m map[string]string) { m["XUEFA_MODE"] = "staging" }, wantErr: `mode must be dev or production, not "staging"`},
		{name: "cheap password hashing", change: func(m map[string]string) { m["XUEFA_AUTH_PASSWORD_HASHING"] = "fast" },
			wantErr: "auth.password_hashing fast is for development and tests only"},
		{name: "unknown password hashing", change: func(m map[string]string) { m["XUEFA_AUTH_PASSWORD_HASHING"] = "md5" },
			wantErr: `auth.password_hashing must be standard or fast, not "md5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := full()
			tt.change(m)
			cfg, err := config.Load("", env(m))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, prodJWTKey, cfg.Auth.JWTSigningKey, "production never gets a dev secret")
			assert.Equal(t, prodDataKey, cfg.Crypto.DataKey)
			assert.Equal(t, prodCertKey, cfg.Certificates.SigningKey)
		})
	}
}

func TestProductionRefusesDevSecrets(t *testing.T) {
	dev, err := config.Load("", env(nil))
	require.NoError(t, err)

	for name, m := range map[string]map[string]string{
		"dev jwt key":  {"XUEFA_AUTH_JWT_SIGNING_KEY": dev.Auth.JWTSigningKey, "XUEFA_CRYPTO_DATA_KEY": prodDataKey, "XUEFA_CERTIFICATES_SIGNING_KEY": prodCertKey},
		"dev data key": {"XUEFA_AUTH_JWT_SIGNING_KEY": prodJWTKey, "XUEFA_CRYPTO_DATA_KEY": dev.Crypto.DataKey, "XUEFA_CERTIFICATES_SIGNING_KEY": prodCertKey},
		"dev certificate key": {"XUEFA_AUTH_JWT_SIGNING_KEY": prodJWTKey, "XUEFA_CRYPTO_DATA_KEY": prodDataKey,
			"XUEFA_CERTIFICATES_SIGNING_KEY": dev.Certificates.SigningKey},
	} {
		t.Run(name, func(t *testing.T) {
			m["XUEFA_MODE"] = config.ModeProduction
			m["XUEFA_DATABASE_DRIVER"] = "mysql"
			_, err := config.Load("", env(m))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "required in production")
		})
	}
}

func TestDevModeFillsDevSecrets(t *testing.T) {
	cfg, err := config.Load("", env(nil))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(cfg.Auth.JWTSigningKey), 32)
	_, err = crypto.NewSealer(cfg.Crypto.DataKey)
	assert.NoError(t, err, "the dev data key is a usable AES-256 key")
	seed, err := base64.StdEncoding.DecodeString(cfg.Certificates.SigningKey)
	assert.NoError(t, err)
	assert.Len(t, seed, 32, "the dev certificate key is an Ed25519 seed")

	t.Run("explicit secrets are kept", func(t *testing.T) {
		cfg, err := config.Load("", env(map[string]string{
			"XUEFA_AUTH_JWT_SIGNING_KEY": prodJWTKey,
			"XUEFA_CRYPTO_DATA_KEY":      prodDataKey,
		}))
		require.NoError(t, err)
		assert.Equal(t, prodJWTKey, cfg.Auth.JWTSigningKey)
		assert.Equal(t, prodDataKey, cfg.Crypto.DataKey)
	})
}

func TestBootstrapNeedsBothUsernameAndPassword(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{name: "neither", env: map[string]string{}, ok: true},
		{name: "both", env: map[string]string{"XUEFA_BOOTSTRAP_ADMIN_USERNAME": "root", "XUEFA_BOOTSTRAP_ADMIN_PASSWORD": "Root-Pass-123"}, ok: true},
		{name: "username only", env: map[string]string{"XUEFA_BOOTSTRAP_ADMIN_USERNAME": "root"}},
		{name: "password only", env: map[string]string{"XUEFA_BOOTSTRAP_ADMIN_PASSWORD": "Root-Pass-123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load("", env(tt.env))
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bootstrap.admin_username")
		})
	}
}

func TestMasked(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeProduction
	cfg.HTTP.Addr = ":8443"
	cfg.Database.Driver = "mysql"
	cfg.Database.DSN = "xuefa:secret@tcp(db.internal:3306)/xuefa?parseTime=true"
	cfg.Auth.JWTSigningKey = "jwt-signing-key-material-0123456789"
	cfg.Auth.JWTPreviousKeys = []string{"k0:previous-jwt-key-material"}
	cfg.Crypto.DataKey = prodDataKey
	cfg.Redis.Addr = "redis.internal:6379"
	cfg.Redis.Password = "redis-password-value"
	cfg.Bootstrap.AdminUsername = "root"
	cfg.Bootstrap.AdminPassword = "bootstrap-password-value"
	cfg.Certificates.SigningKey = prodCertKey
	cfg.Certificates.PreviousKeys = []string{"c0:cHJldmlvdXMtY2VydGlmaWNhdGUtc2VlZC0zMmJ5dGU="}

	m := cfg.Masked()
	dump := fmt.Sprintf("%+v", m)
	for _, secret := range []string{
		"secret",
		"jwt-signing-key-material",
		"previous-jwt-key-material",
		prodDataKey,
		"redis-password-value",
		"bootstrap-password-value",
		prodCertKey,
		"cHJldmlvdXMtY2VydGlmaWNhdGUtc2VlZC0zMmJ5dGU=",
	} {
		assert.NotContains(t, dump, secret)
	}
	assert.Equal(t, ":8443", m.HTTP.Addr)
	assert.Equal(t, "root", m.Bootstrap.AdminUsername)
	assert.Equal(t, "redis.internal:6379", m.Redis.Addr)
	assert.Equal(t, "xuefa:******@tcp(db.internal:3306)/xuefa?parseTime=true", m.Database.DSN)
	assert.Equal(t, cfg.Auth.Issuer, m.Auth.Issuer)

	assert.Equal(t, "jwt-signing-key-material-0123456789", cfg.Auth.JWTSigningKey, "Masked leaves the original alone")
	assert.Equal(t, []string{"k0:previous-jwt-key-material"}, cfg.Auth.JWTPreviousKeys)

	empty := config.Default().Masked()
	assert.Empty(t, empty.Redis.Password, "an unset secret stays visibly unset")
}

func TestMaskDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"user:secret@tcp(h:3306)/db", "user:******@tcp(h:3306)/db"},
		{"user:p@ss:word@tcp(h:3306)/db", "user:******@tcp(h:3306)/db"},
		{"user@tcp(h:3306)/db", "user@tcp(h:3306)/db"},
		{"data/xuefa.db", "data/xuefa.db"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, config.MaskDSN(tt.in))
		})
	}
}
