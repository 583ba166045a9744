package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/questionbank"
)

func day(t time.Time) string { return t.In(clock.Shanghai()).Format(time.DateOnly) }

// limit applies one rate limit, answering 429 with Retry-After when it bites.
func (s *Service) limit(ctx context.Context, key string, n int) error {
	ok, retry, err := s.Limiter.Allow(ctx, key, n, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.TooManyRequests("quiz.rate_limited", "操作过于频繁，请稍后再试", int(retry.Seconds())+1)
	}
	return nil
}

func (s *Service) limitBoth(ctx context.Context, what string, actor auth.Actor, ip string, perAccount, perIP int) error {
	if err := s.limit(ctx, fmt.Sprintf("quiz:%s:acct:%d", what, actor.AccountID), perAccount); err != nil {
		return err
	}
	return s.limit(ctx, fmt.Sprintf("quiz:%s:ip:%s", what, ip), perIP)
}

// StartedPlay is a new play: its paper (without keys) and deadline.
type StartedPlay struct {
	Play
	Pool      *Pool
	PlaysLeft int
}

// Start starts a play of an open round for the actor: one running play per player, and no more
// plays than the round allows per round and per day, even when starts race.
func (s *Service) Start(ctx context.Context, actor auth.Actor, ip string, roundID int64) (*StartedPlay, error) {
	if err := s.limitBoth(ctx, "start", actor, ip, s.Settings.StartPerAccountPerMinute, s.Settings.StartPerIPPerMinute); err != nil {
		return nil, err
	}
	r, err := s.roundConf(ctx, roundID)
	if err != nil {
		return nil, err
	}
	a, err := s.activityOf(ctx, r.ActivityID)
	if err != nil {
		return nil, err
	}
	if !audienceAdmits(a, actor) {
		if a.Audience == AudienceLearners && actor.Role != auth.RoleLearner {
			return nil, errNotInAudience
		}
		return nil, errRoundNotFound
	}
	now := s.Now()
	if !r.OpenAt(now) {
		return nil, errNotOpen
	}
	pool, err := s.pool(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	paper := drawPaper(pool, r.QuestionCount, r.Fixed)
	deadline := now.Add(r.TimeLimit(len(paper)))
	if deadline.After(r.EndsAt) {
		deadline = r.EndsAt
	}
	today := day(now)
	p := &Play{RoundID: r.ID, ActivityID: r.ActivityID, AccountID: actor.AccountID, Day: today, Status: PlayActive,
		Paper: paper, Answers: Answers{}, StartedAt: now, Deadline: deadline, QuestionCount: len(paper)}
	// No transaction: the read locks nothing anyway, and the unique keys on (round, account,
	// seq) and (round, account, day, day_seq) reject a concurrent start that counted the same
	// plays, so two statements keep the limits.
	st, err := s.Store.PlayState(ctx, r.ID, actor.AccountID, today, now)
	if err != nil {
		return nil, err
	}
	if st.Active > 0 {
		return nil, errPlayActive
	}
	c := st.PlayCounts
	if c.Round >= r.PlaysPerRound {
		return nil, errNoPlaysLeft
	}
	if r.PlaysPerDay > 0 && c.Day >= r.PlaysPerDay {
		return nil, errDailyLimit
	}
	p.Seq, p.DaySeq = c.Round+1, c.Day+1
	if err := s.Store.CreatePlay(ctx, p); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, errPlayActive // a concurrent start took this slot
		}
		return nil, err
	}
	s.started.keep(*p, now)
	s.warmIndex(RoundBoard(r.ID))
	left := playsLeft(*r, PlayCounts{Round: c.Round + 1, Day: c.Day + 1})
	return &StartedPlay{Play: *p, Pool: pool, PlaysLeft: left}, nil
}

// AnswerInput is one answer of a submit, for the question at its position in the paper.
type AnswerInput struct {
	QuestionID int64
	Answer     string
}

// Result is a submitted play, graded, with the player's rank on the round board.
type Result struct {
	Play
	Graded []Graded
	Rank   *Standing
}

