package quiz

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// DrawView is what anyone can check about a round's draw.
type DrawView struct {
	Round       Round
	EligibleIDs []int64 // after close
	Winners     []AwardRow
	Prizes      []Prize
}

// EventRoundDrawn is emitted when a round's winners are drawn, in the draw's transaction.
const EventRoundDrawn = "quiz.round_drawn"

// Events receives domain events inside the transaction that caused them (the webhook outbox);
// unitPath is the subtree the event belongs to. A nil Events emits nothing.
type Events interface {
	Emit(ctx context.Context, eventType, unitPath string, data any) error
}

// DrawnEvent is the data of quiz.round_drawn: what anyone needs to recompute the draw with
// GET /quiz-rounds/{id}/draw (its schema is in the published contract: keep the swag tags).
type DrawnEvent struct {
	RoundID        int64     `json:"round_id"`
	ActivityID     int64     `json:"activity_id"`
	Commitment     string    `json:"commitment"`
	Seed           string    `json:"seed"`
	Beacon         string    `json:"beacon"`
	EligibleDigest string    `json:"eligible_digest"`
	EligibleCount  int       `json:"eligible_count"`
	Winners        int       `json:"winners"`
	DrawnAt        time.Time `json:"drawn_at" format:"date-time"`
} // @name QuizRoundDrawnEvent

func (s *Service) emitDrawn(ctx context.Context, a *ActivityRow, r *Round, seedHex, beacon string, eligible, winners int, now time.Time) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.Emit(ctx, EventRoundDrawn, a.UnitPath, DrawnEvent{RoundID: r.ID, ActivityID: r.ActivityID,
		Commitment: r.Commitment, Seed: seedHex, Beacon: beacon, EligibleDigest: r.EligibleDigest,
		EligibleCount: eligible, Winners: winners, DrawnAt: now})
}

// Close fixes a round's eligible list after it ended and publishes its digest (once; closing
// again returns the round as closed).
func (s *Service) Close(ctx context.Context, actor auth.Actor, roundID int64) (*Round, error) {
	r, _, err := s.adminRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if now.Before(r.EndsAt) {
		return nil, errNotEnded
	}
	if r.ClosedAt != nil {
		return r, nil
	}
	for range closeAttempts {
		if err := s.FlushBoards(ctx); err != nil { // every play submitted in time is on the board
			return nil, err
		}
		err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
			return s.closeLocked(ctx, actor, r, now)
		})
		if !errors.Is(err, errPlaysPending) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return s.Store.Round(ctx, roundID)
}

// closeAttempts bounds the flushes a close makes for plays that became pending after its
// previous flush (a flagged play released just before the close took the round's lock).
const closeAttempts = 5

// errPlaysPending is a close finding plays of the round not yet on the board: flush and retry.
var errPlaysPending = errors.New("quiz: plays of the round still pending for the boards")

// closeLocked fixes the eligible list under the round's lock, which a release of a flagged
// play takes too: no play can join the board between the list and its digest.
func (s *Service) closeLocked(ctx context.Context, actor auth.Actor, r *Round, now time.Time) error {
	cur, err := s.Store.LockRound(ctx, r.ID)
	if errors.Is(err, ErrNotFound) {
		return errRoundNotFound
	}
	if err != nil || cur.ClosedAt != nil {
		return err // closed by a concurrent close: its list stands
	}
	pending, err := s.Store.CountPendingPlays(ctx, r.ID)
	if err != nil {
		return err
	}
	if pending > 0 {
		return errPlaysPending
	}
	ids, _, err := s.Board.EligiblePlays(ctx, RoundBoard(r.ID), r.PrizeThreshold)
	if err != nil {
		return err
	}
	ok, err := s.Store.CloseRound(ctx, r.ID, len(ids), EligibleDigest(ids), now)
	if err != nil || !ok {
		return err
	}
	return s.record(ctx, actor, "quiz_round.close", "quiz_round", r.ID, map[string]any{"eligible_count": len(ids)})
}

