package integration

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Headers of every delivery besides Content-Type and User-Agent (the contract documents them
// from these names: tools/openapi3/webhooks.go).
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex hmac_sha256(secret, t + "." + body)>".
	SignatureHeader = "X-Xuefa-Signature"
	// EventHeader carries the event type.
	EventHeader = "X-Xuefa-Event"
	// EventIDHeader carries the event id, the payload's id.
	EventIDHeader = "X-Xuefa-Event-Id"
	// DeliveryHeader carries the delivery id (a redelivery has its own).
	DeliveryHeader = "X-Xuefa-Delivery"
)

const (
	fanOutBatch   = 200
	deliveryBatch = 50
	maxBackoff    = 6 * time.Hour
)

// Payload is what a webhook receives: the body of every event type, its data already JSON. Each
// event type's payload in payloads.go has these JSON fields (a test checks), typed.
type Payload struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Sign returns the signature header value for body at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Dispatcher delivers the outbox.
type Dispatcher struct {
	svc      *Service
	log      *slog.Logger
	prunedAt atomic.Int64 // when this replica last pruned the delivery log (unix nanoseconds; 0: not yet)
}

// NewDispatcher builds a dispatcher over the service's store and settings.
func NewDispatcher(svc *Service, log *slog.Logger) *Dispatcher {
	return &Dispatcher{svc: svc, log: log}
}

// Run dispatches every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := d.DispatchOnce(ctx); err != nil && ctx.Err() == nil {
				d.log.WarnContext(ctx, "webhook dispatch", "error", err.Error())
			}
		}
	}
}

// DispatchOnce fans every new outbox event out to the matching webhooks, then makes one
// attempt at every delivery that is due. It returns how many attempts it made.
//
// Both run in batches until a batch comes back short: an exam bell or a year-end close-out
// writes thousands of events in seconds, and one batch a tick (200 events, 50 deliveries every
// dispatch_interval) left integrators minutes behind. A delivery round that sent nothing (every
// due delivery's webhook or client was disabled meanwhile, handed back as it was) ends the loop
// too, since the next round would find the same deliveries.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	if err := d.pruneIfDue(ctx); err != nil {
		return 0, err
	}
	for {
		n, err := d.fanOut(ctx)
		if err != nil {
			return 0, err
		}
		if n < fanOutBatch {
			break
		}
	}
	total := 0
	for {
		due, sent, err := d.deliverDue(ctx)
		total += sent
		if err != nil || due < deliveryBatch || sent == 0 {
			return total, err
		}
	}
}

// deliverDue makes one attempt at each of a batch of due deliveries: how many were due, and
// how many attempts it made.
func (d *Dispatcher) deliverDue(ctx context.Context) (int, int, error) {
	s := d.svc
	due, err := s.Store.DueDeliveries(ctx, s.Now(), deliveryBatch)
	if err != nil {
		return 0, 0, err
	}
	n := 0
	for i := range due {
		if ctx.Err() != nil {
			return len(due), n, ctx.Err()
		}
		// Lease the delivery so another replica does not send it at the same time.
		ok, err := s.Store.ClaimDelivery(ctx, &due[i], s.Now().Add(2*s.Settings.WebhookTimeout))
		if err != nil {
			return len(due), n, err
		}
		if !ok {
			continue
		}
		sent, err := d.attempt(ctx, &due[i])
		if err != nil {
			return len(due), n, err
		}
		if sent {
			n++
		}
	}
	return len(due), n, nil
}

// fanOut fans a batch of outbox events out in one transaction: it claims those no other
// dispatcher has, writes a delivery for each matching webhook, and drops the events nobody
// listens to, so the outbox does not grow with every credit. It returns how many events the
// batch read.
func (d *Dispatcher) fanOut(ctx context.Context) (int, error) {
	s := d.svc
	events, err := s.Store.PendingEvents(ctx, fanOutBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	hooks, err := s.Store.ActiveWebhooks(ctx)
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return len(events), database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		now := s.Now()
		claimed, err := s.Store.ClaimEvents(ctx, ids, now)
		if err != nil {
			return err
		}
		live, err := d.lockWanted(ctx, hooks, events, claimed)
		if err != nil {
			return err
		}
		var deliveries []Delivery
		var unwanted []int64
		for _, e := range events {
			if !claimed[e.ID] {
				continue
			}
			matched := 0
			for _, h := range hooks {
				if live[h.ID] && h.wants(e) {
					deliveries = append(deliveries, Delivery{WebhookID: h.ID, EventID: e.ID, EventUID: e.UID, EventType: e.Type,
						Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now})
					matched++
				}
			}
			if matched == 0 {
				unwanted = append(unwanted, e.ID)
			}
		}
		if err := s.Store.CreateDeliveries(ctx, deliveries); err != nil {
			return err
		}
		return s.Store.DeleteEvents(ctx, unwanted)
	})
}

