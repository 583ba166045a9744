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

// gradeJob is one attempt graded in memory (prepare), waiting to be written.
type gradeJob struct {
	r     *Row
	a     *Attempt // with its graded columns set
	wrong []practice.WrongAnswer

	// The outcome, set by the writer: won is true for the one grading of the attempt that was
	// written.
	won bool
	err error
}

// failJob sets the outcome of a job whose batch could not be written at all.
func failJob(j *gradeJob, err error) { j.won, j.err = false, err }
