package quiz

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// CreateAwards inserts drawn awards.
func (s *Store) CreateAwards(ctx context.Context, awards []Award) error {
	if len(awards) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(&awards, 200).Error
}

// AwardRow is an award with its prize, round and winner's name.
type AwardRow struct {
	Award
	PrizeName   string
	RoundName   string
	DisplayName string
}

func (s *Store) awardRows(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("quiz_awards").
		Select("quiz_awards.*, quiz_prizes.name AS prize_name, quiz_rounds.name AS round_name, accounts.display_name").
		Joins("JOIN quiz_prizes ON quiz_prizes.id = quiz_awards.prize_id").
		Joins("JOIN quiz_rounds ON quiz_rounds.id = quiz_awards.round_id").
		Joins("JOIN accounts ON accounts.id = quiz_awards.account_id")
}

// RoundAwards lists a round's awards in draw order.
func (s *Store) RoundAwards(ctx context.Context, roundID int64) ([]AwardRow, error) {
	var out []AwardRow
	err := s.awardRows(ctx).Where("quiz_awards.round_id = ?", roundID).Order("quiz_awards.draw_rank").Scan(&out).Error
	return out, err
}

// AccountAwards lists an account's awards, newest first.
func (s *Store) AccountAwards(ctx context.Context, accountID int64) ([]AwardRow, error) {
	var out []AwardRow
	err := s.awardRows(ctx).Where("quiz_awards.account_id = ?", accountID).Order("quiz_awards.id DESC").Scan(&out).Error
	return out, err
}

// AwardForUpdate loads an award and locks it until the transaction ends.
func (s *Store) AwardForUpdate(ctx context.Context, id int64) (*Award, error) {
	return take[Award](lockForUpdate(s.conn(ctx)).Where("id = ?", id))
}

// AwardRowByID loads one award row.
func (s *Store) AwardRowByID(ctx context.Context, id int64) (*AwardRow, error) {
	return take[AwardRow](s.awardRows(ctx).Where("quiz_awards.id = ?", id))
}

// TakeStock takes one unit of a prize; it reports false when none is left.
func (s *Store) TakeStock(ctx context.Context, prizeID int64) (bool, error) {
	res := s.conn(ctx).Model(&Prize{}).Where("id = ? AND remaining > 0", prizeID).
		UpdateColumn("remaining", gorm.Expr("remaining - 1"))
	return res.RowsAffected == 1, res.Error
}

// Claim records a claim's sealed details.
func (s *Store) Claim(ctx context.Context, id int64, nameEnc, phoneEnc, addressEnc, key string, at time.Time) error {
	return s.conn(ctx).Model(&Award{}).Where("id = ?", id).Updates(map[string]any{
		"status": AwardClaimed, "name_enc": nameEnc, "phone_enc": phoneEnc, "address_enc": addressEnc,
		"claimed_at": at, "idempotency_key": key,
	}).Error
}

// Expire marks an unclaimed award expired.
func (s *Store) Expire(ctx context.Context, id int64) error {
	return s.conn(ctx).Model(&Award{}).Where("id = ? AND status = ?", id, AwardAwarded).Update("status", AwardExpired).Error
}
