package reminder

import (
	"context"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
)

// EventLearnerLagging is emitted for every learner a credits_lagging rule reminds, in the
// rule run's transaction.
const EventLearnerLagging = "learner.lagging"

// Events receives domain events inside the transaction that caused them (the webhook outbox),
// a batch at a time; unitPaths[i] is the subtree data[i] belongs to. A nil Events emits nothing.
type Events interface {
	EmitMany(ctx context.Context, eventType string, unitPaths []string, data []any) error
}

// LaggingEvent is the data of learner.lagging (its schema is in the published contract: keep
// the swag tags).
type LaggingEvent struct {
	LearnerID  int64         `json:"learner_id"`
	UnitID     int64         `json:"unit_id"`
	CampaignID int64         `json:"campaign_id"`
	RuleID     int64         `json:"rule_id"`
	ReminderID int64         `json:"reminder_id"`
	Credits    credit.Amount `json:"credits" swaggertype:"number" multipleOf:"0.01" example:"6.5"`
	Lag        credit.Amount `json:"lag" swaggertype:"number" multipleOf:"0.01" example:"4"`
	RemindedAt time.Time     `json:"reminded_at" format:"date-time"`
} // @name LearnerLaggingEvent

// emitLagging puts one learner.lagging event per reminder of a lagging rule in the outbox;
// reminded[i] is the target of reminders[i].
func (s *Service) emitLagging(ctx context.Context, r RuleRow, reminded []target, reminders []*Reminder) error {
	if s.Events == nil || r.Kind != KindCreditsLagging || len(reminders) == 0 {
		return nil
	}
	unitIDs := make([]int64, len(reminded))
	for i, t := range reminded {
		unitIDs[i] = t.unitID
	}
	paths, err := s.Store.UnitPaths(ctx, unitIDs)
	if err != nil {
		return err
	}
	unitPaths := make([]string, len(reminders))
	data := make([]any, len(reminders))
	for i, rem := range reminders {
		t := reminded[i]
		unitPaths[i] = paths[t.unitID]
		data[i] = LaggingEvent{LearnerID: t.learnerID, UnitID: t.unitID, CampaignID: r.CampaignID, RuleID: r.ID,
			ReminderID: rem.ID, Credits: t.credits, Lag: t.lag, RemindedAt: rem.CreatedAt}
	}
	return s.Events.EmitMany(ctx, EventLearnerLagging, unitPaths, data)
}
