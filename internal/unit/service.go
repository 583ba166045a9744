package unit

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/etag"
)

// Errors of this domain.
var (
	errNotFound     = apperr.NotFound("unit.not_found", "单位不存在")
	errCodeTaken    = apperr.Conflict("unit.code_taken", "单位编码已被使用")
	errNameTaken    = apperr.Conflict("unit.name_taken", "同一上级单位下已有同名单位")
	errHasChildren  = apperr.Conflict("unit.has_children", "该单位下还有下级单位，不能删除")
	errInUse        = apperr.Conflict("unit.in_use", "该单位下还有账号或学员，不能删除")
	errOwnUnit      = apperr.Forbidden("unit.own_unit", "不能移动或删除自己所在的单位")
	errOwnUnitKind  = apperr.Forbidden("unit.own_unit", "不能更改自己所在单位的类型，请由上级单位管理员更改")
	errCycle        = apperr.Invalid("unit.cycle", "不能把单位移动到它自己或其下级单位之下", apperr.Field("parent_id", "不能是本单位或其下级单位"))
	errParentAbsent = apperr.Invalid("unit.parent_not_found", "上级单位不存在", apperr.Field("parent_id", "上级单位不存在"))
)

// Dependents counts what keeps a unit from being deleted (accounts, learners, ...). Each
// domain that owns rows by unit provides one.
type Dependents interface {
	CountInUnit(ctx context.Context, unitID int64) (int64, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service applies the rules of the unit tree.
type Service struct {
	db         *gorm.DB
	store      *Store
	audit      Auditor
	dependents []Dependents
	moved      []func(ctx context.Context)
}

// NewService builds the unit service.
func NewService(db *gorm.DB, store *Store, auditor Auditor) *Service {
	return &Service{db: db, store: store, audit: auditor}
}

// AddDependents registers a domain whose rows pin units (called while composing the app).
func (s *Service) AddDependents(d Dependents) { s.dependents = append(s.dependents, d) }

// OnMove registers what must happen when a unit moves (its subtree's paths change), called in
// the moving transaction (called while composing the app).
func (s *Service) OnMove(fn func(ctx context.Context)) { s.moved = append(s.moved, fn) }

// CreateInput is a new unit.
type CreateInput struct {
	ParentID int64
	Code     string
	Name     string
	Kind     Kind
}

// Create adds a unit under a parent inside the actor's subtree. The parent is read under its
// lock: a move or delete of it committed meanwhile would otherwise leave the new unit with a
// stale path, or fail on the foreign key.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in CreateInput) (*Unit, error) {
	u := &Unit{Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), Kind: in.Kind}
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		parent, err := s.store.GetForUpdate(ctx, in.ParentID)
		if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(parent.Path)) {
			return errParentAbsent
		}
		if err != nil {
			return err
		}
		if err := s.store.Create(ctx, u, parent); err != nil {
			return s.translateDup(ctx, err, u.Code, 0)
		}
		return s.record(ctx, actor, "unit.create", u.ID, map[string]any{"code": u.Code, "name": u.Name, "parent_id": parent.ID})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CreateRoot makes the root unit (bootstrap and seeding only; no actor can do this by API).
func (s *Service) CreateRoot(ctx context.Context, code, name string) (*Unit, error) {
	u := &Unit{Code: code, Name: name, Kind: KindCounty}
	if err := s.store.Create(ctx, u, nil); err != nil {
		return nil, s.translateDup(ctx, err, code, 0)
	}
	return u, nil
}

// Root returns the root unit, or nil when the database has none yet.
func (s *Service) Root(ctx context.Context) (*Unit, error) {
	u, err := s.store.Root(ctx)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// Get returns a unit the actor can see.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (*Unit, error) {
	return s.visible(ctx, actor, id)
}

// Lookup returns any unit by id without a scope check, for other services that check scope
// themselves (e.g. accounts resolving their unit's path).
func (s *Service) Lookup(ctx context.Context, id int64) (*Unit, error) {
	u, err := s.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	return u, err
}

// Names returns id → unit for the given ids (for views that show unit names).
func (s *Service) Names(ctx context.Context, ids []int64) (map[int64]Unit, error) {
	return s.store.ByIDs(ctx, ids)
}

func (s *Service) visible(ctx context.Context, actor auth.Actor, id int64) (*Unit, error) {
	u, err := s.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
		return nil, errNotFound
	}
	return u, err
}

// ListInput narrows a listing.
type ListInput struct {
	ParentID *int64
	Kind     Kind
	Query    string
	Offset   int
	Limit    int
}

