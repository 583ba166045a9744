package integration

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// ClientView is an integration client; its secret is never shown again after creation.
type ClientView struct {
	ID                     int64        `json:"id" example:"3"`
	ClientID               string       `json:"client_id" example:"xfc_3f9a1c2b7e4d5a6b8c9d0e1f"`
	Name                   string       `json:"name" example:"县人社局干部考核系统"`
	UnitID                 int64        `json:"unit_id" example:"1"`
	UnitName               string       `json:"unit_name" example:"绩溪县"`
	Scopes                 []string     `json:"scopes" example:"learners:read,credits:read"`
	Status                 ClientStatus `json:"status" example:"active" enums:"active,disabled"`
	PreviousSecretValidTil *time.Time   `json:"previous_secret_valid_until" format:"date-time" extensions:"x-nullable"`
	LastTokenAt            *time.Time   `json:"last_token_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt              time.Time    `json:"created_at" format:"date-time"`
	UpdatedAt              time.Time    `json:"updated_at" format:"date-time"`
} // @name IntegrationClient

// ClientSecretView is a client with its secret: answered once, at creation or rotation.
type ClientSecretView struct {
	ClientView
	ClientSecret string `json:"client_secret" example:"xfs_mYs3cr3tValu3ShownOnlyOnce0123456789abcdEF"`
} // @name IntegrationClientWithSecret

// ClientList is a page of clients.
type ClientList struct {
	Items []ClientView `json:"items"`
	httpx.ListMeta
} // @name IntegrationClientList

// ClientCreateRequest registers a client.
type ClientCreateRequest struct {
	Name   string   `json:"name" binding:"required,max=100" example:"县人社局干部考核系统"`
	UnitID int64    `json:"unit_id" binding:"required,min=1" example:"1"`
	Scopes []string `json:"scopes" binding:"required,min=1,max=8" example:"learners:read,credits:read"`
} // @name IntegrationClientCreateRequest

// ClientUpdateRequest changes a client; absent fields stay.
type ClientUpdateRequest struct {
	Name   *string  `json:"name" binding:"omitempty,max=100" example:"县人社局干部考核系统" validate:"optional"`
	UnitID *int64   `json:"unit_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
	Scopes []string `json:"scopes" binding:"omitempty,min=1,max=8" example:"learners:read,credits:read,events:read" validate:"optional"`
} // @name IntegrationClientUpdateRequest

// TokenRequest is an OAuth 2.0 client-credentials request (form or JSON; the client may
// instead authenticate with HTTP Basic).
type TokenRequest struct {
	GrantType    string `json:"grant_type" form:"grant_type" example:"client_credentials" enums:"client_credentials"`
	ClientID     string `json:"client_id" form:"client_id" example:"xfc_3f9a1c2b7e4d5a6b8c9d0e1f" validate:"optional"`
	ClientSecret string `json:"client_secret" form:"client_secret" example:"xfs_mYs3cr3tValu3ShownOnlyOnce0123456789abcdEF" validate:"optional"`
	Scope        string `json:"scope" form:"scope" example:"credits:read learners:read" validate:"optional"`
} // @name ClientTokenRequest

// TokenResponse is an issued access token (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0..."`
	TokenType   string `json:"token_type" example:"Bearer"`
	ExpiresIn   int    `json:"expires_in" example:"900"`
	Scope       string `json:"scope" example:"credits:read learners:read"`
} // @name ClientTokenResponse

// OAuthError is how POST /api/v1/auth/token answers a bad token request: the RFC 6749 §5.2
// error response, which OAuth 2.0 client libraries read, plus the API's own code and the
// request id (the RFC allows extra members). Rate limiting (429), a body over the limit (413)
// and server failures keep the API's error envelope.
type OAuthError struct {
	// Error is the RFC 6749 §5.2 error code.
	Error string `json:"error" example:"invalid_client" enums:"invalid_request,invalid_client,invalid_grant,unauthorized_client,unsupported_grant_type,invalid_scope"`
	// ErrorDescription is for the integrator's developers (English, ASCII as the RFC requires).
	ErrorDescription string `json:"error_description" example:"client authentication failed"`
	// ErrorCode is the API's own stable code (oauth.* or request.*; see api/README.md).
	ErrorCode string `json:"error_code" example:"oauth.invalid_client"`
	RequestID string `json:"request_id" example:"9f1c2b7e4a"`
} // @name OAuthError

// WebhookView is a webhook subscription; its signing secret is never shown again.
type WebhookView struct {
	ID                  int64         `json:"id" example:"5"`
	ClientID            *int64        `json:"client_id" example:"3" extensions:"x-nullable"`
	UnitID              int64         `json:"unit_id" example:"1"`
	URL                 string        `json:"url" example:"https://hr.example.gov.cn/xuefa/webhook"`
	Events              []string      `json:"events" example:"credit.awarded,event.attendance_recorded"`
	Description         string        `json:"description" example:"学分同步"`
	Status              WebhookStatus `json:"status" example:"active" enums:"active,disabled"`
	ConsecutiveFailures int           `json:"consecutive_failures" example:"0"`
	DisabledReason      string        `json:"disabled_reason" example:"consecutive_failures"`
	CreatedAt           time.Time     `json:"created_at" format:"date-time"`
	UpdatedAt           time.Time     `json:"updated_at" format:"date-time"`
} // @name Webhook

// WebhookSecretView is a new webhook with its signing secret, answered once.
type WebhookSecretView struct {
	WebhookView
	Secret string `json:"secret" example:"whsec_k3yUsedToSignEveryDelivery0123456789abcdEFGH"`
} // @name WebhookWithSecret

