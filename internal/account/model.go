// Package account owns login identities: accounts with one role in one unit, their sessions and
// rotating refresh tokens, login with lockout, password changes and the bootstrap root admin.
package account

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// Status of an account.
type Status string // @name AccountStatus

// Statuses.
const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// Account is a login identity.
type Account struct {
	ID                 int64 `gorm:"primaryKey"`
	Username           *string
	PhoneEnc           *string
	PhoneIndex         *string
	DisplayName        string
	PasswordHash       string
	Role               auth.Role
	UnitID             int64
	Status             Status
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        *time.Time
	TokenVersion       int64
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// RowVersion counts the account's revisions (its ETag): every write but login bookkeeping
	// moves it on.
	RowVersion int64 `gorm:"default:1"`
}

// TableName pins the table.
func (Account) TableName() string { return "accounts" }

// Session is one login on one device; its refresh tokens rotate inside it (a token family).
type Session struct {
	ID           string `gorm:"primaryKey"`
	AccountID    int64
	IP           string `gorm:"column:ip"`
	UserAgent    string
	CreatedAt    time.Time
	LastUsedAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason string
}

// TableName pins the table.
func (Session) TableName() string { return "sessions" }

// RefreshToken is one opaque refresh token, stored hashed; it may be used once.
type RefreshToken struct {
	ID        int64 `gorm:"primaryKey"`
	SessionID string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// TableName pins the table.
func (RefreshToken) TableName() string { return "refresh_tokens" }

// principal is what the auth middleware needs about an account on every request.
type principal struct {
	ID                 int64
	DisplayName        string
	Role               auth.Role
	UnitID             int64
	UnitPath           string
	Status             Status
	TokenVersion       int64
	MustChangePassword bool
	SessionRevokedAt   *time.Time
	SessionExpiresAt   *time.Time
	SessionFound       bool
}
