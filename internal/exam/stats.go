package exam

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// ResultsInput narrows a results listing.
type ResultsInput struct {
	UnitID     int64 // a unit of the exam's subtree (0: the exam's unit)
	Passed     *bool
	NotStarted bool
	Offset     int
	Limit      int
}

// audienceOf builds the audience filter of an exam the actor owns.
func (s *Service) audienceOf(ctx context.Context, actor auth.Actor, examID, unitID int64) (*Row, AudienceFilter, error) {
	r, err := s.owned(ctx, actor, examID)
	if err != nil {
		return nil, AudienceFilter{}, err
	}
	f := AudienceFilter{ExamID: r.ID, UnitPath: r.UnitPath, Tracks: r.audienceTracks()}
	ids := append(r.unitIDs(), unitID)
	paths, err := s.Store.UnitPaths(ctx, ids)
	if err != nil {
		return nil, f, err
	}
	for _, id := range r.unitIDs() {
		if p, ok := paths[id]; ok {
			f.UnitPaths = append(f.UnitPaths, p)
		}
	}
	if unitID != 0 {
		p, ok := paths[unitID]
		if !ok || !actor.Covers(p) {
			return nil, f, apperr.Invalid("exam.unit_not_found", "单位不存在", apperr.Field("unit_id", "单位不存在或不在管辖范围内"))
		}
		if len(p) > len(f.UnitPath) {
			f.UnitPath = p
		}
	}
	return r, f, nil
}

// Results lists the exam's audience with each learner's counted result.
func (s *Service) Results(ctx context.Context, actor auth.Actor, examID int64, in ResultsInput) ([]ResultRow, int64, error) {
	_, f, err := s.audienceOf(ctx, actor, examID, in.UnitID)
	if err != nil {
		return nil, 0, err
	}
	f.Passed, f.NotStarted = in.Passed, in.NotStarted
	return s.Store.Results(ctx, f, in.Offset, in.Limit)
}

// UnitStats are one unit's figures (or the total's, UnitID 0).
type UnitStats struct {
	UnitID        int64
	UnitName      string
	Expected      int     // 应参考
	Took          int     // 参考: with a finished attempt
	Passed        int     // 通过
	Absent        int     // 未参加
	Participation float64 // Took / Expected
	PassRate      float64 // Passed / Took
	Average       float64 // of the counted scores of those who took it
}

// Band is a score band (percent of full marks) and how many learners fall in it.
type Band struct {
	Label string
	Count int
}

// QuestionStats are one question's item statistics over the counted attempts.
type QuestionStats struct {
	QuestionID int64
	Stem       string
	Served     int
	// Facility is the mean share of the points earned (1 = everyone right).
	Facility float64
	// Discrimination is the facility in the top 27% of learners by score minus that in the
	// bottom 27% (nil when fewer than two learners were served the question in those groups).
	Discrimination *float64
}

// Stats are an exam's statistics.
type Stats struct {
	ExamID       int64
	Total        UnitStats
	Units        []UnitStats
	Distribution []Band
	Questions    []QuestionStats
}

// bands are the score bands of the distribution, by percent of full marks.
var bands = []struct {
	label string
	from  float64
}{{"0-59", 0}, {"60-69", 60}, {"70-79", 70}, {"80-89", 80}, {"90-100", 90}}

