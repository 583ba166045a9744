package exam

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/practice"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// graded is the outcome of grading one paper.
type graded struct {
	Score    float64
	Correct  int
	Sections []SectionScore
	Items    []float64 // by position
	Wrong    []practice.WrongAnswer
}

// itemScore grades one answer: full points when right; with partial credit, a multiple-choice
// answer naming only right options (but not all of them) earns half.
func itemScore(partial bool, it KeyedItem) (float64, bool) {
	if it.Answer == nil || *it.Answer == "" {
		return 0, false
	}
	c := questionbank.Content{Type: questionbank.Type(it.Type), Answer: it.AnswerKey}
	if questionbank.IsCorrect(c, *it.Answer) {
		return it.Points, true
	}
	if partial && it.Type == "multiple" && subset(*it.Answer, it.AnswerKey) {
		return it.Points / 2, false
	}
	return 0, false
}

func subset(given, key string) bool {
	for _, r := range given {
		if !strings.ContainsRune(key, r) {
			return false
		}
	}
	return true
}

// grade scores a paper by section.
func grade(partial bool, sections []Section, items []KeyedItem) graded {
	g := graded{Sections: []SectionScore{}, Items: []float64{}}
	bySection := map[int]*SectionScore{}
	for _, sec := range sections {
		g.Sections = append(g.Sections, SectionScore{Position: sec.Position, Title: sec.Title})
	}
	for i := range g.Sections {
		bySection[g.Sections[i].Position] = &g.Sections[i]
	}
	for _, it := range items {
		score, right := itemScore(partial, it)
		g.Score += score
		g.Items = append(g.Items, score)
		if right {
			g.Correct++
		} else {
			given := ""
			if it.Answer != nil {
				given = *it.Answer
			}
			g.Wrong = append(g.Wrong, practice.WrongAnswer{QuestionID: it.QuestionID, Given: given})
		}
		sec, ok := bySection[it.Section]
		if !ok { // the blueprint changed under a draft: keep the score, in a section of its own
			g.Sections = append(g.Sections, SectionScore{Position: it.Section})
			sec = &g.Sections[len(g.Sections)-1]
			bySection = map[int]*SectionScore{}
			for i := range g.Sections {
				bySection[g.Sections[i].Position] = &g.Sections[i]
			}
		}
		sec.Score += score
		sec.MaxScore += it.Points
	}
	return g
}

// finalise grades an attempt past its deadline, if still active, with the answers saved (the
// sweeper, lazy finalisation).
func (s *Service) finalise(ctx context.Context, attemptID int64) error {
	j := &gradeJob{attemptID: attemptID, by: ByDeadline}
	s.commit(ctx, j)
	return j.err
}

// gradeAttempt grades an active attempt in memory from its items: it sets the graded columns
// and returns the wrong answers. The keys and the blueprint's sections come from memory (see
// pool_cache.go).
func (s *Service) gradeAttempt(ctx context.Context, a *Attempt, r *Row, items []Item, by string, key *string, now time.Time) ([]practice.WrongAnswer, error) {
	keyed, err := s.withKeys(ctx, items)
	if err != nil {
		return nil, err
	}
	sections, err := s.trackSections(ctx, a.ExamID, a.Track)
	if err != nil {
		return nil, err
	}
	g := grade(r.PartialCredit, sections, keyed)
	a.Status, a.ActiveKey, a.SubmittedAt, a.FinalisedBy, a.SubmitKey, a.UpdatedAt = AttemptSubmitted, nil, &now, by, key, now
	a.Score, a.Passed, a.CorrectCount = g.Score, g.Score >= r.PassScore, g.Correct
	a.SectionScores, a.ItemScores = encode(g.Sections), encode(g.Items)
	return g.Wrong, nil
}

// count applies the exam's score policy to a learner's result row (nil when none yet) for a
// graded attempt and returns the row to save.
func count(r *Row, a *Attempt, res *Result) *Result {
	if res == nil {
		res = &Result{ExamID: r.ID, LearnerID: a.LearnerID}
	}
	res.UnitID, res.Track, res.Attempts, res.UpdatedAt = a.UnitID, a.Track, res.Attempts+1, a.UpdatedAt
	if res.CountedAttemptID == 0 || r.ScorePolicy == ScoreLast || a.Score > res.Score {
		res.Score, res.MaxScore, res.Passed, res.CountedAttemptID = a.Score, a.MaxScore, a.Passed, a.ID
	}
	return res
}

// passAward is the exam-pass credit of a passed attempt by the campaign's rules (nil when the
// campaign grants none): source exam, source id the main exam's id, so a learner earns it once
// per exam however many attempts (or a make-up) pass.
func passAward(r *Row, a *Attempt, rules credit.Rules) *credit.Award {
	if rules.ExamPass <= 0 {
		return nil
	}
	examID := r.ID
	if r.MainExamID != nil {
		examID = *r.MainExamID
	}
	return &credit.Award{LearnerID: a.LearnerID, CampaignID: r.CampaignID, Source: credit.SourceExam,
		SourceID: fmt.Sprint(examID), Amount: rules.ExamPass, Reason: "考试通过：" + r.Title}
}

func encode(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
