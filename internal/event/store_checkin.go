package event

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/credit"
)

// ScanRow is an attendance with what its scans keep to answer their retries: the
// Idempotency-Key of the scan that checked in and of the one that checked out, and the credits
// the ledger gave (at credited_at).
type ScanRow struct {
	Attendance
	CheckinKey     *string
	CheckoutKey    *string
	CreditsAwarded credit.Amount
}

// TableName pins the table.
func (ScanRow) TableName() string { return "event_attendance" }

// ScanRow loads (and locks, on MySQL) a learner's attendance at an event with its scan keys.
func (s *Store) ScanRow(ctx context.Context, eventID, learnerID int64) (*ScanRow, error) {
	return take[ScanRow](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("event_id = ? AND learner_id = ?", eventID, learnerID))
}

// CreateScanRow inserts a scanned attendance; a duplicate is gorm.ErrDuplicatedKey.
func (s *Store) CreateScanRow(ctx context.Context, a *ScanRow) error {
	return s.conn(ctx).Create(a).Error
}
