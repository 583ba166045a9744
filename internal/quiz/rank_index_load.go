package quiz

import (
	"context"
	"slices"
	"time"
)

// indexedAhead counts the stored standings ahead of me on a board from this process's index;
// ok is false while the index is not ready. It starts the board's load, or a drift check, when
// one is due.
func (s *Service) indexedAhead(board string, me Standing) (n int64, ok bool) {
	x := &s.index
	x.mu.Lock()
	defer x.mu.Unlock()
	b := s.useIndex(board)
	if !b.ready {
		return 0, false
	}
	if !b.checking && time.Since(b.checked) >= indexDriftCheck {
		b.checking, b.checked = true, time.Now()
		go s.driftCheck(board, b)
	}
	return b.ahead(entryOf(me)), true
}

// warmIndex starts loading a board's index if it is not kept yet (a play start: its submit
// follows).
func (s *Service) warmIndex(board string) {
	s.index.mu.Lock()
	defer s.index.mu.Unlock()
	s.useIndex(board)
}

// LoadRankIndex loads a round board's index now and waits for it (warm-up and tests).
func (s *Service) LoadRankIndex(ctx context.Context, roundID int64) error {
	board := RoundBoard(roundID)
	s.index.mu.Lock()
	b, _ := s.index.boardOf(board, time.Now())
	s.index.mu.Unlock()
	return s.loadIndex(ctx, board, b, nil)
}

// boardOf returns a board's index, creating it on first use (x.mu held).
func (x *rankIndex) boardOf(board string, now time.Time) (b *boardIndex, created bool) {
	if b = x.boards[board]; b == nil {
		b, created = &boardIndex{}, true
		if x.boards == nil {
			x.boards = map[string]*boardIndex{}
		}
		x.boards[board] = b
	}
	b.used = now
	return b, created
}

// useIndex returns a board's index, starting its load on first use, and drops the boards
// nobody used for indexIdle (x.mu held).
func (s *Service) useIndex(board string) *boardIndex {
	now := time.Now()
	for name, b := range s.index.boards {
		if now.Sub(b.used) > indexIdle {
			delete(s.index.boards, name)
		}
	}
	b, created := s.index.boardOf(board, now)
	if created {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := s.loadIndex(ctx, board, b, nil); err != nil {
				s.Log.Error("quiz: loading a board's rank index failed; ranks come from SQL until the next try", "board", board, "err", err)
			}
		}()
	}
	return b
}

// loadIndex reads a board's standings (all, or those of the given buckets) into its index and
// replays onto them the folds applied while it read. A failed first load forgets the board, so
// its next use tries again.
func (s *Service) loadIndex(ctx context.Context, board string, b *boardIndex, ids []int64) error {
	x := &s.index
	l := &indexLoad{}
	x.mu.Lock()
	b.loads = append(b.loads, l)
	x.mu.Unlock()
	rows, err := s.Board.Entries(ctx, board, ids)
	x.mu.Lock()
	defer x.mu.Unlock()
	b.loads = slices.DeleteFunc(b.loads, func(o *indexLoad) bool { return o == l })
	if err != nil {
		if ids == nil && !b.ready && x.boards[board] == b {
			delete(x.boards, board)
		}
		return err
	}
	b.replace(ids, rows)
	for _, w := range l.writes {
		b.apply(w)
	}
	if ids == nil {
		b.ready = true
	}
	return nil
}

// CheckRankIndex runs a round board's drift check now, if its index is kept (tests).
func (s *Service) CheckRankIndex(ctx context.Context, roundID int64) error {
	s.index.mu.Lock()
	b := s.index.boards[RoundBoard(roundID)]
	s.index.mu.Unlock()
	if b == nil {
		return nil
	}
	for { // a fold overlapping the check (a scheduled flush) makes it skip: try again
		done, err := s.checkDrift(ctx, RoundBoard(roundID), b)
		if done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// driftCheck runs a drift check in the background.
func (s *Service) driftCheck(board string, b *boardIndex) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.checkDrift(ctx, board, b); err != nil {
		s.Log.Error("quiz: rank index drift check failed", "board", board, "err", err)
	}
	s.index.mu.Lock()
	b.checking = false
	s.index.mu.Unlock()
}

// checkDrift reloads the buckets whose stored count differs from the index: other replicas'
// folds. It compares only when no fold of this process overlapped reading the counts (a fold
// committed but not yet applied would look like drift); otherwise it reports not done and the
// next check compares.
func (s *Service) checkDrift(ctx context.Context, board string, b *boardIndex) (done bool, err error) {
	x := &s.index
	x.mu.Lock()
	busy, gen := x.inflight > 0, x.gen
	x.mu.Unlock()
	if busy {
		return false, nil
	}
	stored, err := s.Board.Buckets(ctx, board)
	if err != nil {
		return false, err
	}
	x.mu.Lock()
	done = x.gen == gen && x.inflight == 0
	var ids []int64
	if done && b.ready { // an index still loading has nothing to compare yet
		ids = b.differing(stored)
	}
	x.mu.Unlock()
	for chunk := range slices.Chunk(ids, indexLoadChunk) {
		if err := s.loadIndex(ctx, board, b, chunk); err != nil {
			return false, err
		}
	}
	return done, nil
}
