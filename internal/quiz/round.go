package quiz

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// MaxPool caps the questions a bank-drawn round freezes into its pool.
const MaxPool = 1000

// RoundInput creates a round. Exactly one of BankIDs (questions drawn per play from their
// published questions) and QuestionIDs (a fixed set, served to everyone in order) is given;
// exactly one of SecondsPerQuestion and SecondsPerPlay.
type RoundInput struct {
	Name               string
	StartsAt           time.Time
	EndsAt             time.Time
	QuestionCount      int
	BankIDs            []int64
	QuestionIDs        []int64
	SecondsPerQuestion int
	SecondsPerPlay     int
	PlaysPerRound      int
	PlaysPerDay        int
	PointsPerCorrect   int
	MinMsPerAnswer     *int
	PrizeThreshold     int
	ClaimHours         int
	BeaconName         string
	Prizes             []PrizeInput
}

// PrizeInput is one prize of a round.
type PrizeInput struct {
	Name  string
	Stock int
}

// RoundDetail is a round with its prizes.
type RoundDetail struct {
	Round
	Prizes []Prize
}

// Round defaults.
const (
	DefaultPointsPerCorrect = 10
	DefaultMinMsPerAnswer   = 1000
	DefaultClaimHours       = 168
)

func (in *RoundInput) check() error {
	switch {
	case !in.EndsAt.After(in.StartsAt):
		return invalid("ends_at", "必须晚于 starts_at")
	case (len(in.BankIDs) == 0) == (len(in.QuestionIDs) == 0):
		return invalid("bank_ids", "bank_ids（按题库抽题）与 question_ids（固定题目）须且只能填一个")
	case (in.SecondsPerQuestion == 0) == (in.SecondsPerPlay == 0):
		return invalid("seconds_per_question", "seconds_per_question 与 seconds_per_play 须且只能填一个")
	case len(in.BankIDs) > 0 && in.QuestionCount == 0:
		return invalid("question_count", "按题库抽题时必填")
	}
	if len(in.QuestionIDs) > 0 {
		in.QuestionCount = len(in.QuestionIDs)
		if len(uniq(in.QuestionIDs)) != len(in.QuestionIDs) {
			return invalid("question_ids", "题目不能重复")
		}
	}
	if in.PlaysPerRound == 0 {
		in.PlaysPerRound = 1
	}
	if in.PlaysPerDay > in.PlaysPerRound {
		in.PlaysPerDay = in.PlaysPerRound
	}
	if in.PointsPerCorrect == 0 {
		in.PointsPerCorrect = DefaultPointsPerCorrect
	}
	if in.MinMsPerAnswer == nil {
		v := DefaultMinMsPerAnswer
		in.MinMsPerAnswer = &v
	}
	if in.ClaimHours == 0 {
		in.ClaimHours = DefaultClaimHours
	}
	return nil
}

func uniq(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// CreateRound creates a round of an activity the admin owns: it freezes the question pool,
// picks the draw seed and publishes its commitment.
func (s *Service) CreateRound(ctx context.Context, actor auth.Actor, activityID int64, in RoundInput) (*RoundDetail, error) {
	a, err := s.Activity(ctx, actor, activityID)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	pool, err := s.freezePool(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	seed := make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	sealed, err := s.Sealer.Seal(hex.EncodeToString(seed))
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Round{
		ActivityID: a.ID, Name: strings.TrimSpace(in.Name), StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(),
		QuestionCount: in.QuestionCount, BankIDs: joinIDs(in.BankIDs), Fixed: len(in.QuestionIDs) > 0,
		SecondsPerQuestion: in.SecondsPerQuestion, SecondsPerPlay: in.SecondsPerPlay, PlaysPerRound: in.PlaysPerRound,
		PlaysPerDay: in.PlaysPerDay, PointsPerCorrect: in.PointsPerCorrect, MinMsPerAnswer: *in.MinMsPerAnswer,
		PrizeThreshold: in.PrizeThreshold, ClaimHours: in.ClaimHours, SeedEnc: sealed, Commitment: Commitment(seed),
		BeaconName: strings.TrimSpace(in.BeaconName), CreatedAt: now, UpdatedAt: now,
	}
	prizes := make([]Prize, len(in.Prizes))
	for i, p := range in.Prizes {
		prizes[i] = Prize{Position: i + 1, Name: strings.TrimSpace(p.Name), Stock: p.Stock, Remaining: p.Stock}
	}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		if err := s.lockActivity(ctx, a.ID); err != nil { // a delete counts rounds under it
			return err
		}
		if err := s.Store.CreateRound(ctx, r, pool, prizes); err != nil {
			return err
		}
		return s.record(ctx, actor, "quiz_round.create", "quiz_round", r.ID,
			map[string]any{"activity_id": a.ID, "name": r.Name, "commitment": r.Commitment})
	})
	if err != nil {
		return nil, err
	}
	return &RoundDetail{Round: *r, Prizes: prizes}, nil
}

