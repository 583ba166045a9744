package exam

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With one lane, jobs that arrive while a batch is being written wait and go together in the
// next batches (at most maxBatch each), each written by one of their own callers; every caller
// gets its own outcome.
func TestCommitterBatchesWaitingJobs(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := &committer{lanes: 1, write: func(_ context.Context, batch []*gradeJob) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
		}
		for _, j := range batch {
			j.won = j.a.ID%2 == 0
		}
	}}
	var wg sync.WaitGroup
	jobs := make([]*gradeJob, 101)
	for i := range jobs {
		jobs[i] = &gradeJob{a: &Attempt{ID: int64(i)}}
	}
	wg.Go(func() { c.run(t.Context(), jobs[0]) })
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sizes) == 1 }, 5*time.Second, time.Millisecond)
	for _, j := range jobs[1:] {
		wg.Go(func() { c.run(t.Context(), j) })
	}
	require.Eventually(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) == 100 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, []int{1, 64, 36}, sizes)
	for i, j := range jobs {
		assert.Equal(t, i%2 == 0, j.won, "job %d", i)
	}
	assert.Zero(t, c.writing, "the lane is free again")
}

// With two lanes, two batches are written at once, and jobs queued meanwhile are split
// between the lanes as they free up; nobody is left waiting.
func TestCommitterWritesTwoBatchesAtOnce(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := &committer{lanes: 2, write: func(_ context.Context, batch []*gradeJob) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		blocked := len(sizes) <= 2
		mu.Unlock()
		if blocked {
			<-release
		}
		for _, j := range batch {
			j.won = true
		}
	}}
	written := func() int { mu.Lock(); defer mu.Unlock(); return len(sizes) }
	var wg sync.WaitGroup
	jobs := make([]*gradeJob, 101)
	for i := range jobs {
		jobs[i] = &gradeJob{a: &Attempt{ID: int64(i)}}
	}
	wg.Go(func() { c.run(t.Context(), jobs[0]) })
	require.Eventually(t, func() bool { return written() == 1 }, 5*time.Second, time.Millisecond)
	wg.Go(func() { c.run(t.Context(), jobs[1]) })
	require.Eventually(t, func() bool { return written() == 2 }, 5*time.Second, time.Millisecond)
	for _, j := range jobs[2:] {
		wg.Go(func() { c.run(t.Context(), j) })
	}
	require.Eventually(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) == 99 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, []int{1, 1}, sizes[:2])
	assert.ElementsMatch(t, []int{64, 35}, sizes[2:])
	for i, j := range jobs {
		assert.True(t, j.won, "job %d", i)
	}
	assert.Zero(t, c.writing)
}
