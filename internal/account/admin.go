package account

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

// CreateInput is a new staff account (admin, lecturer or auditor).
type CreateInput struct {
	Username    string
	DisplayName string
	Role        auth.Role
	UnitID      int64
	Phone       string
	Password    string // empty: generate one, returned once
}

// Created is a new account and, when the server generated it, its initial password.
type Created struct {
	Row             *Row
	InitialPassword string
}

// Create adds a staff account in the actor's subtree. It must change its password at first login.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in CreateInput) (*Created, error) {
	if !isManaged(in.Role) {
		return nil, apperr.Invalid("account.role_not_allowed", "只能创建管理员、讲师或审计员账号", apperr.Field("role", "取值必须是: admin lecturer auditor"))
	}
	if err := checkUsername(in.Username); err != nil {
		return nil, err
	}
	if err := checkPhone(in.Phone); err != nil {
		return nil, err
	}
	if err := s.checkUnit(ctx, actor, in.UnitID); err != nil {
		return nil, err
	}
	password := in.Password
	if password == "" {
		password = auth.GeneratePassword()
	} else if msg := auth.CheckPolicy(password); msg != "" {
		return nil, apperr.Invalid("auth.weak_password", msg, apperr.Field("password", msg))
	}
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	phoneEnc, phoneIdx, err := s.sealPhone(in.Phone)
	if err != nil {
		return nil, err
	}
	username := normaliseUsername(in.Username)
	a := &Account{
		Username: &username, DisplayName: strings.TrimSpace(in.DisplayName), PasswordHash: hash, Role: in.Role,
		UnitID: in.UnitID, Status: StatusActive, MustChangePassword: true, TokenVersion: 1,
		PhoneEnc: phoneEnc, PhoneIndex: phoneIdx,
	}
	var row *Row
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Store.Create(ctx, a); err != nil {
			return unitGone(s.dupError(ctx, err, &username, phoneIdx, 0))
		}
		if err := s.record(ctx, &actor, "account.create", a.ID, audit.Success, map[string]any{"username": username, "role": a.Role, "unit_id": a.UnitID}); err != nil {
			return err
		}
		row, err = s.Store.GetRow(ctx, a.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &Created{Row: row}
	if in.Password == "" {
		out.InitialPassword = password
	}
	return out, nil
}

// unitGone turns a foreign-key failure on the unit (deleted since checkUnit) into its 422.
func unitGone(err error) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return errUnitOutsideScope
	}
	return err
}

// lockedGet locks an account of the actor's subtree and returns the row read under the lock.
func (s *Service) lockedGet(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	locked, err := s.Store.GetForUpdate(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	row, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	row.Account = *locked
	return row, nil
}

// checkUnit refuses units outside the actor's subtree (as "not found", so ids do not leak).
func (s *Service) checkUnit(ctx context.Context, actor auth.Actor, unitID int64) error {
	u, err := s.Units.Lookup(ctx, unitID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return errUnitOutsideScope
		}
		return err
	}
	if !actor.Covers(u.Path) {
		return errUnitOutsideScope
	}
	return nil
}

// Get returns an account in the actor's subtree.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	row, err := s.Store.GetRow(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(row.UnitPath)) {
		return nil, errNotFound
	}
	return row, err
}

// ListInput narrows a listing.
type ListInput struct {
	UnitID int64
	Role   auth.Role
	Status Status
	Query  string
	Offset int
	Limit  int
}

// List returns a page of accounts in the actor's subtree.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	return s.Store.List(ctx, Filter{PathPrefix: actor.UnitPath, UnitID: in.UnitID, Role: in.Role, Status: in.Status, Query: in.Query}, in.Offset, in.Limit)
}

// UpdateInput changes an account; nil fields stay.
type UpdateInput struct {
	DisplayName *string
	Role        *auth.Role
	UnitID      *int64
	Status      *Status
	Phone       *string // "" clears
}

