package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/study"
)

// world is what the activity generator needs to know about the seeded campaign.
type world struct {
	CampaignID int64
	Rules      credit.Rules
	Start      time.Time // first campaign day, 00:00 Asia/Shanghai
	Days       int       // campaign days with activity: the start up to today (at least 1)
	Courses    []benchCourse
	AdminID    int64 // the account that made the manual adjustments
	Events     int   // how many distinct events a learner can attend
	Exams      int   // how many distinct exams a learner can pass
}

type benchCourse struct {
	ID      int64
	Title   string
	Minutes int
	Credit  credit.Amount
	Tracks  []string
}

// ledgerRow is one credit_ledger row (ActorID 0: NULL).
type ledgerRow struct {
	LearnerID int64
	Source    credit.Source
	SourceID  string
	Amount    credit.Amount
	Requested credit.Amount
	Reason    string
	Day       string
	ActorID   int64
	CreatedAt time.Time
}

type dailyKey struct {
	Source credit.Source
	Day    string
}

// activity is everything the ledger holds about one learner in the campaign, consistent the way
// credit.Service.Award keeps it: ledger rows, per-day counters, the summary and course progress.
type activity struct {
	Ledger   []ledgerRow
	Daily    []credit.Daily
	Summary  credit.Summary
	Progress []study.Progress
}

// source weights for one ledger row; study falls back to practice when the learner's courses are
// all studied, events and exams when the learner has attended or passed them all.
var sourceWeights = []struct {
	src    credit.Source
	weight int
}{
	{credit.SourceStudy, 620}, {credit.SourcePractice, 280}, {credit.SourceQuiz, 60},
	{credit.SourceEvent, 25}, {credit.SourceExam, 10}, {credit.SourceAdjustment, 5},
}

