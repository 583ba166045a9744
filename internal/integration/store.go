package integration

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("integration: not found")

// Store is the only place that queries clients, webhooks and the outbox.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func take[T any](q *gorm.DB) (*T, error) { return database.Take[T](q, ErrNotFound) }

// ClientRow is a client with its unit's path and name.
type ClientRow struct {
	Client
	UnitPath string
	UnitName string
}

func (s *Store) clientsWithUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("integration_clients").
		Select("integration_clients.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = integration_clients.unit_id")
}

// CreateClient inserts a client.
func (s *Store) CreateClient(ctx context.Context, c *Client) error {
	return s.conn(ctx).Create(c).Error
}

// Client loads a client with its unit.
func (s *Store) Client(ctx context.Context, id int64) (*ClientRow, error) {
	return take[ClientRow](s.clientsWithUnit(ctx).Where("integration_clients.id = ?", id))
}

// ClientByKey loads a client by its public key.
func (s *Store) ClientByKey(ctx context.Context, key string) (*ClientRow, error) {
	return take[ClientRow](s.clientsWithUnit(ctx).Where("integration_clients.client_key = ?", key))
}

// Clients lists clients, newest first.
func (s *Store) Clients(ctx context.Context, offset, limit int) ([]ClientRow, int64, error) {
	var total int64
	if err := s.conn(ctx).Model(&Client{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	rows := []ClientRow{}
	err := s.clientsWithUnit(ctx).Order("integration_clients.id DESC").Offset(offset).Limit(limit).Scan(&rows).Error
	return rows, total, err
}

// LockClient loads a client's row and locks it until the transaction ends (MySQL; SQLite's
// single writer connection already serialises transactions).
func (s *Store) LockClient(ctx context.Context, id int64) (*Client, error) {
	return take[Client](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

// UpdateClient sets columns of a client.
func (s *Store) UpdateClient(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Client{}).Where("id = ?", id).Updates(cols).Error
}

// WebhookRow is a webhook with its unit's path and, for client-owned ones, the client's status.
type WebhookRow struct {
	Webhook
	UnitPath     string
	ClientStatus *ClientStatus
}

func (s *Store) webhooksWithUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("webhooks").
		Select("webhooks.*, units.path AS unit_path, integration_clients.status AS client_status").
		Joins("JOIN units ON units.id = webhooks.unit_id").
		Joins("LEFT JOIN integration_clients ON integration_clients.id = webhooks.client_id")
}

// CreateWebhook inserts a webhook.
func (s *Store) CreateWebhook(ctx context.Context, w *Webhook) error {
	return s.conn(ctx).Create(w).Error
}

// Webhook loads one webhook.
func (s *Store) Webhook(ctx context.Context, id int64) (*WebhookRow, error) {
	return take[WebhookRow](s.webhooksWithUnit(ctx).Where("webhooks.id = ?", id))
}

// Webhooks lists the webhooks of one client (clientID > 0) or all of them, newest first.
func (s *Store) Webhooks(ctx context.Context, clientID int64, offset, limit int) ([]WebhookRow, int64, error) {
	count := s.conn(ctx).Model(&Webhook{})
	q := s.webhooksWithUnit(ctx)
	if clientID > 0 {
		count = count.Where("client_id = ?", clientID)
		q = q.Where("webhooks.client_id = ?", clientID)
	}
	var total int64
	if err := count.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	rows := []WebhookRow{}
	err := q.Order("webhooks.id DESC").Offset(offset).Limit(limit).Scan(&rows).Error
	return rows, total, err
}

// ActiveWebhooks lists every active webhook (there are few: one or two per integrator).
func (s *Store) ActiveWebhooks(ctx context.Context) ([]WebhookRow, error) {
	rows := []WebhookRow{}
	err := s.webhooksWithUnit(ctx).Where("webhooks.status = ?", WebhookActive).Order("webhooks.id").Scan(&rows).Error
	return rows, err
}

// LockWebhook locks a webhook's row until the transaction ends (MySQL; SQLite's single writer
// connection already serialises transactions).
func (s *Store) LockWebhook(ctx context.Context, id int64) error {
	_, err := take[Webhook](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("id = ?", id))
	return err
}

// UpdateWebhook sets columns of a webhook.
func (s *Store) UpdateWebhook(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Webhook{}).Where("id = ?", id).Updates(cols).Error
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	if err := s.conn(ctx).Where("webhook_id = ?", id).Delete(&Delivery{}).Error; err != nil {
		return err
	}
	return s.conn(ctx).Delete(&Webhook{}, id).Error
}

// AddFailure counts a failed attempt and returns the new count of consecutive failures.
func (s *Store) AddFailure(ctx context.Context, id int64) (int, error) {
	if err := s.conn(ctx).Model(&Webhook{}).Where("id = ?", id).
		UpdateColumn("consecutive_failures", gorm.Expr("consecutive_failures + 1")).Error; err != nil {
		return 0, err
	}
	var n int
	err := s.conn(ctx).Model(&Webhook{}).Select("consecutive_failures").Where("id = ?", id).Scan(&n).Error
	return n, err
}

// InsertEvent writes an outbox row.
func (s *Store) InsertEvent(ctx context.Context, e *Event) error { return s.conn(ctx).Create(e).Error }

// InsertEvents appends outbox rows in one statement.
func (s *Store) InsertEvents(ctx context.Context, es []Event) error {
	return s.conn(ctx).Create(&es).Error
}

// Event loads an outbox row.
func (s *Store) Event(ctx context.Context, id int64) (*Event, error) {
	return take[Event](s.conn(ctx).Where("id = ?", id))
}

// PendingEvents lists outbox rows not yet fanned out, oldest first.
func (s *Store) PendingEvents(ctx context.Context, limit int) ([]Event, error) {
	rows := []Event{}
	err := s.conn(ctx).Where("fanned_out_at IS NULL").Order("id").Limit(limit).Find(&rows).Error
	return rows, err
}

// ClaimEvents locks the outbox rows among ids that no dispatcher has fanned out yet (in id
// order, so concurrent dispatchers wait for each other instead of deadlocking) and marks them
// fanned out at at; it returns the ids it claimed. A dispatcher that waited on another's lock
// finds the rows already marked, or deleted, and claims none of them.
func (s *Store) ClaimEvents(ctx context.Context, ids []int64, at time.Time) (map[int64]bool, error) {
	var claimed []int64
	err := s.conn(ctx).Model(&Event{}).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("id IN ? AND fanned_out_at IS NULL", ids).Order("id").Pluck("id", &claimed).Error
	if err != nil || len(claimed) == 0 {
		return nil, err
	}
	if err := s.conn(ctx).Model(&Event{}).Where("id IN ?", claimed).Update("fanned_out_at", at).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		out[id] = true
	}
	return out, nil
}

