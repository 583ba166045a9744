package questionbank

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// insertBatch is how many rows one INSERT carries in imports (≈20 columns each, well under
// SQLite's and MySQL's placeholder limits).
const insertBatch = 400

// CreateQuestions inserts questions in batches, filling their ids.
func (s *Store) CreateQuestions(ctx context.Context, qs []*Question) error {
	if len(qs) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(qs, insertBatch).Error
}

// CreateVersions inserts version snapshots in batches.
func (s *Store) CreateVersions(ctx context.Context, vs []Version) error {
	if len(vs) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(vs, insertBatch).Error
}

// GetQuestion loads a question.
func (s *Store) GetQuestion(ctx context.Context, id int64) (*Question, error) {
	return takeQuestion(s.conn(ctx).Where("id = ?", id))
}

// GetQuestionForUpdate loads a question and locks it until the transaction ends (MySQL).
func (s *Store) GetQuestionForUpdate(ctx context.Context, id int64) (*Question, error) {
	return takeQuestion(s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

func takeQuestion(q *gorm.DB) (*Question, error) { return database.Take[Question](q, ErrNotFound) }

// QuestionIDByStem returns the id of the bank's question with the stem hash (0 when none).
func (s *Store) QuestionIDByStem(ctx context.Context, bankID int64, hash string, selfID int64) (int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&Question{}).Where("bank_id = ? AND stem_hash = ? AND id <> ?", bankID, hash, selfID).
		Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// StemHashes returns stem hash → question id for every question of a bank.
func (s *Store) StemHashes(ctx context.Context, bankID int64) (map[string]int64, error) {
	var rows []struct {
		ID       int64
		StemHash string
	}
	if err := s.conn(ctx).Model(&Question{}).Select("id, stem_hash").Where("bank_id = ?", bankID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.StemHash] = r.ID
	}
	return out, nil
}

// QuestionFilter narrows a question listing within one bank.
type QuestionFilter struct {
	BankID     int64
	Query      string // substring of the stem
	Tag        string
	Type       Type
	Difficulty int
	Status     Status
}

// ListQuestions returns a page of a bank's questions in id order and the total.
func (s *Store) ListQuestions(ctx context.Context, f QuestionFilter, offset, limit int) ([]Question, int64, error) {
	q := s.conn(ctx).Model(&Question{}).Where("bank_id = ?", f.BankID)
	if f.Query != "" {
		q = q.Where("stem LIKE ? ESCAPE '!'", "%"+escapeLike(f.Query)+"%")
	}
	if f.Tag != "" {
		q = q.Where("tags LIKE ? ESCAPE '!'", "%,"+escapeLike(f.Tag)+",%")
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Difficulty != 0 {
		q = q.Where("difficulty = ?", f.Difficulty)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Question
	err := q.Order("id").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}

// BankQuestions returns every question of a bank in id order (export).
func (s *Store) BankQuestions(ctx context.Context, bankID int64) ([]Question, error) {
	var out []Question
	err := s.conn(ctx).Where("bank_id = ?", bankID).Order("id").Find(&out).Error
	return out, err
}

// UpdateQuestion writes the given columns as the question's next revision.
func (s *Store) UpdateQuestion(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Question{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// DeleteQuestion removes a question.
func (s *Store) DeleteQuestion(ctx context.Context, id int64) error {
	return s.conn(ctx).Delete(&Question{}, id).Error
}

// Versions lists a question's snapshots, newest first.
func (s *Store) Versions(ctx context.Context, questionID int64) ([]Version, error) {
	var out []Version
	err := s.conn(ctx).Where("question_id = ?", questionID).Order("version DESC").Find(&out).Error
	return out, err
}

// HasVersion reports whether a snapshot of the question's version exists.
func (s *Store) HasVersion(ctx context.Context, questionID int64, version int) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Version{}).Where("question_id = ? AND version = ?", questionID, version).Count(&n).Error
	return n > 0, err
}

// GetVersion loads one snapshot.
func (s *Store) GetVersion(ctx context.Context, questionID int64, version int) (*Version, error) {
	var v Version
	err := s.conn(ctx).Where("question_id = ? AND version = ?", questionID, version).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &v, err
}

// AddAttempt counts one answer to a question: attempts always, correct when it was.
func (s *Store) AddAttempt(ctx context.Context, questionID int64, correct bool) error {
	inc := 0
	if correct {
		inc = 1
	}
	return s.conn(ctx).Model(&Question{}).Where("id = ?", questionID).UpdateColumns(map[string]any{
		"attempt_count": gorm.Expr("attempt_count + 1"),
		"correct_count": gorm.Expr("correct_count + ?", inc),
	}).Error
}
