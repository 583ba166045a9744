package learner

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain.
var (
	errNotFound      = apperr.NotFound("learner.not_found", "学员不存在")
	errIDCardTaken   = apperr.Conflict("learner.id_card_taken", "身份证号已被其他学员使用").WithFields(apperr.Field("id_card", "已被其他学员使用"))
	errUnitNotFound  = apperr.Invalid("learner.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
	errAlreadyLeft   = apperr.Conflict("learner.already_left", "该学员已离职")
	errNotALearner   = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	errInvalidPhone  = apperr.Field("phone", "不是有效的手机号")
	errInvalidIDCard = apperr.Field("id_card", "身份证号格式或校验位不正确")
	errInvalidName   = apperr.Field("name", "姓名须为 2–32 个字")
)

// Accounts is what learners need from accounts.
type Accounts interface {
	CreateLearnerAccount(ctx context.Context, in account.LearnerAccountInput) (*account.Account, string, error)
	SyncLearnerProfile(ctx context.Context, accountID int64, p account.LearnerProfile) error
	DisableLearnerAccount(ctx context.Context, accountID int64) error
	Phone(ctx context.Context, accountID int64) (string, error)
	MaskedPhones(ctx context.Context, accountIDs []int64) (map[int64]string, error)
	AccountIDByPhone(ctx context.Context, phone string) (int64, error)
	PhoneOwners(ctx context.Context, phones []string) (map[string]account.PhoneOwner, error)
	Phones(ctx context.Context, accountIDs []int64) (map[int64]string, error)
	CreateImportedLearnerAccounts(ctx context.Context, in []account.LearnerAccountInput) (map[string]int64, error)
	ResetLearnerPassword(ctx context.Context, actor auth.Actor, accountID int64) (string, error)
}

// Summaries keep credit summaries in step when a learner's unit or track changes.
type Summaries interface {
	MoveLearner(ctx context.Context, learnerID, unitID int64, track string) error
}

// Units is what learners need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
	Subtree(ctx context.Context, actor auth.Actor) ([]unit.Unit, error)
	Names(ctx context.Context, ids []int64) (map[int64]unit.Unit, error)
}

// Auditor records admin writes and PII reveals.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service manages learners.
type Service struct {
	db       *gorm.DB
	store    *Store
	accounts Accounts
	units    Units
	audit    Auditor
	sealer   *crypto.Sealer
	now      func() time.Time
	credits  Summaries
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Store    *Store
	Accounts Accounts
	Units    Units
	Audit    Auditor
	Sealer   *crypto.Sealer
	Now      func() time.Time
	Credits  Summaries
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, store: d.Store, accounts: d.Accounts, units: d.Units, audit: d.Audit, sealer: d.Sealer, now: d.Now, credits: d.Credits}
}

// CountInUnit implements unit.Dependents.
func (s *Service) CountInUnit(ctx context.Context, unitID int64) (int64, error) {
	return s.store.CountInUnit(ctx, unitID)
}

// Profile are the learner's own fields, validated the same way for the API and imports.
type Profile struct {
	Name     string
	UnitID   int64
	Track    Track
	Position string
	Phone    string
	IDCard   string // optional
	// ExternalID is set by HR sync (integration); "" for learners created in the API.
	ExternalID string
}

// validate normalises p and names every invalid field; the phone is checked when required
// (create, import) or when given (update).
func (p *Profile) validate(phoneRequired bool) error {
	p.Name, p.Phone, p.Position = strings.TrimSpace(p.Name), strings.TrimSpace(p.Phone), strings.TrimSpace(p.Position)
	p.IDCard = NormaliseIDCard(p.IDCard)
	var fields []apperr.FieldError
	if n := utf8.RuneCountInString(p.Name); n < 2 || n > 32 {
		fields = append(fields, errInvalidName)
	}
	if (phoneRequired || p.Phone != "") && !account.IsMobile(p.Phone) {
		fields = append(fields, errInvalidPhone)
	}
	if p.IDCard != "" && !ValidIDCard(p.IDCard) {
		fields = append(fields, errInvalidIDCard)
	}
	if !p.Track.Valid() {
		fields = append(fields, apperr.Field("track", "取值必须是: leader general judicial"))
	}
	if utf8.RuneCountInString(p.Position) > 64 {
		fields = append(fields, apperr.Field("position", "长度不能超过 64"))
	}
	if len(fields) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", fields...)
	}
	return nil
}

// sealIDCard returns the sealed ID number and its blind index (nil, nil when empty).
func (s *Service) sealIDCard(id string) (*string, *string, error) {
	if id == "" {
		return nil, nil, nil
	}
	sealed, err := s.sealer.Seal(id)
	if err != nil {
		return nil, nil, err
	}
	idx := s.sealer.Index("id_card", id)
	return &sealed, &idx, nil
}

// checkUnit refuses units outside the actor's subtree as "not found".
func (s *Service) checkUnit(ctx context.Context, actor auth.Actor, unitID int64) error {
	u, err := s.units.Lookup(ctx, unitID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return errUnitNotFound
		}
		return err
	}
	if !actor.Covers(u.Path) {
		return errUnitNotFound
	}
	return nil
}

