package exam

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Jobs that arrive while a batch is being written wait and go together in the next batches
// (at most maxBatch each), each written by one of their own callers; every caller gets its
// own outcome.
func TestCommitterBatchesWaitingJobs(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := &committer{write: func(_ context.Context, batch []*gradeJob) {
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
	assert.False(t, c.busy, "the turn is free again")
}
