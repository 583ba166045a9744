package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

var (
	errWebhookNotFound  = apperr.NotFound("webhook.not_found", "回调不存在")
	errDeliveryNotFound = apperr.NotFound("webhook.delivery_not_found", "投递记录不存在")
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// webhookOwner says whose webhooks the actor manages: an integrator its client's, the county
// admin every one (clientID 0). Anyone else may not manage webhooks.
func webhookOwner(actor auth.Actor) (clientID int64, err error) {
	switch {
	case actor.Role == auth.RoleIntegrator && actor.ClientID > 0:
		return actor.ClientID, nil
	case actor.IsRootAdmin():
		return 0, nil
	}
	return 0, apperr.ErrForbidden
}

func checkEvents(events []string) (string, error) {
	if len(events) == 0 {
		return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("events", "至少订阅一种事件"))
	}
	var out []string
	for _, e := range events {
		if !slices.Contains(AllEvents(), e) {
			return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("events", "未知的事件类型: "+e))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ","), nil
}

// WebhookInput creates or changes a webhook; nil fields stay.
type WebhookInput struct {
	URL         *string
	Events      []string
	Description *string
	Status      *WebhookStatus
}

// CreatedWebhook is a new webhook and its signing secret, shown this once.
type CreatedWebhook struct {
	Row    *WebhookRow
	Secret string
}

// CreateWebhook subscribes a URL to event types for the owner's unit subtree.
func (s *Service) CreateWebhook(ctx context.Context, actor auth.Actor, in WebhookInput) (*CreatedWebhook, error) {
	clientID, err := webhookOwner(actor)
	if err != nil {
		return nil, err
	}
	events, err := checkEvents(in.Events)
	if err != nil {
		return nil, err
	}
	desc, err := checkDescription(deref(in.Description))
	if err != nil {
		return nil, err
	}
	target, err := s.checkURL(ctx, deref(in.URL))
	if err != nil {
		return nil, err
	}
	secret := randomToken(webhookSecretPrefix)
	sealed, err := s.Sealer.Seal(secret)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	w := &Webhook{UnitID: actor.UnitID, URL: target, Events: events, Description: desc, SecretEnc: sealed,
		Status: WebhookActive, CreatedAt: now, UpdatedAt: now}
	if clientID > 0 {
		w.ClientID = &clientID
	}
	out := &CreatedWebhook{Secret: secret}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.CreateWebhook(ctx, w); err != nil {
			return err
		}
		if err := s.record(ctx, actor, "webhook.create", "webhook", w.ID, map[string]any{"url": target, "events": events}); err != nil {
			return err
		}
		out.Row, err = s.Store.Webhook(ctx, w.ID)
		return err
	})
	return out, err
}

func checkDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > maxWebhookDescriptionRune {
		return "", apperr.Invalid("request.validation", "请求参数有误", apperr.Field("description", "长度不能超过 200"))
	}
	return d, nil
}

// Webhooks lists the webhooks the actor manages.
func (s *Service) Webhooks(ctx context.Context, actor auth.Actor, offset, limit int) ([]WebhookRow, int64, error) {
	clientID, err := webhookOwner(actor)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.Webhooks(ctx, clientID, offset, limit)
}

// Webhook returns one webhook the actor manages (404 otherwise, so ids do not leak).
func (s *Service) Webhook(ctx context.Context, actor auth.Actor, id int64) (*WebhookRow, error) {
	clientID, err := webhookOwner(actor)
	if err != nil {
		return nil, err
	}
	w, err := s.Store.Webhook(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && clientID > 0 && (w.ClientID == nil || *w.ClientID != clientID)) {
		return nil, errWebhookNotFound
	}
	return w, err
}

