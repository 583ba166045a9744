package certificate

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// View is a certificate as anyone holding its code reads it: the facts it states (decoded from
// the payload), the payload exactly as signed, the signature and key id, and whether it was
// revoked. Nothing else about the learner.
type View struct {
	Code       string `json:"code" example:"7QK2M9D4XW1HZ8RT"`
	Name       string `json:"name" example:"张*"`
	Unit       string `json:"unit" example:"华阳镇"`
	Issuer     string `json:"issuer" example:"绩溪县"`
	CampaignID int64  `json:"campaign_id" example:"1"`
	Campaign   string `json:"campaign" example:"第九个机关集中学法月"`
	Year       int    `json:"year" example:"2026"`
	StartDate  string `json:"start_date" format:"date" example:"2026-11-01"`
	EndDate    string `json:"end_date" format:"date" example:"2026-12-31"`
	Band       string `json:"band" example:"优秀" enums:"优秀,良好,合格"`
	Status     string `json:"status" example:"met" enums:"met,exempt"`
	StatusText string `json:"status_cn" example:"达标"`
	IssuedOn   string `json:"issued_on" format:"date" example:"2026-12-31"`
	// Payload is the signed statement, byte for byte: verify the signature over its UTF-8 bytes
	// exactly as received, never over a re-encoding.
	Payload   string `json:"payload" example:"{\"v\":1,\"code\":\"7QK2M9D4XW1HZ8RT\",\"name\":\"张*\",\"unit\":\"华阳镇\",\"issuer\":\"绩溪县\",\"campaign_id\":1,\"campaign\":\"第九个机关集中学法月\",\"year\":2026,\"start_date\":\"2026-11-01\",\"end_date\":\"2026-12-31\",\"band\":\"优秀\",\"status\":\"met\",\"status_cn\":\"达标\",\"issued_on\":\"2026-12-31\",\"kid\":\"c1\"}"`
	Signature string `json:"signature" example:"k1n0B3…(base64 of 64 bytes)"`
	KeyID     string `json:"key_id" example:"c1"`
	Alg       string `json:"alg" example:"Ed25519" enums:"Ed25519"`
	// QRText is what a printed certificate's QR code holds for offline checks:
	// "XFC1." + base64url(payload) + "." + base64url(signature), unpadded.
	QRText       string     `json:"qr_text" example:"XFC1.eyJ2IjoxLC….k1n0B3…"`
	Revoked      bool       `json:"revoked" example:"false"`
	RevokedAt    *time.Time `json:"revoked_at" format:"date-time" extensions:"x-nullable"`
	RevokeReason *string    `json:"revoke_reason" example:"superseded" extensions:"x-nullable"`
} // @name Certificate

// List is a page of certificates.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name CertificateList

// KeyView is one published verification key.
type KeyView struct {
	KID string `json:"kid" example:"c1"`
	Alg string `json:"alg" example:"Ed25519" enums:"Ed25519"`
	// PublicKey is standard base64 of the 32-byte Ed25519 public key.
	PublicKey string `json:"public_key" example:"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="`
	// PublicKeyPEM is the same key as a PEM SubjectPublicKeyInfo (for openssl).
	PublicKeyPEM string `json:"public_key_pem" example:"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAO2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=\n-----END PUBLIC KEY-----\n"`
	// Active marks the key new certificates are signed with; the others sign older ones.
	Active bool `json:"active" example:"true"`
} // @name CertificateKey

// KeyList is every published key, the active one first.
type KeyList struct {
	Items []KeyView `json:"items"`
	httpx.ListMeta
} // @name CertificateKeyList

// RevokeRequest revokes a certificate.
type RevokeRequest struct {
	Reason string `json:"reason" binding:"required,max=500" example:"考试成绩复核后更正，年度成绩未达标"`
} // @name CertificateRevokeRequest

// QRPrefix starts a certificate's QR text (format version 1).
const QRPrefix = "XFC1."

// toView converts a row: the stated facts come from the signed payload itself, so the page
// shows exactly what the signature covers.
func toView(r Row) View {
	var st Statement
	_ = json.Unmarshal([]byte(r.Payload), &st) // written by canonicalJSON; never fails on our rows
	sig, _ := base64.StdEncoding.DecodeString(r.Signature)
	return View{
		Code: r.Code, Name: st.Name, Unit: st.Unit, Issuer: st.Issuer, CampaignID: st.CampaignID, Campaign: st.Campaign,
		Year: st.Year, StartDate: st.StartDate, EndDate: st.EndDate, Band: st.Band, Status: st.Status, StatusText: st.StatusText,
		IssuedOn: st.IssuedOn, Payload: r.Payload, Signature: r.Signature, KeyID: r.KeyID, Alg: Alg,
		QRText:  QRPrefix + base64.RawURLEncoding.EncodeToString([]byte(r.Payload)) + "." + base64.RawURLEncoding.EncodeToString(sig),
		Revoked: r.RevokedAt != nil, RevokedAt: r.RevokedAt, RevokeReason: r.RevokeReason,
	}
}

// toKeyView converts a published key.
func toKeyView(activeKID string) func(PublicKey) KeyView {
	return func(k PublicKey) KeyView {
		return KeyView{KID: k.KID, Alg: Alg, PublicKey: base64.StdEncoding.EncodeToString(k.Key), PublicKeyPEM: k.PEM(), Active: k.KID == activeKID}
	}
}

// codeInput is the input of an endpoint on one certificate: its code in the path, read as
// typed (the service decides what is well-formed, so a malformed code answers like an unknown).
type codeInput struct {
	Code string
}

// Bind reads the path's code.
func (in *codeInput) Bind(c *gin.Context) error {
	in.Code = c.Param("code")
	return nil
}

// revokeInput is the code in the path and the revoke body.
type revokeInput struct {
	Code string
	Body RevokeRequest
}

// Bind reads the path's code, then the body.
func (in *revokeInput) Bind(c *gin.Context) error {
	in.Code = c.Param("code")
	return httpx.BindJSON(c, &in.Body)
}
