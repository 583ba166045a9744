package study

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// State is where a learner stands in a session.
type State struct {
	Session   Session
	Course    Course
	Progress  Progress
	Credited  time.Duration // this beat
	Awarded   credit.Amount // this beat
	Capped    bool          // the daily study cap held some credit back
	Completed bool          // the course was completed by this beat
}

// Start opens a session on a course (closing any other open session of the learner) at the
// position where the learner left off.
func (s *Service) Start(ctx context.Context, actor auth.Actor, courseID int64) (*State, error) {
	c, _, err := s.learnerCourse(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	learner, err := s.Learners.Facts(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &State{Course: *c}
	// READ COMMITTED: closing the open session of a learner who has none locks no gap of the
	// active-session index, where every learner's new session goes; at REPEATABLE READ learners
	// starting at once deadlocked there past WithTx's retries (the cluster journey drill). Two
	// starts of one learner still meet on that unique index: one wins, the other gets
	// errBeatConflict.
	err = database.WithTxReadCommitted(ctx, s.DB, func(ctx context.Context) error {
		if err := s.Store.EndOpenSessions(ctx, learner.LearnerID, now); err != nil {
			return err
		}
		p, err := s.Store.LockProgress(ctx, learner.LearnerID, c.ID, now)
		if err != nil {
			return err
		}
		st.Progress = *p
		st.Session = Session{LearnerID: learner.LearnerID, CourseID: c.ID, ActiveLearnerID: &learner.LearnerID,
			StartedAt: now, LastBeatAt: now, PositionSeconds: p.PositionSeconds}
		if err := s.Store.CreateSession(ctx, &st.Session); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errBeatConflict
			}
			return err
		}
		return nil
	})
	return st, err
}

// Heartbeat credits the time the server saw pass since the previous beat (at most MaxBeat; none
// after a pause longer than IdleGap; never beyond the course's duration) and moves the position.
// A position further ahead than the time that passed is refused; a second beat racing for the
// same interval is refused; credits go through the ledger (per verified minute, and the course's
// completion credit) with the campaign's daily cap.
func (s *Service) Heartbeat(ctx context.Context, actor auth.Actor, sessionID int64, position int) (*State, error) {
	return s.beat(ctx, actor, sessionID, position, false)
}

// Finish credits a last beat and closes the session.
func (s *Service) Finish(ctx context.Context, actor auth.Actor, sessionID int64, position int) (*State, error) {
	return s.beat(ctx, actor, sessionID, position, true)
}

func (s *Service) beat(ctx context.Context, actor auth.Actor, sessionID int64, position int, end bool) (*State, error) {
	learner, err := s.Learners.Facts(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	sess, err := s.Store.Session(ctx, sessionID)
	if errors.Is(err, ErrNotFound) || (err == nil && sess.LearnerID != learner.LearnerID) {
		return nil, errSessionNotFound
	}
	if err != nil {
		return nil, err
	}
	if sess.EndedAt != nil {
		return nil, errSessionEnded
	}
	c, campaign, err := s.learnerCourse(ctx, actor, sess.CourseID)
	if err != nil {
		return nil, err
	}
	if !campaign.Active {
		return nil, errCampaignClosed
	}
	now := s.now()
	elapsed := now.Sub(sess.LastBeatAt)
	if position > sess.PositionSeconds+int(elapsed.Seconds())+positionSlack {
		return nil, errPositionAhead
	}
	position = min(max(position, 0), c.DurationSeconds)
	st := &State{Course: *c}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		return s.applyBeat(ctx, st, sess, campaign, learner.LearnerID, position, elapsed, end, now)
	})
	return st, err
}

// creditable is how much of the elapsed time one beat may credit.
func creditable(elapsed time.Duration) time.Duration {
	if elapsed <= 0 || elapsed > IdleGap {
		return 0
	}
	return min(elapsed, MaxBeat)
}

func (s *Service) applyBeat(ctx context.Context, st *State, sess *Session, campaign *credit.CampaignFacts, learnerID int64,
	position int, elapsed time.Duration, end bool, now time.Time) error {
	p, err := s.Store.LockProgress(ctx, learnerID, sess.CourseID, now)
	if err != nil {
		return err
	}
	seconds := min(int(creditable(elapsed).Seconds()), max(st.Course.DurationSeconds-p.VerifiedSeconds, 0))
	cols := map[string]any{"last_beat_at": now, "position_seconds": position, "verified_seconds": sess.VerifiedSeconds + seconds}
	if end {
		cols["ended_at"], cols["active_learner_id"] = now, nil
	}
	ok, err := s.Store.Beat(ctx, sess.ID, sess.Beats, cols)
	if err != nil {
		return err
	}
	if !ok {
		return errBeatConflict
	}
	verified := p.VerifiedSeconds + seconds
	progress := map[string]any{"position_seconds": position, "verified_seconds": verified, "updated_at": now}
	st.Completed = p.CompletedAt == nil && verified >= st.Course.DurationSeconds
	if st.Completed {
		progress["completed_at"] = now
	}
	if err := s.Store.UpdateProgress(ctx, learnerID, sess.CourseID, progress); err != nil {
		return err
	}
	if err := s.awardStudy(ctx, st, campaign, learnerID, p.VerifiedSeconds, verified); err != nil {
		return err
	}
	st.Credited = time.Duration(seconds) * time.Second
	updated, err := s.Store.Session(ctx, sess.ID)
	if err != nil {
		return err
	}
	st.Session = *updated
	st.Progress = Progress{LearnerID: learnerID, CourseID: sess.CourseID, PositionSeconds: position, VerifiedSeconds: verified, CompletedAt: p.CompletedAt}
	if st.Completed {
		st.Progress.CompletedAt = &now
	}
	return nil
}

// awardStudy credits every verified minute crossed by this beat and the completion credit.
func (s *Service) awardStudy(ctx context.Context, st *State, campaign *credit.CampaignFacts, learnerID int64, before, after int) error {
	award := func(sourceID string, amount credit.Amount, reason string) error {
		if amount <= 0 {
			return nil
		}
		res, err := s.Credits.Award(ctx, credit.Award{LearnerID: learnerID, CampaignID: campaign.ID, Source: credit.SourceStudy,
			SourceID: sourceID, Amount: amount, Reason: reason})
		st.Awarded += res.Credited
		st.Capped = st.Capped || res.Capped
		return err
	}
	for minute := before/60 + 1; minute <= after/60; minute++ {
		if err := award(minuteSourceID(st.Course.ID, minute), campaign.Rules.StudyPerMinute,
			fmt.Sprintf("《%s》有效学习第 %d 分钟", st.Course.Title, minute)); err != nil {
			return err
		}
	}
	if st.Completed {
		return award(fmt.Sprintf("course:%d:complete", st.Course.ID), st.Course.Credit, fmt.Sprintf("完成课程《%s》", st.Course.Title))
	}
	return nil
}