// lockWanted locks, in id order, the webhooks that want any of the claimed events, and returns
// those still there: the list was read before the transaction, and a webhook deleted since gets
// nothing.
func (d *Dispatcher) lockWanted(ctx context.Context, hooks []WebhookRow, events []Event, claimed map[int64]bool) (map[int64]bool, error) {
	live := map[int64]bool{}
	for _, h := range hooks { // in id order (ActiveWebhooks)
		wanted := slices.ContainsFunc(events, func(e Event) bool { return claimed[e.ID] && h.wants(e) })
		if !wanted {
			continue
		}
		err := d.svc.Store.LockWebhook(ctx, h.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		live[h.ID] = err == nil
	}
	return live, nil
}

// wants reports whether the (active) webhook receives the event: subscribed to its type, of a
// unit covering the event's, and its client (if any) active.
func (h WebhookRow) wants(e Event) bool {
	return h.Subscribed(e.Type) && strings.HasPrefix(e.UnitPath, h.UnitPath) &&
		(h.ClientStatus == nil || *h.ClientStatus == ClientActive)
}

// attempt sends one delivery and records the outcome: success, a retry after exponential
// backoff, or failure after the last attempt; a webhook failing too many times in a row is
// disabled.
func (d *Dispatcher) attempt(ctx context.Context, del *Delivery) (bool, error) {
	s := d.svc
	hook, err := s.Store.Webhook(ctx, del.WebhookID)
	if errors.Is(err, ErrNotFound) {
		return false, nil // deleted since the batch was read, and its deliveries with it
	}
	if err != nil {
		return false, err
	}
	if hook.Status != WebhookActive || (hook.ClientStatus != nil && *hook.ClientStatus != ClientActive) {
		// Disabled (or its client disabled) since the batch was read, e.g. by an earlier failure
		// in it: hand the delivery back untouched, to resume when re-enabled.
		return false, s.Store.UpdateDelivery(ctx, del.ID, map[string]any{"next_attempt_at": del.NextAttemptAt})
	}
	event, err := s.Store.Event(ctx, del.EventID)
	if err != nil {
		return false, err
	}
	secret, err := s.Sealer.Open(hook.SecretEnc)
	if err != nil {
		return false, err
	}
	body, err := json.Marshal(Payload{ID: event.UID, Type: event.Type, CreatedAt: event.CreatedAt.UTC(), Data: json.RawMessage(event.Data)})
	if err != nil {
		return false, err
	}
	status, sendErr := d.send(ctx, hook, del, secret, body)
	now := s.Now()
	attempts := del.Attempts + 1
	cols := map[string]any{"attempts": attempts, "last_attempt_at": now, "response_status": nil}
	if status > 0 {
		cols["response_status"] = status
	}
	if sendErr == nil {
		cols["status"], cols["delivered_at"], cols["last_error"], cols["next_attempt_at"] = DeliverySucceeded, now, "", now
		if err := s.Store.UpdateDelivery(ctx, del.ID, cols); err != nil {
			return true, err
		}
		if hook.ConsecutiveFailures > 0 {
			return true, s.Store.UpdateWebhook(ctx, hook.ID, map[string]any{"consecutive_failures": 0})
		}
		return true, nil
	}
	cols["last_error"] = truncate(sendErr.Error(), 255)
	if attempts >= s.Settings.WebhookMaxAttempts {
		cols["status"] = DeliveryFailed
	} else {
		cols["next_attempt_at"] = now.Add(backoff(s.Settings.WebhookBackoff, attempts))
	}
	// The webhook's row first, as every write on a webhook and its deliveries locks them: the
	// other order deadlocks with a concurrent delete.
	return true, database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		failures, err := s.Store.AddFailure(ctx, hook.ID)
		if err != nil {
			return err
		}
		if err := s.Store.UpdateDelivery(ctx, del.ID, cols); err != nil {
			return err
		}
		if limit := s.Settings.WebhookDisableAfter; limit > 0 && failures >= limit {
			d.log.WarnContext(ctx, "webhook disabled after consecutive failures", "webhook_id", hook.ID, "failures", failures)
			return s.Store.UpdateWebhook(ctx, hook.ID, map[string]any{"status": WebhookDisabled, "disabled_reason": "consecutive_failures", "updated_at": now})
		}
		return nil
	})
}

// backoff is base × 2^(attempts−1), capped at six hours.
func backoff(base time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// send posts the signed payload; any answer but 2xx, a timeout or a refused address fails.
func (d *Dispatcher) send(ctx context.Context, hook *WebhookRow, del *Delivery, secret string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.svc.Settings.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "xuefa-webhooks/1")
	req.Header.Set(EventHeader, del.EventType)
	req.Header.Set(EventIDHeader, del.EventUID)
	req.Header.Set(DeliveryHeader, strconv.FormatInt(del.ID, 10))
	req.Header.Set(SignatureHeader, Sign(secret, d.svc.Now(), body))
	resp, err := d.svc.HTTP.Do(req)
	if err != nil {
		if errors.Is(err, errForbiddenAddress) {
			return 0, errForbiddenAddress
		}
		var netErr net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
			return 0, errors.New("timeout")
		}
		return 0, errors.New("connection failed")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