// genActivity makes exactly n ledger rows for the learner (n ≥ 1) spread over some of the
// campaign's days, with the campaign's daily caps applied as Award applies them (a capped award
// is recorded with what was credited, possibly 0).
func genActivity(rng *rand.Rand, w *world, learnerID, unitID int64, track string, n int) activity {
	act := activity{Ledger: make([]ledgerRow, 0, n)}
	courses := make([]benchCourse, 0, len(w.Courses))
	for _, c := range w.Courses {
		if slices.Contains(c.Tracks, track) {
			courses = append(courses, c)
		}
	}
	// Active days: about one per six rows, sorted, distinct.
	k := min(max(n/6+rng.IntN(3)-1, 1), w.Days)
	days := rng.Perm(w.Days)[:k]
	slices.Sort(days)

	used := map[dailyKey]credit.Amount{}
	var dailyOrder []dailyKey
	progress := map[int64]*study.Progress{}
	var (
		courseIdx, minute          int // next minute to study: courses[courseIdx], minute+1
		practiceN, quizN           int
		events, exams              = map[int]bool{}, map[int]bool{}
		lastCredited, firstCreated time.Time
	)
	emit := func(now time.Time, day string, src credit.Source, sourceID string, req credit.Amount, reason string, actor int64) credit.Amount {
		key := dailyKey{src, day}
		if _, ok := used[key]; !ok {
			used[key] = 0
			dailyOrder = append(dailyOrder, key)
		}
		amount := req
		if limit := w.Rules.Cap(src); limit > 0 && req > 0 && used[key]+req > limit {
			amount = max(limit-used[key], 0)
		}
		used[key] += amount
		act.Ledger = append(act.Ledger, ledgerRow{LearnerID: learnerID, Source: src, SourceID: sourceID, Amount: amount,
			Requested: req, Reason: reason, Day: day, ActorID: actor, CreatedAt: now})
		if firstCreated.IsZero() {
			firstCreated = now
		}
		if amount != 0 {
			act.Summary.Total += amount
			addBySource(&act.Summary, src, amount)
			lastCredited = now
		}
		return amount
	}
	pick := func(last bool) credit.Source {
		for {
			r := rng.IntN(1000)
			src := sourceWeights[len(sourceWeights)-1].src
			for _, sw := range sourceWeights {
				if r < sw.weight {
					src = sw.src
					break
				}
				r -= sw.weight
			}
			switch src {
			case credit.SourceStudy:
				// The minute that completes a course brings its completion row along: it needs
				// two rows of the budget.
				if courseIdx >= len(courses) || (last && minute+1 == courses[courseIdx].Minutes) {
					continue
				}
			case credit.SourceEvent:
				if len(events) >= w.Events {
					continue
				}
			case credit.SourceExam:
				if len(exams) >= w.Exams {
					continue
				}
			}
			return src
		}
	}

	rowsLeft := n
	for i, d := range days {
		date := w.Start.AddDate(0, 0, d)
		day := date.Format(time.DateOnly)
		// Rows of this day: an even share of what is left, give or take.
		share := rowsLeft / (k - i)
		if i < k-1 {
			share = min(max(share+rng.IntN(share/2+1)-share/4, 1), rowsLeft-(k-1-i))
		} else {
			share = rowsLeft
		}
		now := date.Add(7*time.Hour + 30*time.Minute + time.Duration(rng.IntN(13*3600))*time.Second).UTC()
		for r := 0; r < share; r++ {
			now = now.Add(time.Duration(20+rng.IntN(70))*time.Second + time.Duration(rng.IntN(1_000_000))*time.Microsecond)
			rowsLeft--
			switch pick(rowsLeft == 0) {
			case credit.SourceStudy:
				c := &courses[courseIdx]
				minute++
				emit(now, day, credit.SourceStudy, fmt.Sprintf("course:%d:minute:%d", c.ID, minute), w.Rules.StudyPerMinute,
					fmt.Sprintf("《%s》有效学习第 %d 分钟", c.Title, minute), 0)
				p := progress[c.ID]
				if p == nil {
					p = &study.Progress{LearnerID: learnerID, CourseID: c.ID}
					progress[c.ID] = p
				}
				p.VerifiedSeconds, p.PositionSeconds, p.UpdatedAt = minute*60, minute*60, now
				if minute == c.Minutes {
					// The beat that verifies the last minute also awards the completion credit.
					emit(now, day, credit.SourceStudy, fmt.Sprintf("course:%d:complete", c.ID), c.Credit, fmt.Sprintf("完成课程《%s》", c.Title), 0)
					p.CompletedAt = new(now)
					rowsLeft--
					r++
					courseIdx, minute = courseIdx+1, 0
				}
			case credit.SourcePractice:
				practiceN++
				emit(now, day, credit.SourcePractice, fmt.Sprintf("practice:answer:%d", practiceN), w.Rules.PracticePerCorrect, "练习答对 1 题", 0)
			case credit.SourceQuiz:
				quizN++
				emit(now, day, credit.SourceQuiz, fmt.Sprintf("quiz:play:%d", quizN), w.Rules.QuizPerPlay, "完成 1 轮竞猜", 0)
			case credit.SourceEvent:
				e := rng.IntN(w.Events) + 1
				for events[e] {
					e = e%w.Events + 1
				}
				events[e] = true
				emit(now, day, credit.SourceEvent, fmt.Sprintf("event:%d", e), w.Rules.EventAttendance, fmt.Sprintf("参加第 %d 期法治讲座", e), 0)
			case credit.SourceExam:
				e := rng.IntN(w.Exams) + 1
				for exams[e] {
					e = e%w.Exams + 1
				}
				exams[e] = true
				emit(now, day, credit.SourceExam, fmt.Sprintf("exam:%d", e), w.Rules.ExamPass, "考试合格", 0)
			case credit.SourceAdjustment:
				emit(now, day, credit.SourceAdjustment, "adjustment:"+fakeUUID(rng), credit.Credits(1, 0), "补录线下集中学法", w.AdminID)
			}
		}
	}
	for _, key := range dailyOrder {
		act.Daily = append(act.Daily, credit.Daily{LearnerID: learnerID, CampaignID: w.CampaignID, Source: key.Source, Day: key.Day, Amount: used[key]})
	}
	act.Summary.LearnerID, act.Summary.CampaignID, act.Summary.UnitID, act.Summary.Track = learnerID, w.CampaignID, unitID, track
	act.Summary.UpdatedAt = firstCreated
	if !lastCredited.IsZero() {
		act.Summary.LastActivityAt, act.Summary.UpdatedAt = new(lastCredited), lastCredited
	}
	for _, c := range courses {
		if p := progress[c.ID]; p != nil {
			act.Progress = append(act.Progress, *p)
		}
	}
	return act
}

func addBySource(s *credit.Summary, src credit.Source, a credit.Amount) {
	switch src {
	case credit.SourceStudy:
		s.Study += a
	case credit.SourcePractice:
		s.Practice += a
	case credit.SourceExam:
		s.Exam += a
	case credit.SourceEvent:
		s.Event += a
	case credit.SourceQuiz:
		s.Quiz += a
	case credit.SourceAdjustment:
		s.Adjustment += a
	}
}

func fakeUUID(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

// rowsPerLearner splits total ledger rows over learners: pairs of learners get c and 2·avg−c
// rows (c drawn around the average), so the sum is exact and activity varies 10× between people.
func rowsPerLearner(rng *rand.Rand, learners, total int) []int {
	out := make([]int, learners)
	if learners == 0 {
		return out
	}
	avg := total / learners
	for i := 0; i+1 < learners; i += 2 {
		spread := max(avg*9/10, 0)
		c := avg - spread + rng.IntN(2*spread+1)
		out[i], out[i+1] = max(c, 1), max(2*avg-c, 1)
	}
	if learners%2 == 1 {
		out[learners-1] = avg
	}
	sum := 0
	for _, c := range out {
		sum += c
	}
	// Whatever the division left over (or the max(…, 1) added) goes to or comes off the first ones.
	for i := 0; sum != total && i < learners; i++ {
		switch {
		case sum < total:
			add := min(total-sum, 50)
			out[i] += add
			sum += add
		case out[i] > 1:
			take := min(sum-total, out[i]-1)
			out[i] -= take
			sum -= take
		}
	}
	return out
}

// campaignStart is 00:00 Asia/Shanghai of a YYYY-MM-DD date.
func campaignStart(date string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, date, clock.Shanghai())
}
