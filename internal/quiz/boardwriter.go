package quiz

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// Board writes are behind the submit: a submit only grades and marks its play board_pending
// (one short statement), and a single writer per process folds pending plays into the boards
// in batches, a few multi-row statements per batch, clearing the marks in the same
// transaction. Pending plays live in quiz_plays, not in memory, so a crash or restart loses
// nothing: the next flush of any replica picks them up.
const (
	// How long a submit's board write may wait for company. Reads of the board settle this
	// process's pending plays first and submit ranks count them, so the delay only decides how
	// soon other replicas see them; 100 ms rather than 20 ms made saturated submits ~18 % faster
	// (fewer, larger folds competing with the submit batches; docs/performance.md).
	boardFlushDelay = 100 * time.Millisecond
	boardBatch      = 1000 // plays folded per transaction
)

// boardWriter serialises this process's flushes and remembers whether it may owe one.
type boardWriter struct {
	mu        sync.Mutex  // one flush at a time
	dirty     atomic.Bool // plays may be pending that this process has not flushed
	scheduled atomic.Bool // a delayed flush is on its way

	pendingMu sync.Mutex
	pending   map[boardKey]pendingStanding // this process's best unflushed standing per round player

	remirror map[boardKey]bool // standings of failed folds to copy to Redis again (under mu)
}

type pendingStanding struct {
	Standing
	onBoard *Standing // the player's stored standing when this play was submitted (nil: none)
	at      time.Time
}

// ahead reports whether a ranks before b on a board (the boards' order, ties included).
func ahead(a, b Standing) bool {
	ka, kb := RankKey(a.Score, a.DurationMs), RankKey(b.Score, b.DurationMs)
	if ka != kb {
		return ka < kb
	}
	if a.SubmittedMs != b.SubmittedMs {
		return a.SubmittedMs < b.SubmittedMs
	}
	return a.AccountID < b.AccountID
}

// notePending remembers a submitted play until its flush, so submit answers rank against it,
// with the player's stored standing (onBoard) at the time.
func (s *Service) notePending(p *Play, onBoard *Standing) {
	next := playStanding(*p)
	k := boardKey{RoundBoard(p.RoundID), p.AccountID}
	s.bw.pendingMu.Lock()
	defer s.bw.pendingMu.Unlock()
	if s.bw.pending == nil {
		s.bw.pending = map[boardKey]pendingStanding{}
	}
	if cur, ok := s.bw.pending[k]; !ok || ahead(next, cur.Standing) {
		s.bw.pending[k] = pendingStanding{next, onBoard, time.Now()}
	}
}

// dropPending forgets a play noted pending that was not recorded after all.
func (s *Service) dropPending(p *Play) {
	k := boardKey{RoundBoard(p.RoundID), p.AccountID}
	s.bw.pendingMu.Lock()
	defer s.bw.pendingMu.Unlock()
	if cur, ok := s.bw.pending[k]; ok && cur.PlayID == p.ID {
		delete(s.bw.pending, k)
	}
}

// forgetPending drops the remembered standings of flushed plays, and any older than a minute
// (plays another replica's writer folded).
func (s *Service) forgetPending(plays []Play) {
	s.bw.pendingMu.Lock()
	defer s.bw.pendingMu.Unlock()
	for _, p := range plays {
		k := boardKey{RoundBoard(p.RoundID), p.AccountID}
		if cur, ok := s.bw.pending[k]; ok && cur.PlayID == p.ID {
			delete(s.bw.pending, k)
		}
	}
	old := time.Now().Add(-time.Minute)
	for k, v := range s.bw.pending {
		if v.at.Before(old) {
			delete(s.bw.pending, k)
		}
	}
}

// pendingAhead counts the other players whose unflushed standing on a board ranks before me
// and whose stored standing (as it was at their submit) does not already: those the stored
// board's rank does not count yet. A stored standing that changed since (a player with
// several plays whose earlier one was flushed meanwhile) can make the count off by one for the
// length of a flush delay; the boards themselves are exact.
func (s *Service) pendingAhead(board string, me Standing) int64 {
	s.bw.pendingMu.Lock()
	defer s.bw.pendingMu.Unlock()
	var n int64
	for k, v := range s.bw.pending {
		if k.board == board && k.account != me.AccountID && ahead(v.Standing, me) && (v.onBoard == nil || !ahead(*v.onBoard, me)) {
			n++
		}
	}
	return n
}

