package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Dispatch settings: a claimed delivery is another dispatcher's again after claimTTL (a crashed
// process loses nothing); failures retry after 1, 2, 4, 8 minutes, then the delivery is dead.
const (
	claimTTL    = 2 * time.Minute
	MaxAttempts = 5
	batchSize   = 100
)

// DispatchOnce sends every due delivery it can claim and returns how many it handled.
func (s *Service) DispatchOnce(ctx context.Context) (int, error) {
	now := s.now()
	claimed, err := s.Store.Claim(ctx, now, now.Add(claimTTL), batchSize)
	if err != nil {
		return 0, err
	}
	for _, d := range claimed {
		if err := s.deliver(ctx, d); err != nil {
			s.Log.WarnContext(ctx, "reminder delivery failed", "delivery_id", d.ID, "channel", d.Channel, "attempt", d.Attempts+1, "error", err.Error())
			if err := s.fail(ctx, d, err); err != nil {
				return 0, err
			}
		}
	}
	return len(claimed), nil
}

func (s *Service) deliver(ctx context.Context, d Delivery) error {
	r, err := s.Store.Reminder(ctx, d.ReminderID)
	if err != nil {
		return err
	}
	switch d.Channel {
	case ChannelInbox:
		// The message and the "sent" mark commit together: the inbox can never get it twice.
		return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
			id := d.ID
			if err := s.Store.CreateMessage(ctx, &Message{AccountID: r.AccountID, DeliveryID: &id, Title: "学法提醒", Body: r.Message, CreatedAt: s.now()}); err != nil {
				return err
			}
			return s.markSent(ctx, d)
		})
	case ChannelSMS:
		phone, err := s.Phones.Phone(ctx, r.AccountID)
		if err != nil {
			return err
		}
		if phone == "" {
			return fmt.Errorf("no phone on record")
		}
		// The delivery id is the idempotency key: a resend after a crash is a no-op at the provider.
		if err := s.SMS.Send(ctx, phone, r.Message, fmt.Sprintf("xuefa-reminder-%d", d.ID)); err != nil {
			return err
		}
		return s.markSent(ctx, d)
	case ChannelWeChat:
		return s.deliverWeChat(ctx, d, r)
	default:
		return fmt.Errorf("unknown channel %q", d.Channel)
	}
}

func (s *Service) markSent(ctx context.Context, d Delivery) error {
	now := s.now()
	return s.Store.UpdateDelivery(ctx, d.ID, map[string]any{"status": StatusSent, "sent_at": now, "attempts": d.Attempts + 1, "claimed_until": nil})
}

// fail schedules a retry with exponential backoff, or gives up after MaxAttempts.
func (s *Service) fail(ctx context.Context, d Delivery, cause error) error {
	attempts := d.Attempts + 1
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	cols := map[string]any{"attempts": attempts, "last_error": msg, "claimed_until": nil}
	if attempts >= MaxAttempts {
		cols["status"] = StatusDead
	} else {
		cols["next_attempt_at"] = s.now().Add(time.Duration(1<<(attempts-1)) * time.Minute)
	}
	return s.Store.UpdateDelivery(ctx, d.ID, cols)
}

// LogSMS is the default SMS channel: it logs (with the phone masked) instead of sending, until
// an operator configures a real provider.
type LogSMS struct {
	Log *slog.Logger
}

// Send implements SMS.
func (l LogSMS) Send(ctx context.Context, phone, text, key string) error {
	l.Log.InfoContext(ctx, "sms (not sent: no provider configured)", "phone", crypto.MaskPhone(phone), "chars", len([]rune(text)), "key", key)
	return nil
}
