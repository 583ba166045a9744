package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// ProvisionInput is an account created by the system itself (bootstrap, demo seeding), not by
// an actor through the API.
type ProvisionInput struct {
	Username           string
	DisplayName        string
	Role               auth.Role
	UnitID             int64
	Phone              string
	Password           string
	MustChangePassword bool
	// NoPassword creates the account without a usable password (Password is ignored): it cannot
	// log in by password until one is set.
	NoPassword bool
}

// unusablePassword is stored as the hash of an account without a password; it is never a valid
// argon2id PHC string, so no password matches it.
const unusablePassword = "!"

// Provision creates an account without scope checks and audits it as a system action. An empty
// Username leaves the account to log in by phone only.
func (s *Service) Provision(ctx context.Context, in ProvisionInput) (*Account, error) {
	hash := unusablePassword
	if !in.NoPassword {
		var err error
		if hash, err = s.Hasher.Hash(in.Password); err != nil {
			return nil, err
		}
	}
	phoneEnc, phoneIdx, err := s.sealPhone(in.Phone)
	if err != nil {
		return nil, err
	}
	var username *string
	if in.Username != "" {
		u := normaliseUsername(in.Username)
		username = &u
	}
	a := &Account{
		Username: username, DisplayName: in.DisplayName, PasswordHash: hash, Role: in.Role, UnitID: in.UnitID,
		Status: StatusActive, MustChangePassword: in.MustChangePassword, TokenVersion: 1, PhoneEnc: phoneEnc, PhoneIndex: phoneIdx,
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Store.Create(ctx, a); err != nil {
			return s.dupError(ctx, err, username, phoneIdx, 0)
		}
		return s.Audit.Record(ctx, audit.Entry{ActorName: "system", Action: "account.provision", ResourceType: "account",
			ResourceID: a.ID, Outcome: audit.Success, Detail: map[string]any{"username": in.Username, "role": a.Role}})
	})
	return a, err
}

// BootstrapInput names the root admin from configuration.
type BootstrapInput struct {
	RootUnitID int64
	Username   string // bootstrap.admin_username; "" = none configured
	Password   string // bootstrap.admin_password
}

// BootstrapResult says what EnsureRootAdmin did.
type BootstrapResult struct {
	Username          string
	GeneratedPassword string // set only when the server made up the password (printed once)
	Created           bool
	PasswordSynced    bool
}

// EnsureRootAdmin makes sure the root admin exists. With bootstrap credentials configured, that
// account always exists as an active admin of the root unit with the configured password (a
// container platform provisions it this way; the configured password wins over one changed
// through the API). Without them, and only when no admin exists at all, it creates "admin"
// with a generated password that must be changed at first login.
func (s *Service) EnsureRootAdmin(ctx context.Context, in BootstrapInput) (*BootstrapResult, error) {
	if in.Username == "" {
		return s.ensureAnyAdmin(ctx, in.RootUnitID)
	}
	username := normaliseUsername(in.Username)
	existing, err := s.Store.ByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		_, err := s.Provision(ctx, ProvisionInput{Username: username, DisplayName: "县级管理员", Role: auth.RoleAdmin, UnitID: in.RootUnitID, Password: in.Password})
		return &BootstrapResult{Username: username, Created: true}, err
	}
	if err != nil {
		return nil, err
	}
	result := &BootstrapResult{Username: username}
	cols := map[string]any{}
	if existing.Role != auth.RoleAdmin || existing.UnitID != in.RootUnitID || existing.Status != StatusActive {
		cols["role"], cols["unit_id"], cols["status"] = auth.RoleAdmin, in.RootUnitID, StatusActive
	}
	if ok, err := s.Hasher.Verify(existing.PasswordHash, in.Password); err != nil || !ok {
		hash, err := s.Hasher.Hash(in.Password)
		if err != nil {
			return nil, err
		}
		cols["password_hash"], cols["must_change_password"] = hash, false
		result.PasswordSynced = true
	}
	if len(cols) == 0 {
		return result, nil
	}
	cols["token_version"] = existing.TokenVersion + 1
	cols["failed_logins"], cols["locked_until"] = 0, nil
	return result, s.Store.Update(ctx, existing.ID, cols)
}

func (s *Service) ensureAnyAdmin(ctx context.Context, rootUnitID int64) (*BootstrapResult, error) {
	has, err := s.Store.HasRole(ctx, auth.RoleAdmin)
	if err != nil || has {
		return &BootstrapResult{}, err
	}
	username, err := s.freeUsername(ctx, "admin")
	if err != nil {
		return nil, err
	}
	password := auth.GeneratePassword()
	if _, err := s.Provision(ctx, ProvisionInput{Username: username, DisplayName: "县级管理员", Role: auth.RoleAdmin,
		UnitID: rootUnitID, Password: password, MustChangePassword: true}); err != nil {
		return nil, fmt.Errorf("create root admin: %w", err)
	}
	return &BootstrapResult{Username: username, GeneratedPassword: password, Created: true}, nil
}

// freeUsername returns base, or base-2, base-3, ... when taken by a non-admin account.
func (s *Service) freeUsername(ctx context.Context, base string) (string, error) {
	candidate := base
	for n := 2; ; n++ {
		_, err := s.Store.ByUsername(ctx, candidate)
		if errors.Is(err, ErrNotFound) {
			return candidate, nil
		}
		if err != nil {
			return "", err
		}
		candidate = fmt.Sprintf("%s-%d", base, n)
	}
}
