package reminder

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// ManualRequest is an admin's 督促: learner_ids, or unit_id with a lag status.
type ManualRequest struct {
	CampaignID int64       `json:"campaign_id" binding:"required,min=1" example:"1"`
	LearnerIDs []int64     `json:"learner_ids" binding:"max=1000,dive,min=1" example:"3" validate:"optional"`
	UnitID     int64       `json:"unit_id" binding:"omitempty,min=1" example:"2" validate:"optional"`
	Status     credit.Pace `json:"status" binding:"omitempty,oneof=lagging far_behind" example:"lagging" validate:"optional"`
	Message    string      `json:"message" binding:"max=300" example:"请抓紧完成本月学法任务" validate:"optional"`
	Channels   []string    `json:"channels" binding:"max=3,dive,oneof=inbox sms wechat" example:"inbox" validate:"optional"`
} // @name ReminderRequest

// ManualView says how many will be reminded and how many were throttled.
type ManualView struct {
	Reminded int `json:"reminded" example:"18"`
	Skipped  int `json:"skipped" example:"2"`
} // @name ReminderResult

// DeliveryView is a reminder's trip through one channel.
type DeliveryView struct {
	Channel   string     `json:"channel" example:"inbox" enums:"inbox,sms,wechat"`
	Status    string     `json:"status" example:"sent" enums:"pending,sent,dead,skipped"`
	Attempts  int        `json:"attempts" example:"1"`
	LastError string     `json:"last_error" example:""`
	SentAt    *time.Time `json:"sent_at" format:"date-time" extensions:"x-nullable"`
} // @name ReminderDelivery

// View is a reminder with its deliveries.
type View struct {
	ID          int64          `json:"id" example:"7"`
	LearnerID   int64          `json:"learner_id" example:"3"`
	LearnerName string         `json:"learner_name" example:"张伟"`
	UnitName    string         `json:"unit_name" example:"华阳镇"`
	Message     string         `json:"message" example:"请抓紧完成本月学法任务"`
	CreditsAt   credit.Amount  `json:"credits_at" swaggertype:"number" multipleOf:"0.01" example:"2"`
	LagAt       credit.Amount  `json:"lag_at" swaggertype:"number" multipleOf:"0.01" example:"7.5"`
	Manual      bool           `json:"manual" example:"true"`
	CreatedAt   time.Time      `json:"created_at" format:"date-time"`
	Deliveries  []DeliveryView `json:"deliveries"`
} // @name Reminder

// List is a page of reminders.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name ReminderList

// MessageView is an inbox item.
type MessageView struct {
	ID        int64      `json:"id" example:"11"`
	Title     string     `json:"title" example:"学法提醒"`
	Body      string     `json:"body" example:"请抓紧完成本月学法任务"`
	ReadAt    *time.Time `json:"read_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt time.Time  `json:"created_at" format:"date-time"`
} // @name Message

// MessageList is a page of the inbox with the unread count.
type MessageList struct {
	Items  []MessageView `json:"items"`
	Unread int64         `json:"unread" example:"1"`
	httpx.ListMeta
} // @name MessageList

// EffectView says whether reminders worked.
type EffectView struct {
	Reminded         int64   `json:"reminded" example:"40"`
	CaughtUp         int64   `json:"caught_up" example:"25"`
	CaughtUpRate     float64 `json:"caught_up_rate" example:"62.5"`
	Waiting          int64   `json:"waiting" example:"5"`
	LaggingUnreached int64   `json:"lagging_not_reminded" example:"12"`
} // @name ReminderEffect

type listQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
}

type effectQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
	UnitID     int64 `form:"unit_id" binding:"omitempty,min=1"`
}

func (r ManualRequest) toInput() ManualInput {
	return ManualInput{CampaignID: r.CampaignID, LearnerIDs: r.LearnerIDs, UnitID: r.UnitID, Status: r.Status, Message: r.Message, Channels: r.Channels}
}

func toManualView(r ManualResult) ManualView {
	return ManualView{Reminded: r.Reminded, Skipped: r.Skipped}
}

// toViews converts reminders with their deliveries (by reminder id).
func toViews(rows []Row, deliveries map[int64][]Delivery) []View {
	items := make([]View, 0, len(rows))
	for _, r := range rows {
		items = append(items, toView(r, deliveries[r.ID]))
	}
	return items
}

func toView(r Row, deliveries []Delivery) View {
	v := View{ID: r.ID, LearnerID: r.LearnerID, LearnerName: r.LearnerName, UnitName: r.UnitName, Message: r.Message,
		CreditsAt: credit.Amount(r.CreditsAt), LagAt: credit.Amount(r.LagAt), Manual: r.RuleID == nil, CreatedAt: r.CreatedAt,
		Deliveries: []DeliveryView{}}
	for _, d := range deliveries {
		v.Deliveries = append(v.Deliveries, DeliveryView{Channel: d.Channel, Status: d.Status, Attempts: d.Attempts, LastError: d.LastError, SentAt: d.SentAt})
	}
	return v
}

func toMessageView(m Message) MessageView {
	return MessageView{ID: m.ID, Title: m.Title, Body: m.Body, ReadAt: m.ReadAt, CreatedAt: m.CreatedAt}
}

func toEffectView(e Effect) EffectView {
	v := EffectView{Reminded: e.Reminded, CaughtUp: e.CaughtUp, Waiting: e.Waiting, LaggingUnreached: e.LaggingUnreached}
	if e.Reminded > 0 {
		v.CaughtUpRate = float64(e.CaughtUp*1000/e.Reminded) / 10
	}
	return v
}