// boardsChanged notes that a play became pending and schedules a flush shortly, so many
// submits share one.
func (s *Service) boardsChanged() {
	s.bw.dirty.Store(true)
	if !s.bw.scheduled.CompareAndSwap(false, true) {
		return
	}
	time.AfterFunc(boardFlushDelay, func() {
		s.bw.scheduled.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.FlushBoards(ctx); err != nil {
			s.Log.Error("quiz: board flush failed; retried on the next submit or read", "err", err)
		}
	})
}

// settleBoards makes the boards show every play this process submitted before a read: it
// waits for a running flush and flushes what is still pending. Plays submitted on other
// replicas show within their own flush delay.
func (s *Service) settleBoards(ctx context.Context) error {
	if !s.bw.dirty.Load() && s.bw.mu.TryLock() {
		s.bw.mu.Unlock()
		return nil
	}
	s.bw.mu.Lock()
	defer s.bw.mu.Unlock()
	if !s.bw.dirty.Load() {
		return nil
	}
	return s.flushLocked(ctx)
}

// FlushBoards folds every pending play (of any process, e.g. left by a crash) into the boards.
func (s *Service) FlushBoards(ctx context.Context) error {
	s.bw.mu.Lock()
	defer s.bw.mu.Unlock()
	return s.flushLocked(ctx)
}

func (s *Service) flushLocked(ctx context.Context) error {
	s.bw.dirty.Store(false) // plays marked from now on set it again after their commit
	for {
		n, err := s.flushBatch(ctx)
		if err != nil {
			s.bw.dirty.Store(true)
			return err
		}
		if n < boardBatch {
			s.remirrorFailed(ctx)
			return nil
		}
	}
}

// flushBatch folds up to boardBatch pending plays, oldest first, in one transaction and
// mirrors the changed standings to Redis after commit.
func (s *Service) flushBatch(ctx context.Context) (int, error) {
	var writes []boardWrite
	var plays []Play
	s.index.foldStarts()
	// Read committed: the locking read of the pending plays must not lock the gap after them,
	// or every submit marking a new play pending would wait for this whole transaction.
	err := database.WithTxReadCommitted(ctx, s.DB, func(ctx context.Context) error {
		var err error
		plays, err = s.Store.PendingPlays(ctx, boardBatch)
		if err != nil || len(plays) == 0 {
			writes = nil
			return err
		}
		f, err := s.loadFold(ctx, plays)
		if err != nil {
			return err
		}
		for _, p := range plays {
			f.add(p)
		}
		writes = f.writes()
		if err := s.Board.PutMany(ctx, writes); err != nil {
			return err
		}
		ids := make([]int64, len(plays))
		for i, p := range plays {
			ids[i] = p.ID
		}
		return s.Store.MarkBoarded(ctx, ids)
	})
	if err != nil {
		s.index.foldEnds(nil)
		s.noteRemirror(plays)
		return 0, err
	}
	s.index.foldEnds(writes) // before forgetting them as pending: ranks see them in one or the other
	s.mirror(ctx, writes)
	s.forgetPending(plays)
	return len(plays), nil
}

type boardKey struct {
	board   string
	account int64
}

// fold applies plays to the standings they touch, in memory.
type fold struct {
	loaded map[boardKey]*Standing // as stored before the batch (nil: absent)
	cur    map[boardKey]Standing  // changed by the batch
}

