package integration

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/httpx"
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
//	@Description	RFC 6749 §4.4. Authenticate with HTTP Basic (client_id:client_secret) or with client_id and client_secret in the body — not both. The body may be application/x-www-form-urlencoded (as documented here) or JSON with the same fields. `scope` is an optional space-separated subset of the client's scopes (default: all of them). The token is a short-lived bearer token (expires_in seconds) for the integrator role inside the client's unit subtree. Errors use the API envelope with the RFC 6749 error names as codes: oauth.invalid_request, oauth.invalid_client (401), oauth.invalid_scope, oauth.unsupported_grant_type (400); oauth.rate_limited (429) per client.
//	@Tags			integration
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			grant_type		formData	string	true	"client_credentials"	Enums(client_credentials)
//	@Param			client_id		formData	string	false	"client id (unless sent with HTTP Basic)"
//	@Param			client_secret	formData	string	false	"client secret (unless sent with HTTP Basic)"
//	@Param			scope			formData	string	false	"space-separated subset of the client's scopes"
//	@Success		200				{object}	TokenResponse
//	@Failure		400				{object}	httpx.ErrorResponse
//	@Failure		401				{object}	httpx.ErrorResponse
//	@Failure		413				{object}	httpx.ErrorResponse
//	@Failure		429				{object}	httpx.ErrorResponse
//	@Router			/api/v1/auth/token [post]
func (h *Handler) Token(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	var req TokenRequest
	if strings.HasPrefix(c.ContentType(), "application/json") {
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.Fail(c, err)
			return
		}
	} else if err := c.Request.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			httpx.Fail(c, apperr.ErrBodyTooLarge)
			return
		}
		httpx.Fail(c, apperr.BadRequest("oauth.invalid_request", "请求体无法解析"))
		return
	} else {
		req = TokenRequest{GrantType: c.Request.PostForm.Get("grant_type"), ClientID: c.Request.PostForm.Get("client_id"),
			ClientSecret: c.Request.PostForm.Get("client_secret"), Scope: c.Request.PostForm.Get("scope")}
	}
	user, pass, basic := c.Request.BasicAuth()
	if basic {
		if req.ClientID != "" || req.ClientSecret != "" {
			httpx.Fail(c, apperr.BadRequest("oauth.invalid_request", "客户端凭证只能用一种方式提交"))
			return
		}
		req.ClientID, req.ClientSecret = user, pass
	}
	tok, err := h.svc.IssueToken(c.Request.Context(), TokenInput{GrantType: req.GrantType, ClientKey: req.ClientID, Secret: req.ClientSecret, Scope: req.Scope})
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Status == http.StatusUnauthorized && basic {
			c.Header("WWW-Authenticate", `Basic realm="xuefa"`)
		}
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, TokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, Scope: tok.Scope})
}

// ListClients godoc
//
//	@Summary		List integration clients
//	@Description	County (root-unit) admins only.
//	@Tags			integration
//	@Security		BearerAuth
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	ClientList
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Router			/api/v1/integration/clients [get]
func (h *Handler) ListClients(c *gin.Context) {
	page, err := httpx.PageOf(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.svc.Clients(c.Request.Context(), httpx.MustActor(c), page.Offset(), page.Size)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, ClientList{Items: httpx.Map(rows, toClientView), ListMeta: httpx.Meta(total, page)})
}

// CreateClient godoc
//
//	@Summary		Register an integration client
//	@Description	County (root-unit) admins only. The client reads and writes inside the unit's subtree with the scopes granted. The answer carries client_secret this one time: it is stored hashed and cannot be shown again (rotate it if lost).
//	@Tags			integration
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ClientCreateRequest	true	"the client"
//	@Success		201		{object}	ClientSecretView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@Router			/api/v1/integration/clients [post]
func (h *Handler) CreateClient(c *gin.Context) {
	var req ClientCreateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.CreateClient(c.Request.Context(), httpx.MustActor(c), ClientInput{Name: &req.Name, UnitID: &req.UnitID, Scopes: req.Scopes})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Created(c, ClientSecretView{ClientView: toClientView(*out.Row), ClientSecret: out.Secret})
}

// GetClient godoc
//
//	@Summary	Get an integration client
//	@Tags		integration
//	@Security	BearerAuth
//	@Produce	json
//	@Param		id	path		int	true	"client id (numeric)"
//	@Success	200	{object}	ClientView
//	@Failure	400	{object}	httpx.ErrorResponse
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@Failure	404	{object}	httpx.ErrorResponse
//	@Router		/api/v1/integration/clients/{id} [get]
func (h *Handler) GetClient(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.Client(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toClientView(*row))
}

// UpdateClient godoc
//
//	@Summary		Change an integration client's name, unit or scopes
//	@Description	A withdrawn scope stops working at once, also for tokens already issued.
//	@Tags			integration
//	@Security		BearerAuth
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
//	@Router			/api/v1/integration/clients/{id} [patch]
func (h *Handler) UpdateClient(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req ClientUpdateRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.UpdateClient(c.Request.Context(), httpx.MustActor(c), id, ClientInput{Name: req.Name, UnitID: req.UnitID, Scopes: req.Scopes})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toClientView(*row))
}

// RotateSecret godoc
//
//	@Summary		Rotate an integration client's secret
//	@Description	Answers the new client_secret once. The previous secret keeps working until previous_secret_valid_until (integration.secret_grace, 24 h by default), so the integrator can switch without downtime.
//	@Tags			integration
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		int	true	"client id (numeric)"
//	@Success		200	{object}	ClientSecretView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"client disabled"
//	@Router			/api/v1/integration/clients/{id}/secret [post]
func (h *Handler) RotateSecret(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.RotateSecret(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, ClientSecretView{ClientView: toClientView(*out.Row), ClientSecret: out.Secret})
}

// DisableClient godoc
//
//	@Summary		Disable an integration client
//	@Description	No new tokens; tokens already issued stop working at once. Idempotent.
//	@Tags			integration
//	@Security		BearerAuth
//	@Produce		json
//	@Param			id	path		int	true	"client id (numeric)"
//	@Success		200	{object}	ClientView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Router			/api/v1/integration/clients/{id}/disable [post]
func (h *Handler) DisableClient(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	row, err := h.svc.DisableClient(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toClientView(*row))
}
