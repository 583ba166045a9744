package exam

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// AttemptDetail is an attempt with its exam and paper (keys never included).
type AttemptDetail struct {
	Attempt
	Exam        Row
	Paper       []PaperItem
	SecondsLeft int
}

// learner returns the learner behind the actor.
func (s *Service) learner(ctx context.Context, actor auth.Actor) (*LearnerFacts, error) {
	l, err := s.Store.LearnerByAccount(ctx, actor.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotALearner
	}
	return l, err
}

// visibleTo reports whether a learner may see an exam at all: published or closed, owned by
// their unit or an ancestor. (The audience decides whether they may sit it.)
func visibleTo(l *LearnerFacts, r *Row) bool {
	return r.Status != StatusDraft && strings.HasPrefix(l.UnitPath, r.UnitPath)
}

// inAudience reports whether a visible exam's audience includes the learner: their track, and
// (when restricted) one of the audience units' subtrees.
func inAudience(l *LearnerFacts, r *Row, unitPaths map[int64]string) bool {
	if !r.forTrack(l.Track) {
		return false
	}
	ids := r.unitIDs()
	if len(ids) == 0 {
		return true
	}
	for _, id := range ids {
		if p, ok := unitPaths[id]; ok && strings.HasPrefix(l.UnitPath, p) {
			return true
		}
	}
	return false
}

// makeupEligible reports whether a learner may sit the make-up of a main exam: they did not
// pass it, have no attempt in progress, and either failed (a finished attempt) or missed it
// (its window closed without an attempt).
func makeupEligible(main *Row, attempts []Attempt, now time.Time) bool {
	finished := false
	for _, a := range attempts {
		if a.ExamID != main.ID {
			continue
		}
		if a.Status == AttemptActive || a.Passed {
			return false
		}
		finished = true
	}
	return finished || main.Status == StatusClosed || !now.Before(main.ClosesAt)
}

// Start begins an attempt: the exam must be open, the learner in its audience, with the
// prerequisite credits, attempts left and no attempt in progress. The paper is drawn from the
// learner's track blueprint; the deadline is min(start + duration, window close).
func (s *Service) Start(ctx context.Context, actor auth.Actor, examID int64) (*AttemptDetail, error) {
	l, err := s.learner(ctx, actor)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.GetExam(ctx, examID)
	if errors.Is(err, ErrNotFound) || (err == nil && !visibleTo(l, r)) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkStart(ctx, l, r); err != nil {
		return nil, err
	}
	sections, err := s.Store.TrackSections(ctx, r.ID, l.Track)
	if err != nil {
		return nil, err
	}
	items, err := s.draw(ctx, r, sections)
	if err != nil {
		return nil, err
	}
	used, err := s.Store.CountAttempts(ctx, r.ID, l.LearnerID)
	if err != nil {
		return nil, err
	}
	if used >= r.MaxAttempts {
		return nil, errNoAttemptsLeft
	}
	now := s.now()
	deadline := now.Add(time.Duration(r.DurationMinutes) * time.Minute)
	if r.ClosesAt.Before(deadline) {
		deadline = r.ClosesAt.UTC()
	}
	one := 1
	var maxScore float64
	for _, it := range items {
		maxScore += it.Points
	}
	a := &Attempt{ExamID: r.ID, LearnerID: l.LearnerID, AccountID: l.AccountID, UnitID: l.UnitID, Track: l.Track,
		Number: used + 1, Status: AttemptActive, ActiveKey: &one, StartedAt: now, Deadline: deadline, MaxScore: maxScore,
		QuestionCount: len(items), SectionScores: "[]", ItemScores: "[]", CreatedAt: now, UpdatedAt: now}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error { return s.Store.CreateAttempt(ctx, a, items) })
	if errors.Is(err, ErrDuplicate) {
		// Another request started an attempt at the same moment: the unique keys let one win.
		return nil, errAttemptActive
	}
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, a, r)
}

