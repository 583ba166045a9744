// Package apitest drives the real router over real databases for HTTP tests: it builds the
// whole app on a dbtest database with a fake clock, seeds the demo county, logs in demo
// accounts, and checks every documented response against the published OpenAPI 3 document.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
)

// Start is the fake clock's starting time: 2026-11-02 09:00 Asia/Shanghai.
var Start = time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)

// Env is one app over one fresh database.
type Env struct {
	T      *testing.T
	App    *app.App
	Clock  *clock.Fake
	DB     *gorm.DB
	Config config.Config
	tokens map[string]string
	spec   *specValidator
	logs   *lockedBuffer
	mu     sync.Mutex
	seen   []string // every response body, for scans (no PII must leak)
}

// lockedBuffer collects the app's log lines from concurrent requests.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logs returns every log line the app wrote so far (JSON, one per line).
func (e *Env) Logs() string { return e.logs.String() }

// Responses returns every response body the Env received so far.
func (e *Env) Responses() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// Each runs fn once per configured dialect with a fresh seeded Env.
func Each(t *testing.T, fn func(t *testing.T, e *Env), tweaks ...func(*config.Config)) {
	t.Helper()
	for _, dialect := range dbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			fn(t, New(t, seededDB(t, dialect, tweaks), tweaks...))
		})
	}
}

// seededDB returns a fresh database holding the demo county as the configuration seeds it: a
// copy of a template seeded once per test process and configuration. With Redis configured the
// seed may leave state there too, so such a database is seeded for the test itself.
func seededDB(t *testing.T, dialect string, tweaks []func(*config.Config)) *gorm.DB {
	t.Helper()
	cfg := testConfig(t, tweaks)
	if cfg.Redis.Addr != "" {
		return dbtest.New(t, dialect)
	}
	key, err := json.Marshal(cfg)
	require.NoError(t, err)
	return dbtest.Seeded(t, dialect, "demo:"+string(key), func(db *gorm.DB) error {
		_, err := build(cfg, db, clock.NewFake(Start), io.Discard)
		return err
	})
}

// New builds the app on db (already migrated), seeds the demo county unless it is there and
// returns the Env.
func New(t *testing.T, db *gorm.DB, tweaks ...func(*config.Config)) *Env {
	t.Helper()
	cfg := testConfig(t, tweaks)
	fake := clock.NewFake(Start)
	logs := &lockedBuffer{}
	a, err := build(cfg, db, fake, logs)
	require.NoError(t, err)
	return &Env{T: t, App: a, Clock: fake, DB: db, Config: cfg, tokens: map[string]string{}, spec: sharedSpec(t), logs: logs}
}

// testConfig is the default configuration with login limits out of the way, then tweaks.
func testConfig(t *testing.T, tweaks []func(*config.Config)) config.Config {
	t.Helper()
	cfg, err := config.Load("", func(string) string { return "" })
	require.NoError(t, err)
	cfg.Auth.LoginPerIPPerMinute = 10_000
	cfg.Auth.LoginPerAccountPerMinute = 10_000
	for _, tweak := range tweaks {
		tweak(&cfg)
	}
	return cfg
}

// build makes the app on db with cheap password hashing and seeds the demo county (a no-op on a
// seeded database).
func build(cfg config.Config, db *gorm.DB, fake *clock.Fake, logs io.Writer) (*app.App, error) {
	a, err := app.New(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), app.Options{
		DB: db, Now: fake.Now, PasswordParams: auth.FastPasswordParams(),
	})
	if err != nil {
		return nil, err
	}
	if err := a.Seed(context.Background(), io.Discard); err != nil {
		return nil, err
	}
	return a, a.EnsureRoot(context.Background(), io.Discard)
}

// Response is a recorded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error envelope ("" when the body is not one).
func (r *Response) ErrorCode() string {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &env)
	return env.Error.Code
}

