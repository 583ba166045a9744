package reminder

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("reminder row not found")

// Store is the only place that queries reminders, deliveries and messages.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// LockCampaign locks a campaign's row until the transaction ends (MySQL; SQLite's single
// writer connection already serialises transactions).
func (s *Store) LockCampaign(ctx context.Context, id int64) error {
	var ids []int64
	return s.conn(ctx).Table("campaigns").Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Pluck("id", &ids).Error
}

// RemindedSince returns which of the learners were reminded in the campaign since t.
func (s *Store) RemindedSince(ctx context.Context, campaignID int64, learnerIDs []int64, t time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(learnerIDs) == 0 {
		return out, nil
	}
	var ids []int64
	err := s.conn(ctx).Model(&Reminder{}).Distinct("learner_id").
		Where("campaign_id = ? AND learner_id IN ? AND created_at > ?", campaignID, learnerIDs, t).Pluck("learner_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// createBatch is how many rows one INSERT of Create carries. A county rule writes tens of
// thousands of reminders and deliveries in one transaction; fewer, larger statements cost less
// (9–10 columns × 2,000 rows stays under SQLite's 32,766 parameters and MySQL's 65,535).
const createBatch = 2000

// Create writes reminders and one pending delivery per channel each, in the caller's transaction.
func (s *Store) Create(ctx context.Context, reminders []*Reminder, channels []string, now time.Time) error {
	if len(reminders) == 0 {
		return nil
	}
	if err := s.conn(ctx).CreateInBatches(reminders, createBatch).Error; err != nil {
		return err
	}
	deliveries := make([]*Delivery, 0, len(reminders)*len(channels))
	for _, r := range reminders {
		for _, ch := range channels {
			deliveries = append(deliveries, &Delivery{ReminderID: r.ID, Channel: ch, Status: StatusPending, NextAttemptAt: now, CreatedAt: now})
		}
	}
	return s.conn(ctx).CreateInBatches(deliveries, createBatch).Error
}

// Claim takes up to limit due deliveries for this dispatcher until claimUntil: pending ones whose
// time has come and whose previous claim (a crashed dispatcher's) has lapsed.
func (s *Store) Claim(ctx context.Context, now, claimUntil time.Time, limit int) ([]Delivery, error) {
	var due []Delivery
	if err := s.conn(ctx).Where("status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
		StatusPending, now, now).Order("id").Limit(limit).Find(&due).Error; err != nil {
		return nil, err
	}
	claimed := due[:0]
	for _, d := range due {
		res := s.conn(ctx).Model(&Delivery{}).Where("id = ? AND status = ? AND (claimed_until IS NULL OR claimed_until < ?)", d.ID, StatusPending, now).
			Update("claimed_until", claimUntil)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, d)
		}
	}
	return claimed, nil
}

// Reminder loads one reminder.
func (s *Store) Reminder(ctx context.Context, id int64) (*Reminder, error) {
	var r Reminder
	err := s.conn(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// UpdateDelivery writes the given columns.
func (s *Store) UpdateDelivery(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Delivery{}).Where("id = ?", id).Updates(cols).Error
}

// CreateMessage puts a message in an inbox; the delivery id makes it idempotent.
func (s *Store) CreateMessage(ctx context.Context, m *Message) error {
	err := s.conn(ctx).Create(m).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil
	}
	return err
}

// Messages returns a page of an account's inbox (newest first), the total and the unread count.
func (s *Store) Messages(ctx context.Context, accountID int64, offset, limit int) ([]Message, int64, int64, error) {
	q := s.conn(ctx).Model(&Message{}).Where("account_id = ?", accountID)
	var total, unread int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, 0, err
	}
	if err := q.Session(&gorm.Session{}).Where("read_at IS NULL").Count(&unread).Error; err != nil {
		return nil, 0, 0, err
	}
	var out []Message
	err := q.Session(&gorm.Session{}).Order("created_at DESC, id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, unread, err
}

// MarkRead marks an account's message read (idempotent); false when it is not theirs.
func (s *Store) MarkRead(ctx context.Context, accountID, id int64, at time.Time) (bool, error) {
	var n int64
	if err := s.conn(ctx).Model(&Message{}).Where("id = ? AND account_id = ?", id, accountID).Count(&n).Error; err != nil || n == 0 {
		return false, err
	}
	return true, s.conn(ctx).Model(&Message{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", at).Error
}

// Row is a reminder with its learner and deliveries' state.
type Row struct {
	Reminder
	LearnerName string
	UnitName    string
}

// List returns a page of reminders to learners of a subtree in a campaign, newest first.
func (s *Store) List(ctx context.Context, campaignID int64, path string, offset, limit int) ([]Row, int64, error) {
	q := s.conn(ctx).Table("reminders").Select("reminders.*, learners.name AS learner_name, units.name AS unit_name").
		Joins("JOIN learners ON learners.id = reminders.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("reminders.campaign_id = ? AND units.path LIKE ?", campaignID, path+"%")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("reminders.created_at DESC, reminders.id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// Deliveries returns the deliveries of the given reminders, by reminder.
func (s *Store) Deliveries(ctx context.Context, reminderIDs []int64) (map[int64][]Delivery, error) {
	out := map[int64][]Delivery{}
	if len(reminderIDs) == 0 {
		return out, nil
	}
	var ds []Delivery
	if err := s.conn(ctx).Where("reminder_id IN ?", reminderIDs).Order("id").Find(&ds).Error; err != nil {
		return nil, err
	}
	for _, d := range ds {
		out[d.ReminderID] = append(out[d.ReminderID], d)
	}
	return out, nil
}

// CountsFor counts, per learner, the reminders sent in a campaign.
func (s *Store) CountsFor(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]int64, error) {
	var rows []struct {
		LearnerID int64
		N         int64
	}
	err := s.conn(ctx).Model(&Reminder{}).Select("learner_id, COUNT(*) AS n").
		Where("campaign_id = ? AND learner_id IN ?", campaignID, learnerIDs).Group("learner_id").Find(&rows).Error
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.LearnerID] = r.N
	}
	return out, err
}

// UnitPaths returns the materialised paths of units by id (the subtrees reminded learners'
// events belong to).
func (s *Store) UnitPaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Path string
	}
	err := s.conn(ctx).Table("units").Select("id, path").Where("id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.Path
	}
	return out, err
}
