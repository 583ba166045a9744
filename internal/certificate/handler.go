package certificate

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Handler serves /api/v1/certificates and /api/v1/me/certificates.
type Handler struct {
	svc *Service
}

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Get godoc
//
//	@Summary		Check a certificate by its code
//	@Description	Public, no login. Answers only what the certificate states (masked name, unit, issuer, campaign, year and dates, score band, status, issue date), the signed payload exactly as signed, its Ed25519 signature (base64) and key id, the text of its QR code, and whether it was revoked (when, why; "superseded" when a later close of the campaign replaced it). Codes are 16 characters of Crockford base32, read case-insensitively with optional spaces or hyphens. A malformed code and an unknown code answer the same 404 after the same work. Verify offline with the keys of GET /api/v1/certificates/keys (docs/integrators.md, "Verifying a certificate"). Rate-limited per client IP.
//	@Tags			certificates
//	@Produce		json
//	@Param			code	path		string	true	"certificate code"
//	@Success		200		{object}	View
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		429		{object}	httpx.ErrorResponse
//	@ID				getCertificate
//	@Router			/api/v1/certificates/{code} [get]
func (h *Handler) Get(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, _ auth.Actor, in codeInput) (View, error) {
		row, err := h.svc.Lookup(ctx, in.Code)
		return httpx.Converted(row, err, toView)
	})
}

// Keys godoc
//
//	@Summary		The keys that verify certificates
//	@Description	Public, no login. Every Ed25519 public key that signed certificates still valid to check, the active one first: kid (a certificate's key_id), the raw key (base64 of 32 bytes) and the same key as PEM for openssl. Keys stay listed after a rotation so older certificates keep verifying; cache them for offline checks.
//	@Tags			certificates
//	@Produce		json
//	@Success		200	{object}	KeyList
//	@ID				listCertificateKeys
//	@Router			/api/v1/certificates/keys [get]
func (h *Handler) Keys(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(_ context.Context, _ auth.Actor, _ httpx.None) (KeyList, error) {
		keys := h.svc.PublicKeys()
		return KeyList{Items: httpx.Map(keys, toKeyView(h.svc.ActiveKeyID())), ListMeta: httpx.WholeMeta(len(keys))}, nil
	})
}

// Revoke godoc
//
//	@Summary		Revoke a certificate
//	@Description	An admin whose subtree holds the certificate's learner revokes it, e.g. when a result was corrected after the close (404 for anyone else's). The public check then shows it revoked with the reason. Revoking twice is 409. Audited.
//	@Tags			certificates
//	@Accept			json
//	@Produce		json
//	@Param			code	path		string			true	"certificate code"
//	@Param			body	body		RevokeRequest	true	"why"
//	@Success		200		{object}	View
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse
//	@Failure		422		{object}	httpx.ErrorResponse
//	@ID				revokeCertificate
//	@Router			/api/v1/certificates/{code}/revoke [post]
func (h *Handler) Revoke(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in revokeInput) (View, error) {
		row, err := h.svc.Revoke(ctx, a, in.Code, in.Body.Reason)
		return httpx.Converted(row, err, toView)
	})
}

// Mine godoc
//
//	@Summary		My certificates
//	@Description	The calling learner's certificates, newest first, revoked ones included and marked (a certificate superseded by a later close of its campaign is revoked with reason "superseded").
//	@Tags			certificates
//	@Produce		json
//	@Param			page		query		int	false	"page, from 1"	default(1)
//	@Param			page_size	query		int	false	"page size, at most 100"	default(20)
//	@Success		200			{object}	List
//	@Failure		400			{object}	httpx.ErrorResponse
//	@Failure		401			{object}	httpx.ErrorResponse
//	@Failure		403			{object}	httpx.ErrorResponse
//	@Failure		404			{object}	httpx.ErrorResponse
//	@ID				listMyCertificates
//	@Router			/api/v1/me/certificates [get]
func (h *Handler) Mine(c *gin.Context) {
	httpx.Serve(c, http.StatusOK, func(ctx context.Context, a auth.Actor, in httpx.Paged) (List, error) {
		rows, total, err := h.svc.Mine(ctx, a, in.Page.Offset(), in.Page.Size)
		return List{Items: httpx.Map(rows, toView), ListMeta: httpx.Meta(total, in.Page)}, err
	})
}
