package certificate

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no certificate (or learner) matches.
var ErrNotFound = errors.New("certificate not found")

// insertBatch is how many certificates one INSERT writes: a county's close issues tens of
// thousands inside the close's transaction.
const insertBatch = 500

// Store is the only place that queries certificates.
type Store struct{ db *gorm.DB }

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// Row is a certificate with the current unit of its learner (whose admins may revoke it).
type Row struct {
	Certificate
	LearnerUnitPath string
}

func (s *Store) joined(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("certificates").
		Select("certificates.*, units.path AS learner_unit_path").
		Joins("JOIN learners ON learners.id = certificates.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id")
}

// ByCode loads the certificate with code. A lookup costs this one indexed query whether or not
// the code exists.
func (s *Store) ByCode(ctx context.Context, code string) (*Row, error) {
	return database.Take[Row](s.joined(ctx).Where("certificates.code = ?", code), ErrNotFound)
}

// ByID loads one certificate.
func (s *Store) ByID(ctx context.Context, id int64) (*Row, error) {
	return database.Take[Row](s.joined(ctx).Where("certificates.id = ?", id), ErrNotFound)
}

// ListByLearner returns a page of a learner's certificates, newest first, and the total.
func (s *Store) ListByLearner(ctx context.Context, learnerID int64, offset, limit int) ([]Row, int64, error) {
	q := s.joined(ctx).Where("certificates.learner_id = ?", learnerID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Row
	err := q.Order("certificates.issued_at DESC, certificates.id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// LearnerIDByAccount is the learner id of a learner's account.
func (s *Store) LearnerIDByAccount(ctx context.Context, accountID int64) (int64, error) {
	var ids []int64
	if err := s.conn(ctx).Table("learners").Where("account_id = ?", accountID).Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

// Revoke marks a certificate revoked unless it already is; false means it already was.
func (s *Store) Revoke(ctx context.Context, id int64, by *int64, reason string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Certificate{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at, "revoked_by": by, "revoke_reason": reason})
	return res.RowsAffected == 1, res.Error
}

// Supersede revokes the still valid certificates of a campaign's earlier closes (those before
// closeNo) with the reason "superseded", and returns how many.
func (s *Store) Supersede(ctx context.Context, campaignID int64, closeNo int, at time.Time) (int64, error) {
	res := s.conn(ctx).Model(&Certificate{}).
		Where("campaign_id = ? AND close_no < ? AND revoked_at IS NULL", campaignID, closeNo).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": ReasonSuperseded})
	return res.RowsAffected, res.Error
}

// Insert writes certificates in batches.
func (s *Store) Insert(ctx context.Context, rows []Certificate) error {
	if len(rows) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(rows, insertBatch).Error
}

// Issued returns which of learnerIDs already hold a certificate of the close (a retried issue
// skips them).
func (s *Store) Issued(ctx context.Context, campaignID int64, closeNo int, learnerIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for start := 0; start < len(learnerIDs); start += insertBatch {
		chunk := learnerIDs[start:min(start+insertBatch, len(learnerIDs))]
		var ids []int64
		if err := s.conn(ctx).Model(&Certificate{}).
			Where("campaign_id = ? AND close_no = ? AND learner_id IN ?", campaignID, closeNo, chunk).
			Pluck("learner_id", &ids).Error; err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

// CampaignFacts is what a certificate states about its campaign.
type CampaignFacts struct {
	ID        int64
	Name      string
	StartDate string
	EndDate   string
	Organiser string // the organiser unit's name
}

// Campaign loads a campaign's facts.
func (s *Store) Campaign(ctx context.Context, id int64) (*CampaignFacts, error) {
	return database.Take[CampaignFacts](s.conn(ctx).Table("campaigns").
		Select("campaigns.id, campaigns.name, campaigns.start_date, campaigns.end_date, units.name AS organiser").
		Joins("JOIN units ON units.id = campaigns.unit_id").
		Where("campaigns.id = ?", id), ErrNotFound)
}

// UnitNames maps unit ids to names.
func (s *Store) UnitNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for start := 0; start < len(ids); start += insertBatch {
		var rows []struct {
			ID   int64
			Name string
		}
		if err := s.conn(ctx).Table("units").Select("id, name").Where("id IN ?", ids[start:min(start+insertBatch, len(ids))]).
			Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}