// Draw draws a closed round's winners from the committed seed (and the beacon the round named),
// reveals the seed and records one award per prize unit. A round is drawn once: concurrent
// draws leave one winner list and answer 409 to the others.
func (s *Service) Draw(ctx context.Context, actor auth.Actor, roundID int64, beacon string) (*DrawView, error) {
	r, activity, err := s.adminRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	beacon = strings.TrimSpace(beacon)
	switch {
	case r.DrawnAt != nil:
		return nil, errAlreadyDrawn
	case r.ClosedAt == nil:
		return nil, errNotClosed
	case r.BeaconName != "" && beacon == "":
		return nil, errBeaconRequired
	case r.BeaconName == "":
		beacon = ""
	}
	seedHex, err := s.Sealer.Open(r.SeedEnc)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(seedHex)
	if err != nil {
		return nil, err
	}
	if err := s.FlushBoards(ctx); err != nil {
		return nil, err
	}
	err = database.WithTx(ctx, s.DB, func(ctx context.Context) error {
		now := s.Now()
		ok, err := s.Store.MarkDrawn(ctx, roundID, seedHex, beacon, now)
		if err != nil || !ok {
			return firstErr(err, errAlreadyDrawn)
		}
		ids, owners, err := s.Board.EligiblePlays(ctx, RoundBoard(roundID), r.PrizeThreshold)
		if err != nil {
			return err
		}
		if EligibleDigest(ids) != r.EligibleDigest {
			return errDigestChanged
		}
		prizes, err := s.Store.Prizes(ctx, roundID)
		if err != nil {
			return err
		}
		awards := allocate(r, prizes, DrawOrder(DrawKey(seed, beacon), ids), owners, now)
		if err := s.Store.CreateAwards(ctx, awards); err != nil {
			return err
		}
		if err := s.emitDrawn(ctx, activity, r, seedHex, beacon, len(ids), len(awards), now); err != nil {
			return err
		}
		return s.record(ctx, actor, "quiz_round.draw", "quiz_round", roundID, map[string]any{"winners": len(awards), "beacon": beacon})
	})
	if err != nil {
		return nil, err
	}
	return s.DrawOf(ctx, roundID)
}

// allocate gives one prize unit per ticket in order, prize by prize.
func allocate(r *Round, prizes []Prize, order []Drawn, owners map[int64]int64, now time.Time) []Award {
	var out []Award
	i := 0
	for _, p := range prizes {
		for u := 0; u < p.Stock && i < len(order); u++ {
			d := order[i]
			i++
			out = append(out, Award{RoundID: r.ID, PrizeID: p.ID, PlayID: d.PlayID, AccountID: owners[d.PlayID], DrawRank: i,
				Ticket: d.Ticket, Status: AwardAwarded, ExpiresAt: now.Add(time.Duration(r.ClaimHours) * time.Hour), CreatedAt: now})
		}
	}
	return out
}

// DrawOf returns a round's public draw record: the commitment always; the digest and eligible
// list once closed; the seed, beacon and winners once drawn.
func (s *Service) DrawOf(ctx context.Context, roundID int64) (*DrawView, error) {
	r, err := s.Store.Round(ctx, roundID)
	if errors.Is(err, ErrNotFound) {
		return nil, errRoundNotFound
	}
	if err != nil {
		return nil, err
	}
	v := &DrawView{Round: *r, EligibleIDs: []int64{}, Winners: []AwardRow{}}
	if v.Prizes, err = s.Store.Prizes(ctx, roundID); err != nil {
		return nil, err
	}
	if r.ClosedAt != nil {
		if err := s.settleBoards(ctx); err != nil {
			return nil, err
		}
		if v.EligibleIDs, _, err = s.Board.EligiblePlays(ctx, RoundBoard(roundID), r.PrizeThreshold); err != nil {
			return nil, err
		}
	}
	if r.DrawnAt != nil {
		if v.Winners, err = s.Store.RoundAwards(ctx, roundID); err != nil {
			return nil, err
		}
	}
	return v, nil
}
