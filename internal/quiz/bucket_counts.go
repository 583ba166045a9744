package quiz

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// bucketRefresh bounds how long a board's bucket counts in memory may miss what other
// replicas' board writers folded; this process's own folds are applied at once.
const bucketRefresh = 5 * time.Second

// bucketCounts keeps each board's bucket counts (players per ~1 s of duration within a score) in
// memory for the rank a submit answers with: the players of better buckets are a sum over a
// short sorted slice instead of a range scan of quiz_score_buckets on every submit. The board
// writer applies its own folds to the counts right after committing them (before it forgets the
// plays as pending, so no player is missed or counted twice in between); a reload replaces
// them every bucketRefresh.
type bucketCounts struct {
	mu     sync.Mutex
	gen    uint64 // bumped by every applied fold: a reload that overlapped one is not kept
	boards map[string]*bucketSnapshot
	loads  singleflight.Group
}

type bucketSnapshot struct {
	loaded  time.Time
	buckets []BucketCount
}

// BucketCount is a bucket and its number of players.
type BucketCount struct {
	Bucket int64
	N      int64
}

// above counts the players in buckets before bucket.
func (b *bucketSnapshot) above(bucket int64) int64 {
	var n int64
	for _, c := range b.buckets {
		if c.Bucket >= bucket {
			break
		}
		n += c.N
	}
	return n
}

func (b *bucketSnapshot) add(bucket, delta int64) {
	i, found := slices.BinarySearchFunc(b.buckets, bucket, func(c BucketCount, t int64) int { return cmp.Compare(c.Bucket, t) })
	if !found {
		b.buckets = slices.Insert(b.buckets, i, BucketCount{Bucket: bucket})
	}
	b.buckets[i].N += delta
}

// playersAbove counts a board's players in buckets before bucket, from memory when fresh.
func (s *Service) playersAbove(ctx context.Context, board string, bucket int64) (int64, error) {
	c := &s.buckets
	c.mu.Lock()
	snap := c.boards[board]
	if snap != nil && time.Since(snap.loaded) < bucketRefresh {
		n := snap.above(bucket)
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	// One reload per board for all the submits that find it stale at once.
	got, err, _ := c.loads.Do(board, func() (any, error) { return s.loadBuckets(context.WithoutCancel(ctx), board) })
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return got.(*bucketSnapshot).above(bucket), nil
}

// loadBuckets reads a board's bucket counts and keeps them unless a fold was applied meanwhile
// (the read may have missed it; the next submit reloads).
func (s *Service) loadBuckets(ctx context.Context, board string) (*bucketSnapshot, error) {
	c := &s.buckets
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	loaded, err := s.Board.Buckets(ctx, board)
	if err != nil {
		return nil, err
	}
	fresh := &bucketSnapshot{loaded: time.Now(), buckets: loaded}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.boards == nil {
		c.boards = map[string]*bucketSnapshot{}
	}
	if c.gen == gen {
		c.boards[board] = fresh
	}
	return fresh, nil
}

// applyFold moves the kept bucket counts by a committed fold's writes.
func (s *Service) applyFold(writes []boardWrite) {
	c := &s.buckets
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, w := range writes {
		snap := c.boards[w.board]
		if snap == nil {
			continue
		}
		if w.old != nil {
			snap.add(RankKey(w.old.Score, w.old.DurationMs)>>bucketShift, -1)
		}
		snap.add(RankKey(w.next.Score, w.next.DurationMs)>>bucketShift, 1)
	}
}
