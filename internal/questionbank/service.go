package questionbank

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/unit"
)

// Errors of this domain (the full list is in docs/questionbank.md).
var (
	errBankNotFound  = apperr.NotFound("question_bank.not_found", "题库不存在")
	errBankNameTaken = apperr.Conflict("question_bank.name_taken", "该单位已有同名题库")
	errBankNotEmpty  = apperr.Conflict("question_bank.not_empty", "题库中还有题目，不能删除；可将题目停用")
	errBankUnit      = apperr.Invalid("question_bank.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
)

// Units is what banks need from the unit tree.
type Units interface {
	Lookup(ctx context.Context, id int64) (*unit.Unit, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service applies the rules of banks and questions.
type Service struct {
	db    *gorm.DB
	store *Store
	units Units
	audit Auditor
	now   func() time.Time
	exams ExamStats // optional: the formal exams' share of item statistics
}

// ExamStats reads a question's statistics from formal exams (the exam domain feeds them).
type ExamStats interface {
	QuestionExamStats(ctx context.Context, questionID int64) (ExamItemStats, error)
}

// UseExamStats adds the formal exams' statistics to the questions' item statistics. It is set
// once while the application is built: the exam domain is built after the banks it draws from.
func (s *Service) UseExamStats(exams ExamStats) { s.exams = exams }

// NewService builds the service.
func NewService(db *gorm.DB, store *Store, units Units, auditor Auditor, now func() time.Time) *Service {
	return &Service{db: db, store: store, units: units, audit: auditor, now: now}
}

// CountInUnit implements unit.Dependents: a unit owning banks cannot be deleted.
func (s *Service) CountInUnit(ctx context.Context, unitID int64) (int64, error) {
	return s.store.CountBanksInUnit(ctx, unitID)
}

// canSee says whether actor may read a bank owned by the unit at path: admins their subtree,
// learners their own unit and its ancestors.
func canSee(actor auth.Actor, path string) bool {
	switch actor.Role {
	case auth.RoleAdmin:
		return actor.Covers(path)
	case auth.RoleLearner:
		return actor.UnitPath != "" && strings.HasPrefix(actor.UnitPath, path)
	default:
		return false
	}
}

// AncestorPaths lists the materialised paths of the unit at path and of all its ancestors:
// "/1/4/17/" → "/1/", "/1/4/", "/1/4/17/".
func AncestorPaths(path string) []string {
	var out []string
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			out = append(out, path[:i+1])
		}
	}
	return out
}

// BankInput is a new bank.
type BankInput struct {
	UnitID      int64 // 0: the actor's unit
	Name        string
	Subject     string
	Tracks      []Track
	Description string
}

// CreateBank adds a bank owned by a unit of the actor's subtree.
func (s *Service) CreateBank(ctx context.Context, actor auth.Actor, in BankInput) (*BankRow, error) {
	unitID := in.UnitID
	if unitID == 0 {
		unitID = actor.UnitID
	}
	u, err := s.units.Lookup(ctx, unitID)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, errBankUnit
		}
		return nil, err
	}
	if !actor.Covers(u.Path) {
		return nil, errBankUnit
	}
	now := s.now()
	b := &Bank{
		UnitID: unitID, Name: strings.TrimSpace(in.Name), Subject: strings.TrimSpace(in.Subject),
		Tracks: joinTracks(in.Tracks), Description: strings.TrimSpace(in.Description), CreatedBy: actorID(actor),
		CreatedAt: now, UpdatedAt: now,
	}
	var row *BankRow
	err = database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.store.CreateBank(ctx, b); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errBankNameTaken
			}
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return errBankUnit // the unit was deleted since the lookup
			}
			return err
		}
		if err := s.record(ctx, actor, "question_bank.create", "question_bank", b.ID, map[string]any{"name": b.Name, "unit_id": unitID}); err != nil {
			return err
		}
		row, err = s.store.GetBank(ctx, b.ID)
		return err
	})
	return row, err
}

// GetBank returns a bank the actor can see.
func (s *Service) GetBank(ctx context.Context, actor auth.Actor, id int64) (*BankRow, error) {
	b, err := s.store.GetBank(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !canSee(actor, b.UnitPath)) {
		return nil, errBankNotFound
	}
	return b, err
}

// managedBank returns a bank the actor administers.
func (s *Service) managedBank(ctx context.Context, actor auth.Actor, id int64) (*BankRow, error) {
	b, err := s.store.GetBank(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (actor.Role != auth.RoleAdmin || !actor.Covers(b.UnitPath))) {
		return nil, errBankNotFound
	}
	return b, err
}

