package exam

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
)

// CountAttempts counts a learner's attempts at an exam (active ones included).
func (s *Store) CountAttempts(ctx context.Context, examID, learnerID int64) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&Attempt{}).Where("exam_id = ? AND learner_id = ?", examID, learnerID).Count(&n).Error
	return int(n), err
}

// ActiveAttempt returns a learner's active attempt at an exam.
func (s *Store) ActiveAttempt(ctx context.Context, examID, learnerID int64) (*Attempt, error) {
	return take[Attempt](s.conn(ctx).Where("exam_id = ? AND learner_id = ? AND active_key = 1", examID, learnerID))
}

// CreateAttempt inserts an attempt and its paper. A raced start hits the unique keys on
// (exam, learner, number) or (exam, learner, active_key) and returns ErrDuplicate.
func (s *Store) CreateAttempt(ctx context.Context, a *Attempt, items []Item) error {
	if err := s.conn(ctx).Create(a).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrDuplicate
		}
		return err
	}
	for i := range items {
		items[i].AttemptID = a.ID
	}
	return s.conn(ctx).Create(&items).Error
}

// GetAttempt loads an attempt. Every submit, resume and review starts here, so the row is
// scanned by hand rather than through GORM's reflection.
func (s *Store) GetAttempt(ctx context.Context, id int64) (*Attempt, error) {
	var a Attempt
	err := s.conn(ctx).Raw("SELECT "+attemptColumns+" FROM exam_attempts AS a WHERE a.id = ?", id).Row().Scan(attemptFields(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// PaperItem is an item with the question text of its version, never its key.
type PaperItem struct {
	Item
	Stem    string
	Options string // JSON array, the version's own order
}

// Paper returns an attempt's questions in paper order, without keys or analysis.
func (s *Store) Paper(ctx context.Context, attemptID int64) ([]PaperItem, error) {
	out := []PaperItem{}
	err := s.conn(ctx).Table("exam_attempt_items AS i").
		Select("i.*, v.stem, v.options").
		Joins("JOIN question_versions v ON v.question_id = i.question_id AND v.version = i.version").
		Where("i.attempt_id = ?", attemptID).Order("i.position").Scan(&out).Error
	return out, err
}

// KeyedItem is an item with the question text and key of its version (grading and review).
type KeyedItem struct {
	PaperItem
	AnswerKey  string
	Analysis   string
	LawName    string
	LawArticle string
}

// KeyedItems returns an attempt's items with their keys, in paper order.
func (s *Store) KeyedItems(ctx context.Context, attemptID int64) ([]KeyedItem, error) {
	out := []KeyedItem{}
	err := s.conn(ctx).Table("exam_attempt_items AS i").
		Select("i.*, v.stem, v.options, v.answer AS answer_key, v.analysis, v.law_name, v.law_article").
		Joins("JOIN question_versions v ON v.question_id = i.question_id AND v.version = i.version").
		Where("i.attempt_id = ?", attemptID).Order("i.position").Scan(&out).Error
	return out, err
}

// AttemptItem loads an attempt and one of its items in one statement (autosave, the hottest
// path); the item is nil when the question is not in the paper.
func (s *Store) AttemptItem(ctx context.Context, attemptID, questionID int64) (*Attempt, *Item, error) {
	var row struct {
		Attempt
		ItemType        *string
		ItemOptionOrder string
	}
	q := s.conn(ctx).Table("exam_attempts AS a").
		Select("a.*, i.type AS item_type, i.option_order AS item_option_order").
		Joins("LEFT JOIN exam_attempt_items i ON i.attempt_id = a.id AND i.question_id = ?", questionID).
		Where("a.id = ?", attemptID).Limit(1).Scan(&row)
	if q.Error != nil {
		return nil, nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, nil, ErrNotFound
	}
	a := row.Attempt
	if row.ItemType == nil {
		return &a, nil, nil
	}
	return &a, &Item{AttemptID: attemptID, QuestionID: questionID, Type: *row.ItemType, OptionOrder: row.ItemOptionOrder}, nil
}

// SaveAnswer stores an item's answer (last write wins) while its attempt is still active, and
// says whether it changed the row (MySQL does not count a row written with the values it had:
// the caller tells that apart from a finished attempt). The check is part of the statement: an
// autosave that found the attempt active just before a grading committed would otherwise
// store an answer the grading never saw. (The subquery of an UPDATE reads the attempt with a
// shared lock on MySQL, so it waits for a grading batch that holds the attempt; SQLite has
// one writer.)
func (s *Store) SaveAnswer(ctx context.Context, attemptID, questionID int64, answer *string, at time.Time) (bool, error) {
	active := s.conn(ctx).Model(&Attempt{}).Select("1").Where("id = ? AND status = ?", attemptID, AttemptActive)
	res := s.conn(ctx).Model(&Item{}).Where("attempt_id = ? AND question_id = ? AND EXISTS (?)", attemptID, questionID, active).
		Updates(map[string]any{"answer": answer, "answered_at": at})
	return res.RowsAffected > 0, res.Error
}

// AttemptsOf returns a learner's attempts at the given exams, oldest first.
func (s *Store) AttemptsOf(ctx context.Context, learnerID int64, examIDs []int64) ([]Attempt, error) {
	out := []Attempt{}
	if len(examIDs) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Where("learner_id = ? AND exam_id IN ?", learnerID, examIDs).Order("exam_id, number").Find(&out).Error
	return out, err
}

// Expired lists up to limit active attempts whose deadline is before t.
func (s *Store) Expired(ctx context.Context, t time.Time, limit int) ([]int64, error) {
	out := []int64{}
	err := s.conn(ctx).Model(&Attempt{}).Where("status = ? AND deadline < ?", AttemptActive, t).
		Order("deadline").Limit(limit).Pluck("id", &out).Error
	return out, err
}

// Keys returns the answer keys of question versions.
func (s *Store) Keys(ctx context.Context, picks []Pick) (map[Pick]string, error) {
	out := map[Pick]string{}
	if len(picks) == 0 {
		return out, nil
	}
	ids := make([]int64, len(picks))
	for i, p := range picks {
		ids[i] = p.QuestionID
	}
	var rows []struct {
		QuestionID int64
		Version    int
		Answer     string
	}
	err := s.conn(ctx).Table("question_versions").Select("question_id, version, answer").Where("question_id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[Pick{QuestionID: r.QuestionID, Version: r.Version}] = r.Answer
	}
	return out, err
}