// UpdateWebhook changes a webhook; setting status active re-enables an auto-disabled one
// (its failure count starts again from zero).
func (s *Service) UpdateWebhook(ctx context.Context, actor auth.Actor, id int64, in WebhookInput) (*WebhookRow, error) {
	if _, err := s.Webhook(ctx, actor, id); err != nil {
		return nil, err
	}
	cols := map[string]any{"updated_at": s.Now()}
	if in.URL != nil {
		target, err := s.checkURL(ctx, *in.URL)
		if err != nil {
			return nil, err
		}
		cols["url"] = target
	}
	if in.Events != nil {
		events, err := checkEvents(in.Events)
		if err != nil {
			return nil, err
		}
		cols["events"] = events
	}
	if in.Description != nil {
		desc, err := checkDescription(*in.Description)
		if err != nil {
			return nil, err
		}
		cols["description"] = desc
	}
	if in.Status != nil {
		switch *in.Status {
		case WebhookActive:
			cols["status"], cols["consecutive_failures"], cols["disabled_reason"] = WebhookActive, 0, ""
		case WebhookDisabled:
			cols["status"], cols["disabled_reason"] = WebhookDisabled, "manual"
		default:
			return nil, apperr.Invalid("request.validation", "请求参数有误", apperr.Field("status", "取值必须是: active disabled"))
		}
	}
	var out *WebhookRow
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockWebhook(ctx, id); err != nil {
			return err
		}
		if err := s.Store.UpdateWebhook(ctx, id, cols); err != nil {
			return err
		}
		changed := []string{}
		for k := range cols {
			if k != "updated_at" && k != "consecutive_failures" && k != "disabled_reason" {
				changed = append(changed, k)
			}
		}
		slices.Sort(changed)
		if err := s.record(ctx, actor, "webhook.update", "webhook", id, map[string]any{"changed": changed}); err != nil {
			return err
		}
		var err error
		out, err = s.Store.Webhook(ctx, id)
		return err
	})
	return out, err
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Service) DeleteWebhook(ctx context.Context, actor auth.Actor, id int64) error {
	if _, err := s.Webhook(ctx, actor, id); err != nil {
		return err
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockWebhook(ctx, id); err != nil {
			return err
		}
		if err := s.Store.DeleteWebhook(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, actor, "webhook.delete", "webhook", id, nil)
	})
}

// lockWebhook locks a webhook until the transaction ends. Writes take it first: one checked
// before a concurrent delete committed would otherwise write to a vanished row (a 500, or a
// 204 for a second delete).
func (s *Service) lockWebhook(ctx context.Context, id int64) error {
	err := s.Store.LockWebhook(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return errWebhookNotFound
	}
	return err
}

// Deliveries lists a webhook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, actor auth.Actor, webhookID int64, offset, limit int) ([]Delivery, int64, error) {
	if _, err := s.Webhook(ctx, actor, webhookID); err != nil {
		return nil, 0, err
	}
	return s.Store.Deliveries(ctx, webhookID, offset, limit)
}

// Redeliver queues a delivery's event again (same event id, so receivers can de-duplicate).
func (s *Service) Redeliver(ctx context.Context, actor auth.Actor, webhookID, deliveryID int64) (*Delivery, error) {
	if _, err := s.Webhook(ctx, actor, webhookID); err != nil {
		return nil, err
	}
	d, err := s.Store.Delivery(ctx, deliveryID)
	if errors.Is(err, ErrNotFound) || (err == nil && d.WebhookID != webhookID) {
		return nil, errDeliveryNotFound
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	orig := d.ID
	next := &Delivery{WebhookID: webhookID, EventID: d.EventID, EventUID: d.EventUID, EventType: d.EventType,
		Status: DeliveryPending, NextAttemptAt: now, RedeliveryOf: &orig, CreatedAt: now}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockWebhook(ctx, webhookID); err != nil {
			return err
		}
		if err := s.Store.CreateDelivery(ctx, next); errors.Is(err, gorm.ErrForeignKeyViolated) {
			return errDeliveryNotFound // its event was pruned (see dispatch.go) since the delivery was read
		} else if err != nil {
			return err
		}
		return s.record(ctx, actor, "webhook.redeliver", "webhook", webhookID, map[string]any{"delivery_id": orig})
	})
	return next, err
}

// Emit writes an event into the outbox. Call it inside the transaction of the change it
// reports: the event exists exactly when the change committed. unitPath is the subtree the
// event belongs to (e.g. the learner's unit); webhooks of that unit or an ancestor receive it.
// data must be of the Go type of the event type's payload data (payloads.go), the published
// schema.
func (s *Service) Emit(ctx context.Context, eventType, unitPath string, data any) error {
	if err := checkData(eventType, data); err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.Store.InsertEvent(ctx, &Event{UID: uuid.NewString(), Type: eventType, UnitPath: unitPath, Data: string(raw), CreatedAt: s.Now()})
}

// EmitMany writes one event of the type per data (data[i] belongs to unitPaths[i]) into the
// outbox in one statement: Emit for a whole batch of changes (a batch of exam gradings).
func (s *Service) EmitMany(ctx context.Context, eventType string, unitPaths []string, data []any) error {
	if !slices.Contains(AllEvents(), eventType) {
		return fmt.Errorf("integration: unknown event type %q", eventType)
	}
	for _, d := range data {
		if err := checkData(eventType, d); err != nil {
			return err
		}
	}
	if len(unitPaths) != len(data) {
		return fmt.Errorf("integration: %d unit paths for %d events", len(unitPaths), len(data))
	}
	if len(data) == 0 {
		return nil
	}
	now := s.Now()
	events := make([]Event, len(data))
	for i, d := range data {
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		events[i] = Event{UID: uuid.NewString(), Type: eventType, UnitPath: unitPaths[i], Data: string(raw), CreatedAt: now}
	}
	return s.Store.InsertEvents(ctx, events)
}
