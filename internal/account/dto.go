package account

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// View is an account as the API shows it. The phone is always masked.
type View struct {
	ID                 int64      `json:"id" example:"2"`
	Username           string     `json:"username" example:"huayang-admin"`
	DisplayName        string     `json:"display_name" example:"华阳镇管理员"`
	Role               auth.Role  `json:"role" example:"admin" enums:"admin,lecturer,learner,participant,auditor,integrator"`
	UnitID             int64      `json:"unit_id" example:"2"`
	UnitName           string     `json:"unit_name" example:"华阳镇"`
	Status             Status     `json:"status" example:"active" enums:"active,disabled"`
	Phone              string     `json:"phone" example:"138****5678"`
	MustChangePassword bool       `json:"must_change_password" example:"false"`
	LockedUntil        *time.Time `json:"locked_until" format:"date-time" extensions:"x-nullable"`
	LastLoginAt        *time.Time `json:"last_login_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt          time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt          time.Time  `json:"updated_at" format:"date-time"`
} // @name Account

// List is a page of accounts.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name AccountList

// CreatedView is a new account; initial_password is the password the server generated (shown
// once), null when the admin chose one.
type CreatedView struct {
	View
	InitialPassword *string `json:"initial_password" example:"Tq7mK2pZ9xHe" extensions:"x-nullable"`
} // @name AccountCreated

// PasswordResetView carries a generated password, shown once.
type PasswordResetView struct {
	InitialPassword string `json:"initial_password" example:"Tq7mK2pZ9xHe"`
} // @name PasswordReset

// CreateRequest creates a staff account. Without password the server generates one.
type CreateRequest struct {
	Username    string    `json:"username" binding:"required,min=3,max=64" example:"linxi-admin"`
	DisplayName string    `json:"display_name" binding:"required,min=1,max=64" example:"临溪镇管理员"`
	Role        auth.Role `json:"role" binding:"required,oneof=admin lecturer auditor" example:"admin"`
	UnitID      int64     `json:"unit_id" binding:"required,min=1" example:"3"`
	Phone       string    `json:"phone" binding:"omitempty,len=11,numeric" example:"13800138000" validate:"optional"`
	Password    string    `json:"password" binding:"omitempty,max=128" example:"Initial#2026" validate:"optional"`
} // @name AccountCreateRequest

// UpdateRequest changes an account; absent fields stay. phone "" clears it.
type UpdateRequest struct {
	DisplayName *string    `json:"display_name" binding:"omitempty,min=1,max=64" example:"临溪镇管理员" validate:"optional"`
	Role        *auth.Role `json:"role" binding:"omitempty,oneof=admin lecturer auditor" example:"lecturer" validate:"optional"`
	UnitID      *int64     `json:"unit_id" binding:"omitempty,min=1" example:"3" validate:"optional"`
	Status      *Status    `json:"status" binding:"omitempty,oneof=active disabled" example:"disabled" validate:"optional"`
	Phone       *string    `json:"phone" binding:"omitempty,len=11,numeric" example:"13800138000" validate:"optional"`
} // @name AccountUpdateRequest

type listQuery struct {
	UnitID int64     `form:"unit_id" binding:"omitempty,min=1"`
	Role   auth.Role `form:"role" binding:"omitempty,oneof=admin lecturer learner participant auditor integrator"`
	Status Status    `form:"status" binding:"omitempty,oneof=active disabled"`
	Q      string    `form:"q" binding:"max=64"`
}

// LoginRequest logs in by username or mobile number.
type LoginRequest struct {
	Username string `json:"username" binding:"required,max=64" example:"admin"`
	Password string `json:"password" binding:"required,max=128" example:"Xuefa@2026"`
} // @name LoginRequest

// RefreshRequest trades a refresh token for a new pair.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" binding:"required,max=128" example:"q0vJ9x...opaque"`
} // @name RefreshRequest

// ChangePasswordRequest changes the caller's password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password" binding:"required,max=128" example:"Xuefa@2026"`
	NewPassword     string `json:"new_password" binding:"required,max=128" example:"N3w-Passw0rd"`
} // @name ChangePasswordRequest

// TokenResponse is a token pair with the account it belongs to.
type TokenResponse struct {
	AccessToken      string    `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0..."`
	TokenType        string    `json:"token_type" example:"Bearer"`
	ExpiresIn        int       `json:"expires_in" example:"900"`
	ExpiresAt        time.Time `json:"expires_at" format:"date-time"`
	RefreshToken     string    `json:"refresh_token" example:"q0vJ9x...opaque"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at" format:"date-time"`
	Account          View      `json:"account"`
} // @name TokenResponse

// toView converts a row for the API, masking the phone.
func (s *Service) toView(r Row) View {
	v := View{
		ID: r.ID, DisplayName: r.DisplayName, Role: r.Role, UnitID: r.UnitID, UnitName: r.UnitName,
		Status: r.Status, Phone: s.maskedPhone(r.Account), MustChangePassword: r.MustChangePassword,
		LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Username != nil {
		v.Username = *r.Username
	}
	if r.LockedUntil != nil && r.LockedUntil.After(s.Now()) {
		v.LockedUntil = r.LockedUntil
	}
	return v
}

// toTaggedView is the view of one account with its revision, for the ETag.
func (s *Service) toTaggedView(r Row) httpx.Tagged[View] {
	return httpx.Tag(s.toView(r), r.ID, r.RowVersion)
}

// toTaggedCreatedView is a new account with its revision, for the ETag.
func (s *Service) toTaggedCreatedView(c Created) httpx.Tagged[CreatedView] {
	v := CreatedView{View: s.toView(*c.Row), InitialPassword: httpx.NullIfZero(c.InitialPassword)}
	return httpx.Tag(v, c.Row.ID, c.Row.RowVersion)
}

// toTokenResponse converts a token pair for the API.
func (s *Service) toTokenResponse(t Tokens) TokenResponse {
	return TokenResponse{
		AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: int(t.AccessExpiresAt.Sub(s.Now()).Seconds()),
		ExpiresAt: t.AccessExpiresAt, RefreshToken: t.RefreshToken, RefreshExpiresAt: t.RefreshExpiresAt,
		Account: s.toView(*t.Account),
	}
}

func (r CreateRequest) toInput() CreateInput {
	return CreateInput{Username: r.Username, DisplayName: r.DisplayName, Role: r.Role, UnitID: r.UnitID, Phone: r.Phone, Password: r.Password}
}

func (r UpdateRequest) toInput() UpdateInput {
	return UpdateInput{DisplayName: r.DisplayName, Role: r.Role, UnitID: r.UnitID, Status: r.Status, Phone: r.Phone}
}