// List returns a page of units in the actor's subtree.
func (s *Service) List(ctx context.Context, actor auth.Actor, in ListInput) ([]Unit, int64, error) {
	return s.store.List(ctx, Filter{PathPrefix: actor.UnitPath, ParentID: in.ParentID, Kind: in.Kind, Query: in.Query}, in.Offset, in.Limit)
}

// Subtree returns the actor's whole subtree, parents before children.
func (s *Service) Subtree(ctx context.Context, actor auth.Actor) ([]Unit, error) {
	return s.store.Subtree(ctx, actor.UnitPath)
}

// UpdateInput changes a unit; nil fields stay as they are.
type UpdateInput struct {
	Code     *string
	Name     *string
	Kind     *Kind
	ParentID *int64
}

// Update renames, re-codes, re-kinds or moves a unit inside the actor's subtree, if the unit is
// still at a revision ifMatch accepts.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in UpdateInput, ifMatch etag.IfMatch) (*Unit, error) {
	var out *Unit
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		u, err := s.store.GetForUpdate(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(u.ID, u.RowVersion); err != nil {
			return err
		}
		cols := map[string]any{}
		if in.Code != nil {
			cols["code"] = strings.TrimSpace(*in.Code)
		}
		if in.Name != nil {
			cols["name"] = strings.TrimSpace(*in.Name)
		}
		if in.Kind != nil && *in.Kind != u.Kind {
			// What kind of unit it is (county, township, ...) is the business of the level above.
			if u.ID == actor.UnitID || u.ParentID == nil {
				return errOwnUnitKind
			}
			cols["kind"] = *in.Kind
		}
		if len(cols) > 0 {
			if err := s.store.Update(ctx, id, cols); err != nil {
				return s.translateDup(ctx, err, valueOr(in.Code, u.Code), id)
			}
		}
		if in.ParentID != nil && (u.ParentID == nil || *u.ParentID != *in.ParentID) {
			if err := s.move(ctx, actor, u, *in.ParentID); err != nil {
				return err
			}
			cols["parent_id"] = *in.ParentID
		}
		if err := s.record(ctx, actor, "unit.update", id, cols); err != nil {
			return err
		}
		out, err = s.store.Get(ctx, id)
		return err
	})
	return out, err
}

func (s *Service) move(ctx context.Context, actor auth.Actor, u *Unit, parentID int64) error {
	if u.ID == actor.UnitID || u.ParentID == nil {
		return errOwnUnit
	}
	parent, err := s.store.GetForUpdate(ctx, parentID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(parent.Path)) {
		return errParentAbsent
	}
	if err != nil {
		return err
	}
	if strings.HasPrefix(parent.Path, u.Path) {
		return errCycle
	}
	if err := s.store.Move(ctx, u, parent); err != nil {
		return s.translateDup(ctx, err, u.Code, u.ID)
	}
	for _, fn := range s.moved {
		fn(ctx)
	}
	return nil
}

// Delete removes an empty unit inside the actor's subtree (not the actor's own), if it is still
// at a revision ifMatch accepts.
func (s *Service) Delete(ctx context.Context, actor auth.Actor, id int64, ifMatch etag.IfMatch) error {
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		u, err := s.store.GetForUpdate(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if err := ifMatch.CheckRow(u.ID, u.RowVersion); err != nil {
			return err
		}
		if u.ID == actor.UnitID || u.ParentID == nil {
			return errOwnUnit
		}
		if n, err := s.store.CountChildren(ctx, id); err != nil || n > 0 {
			return firstErr(err, errHasChildren)
		}
		for _, d := range s.dependents {
			if n, err := d.CountInUnit(ctx, id); err != nil || n > 0 {
				return firstErr(err, errInUse)
			}
		}
		if err := s.store.Delete(ctx, id); err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return errInUse
			}
			return err
		}
		return s.record(ctx, actor, "unit.delete", id, map[string]any{"code": u.Code, "name": u.Name})
	})
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action string, id int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: "unit", ResourceID: id, Outcome: audit.Success, Detail: detail})
}

// translateDup turns a unique-key violation into the domain's 409. The translated driver error
// does not say which key, so ask: a clash on code is reported as such, anything else is the
// sibling-name (or path) key.
func (s *Service) translateDup(ctx context.Context, err error, code string, selfID int64) error {
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return err
	}
	if taken, lookupErr := s.store.CodeTaken(ctx, code, selfID); lookupErr == nil && taken {
		return errCodeTaken
	}
	return errNameTaken
}

func firstErr(err error, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func valueOr(p *string, otherwise string) string {
	if p != nil {
		return strings.TrimSpace(*p)
	}
	return otherwise
}