// WebhookList is a page of webhooks.
type WebhookList struct {
	Items []WebhookView `json:"items"`
	httpx.ListMeta
} // @name WebhookList

// WebhookCreateRequest subscribes a URL to events.
type WebhookCreateRequest struct {
	URL         string   `json:"url" binding:"required,max=1000" example:"https://hr.example.gov.cn/xuefa/webhook"`
	Events      []string `json:"events" binding:"required,min=1,max=6" example:"credit.awarded,event.attendance_recorded"`
	Description string   `json:"description" binding:"max=200" example:"学分同步" validate:"optional"`
} // @name WebhookCreateRequest

// WebhookUpdateRequest changes a webhook; status active re-enables a disabled one.
type WebhookUpdateRequest struct {
	URL         *string        `json:"url" binding:"omitempty,max=1000" example:"https://hr.example.gov.cn/xuefa/webhook2" validate:"optional"`
	Events      []string       `json:"events" binding:"omitempty,min=1,max=6" example:"credit.awarded" validate:"optional"`
	Description *string        `json:"description" binding:"omitempty,max=200" example:"学分同步" validate:"optional"`
	Status      *WebhookStatus `json:"status" binding:"omitempty,oneof=active disabled" example:"active" enums:"active,disabled" validate:"optional"`
} // @name WebhookUpdateRequest

// DeliveryView is one entry of a webhook's delivery log.
type DeliveryView struct {
	ID             int64          `json:"id" example:"41"`
	WebhookID      int64          `json:"webhook_id" example:"5"`
	EventID        string         `json:"event_id" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	EventType      string         `json:"event_type" example:"credit.awarded"`
	Status         DeliveryStatus `json:"status" example:"succeeded" enums:"pending,succeeded,failed"`
	Attempts       int            `json:"attempts" example:"1"`
	NextAttemptAt  *time.Time     `json:"next_attempt_at" format:"date-time" extensions:"x-nullable"`
	LastAttemptAt  *time.Time     `json:"last_attempt_at" format:"date-time" extensions:"x-nullable"`
	ResponseStatus *int           `json:"response_status" example:"200" extensions:"x-nullable"`
	LastError      string         `json:"last_error" example:"receiver answered 500"`
	RedeliveryOf   *int64         `json:"redelivery_of" example:"40" extensions:"x-nullable"`
	CreatedAt      time.Time      `json:"created_at" format:"date-time"`
	DeliveredAt    *time.Time     `json:"delivered_at" format:"date-time" extensions:"x-nullable"`
} // @name WebhookDelivery

// DeliveryList is a page of deliveries.
type DeliveryList struct {
	Items []DeliveryView `json:"items"`
	httpx.ListMeta
} // @name WebhookDeliveryList

// deliveryPath is the input of an endpoint on one delivery of a webhook.
type deliveryPath struct {
	WebhookID, DeliveryID int64
}

// Bind reads the webhook's path id ("id"), then the delivery's ("delivery_id").
func (in *deliveryPath) Bind(c *gin.Context) (err error) {
	if in.WebhookID, err = httpx.PathID(c, "id"); err != nil {
		return err
	}
	in.DeliveryID, err = httpx.PathID(c, "delivery_id")
	return err
}

func (r ClientCreateRequest) toInput() ClientInput {
	return ClientInput{Name: &r.Name, UnitID: &r.UnitID, Scopes: r.Scopes}
}

func (r ClientUpdateRequest) toInput() ClientInput {
	return ClientInput{Name: r.Name, UnitID: r.UnitID, Scopes: r.Scopes}
}

func (r WebhookCreateRequest) toInput() WebhookInput {
	return WebhookInput{URL: &r.URL, Events: r.Events, Description: &r.Description}
}

func (r WebhookUpdateRequest) toInput() WebhookInput {
	return WebhookInput{URL: r.URL, Events: r.Events, Description: r.Description, Status: r.Status}
}

func toClientSecretView(out CreatedClient) ClientSecretView {
	return ClientSecretView{ClientView: toClientView(*out.Row), ClientSecret: out.Secret}
}

func toWebhookSecretView(out CreatedWebhook) WebhookSecretView {
	return WebhookSecretView{WebhookView: toWebhookView(*out.Row), Secret: out.Secret}
}

func toClientView(r ClientRow) ClientView {
	v := ClientView{ID: r.ID, ClientID: r.ClientKey, Name: r.Name, UnitID: r.UnitID, UnitName: r.UnitName, Scopes: r.ScopeList(),
		Status: r.Status, LastTokenAt: utc(r.LastTokenAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.PrevSecretHash != nil {
		v.PreviousSecretValidTil = utc(r.PrevSecretExpiresAt)
	}
	return v
}

func toWebhookView(r WebhookRow) WebhookView {
	return WebhookView{ID: r.ID, ClientID: r.ClientID, UnitID: r.UnitID, URL: r.URL, Events: r.EventList(), Description: r.Description,
		Status: r.Status, ConsecutiveFailures: r.ConsecutiveFailures, DisabledReason: r.DisabledReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toDeliveryView(d Delivery) DeliveryView {
	v := DeliveryView{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventUID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		LastAttemptAt: utc(d.LastAttemptAt), ResponseStatus: d.ResponseStatus, LastError: d.LastError, RedeliveryOf: d.RedeliveryOf,
		CreatedAt: d.CreatedAt.UTC(), DeliveredAt: utc(d.DeliveredAt)}
	if d.Status == DeliveryPending {
		next := d.NextAttemptAt.UTC()
		v.NextAttemptAt = &next
	}
	return v
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
