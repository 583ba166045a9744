package account

import (
	"context"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// LearnerAccountInput is the login identity of a learner: they log in by phone.
type LearnerAccountInput struct {
	DisplayName string
	UnitID      int64
	Phone       string
	Password    string // empty: generate one
	// KeepPassword skips the forced change at first login (demo seeding only).
	KeepPassword bool
	// NoPassword creates the account without a usable password (HR sync: nobody would be told a
	// generated one, and hashing a thousand of them would stall the request).
	NoPassword bool
}

// CreateLearnerAccount creates the account behind a learner (inside the caller's transaction)
// and returns it with the initial password when the server generated it. The learner domain
// checks scope; a taken phone is a 409 naming the field.
func (s *Service) CreateLearnerAccount(ctx context.Context, in LearnerAccountInput) (*Account, string, error) {
	password, generated := in.Password, ""
	if in.NoPassword {
		password = ""
	} else if password == "" {
		password = auth.GeneratePassword()
		generated = password
	} else if msg := auth.CheckPolicy(password); msg != "" {
		return nil, "", apperr.Invalid("auth.weak_password", msg, apperr.Field("password", msg))
	}
	a, err := s.Provision(ctx, ProvisionInput{DisplayName: in.DisplayName, Role: auth.RoleLearner, UnitID: in.UnitID,
		Phone: in.Phone, Password: password, MustChangePassword: !in.KeepPassword, NoPassword: in.NoPassword})
	if err != nil {
		return nil, "", phoneConflict(err)
	}
	return a, generated, nil
}

// LearnerProfile changes what the account mirrors of a learner; nil fields stay.
type LearnerProfile struct {
	DisplayName *string
	UnitID      *int64
	Phone       *string
}

// SyncLearnerProfile copies a learner's name, unit and phone to their account. A unit change
// revokes the account's tokens (they carry the unit).
func (s *Service) SyncLearnerProfile(ctx context.Context, accountID int64, p LearnerProfile) error {
	acct, err := s.Store.Get(ctx, accountID)
	if err != nil {
		return err
	}
	cols := map[string]any{}
	if p.DisplayName != nil {
		cols["display_name"] = strings.TrimSpace(*p.DisplayName)
	}
	if p.UnitID != nil && *p.UnitID != acct.UnitID {
		cols["unit_id"], cols["token_version"] = *p.UnitID, acct.TokenVersion+1
	}
	if p.Phone != nil {
		enc, idx, err := s.sealPhone(*p.Phone)
		if err != nil {
			return err
		}
		cols["phone_enc"], cols["phone_index"] = enc, idx
	}
	if len(cols) == 0 {
		return nil
	}
	if err := s.Store.Update(ctx, accountID, cols); err != nil {
		idx, _ := cols["phone_index"].(*string)
		return phoneConflict(s.dupError(ctx, err, nil, idx, accountID))
	}
	return nil
}

// DisableLearnerAccount signs a learner who left out everywhere and stops their logins.
func (s *Service) DisableLearnerAccount(ctx context.Context, accountID int64) error {
	acct, err := s.Store.Get(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.Store.Update(ctx, accountID, map[string]any{"status": StatusDisabled, "token_version": acct.TokenVersion + 1}); err != nil {
		return err
	}
	return s.Store.RevokeAccountSessions(ctx, accountID, "", s.Now(), "learner_left")
}

// Phone opens an account's phone number (for audited reveals); "" when none.
func (s *Service) Phone(ctx context.Context, accountID int64) (string, error) {
	acct, err := s.Store.Get(ctx, accountID)
	if err != nil || acct.PhoneEnc == nil {
		return "", err
	}
	return s.Sealer.Open(*acct.PhoneEnc)
}

// MaskedPhones returns account id → masked phone for a page of learners (one query).
func (s *Service) MaskedPhones(ctx context.Context, accountIDs []int64) (map[int64]string, error) {
	accts, err := s.Store.ByIDs(ctx, accountIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(accts))
	for _, a := range accts {
		out[a.ID] = s.maskedPhone(a)
	}
	return out, nil
}

// PhoneIndex is the blind index of a phone, for lookups by other domains (imports).
func (s *Service) PhoneIndex(phone string) string { return s.Sealer.Index("phone", phone) }

// AccountIDByPhone finds the account with this phone (0 when none).
func (s *Service) AccountIDByPhone(ctx context.Context, phone string) (int64, error) {
	a, err := s.Store.ByPhoneIndex(ctx, s.PhoneIndex(phone))
	if err == ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return a.ID, nil
}

func phoneConflict(err error) error {
	if err == errPhoneTaken {
		return apperr.Conflict("learner.phone_taken", "手机号已被其他账号使用").WithFields(apperr.Field("phone", "已被其他账号使用"))
	}
	return err
}