// Stats computes an exam's statistics for its owning admins: per unit (应参考/参考/通过/未参加,
// rates, average), the score distribution and per-question facility and discrimination.
func (s *Service) Stats(ctx context.Context, actor auth.Actor, examID, unitID int64) (*Stats, error) {
	r, f, err := s.audienceOf(ctx, actor, examID, unitID)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.AllResults(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &Stats{ExamID: r.ID, Units: []UnitStats{}, Distribution: make([]Band, len(bands))}
	for i, b := range bands {
		out.Distribution[i].Label = b.label
	}
	byUnit := map[int64]*UnitStats{}
	sums := map[int64]float64{}
	for _, row := range rows {
		u, ok := byUnit[row.UnitID]
		if !ok {
			out.Units = append(out.Units, UnitStats{UnitID: row.UnitID, UnitName: row.UnitName})
			u = &out.Units[len(out.Units)-1]
			byUnit = reindex(out.Units)
			u = byUnit[row.UnitID]
		}
		for _, st := range []*UnitStats{u, &out.Total} {
			st.Expected++
			if row.Score != nil {
				st.Took++
				if row.Passed != nil && *row.Passed {
					st.Passed++
				}
			}
		}
		if row.Score != nil {
			sums[row.UnitID] += *row.Score
			sums[0] += *row.Score
			pct := 0.0
			if row.MaxScore != nil && *row.MaxScore > 0 {
				pct = *row.Score * 100 / *row.MaxScore
			}
			k := 0
			for i, b := range bands {
				if pct >= b.from {
					k = i
				}
			}
			out.Distribution[k].Count++
		}
	}
	for i := range out.Units {
		finish(&out.Units[i], sums[out.Units[i].UnitID])
	}
	finish(&out.Total, sums[0])
	if out.Questions, err = s.questionStats(ctx, r.ID); err != nil {
		return nil, err
	}
	return out, s.feedQuestionStats(ctx, r.ID, out.Questions, false)
}

// feedQuestionStats writes an exam's per-question statistics where the question bank reads
// them (its item statistics add them up over exams). Only the feed after the exam closed
// (closed true) marks the exam fed: an admin reading the statistics in the last minutes, before
// the sweeper has graded the attempts still open at the close, must not stop that feed.
func (s *Service) feedQuestionStats(ctx context.Context, examID int64, qs []QuestionStats, closed bool) error {
	now := s.now()
	rows := make([]QuestionStatsRow, len(qs))
	for i, q := range qs {
		rows[i] = QuestionStatsRow{ExamID: examID, QuestionID: q.QuestionID, Served: q.Served, Facility: q.Facility,
			Discrimination: q.Discrimination, ComputedAt: now}
	}
	var fedAt *time.Time
	if closed {
		fedAt = &now
	}
	return database.WithTx(ctx, s.DB, func(ctx context.Context) error { return s.Store.SaveQuestionStats(ctx, examID, rows, fedAt) })
}

// FeedClosedExams feeds the question statistics of every exam whose window closed (and whose
// last attempts' grace ran out) since they were last fed, and returns how many it fed. The
// sweeper runs it after finalising those attempts.
func (s *Service) FeedClosedExams(ctx context.Context) (int, error) {
	ids, err := s.Store.ExamsToFeed(ctx, s.now().Add(-s.Settings.Grace), 20)
	if err != nil {
		return 0, err
	}
	for fed, id := range ids {
		qs, err := s.questionStats(ctx, id)
		if err == nil {
			err = s.feedQuestionStats(ctx, id, qs, true)
		}
		if err != nil {
			return fed, err
		}
	}
	return len(ids), nil
}

func reindex(units []UnitStats) map[int64]*UnitStats {
	m := make(map[int64]*UnitStats, len(units))
	for i := range units {
		m[units[i].UnitID] = &units[i]
	}
	return m
}

func finish(u *UnitStats, sum float64) {
	u.Absent = u.Expected - u.Took
	if u.Expected > 0 {
		u.Participation = round4(float64(u.Took) / float64(u.Expected))
	}
	if u.Took > 0 {
		u.PassRate = round4(float64(u.Passed) / float64(u.Took))
		u.Average = round4(sum / float64(u.Took))
	}
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// questionStats computes facility and discrimination over the counted attempts: learners are
// ranked by counted score; the upper and lower groups are the top and bottom 27% (at least one
// learner each).
func (s *Service) questionStats(ctx context.Context, examID int64) ([]QuestionStats, error) {
	items, err := s.Store.CountedItems(ctx, examID)
	if err != nil {
		return nil, err
	}
	type learnerScore struct {
		id    int64
		total float64
	}
	var learners []learnerScore
	scores := map[int64][]float64{} // attempt id → item scores
	for _, it := range items {
		if _, ok := scores[it.AttemptID]; !ok {
			var v []float64
			_ = json.Unmarshal([]byte(it.ItemScores), &v)
			scores[it.AttemptID] = v
			learners = append(learners, learnerScore{it.LearnerID, it.Total})
		}
	}
	sort.SliceStable(learners, func(i, j int) bool {
		if learners[i].total != learners[j].total {
			return learners[i].total > learners[j].total
		}
		return learners[i].id < learners[j].id
	})
	k := max(1, int(math.Round(0.27*float64(len(learners)))))
	group := map[int64]int{} // +1 upper, -1 lower
	if len(learners) >= 2 {
		for i := 0; i < k && i < len(learners)/2+len(learners)%2; i++ {
			group[learners[i].id] = 1
			group[learners[len(learners)-1-i].id] = -1
		}
	}
	type acc struct {
		served           int
		share            float64
		upN, loN         int
		upShare, loShare float64
	}
	byQ := map[int64]*acc{}
	var order []int64
	for _, it := range items {
		a, ok := byQ[it.QuestionID]
		if !ok {
			a = &acc{}
			byQ[it.QuestionID] = a
			order = append(order, it.QuestionID)
		}
		share := 0.0
		if v := scores[it.AttemptID]; it.Position-1 < len(v) && it.Points > 0 {
			share = v[it.Position-1] / it.Points
		}
		a.served++
		a.share += share
		switch group[it.LearnerID] {
		case 1:
			a.upN++
			a.upShare += share
		case -1:
			a.loN++
			a.loShare += share
		}
	}
	slices.Sort(order)
	stems, err := s.Store.QuestionStems(ctx, order)
	if err != nil {
		return nil, err
	}
	out := make([]QuestionStats, 0, len(order))
	for _, id := range order {
		a := byQ[id]
		q := QuestionStats{QuestionID: id, Stem: stems[id], Served: a.served, Facility: round4(a.share / float64(a.served))}
		if a.upN > 0 && a.loN > 0 {
			d := round4(a.upShare/float64(a.upN) - a.loShare/float64(a.loN))
			q.Discrimination = &d
		}
		out = append(out, q)
	}
	return out, nil
}
