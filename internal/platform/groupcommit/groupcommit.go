// Package groupcommit writes the records of concurrent requests together. When many requests
// write at once (everyone submits an exam at the bell, a quiz round opens), the cost of a write
// is its statements and its commit, not its work: so writes that arrive while batches are being
// written queue up, and the next batch writes all of them in one transaction with multi-row
// statements. Alone, a write is a batch of one.
//
// There is no background goroutine to start or stop: a caller that finds a write lane free
// writes a batch; when it is done it hands the lane, with the next batch, to the caller of that
// batch's oldest job, so nobody writes more than one batch for the others.
package groupcommit

import (
	"context"
	"fmt"
	"sync"
)

// Committer batches jobs of type J (a pointer type carrying its own outcome).
type Committer[J any] struct {
	write    func(ctx context.Context, batch []J)
	fail     func(job J, err error)
	lanes    int
	maxBatch int

	mu      sync.Mutex
	pending []*entry[J]
	writing int // lanes in use: a batch being written, or handed to a caller
}

type entry[J any] struct {
	job J
	// wake carries true once the job's outcome is set, or false when its caller must write
	// the batch in next.
	wake chan bool
	next []*entry[J]
}

// New builds a committer. write writes a batch and sets every job's outcome; fail sets a
// job's outcome when write panicked. lanes is how many batches may be written at once (a
// batch's statements run one after another on one connection, so a second lane keeps a second
// core busy, at the price of smaller batches); maxBatch caps a batch.
func New[J any](lanes, maxBatch int, write func(ctx context.Context, batch []J), fail func(job J, err error)) *Committer[J] {
	return &Committer[J]{write: write, fail: fail, lanes: max(lanes, 1), maxBatch: max(maxBatch, 1)}
}

// Run queues jobs and returns once each has its outcome.
func (c *Committer[J]) Run(ctx context.Context, jobs ...J) {
	mine := make([]*entry[J], len(jobs))
	for i, j := range jobs {
		mine[i] = &entry[J]{job: j, wake: make(chan bool, 1)}
	}
	c.mu.Lock()
	c.pending = append(c.pending, mine...)
	var batch []*entry[J]
	if c.writing < c.lanes {
		c.writing++
		batch = c.take()
	}
	c.mu.Unlock()
	if batch != nil {
		c.flush(ctx, batch)
	}
	for _, e := range mine {
		for done := false; !done; {
			if done = <-e.wake; !done {
				c.flush(ctx, e.next)
			}
		}
	}
}

// take removes the oldest pending jobs, a batch's worth (c.mu held).
func (c *Committer[J]) take() []*entry[J] {
	n := min(len(c.pending), c.maxBatch)
	batch := append([]*entry[J](nil), c.pending[:n]...)
	c.pending = append(c.pending[:0:0], c.pending[n:]...)
	return batch
}

// flush writes a batch, then hands the lane on. The batch runs on a context that this caller's
// cancellation cannot end: a client that disconnects must not fail the others' writes.
func (c *Committer[J]) flush(ctx context.Context, batch []*entry[J]) {
	jobs := make([]J, len(batch))
	for i, e := range batch {
		jobs[i] = e.job
	}
	defer func() {
		if p := recover(); p != nil {
			for _, j := range jobs {
				c.fail(j, fmt.Errorf("groupcommit: batch panicked: %v", p))
			}
			c.handOn(batch)
			panic(p)
		}
		c.handOn(batch)
	}()
	c.write(context.WithoutCancel(ctx), jobs)
}

// handOn signals a written batch's callers and passes the lane, with the next batch, to the
// caller of its oldest job (the batch leaves the queue now, so no other lane can take it).
func (c *Committer[J]) handOn(batch []*entry[J]) {
	for _, e := range batch {
		e.wake <- true
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

// Pending is how many jobs wait for a lane (tests).
func (c *Committer[J]) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Writing is how many lanes are in use (tests).
func (c *Committer[J]) Writing() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writing
}
