package integration

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

// Handler serves /api/v1/auth/token and /api/v1/integration/....
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Token godoc
//
//	@Summary		Get an access token for an integration client (OAuth 2.0 client credentials)
//	@Description	RFC 6749 §4.4. Authenticate with HTTP Basic (client_id:client_secret) or with client_id and client_secret in the body — not both. The body is application/x-www-form-urlencoded (the OAuth 2.0 standard) or JSON, with the same fields. `scope` is an optional space-separated subset of the client's scopes (default: all of them). The token is a short-lived bearer token (expires_in seconds) for the integrator role inside the client's unit subtree; the answer carries Cache-Control: no-store and Pragma: no-cache.
//	@Description	Errors of the request follow RFC 6749 §5.2 so OAuth 2.0 client libraries read them: {"error", "error_description", "error_code", "request_id"} where error is the RFC code and error_code the API's own code. 400 invalid_request (oauth.invalid_request: no grant_type, credentials sent two ways, unreadable form; request.*: malformed JSON body), 400 unsupported_grant_type (oauth.unsupported_grant_type), 400 invalid_scope (oauth.invalid_scope), 401 invalid_client (oauth.invalid_client: no, unknown, wrong or expired credentials, disabled client; always with WWW-Authenticate: Basic realm="xuefa").
//	@Description	A body over the limit (413), too many token requests for the client (429 oauth.rate_limited, with Retry-After) and server failures (5xx) answer the API's usual error envelope.
//	@Tags			integration
//	@Accept			json,x-www-form-urlencoded
//	@Produce		json
//	@Param			body	body		TokenRequest	true	"the token request: form fields or a JSON object; client_id and client_secret only without HTTP Basic"
//	@Success		200		{object}	TokenResponse
//	@Failure		400		{object}	OAuthError	"invalid_request, unsupported_grant_type or invalid_scope (RFC 6749 §5.2)"
//	@Failure		401		{object}	OAuthError	"invalid_client (RFC 6749 §5.2)"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		429		{object}	httpx.ErrorResponse
//	@ID				issueClientToken
//	@Router			/api/v1/auth/token [post]
func (h *Handler) Token(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	var req TokenRequest
	if strings.HasPrefix(c.ContentType(), "application/json") {
		if err := httpx.BindJSON(c, &req); err != nil {
			failToken(c, err)
			return
		}
	} else if err := c.Request.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			failToken(c, apperr.ErrBodyTooLarge)
			return
		}
		failToken(c, &tokenError{rfc: "invalid_request", code: "oauth.invalid_request", description: "the form body cannot be parsed"})
		return
	} else {
		req = TokenRequest{GrantType: c.Request.PostForm.Get("grant_type"), ClientID: c.Request.PostForm.Get("client_id"),
			ClientSecret: c.Request.PostForm.Get("client_secret"), Scope: c.Request.PostForm.Get("scope")}
	}
	user, pass, basic := c.Request.BasicAuth()
	if basic {
		if req.ClientID != "" || req.ClientSecret != "" {
			failToken(c, &tokenError{rfc: "invalid_request", code: "oauth.invalid_request",
				description: "client credentials must be sent either with HTTP Basic or in the body, not both"})
			return
		}
		req.ClientID, req.ClientSecret = user, pass
	}
	tok, err := h.svc.IssueToken(c.Request.Context(), TokenInput{GrantType: req.GrantType, ClientKey: req.ClientID, Secret: req.ClientSecret, Scope: req.Scope})
	if err != nil {
		failToken(c, err)
		return
	}
	httpx.OK(c, TokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, Scope: tok.Scope})
}

// tokenError is a failure of the token request in RFC 6749 §5.2 terms.
type tokenError struct {
	rfc         string // the RFC 6749 §5.2 error code
	code        string // the API's own "domain.reason" code
	description string // error_description: printable ASCII without '"' and '\' (RFC 6749 §5.2)
}

func (e *tokenError) Error() string { return e.code + ": " + e.description }

// tokenErrors maps the API codes a token request can fail with to RFC 6749 §5.2.
var tokenErrors = map[string]tokenError{
	"oauth.invalid_request":        {rfc: "invalid_request", description: "a required parameter is missing or invalid"},
	"oauth.invalid_client":         {rfc: "invalid_client", description: "client authentication failed"},
	"oauth.invalid_scope":          {rfc: "invalid_scope", description: "the requested scope exceeds the scopes granted to the client"},
	"oauth.unsupported_grant_type": {rfc: "unsupported_grant_type", description: "only the client_credentials grant type is supported"},
	"request.invalid_json":         {rfc: "invalid_request", description: "the body is not one valid JSON value"},
	"request.empty_body":           {rfc: "invalid_request", description: "the body is empty"},
	"request.invalid_type":         {rfc: "invalid_request", description: "a parameter has the wrong JSON type"},
	"request.unknown_field":        {rfc: "invalid_request", description: "unknown parameter"},
	"request.validation":           {rfc: "invalid_request", description: "invalid parameter"},
}

// tokenErrorOf reads err as an RFC 6749 §5.2 error. It is false for what the RFC does not
// cover, which keeps the API envelope: a body over the limit (413), rate limiting (429) and
// server failures.
func tokenErrorOf(err error) (*tokenError, bool) {
	var te *tokenError
	if errors.As(err, &te) {
		return te, true
	}
	e, ok := apperr.As(err)
	if !ok {
		return nil, false
	}
	out, known := tokenErrors[e.Code]
	switch {
	case known:
	case e.Status == http.StatusUnauthorized:
		out = tokenErrors["oauth.invalid_client"]
	case e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		out = tokenError{rfc: "invalid_request", description: "the request is malformed"}
	default:
		return nil, false
	}
	out.code = e.Code
	if out.rfc == "invalid_request" && len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			if name := oauthASCII(f.Field, 64); name != "" {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			out.description += ": " + strings.Join(names, ", ")
		}
	}
	return &out, true
}