// Created is a new learner and, when the server generated it, the initial password.
type Created struct {
	Row             *Row
	InitialPassword string
}

// Create adds a learner and their account (login by phone) in the actor's subtree.
func (s *Service) Create(ctx context.Context, actor auth.Actor, p Profile, password string) (*Created, error) {
	if err := p.validate(true); err != nil {
		return nil, err
	}
	if err := s.checkUnit(ctx, actor, p.UnitID); err != nil {
		return nil, err
	}
	out := &Created{}
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		l, generated, err := s.insert(ctx, p, account.LearnerAccountInput{Password: password})
		if err != nil {
			return err
		}
		out.InitialPassword = generated
		if err := s.record(ctx, actor, "learner.create", l.ID, map[string]any{"unit_id": l.UnitID, "track": l.Track}); err != nil {
			return err
		}
		out.Row, err = s.store.GetRow(ctx, l.ID)
		return err
	})
	return out, err
}

// Seed creates a demo learner whose password needs no change (demo data only).
func (s *Service) Seed(ctx context.Context, p Profile, password string) (*Learner, error) {
	if err := p.validate(true); err != nil {
		return nil, err
	}
	var l *Learner
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		var err error
		l, _, err = s.insert(ctx, p, account.LearnerAccountInput{Password: password, KeepPassword: true})
		return err
	})
	return l, err
}

// insert creates the account and the learner row (inside the caller's transaction).
func (s *Service) insert(ctx context.Context, p Profile, acct account.LearnerAccountInput) (*Learner, string, error) {
	acct.DisplayName, acct.UnitID, acct.Phone = p.Name, p.UnitID, p.Phone
	created, generated, err := s.accounts.CreateLearnerAccount(ctx, acct)
	if err != nil {
		return nil, "", unitGone(err)
	}
	enc, idx, err := s.sealIDCard(p.IDCard)
	if err != nil {
		return nil, "", err
	}
	l := &Learner{AccountID: created.ID, ExternalID: nilIfEmpty(p.ExternalID), UnitID: p.UnitID, Name: p.Name, Track: p.Track, Position: p.Position,
		IDCardEnc: enc, IDCardIndex: idx, Status: StatusActive}
	if err := s.store.Create(ctx, l); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, "", errIDCardTaken
		}
		return nil, "", unitGone(err)
	}
	return l, generated, nil
}

// unitGone turns a foreign-key failure on the unit (deleted since checkUnit) into its 422.
func unitGone(err error) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return errUnitNotFound
	}
	return err
}

// lockedGet locks a learner of the actor's subtree and returns the row read under the lock
// (Sync reads before it, so a plain read here could see MySQL's older snapshot).
func (s *Service) lockedGet(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	locked, err := s.store.Lock(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	r.Learner = *locked
	return r, nil
}

// Get returns a learner in the actor's subtree.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	r, err := s.store.GetRow(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(r.UnitPath)) {
		return nil, errNotFound
	}
	return r, err
}

