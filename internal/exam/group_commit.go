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
	// the next batch (see committer).
	wake chan bool
}

// committer is the group commit of gradings. When everyone submits at once, the cost of a
// grading is its statements, not its work: so gradings that arrive while a batch is being
// written queue up, and the next batch writes all of them (up to maxBatch) in one transaction
// with multi-row statements. There is no background goroutine: the caller that finds no batch
// in progress writes one; when it is done it hands the turn to the oldest waiting caller, so
// nobody writes more than one batch for the others.
type committer struct {
	write func(ctx context.Context, batch []*gradeJob) // sets every job's outcome

	mu      sync.Mutex
	pending []*gradeJob
	busy    bool // a caller is writing a batch, or has been handed the turn
}

// run queues jobs and returns once each has its outcome.
func (c *committer) run(ctx context.Context, jobs ...*gradeJob) {
	for _, j := range jobs {
		j.wake = make(chan bool, 1)
	}
	c.mu.Lock()
	c.pending = append(c.pending, jobs...)
	lead := !c.busy
	c.busy = true
	c.mu.Unlock()
	if lead {
		c.flush(ctx)
	}
	for _, j := range jobs {
		for done := false; !done; {
			if done = <-j.wake; !done {
				c.flush(ctx)
			}
		}
	}
}

// flush writes the oldest pending jobs as one batch, then hands the turn on. The batch runs
// on a context that this caller's cancellation cannot end: a client that disconnects must not
// fail the others' gradings.
func (c *committer) flush(ctx context.Context) {
	c.mu.Lock()
	n := min(len(c.pending), maxBatch)
	batch := append([]*gradeJob(nil), c.pending[:n]...)
	c.pending = append(c.pending[:0:0], c.pending[n:]...)
	c.mu.Unlock()
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

// handOn signals a written batch's callers and passes the turn to the oldest waiting job.
func (c *committer) handOn(batch []*gradeJob) {
	for _, j := range batch {
		j.wake <- true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		c.busy = false
		return
	}
	c.pending[0].wake <- false
}