// oauthASCII keeps the characters RFC 6749 §5.2 allows in error_description (%x20-21 /
// %x23-5B / %x5D-7E) and at most limit of them: field names may echo what the client sent.
func oauthASCII(s string, limit int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < limit; i++ {
		if ch := s[i]; ch >= 0x20 && ch <= 0x7E && ch != '"' && ch != '\\' {
			b.WriteByte(ch)
		}
	}
	return strings.TrimSpace(b.String())
}

// failToken answers a failed token request: RFC 6749 §5.2 where it applies — 401 with a Basic
// challenge for invalid_client (HTTP Basic is accepted; RFC 7235 wants the challenge on every
// 401), else 400 — and the API envelope otherwise.
func failToken(c *gin.Context, err error) {
	te, ok := tokenErrorOf(err)
	if !ok {
		httpx.Fail(c, err)
		return
	}
	status := http.StatusBadRequest
	if te.rfc == "invalid_client" {
		status = http.StatusUnauthorized
		c.Header("WWW-Authenticate", `Basic realm="xuefa"`)
	}
	c.AbortWithStatusJSON(status, OAuthError{Error: te.rfc, ErrorDescription: te.description, ErrorCode: te.code,
		RequestID: reqctx.From(c.Request.Context()).RequestID})
}

// ListClients godoc
//
//	@Summary		List integration clients
//	@Description	County (root-unit) admins only.
//	@Tags			integration
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	ClientList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@ID				listClients
//	@Router			/api/v1/integration/clients [get]
func (h *Handler) ListClients(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Paged) (ClientList, error) {
		rows, total, err := h.svc.Clients(ctx, a, in.Page.Offset(), in.Page.Size)
		return ClientList{Items: httpx.Map(rows, toClientView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}

// CreateClient godoc
//
//	@Summary		Register an integration client
//	@Description	County (root-unit) admins only. The client reads and writes inside the unit's subtree with the scopes granted. The answer carries client_secret this one time: it is stored hashed and cannot be shown again (rotate it if lost).
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ClientCreateRequest	true	"the client"
//	@Success		201		{object}	ClientSecretView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				createClient
//	@Router			/api/v1/integration/clients [post]
func (h *Handler) CreateClient(c *gin.Context) {
	httpx.Serve(c, http.StatusCreated, func(ctx context.Context, a auth.Actor, in httpx.Body[ClientCreateRequest]) (ClientSecretView, error) {
		out, err := h.svc.CreateClient(ctx, a, in.Body.toInput())
		return httpx.Converted(out, err, toClientSecretView)
	})
}

// GetClient godoc
//
//	@Summary	Get an integration client
//	@Description	One integration client: name, client id, unit, scopes, status, last token time and how long a rotated secret stays valid (never the secret). Root-unit admins only.
//	@Tags		integration
//	@Produce	json
//	@Param		id	path		int	true	"client id (numeric)"
//	@Success	200	{object}	ClientView
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@ID				getClient
//	@Router		/api/v1/integration/clients/{id} [get]
func (h *Handler) GetClient(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (ClientView, error) {
		row, err := h.svc.Client(ctx, a, in.ID)
		return httpx.Converted(row, err, toClientView)
	})
}

// UpdateClient godoc
//
//	@Summary		Change an integration client's name, unit or scopes
//	@Description	A withdrawn scope stops working at once, also for tokens already issued.
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int					true	"client id (numeric)"
//	@Param			body	body		ClientUpdateRequest	true	"the changes"
//	@Success		200		{object}	ClientView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				updateClient
//	@Router			/api/v1/integration/clients/{id} [patch]
func (h *Handler) UpdateClient(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.IDBody[ClientUpdateRequest]) (ClientView, error) {
		row, err := h.svc.UpdateClient(ctx, a, in.ID, in.Body.toInput())
		return httpx.Converted(row, err, toClientView)
	})
}

// RotateSecret godoc
//
//	@Summary		Rotate an integration client's secret
//	@Description	Answers the new client_secret once. The previous secret keeps working until previous_secret_valid_until (integration.secret_grace, 24 h by default), so the integrator can switch without downtime.
//	@Tags			integration
//	@Produce		json
//	@Param			id	path		int	true	"client id (numeric)"
//	@Success		200	{object}	ClientSecretView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"client disabled"
//	@ID				rotateClientSecret
//	@Router			/api/v1/integration/clients/{id}/secret [post]
func (h *Handler) RotateSecret(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (ClientSecretView, error) {
		out, err := h.svc.RotateSecret(ctx, a, in.ID)
		return httpx.Converted(out, err, toClientSecretView)
	})
}

// DisableClient godoc
//
//	@Summary		Disable an integration client
//	@Description	No new tokens; tokens already issued stop working at once. Idempotent.
//	@Tags			integration
//	@Produce		json
//	@Param			id	path		int	true	"client id (numeric)"
//	@Success		200	{object}	ClientView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@ID				disableClient
//	@Router			/api/v1/integration/clients/{id}/disable [post]
func (h *Handler) DisableClient(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.ID) (ClientView, error) {
		row, err := h.svc.DisableClient(ctx, a, in.ID)
		return httpx.Converted(row, err, toClientView)
	})
}