// DeleteEvents removes outbox rows no webhook wanted.
func (s *Store) DeleteEvents(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.conn(ctx).Where("id IN ?", ids).Delete(&Event{}).Error
}

// DeleteFinishedDeliveries deletes up to limit deliveries that succeeded or failed before
// cutoff (by their last attempt: a finished delivery's next_attempt_at is when it finished or
// was last tried, read through idx_webhook_deliveries_due) and returns how many.
func (s *Store) DeleteFinishedDeliveries(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return deleteFirst[Delivery](ctx, s, limit, func(q *gorm.DB) *gorm.DB {
		return q.Where("status IN ? AND next_attempt_at < ?", []DeliveryStatus{DeliverySucceeded, DeliveryFailed}, cutoff)
	})
}

// DeleteSpentEvents deletes up to limit events fanned out before cutoff that no delivery refers
// to, and returns how many.
func (s *Store) DeleteSpentEvents(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return deleteFirst[Event](ctx, s, limit, func(q *gorm.DB) *gorm.DB {
		return q.Where("fanned_out_at IS NOT NULL AND fanned_out_at < ?", cutoff).
			Where("NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_deliveries.event_id = webhook_events.id)")
	})
}

// deleteFirst deletes the first limit rows of T (by id) that where selects and returns how many:
// the ids are read first, as MySQL takes no LIMIT in a subquery of IN and SQLite none on DELETE.
func deleteFirst[T any](ctx context.Context, s *Store, limit int, where func(*gorm.DB) *gorm.DB) (int, error) {
	var ids []int64
	if err := where(s.conn(ctx).Model(new(T))).Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		return 0, err
	}
	return len(ids), s.conn(ctx).Where("id IN ?", ids).Delete(new(T)).Error
}

// CreateDelivery inserts a delivery.
func (s *Store) CreateDelivery(ctx context.Context, d *Delivery) error {
	return s.conn(ctx).Create(d).Error
}

// CreateDeliveries inserts deliveries, 500 a statement (a batch of events times the webhooks
// wanting each can pass the dialects' parameter limits).
func (s *Store) CreateDeliveries(ctx context.Context, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(&ds, 500).Error
}

// Delivery loads a delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (*Delivery, error) {
	return take[Delivery](s.conn(ctx).Where("id = ?", id))
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID int64, offset, limit int) ([]Delivery, int64, error) {
	q := s.conn(ctx).Model(&Delivery{}).Where("webhook_id = ?", webhookID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	rows := []Delivery{}
	err := s.conn(ctx).Where("webhook_id = ?", webhookID).Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// DueDeliveries lists pending deliveries of active webhooks whose next attempt is due.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows := []Delivery{}
	err := s.conn(ctx).Table("webhook_deliveries").Select("webhook_deliveries.*").
		Joins("JOIN webhooks ON webhooks.id = webhook_deliveries.webhook_id").
		Where("webhook_deliveries.status = ? AND webhook_deliveries.next_attempt_at <= ? AND webhooks.status = ?", DeliveryPending, now, WebhookActive).
		Order("webhook_deliveries.next_attempt_at, webhook_deliveries.id").Limit(limit).Scan(&rows).Error
	return rows, err
}

// ClaimDelivery leases a due delivery until lease by moving its next attempt; false when
// another dispatcher claimed it first.
func (s *Store) ClaimDelivery(ctx context.Context, d *Delivery, lease time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Delivery{}).
		Where("id = ? AND status = ? AND attempts = ? AND next_attempt_at = ?", d.ID, DeliveryPending, d.Attempts, d.NextAttemptAt).
		Update("next_attempt_at", lease)
	return res.RowsAffected == 1, res.Error
}

// UpdateDelivery sets columns of a delivery.
func (s *Store) UpdateDelivery(ctx context.Context, id int64, cols map[string]any) error {
	return s.conn(ctx).Model(&Delivery{}).Where("id = ?", id).Updates(cols).Error
}
