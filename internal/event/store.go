package event

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/unit"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("event row not found")

// Store is the only place that queries events and their registrations, attendance and summaries.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func take[T any](q *gorm.DB) (*T, error) { return database.Take[T](q, ErrNotFound) }

// Row is an event with its organiser unit's path and name.
type Row struct {
	Event
	UnitPath string
	UnitName string
}

func (s *Store) withUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("events").Select("events.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = events.unit_id")
}

// Create inserts an event with its organisers.
func (s *Store) Create(ctx context.Context, e *Event, organisers []int64) error {
	if err := s.conn(ctx).Create(e).Error; err != nil {
		return err
	}
	return s.SetOrganisers(ctx, e.ID, organisers)
}

// SetOrganisers replaces an event's organiser accounts.
func (s *Store) SetOrganisers(ctx context.Context, eventID int64, accountIDs []int64) error {
	if err := s.conn(ctx).Where("event_id = ?", eventID).Delete(&Organiser{}).Error; err != nil {
		return err
	}
	rows := make([]Organiser, 0, len(accountIDs))
	for _, id := range accountIDs {
		rows = append(rows, Organiser{EventID: eventID, AccountID: id})
	}
	if len(rows) == 0 {
		return nil
	}
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// Organisers lists an event's organiser account ids.
func (s *Store) Organisers(ctx context.Context, eventID int64) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&Organiser{}).Where("event_id = ?", eventID).Order("account_id").Pluck("account_id", &ids).Error
	return ids, err
}

// Get loads an event with its unit.
func (s *Store) Get(ctx context.Context, id int64) (*Row, error) {
	return take[Row](s.withUnit(ctx).Where("events.id = ?", id))
}

