package groupcommit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/platform/groupcommit"
)

type job struct {
	id  int
	won bool
}

// With one lane, jobs that arrive while a batch is being written wait and go together in the
// next batches (at most 64 each), each written by one of their own callers; every caller
// gets its own outcome.
func TestCommitterBatchesWaitingJobs(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := groupcommit.New(1, 64, func(_ context.Context, batch []*job) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
		}
		for _, j := range batch {
			j.won = j.id%2 == 0
		}
	}, nil)
	var wg sync.WaitGroup
	jobs := make([]*job, 101)
	for i := range jobs {
		jobs[i] = &job{id: i}
	}
	wg.Go(func() { c.Run(t.Context(), jobs[0]) })
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sizes) == 1 }, 5*time.Second, time.Millisecond)
	for _, j := range jobs[1:] {
		wg.Go(func() { c.Run(t.Context(), j) })
	}
	require.Eventually(t, func() bool { return c.Pending() == 100 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, []int{1, 64, 36}, sizes)
	for i, j := range jobs {
		assert.Equal(t, i%2 == 0, j.won, "job %d", i)
	}
	assert.Zero(t, c.Writing(), "the lane is free again")
}

// With two lanes, two batches are written at once, and jobs queued meanwhile are split
// between the lanes as they free up; nobody is left waiting.
func TestCommitterWritesTwoBatchesAtOnce(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := groupcommit.New(2, 64, func(_ context.Context, batch []*job) {
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
	}, nil)
	written := func() int { mu.Lock(); defer mu.Unlock(); return len(sizes) }
	var wg sync.WaitGroup
	jobs := make([]*job, 101)
	for i := range jobs {
		jobs[i] = &job{id: i}
	}
	wg.Go(func() { c.Run(t.Context(), jobs[0]) })
	require.Eventually(t, func() bool { return written() == 1 }, 5*time.Second, time.Millisecond)
	wg.Go(func() { c.Run(t.Context(), jobs[1]) })
	require.Eventually(t, func() bool { return written() == 2 }, 5*time.Second, time.Millisecond)
	for _, j := range jobs[2:] {
		wg.Go(func() { c.Run(t.Context(), j) })
	}
	require.Eventually(t, func() bool { return c.Pending() == 99 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, []int{1, 1}, sizes[:2])
	assert.ElementsMatch(t, []int{64, 35}, sizes[2:])
	for i, j := range jobs {
		assert.True(t, j.won, "job %d", i)
	}
	assert.Zero(t, c.Writing())
}

// A batch whose write panics still gives every job an outcome (through fail), so no caller
// waits forever; the panic goes on in the caller that was writing.
func TestCommitterFailsTheJobsOfAPanickingBatch(t *testing.T) {
	var failed []int
	c := groupcommit.New(1, 64, func(context.Context, []*job) { panic("boom") }, func(j *job, err error) {
		assert.ErrorContains(t, err, "boom")
		failed = append(failed, j.id)
	})
	assert.PanicsWithValue(t, "boom", func() { c.Run(t.Context(), &job{id: 1}, &job{id: 2}) })
	assert.Equal(t, []int{1, 2}, failed)
	assert.Zero(t, c.Writing(), "the lane is free again")
}
