package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// securityHeaders go on every response: no MIME sniffing, no framing (clickjacking), no
// referrer leaking ids in URLs; and API answers, which carry tokens and personal data, are
// never stored by browsers or proxies (the published contract is the one cacheable document).
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") && c.Request.URL.Path != "/api/v1/openapi.json" {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID accepts a sane X-Request-ID from the caller or makes one, echoes it, and puts the
// request facts (id, client IP as resolved through trusted proxies, user agent) in the context.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			buf := make([]byte, 8)
			_, _ = rand.Read(buf)
			id = hex.EncodeToString(buf)
		}
		c.Header("X-Request-ID", id)
		info := reqctx.Info{RequestID: id, IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
		c.Request = c.Request.WithContext(reqctx.With(c.Request.Context(), info))
		c.Next()
	}
}

// recovery turns a panic into the "internal" envelope and logs it once with the request id.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.ErrorContext(c.Request.Context(), "panic", "request_id", reqctx.From(c.Request.Context()).RequestID, "panic", r)
				httpx.RenderError(c, apperr.ErrInternal)
			}
		}()
		c.Next()
	}
}

// httpMetrics are the request counters and latency histograms.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xuefa_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xuefa_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// accessLog writes one JSON line per request and feeds the metrics. It never logs bodies,
// query strings or headers, so no token, password or phone number reaches the log.
func accessLog(log *slog.Logger, m *httpMetrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
		attrs := []any{
			"request_id", reqctx.From(c.Request.Context()).RequestID, "method", c.Request.Method,
			"route", route, "status", status, "latency_ms", float64(elapsed.Microseconds()) / 1000,
			"ip", c.ClientIP(), "bytes", c.Writer.Size(),
		}
		if a, ok := httpx.ActorOf(c); ok {
			attrs = append(attrs, "actor_id", a.AccountID, "actor_role", a.Role)
		}
		log.InfoContext(c.Request.Context(), "request", attrs...)
	}
}

// renderErrors writes the error envelope for the error a handler reported with httpx.Fail, and
// logs internal errors once with the request id (the client sees no detail).
func renderErrors(log *slog.Logger, now func() time.Time) gin.HandlerFunc {
	limit := newLogLimiter(now)
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		err := c.Errors.Last().Err
		if _, ok := apperr.As(err); ok {
			httpx.RenderError(c, err)
			return
		}
		msg, kind, answer := "internal error", "internal "+c.FullPath(), apperr.ErrInternal
		if database.IsUnavailable(err) {
			msg, kind, answer = "database unavailable", "database unavailable", apperr.ErrServiceUnavailable
		}
		if suppressed, ok := limit.allow(kind); ok {
			log.ErrorContext(c.Request.Context(), msg, "request_id", reqctx.From(c.Request.Context()).RequestID,
				"route", c.FullPath(), "error", err.Error(), "suppressed_since_last", suppressed)
		}
		httpx.RenderError(c, answer)
	}
}

// logLimiter lets one error line a second through per kind, so an outage that fails every
// request cannot flood the log; the next line says how many were left out.
type logLimiter struct {
	now   func() time.Time
	mu    sync.Mutex
	kinds map[string]*logWindow
}

type logWindow struct {
	last       time.Time
	suppressed int
}

func newLogLimiter(now func() time.Time) *logLimiter {
	return &logLimiter{now: now, kinds: map[string]*logWindow{}}
}

// allow reports whether a line of kind may be logged now, and how many were suppressed since
// the last one that was.
func (l *logLimiter) allow(kind string) (suppressed int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, seen := l.kinds[kind]
	if !seen {
		if len(l.kinds) >= 1024 {
			clear(l.kinds) // kinds are routes; a bound keeps a scan of odd paths from growing it
		}
		w = &logWindow{}
		l.kinds[kind] = w
	}
	now := l.now()
	if seen && now.Sub(w.last) < time.Second {
		w.suppressed++
		return 0, false
	}
	suppressed, w.suppressed, w.last = w.suppressed, 0, now
	return suppressed, true
}

// bodyLimit refuses bodies over the limit with 413: at once when Content-Length says so, and
// while reading otherwise. The limit is the route's own (Access.BodyLimit, keyed by method and
// route pattern in perRoute) or else the server's default.
func bodyLimit(limit int64, perRoute map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := limit
		if own, ok := perRoute[c.Request.Method+" "+c.FullPath()]; ok {
			limit = own
		}
		if c.Request.ContentLength > limit {
			httpx.Fail(c, apperr.ErrBodyTooLarge)
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// routeBodyLimits collects the routes that set their own body limit.
func routeBodyLimits(routes []Route) map[string]int64 {
	out := map[string]int64{}
	for _, r := range routes {
		if r.Access.BodyLimit > 0 {
			out[r.Method+" "+r.Path] = r.Access.BodyLimit
		}
	}
	return out
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header.
func bearerToken(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
