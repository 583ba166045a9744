package reminder

import (
	"context"

	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/wechat"
)

// deliverWeChat sends a reminder as a WeChat subscribe message. A learner the channel cannot
// reach (not bound, no allowance left) is skipped, not retried. WeChat's 43101 (the user refused,
// or has no quota) marks the allowance used up and skips the delivery. Other failures return to
// the dispatcher, which retries with backoff. The allowance is spent in the transaction that
// marks the delivery sent, so a message counts once.
//
// WeChat has no idempotency key: a dispatcher that dies between WeChat's answer and the mark
// leaves the claim to lapse and the message is sent again (at least once). Claims keep two live
// dispatchers from sending the same delivery.
func (s *Service) deliverWeChat(ctx context.Context, d Delivery, r *Reminder) error {
	if s.WeChat == nil {
		return s.skip(ctx, d, "wechat channel is off")
	}
	to, reason, err := s.WeChat.ReminderRecipient(ctx, r.AccountID)
	if err != nil {
		return err
	}
	if to == nil {
		return s.skip(ctx, d, reason)
	}
	if err := s.WeChat.SendReminder(ctx, *to, "学法提醒", r.Message, r.CreatedAt); err != nil {
		if !wechat.IsCode(err, wechat.CodeSubscribeRefuse) {
			return err
		}
		return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
			if err := s.WeChat.Exhaust(ctx, *to); err != nil {
				return err
			}
			return s.skip(ctx, d, "43101: the learner refused subscribe messages or has none left")
		})
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.WeChat.Spend(ctx, *to); err != nil {
			return err
		}
		return s.markSent(ctx, d)
	})
}

// skip ends a delivery the channel cannot make; it is not retried.
func (s *Service) skip(ctx context.Context, d Delivery, reason string) error {
	return s.Store.UpdateDelivery(ctx, d.ID, map[string]any{"status": StatusSkipped, "attempts": d.Attempts + 1,
		"last_error": reason, "claimed_until": nil})
}