// Submit grades a play once, by the server clock. Repeating the submit with the same
// Idempotency-Key returns the first result; any other second submit is 409. The submit only
// grades and marks the play (and credits a learner); the boards follow within a flush delay
// (boardwriter.go), and the answer's rank is computed against the board as it stands.
func (s *Service) Submit(ctx context.Context, actor auth.Actor, ip string, playID int64, key string, answers []AnswerInput) (*Result, error) {
	if err := s.limitBoth(ctx, "submit", actor, ip, s.Settings.SubmitPerAccountPerMinute, s.Settings.SubmitPerIPPerMinute); err != nil {
		return nil, err
	}
	p, err := s.play(ctx, playID)
	if errors.Is(err, ErrNotFound) || (err == nil && p.AccountID != actor.AccountID) {
		return nil, errPlayNotFound
	}
	if err != nil {
		return nil, err
	}
	pool, err := s.pool(ctx, p.RoundID)
	if err != nil {
		return nil, err
	}
	if p.Status == PlaySubmitted {
		return s.replay(ctx, p, pool, key)
	}
	now := s.Now()
	if now.After(p.Deadline) {
		return nil, errDeadlinePassed
	}
	given, err := normalise(pool, p.Paper, answers)
	if err != nil {
		return nil, err
	}
	r, err := s.roundConf(ctx, p.RoundID)
	if err != nil {
		return nil, err
	}
	graded := grade(pool, p.Paper, given)
	scoreInto(p, r, graded, given, now)
	p.IdempotencyKey = key
	p.BoardPending = p.Ranked()
	return s.recordPlay(ctx, p, pool, graded)
}

