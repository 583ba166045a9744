package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/database"
)

func TestHealthReadinessAndDatabaseLoss(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/healthz", "", nil).Status)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/readyz", "", nil).Status)

		require.NoError(t, database.Close(e.DB))
		blip := e.Call(http.MethodGet, "/readyz", "", nil)
		assert.Equal(t, http.StatusOK, blip.Status, "within the grace a replica stays in the balancer")
		assert.JSONEq(t, `{"status":"degraded"}`, string(blip.Body))
		e.Clock.Advance(e.Config.HTTP.ReadinessDBGrace.Std())
		ready := e.Call(http.MethodGet, "/readyz", "", nil)
		assert.Equal(t, http.StatusServiceUnavailable, ready.Status)
		assert.Equal(t, "unavailable.database", ready.ErrorCode())
		assert.Equal(t, http.StatusOK, e.Call(http.MethodGet, "/healthz", "", nil).Status, "liveness does not depend on the database")

		for range 50 {
			login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "whatever#1A"})
			require.Equal(t, http.StatusServiceUnavailable, login.Status, "%s", login.Body)
			assert.Equal(t, "service.unavailable", login.ErrorCode(), "retryable, and no detail leaks")
			assert.Equal(t, "5", login.Header.Get("Retry-After"))
			assert.NotContains(t, string(login.Body), "sql")
		}
		lines := strings.Count(e.Logs(), `"msg":"database unavailable"`)
		assert.GreaterOrEqual(t, lines, 1)
		assert.LessOrEqual(t, lines, 3, "an outage logs about a line a second, not one per request")
	})
}

// Every response carries the headers that keep browsers from sniffing, framing and leaking;
// API answers (tokens, personal data) are never stored.
func TestSecurityHeaders(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, r := range []struct {
			path    string
			token   string
			noStore bool
		}{
			{"/healthz", "", false},
			{"/api/v1/openapi.json", "", false},
			{"/api/v1/me", e.Token("13800000001"), true},
			{"/api/v1/units", e.Token("admin"), true},
			{"/api/v1/nothing-here", "", true},
			{"/swagger/index.html", "", false},
		} {
			resp := e.Call(http.MethodGet, r.path, r.token, nil)
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), r.path)
			assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), r.path)
			assert.Equal(t, "frame-ancestors 'none'", resp.Header.Get("Content-Security-Policy"), r.path)
			assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), r.path)
			if r.noStore {
				assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), r.path)
			}
		}
		login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": app.DemoPassword})
		assert.Equal(t, "no-store", login.Header.Get("Cache-Control"), "tokens")
	})
}

func TestMetricsDocsAndEnvelope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Call(http.MethodGet, "/healthz", "", nil)
		metrics := e.Call(http.MethodGet, "/metrics", "", nil)
		require.Equal(t, http.StatusOK, metrics.Status)
		body := string(metrics.Body)
		assert.Contains(t, body, `xuefa_http_requests_total{method="GET",route="/healthz",status="200"}`)
		assert.Contains(t, body, "xuefa_http_request_duration_seconds_bucket")
		assert.Contains(t, body, `go_sql_max_open_connections{db_name="xuefa"}`, "database pool stats")

		spec := e.Call(http.MethodGet, "/api/v1/openapi.json", "", nil)
		require.Equal(t, http.StatusOK, spec.Status)
		doc, err := openapi3.NewLoader().LoadFromData(spec.Body)
		require.NoError(t, err)
		require.NoError(t, doc.Validate(context.Background()))
		assert.NotNil(t, doc.Paths.Find("/api/v1/units/{id}"))

		ui := e.Call(http.MethodGet, "/swagger/index.html", "", nil)
		assert.Equal(t, http.StatusOK, ui.Status)
		assert.Contains(t, string(ui.Body), "swagger-ui")
		for path, to := range map[string]string{"/": "/swagger/index.html", "/swagger/": "/swagger/index.html",
			"/swagger/doc.json": "/api/v1/openapi.json"} {
			moved := e.Call(http.MethodGet, path, "", nil)
			assert.Equal(t, http.StatusFound, moved.Status, path)
			assert.Equal(t, to, moved.Header.Get("Location"), path)
		}
		assert.Equal(t, http.StatusMovedPermanently, e.Call(http.MethodGet, "/swagger", "", nil).Status, "gin adds the slash")

		notFound := e.Call(http.MethodGet, "/api/v1/nothing-here", "", nil)
		assert.Equal(t, http.StatusNotFound, notFound.Status)
		assert.Equal(t, "request.route_not_found", notFound.ErrorCode())
		wrongMethod := e.Call(http.MethodPut, "/api/v1/auth/login", "", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, wrongMethod.Status)

		echoed := e.Do(apitest.Request{Method: http.MethodGet, Path: "/healthz", Headers: map[string]string{"X-Request-ID": "abc-123"}})
		assert.Equal(t, "abc-123", echoed.Header.Get("X-Request-ID"))
		bad := e.Do(apitest.Request{Method: http.MethodGet, Path: "/healthz", Headers: map[string]string{"X-Request-ID": "bad id\n"}})
		assert.NotEqual(t, "bad id\n", bad.Header.Get("X-Request-ID"))
		assert.NotEmpty(t, bad.Header.Get("X-Request-ID"))

		var envelope map[string]any
		notFound.JSON(t, &envelope)
		assert.NotEmpty(t, envelope["request_id"])
	})
}

