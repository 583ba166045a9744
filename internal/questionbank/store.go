package questionbank

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("question bank row not found")

// Store is the only place that queries banks, questions and versions.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// BankRow is a bank with its owner unit and question counts.
type BankRow struct {
	Bank
	UnitPath       string
	UnitName       string
	QuestionCount  int64 // every status
	PublishedCount int64
}

func (s *Store) bankRows(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("question_banks").
		Select(`question_banks.*, units.path AS unit_path, units.name AS unit_name,
			(SELECT COUNT(*) FROM questions q WHERE q.bank_id = question_banks.id) AS question_count,
			(SELECT COUNT(*) FROM questions q WHERE q.bank_id = question_banks.id AND q.status = 'published') AS published_count`).
		Joins("JOIN units ON units.id = question_banks.unit_id")
}

// CreateBank inserts a bank.
func (s *Store) CreateBank(ctx context.Context, b *Bank) error {
	return s.conn(ctx).Create(b).Error
}

// GetBank loads a bank with its unit and counts.
func (s *Store) GetBank(ctx context.Context, id int64) (*BankRow, error) {
	var r BankRow
	err := s.bankRows(ctx).Where("question_banks.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// LockBank locks a bank row until the transaction ends (MySQL), serialising imports, creates,
// renames and the delete of one bank.
func (s *Store) LockBank(ctx context.Context, id int64) error {
	var b Bank
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// BankFilter narrows a bank listing. Exactly one of PathPrefix (an admin's subtree) and
// UnitPaths (a learner's own unit and its ancestors) is set.
type BankFilter struct {
	PathPrefix string
	UnitPaths  []string
	Subject    string
	Query      string
}

// ListBanks returns a page of banks (one query with the counts as subqueries) and the total.
func (s *Store) ListBanks(ctx context.Context, f BankFilter, offset, limit int) ([]BankRow, int64, error) {
	q := s.conn(ctx).Table("question_banks").Joins("JOIN units ON units.id = question_banks.unit_id")
	q = filterBanks(q, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []BankRow
	err := filterBanks(s.bankRows(ctx), f).Order("units.depth, question_banks.name, question_banks.id").
		Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

func filterBanks(q *gorm.DB, f BankFilter) *gorm.DB {
	if f.UnitPaths != nil {
		q = q.Where("units.path IN ?", f.UnitPaths)
	} else {
		q = q.Where("units.path LIKE ?", f.PathPrefix+"%")
	}
	if f.Subject != "" {
		q = q.Where("question_banks.subject = ?", f.Subject)
	}
	if f.Query != "" {
		q = q.Where("question_banks.name LIKE ? ESCAPE '!'", "%"+escapeLike(f.Query)+"%")
	}
	return q
}

// VisibleBankIDs returns the ids of the banks owned by the units at paths.
func (s *Store) VisibleBankIDs(ctx context.Context, paths []string) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Table("question_banks").Joins("JOIN units ON units.id = question_banks.unit_id").
		Where("units.path IN ?", paths).Order("question_banks.id").Pluck("question_banks.id", &ids).Error
	return ids, err
}

// UpdateBank writes the given columns.
func (s *Store) UpdateBank(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Bank{}).Where("id = ?", id).Updates(cols).Error
}

// DeleteBank removes a bank.
func (s *Store) DeleteBank(ctx context.Context, id int64) error {
	return s.conn(ctx).Delete(&Bank{}, id).Error
}

// BankNameTaken reports whether another bank of the unit uses name.
func (s *Store) BankNameTaken(ctx context.Context, unitID int64, name string, selfID int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Bank{}).Where("unit_id = ? AND name = ? AND id <> ?", unitID, name, selfID).Count(&n).Error
	return n > 0, err
}

// CountBanksInUnit counts the banks a unit owns (keeps the unit from being deleted).
func (s *Store) CountBanksInUnit(ctx context.Context, unitID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Bank{}).Where("unit_id = ?", unitID).Count(&n).Error
	return n, err
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