// ErrorFields returns the field names of an error envelope.
func (r *Response) ErrorFields() []string {
	var env struct {
		Error struct {
			Fields []struct {
				Field string `json:"field"`
			} `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &env)
	out := make([]string, 0, len(env.Error.Fields))
	for _, f := range env.Error.Fields {
		out = append(out, f.Field)
	}
	return out
}

// Request is one call: Body may be a string (sent as is), []byte, or any value (JSON-encoded).
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any
	Headers map[string]string
}

// Do sends req through the real router and validates the answer against the OpenAPI document.
func (e *Env) Do(req Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.T, err)
		body = bytes.NewReader(raw)
	}
	r := httptest.NewRequest(req.Method, req.Path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.App.Server.Handler().ServeHTTP(w, r)
	resp := &Response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	e.mu.Lock()
	e.seen = append(e.seen, req.Method+" "+req.Path+" "+string(resp.Body))
	e.mu.Unlock()
	e.spec.check(e.T, r, resp)
	return resp
}

// Call is shorthand for Do with method, path, token and body.
func (e *Env) Call(method, path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: method, Path: path, Token: token, Body: body})
}

// Login logs in and returns the decoded token response, failing the test unless it is 200.
func (e *Env) Login(username, password string) map[string]any {
	e.T.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	require.Equal(e.T, http.StatusOK, resp.Status, "login %s: %s", username, resp.Body)
	return resp.Map(e.T)
}

// Token returns an access token for a demo account (logged in once per Env).
func (e *Env) Token(username string) string {
	e.T.Helper()
	if tok, ok := e.tokens[username]; ok {
		return tok
	}
	password := app.DemoPassword
	if username == e.Config.Bootstrap.AdminUsername {
		password = e.Config.Bootstrap.AdminPassword
	}
	tok := e.Login(username, password)["access_token"].(string)
	e.tokens[username] = tok
	return tok
}

// UnitID returns the id of a seeded unit by code.
func (e *Env) UnitID(code string) int64 {
	e.T.Helper()
	var id int64
	require.NoError(e.T, e.DB.Table("units").Select("id").Where("code = ?", code).Scan(&id).Error)
	require.NotZero(e.T, id, "unit %s", code)
	return id
}

// AccountID returns the id of an account by username.
func (e *Env) AccountID(username string) int64 {
	e.T.Helper()
	var id int64
	require.NoError(e.T, e.DB.Table("accounts").Select("id").Where("username = ?", username).Scan(&id).Error)
	require.NotZero(e.T, id, "account %s", username)
	return id
}

// Client is an integration client registered in a test.
type Client struct {
	ID       int64
	ClientID string
	Secret   string
}

// CreateClient registers an integration client for a seeded unit with scopes, as the county
// admin, failing the test unless it is 201.
func (e *Env) CreateClient(unitCode string, scopes ...string) Client {
	e.T.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/integration/clients", e.Token("admin"),
		map[string]any{"name": "测试客户端 " + unitCode, "unit_id": e.UnitID(unitCode), "scopes": scopes})
	require.Equal(e.T, http.StatusCreated, resp.Status, "create client: %s", resp.Body)
	var out struct {
		ID           int64  `json:"id"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	resp.JSON(e.T, &out)
	return Client{ID: out.ID, ClientID: out.ClientID, Secret: out.ClientSecret}
}

// RequestToken asks POST /api/v1/auth/token for a client-credentials token (form body).
func (e *Env) RequestToken(c Client, scope string) *Response {
	e.T.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.Secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return e.Do(Request{Method: http.MethodPost, Path: "/api/v1/auth/token", Body: form.Encode(),
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
}

// ClientToken returns an access token for the client (all its scopes, or the given subset).
func (e *Env) ClientToken(c Client, scope string) string {
	e.T.Helper()
	resp := e.RequestToken(c, scope)
	require.Equal(e.T, http.StatusOK, resp.Status, "token: %s", resp.Body)
	return resp.Map(e.T)["access_token"].(string)
}