// Update edits a staff account in the actor's subtree, if it is still at a revision ifMatch
// accepts. An admin cannot change their own role, unit or status; role, unit and status changes
// revoke the account's tokens at once. The account is locked first so that no concurrent
// token-version bump is lost.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in UpdateInput, ifMatch etag.IfMatch) (*Row, error) {
	var row *Row
	err := s.inTx(ctx, func(ctx context.Context) error {
		target, err := s.lockedGet(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(target.ID, target.RowVersion); err != nil {
			return err
		}
		if !isManaged(target.Role) {
			return errManagedElsewhere
		}
		cols, revoke, err := s.updateColumns(ctx, actor, target, in)
		if err != nil {
			return err
		}
		if revoke {
			cols["token_version"] = target.TokenVersion + 1
		}
		if len(cols) > 0 {
			if err := s.Store.Update(ctx, id, cols); err != nil {
				idx, _ := cols["phone_index"].(*string)
				return unitGone(s.dupError(ctx, err, nil, idx, id))
			}
		}
		if in.Status != nil && *in.Status == StatusDisabled {
			if err := s.Store.RevokeAccountSessions(ctx, id, "", s.Now(), "disabled"); err != nil {
				return err
			}
		}
		if err := s.record(ctx, &actor, "account.update", id, audit.Success, auditable(cols)); err != nil {
			return err
		}
		row, err = s.Store.GetRow(ctx, id)
		return err
	})
	return row, err
}

// updateColumns validates the requested changes and returns the columns to write and whether
// existing tokens must stop working.
func (s *Service) updateColumns(ctx context.Context, actor auth.Actor, target *Row, in UpdateInput) (map[string]any, bool, error) {
	cols := map[string]any{}
	self := target.ID == actor.AccountID
	if self && (in.Role != nil || in.UnitID != nil || in.Status != nil) {
		return nil, false, errSelfChange
	}
	revoke := false
	if in.DisplayName != nil {
		cols["display_name"] = strings.TrimSpace(*in.DisplayName)
	}
	if in.Role != nil && *in.Role != target.Role {
		if !isManaged(*in.Role) {
			return nil, false, apperr.Invalid("account.role_not_allowed", "只能设为管理员、讲师或审计员", apperr.Field("role", "取值必须是: admin lecturer auditor"))
		}
		cols["role"], revoke = *in.Role, true
	}
	if in.UnitID != nil && *in.UnitID != target.UnitID {
		if err := s.checkUnit(ctx, actor, *in.UnitID); err != nil {
			return nil, false, err
		}
		cols["unit_id"], revoke = *in.UnitID, true
	}
	if in.Status != nil && *in.Status != target.Status {
		cols["status"] = *in.Status
		revoke = revoke || *in.Status == StatusDisabled
		if *in.Status == StatusActive {
			cols["failed_logins"], cols["locked_until"] = 0, nil
		}
	}
	if in.Phone != nil {
		if err := checkPhone(strings.TrimSpace(*in.Phone)); err != nil {
			return nil, false, err
		}
		enc, idx, err := s.sealPhone(strings.TrimSpace(*in.Phone))
		if err != nil {
			return nil, false, err
		}
		cols["phone_enc"], cols["phone_index"] = enc, idx
	}
	return cols, revoke, nil
}

// auditable drops sealed values from an audit detail.
func auditable(cols map[string]any) map[string]any {
	out := make(map[string]any, len(cols))
	for k, v := range cols {
		switch k {
		case "phone_enc", "phone_index":
			out["phone_changed"] = true
		case "token_version":
		default:
			out[k] = v
		}
	}
	return out
}

// ResetPassword gives a staff account a new generated password (returned once), unlocks it,
// forces a change at next login and revokes its sessions.
func (s *Service) ResetPassword(ctx context.Context, actor auth.Actor, id int64) (string, error) {
	password := auth.GeneratePassword()
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return "", err
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		target, err := s.lockedGet(ctx, actor, id)
		if err != nil {
			return err
		}
		if !isManaged(target.Role) {
			return errManagedElsewhere
		}
		if target.ID == actor.AccountID {
			return errSelfChange
		}
		if err := s.Store.Update(ctx, id, map[string]any{
			"password_hash": hash, "must_change_password": true, "failed_logins": 0, "locked_until": nil,
			"token_version": target.TokenVersion + 1,
		}); err != nil {
			return err
		}
		if err := s.Store.RevokeAccountSessions(ctx, id, "", s.Now(), "password_reset"); err != nil {
			return err
		}
		return s.record(ctx, &actor, "account.reset_password", id, audit.Success, nil)
	})
	return password, err
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9._-]{2,63}$`)

// checkUsername requires a letter first so a username can never look like a phone number.
func checkUsername(u string) error {
	if !usernamePattern.MatchString(strings.TrimSpace(u)) {
		return apperr.Invalid("request.validation", "请求参数有误", apperr.Field("username", "须以字母开头，3–64 位字母、数字、点、下划线或连字符"))
	}
	return nil
}

func checkPhone(p string) error {
	if p != "" && !IsMobile(p) {
		return apperr.Invalid("request.validation", "请求参数有误", apperr.Field("phone", "不是有效的手机号"))
	}
	return nil
}
