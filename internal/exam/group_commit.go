package exam

import (
	"context"
	"fmt"
	"sync"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/practice"
)

// maxBatch caps how many gradings one transaction writes: enough for every client of a busy
// replica, small enough that the statements stay far below the dialects' parameter limits.
const maxBatch = 64

// writeLanes is how many batches may be written at once. A batch's statements run one after
// another on one database connection, so with a single lane the database works on one core
// while the next batch waits; two lanes keep a second core busy, at the price of smaller
// batches and (rare, retried) deadlocks between them.
const writeLanes = 2

// gradeJob is one attempt graded in memory (prepare), waiting to be written.
type gradeJob struct {
	r     *Row
	a     *Attempt // with its graded columns set
	wrong []practice.WrongAnswer
	award *credit.Award // nil unless it passed and the campaign grants exam credit

	// The outcome, set by the writer before it signals wake: won is true for the one grading of
	// the attempt that was written.
	won bool
	err error
	// wake carries true once the outcome is set, or false when this job's caller must write
	// the batch in next (see committer).
	wake chan bool
	next []*gradeJob
}

// committer is the group commit of gradings. When everyone submits at once, the cost of a
// grading is its statements, not its work: so gradings that arrive while batches are being
// written queue up, and the next batch writes all of them (up to maxBatch) in one transaction
// with multi-row statements. There is no background goroutine: a caller that finds a lane free
// writes a batch; when it is done it hands the lane, with the next batch, to the caller of that
// batch's oldest job, so nobody writes more than one batch for the others.
type committer struct {
	write func(ctx context.Context, batch []*gradeJob) // sets every job's outcome
	lanes int

	mu      sync.Mutex
	pending []*gradeJob
	writing int // lanes in use: a batch being written, or handed to a caller
}

// run queues jobs and returns once each has its outcome.
func (c *committer) run(ctx context.Context, jobs ...*gradeJob) {
	for _, j := range jobs {
		j.wake = make(chan bool, 1)
	}
	c.mu.Lock()
	c.pending = append(c.pending, jobs...)
	var batch []*gradeJob
	if c.writing < max(c.lanes, 1) {
		c.writing++
		batch = c.take()
	}
	c.mu.Unlock()
	if batch != nil {
		c.flush(ctx, batch)
	}
	for _, j := range jobs {
		for done := false; !done; {
			if done = <-j.wake; !done {
				c.flush(ctx, j.next)
			}
		}
	}
}

// take removes the oldest pending jobs, a batch's worth (c.mu held).
func (c *committer) take() []*gradeJob {
	n := min(len(c.pending), maxBatch)
	batch := append([]*gradeJob(nil), c.pending[:n]...)
	c.pending = append(c.pending[:0:0], c.pending[n:]...)
	return batch
}

// flush writes a batch, then hands the lane on. The batch runs on a context that this caller's
// cancellation cannot end: a client that disconnects must not fail the others' gradings.
func (c *committer) flush(ctx context.Context, batch []*gradeJob) {
	defer func() {
		if p := recover(); p != nil {
			for _, j := range batch {
				j.won, j.err = false, fmt.Errorf("exam: grading batch panicked: %v", p)
			}
			c.handOn(batch)
			panic(p)
		}
		c.handOn(batch)
	}()
	c.write(context.WithoutCancel(ctx), batch)
}

// handOn signals a written batch's callers and passes the lane, with the next batch, to the
// caller of its oldest job (the batch leaves the queue now, so no other lane can take it).
func (c *committer) handOn(batch []*gradeJob) {
	for _, j := range batch {
		j.wake <- true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		c.writing--
		return
	}
	next := c.take()
	next[0].next = next
	next[0].wake <- false
}