// recordPlay writes a graded play (in a shared batch, see submitbatch.go) and answers with the
// result and the player's rank; a play another submit recorded first answers as a replay.
func (s *Service) recordPlay(ctx context.Context, p *Play, pool *Pool, graded []Graded) (*Result, error) {
	var onBoard *Standing
	if p.BoardPending {
		var err error
		if onBoard, err = s.storedStanding(ctx, p); err != nil {
			return nil, err
		}
	}
	job, err := s.markSubmitted(ctx, p, onBoard)
	if err != nil {
		return nil, err
	}
	if !job.won { // a concurrent submit recorded it first (the locked batch lets exactly one through)
		stored, err := s.Store.Play(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		return s.replay(ctx, stored, pool, p.IdempotencyKey)
	}
	if p.BoardPending {
		s.boardsChanged()
	}
	out := &Result{Play: *p, Graded: graded}
	out.Rank, err = s.rankOnSubmit(ctx, p, onBoard)
	return out, err
}

// replay answers a repeated submit with the first result, when it carries the same key.
func (s *Service) replay(ctx context.Context, p *Play, pool *Pool, key string) (*Result, error) {
	if key == "" || key != p.IdempotencyKey {
		return nil, errAlreadySubmitted
	}
	out := &Result{Play: *p, Graded: grade(pool, p.Paper, p.Answers)}
	onBoard, err := s.storedStanding(ctx, p)
	if err != nil {
		return nil, err
	}
	out.Rank, err = s.rankOnSubmit(ctx, p, onBoard)
	return out, err
}

// creditCampaign is the campaign a ranked play of the activity earns credit in, if any.
func (s *Service) creditCampaign(ctx context.Context, p *Play) (*int64, error) {
	if !p.Ranked() || s.Credits == nil {
		return nil, nil
	}
	a, err := s.activityOf(ctx, p.ActivityID)
	if err != nil {
		return nil, err
	}
	return a.CampaignID, nil
}

// storedStanding is the player's standing on the round board as stored from their earlier
// plays: none, without a read, for their first play of the round (the board can then hold only
// this play itself, once flushed, which ranks the same).
func (s *Service) storedStanding(ctx context.Context, p *Play) (*Standing, error) {
	if p.Seq <= 1 {
		return nil, nil
	}
	return s.Board.Get(ctx, RoundBoard(p.RoundID), p.AccountID)
}

// rankOnSubmit ranks the player on the round board with this play counted, without waiting
// for the board writer: their standing is the stored best (onBoard) unless this play beats it
// (rankStanding); players ahead are the stored ones (counted in this process's rank index, see
// rank_index.go, or in SQL while it loads) plus this process's unflushed plays ahead whose
// stored standing is not ahead already. Unflushed plays of other replicas show within their
// flush delay, their folds within the index's drift check.
func (s *Service) rankOnSubmit(ctx context.Context, p *Play, onBoard *Standing) (*Standing, error) {
	board := RoundBoard(p.RoundID)
	if !p.Ranked() {
		if err := s.settleBoards(ctx); err != nil {
			return nil, err
		}
		return s.reads().Rank(ctx, board, p.AccountID)
	}
	me := rankStanding(p, onBoard)
	stored, ok := s.indexedAhead(board, me)
	if !ok {
		r, err := s.Board.RankOf(ctx, board, me)
		if err != nil {
			return nil, err
		}
		stored = r.Rank - 1
	}
	me.Rank = stored + s.pendingAhead(board, me) + 1
	return &me, nil
}

// rankStanding is what a ranked play ranks the player at: the play, or their stored best when
// that is ahead of it.
func rankStanding(p *Play, onBoard *Standing) Standing {
	me := playStanding(*p)
	if onBoard != nil && !ahead(me, *onBoard) {
		me = *onBoard
	}
	return me
}

// normalise checks each answer against its question and lines them up with the paper.
func normalise(pool *Pool, paper Paper, in []AnswerInput) (Answers, error) {
	pos := make(map[int64]int, len(paper))
	for i, it := range paper {
		pos[it.QuestionID] = i
	}
	out := make(Answers, len(paper))
	seen := map[int64]bool{}
	for i, a := range in {
		field := fmt.Sprintf("answers[%d]", i)
		k, ok := pos[a.QuestionID]
		if !ok {
			return nil, invalid(field+".question_id", "该题不在本次答题中")
		}
		if seen[a.QuestionID] {
			return nil, invalid(field+".question_id", "同一题只能作答一次")
		}
		seen[a.QuestionID] = true
		if a.Answer == "" {
			continue
		}
		q := pool.Get(a.QuestionID)
		shown := q.Content
		shown.Options = shownOptions(q, paper[k])
		v, msg := questionbank.NormaliseResponse(shown, a.Answer)
		if msg != "" {
			return nil, invalid(field+".answer", msg)
		}
		out[k] = v
	}
	return out, nil
}

// scoreInto fills a play's result and flags it when its answers came implausibly fast.
func scoreInto(p *Play, r *Round, graded []Graded, given Answers, now time.Time) {
	answered := 0
	for i, g := range graded {
		if g.Correct {
			p.CorrectCount++
		}
		if given[i] != "" {
			answered++
		}
	}
	p.Answers = given
	p.Score = p.CorrectCount * r.PointsPerCorrect
	p.DurationMs = now.Sub(p.StartedAt).Milliseconds()
	p.SubmittedAt = &now
	p.Status = PlaySubmitted
	if floor := int64(answered) * int64(r.MinMsPerAnswer); answered > 0 && p.DurationMs < floor {
		p.Flagged = true
		p.FlagReason = fmt.Sprintf("%d 题用时 %d 毫秒，低于每题 %d 毫秒", answered, p.DurationMs, r.MinMsPerAnswer)
	}
}

// boardWrite is a standing written to SQL by the board writer, to copy to Redis after commit.
type boardWrite struct {
	board string
	old   *Standing
	next  Standing
}

// mirror copies committed standings to Redis; a failure is logged, the SQL board stays right.
func (s *Service) mirror(ctx context.Context, writes []boardWrite) {
	if s.Redis == nil {
		return
	}
	for _, w := range writes {
		if err := s.Redis.Put(ctx, w.board, w.old, w.next); err != nil {
			s.Log.Error("quiz: redis leaderboard write failed", "board", w.board, "err", err)
		}
	}
}

// Flags pages a round's plays held for review.
func (s *Service) Flags(ctx context.Context, actor auth.Actor, roundID int64, all bool, offset, limit int) ([]FlaggedPlay, int64, error) {
	if _, _, err := s.adminRound(ctx, actor, roundID); err != nil {
		return nil, 0, err
	}
	return s.Store.FlaggedPlays(ctx, roundID, all, offset, limit)
}

// ClearFlag releases a flagged play after review: it enters the boards (and the draw) as if
// it had not been flagged. Once the round is closed the eligible list is fixed, so the round
// is checked under its lock, which a close takes too (draw.go): a release committed after the
// list was fixed would change it and leave the round undrawable.
func (s *Service) ClearFlag(ctx context.Context, actor auth.Actor, playID int64) (*Play, error) {
	p, err := s.Store.Play(ctx, playID)
	if errors.Is(err, ErrNotFound) {
		return nil, errPlayNotFound
	}
	if err != nil {
		return nil, err
	}
	if _, _, err := s.adminRound(ctx, actor, p.RoundID); err != nil {
		return nil, errPlayNotFound
	}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		r, err := s.Store.LockRound(ctx, p.RoundID)
		if errors.Is(err, ErrNotFound) {
			return errPlayNotFound
		}
		if err != nil {
			return err
		}
		if r.ClosedAt != nil {
			return errRoundClosed
		}
		now := s.Now()
		ok, err := s.Store.ClearFlag(ctx, playID, actor.AccountID, now)
		if err != nil || !ok {
			return firstErr(err, errNotFlagged)
		}
		p.ClearedAt, p.ClearedBy = &now, &actor.AccountID
		campaign, err := s.creditCampaign(ctx, p)
		if err != nil {
			return err
		}
		if campaign != nil {
			if err := s.Credits.EarnQuizCredit(ctx, p.AccountID, *campaign, p.ID); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "quiz_play.clear_flag", "quiz_play", playID, map[string]any{"round_id": p.RoundID})
	})
	if err != nil {
		return nil, err
	}
	p.BoardPending = true
	s.boardsChanged()
	return p, nil
}

func firstErr(err error, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