// checkStart applies the rules of starting, in the order a learner can act on them.
func (s *Service) checkStart(ctx context.Context, l *LearnerFacts, r *Row) error {
	paths, err := s.Store.UnitPaths(ctx, r.unitIDs())
	if err != nil {
		return err
	}
	if !inAudience(l, r, paths) || l.Status != "active" {
		return errNotInAudience
	}
	now := s.now()
	switch {
	case r.Status == StatusClosed || !now.Before(r.ClosesAt):
		return errWindowClosed
	case now.Before(r.OpensAt):
		return errNotOpen
	}
	if r.MainExamID != nil {
		main, err := s.Store.GetExam(ctx, *r.MainExamID)
		if err != nil {
			return err
		}
		attempts, err := s.settledAttempts(ctx, l.LearnerID, []int64{main.ID})
		if err != nil {
			return err
		}
		if !makeupEligible(main, attempts, now) {
			return errMakeupIneligible
		}
	}
	if r.PrerequisiteCredits > 0 {
		total, err := s.Store.CreditTotal(ctx, l.LearnerID, r.CampaignID)
		if err != nil {
			return err
		}
		if total < r.PrerequisiteCredits {
			return errPrerequisite.WithFields(apperr.Field("prerequisite_credits", "需要 "+r.PrerequisiteCredits.String()+" 学分，当前 "+total.String()))
		}
	}
	active, err := s.Store.ActiveAttempt(ctx, r.ID, l.LearnerID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.expired(active) {
		// Finalised lazily: past its deadline it no longer blocks a new attempt.
		return s.finalise(ctx, active.ID)
	}
	return errAttemptActive
}

// expired reports whether an active attempt is past its deadline and grace.
func (s *Service) expired(a *Attempt) bool {
	return a.Status == AttemptActive && s.now().After(a.Deadline.Add(s.Settings.Grace))
}

// secondsLeft is the whole seconds until the deadline by the server clock (0 after it).
func (s *Service) secondsLeft(a *Attempt) int {
	if a.Status != AttemptActive {
		return 0
	}
	return max(0, int(math.Ceil(a.Deadline.Sub(s.now()).Seconds())))
}

// ownAttempt loads one of the actor's attempts, finalising it first when its time is up.
func (s *Service) ownAttempt(ctx context.Context, actor auth.Actor, id int64) (*Attempt, error) {
	a, err := s.Store.GetAttempt(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && a.AccountID != actor.AccountID) {
		return nil, errAttemptNotFound
	}
	if err != nil {
		return nil, err
	}
	if s.expired(a) {
		if err := s.finalise(ctx, a.ID); err != nil {
			return nil, err
		}
		return s.Store.GetAttempt(ctx, id)
	}
	return a, nil
}

// Resume returns one of the actor's attempts with its paper, saved answers and the seconds
// left by the server clock (an attempt past its deadline comes back finalised).
func (s *Service) Resume(ctx context.Context, actor auth.Actor, id int64) (*AttemptDetail, error) {
	a, err := s.ownAttempt(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.GetExam(ctx, a.ExamID)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, a, r)
}

func (s *Service) detail(ctx context.Context, a *Attempt, r *Row) (*AttemptDetail, error) {
	paper, err := s.Store.Paper(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &AttemptDetail{Attempt: *a, Exam: *r, Paper: paper, SecondsLeft: s.secondsLeft(a)}, nil
}

// Saved is the outcome of an autosave.
type Saved struct {
	QuestionID  int64
	Answer      *string // as the learner sees it (display letters)
	SavedAt     time.Time
	SecondsLeft int
}

// SaveAnswer stores the actor's answer to one question of an active attempt (last write
// wins; null clears it). After the deadline and its grace it is 409 exam.deadline_passed.
func (s *Service) SaveAnswer(ctx context.Context, actor auth.Actor, attemptID, questionID int64, raw *string) (*Saved, error) {
	a, it, err := s.Store.AttemptItem(ctx, attemptID, questionID)
	if errors.Is(err, ErrNotFound) || (err == nil && a.AccountID != actor.AccountID) {
		return nil, errAttemptNotFound
	}
	if err != nil {
		return nil, err
	}
	if s.expired(a) {
		if err := s.finalise(ctx, a.ID); err != nil {
			return nil, err
		}
		return nil, errDeadlinePassed
	}
	if a.Status != AttemptActive {
		return nil, errAttemptFinished
	}
	if it == nil {
		return nil, errNotInPaper
	}
	var stored *string
	if raw != nil {
		v, msg := toStored(it, *raw)
		if msg != "" {
			return nil, apperr.Invalid("exam.invalid_answer", "答案格式不正确", apperr.Field("answer", msg))
		}
		stored = &v
	}
	now := s.now()
	saved, err := s.Store.SaveAnswer(ctx, attemptID, questionID, stored, now)
	if err != nil {
		return nil, err
	}
	if !saved { // graded between the read above and the write, or the same answer again
		if a, err = s.Store.GetAttempt(ctx, attemptID); err != nil {
			return nil, err
		}
		if a.Status != AttemptActive {
			return nil, errAttemptFinished
		}
	}
	return &Saved{QuestionID: questionID, Answer: raw, SavedAt: now, SecondsLeft: s.secondsLeft(a)}, nil
}

// toStored checks a learner's answer against an item's shape and turns display letters into
// the version's own letters, sorted.
func toStored(it *Item, raw string) (string, string) {
	c := questionbank.Content{Type: questionbank.Type(it.Type), Options: make(questionbank.Options, len(it.OptionOrder))}
	got, msg := questionbank.NormaliseResponse(c, raw)
	if msg != "" || !isChoice(it.Type) {
		return got, msg
	}
	orig := []byte(got)
	for i, d := range orig {
		orig[i] = it.OptionOrder[d-'A']
	}
	slices.Sort(orig)
	return string(orig), ""
}

// toDisplay turns stored letters back into the letters the learner saw, sorted.
func toDisplay(it Item, stored string) string {
	if !isChoice(it.Type) {
		return stored
	}
	out := make([]byte, 0, len(stored))
	for _, o := range []byte(stored) {
		if k := strings.IndexByte(it.OptionOrder, o); k >= 0 {
			out = append(out, byte('A'+k))
		}
	}
	slices.Sort(out)
	return string(out)
}

// Submit finishes one of the actor's attempts and grades it. Submitting again (a retry, a
// second device, another Idempotency-Key) returns the graded attempt; only one grading ever
// happens. The attempt is read, checked and graded by the batch writer (see grade_job.go), so
// the request itself runs no statement.
func (s *Service) Submit(ctx context.Context, actor auth.Actor, id int64, key string) (*AttemptDetail, error) {
	j := &gradeJob{attemptID: id, accountID: actor.AccountID, by: ByLearner}
	if key != "" {
		j.key = &key
	}
	s.commit(ctx, j)
	if j.err != nil {
		return nil, j.err
	}
	if j.a == nil {
		return nil, errAttemptNotFound
	}
	// The answer carries the result, not the paper again (the hot path when everyone submits
	// at once); GET /attempts/{id} has the paper.
	return &AttemptDetail{Attempt: *j.a, Exam: *j.r}, nil
}