// BankListInput narrows a bank listing.
type BankListInput struct {
	Subject string
	Query   string
	Offset  int
	Limit   int
}

// ListBanks returns the banks the actor can see.
func (s *Service) ListBanks(ctx context.Context, actor auth.Actor, in BankListInput) ([]BankRow, int64, error) {
	f := BankFilter{Subject: strings.TrimSpace(in.Subject), Query: strings.TrimSpace(in.Query)}
	switch actor.Role {
	case auth.RoleAdmin:
		f.PathPrefix = actor.UnitPath
	case auth.RoleLearner:
		f.UnitPaths = AncestorPaths(actor.UnitPath)
	default:
		return []BankRow{}, 0, nil
	}
	return s.store.ListBanks(ctx, f, in.Offset, in.Limit)
}

// VisibleBankIDs returns the ids of every bank a learner can practise on.
func (s *Service) VisibleBankIDs(ctx context.Context, actor auth.Actor) ([]int64, error) {
	return s.store.VisibleBankIDs(ctx, AncestorPaths(actor.UnitPath))
}

// CheckVisible answers question_bank.not_found unless the actor can see the bank.
func (s *Service) CheckVisible(ctx context.Context, actor auth.Actor, bankID int64) error {
	_, err := s.GetBank(ctx, actor, bankID)
	return err
}

// BankUpdate changes a bank; nil fields stay.
type BankUpdate struct {
	Name        *string
	Subject     *string
	Tracks      *[]Track
	Description *string
}

// UpdateBank edits a bank the actor administers. The bank is locked first, so a delete
// committed meanwhile is a 404 rather than a 200 for a write that hit no row.
func (s *Service) UpdateBank(ctx context.Context, actor auth.Actor, id int64, in BankUpdate) (*BankRow, error) {
	if _, err := s.managedBank(ctx, actor, id); err != nil {
		return nil, err
	}
	var row *BankRow
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.lockBank(ctx, id); err != nil {
			return err
		}
		cols := map[string]any{}
		if in.Name != nil {
			cols["name"] = strings.TrimSpace(*in.Name)
		}
		if in.Subject != nil {
			cols["subject"] = strings.TrimSpace(*in.Subject)
		}
		if in.Tracks != nil {
			cols["tracks"] = joinTracks(*in.Tracks)
		}
		if in.Description != nil {
			cols["description"] = strings.TrimSpace(*in.Description)
		}
		if len(cols) > 0 {
			cols["updated_at"] = s.now()
			if err := s.store.UpdateBank(ctx, id, cols); err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return errBankNameTaken
				}
				return err
			}
		}
		if err := s.record(ctx, actor, "question_bank.update", "question_bank", id, cols); err != nil {
			return err
		}
		var err error
		row, err = s.store.GetBank(ctx, id)
		return err
	})
	return row, err
}

// DeleteBank removes an empty bank the actor administers. The questions are counted under
// the bank's lock, which creates and imports take too.
func (s *Service) DeleteBank(ctx context.Context, actor auth.Actor, id int64) error {
	if _, err := s.managedBank(ctx, actor, id); err != nil {
		return err
	}
	return database.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.lockBank(ctx, id); err != nil {
			return err
		}
		b, err := s.store.GetBank(ctx, id)
		if err != nil {
			return err
		}
		if b.QuestionCount > 0 {
			return errBankNotEmpty
		}
		if err := s.store.DeleteBank(ctx, id); err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return errBankNotEmpty
			}
			return err
		}
		return s.record(ctx, actor, "question_bank.delete", "question_bank", id, map[string]any{"name": b.Name})
	})
}

// lockBank locks a bank until the transaction ends; a bank deleted meanwhile is 404. Take it
// before any other read of the transaction: MySQL's snapshot then starts after the lock.
func (s *Service) lockBank(ctx context.Context, id int64) error {
	err := s.store.LockBank(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return errBankNotFound
	}
	return err
}

func (s *Service) record(ctx context.Context, actor auth.Actor, action, resource string, id int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Actor: &actor, Action: action, ResourceType: resource, ResourceID: id, Outcome: audit.Success, Detail: detail})
}

func actorID(a auth.Actor) *int64 {
	if a.AccountID == 0 {
		return nil
	}
	id := a.AccountID
	return &id
}
