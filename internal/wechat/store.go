package wechat

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("wechat row not found")

// Store is the only place that queries WeChat identities and subscriptions.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func takeIdentity(q *gorm.DB) (*Identity, error) { return database.Take[Identity](q, ErrNotFound) }

// ByOpenID loads the identity of an openid.
func (s *Store) ByOpenID(ctx context.Context, openID string) (*Identity, error) {
	return takeIdentity(s.conn(ctx).Where("open_id = ?", openID))
}

// ByParticipant loads the identity whose participant account this is.
func (s *Store) ByParticipant(ctx context.Context, accountID int64) (*Identity, error) {
	return takeIdentity(s.conn(ctx).Where("participant_account_id = ?", accountID))
}

// ByLearner loads the identity bound to a learner account.
func (s *Store) ByLearner(ctx context.Context, accountID int64) (*Identity, error) {
	return takeIdentity(s.conn(ctx).Where("learner_account_id = ?", accountID))
}

// Create inserts an identity; a taken openid is gorm.ErrDuplicatedKey.
func (s *Store) Create(ctx context.Context, i *Identity) error {
	return s.conn(ctx).Create(i).Error
}

// Touch records a login.
func (s *Store) Touch(ctx context.Context, id int64, at time.Time) error {
	return s.conn(ctx).Model(&Identity{}).Where("id = ?", id).Updates(map[string]any{"last_login_at": at, "updated_at": at}).Error
}

// Bind sets the learner of an unbound identity; false when it was bound meanwhile. A learner
// bound to another openid is gorm.ErrDuplicatedKey.
func (s *Store) Bind(ctx context.Context, id, learnerAccountID int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Identity{}).Where("id = ? AND learner_account_id IS NULL", id).
		Updates(map[string]any{"learner_account_id": learnerAccountID, "bound_at": at, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// Unbind clears the learner of an identity.
func (s *Store) Unbind(ctx context.Context, id int64, at time.Time) error {
	return s.conn(ctx).Model(&Identity{}).Where("id = ?", id).
		Updates(map[string]any{"learner_account_id": nil, "bound_at": nil, "updated_at": at}).Error
}

// Subscriptions lists an account's subscriptions by template.
func (s *Store) Subscriptions(ctx context.Context, accountID int64) ([]Subscription, error) {
	var out []Subscription
	err := s.conn(ctx).Where("account_id = ?", accountID).Order("template_id").Find(&out).Error
	return out, err
}

// Subscription loads one.
func (s *Store) Subscription(ctx context.Context, accountID int64, templateID string) (*Subscription, error) {
	var sub Subscription
	err := s.conn(ctx).Where("account_id = ? AND template_id = ?", accountID, templateID).Take(&sub).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &sub, err
}

// Accept adds one allowed message (capped) and makes the subscription active, creating it if
// needed, in one statement so concurrent accepts both count.
func (s *Store) Accept(ctx context.Context, accountID int64, templateID string, at time.Time) error {
	row := Subscription{AccountID: accountID, TemplateID: templateID, Remaining: 1, Status: SubActive, UpdatedAt: at}
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "account_id"}, {Name: "template_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"remaining":  gorm.Expr("CASE WHEN remaining < ? THEN remaining + 1 ELSE remaining END", MaxRemaining),
			"status":     SubActive,
			"updated_at": at,
		}),
	}).Create(&row).Error
}

// Decline zeroes a subscription and marks it declined, creating it if needed.
func (s *Store) Decline(ctx context.Context, accountID int64, templateID string, at time.Time) error {
	row := Subscription{AccountID: accountID, TemplateID: templateID, Remaining: 0, Status: SubDeclined, UpdatedAt: at}
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "account_id"}, {Name: "template_id"}},
		DoUpdates: clause.Assignments(map[string]any{"remaining": 0, "status": SubDeclined, "updated_at": at}),
	}).Create(&row).Error
}

// Spend takes one allowed message; false when none was left.
func (s *Store) Spend(ctx context.Context, accountID int64, templateID string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Subscription{}).Where("account_id = ? AND template_id = ? AND remaining > 0", accountID, templateID).
		Updates(map[string]any{"remaining": gorm.Expr("remaining - 1"), "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// DeleteSubscriptions drops an account's subscriptions (they belonged to the unbound openid).
func (s *Store) DeleteSubscriptions(ctx context.Context, accountID int64) error {
	return s.conn(ctx).Where("account_id = ?", accountID).Delete(&Subscription{}).Error
}
