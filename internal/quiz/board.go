package quiz

import (
	"context"
	"errors"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// BoardView is the top of a board with masked names, and the actor's own standing.
type BoardView struct {
	Top   []Standing
	Names map[int64]string // masked, by account id
	Me    *Standing
	Total int64
}

// RoundLeaderboard returns the top n of a round and the actor's standing.
func (s *Service) RoundLeaderboard(ctx context.Context, actor auth.Actor, roundID int64, n int) (*BoardView, error) {
	r, err := s.Store.Round(ctx, roundID)
	if errors.Is(err, ErrNotFound) {
		return nil, errRoundNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.canSeeBoard(ctx, actor, r.ActivityID); err != nil {
		return nil, errRoundNotFound
	}
	return s.board(ctx, actor, RoundBoard(roundID), n)
}

// ActivityLeaderboard returns the top n of an activity (each player's best plays of its rounds
// summed) and the actor's standing.
func (s *Service) ActivityLeaderboard(ctx context.Context, actor auth.Actor, activityID int64, n int) (*BoardView, error) {
	if err := s.canSeeBoard(ctx, actor, activityID); err != nil {
		return nil, err
	}
	return s.board(ctx, actor, ActivityBoard(activityID), n)
}

// canSeeBoard: admins see their subtree's boards; players the boards of activities they may play.
func (s *Service) canSeeBoard(ctx context.Context, actor auth.Actor, activityID int64) error {
	a, err := s.activityOf(ctx, activityID)
	if errors.Is(err, ErrNotFound) {
		return errActivityNotFound
	}
	if err != nil {
		return err
	}
	if actor.Role == auth.RoleAdmin && actor.Covers(a.UnitPath) || audienceAdmits(a, actor) {
		return nil
	}
	return errActivityNotFound
}

func (s *Service) board(ctx context.Context, actor auth.Actor, board string, n int) (*BoardView, error) {
	if err := s.settleBoards(ctx); err != nil {
		return nil, err
	}
	lb := s.reads()
	top, err := lb.Top(ctx, board, n)
	if err != nil {
		return nil, err
	}
	me, err := lb.Rank(ctx, board, actor.AccountID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(top)+1)
	for _, t := range top {
		ids = append(ids, t.AccountID)
	}
	if me != nil {
		ids = append(ids, me.AccountID)
	}
	names, err := s.Store.Names(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, name := range names {
		names[id] = MaskName(name)
	}
	return &BoardView{Top: top, Names: names, Me: me}, nil
}

// MaskName hides the middle of a name: 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明.
func MaskName(name string) string {
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	stars := make([]rune, len(r)-2)
	for i := range stars {
		stars[i] = '*'
	}
	return string(r[0]) + string(stars) + string(r[len(r)-1])
}
