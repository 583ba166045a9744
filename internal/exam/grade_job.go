package exam

import "github.com/xuefa/xuefa/internal/practice"

// Gradings are written by group commit (platform/groupcommit): when everyone submits at once,
// the gradings that arrive while batches are being written go together in the next batch.

// maxBatch caps how many gradings one transaction writes: enough for every client of a busy
// replica, small enough that the statements stay far below the dialects' parameter limits.
const maxBatch = 64

// writeLanes is how many batches may be written at once. A batch's statements run one after
// another on one database connection, so with a single lane the database works on one core
// while the next batch waits; two lanes keep a second core busy, at the price of smaller
// batches and (rare, retried) deadlocks between them.
const writeLanes = 2

// gradeJob asks for one attempt to be graded: by its learner (a submit), by the deadline (the
// sweeper, lazy finalisation). The writer reads and grades the attempt inside the batch's
// transaction, so a submit costs no statement of its own.
type gradeJob struct {
	attemptID int64
	accountID int64 // the attempt's owner for a learner's submit (another's attempt is not found); 0: any
	by        string
	key       *string // the submit's Idempotency-Key

	// The outcome, set by the writer: a is the attempt as the batch left it (nil when not
	// found) and r its exam; won is true for the one grading of the attempt that was written.
	a     *Attempt
	r     *Row
	won   bool
	err   error
	wrong []practice.WrongAnswer // the winner's wrong answers, for the wrong-answer book
}

// failJob sets the outcome of a job whose batch could not be written at all.
func failJob(j *gradeJob, err error) { j.won, j.err = false, err }
