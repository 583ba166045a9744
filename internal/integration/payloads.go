package integration

import (
	"fmt"
	"reflect"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/exam"
	"github.com/xuefa/xuefa/internal/quiz"
	"github.com/xuefa/xuefa/internal/reminder"
	"github.com/xuefa/xuefa/internal/yearend"
)

// The body each event type's deliveries POST, as Go types: the published contract's schemas
// (x-webhooks in api/openapi.yaml) are generated from them, and Emit accepts for an event type
// only the Go type of its payload's Data, so what is sent cannot drift from what is published.
// Every payload has the JSON fields of Payload (what the dispatcher marshals), with the event's
// type as the only value of "type" and the domain's event struct as "data".

// CreditAwardedPayload is the body of a credit.awarded delivery.
type CreditAwardedPayload struct {
	ID        string              `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string              `json:"type" enums:"credit.awarded" example:"credit.awarded"`
	CreatedAt time.Time           `json:"created_at" format:"date-time"`
	Data      credit.AwardedEvent `json:"data"`
} // @name CreditAwardedPayload

// ExamAttemptGradedPayload is the body of an exam.attempt_graded delivery.
type ExamAttemptGradedPayload struct {
	ID        string           `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string           `json:"type" enums:"exam.attempt_graded" example:"exam.attempt_graded"`
	CreatedAt time.Time        `json:"created_at" format:"date-time"`
	Data      exam.GradedEvent `json:"data"`
} // @name ExamAttemptGradedPayload

// EventAttendanceRecordedPayload is the body of an event.attendance_recorded delivery.
type EventAttendanceRecordedPayload struct {
	ID        string                `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string                `json:"type" enums:"event.attendance_recorded" example:"event.attendance_recorded"`
	CreatedAt time.Time             `json:"created_at" format:"date-time"`
	Data      event.AttendanceEvent `json:"data"`
} // @name EventAttendanceRecordedPayload

// LearnerLaggingPayload is the body of a learner.lagging delivery.
type LearnerLaggingPayload struct {
	ID        string                `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string                `json:"type" enums:"learner.lagging" example:"learner.lagging"`
	CreatedAt time.Time             `json:"created_at" format:"date-time"`
	Data      reminder.LaggingEvent `json:"data"`
} // @name LearnerLaggingPayload

