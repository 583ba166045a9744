package wechat

import (
	"context"
	"errors"
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// Results of wx.requestSubscribeMessage per template.
const (
	ResultAccept = "accept"
	ResultReject = "reject"
	ResultBan    = "ban"
	ResultFilter = "filter"
)

// SubscriptionResult is the mini-program's answer for one template.
type SubscriptionResult struct {
	TemplateID string
	Result     string
}

// RecordSubscriptions stores what the learner answered in wx.requestSubscribeMessage: each
// accept allows one more message of that template; anything else stops it.
func (s *Service) RecordSubscriptions(ctx context.Context, actor auth.Actor, results []SubscriptionResult) ([]Subscription, error) {
	var out []Subscription
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.Store.ByLearner(ctx, actor.AccountID); errors.Is(err, ErrNotFound) {
			return errNotBound
		} else if err != nil {
			return err
		}
		now := s.now()
		for _, r := range results {
			var err error
			if r.Result == ResultAccept {
				err = s.Store.Accept(ctx, actor.AccountID, r.TemplateID, now)
			} else {
				err = s.Store.Decline(ctx, actor.AccountID, r.TemplateID, now)
			}
			if err != nil {
				return err
			}
		}
		var err error
		out, err = s.Store.Subscriptions(ctx, actor.AccountID)
		return err
	})
	return out, err
}

// Subscriptions lists the caller's subscribe-message allowances.
func (s *Service) Subscriptions(ctx context.Context, actor auth.Actor) ([]Subscription, error) {
	return s.Store.Subscriptions(ctx, actor.AccountID)
}

// Recipient is a learner a reminder can reach by subscribe message.
type Recipient struct {
	AccountID  int64
	OpenID     string
	TemplateID string
}

// ReminderRecipient finds how to reach an account by subscribe message; nil with the reason
// when it cannot be reached (WeChat off, no template configured, not bound, nothing allowed).
func (s *Service) ReminderRecipient(ctx context.Context, accountID int64) (*Recipient, string, error) {
	if s.API == nil {
		return nil, "wechat is off", nil
	}
	if s.Settings.ReminderTemplateID == "" {
		return nil, "no reminder template configured (wechat.reminder_template_id)", nil
	}
	id, err := s.Store.ByLearner(ctx, accountID)
	if errors.Is(err, ErrNotFound) {
		return nil, "learner not bound to WeChat", nil
	}
	if err != nil {
		return nil, "", err
	}
	sub, err := s.Store.Subscription(ctx, accountID, s.Settings.ReminderTemplateID)
	if errors.Is(err, ErrNotFound) || (err == nil && sub.Remaining <= 0) {
		return nil, "no subscribe-message allowance left", nil
	}
	if err != nil {
		return nil, "", err
	}
	return &Recipient{AccountID: accountID, OpenID: id.OpenID, TemplateID: sub.TemplateID}, "", nil
}

// SendReminder sends a reminder as a subscribe message. The template's fields are thing1 (the
// title), thing2 (the text; WeChat allows 20 characters, so it is cut) and time3 (when the
// reminder was made, Beijing time).
func (s *Service) SendReminder(ctx context.Context, r Recipient, title, text string, at time.Time) error {
	return s.API.SendSubscribe(ctx, SubscribeMessage{
		ToUser: r.OpenID, TemplateID: r.TemplateID, Page: s.Settings.ReminderPage, State: s.Settings.MiniProgramState, Lang: "zh_CN",
		Data: map[string]map[string]string{
			"thing1": {"value": cut(title, 20)},
			"thing2": {"value": cut(text, 20)},
			"time3":  {"value": at.In(clock.Shanghai()).Format("2006-01-02 15:04")},
		},
	})
}

// Spend takes one allowance after a send (in the caller's transaction, with the delivery mark).
func (s *Service) Spend(ctx context.Context, r Recipient) error {
	_, err := s.Store.Spend(ctx, r.AccountID, r.TemplateID, s.now())
	return err
}

// Exhaust records that WeChat refused (43101): nothing more is sent until the learner accepts
// again in the mini-program.
func (s *Service) Exhaust(ctx context.Context, r Recipient) error {
	return s.Store.Decline(ctx, r.AccountID, r.TemplateID, s.now())
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
