package yearend

import (
	"context"
	"errors"
	"strings"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
)

// subtreeBatch is how many learners SubtreeResults reads or computes per round trip.
const subtreeBatch = 2000

// Batch is the live results ("as if the year ended today", CloseNo 0) of up to limit learners
// of the campaign's audience with learner id > after, ascending by id, under formula f.
//
// The audience is every active learner in the organiser unit's subtree, plus learners who left
// (status left) but hold credit in the campaign: what they earned before leaving stays in the
// year's figures, while those who left without earning anything are not counted as 应参学.
// Learners are placed in the unit they are in now.
//
// It reads one query per kind of fact for the whole batch (learners, summaries, exams counted,
// exam results, attendance, 述法, exemptions), never one per learner.
func (s *Service) Batch(ctx context.Context, c *campaign.Row, f Formula, after int64, limit int) ([]Result, error) {
	learners, err := s.store.AudiencePage(ctx, Audience{CampaignID: c.ID, PathPrefix: c.UnitPath, After: after}, 0, limit)
	if err != nil {
		return nil, err
	}
	return s.compute(ctx, c, f, learners)
}

// targetsOf maps track → the campaign's credit target.
func targetsOf(c *campaign.Row) map[string]credit.Amount {
	return map[string]credit.Amount{"leader": c.TargetLeader, "general": c.TargetGeneral, "judicial": c.TargetJudicial}
}

// compute loads the facts of the learners in bulk and computes each one's result.
func (s *Service) compute(ctx context.Context, c *campaign.Row, f Formula, learners []LearnerRow) ([]Result, error) {
	out := make([]Result, 0, len(learners))
	if len(learners) == 0 {
		return out, nil
	}
	ids := make([]int64, len(learners))
	for i, l := range learners {
		ids[i] = l.ID
	}
	facts, err := s.facts(ctx, c.ID, f, ids)
	if err != nil {
		return nil, err
	}
	targets, now := targetsOf(c), s.now()
	for _, l := range learners {
		in := facts.of(l)
		r := Compute(f, c.ID, targets, in)
		r.CreatedAt = now
		out = append(out, r)
	}
	return out, nil
}

// batchFacts are the facts of one batch of learners, by learner id.
type batchFacts struct {
	summaries map[int64]credit.Summary
	exams     map[int64]*ExamFacts
	attended  map[int64]int
	reports   map[int64]int
	exempt    map[int64]bool
}

func (b batchFacts) of(l LearnerRow) Facts {
	return Facts{LearnerID: l.ID, UnitID: l.UnitID, UnitPath: l.UnitPath, Name: l.Name, Track: l.Track,
		Summary: b.summaries[l.ID], Exam: b.exams[l.ID], Exempt: b.exempt[l.ID],
		EventsAttended: b.attended[l.ID], LawReports: b.reports[l.ID]}
}

func (s *Service) facts(ctx context.Context, campaignID int64, f Formula, ids []int64) (batchFacts, error) {
	var b batchFacts
	sums, err := s.store.Summaries(ctx, campaignID, ids)
	if err != nil {
		return b, err
	}
	b.summaries = make(map[int64]credit.Summary, len(sums))
	for _, sm := range sums {
		b.summaries[sm.LearnerID] = sm
	}
	if b.exams, err = s.countedExams(ctx, f, ids); err != nil {
		return b, err
	}
	if b.attended, err = s.store.Attendance(ctx, campaignID, ids); err != nil {
		return b, err
	}
	if b.reports, err = s.store.ApprovedLawReports(ctx, campaignID, ids); err != nil {
		return b, err
	}
	b.exempt, err = s.store.ExemptIDs(ctx, campaignID, ids)
	return b, err
}

// countedExams is each learner's counted exam: the best result among the formula's main exam
// and its make-ups, by share of the full score (a tie keeps the earlier exam, the main one).
func (s *Service) countedExams(ctx context.Context, f Formula, ids []int64) (map[int64]*ExamFacts, error) {
	out := map[int64]*ExamFacts{}
	if f.ExamID == nil {
		return out, nil
	}
	examIDs, err := s.store.CountedExams(ctx, *f.ExamID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ExamResults(ctx, examIDs, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		cur, seen := out[r.LearnerID]
		if !seen || better(r, cur) {
			out[r.LearnerID] = &ExamFacts{ExamID: r.ExamID, Score: r.Score, MaxScore: r.MaxScore, Passed: r.Passed}
		}
	}
	return out, nil
}

// better reports whether r scored a larger share of its full score than cur (cross-multiplied,
// so exams with different full scores compare exactly).
func better(r ExamResultRow, cur *ExamFacts) bool {
	return hundredths(r.Score)*hundredths(cur.MaxScore) > hundredths(cur.Score)*hundredths(r.MaxScore)
}

// within is the narrower of a unit's path and a campaign's organiser path when one contains the
// other (the learners of both), or "" when the two subtrees do not meet.
func within(unitPath, campaignPath string) string {
	switch {
	case strings.HasPrefix(unitPath, campaignPath):
		return unitPath
	case strings.HasPrefix(campaignPath, unitPath):
		return campaignPath
	}
	return ""
}

// SubtreeResults is every result of the learners under unitPath in the campaign: the snapshot
// of the campaign's standing close (closeNo > 0) if it is closed, else the live results
// (closeNo 0, under the current formula), computed in batches. Rows are ascending by learner id.
func (s *Service) SubtreeResults(ctx context.Context, c *campaign.Row, unitPath string) (int, []Result, error) {
	path := within(unitPath, c.UnitPath)
	cl, err := s.standingClose(ctx, c.ID)
	if err != nil {
		return 0, nil, err
	}
	out := []Result{}
	if path == "" {
		return closeNoOf(cl), out, nil
	}
	if cl != nil {
		for after := int64(0); ; {
			rows, err := s.store.FrozenAfter(ctx, Frozen{CampaignID: c.ID, CloseNo: cl.CloseNo, PathPrefix: path}, after, subtreeBatch)
			if err != nil {
				return 0, nil, err
			}
			out = append(out, rows...)
			if len(rows) < subtreeBatch {
				return cl.CloseNo, out, nil
			}
			after = rows[len(rows)-1].LearnerID
		}
	}
	f, err := s.FormulaOf(ctx, c.ID)
	if err != nil {
		return 0, nil, err
	}
	for after := int64(0); ; {
		learners, err := s.store.AudiencePage(ctx, Audience{CampaignID: c.ID, PathPrefix: path, After: after}, 0, subtreeBatch)
		if err != nil {
			return 0, nil, err
		}
		rows, err := s.compute(ctx, c, f, learners)
		if err != nil {
			return 0, nil, err
		}
		out = append(out, rows...)
		if len(learners) < subtreeBatch {
			return 0, out, nil
		}
		after = learners[len(learners)-1].ID
	}
}

// standingClose is the close whose snapshot stands for the campaign: its latest done close
// (nil when never closed, still closing, or reopened: results are live then).
func (s *Service) standingClose(ctx context.Context, campaignID int64) (*Close, error) {
	cl, err := s.store.LastDoneClose(ctx, campaignID)
	if errors.Is(err, errNoClose) {
		return nil, nil
	}
	return cl, err
}

func closeNoOf(cl *Close) int {
	if cl == nil {
		return 0
	}
	return cl.CloseNo
}
