package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
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
	acct, err := s.Store.GetForUpdate(ctx, accountID) // the token-version bump builds on it
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
	acct, err := s.Store.GetForUpdate(ctx, accountID) // the token-version bump builds on it
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
	if errors.Is(err, ErrNotFound) {
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

// PhoneOwner is the account that holds a phone number.
type PhoneOwner struct {
	AccountID int64
	Role      auth.Role
}

// PhoneOwners finds in bulk which accounts hold these phone numbers (imports): phone → owner;
// numbers nobody holds are absent.
func (s *Service) PhoneOwners(ctx context.Context, phones []string) (map[string]PhoneOwner, error) {
	phoneOf := make(map[string]string, len(phones))
	indexes := make([]string, 0, len(phones))
	for _, p := range phones {
		idx := s.PhoneIndex(p)
		if _, dup := phoneOf[idx]; !dup {
			phoneOf[idx] = p
			indexes = append(indexes, idx)
		}
	}
	rows, err := s.Store.OwnersByPhoneIndex(ctx, indexes)
	if err != nil {
		return nil, err
	}
	out := make(map[string]PhoneOwner, len(rows))
	for _, r := range rows {
		out[phoneOf[r.PhoneIndex]] = PhoneOwner{AccountID: r.ID, Role: r.Role}
	}
	return out, nil
}

// Phones opens the phone numbers of many accounts (imports compare them, revealed exports show
// them): account id → phone; accounts without one are absent.
func (s *Service) Phones(ctx context.Context, accountIDs []int64) (map[int64]string, error) {
	accts, err := s.Store.PhonesByIDs(ctx, accountIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(accts))
	for _, a := range accts {
		if a.PhoneEnc == nil {
			continue
		}
		phone, err := s.Sealer.Open(*a.PhoneEnc)
		if err != nil {
			return nil, err
		}
		out[a.ID] = phone
	}
	return out, nil
}

// CreateImportedLearnerAccounts inserts the accounts of learners created by an import, in
// multi-row batches inside the caller's transaction, and returns phone → account id. The caller
// has checked that no phone is taken.
//
// They get no usable password: an import of thousands of rows can neither hash a password per
// account at full argon2id cost (~0.1 s each) nor hand thousands of passwords back safely. Every
// account of the batch gets the hash of one random secret that is thrown away at once, so no
// password matches it and login behaves (and takes as long) as for a wrong password; the account
// must change its password at first login. An admin gives each learner a first password with
// ResetLearnerPassword (POST /learners/{id}/password-reset). Per-account "account.provision"
// audit entries are replaced by the caller's one import entry.
func (s *Service) CreateImportedLearnerAccounts(ctx context.Context, in []LearnerAccountInput) (map[string]int64, error) {
	if len(in) == 0 {
		return map[string]int64{}, nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	unusable, err := s.Hasher.Hash(base64.RawStdEncoding.EncodeToString(secret))
	if err != nil {
		return nil, err
	}
	accts := make([]*Account, 0, len(in))
	phones := make([]string, 0, len(in))
	for _, a := range in {
		enc, idx, err := s.sealPhone(a.Phone)
		if err != nil {
			return nil, err
		}
		accts = append(accts, &Account{
			DisplayName: strings.TrimSpace(a.DisplayName), PasswordHash: unusable, Role: auth.RoleLearner, UnitID: a.UnitID,
			Status: StatusActive, MustChangePassword: true, TokenVersion: 1, PhoneEnc: enc, PhoneIndex: idx,
		})
		phones = append(phones, a.Phone)
	}
	if err := s.Store.CreateBatch(ctx, accts); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, phoneConflict(errPhoneTaken)
		}
		return nil, err
	}
	// Read the ids back by phone rather than trusting ids back-filled from a multi-row INSERT,
	// which MySQL does not promise to be consecutive.
	owners, err := s.PhoneOwners(ctx, phones)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(owners))
	for phone, o := range owners {
		out[phone] = o.AccountID
	}
	return out, nil
}

// ResetLearnerPassword gives a learner's account a new generated password (returned once),
// unlocks it, forces a change at next login and signs it out everywhere. The learner domain
// checks that the actor owns the learner.
func (s *Service) ResetLearnerPassword(ctx context.Context, actor auth.Actor, accountID int64) (string, error) {
	password := auth.GeneratePassword()
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return "", err
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		acct, err := s.Store.GetForUpdate(ctx, accountID)
		if err != nil {
			return err
		}
		if acct.Role != auth.RoleLearner {
			return errManagedElsewhere
		}
		if err := s.Store.Update(ctx, accountID, map[string]any{
			"password_hash": hash, "must_change_password": true, "failed_logins": 0, "locked_until": nil,
			"token_version": acct.TokenVersion + 1,
		}); err != nil {
			return err
		}
		if err := s.Store.RevokeAccountSessions(ctx, accountID, "", s.Now(), "password_reset"); err != nil {
			return err
		}
		return s.record(ctx, &actor, "account.reset_password", accountID, audit.Success, nil)
	})
	return password, err
}
