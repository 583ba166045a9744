package yearend

import (
	"context"
	"errors"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// The 学法档案: a learner's year results across campaigns, read from the close snapshots. Each
// campaign contributes the snapshot of its standing close (state done); a campaign that was
// reopened contributes nothing until it is closed again, since its result is being corrected.
// Results computed live while a campaign runs are not part of the record.

// archiveBatch is how many snapshot rows an archive export reads per query.
const archiveBatch = 2000

// Record is a learner's 学法档案.
type Record struct {
	Learner *LearnerRow
	Years   []RecordRow // newest campaign first
}

// LearnerRecord is the record of a learner the actor owns: an admin (or an integration client
// with results:read) whose subtree holds the learner's unit; anyone else gets 404.
func (s *Service) LearnerRecord(ctx context.Context, actor auth.Actor, learnerID int64) (*Record, error) {
	l, err := s.store.LearnerOf(ctx, learnerID)
	if errors.Is(err, ErrNotFound) || (err == nil && (!actor.CanAdminister() || !actor.Covers(l.UnitPath))) {
		return nil, errLearnerNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.record(ctx, l)
}

// MyRecord is the calling learner's own record.
func (s *Service) MyRecord(ctx context.Context, actor auth.Actor) (*Record, error) {
	l, err := s.store.LearnerByAccount(ctx, actor.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotALearner
	}
	if err != nil {
		return nil, err
	}
	return s.record(ctx, l)
}

func (s *Service) record(ctx context.Context, l *LearnerRow) (*Record, error) {
	rows, err := s.store.learnerRecord(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	return &Record{Learner: l, Years: rows}, nil
}

// Archive is a unit's archive across years: every snapshot row recorded in its subtree.
type Archive struct {
	Unit   unitRef
	closes []archiveClose
	store  *Store
}

// UnitArchive opens the archive of a unit of the actor's subtree (404 otherwise).
func (s *Service) UnitArchive(ctx context.Context, actor auth.Actor, unitID int64) (*Archive, error) {
	u, err := s.store.reportUnit(ctx, unitID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
		return nil, errUnitNotFound
	}
	if err != nil {
		return nil, err
	}
	closes, err := s.store.archiveCloses(ctx)
	if err != nil {
		return nil, err
	}
	return &Archive{Unit: u, closes: closes, store: s.store}, nil
}

// Each calls fn with every row of the archive: campaigns newest first, and in each the learners
// of the subtree by unit, read in keyset batches.
func (a *Archive) Each(ctx context.Context, fn func(*RecordRow) error) error {
	for _, c := range a.closes {
		after := archiveCursor{}
		for {
			rows, err := a.store.archivePage(ctx, c, a.Unit.Path, after, archiveBatch)
			if err != nil {
				return err
			}
			for i := range rows {
				if err := fn(&rows[i]); err != nil {
					return err
				}
			}
			if len(rows) < archiveBatch {
				break
			}
			last := rows[len(rows)-1]
			after = archiveCursor{UnitPath: last.UnitPath, LearnerID: last.LearnerID}
		}
	}
	return nil
}
