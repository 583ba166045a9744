package exam

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// PaperQuestion is one question of a paper as the learner sees it: options in the order
// shown, the saved answer in the letters shown, and never the key.
type PaperQuestion struct {
	QuestionID int64    `json:"question_id" example:"12"`
	Position   int      `json:"position" example:"1"`
	Section    int      `json:"section" example:"1"`
	Type       string   `json:"type" example:"single" enums:"single,multiple,judge,fill"`
	Stem       string   `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Options    []string `json:"options"`
	Points     float64  `json:"points" example:"2"`
	Answer     *string  `json:"answer" example:"B" extensions:"x-nullable"`
} // @name ExamPaperQuestion

// AttemptResult is a finished attempt's score.
type AttemptResult struct {
	Score         float64        `json:"score" example:"86"`
	MaxScore      float64        `json:"max_score" example:"100"`
	PassScore     float64        `json:"pass_score" example:"60"`
	Passed        bool           `json:"passed" example:"true"`
	CorrectCount  int            `json:"correct_count" example:"43"`
	QuestionCount int            `json:"question_count" example:"50"`
	Sections      []SectionScore `json:"sections"`
	FinalisedBy   string         `json:"finalised_by" example:"learner" enums:"learner,deadline"`
} // @name ExamAttemptResult

// AttemptView is an attempt with its paper.
type AttemptView struct {
	ID          int64           `json:"id" example:"9"`
	ExamID      int64           `json:"exam_id" example:"3"`
	ExamTitle   string          `json:"exam_title" example:"2026 年度学法考试"`
	Number      int             `json:"number" example:"1"`
	Status      AttemptStatus   `json:"status" example:"active" enums:"active,submitted"`
	StartedAt   time.Time       `json:"started_at" format:"date-time"`
	Deadline    time.Time       `json:"deadline" format:"date-time"`
	SecondsLeft int             `json:"seconds_left" example:"5400"`
	SubmittedAt *time.Time      `json:"submitted_at" format:"date-time" extensions:"x-nullable"`
	Questions   []PaperQuestion `json:"questions" extensions:"x-nullable"`
	Result      *AttemptResult  `json:"result" extensions:"x-nullable"`
} // @name ExamAttempt

// shownOptions returns a version's options in the order an item shows them.
func shownOptions(it Item, raw string) []string {
	var opts []string
	_ = json.Unmarshal([]byte(raw), &opts)
	out := make([]string, 0, len(it.OptionOrder))
	for _, o := range []byte(it.OptionOrder) {
		if k := int(o - 'A'); k < len(opts) {
			out = append(out, opts[k])
		}
	}
	return out
}

func toPaperQuestion(p PaperItem) PaperQuestion {
	q := PaperQuestion{QuestionID: p.QuestionID, Position: p.Position, Section: p.Section, Type: p.Type, Stem: p.Stem,
		Options: shownOptions(p.Item, p.Options), Points: p.Points}
	if p.Answer != nil {
		a := toDisplay(p.Item, *p.Answer)
		q.Answer = &a
	}
	return q
}

func toResult(a Attempt, r Row) *AttemptResult {
	if a.Status == AttemptActive {
		return nil
	}
	res := &AttemptResult{Score: a.Score, MaxScore: a.MaxScore, PassScore: r.PassScore, Passed: a.Passed,
		CorrectCount: a.CorrectCount, QuestionCount: a.QuestionCount, Sections: []SectionScore{}, FinalisedBy: a.FinalisedBy}
	_ = json.Unmarshal([]byte(a.SectionScores), &res.Sections)
	return res
}

func toAttemptView(d AttemptDetail) AttemptView {
	v := AttemptView{ID: d.ID, ExamID: d.ExamID, ExamTitle: d.Exam.Title, Number: d.Number, Status: d.Status,
		StartedAt: d.StartedAt.UTC(), Deadline: d.Deadline.UTC(), SecondsLeft: d.SecondsLeft, SubmittedAt: d.SubmittedAt,
		Result: toResult(d.Attempt, d.Exam)}
	if d.Paper != nil {
		v.Questions = make([]PaperQuestion, len(d.Paper))
	}
	for i, p := range d.Paper {
		v.Questions[i] = toPaperQuestion(p)
	}
	return v
}

// AnswerRequest autosaves one answer: option letters as shown ("B", "AC"), true/false for
// judge questions, text for fill questions; null clears it.
type AnswerRequest struct {
	Answer *string `json:"answer" example:"AC" validate:"optional"`
} // @name ExamAnswerRequest

// answerInput is the input of an autosave: the attempt's path id, the question's, then the body.
type answerInput struct {
	ID, QuestionID int64
	Body           AnswerRequest
}

// Bind reads the path ids ("id", then "question_id") and then the body.
func (in *answerInput) Bind(c *gin.Context) (err error) {
	if in.ID, err = httpx.PathID(c, "id"); err != nil {
		return err
	}
	if in.QuestionID, err = httpx.PathID(c, "question_id"); err != nil {
		return err
	}
	return httpx.BindJSON(c, &in.Body)
}

// submitInput is the input of a submit: the attempt's path id, then the Idempotency-Key.
type submitInput struct {
	ID  int64
	Key string
}

// Bind reads the path id, then the Idempotency-Key header.
func (in *submitInput) Bind(c *gin.Context) (err error) {
	if in.ID, err = httpx.PathID(c, "id"); err != nil {
		return err
	}
	in.Key, err = httpx.IdempotencyKey(c)
	return err
}

// SavedView acknowledges an autosave.
type SavedView struct {
	QuestionID  int64     `json:"question_id" example:"12"`
	Answer      *string   `json:"answer" example:"AC" extensions:"x-nullable"`
	SavedAt     time.Time `json:"saved_at" format:"date-time"`
	SecondsLeft int       `json:"seconds_left" example:"3120"`
} // @name ExamSavedAnswer

func toSavedView(s Saved) SavedView {
	return SavedView{QuestionID: s.QuestionID, Answer: s.Answer, SavedAt: s.SavedAt.UTC(), SecondsLeft: s.SecondsLeft}
}

// ReviewQuestion is one question of a reviewed attempt. correct_answer, analysis and the legal
// basis appear only when the exam shows answers.
type ReviewQuestion struct {
	PaperQuestion
	Score         float64 `json:"score" example:"2"`
	Correct       bool    `json:"correct" example:"true"`
	CorrectAnswer *string `json:"correct_answer" example:"B" extensions:"x-nullable"`
	Analysis      *string `json:"analysis" example:"宪法第一条规定……" extensions:"x-nullable"`
	LawName       *string `json:"law_name" example:"中华人民共和国宪法" extensions:"x-nullable"`
	LawArticle    *string `json:"law_article" example:"第一条" extensions:"x-nullable"`
} // @name ExamReviewQuestion

// ReviewView is a finished attempt under review.
type ReviewView struct {
	ID          int64            `json:"id" example:"9"`
	ExamID      int64            `json:"exam_id" example:"3"`
	ExamTitle   string           `json:"exam_title" example:"2026 年度学法考试"`
	Number      int              `json:"number" example:"1"`
	Result      *AttemptResult   `json:"result"`
	ShowAnswers bool             `json:"show_answers" example:"true"`
	Questions   []ReviewQuestion `json:"questions"`
} // @name ExamReview

func toReviewView(r Review) ReviewView {
	v := ReviewView{ID: r.ID, ExamID: r.ExamID, ExamTitle: r.Exam.Title, Number: r.Number, Result: toResult(r.Attempt, r.Exam),
		ShowAnswers: r.ShowAnswers, Questions: make([]ReviewQuestion, len(r.Items))}
	for i, it := range r.Items {
		q := ReviewQuestion{PaperQuestion: toPaperQuestion(it.PaperItem), Score: it.Score, Correct: it.Correct}
		if r.ShowAnswers {
			key := it.AnswerKey
			switch {
			case isChoice(it.Type):
				key = toDisplay(it.Item, key)
			case it.Type == "fill":
				key = strings.ReplaceAll(key, questionbank.FillSeparator, " | ")
			}
			q.CorrectAnswer, q.Analysis, q.LawName, q.LawArticle = &key, &it.Analysis, &it.LawName, &it.LawArticle
		}
		v.Questions[i] = q
	}
	return v
}
