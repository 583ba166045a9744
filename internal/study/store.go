package study

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("study row not found")

// Store is the only place that queries courses, progress and sessions.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func take[T any](q *gorm.DB) (*T, error) { return database.Take[T](q, ErrNotFound) }

// CreateCourse inserts a course.
func (s *Store) CreateCourse(ctx context.Context, c *Course) error {
	return s.conn(ctx).Create(c).Error
}

// Course loads one course.
func (s *Store) Course(ctx context.Context, id int64) (*Course, error) {
	return take[Course](s.conn(ctx).Where("id = ?", id))
}

// UpdateCourse writes the given columns.
func (s *Store) UpdateCourse(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Course{}).Where("id = ?", id).Updates(cols).Error
}

// Courses lists courses of the given campaigns (optionally only published), in order.
func (s *Store) Courses(ctx context.Context, campaignIDs []int64, publishedOnly bool, offset, limit int) ([]Course, int64, error) {
	q := s.conn(ctx).Model(&Course{}).Where("campaign_id IN ?", campaignIDs)
	if publishedOnly {
		q = q.Where("status = ?", CoursePublished)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Course
	err := q.Order("campaign_id DESC, sort_order, id").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}

// Progress loads (and locks, on MySQL) a learner's progress in a course, creating it at zero.
func (s *Store) LockProgress(ctx context.Context, learnerID, courseID int64, now time.Time) (*Progress, error) {
	p := &Progress{LearnerID: learnerID, CourseID: courseID, UpdatedAt: now}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(p).Error; err != nil {
		return nil, err
	}
	return take[Progress](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("learner_id = ? AND course_id = ?", learnerID, courseID))
}

// ProgressOf returns a learner's progress rows for the given courses.
func (s *Store) ProgressOf(ctx context.Context, learnerID int64, courseIDs []int64) (map[int64]Progress, error) {
	out := map[int64]Progress{}
	if len(courseIDs) == 0 {
		return out, nil
	}
	var rows []Progress
	if err := s.conn(ctx).Where("learner_id = ? AND course_id IN ?", learnerID, courseIDs).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, p := range rows {
		out[p.CourseID] = p
	}
	return out, nil
}

// UpdateProgress writes the given columns.
func (s *Store) UpdateProgress(ctx context.Context, learnerID, courseID int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Progress{}).Where("learner_id = ? AND course_id = ?", learnerID, courseID).Updates(cols).Error
}

// EndOpenSessions closes whatever session the learner has open.
func (s *Store) EndOpenSessions(ctx context.Context, learnerID int64, at time.Time) error {
	return s.conn(ctx).Model(&Session{}).Where("active_learner_id = ?", learnerID).
		Updates(map[string]any{"active_learner_id": nil, "ended_at": at}).Error
}

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	return s.conn(ctx).Create(sess).Error
}

// Session loads one session.
func (s *Store) Session(ctx context.Context, id int64) (*Session, error) {
	return take[Session](s.conn(ctx).Where("id = ?", id))
}

// Beat records a heartbeat only if nobody else recorded one since the session's beat count was
// seenBeats (optimistic lock): two heartbeats racing for the same interval credit it once.
func (s *Store) Beat(ctx context.Context, id int64, seenBeats int, cols map[string]any) (bool, error) {
	cols["beats"] = seenBeats + 1
	res := s.conn(ctx).Model(&Session{}).Where("id = ? AND beats = ? AND ended_at IS NULL", id, seenBeats).Updates(cols)
	return res.RowsAffected == 1, res.Error
}