// Lock loads an event row and locks it until the transaction ends (MySQL; SQLite's single
// writer connection already serialises transactions).
func (s *Store) Lock(ctx context.Context, id int64) (*Event, error) {
	return take[Event](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

// Update writes the given columns as the event's next revision.
func (s *Store) Update(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Event{}).Where("id = ?", id).Updates(database.NextRevision(cols)).Error
}

// Filter narrows a listing.
type Filter struct {
	PathPrefix  string // events organised in this subtree
	AncestorsOf string // events organised at or above this unit path (learners)
	OrganiserID int64  // events this account organises (lecturers)
	CampaignID  int64
	Type        Type
	Statuses    []Status
	From, To    *time.Time
}

func (s *Store) filtered(ctx context.Context, f Filter) *gorm.DB {
	q := s.withUnit(ctx)
	if f.PathPrefix != "" {
		q = q.Where("units.path LIKE ?", f.PathPrefix+"%")
	}
	if f.AncestorsOf != "" {
		expr := "(units.path || '%')"
		if database.Dialect(s.db) == database.MySQL {
			expr = "CONCAT(units.path, '%')"
		}
		q = q.Where("? LIKE "+expr, f.AncestorsOf)
	}
	if f.OrganiserID > 0 {
		q = q.Where("events.id IN (SELECT event_id FROM event_organisers WHERE account_id = ?)", f.OrganiserID)
	}
	if f.CampaignID > 0 {
		q = q.Where("events.campaign_id = ?", f.CampaignID)
	}
	if f.Type != "" {
		q = q.Where("events.type = ?", f.Type)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("events.status IN ?", f.Statuses)
	}
	if f.From != nil {
		q = q.Where("events.ends_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("events.starts_at < ?", *f.To)
	}
	return q
}

// List returns a page of events by start time and the total.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Row, int64, error) {
	q := s.filtered(ctx, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("events.starts_at, events.id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// TakePlace counts one more registration if the event has room (one atomic UPDATE, so
// concurrent registrations can never overfill it).
func (s *Store) TakePlace(ctx context.Context, eventID int64) (bool, error) {
	res := s.conn(ctx).Model(&Event{}).Where("id = ? AND (capacity = 0 OR registered_count < capacity)", eventID).
		Update("registered_count", gorm.Expr("registered_count + 1"))
	return res.RowsAffected == 1, res.Error
}

// ReleasePlace gives a place back.
func (s *Store) ReleasePlace(ctx context.Context, eventID int64) error {
	return s.conn(ctx).Model(&Event{}).Where("id = ? AND registered_count > 0", eventID).
		Update("registered_count", gorm.Expr("registered_count - 1")).Error
}

// Registration loads a learner's registration for an event.
func (s *Store) Registration(ctx context.Context, eventID, learnerID int64) (*Registration, error) {
	return take[Registration](s.conn(ctx).Where("event_id = ? AND learner_id = ?", eventID, learnerID))
}

// SaveRegistration inserts or rewrites a learner's registration.
func (s *Store) SaveRegistration(ctx context.Context, r *Registration) error {
	return s.conn(ctx).Save(r).Error
}

// FirstWaitlisted locks the longest-waiting registration of an event (nil when none).
func (s *Store) FirstWaitlisted(ctx context.Context, eventID int64) (*Registration, error) {
	r, err := take[Registration](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("event_id = ? AND status = ?", eventID, Waitlisted).Order("id"))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return r, err
}

// RegistrationRow is a registration with the learner's name and unit.
type RegistrationRow struct {
	Registration
	LearnerName string
	UnitName    string
}

// Registrations lists an event's registrations (optionally by status) with learner names.
func (s *Store) Registrations(ctx context.Context, eventID int64, status RegistrationStatus, offset, limit int) ([]RegistrationRow, int64, error) {
	q := s.conn(ctx).Table("event_registrations").
		Select("event_registrations.*, learners.name AS learner_name, units.name AS unit_name").
		Joins("JOIN learners ON learners.id = event_registrations.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("event_registrations.event_id = ?", eventID)
	if status != "" {
		q = q.Where("event_registrations.status = ?", status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []RegistrationRow
	err := q.Order("event_registrations.id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// CreateAttendance inserts an attendance; a duplicate is gorm.ErrDuplicatedKey.
func (s *Store) CreateAttendance(ctx context.Context, a *Attendance) error {
	return s.conn(ctx).Create(a).Error
}

// UpdateAttendance writes the given columns.
func (s *Store) UpdateAttendance(ctx context.Context, eventID, learnerID int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Attendance{}).Where("event_id = ? AND learner_id = ?", eventID, learnerID).Updates(cols).Error
}

// AttendanceRow is an attendance with the learner's name and unit.
type AttendanceRow struct {
	Attendance
	LearnerName string
	UnitName    string
}

// Attendances lists an event's attendance with learner names.
func (s *Store) Attendances(ctx context.Context, eventID int64) ([]AttendanceRow, error) {
	var rows []AttendanceRow
	err := s.conn(ctx).Table("event_attendance").
		Select("event_attendance.*, learners.name AS learner_name, units.name AS unit_name").
		Joins("JOIN learners ON learners.id = event_attendance.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("event_attendance.event_id = ?", eventID).Order("event_attendance.checked_in_at").Find(&rows).Error
	return rows, err
}

// SaveSummary inserts or replaces an event's summary.
func (s *Store) SaveSummary(ctx context.Context, sum *Summary) error {
	return s.conn(ctx).Save(sum).Error
}

// Summary loads an event's summary (nil when none yet).
func (s *Store) Summary(ctx context.Context, eventID int64) (*Summary, error) {
	sum, err := take[Summary](s.conn(ctx).Where("event_id = ?", eventID))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return sum, err
}

// LearnerStates returns, for the given events, the learner's registration status and whether
// they attended (two queries for a whole page, no N+1).
func (s *Store) LearnerStates(ctx context.Context, learnerID int64, eventIDs []int64) (map[int64]RegistrationStatus, map[int64]Attendance, error) {
	regs := map[int64]RegistrationStatus{}
	att := map[int64]Attendance{}
	if len(eventIDs) == 0 {
		return regs, att, nil
	}
	var rs []Registration
	if err := s.conn(ctx).Where("learner_id = ? AND event_id IN ?", learnerID, eventIDs).Find(&rs).Error; err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		regs[r.EventID] = r.Status
	}
	var as []Attendance
	if err := s.conn(ctx).Where("learner_id = ? AND event_id IN ?", learnerID, eventIDs).Find(&as).Error; err != nil {
		return nil, nil, err
	}
	for _, a := range as {
		att[a.EventID] = a
	}
	return regs, att, nil
}

type statsRows struct {
	byType []statsRow
	reach  []statsRow
	byUnit []statsRow
}

// StatsRows aggregates the events of a subtree (published or finished), optionally in one
// campaign: per type, 送法 reach per venue type, and per organiser unit.
func (s *Store) StatsRows(ctx context.Context, path string, campaignID int64) (*statsRows, error) {
	scope := func(q *gorm.DB) *gorm.DB {
		q = q.Joins("JOIN units ON units.id = events.unit_id").
			Where("units.path LIKE ? AND events.status IN ?", path+"%", []Status{StatusPublished, StatusFinished})
		if campaignID > 0 {
			q = q.Where("events.campaign_id = ?", campaignID)
		}
		return q
	}
	attended := "(SELECT COUNT(*) FROM event_attendance WHERE event_attendance.event_id = events.id)"
	out := &statsRows{}
	if err := scope(s.conn(ctx).Table("events")).
		Select("events.type AS `key`, COUNT(*) AS events, SUM(events.registered_count) AS count, SUM(" + attended + ") AS attended").
		Group("events.type").Find(&out.byType).Error; err != nil {
		return nil, err
	}
	if err := scope(s.conn(ctx).Table("events")).
		Joins("LEFT JOIN event_summaries ON event_summaries.event_id = events.id").
		Where("events.type = ?", TypeLawDelivery).
		Select("events.venue_type AS `key`, COUNT(*) AS events, SUM(COALESCE(event_summaries.audience_count, events.audience_reached)) AS count").
		Group("events.venue_type").Order("events.venue_type").Find(&out.reach).Error; err != nil {
		return nil, err
	}
	if err := scope(s.conn(ctx).Table("events")).
		Select("units.path AS path, COUNT(*) AS events, SUM(" + attended + ") AS attended").
		Group("units.path").Find(&out.byUnit).Error; err != nil {
		return nil, err
	}
	return out, nil
}

// Children lists a unit's direct sub-units.
func (s *Store) Children(ctx context.Context, unitID int64) ([]unit.Unit, error) {
	var out []unit.Unit
	err := s.conn(ctx).Where("parent_id = ?", unitID).Order("id").Find(&out).Error
	return out, err
}
