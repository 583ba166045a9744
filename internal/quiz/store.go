package quiz

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("quiz row not found")

// Store is the only place that queries quiz tables (and reads questions, units and accounts
// read-only to serve them).
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func take[T any](q *gorm.DB) (*T, error) { return database.Take[T](q, ErrNotFound) }

// ActivityRow is an activity with its unit's path.
type ActivityRow struct {
	Activity
	UnitPath   string
	RoundCount int64
}

const activitySelect = `quiz_activities.*, units.path AS unit_path,
	(SELECT COUNT(*) FROM quiz_rounds r WHERE r.activity_id = quiz_activities.id) AS round_count`

// CreateActivity inserts an activity.
func (s *Store) CreateActivity(ctx context.Context, a *Activity) error {
	return s.conn(ctx).Create(a).Error
}

// Activity loads an activity with its unit path.
func (s *Store) Activity(ctx context.Context, id int64) (*ActivityRow, error) {
	return take[ActivityRow](s.conn(ctx).Table("quiz_activities").Select(activitySelect).
		Joins("JOIN units ON units.id = quiz_activities.unit_id").Where("quiz_activities.id = ?", id))
}

// Activities pages the activities owned by units under path.
func (s *Store) Activities(ctx context.Context, path string, offset, limit int) ([]ActivityRow, int64, error) {
	q := s.conn(ctx).Table("quiz_activities").Joins("JOIN units ON units.id = quiz_activities.unit_id").
		Where("units.path LIKE ?", path+"%")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []ActivityRow
	err := q.Select(activitySelect).Order("quiz_activities.id DESC").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// UpdateActivity sets columns of an activity.
func (s *Store) UpdateActivity(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Activity{}).Where("id = ?", id).Updates(cols).Error
}

// LockActivity loads an activity and locks it until the transaction ends.
func (s *Store) LockActivity(ctx context.Context, id int64) (*Activity, error) {
	return take[Activity](lockForUpdate(s.conn(ctx)).Where("id = ?", id))
}

// CountRounds counts an activity's rounds.
func (s *Store) CountRounds(ctx context.Context, activityID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Round{}).Where("activity_id = ?", activityID).Count(&n).Error
	return n, err
}

// DeleteActivity removes an activity without rounds.
func (s *Store) DeleteActivity(ctx context.Context, id int64) error {
	return s.conn(ctx).Delete(&Activity{}, id).Error
}

// CreateRound inserts a round, its question pool and its prizes.
func (s *Store) CreateRound(ctx context.Context, r *Round, pool []RoundQuestion, prizes []Prize) error {
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return err
	}
	for i := range pool {
		pool[i].RoundID = r.ID
	}
	if err := s.conn(ctx).CreateInBatches(&pool, 200).Error; err != nil {
		return err
	}
	if len(prizes) == 0 {
		return nil
	}
	for i := range prizes {
		prizes[i].RoundID = r.ID
	}
	return s.conn(ctx).Create(&prizes).Error
}

// Round loads a round.
func (s *Store) Round(ctx context.Context, id int64) (*Round, error) {
	return take[Round](s.conn(ctx).Where("id = ?", id))
}

// LockRound loads a round and locks it until the transaction ends.
func (s *Store) LockRound(ctx context.Context, id int64) (*Round, error) {
	return take[Round](lockForUpdate(s.conn(ctx)).Where("id = ?", id))
}

// Rounds lists an activity's rounds by start.
func (s *Store) Rounds(ctx context.Context, activityID int64) ([]Round, error) {
	var out []Round
	err := s.conn(ctx).Where("activity_id = ?", activityID).Order("starts_at, id").Find(&out).Error
	return out, err
}

// OpenRounds lists rounds open at t with their activities' audience and unit path.
func (s *Store) OpenRounds(ctx context.Context, t time.Time) ([]Round, error) {
	var out []Round
	err := s.conn(ctx).Where("ends_at > ? AND starts_at <= ?", t, t).Order("ends_at, id").Find(&out).Error
	return out, err
}

// Prizes lists a round's prizes in order.
func (s *Store) Prizes(ctx context.Context, roundIDs ...int64) ([]Prize, error) {
	var out []Prize
	err := s.conn(ctx).Where("round_id IN ?", roundIDs).Order("round_id, position").Find(&out).Error
	return out, err
}

// PublishedQuestions lists up to limit published questions of the banks (ids and versions).
func (s *Store) PublishedQuestions(ctx context.Context, bankIDs []int64, limit int) ([]RoundQuestion, error) {
	var out []RoundQuestion
	err := s.conn(ctx).Table("questions").Select("id AS question_id, version").
		Where("bank_id IN ? AND status = ?", bankIDs, "published").Order("id").Limit(limit).Scan(&out).Error
	return out, err
}

// QuestionFacts is what a fixed question list is checked against.
type QuestionFacts struct {
	ID      int64
	BankID  int64
	Version int
	Status  string
}

// Questions loads the facts of questions by id.
func (s *Store) Questions(ctx context.Context, ids []int64) ([]QuestionFacts, error) {
	var out []QuestionFacts
	err := s.conn(ctx).Table("questions").Select("id, bank_id, version, status").Where("id IN ?", ids).Scan(&out).Error
	return out, err
}

// PoolOf loads a round's pool with the content of each frozen version.
func (s *Store) PoolOf(ctx context.Context, roundID int64) ([]PoolQuestion, error) {
	var out []PoolQuestion
	err := s.conn(ctx).Table("quiz_round_questions rq").
		Select("rq.question_id, rq.version, v.type, v.stem, v.options, v.answer, v.analysis, v.law_name, v.law_article, v.law_effective_date, v.difficulty, v.tags").
		Joins("JOIN question_versions v ON v.question_id = rq.question_id AND v.version = rq.version").
		Where("rq.round_id = ?", roundID).Order("rq.position").Scan(&out).Error
	return out, err
}

// CloseRound records the eligible list's digest once; it reports false when already closed.
func (s *Store) CloseRound(ctx context.Context, id int64, count int, digest string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Round{}).Where("id = ? AND closed_at IS NULL", id).
		Updates(map[string]any{"eligible_count": count, "eligible_digest": digest, "closed_at": at, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// MarkDrawn records the draw once; it reports false when the round was drawn already.
func (s *Store) MarkDrawn(ctx context.Context, id int64, seedHex, beacon string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Round{}).Where("id = ? AND drawn_at IS NULL AND closed_at IS NOT NULL", id).
		Updates(map[string]any{"seed": seedHex, "beacon": beacon, "drawn_at": at, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// AccountName is an account's display name.
type AccountName struct {
	ID          int64
	DisplayName string
}

// Names returns the display names of accounts.
func (s *Store) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []AccountName
	if err := s.conn(ctx).Table("accounts").Select("id, display_name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.DisplayName
	}
	return out, nil
}

// lockForUpdate adds FOR UPDATE (MySQL; SQLite serialises writers anyway).
func lockForUpdate(q *gorm.DB) *gorm.DB { return q.Clauses(clause.Locking{Strength: "UPDATE"}) }