// QuizRoundDrawnPayload is the body of a quiz.round_drawn delivery.
type QuizRoundDrawnPayload struct {
	ID        string          `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string          `json:"type" enums:"quiz.round_drawn" example:"quiz.round_drawn"`
	CreatedAt time.Time       `json:"created_at" format:"date-time"`
	Data      quiz.DrawnEvent `json:"data"`
} // @name QuizRoundDrawnPayload

// CampaignClosedPayload is the body of a campaign.closed delivery.
type CampaignClosedPayload struct {
	ID        string              `json:"id" format:"uuid" example:"0b6f1f0e-8c1e-4c39-9d55-0f6a2f0b8f11"`
	Type      string              `json:"type" enums:"campaign.closed" example:"campaign.closed"`
	CreatedAt time.Time           `json:"created_at" format:"date-time"`
	Data      yearend.ClosedEvent `json:"data"`
} // @name CampaignClosedPayload

// payloadTypes is the payload type of every event type (AllEvents, which a test keeps equal).
// Read only: Emit checks every event's data against it.
var payloadTypes = map[string]reflect.Type{
	EventCreditAwarded:      reflect.TypeFor[CreditAwardedPayload](),
	EventExamAttemptGraded:  reflect.TypeFor[ExamAttemptGradedPayload](),
	EventAttendanceRecorded: reflect.TypeFor[EventAttendanceRecordedPayload](),
	EventLearnerLagging:     reflect.TypeFor[LearnerLaggingPayload](),
	EventQuizRoundDrawn:     reflect.TypeFor[QuizRoundDrawnPayload](),
	EventCampaignClosed:     reflect.TypeFor[CampaignClosedPayload](),
}

// checkData refuses an unknown event type, and data of another Go type than its payload's data.
func checkData(eventType string, data any) error {
	p, ok := payloadTypes[eventType]
	if !ok {
		return fmt.Errorf("integration: unknown event type %q", eventType)
	}
	f, _ := p.FieldByName("Data")
	if got := reflect.TypeOf(data); got != f.Type {
		return fmt.Errorf("integration: %s carries %v as data, not %v", eventType, got, f.Type)
	}
	return nil
}

// The deliveries in the contract. Swag reads operations only from function comments, so each
// event type's delivery is annotated on a function that is never called, under the pseudo path
// /x-webhooks/<event type>. tools/openapi3 moves each to the document's x-webhooks (keyed by the
// event type), adds the delivery headers and the answers, and removes the pseudo path; it fails
// when an event type of AllEvents has no such operation or its body has another type.
var _ = []func(){deliverCreditAwarded, deliverExamAttemptGraded, deliverAttendanceRecorded, deliverLearnerLagging, deliverQuizRoundDrawn,
	deliverCampaignClosed}

// deliverCreditAwarded godoc
//
//	@Summary		credit.awarded: a learner's credits changed
//	@Description	Sent for every ledger entry that changes a learner's credits in a campaign (study, practice, exam, event, quiz or an admin's adjustment), to the webhooks of the learner's unit and the units above it. `total` is the learner's campaign total after the entry.
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	CreditAwardedPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onCreditAwarded
//	@Router			/x-webhooks/credit.awarded [post]
func deliverCreditAwarded() {}

// deliverExamAttemptGraded godoc
//
//	@Summary		exam.attempt_graded: an exam attempt was graded
//	@Description	Sent once per attempt when it is graded (submitted by the learner, or finalised at its deadline), to the webhooks of the learner's unit and the units above it.
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	ExamAttemptGradedPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onExamAttemptGraded
//	@Router			/x-webhooks/exam.attempt_graded [post]
func deliverExamAttemptGraded() {}

// deliverAttendanceRecorded godoc
//
//	@Summary		event.attendance_recorded: a learner's attendance at a law event was recorded
//	@Description	Sent when a learner checks in to a law event (source qr) or an organiser records the attendance by hand (source manual), to the webhooks of the learner's unit and the units above it.
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	EventAttendanceRecordedPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onEventAttendanceRecorded
//	@Router			/x-webhooks/event.attendance_recorded [post]
func deliverAttendanceRecorded() {}

// deliverLearnerLagging godoc
//
//	@Summary		learner.lagging: a learner behind the campaign calendar was reminded
//	@Description	Sent for every learner a credits_lagging reminder rule reminds, to the webhooks of the learner's unit and the units above it. `lag` is how many credits the learner is behind what the calendar expects by today.
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	LearnerLaggingPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onLearnerLagging
//	@Router			/x-webhooks/learner.lagging [post]
func deliverLearnerLagging() {}

// deliverQuizRoundDrawn godoc
//
//	@Summary		quiz.round_drawn: a quiz round's winners were drawn
//	@Description	Sent when a quiz round's prize draw is made, to the webhooks of the activity's unit and the units above it, with what anyone needs to recompute the draw (GET /api/v1/quiz/rounds/{id}/draw).
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	QuizRoundDrawnPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onQuizRoundDrawn
//	@Router			/x-webhooks/quiz.round_drawn [post]
func deliverQuizRoundDrawn() {}

// deliverCampaignClosed godoc
//
//	@Summary		campaign.closed: a campaign's year results were frozen
//	@Description	Sent once per close-out when it finishes (POST /api/v1/campaigns/{id}/close), to the webhooks of the organiser unit and the units above it: every learner's year result is then frozen in the close's snapshot (read them with GET /api/v1/campaigns/{id}/results, scope results:read). `learners` is how many results the close froze, `met` how many met the target. A campaign reopened and closed again sends it again with the next close_no.
//	@Tags			integration
//	@Accept			json
//	@Param			body	body	CampaignClosedPayload	true	"the payload (verify X-Xuefa-Signature over its raw bytes before parsing it)"
//	@ID				onCampaignClosed
//	@Router			/x-webhooks/campaign.closed [post]
func deliverCampaignClosed() {}