// freezePool picks the round's questions: the fixed list, or the banks' published questions.
func (s *Service) freezePool(ctx context.Context, actor auth.Actor, in RoundInput) ([]RoundQuestion, error) {
	if len(in.QuestionIDs) > 0 {
		return s.fixedPool(ctx, actor, in.QuestionIDs)
	}
	for _, id := range uniq(in.BankIDs) {
		if err := s.Banks.CheckVisible(ctx, actor, id); err != nil {
			return nil, invalid("bank_ids", fmt.Sprintf("题库 %d 不存在或不可见", id))
		}
	}
	picks, err := s.Store.PublishedQuestions(ctx, uniq(in.BankIDs), MaxPool)
	if err != nil {
		return nil, err
	}
	if len(picks) < in.QuestionCount {
		return nil, invalid("question_count", fmt.Sprintf("所选题库只有 %d 道已发布题目", len(picks)))
	}
	for i := range picks {
		picks[i].Position = i + 1
	}
	return picks, nil
}

func (s *Service) fixedPool(ctx context.Context, actor auth.Actor, ids []int64) ([]RoundQuestion, error) {
	facts, err := s.Store.Questions(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]QuestionFacts{}
	for _, f := range facts {
		byID[f.ID] = f
	}
	out := make([]RoundQuestion, len(ids))
	for i, id := range ids {
		f, ok := byID[id]
		if !ok || f.Status != "published" || s.Banks.CheckVisible(ctx, actor, f.BankID) != nil {
			return nil, invalid("question_ids", fmt.Sprintf("题目 %d 不存在、未发布或不可见", id))
		}
		out[i] = RoundQuestion{Position: i + 1, QuestionID: id, Version: f.Version}
	}
	return out, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// SplitIDs parses a comma-separated id list.
func SplitIDs(s string) []int64 {
	out := []int64{}
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Rounds lists the rounds of an activity the admin owns, with their prizes.
func (s *Service) Rounds(ctx context.Context, actor auth.Actor, activityID int64) ([]RoundDetail, error) {
	if _, err := s.Activity(ctx, actor, activityID); err != nil {
		return nil, err
	}
	rounds, err := s.Store.Rounds(ctx, activityID)
	if err != nil {
		return nil, err
	}
	return s.withPrizes(ctx, rounds)
}

func (s *Service) withPrizes(ctx context.Context, rounds []Round) ([]RoundDetail, error) {
	out := make([]RoundDetail, len(rounds))
	if len(rounds) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	prizes, err := s.Store.Prizes(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for i, r := range rounds {
		out[i] = RoundDetail{Round: r, Prizes: []Prize{}}
		for _, p := range prizes {
			if p.RoundID == r.ID {
				out[i].Prizes = append(out[i].Prizes, p)
			}
		}
	}
	return out, nil
}

// adminRound returns a round of an activity the admin owns.
func (s *Service) adminRound(ctx context.Context, actor auth.Actor, id int64) (*Round, *ActivityRow, error) {
	r, err := s.Store.Round(ctx, id)
	if err == ErrNotFound {
		return nil, nil, errRoundNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := s.Activity(ctx, actor, r.ActivityID)
	if err != nil {
		return nil, nil, errRoundNotFound
	}
	return r, a, nil
}

// pool returns a round's frozen pool, loaded once per process.
func (s *Service) pool(ctx context.Context, roundID int64) (*Pool, error) {
	if p, ok := s.pools.Load(roundID); ok {
		return p.(*Pool), nil
	}
	list, err := s.Store.PoolOf(ctx, roundID)
	if err != nil {
		return nil, err
	}
	p := newPool(list)
	s.pools.Store(roundID, p)
	return p, nil
}

// OpenRound is a round open now with the actor's plays left.
type OpenRound struct {
	RoundDetail
	ActivityName string
	PlaysLeft    int
	Deadline     time.Time
}

// Current lists the rounds open now that the actor may play, with their plays left.
func (s *Service) Current(ctx context.Context, actor auth.Actor) ([]OpenRound, error) {
	now := s.Now()
	rounds, err := s.Store.OpenRounds(ctx, now)
	if err != nil {
		return nil, err
	}
	var mine []Round
	names := map[int64]string{}
	for _, r := range rounds {
		a, err := s.activityOf(ctx, r.ActivityID)
		if err != nil {
			return nil, err
		}
		if audienceAdmits(a, actor) {
			mine = append(mine, r)
			names[r.ID] = a.Name
		}
	}
	details, err := s.withPrizes(ctx, mine)
	if err != nil || len(details) == 0 {
		return []OpenRound{}, err
	}
	ids := make([]int64, len(mine))
	for i, r := range mine {
		ids[i] = r.ID
	}
	counts, err := s.Store.CountPlaysIn(ctx, ids, actor.AccountID, day(now))
	if err != nil {
		return nil, err
	}
	out := make([]OpenRound, len(details))
	for i, d := range details {
		out[i] = OpenRound{RoundDetail: d, ActivityName: names[d.ID], PlaysLeft: playsLeft(d.Round, counts[d.ID])}
	}
	return out, nil
}

// roundConf returns a round's configuration, read once per process: plays only use fields
// that never change after creation (window, questions, timing, scoring).
func (s *Service) roundConf(ctx context.Context, id int64) (*Round, error) {
	if r, ok := s.rounds.Load(id); ok {
		return r.(*Round), nil
	}
	r, err := s.Store.Round(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errRoundNotFound
	}
	if err != nil {
		return nil, err
	}
	s.rounds.Store(id, r)
	return r, nil
}

// activityTTL is how long a replica may serve an activity's audience and campaign from memory
// (this replica forgets it at once when it changes them).
const activityTTL = 5 * time.Second

type cachedActivity struct {
	row *ActivityRow
	at  time.Time
}

// activityOf returns an activity, cached briefly: every play start and submit needs it.
func (s *Service) activityOf(ctx context.Context, id int64) (*ActivityRow, error) {
	if c, ok := s.activities.Load(id); ok && time.Since(c.(cachedActivity).at) < activityTTL {
		return c.(cachedActivity).row, nil
	}
	a, err := s.Store.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	s.activities.Store(id, cachedActivity{row: a, at: time.Now()})
	return a, nil
}

// audienceAdmits reports whether the actor may play the activity's rounds.
func audienceAdmits(a *ActivityRow, actor auth.Actor) bool {
	if a.Audience == AudiencePublic {
		return actor.Role == auth.RoleParticipant || actor.Role == auth.RoleLearner
	}
	return actor.Role == auth.RoleLearner && strings.HasPrefix(actor.UnitPath, a.UnitPath)
}

func playsLeft(r Round, c PlayCounts) int {
	left := r.PlaysPerRound - c.Round
	if r.PlaysPerDay > 0 {
		left = min(left, r.PlaysPerDay-c.Day)
	}
	return max(left, 0)
}