// loadFold reads (and locks) the round and activity standings of the batch's players.
func (s *Service) loadFold(ctx context.Context, plays []Play) (*fold, error) {
	byBoard := map[string][]int64{}
	for _, p := range plays {
		rb, ab := RoundBoard(p.RoundID), ActivityBoard(p.ActivityID)
		byBoard[rb] = append(byBoard[rb], p.AccountID)
		byBoard[ab] = append(byBoard[ab], p.AccountID)
	}
	f := &fold{loaded: map[boardKey]*Standing{}, cur: map[boardKey]Standing{}}
	boards := make([]string, 0, len(byBoard))
	for b := range byBoard {
		boards = append(boards, b)
	}
	sort.Strings(boards) // one lock order for every writer
	for _, b := range boards {
		got, err := s.Board.Load(ctx, b, byBoard[b])
		if err != nil {
			return nil, err
		}
		for _, acct := range byBoard[b] {
			f.loaded[boardKey{b, acct}] = got[acct]
		}
	}
	return f, nil
}

func (f *fold) get(k boardKey) *Standing {
	if s, ok := f.cur[k]; ok {
		return &s
	}
	return f.loaded[k]
}

// add puts a ranked play on its round board when it beats the player's best there, and moves
// the activity board (the sum of best plays) by the difference.
func (f *fold) add(p Play) {
	rk := boardKey{RoundBoard(p.RoundID), p.AccountID}
	old := f.get(rk)
	next := playStanding(p)
	if old != nil && RankKey(next.Score, next.DurationMs) >= RankKey(old.Score, old.DurationMs) {
		return
	}
	f.cur[rk] = next
	ak := boardKey{ActivityBoard(p.ActivityID), p.AccountID}
	sum := Standing{AccountID: p.AccountID, Score: next.Score, DurationMs: next.DurationMs, SubmittedMs: next.SubmittedMs}
	if cur := f.get(ak); cur != nil {
		sum.Score += cur.Score
		sum.DurationMs += cur.DurationMs
		if old != nil {
			sum.Score -= old.Score
			sum.DurationMs -= old.DurationMs
		}
	}
	f.cur[ak] = sum
}

// writes are the batch's changed standings with what they replace.
func (f *fold) writes() []boardWrite {
	out := make([]boardWrite, 0, len(f.cur))
	for k, s := range f.cur {
		out = append(out, boardWrite{board: k.board, old: f.loaded[k], next: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].board != out[j].board {
			return out[i].board < out[j].board
		}
		return out[i].next.AccountID < out[j].next.AccountID
	})
	return out
}

func playStanding(p Play) Standing {
	var at int64
	if p.SubmittedAt != nil {
		at = millis(*p.SubmittedAt)
	}
	return Standing{AccountID: p.AccountID, PlayID: p.ID, Score: p.Score, DurationMs: p.DurationMs, SubmittedMs: at}
}

// noteRemirror remembers the standings a failed fold touched. A fold whose commit answer was
// lost (the database node left as it committed) may have stored and marked its plays although
// it failed here; nothing folds them again, so Redis would keep the old standings (the
// db-node-down-mid-exam drill saw a quarter of a round board so). Called under bw.mu.
func (s *Service) noteRemirror(plays []Play) {
	if s.Redis == nil || len(plays) == 0 {
		return
	}
	if s.bw.remirror == nil {
		s.bw.remirror = map[boardKey]bool{}
	}
	for _, p := range plays {
		s.bw.remirror[boardKey{RoundBoard(p.RoundID), p.AccountID}] = true
		s.bw.remirror[boardKey{ActivityBoard(p.ActivityID), p.AccountID}] = true
	}
}

// remirrorFailed copies the stored standings of the failed folds' players to Redis, once a
// flush has succeeded again; a failure is logged and tried again after the next flush (the SQL
// board stays right). Called under bw.mu.
func (s *Service) remirrorFailed(ctx context.Context) {
	if len(s.bw.remirror) == 0 {
		return
	}
	byBoard := map[string][]int64{}
	for k := range s.bw.remirror {
		byBoard[k.board] = append(byBoard[k.board], k.account)
	}
	for board, accounts := range byBoard {
		stored, err := s.Board.Load(ctx, board, accounts)
		if err != nil {
			s.Log.Error("quiz: reading standings to mirror again failed", "board", board, "err", err)
			return
		}
		for _, st := range stored {
			if err := s.Redis.Put(ctx, board, nil, *st); err != nil {
				s.Log.Error("quiz: redis leaderboard write failed", "board", board, "err", err)
				return
			}
		}
	}
	clear(s.bw.remirror)
}
