package event

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

var (
	errNotOpen          = apperr.Conflict("event.registration_closed", "活动未开放报名")
	errAlreadyIn        = apperr.Conflict("event.already_registered", "已报名该活动")
	errNotRegistered    = apperr.NotFound("event.not_registered", "未报名该活动")
	errRegistrationRace = apperr.Conflict("event.registration_conflict", "报名请求重复，请刷新后查看")
)

// Register gives the learner a place, or a waitlist position when the event is full. Places
// are taken with one atomic counter update, so concurrent registrations never overfill it; the
// event is locked first so that the learner's own concurrent register or cancel is seen.
func (s *Service) Register(ctx context.Context, actor auth.Actor, eventID int64) (*Registration, error) {
	r, l, err := s.learnerEvent(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPublished || !s.now().Before(r.EndsAt) {
		return nil, errNotOpen
	}
	var out *Registration
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.lockEvent(ctx, eventID); err != nil {
			return err
		}
		cur, err := s.Store.Registration(ctx, eventID, l.LearnerID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if cur != nil && cur.Status != Cancelled {
			return errAlreadyIn
		}
		got, err := s.Store.TakePlace(ctx, eventID)
		if err != nil {
			return err
		}
		now := s.now()
		reg := &Registration{EventID: eventID, LearnerID: l.LearnerID, Status: Waitlisted, CreatedAt: now, UpdatedAt: now}
		if cur != nil {
			reg.ID = cur.ID // a cancelled registration comes back, at the end of any queue
		}
		if got {
			reg.Status = Registered
		}
		if err := s.Store.SaveRegistration(ctx, reg); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errRegistrationRace
			}
			return err
		}
		out = reg
		return nil
	})
	return out, err
}

// CancelRegistration gives the learner's place up and promotes the longest-waiting learner.
// Under the event's lock: a doubled cancel would otherwise free the place twice.
func (s *Service) CancelRegistration(ctx context.Context, actor auth.Actor, eventID int64) error {
	_, l, err := s.learnerEvent(ctx, actor, eventID)
	if err != nil {
		return err
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if _, err := s.lockEvent(ctx, eventID); err != nil {
			return err
		}
		reg, err := s.Store.Registration(ctx, eventID, l.LearnerID)
		if errors.Is(err, ErrNotFound) || (err == nil && reg.Status == Cancelled) {
			return errNotRegistered
		}
		if err != nil {
			return err
		}
		wasRegistered := reg.Status == Registered
		reg.Status, reg.UpdatedAt = Cancelled, s.now()
		if err := s.Store.SaveRegistration(ctx, reg); err != nil {
			return err
		}
		if !wasRegistered {
			return nil
		}
		return s.promote(ctx, eventID, reg.UpdatedAt)
	})
}

// promote hands a freed place to the first waitlisted learner, or returns it to the pool.
func (s *Service) promote(ctx context.Context, eventID int64, now time.Time) error {
	next, err := s.Store.FirstWaitlisted(ctx, eventID)
	if err != nil {
		return err
	}
	if next == nil {
		return s.Store.ReleasePlace(ctx, eventID)
	}
	next.Status, next.UpdatedAt = Registered, now
	return s.Store.SaveRegistration(ctx, next)
}

// Registrations lists an event's registrations for its organisers.
func (s *Service) Registrations(ctx context.Context, actor auth.Actor, eventID int64, status RegistrationStatus, offset, limit int) ([]RegistrationRow, int64, error) {
	if _, err := s.organisedEvent(ctx, actor, eventID); err != nil {
		return nil, 0, err
	}
	return s.Store.Registrations(ctx, eventID, status, offset, limit)
}

// MyEvent is an event with the learner's registration and attendance.
type MyEvent struct {
	Row
	Registration RegistrationStatus
	Attendance   *Attendance
}

// MyEvents lists the learner's events: upcoming (published, not ended, in their audience),
// registered (registered or waitlisted) or attended.
func (s *Service) MyEvents(ctx context.Context, actor auth.Actor, which string, offset, limit int) ([]MyEvent, int64, error) {
	l, err := s.Learners.ByAccount(ctx, actor.AccountID)
	if err != nil {
		return nil, 0, errNotALearner
	}
	now := s.now()
	f := Filter{AncestorsOf: l.UnitPath, Statuses: []Status{StatusPublished, StatusFinished, StatusCancelled}}
	if which == "upcoming" || which == "" {
		f.Statuses, f.From = []Status{StatusPublished}, &now
	}
	rows, _, err := s.Store.List(ctx, f, 0, 1000)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	regs, att, err := s.Store.LearnerStates(ctx, l.LearnerID, ids)
	if err != nil {
		return nil, 0, err
	}
	var out []MyEvent
	for _, r := range rows {
		a, attended := att[r.ID]
		reg := regs[r.ID]
		keep := s.inAudience(ctx, l, &r)
		switch which {
		case "registered":
			keep = keep && (reg == Registered || reg == Waitlisted)
		case "attended":
			keep = attended
		}
		if !keep {
			continue
		}
		me := MyEvent{Row: r, Registration: reg}
		if attended {
			me.Attendance = &a
		}
		out = append(out, me)
	}
	total := int64(len(out))
	if offset >= len(out) {
		return []MyEvent{}, total, nil
	}
	return out[offset:min(offset+limit, len(out))], total, nil
}
