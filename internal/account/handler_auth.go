package account

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Login godoc
//
//	@Summary		Log in
//	@Description	Username (or mobile number) and password → access token (about 15 minutes), refresh token and the account. Five wrong passwords lock the account for 30 minutes (423). Rate limited per client IP and per username (429 with Retry-After). If account.must_change_password is true, only GET /me, PUT /me/password and logout are allowed until the password is changed.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"credentials"
//	@Success		200		{object}	TokenResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse	"auth.invalid_credentials"
//	@Failure		403		{object}	httpx.ErrorResponse	"auth.account_disabled"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@Failure		423		{object}	httpx.ErrorResponse	"auth.account_locked"
//	@Failure		429		{object}	httpx.ErrorResponse	"auth.rate_limited"
//	@ID				login
//	@Router			/api/v1/auth/login [post]
func (h *Handler) Login(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, _ auth.Actor, in httpx.Body[LoginRequest]) (TokenResponse, error) {
		tokens, err := h.svc.Login(ctx, in.Body.Username, in.Body.Password)
		return httpx.Converted(tokens, err, h.svc.toTokenResponse)
	})
}

// Refresh godoc
//
//	@Summary		Refresh tokens
//	@Description	Trades a refresh token for a new access and refresh token; each refresh token works once. Presenting a spent one revokes that whole login (token family) and answers 401 auth.refresh_token_reused.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RefreshRequest	true	"refresh token"
//	@Success		200		{object}	TokenResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				refreshTokens
//	@Router			/api/v1/auth/refresh [post]
func (h *Handler) Refresh(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, _ auth.Actor, in httpx.Body[RefreshRequest]) (TokenResponse, error) {
		tokens, err := h.svc.Refresh(ctx, in.Body.RefreshToken)
		return httpx.Converted(tokens, err, h.svc.toTokenResponse)
	})
}

// Logout godoc
//
//	@Summary		Log out
//	@Description	Ends the current login: its refresh token and access tokens stop working at once.
//	@Tags			auth
//	@Success		204
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@ID				logout
//	@Router			/api/v1/auth/logout [post]
func (h *Handler) Logout(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, _ httpx.None) (httpx.None, error) {
		return httpx.None{}, h.svc.Logout(ctx, a)
	})
}

// Me godoc
//
//	@Summary	The caller's own account
//	@Description	The caller's account: id, role, unit, status and whether a password change is required. Answers even while one is.
//	@Tags		me
//	@Produce	json
//	@Success	200	{object}	View
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@ID				getMe
//	@Router		/api/v1/me [get]
func (h *Handler) Me(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (View, error) {
		row, err := h.svc.Me(ctx, a)
		return httpx.Converted(row, err, h.svc.toView)
	})
}

// ChangePassword godoc
//
//	@Summary		Change the caller's password
//	@Description	Checks the current password and the policy (at least 8 characters, 3 of: lower case, upper case, digits, symbols). Every other login of the account is signed out; the answer is a fresh token pair for this device.
//	@Tags			me
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ChangePasswordRequest	true	"current and new password"
//	@Success		200		{object}	TokenResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				changePassword
//	@Router			/api/v1/me/password [put]
func (h *Handler) ChangePassword(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Body[ChangePasswordRequest]) (TokenResponse, error) {
		tokens, err := h.svc.ChangePassword(ctx, a, in.Body.CurrentPassword, in.Body.NewPassword)
		return httpx.Converted(tokens, err, h.svc.toTokenResponse)
	})
}