func TestBodyLimit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		big := `{"username": "` + strings.Repeat("a", 2048) + `", "password": "x"}`
		resp := e.Call(http.MethodPost, "/api/v1/auth/login", "", big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
		assert.Equal(t, "request.body_too_large", resp.ErrorCode())

		// Without Content-Length the limit still applies while reading.
		r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", io.NopCloser(strings.NewReader(big)))
		r.ContentLength = -1
		w := httptest.NewRecorder()
		e.App.Server.Handler().ServeHTTP(w, r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	}, func(c *config.Config) { c.HTTP.BodyLimitBytes = 1024 })
}

func TestCORSAndTrustedProxies(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		preflight := e.Do(apitest.Request{Method: http.MethodOptions, Path: "/api/v1/auth/login", Headers: map[string]string{
			"Origin": "https://admin.example.gov.cn", "Access-Control-Request-Method": "POST",
		}})
		assert.Equal(t, http.StatusNoContent, preflight.Status)
		assert.Equal(t, "https://admin.example.gov.cn", preflight.Header.Get("Access-Control-Allow-Origin"))
		edit := e.Do(apitest.Request{Method: http.MethodOptions, Path: "/api/v1/units/1", Headers: map[string]string{
			"Origin": "https://admin.example.gov.cn", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization, content-type, if-match",
		}})
		assert.Equal(t, http.StatusNoContent, edit.Status, "a browser may send If-Match")
		got := e.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/units/1", Token: e.Token("admin"), Headers: map[string]string{"Origin": "https://admin.example.gov.cn"}})
		assert.Contains(t, strings.ToLower(got.Header.Get("Access-Control-Expose-Headers")), "etag", "and read the ETag")
		other := e.Do(apitest.Request{Method: http.MethodOptions, Path: "/api/v1/auth/login", Headers: map[string]string{
			"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST",
		}})
		assert.Empty(t, other.Header.Get("Access-Control-Allow-Origin"))

		// X-Forwarded-For from an untrusted peer is ignored: the audit log keeps the peer address.
		e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Body: map[string]string{"username": "nobody", "password": "x"},
			Headers: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
		var ip string
		require.NoError(t, e.DB.Table("audit_logs").Select("ip").Where("action = 'auth.login'").Order("id DESC").Limit(1).Scan(&ip).Error)
		assert.Equal(t, "192.0.2.1", ip, "httptest's peer address, not the forged header")
	}, func(c *config.Config) { c.HTTP.CORSOrigins = []string{"https://admin.example.gov.cn"} })
}

func TestPanicBecomesInternalError(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.App.Server.Engine().GET("/api/v1/test-panic", func(*gin.Context) { panic("boom") })
		r := httptest.NewRequest(http.MethodGet, "/api/v1/test-panic", nil)
		w := httptest.NewRecorder()
		e.App.Server.Handler().ServeHTTP(w, r)
		assert.Equal(t, http.StatusInternalServerError, w.Code)
		assert.Contains(t, w.Body.String(), `"code":"internal"`)
		assert.NotContains(t, w.Body.String(), "boom")
	})
}

// Graceful shutdown: readiness flips to 503 at once and an in-flight request still finishes.
func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		started := make(chan struct{})
		release := make(chan struct{})
		e.App.Server.Engine().GET("/api/v1/test-slow", func(c *gin.Context) {
			close(started)
			<-release
			c.String(http.StatusOK, "finished")
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		base := "http://" + ln.Addr().String()
		ctx, stop := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- e.App.Serve(ctx, ln) }()

		type result struct {
			status int
			body   string
			err    error
		}
		inflight := make(chan result, 1)
		go func() {
			resp, err := http.Get(base + "/api/v1/test-slow")
			if err != nil {
				inflight <- result{err: err}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			inflight <- result{status: resp.StatusCode, body: string(b)}
		}()
		<-started
		stop()
		require.Eventually(t, func() bool {
			return e.Call(http.MethodGet, "/readyz", "", nil).Status == http.StatusServiceUnavailable
		}, 2*time.Second, 10*time.Millisecond, "readiness turns 503 while draining")
		select {
		case <-served:
			t.Fatal("server stopped before the in-flight request finished")
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		res := <-inflight
		require.NoError(t, res.err)
		assert.Equal(t, http.StatusOK, res.status)
		assert.Equal(t, "finished", res.body)
		require.NoError(t, <-served)
		_, err = http.Get(base + "/healthz")
		assert.Error(t, err, "no longer accepting connections")
	})
}

// With http.metrics_addr set (and always in production) /metrics leaves the API listener and
// answers on its own.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, "/metrics", "", nil).Status)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go e.App.ServeMetrics(ctx, ln)
		resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), "go_sql_max_open_connections")
	}, func(c *config.Config) { c.HTTP.MetricsAddr = "127.0.0.1:0" })
	prod := config.Default()
	prod.Mode = config.ModeProduction
	assert.False(t, prod.MetricsOnAPI(), "production never serves metrics with the API")
	assert.True(t, config.Default().MetricsOnAPI(), "development does, unless an address is set")
}
