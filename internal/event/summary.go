package event

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// SummaryInput is what happened at an event.
type SummaryInput struct {
	Summary       string
	AudienceCount int
	Photos        []string
}

// SaveSummary records what happened and marks the event finished (organisers; audited). The
// event is checked under its lock, so that a cancel racing the summary is not overwritten.
func (s *Service) SaveSummary(ctx context.Context, actor auth.Actor, eventID int64, in SummaryInput) (*Summary, error) {
	if _, err := s.organisedEvent(ctx, actor, eventID); err != nil {
		return nil, err
	}
	photos, _ := json.Marshal(orEmpty(in.Photos))
	sum := &Summary{EventID: eventID, Summary: strings.TrimSpace(in.Summary), AudienceCount: in.AudienceCount,
		Photos: string(photos), UpdatedBy: actor.AccountID, UpdatedAt: s.now()}
	err := database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		e, err := s.lockEvent(ctx, eventID)
		if err != nil {
			return err
		}
		if e.Status == StatusDraft || e.Status == StatusCancelled {
			return errClosedEvent
		}
		if !s.now().After(e.StartsAt) {
			return apperr.Conflict("event.not_started", "活动尚未开始")
		}
		if err := s.Store.SaveSummary(ctx, sum); err != nil {
			return err
		}
		if err := s.Store.Update(ctx, eventID, map[string]any{"status": StatusFinished}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{Actor: &actor, Action: "event.summary", ResourceType: "event", ResourceID: eventID, Outcome: audit.Success})
	})
	return sum, err
}

// Summary returns an event's summary (nil when none) for whoever may see the event.
func (s *Service) Summary(ctx context.Context, eventID int64) (*Summary, error) {
	return s.Store.Summary(ctx, eventID)
}

// Organisers returns an event's organiser account ids.
func (s *Service) Organisers(ctx context.Context, eventID int64) ([]int64, error) {
	return s.Store.Organisers(ctx, eventID)
}

// AttendanceReport is an event's attendance with counts.
type AttendanceReport struct {
	Event      *Row
	Rows       []AttendanceRow
	Registered int
	Attended   int
	Credited   int
}

// Attendance lists who was there (organisers).
func (s *Service) Attendance(ctx context.Context, actor auth.Actor, eventID int64) (*AttendanceReport, error) {
	r, err := s.organisedEvent(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.Attendances(ctx, eventID)
	if err != nil {
		return nil, err
	}
	rep := &AttendanceReport{Event: r, Rows: rows, Registered: r.RegisteredCount, Attended: len(rows)}
	for _, a := range rows {
		if a.CreditedAt != nil {
			rep.Credited++
		}
	}
	return rep, nil
}
