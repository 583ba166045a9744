// Package server builds the gin engine: the middleware chain, the route table with its guards,
// health, readiness, metrics and the API documentation.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Options configure the engine.
type Options struct {
	TrustedProxies []string
	CORSOrigins    []string
	BodyLimitBytes int64
	Log            *slog.Logger
	Registry       *prometheus.Registry
	Issuer         *auth.Issuer
	Authenticator  Authenticator
	// Ping checks the database for /readyz; a failing ping turns readiness off only after it
	// has failed for DBGrace (see readyz).
	Ping    func(ctx context.Context) error
	DBGrace time.Duration
	Now     func() time.Time // the clock of DBGrace; nil is time.Now
	// OpenAPI is the OpenAPI 3 document served at /api/v1/openapi.json.
	OpenAPI []byte
	// MetricsOnAPI serves /metrics with the API; otherwise only MetricsHandler serves it.
	MetricsOnAPI bool
}

// Server is the HTTP side of the app.
type Server struct {
	opts   Options
	ready  atomic.Bool
	engine *gin.Engine
	// dbDownSince is when the database stopped answering /readyz's ping (Unix ns; 0: it answers).
	dbDownSince atomic.Int64
}

// New builds the engine with every route.
func New(opts Options, h Handlers) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts}
	s.ready.Store(true)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	e.Use(requestID(), recovery(opts.Log), accessLog(opts.Log, newHTTPMetrics(opts.Registry)), securityHeaders(), renderErrors(opts.Log, time.Now))
	if len(opts.CORSOrigins) > 0 {
		e.Use(cors.New(cors.Config{
			AllowOrigins:     opts.CORSOrigins,
			AllowMethods:     []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
			AllowHeaders:     []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"},
			ExposeHeaders:    []string{"X-Request-ID", "Retry-After", "ETag"}, // ETag: browser clients send it back in If-Match
			AllowCredentials: false,
			MaxAge:           12 * time.Hour,
		}))
	}
	routes := s.Routes(h)
	e.Use(bodyLimit(opts.BodyLimitBytes, routeBodyLimits(routes)))
	e.NoRoute(func(c *gin.Context) { httpx.Fail(c, apperr.ErrRouteNotFound) })
	e.NoMethod(func(c *gin.Context) { httpx.Fail(c, apperr.ErrMethodNotAllowed) })

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if opts.MetricsOnAPI {
		e.GET("/metrics", gin.WrapH(s.MetricsHandler()))
	}
	e.GET("/", redirect(SwaggerPath))
	e.GET("/swagger/*any", swaggerUI())
	for _, r := range routes {
		handlers := []gin.HandlerFunc{r.Handler}
		if !r.Access.Public {
			handlers = append([]gin.HandlerFunc{guard(r.Access, opts.Issuer, opts.Authenticator)}, handlers...)
		}
		e.Handle(r.Method, r.Path, handlers...)
	}
	s.engine = e
	return s, nil
}

// SwaggerPath is where the Swagger UI answers; / and /swagger lead there.
const SwaggerPath = "/swagger/index.html"

// swaggerUI serves the UI over the OpenAPI 3 document. The UI package answers only its own
// files, so the folder itself leads to the page and its doc.json to the published document.
func swaggerUI() gin.HandlerFunc {
	ui := ginSwagger.WrapHandler(swaggerFiles.Handler, ginSwagger.URL("/api/v1/openapi.json"))
	return func(c *gin.Context) {
		switch c.Param("any") {
		case "", "/":
			redirect(SwaggerPath)(c)
		case "/doc.json":
			redirect("/api/v1/openapi.json")(c)
		default:
			ui(c)
		}
	}
}

func redirect(to string) gin.HandlerFunc {
	return func(c *gin.Context) { c.Redirect(http.StatusFound, to) }
}

// MetricsHandler serves the Prometheus metrics (on a listener of its own in production).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{Registry: s.opts.Registry})
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the gin engine (tests add probe routes to it).
func (s *Server) Engine() *gin.Engine { return s.engine }

// SetReady flips readiness; shutdown sets it false first so load balancers stop sending.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status string `json:"status" example:"ok"`
} // @name Health

// healthz godoc
//
//	@Summary	Liveness: the process is up
//	@Description	Answers 200 while the process runs; no database call. For liveness probes.
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	Health
//	@Failure	413	{object}	httpx.ErrorResponse	"request.body_too_large: a request body over the limit (the limit applies to every route)"
//	@ID				checkHealth
//	@Router		/healthz [get]
func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, Health{Status: "ok"}) }

// readyz godoc
//
//	@Summary	Readiness: the database answers and the server is not shutting down
//	@Description	200 when the database answers a ping and the server is not draining; 503 while draining, or once the database has not answered for http.readiness_db_grace (default 10 s), so load balancers stop sending. Within the grace the answer is 200 with status "degraded": every replica shares the database, and taking them all out of the balancer for a short blip would turn it into a long outage. For readiness probes.
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	Health
//	@Failure	503	{object}	httpx.ErrorResponse
//	@Failure	413	{object}	httpx.ErrorResponse	"request.body_too_large: a request body over the limit (the limit applies to every route)"
//	@ID				checkReadiness
//	@Router		/readyz [get]
func (s *Server) readyz(c *gin.Context) {
	if !s.ready.Load() {
		httpx.Fail(c, apperr.New(http.StatusServiceUnavailable, "unavailable.shutting_down", "服务正在停止"))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.opts.Ping(ctx); err != nil {
		now := s.opts.Now().UnixNano()
		s.dbDownSince.CompareAndSwap(0, now)
		down := time.Duration(now - s.dbDownSince.Load())
		s.opts.Log.WarnContext(ctx, "readiness: database unreachable", "error", err.Error(), "for", down.String())
		if down >= s.opts.DBGrace {
			httpx.Fail(c, apperr.New(http.StatusServiceUnavailable, "unavailable.database", "数据库不可用"))
			return
		}
		c.JSON(http.StatusOK, Health{Status: "degraded"})
		return
	}
	s.dbDownSince.Store(0)
	c.JSON(http.StatusOK, Health{Status: "ready"})
}

// openAPI godoc
//
//	@Summary	The OpenAPI 3 document of this API
//	@Description	This contract as JSON (the same document as api/openapi.json), for clients and the Swagger UI at /swagger/index.html.
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	object
//	@Failure	413	{object}	httpx.ErrorResponse	"request.body_too_large: a request body over the limit (the limit applies to every route)"
//	@ID				getOpenAPIDocument
//	@Router		/api/v1/openapi.json [get]
func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.opts.OpenAPI)
}
