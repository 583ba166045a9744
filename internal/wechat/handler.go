package wechat

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/auth/wechat* and /api/v1/me/wechat-subscriptions.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// toLoginResponse is the answer of a WeChat login: its tokens, and whether the user is new.
func (h *Handler) toLoginResponse(r LoginResult) LoginResponse {
	return LoginResponse{TokenResponse: h.svc.Accounts.TokenResponse(r.Tokens), NewUser: r.New}
}

// toTokensResponse is the answer of a bind: the learner's tokens.
func (h *Handler) toTokensResponse(t account.Tokens) LoginResponse {
	return LoginResponse{TokenResponse: h.svc.Accounts.TokenResponse(&t)}
}

// Login godoc
//
//	@Summary		Log in from the mini-program
//	@Description	Trades a wx.login code for tokens: for the learner bound to this WeChat user, else for their participant account (created at the first login; new_user is true then). The session_key never leaves the server and is not stored. Rate limited per client IP and per WeChat user (429 auth.rate_limited). With `wechat.mode: fake` (development) code `dev-<name>` always logs in the same user.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"wx.login code"
//	@Success		200		{object}	LoginResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse	"wechat.invalid_code, wechat.code_used"
//	@Failure		403		{object}	httpx.ErrorResponse	"wechat.high_risk_user, auth.account_disabled"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@Failure		429		{object}	httpx.ErrorResponse	"auth.rate_limited"
//	@Failure		502		{object}	httpx.ErrorResponse	"wechat.upstream_error"
//	@Failure		503		{object}	httpx.ErrorResponse	"wechat.busy, wechat.disabled"
//	@ID				loginWithWeChat
//	@Router			/api/v1/auth/wechat [post]
func (h *Handler) Login(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, _ auth.Actor, in httpx.Body[LoginRequest]) (LoginResponse, error) {
		res, err := h.svc.Login(ctx, in.Body.Code)
		return httpx.Converted(res, err, h.toLoginResponse)
	})
}

// Bind godoc
//
//	@Summary		Bind my WeChat to my learner account
//	@Description	Called with the participant token from POST /auth/wechat. Proves the learner by phone and password (checked like a password login: rate limits, lockout) or by phone_code from the getPhoneNumber button (the phone must belong to an active learner). Answers with the learner's tokens; from then on WeChat login signs in as the learner.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		BindRequest	true	"phone and password, or phone_code"
//	@Success		200		{object}	LoginResponse
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse	"auth.invalid_credentials"
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse	"wechat.not_linked, wechat.learner_not_found"
//	@Failure		409		{object}	httpx.ErrorResponse	"wechat.already_bound, wechat.learner_already_bound"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse	"request.validation, wechat.invalid_phone_code"
//	@Failure		423		{object}	httpx.ErrorResponse	"auth.account_locked"
//	@Failure		429		{object}	httpx.ErrorResponse	"auth.rate_limited"
//	@Failure		502		{object}	httpx.ErrorResponse	"wechat.upstream_error"
//	@Failure		503		{object}	httpx.ErrorResponse	"wechat.busy, wechat.disabled"
//	@ID				bindWeChat
//	@Router			/api/v1/auth/wechat/bind [post]
func (h *Handler) Bind(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Body[BindRequest]) (LoginResponse, error) {
		tokens, err := h.svc.Bind(ctx, a, in.Body.toInput())
		return httpx.Converted(tokens, err, h.toTokensResponse)
	})
}

// Unbind godoc
//
//	@Summary		Unbind my WeChat
//	@Description	The learner detaches their WeChat: WeChat login signs in as the participant again and the recorded subscribe-message allowances are dropped. Audited.
//	@Tags			auth
//	@Success		204
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"wechat.not_bound"
//	@ID				unbindWeChat
//	@Router			/api/v1/auth/wechat/bind [delete]
func (h *Handler) Unbind(c *gin.Context) {
	httpx.Serve(c, http.StatusNoContent, func(ctx context.Context, a auth.Actor, _ httpx.None) (httpx.None, error) {
		return httpx.None{}, h.svc.Unbind(ctx, a)
	})
}

// RecordSubscriptions godoc
//
//	@Summary		Record subscribe-message answers
//	@Description	Pass on what wx.requestSubscribeMessage answered, per template: each accept allows one more message of that template (stored up to 50); reject, ban or filter stop it. The reminder channel `wechat` spends the allowance of the template configured as wechat.reminder_template_id. Only for learners bound to WeChat.
//	@Tags			me
//	@Accept			json
//	@Produce		json
//	@Param			body	body		SubscriptionsRequest	true	"answers per template"
//	@Success		200		{object}	SubscriptionList
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"wechat.not_bound"
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				recordWeChatSubscriptions
//	@Router			/api/v1/me/wechat-subscriptions [put]
func (h *Handler) RecordSubscriptions(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Body[SubscriptionsRequest]) (SubscriptionList, error) {
		subs, err := h.svc.RecordSubscriptions(ctx, a, in.Body.toResults())
		return toSubscriptionList(subs), err
	})
}

// Subscriptions godoc
//
//	@Summary	My subscribe-message allowances
//	@Description	How many WeChat subscribe messages the learner has allowed per template (each allowance sends one message).
//	@Tags		me
//	@Produce	json
//	@Success	200	{object}	SubscriptionList
//	@Failure	401	{object}	httpx.ErrorResponse
//	@Failure	403	{object}	httpx.ErrorResponse
//	@ID				getWeChatSubscriptions
//	@Router		/api/v1/me/wechat-subscriptions [get]
func (h *Handler) Subscriptions(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, _ httpx.None) (SubscriptionList, error) {
		subs, err := h.svc.Subscriptions(ctx, a)
		return toSubscriptionList(subs), err
	})
}
