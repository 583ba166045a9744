package exam

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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

// finalise grades an active attempt by id (the sweeper, lazy finalisation).
func (s *Service) finalise(ctx context.Context, attemptID int64, by string, key *string) error {
	a, err := s.Store.GetAttempt(ctx, attemptID)
	if err != nil || a.Status != AttemptActive {
		return err
	}
	_, _, err = s.grade(ctx, a, by, key)
	return err
}

// grade grades an active attempt: its score, the learner's counted result, the exam credit
// when passed, and the wrong-answer book, written in one transaction together with whatever
// other gradings are waiting (group commit, see grade_job.go). Of concurrent gradings of one
// attempt (two submits, a submit and the sweeper) exactly one wins; the losers change nothing
// and get graded false. On success a holds the graded attempt.
func (s *Service) grade(ctx context.Context, a *Attempt, by string, key *string) (*Row, bool, error) {
	j, err := s.prepare(ctx, a, by, key)
	if err != nil {
		return nil, false, err
	}
	s.commit(ctx, j)
	return j.r, j.won, j.err
}

// prepare grades an attempt in memory and sets its graded columns. The reads (exam, paper,
// blueprint) all happen here, before any transaction, so the transaction only writes and holds
// its locks for as few statements as possible. (The campaign's rules, for the pass credit, are
// read by the writer once per batch: see awardPasses.) (An answer saved between the
// read and the write is too late either way: the snapshot read inside a transaction would not
// see it either.)
func (s *Service) prepare(ctx context.Context, a *Attempt, by string, key *string) (*gradeJob, error) {
	r, err := s.examRow(ctx, a.ExamID)
	if err != nil {
		return nil, err
	}
	items, err := s.keyedItems(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	sections, err := s.trackSections(ctx, a.ExamID, a.Track)
	if err != nil {
		return nil, err
	}
	g := grade(r.PartialCredit, sections, items)
	now := s.now()
	a.Status, a.ActiveKey, a.SubmittedAt, a.FinalisedBy, a.SubmitKey, a.UpdatedAt = AttemptSubmitted, nil, &now, by, key, now
	a.Score, a.Passed, a.CorrectCount = g.Score, g.Score >= r.PassScore, g.Correct
	a.SectionScores, a.ItemScores = encode(g.Sections), encode(g.Items)
	return &gradeJob{r: r, a: a, wrong: g.Wrong}, nil
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