// Lookup returns any learner by id without a scope check, for services that check their own
// rules (event audiences).
func (s *Service) Lookup(ctx context.Context, id int64) (*Row, error) {
	r, err := s.store.GetRow(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	return r, err
}

// IDByName finds a learner by exact name (demo seeding).
func (s *Service) IDByName(ctx context.Context, name string) (int64, error) {
	return s.store.IDByName(ctx, name)
}

// ForAccount returns the learner behind the caller's account.
func (s *Service) ForAccount(ctx context.Context, accountID int64) (*Row, error) {
	r, err := s.store.ByAccount(ctx, accountID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotALearner
	}
	return r, err
}

// ListInput narrows a listing.
type ListInput struct {
	UnitID int64 // a unit of the actor's subtree: its whole subtree; 0: the actor's subtree
	Track  Track
	Status Status
	Name   string
	Offset int
	Limit  int
}

// filter resolves the unit filter against the actor's scope.
func (s *Service) filter(ctx context.Context, actor auth.Actor, in ListInput) (Filter, error) {
	f := Filter{PathPrefix: actor.UnitPath, Track: in.Track, Status: in.Status, Name: strings.TrimSpace(in.Name)}
	if in.UnitID > 0 {
		u, err := s.units.Lookup(ctx, in.UnitID)
		if err != nil || !actor.Covers(u.Path) {
			return f, apperr.BadRequest("request.invalid_query", "查询参数有误", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
		}
		f.PathPrefix = u.Path
	}
	return f, nil
}

// List returns a page of learners in the actor's subtree.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Row, int64, error) {
	f, err := s.filter(ctx, actor, in)
	if err != nil {
		return nil, 0, err
	}
	return s.store.List(ctx, f, in.Offset, in.Limit)
}

// Each streams every learner matching the listing's filters (exports).
func (s *Service) Each(ctx context.Context, actor auth.Actor, in ListInput, fn func([]Row) error) error {
	f, err := s.filter(ctx, actor, in)
	if err != nil {
		return err
	}
	return s.store.Each(ctx, f, fn)
}

// UpdateInput changes a learner; nil fields stay. IDCard "" clears it.
type UpdateInput struct {
	Name     *string
	UnitID   *int64
	Track    *Track
	Position *string
	Phone    *string
	IDCard   *string
}

// Update edits a learner in the actor's subtree (and mirrors name, unit and phone to the account),
// if the learner is still at a revision ifMatch accepts. Every column is written back, so it
// merges over the row read under its lock.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in UpdateInput, ifMatch etag.IfMatch) (*Row, error) {
	var out *Row
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		cur, err := s.lockedGet(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(cur.ID, cur.RowVersion); err != nil {
			return err
		}
		p := Profile{Name: cur.Name, UnitID: cur.UnitID, Track: cur.Track, Position: cur.Position}
		applyUpdate(&p, in)
		if err := p.validate(in.Phone != nil); err != nil {
			return err
		}
		if in.UnitID != nil {
			if err := s.checkUnit(ctx, actor, p.UnitID); err != nil {
				return err
			}
		}
		cols := map[string]any{"name": p.Name, "unit_id": p.UnitID, "track": p.Track, "position": p.Position}
		if in.IDCard != nil {
			enc, idx, err := s.sealIDCard(p.IDCard)
			if err != nil {
				return err
			}
			cols["id_card_enc"], cols["id_card_index"] = enc, idx
		}
		if err := s.store.Update(ctx, id, cols); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errIDCardTaken
			}
			return unitGone(err)
		}
		profile := account.LearnerProfile{DisplayName: &p.Name, UnitID: &p.UnitID}
		if in.Phone != nil {
			profile.Phone = &p.Phone
		}
		if err := s.accounts.SyncLearnerProfile(ctx, cur.AccountID, profile); err != nil {
			return unitGone(err)
		}
		if err := s.credits.MoveLearner(ctx, id, p.UnitID, string(p.Track)); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "learner.update", id, changedFields(in)); err != nil {
			return err
		}
		out, err = s.store.GetRow(ctx, id)
		return err
	})
	return out, err
}

// applyUpdate overlays the requested changes; a phone is validated only when it changes.
func applyUpdate(p *Profile, in UpdateInput) {
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.UnitID != nil {
		p.UnitID = *in.UnitID
	}
	if in.Track != nil {
		p.Track = *in.Track
	}
	if in.Position != nil {
		p.Position = *in.Position
	}
	if in.Phone != nil {
		p.Phone = *in.Phone
	}
	if in.IDCard != nil {
		p.IDCard = *in.IDCard
	}
}

// changedFields names what changed, never the personal values themselves.
func changedFields(in UpdateInput) map[string]any {
	changed := []string{}
	for name, set := range map[string]bool{"name": in.Name != nil, "unit_id": in.UnitID != nil, "track": in.Track != nil,
		"position": in.Position != nil, "phone": in.Phone != nil, "id_card": in.IDCard != nil} {
		if set {
			changed = append(changed, name)
		}
	}
	return map[string]any{"changed": changed}
}

// Leave marks a learner as having left: their account is disabled and signed out.
func (s *Service) Leave(ctx context.Context, actor auth.Actor, id int64) (*Row, error) {
	var out *Row
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		cur, err := s.lockedGet(ctx, actor, id)
		if err != nil {
			return err
		}
		if cur.Status == StatusLeft {
			return errAlreadyLeft
		}
		if err := s.store.Update(ctx, id, map[string]any{"status": StatusLeft, "left_at": s.now()}); err != nil {
			return err
		}
		if err := s.accounts.DisableLearnerAccount(ctx, cur.AccountID); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "learner.leave", id, nil); err != nil {
			return err
		}
		out, err = s.store.GetRow(ctx, id)
		return err
	})
	return out, err
}

// PII is a learner's personal data in clear.
type PII struct {
	Phone  string
	IDCard string
}

// RevealPII opens a learner's phone and ID number for an owning admin and audits it.
func (s *Service) RevealPII(ctx context.Context, actor auth.Actor, id int64) (*PII, error) {
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	out := &PII{}
	if out.Phone, err = s.accounts.Phone(ctx, r.AccountID); err != nil {
		return nil, err
	}
	if r.IDCardEnc != nil {
		if out.IDCard, err = s.sealer.Open(*r.IDCardEnc); err != nil {
			return nil, err
		}
	}
	if err := s.record(ctx, actor, "learner.reveal_pii", id, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// MaskedIDCard opens and masks a stored ID number ("" when none).
func (s *Service) MaskedIDCard(l Learner) string {
	if l.IDCardEnc == nil {
		return ""
	}
	id, err := s.sealer.Open(*l.IDCardEnc)
	if err != nil {
		return ""
	}
	return MaskIDCard(id)
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "learner", ResourceID: id, Outcome: audit.Success, Detail: detail})
}
