package practice

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// StartRequest asks for a practice session. bank_id is required for sequential mode; without
// it the other modes draw from every bank the learner can see.
type StartRequest struct {
	BankID *int64 `json:"bank_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
	Mode   Mode   `json:"mode" binding:"required,oneof=random sequential wrong_book favourites" enums:"random,sequential,wrong_book,favourites" example:"random"`
	Count  int    `json:"count" binding:"omitempty,min=1,max=50" example:"10" minimum:"1" maximum:"50" default:"10" validate:"optional"`
} // @name PracticeSessionRequest

// QuestionView is a question as served in practice: never its answer, analysis or legal
// basis (those come back only in the answer's result).
type QuestionView struct {
	QuestionID int64             `json:"question_id" example:"12"`
	Position   int               `json:"position" example:"1"`
	BankID     int64             `json:"bank_id" example:"1"`
	Type       questionbank.Type `json:"type" enums:"single,multiple,judge,fill" example:"single"`
	Stem       string            `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	// Options are the choices A, B, ... (empty for judge and fill questions).
	Options    []string `json:"options" example:"社会主义制度,人民代表大会制度"`
	Difficulty int      `json:"difficulty" example:"2"`
	Tags       []string `json:"tags" example:"宪法"`
	Favourite  bool     `json:"favourite" example:"false"`
	Answered   bool     `json:"answered" example:"false"`
	// Correct and GivenAnswer appear once the question is answered.
	Correct     *bool  `json:"correct" example:"true" extensions:"x-nullable"`
	GivenAnswer string `json:"given_answer" example:"A"`
} // @name PracticeQuestion

// SessionView is a practice session with its questions.
type SessionView struct {
	ID            int64          `json:"id" example:"7"`
	BankID        *int64         `json:"bank_id" example:"1" extensions:"x-nullable"`
	Mode          Mode           `json:"mode" enums:"random,sequential,wrong_book,favourites" example:"random"`
	QuestionCount int            `json:"question_count" example:"10"`
	AnsweredCount int            `json:"answered_count" example:"0"`
	CorrectCount  int            `json:"correct_count" example:"0"`
	CreatedAt     time.Time      `json:"created_at" format:"date-time"`
	Questions     []QuestionView `json:"questions"`
} // @name PracticeSession

// AnswerRequest answers one question of the session. single: "A"; multiple: letters in any
// order ("CA", "A,C"); judge: true/false (对/错 accepted); fill: the text.
type AnswerRequest struct {
	QuestionID int64  `json:"question_id" binding:"required,min=1" example:"12"`
	Answer     string `json:"answer" binding:"required,max=1000" example:"A"`
} // @name PracticeAnswerRequest

// AnswerView is the graded answer with the key of the version served.
type AnswerView struct {
	QuestionID int64 `json:"question_id" example:"12"`
	Correct    bool  `json:"correct" example:"true"`
	// GivenAnswer is the learner's answer as graded (normalised: "AC", "true").
	GivenAnswer string `json:"given_answer" example:"A"`
	// Answer is the key: "A"; "AC"; "true"/"false"; fill: accepted answers separated by "|".
	Answer     string                  `json:"answer" example:"A"`
	Analysis   string                  `json:"analysis" example:"宪法第一条第二款规定：社会主义制度是中华人民共和国的根本制度。"`
	LegalBasis questionbank.LegalBasis `json:"legal_basis"`
	// InWrongBook says whether the question is in the learner's wrong-answer book now.
	InWrongBook bool `json:"in_wrong_book" example:"false"`
} // @name PracticeAnswerResult

// BookQuestion is a question in the wrong-answer book or favourites, without its key.
type BookQuestion struct {
	QuestionID int64             `json:"question_id" example:"12"`
	BankID     int64             `json:"bank_id" example:"1"`
	Type       questionbank.Type `json:"type" enums:"single,multiple,judge,fill" example:"single"`
	Stem       string            `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Options    []string          `json:"options" example:"社会主义制度,人民代表大会制度"`
	Difficulty int               `json:"difficulty" example:"2"`
	Tags       []string          `json:"tags" example:"宪法"`
	// Available is false once the question is retired (it is then not drawn for practice).
	Available bool `json:"available" example:"true"`
}

// WrongView is an entry of the wrong-answer book.
type WrongView struct {
	BookQuestion
	WrongCount int `json:"wrong_count" example:"2"`
	// CorrectStreak counts right answers in a row since the last wrong one; at 2 the question
	// leaves the book.
	CorrectStreak int       `json:"correct_streak" example:"1"`
	LastAnswer    string    `json:"last_answer" example:"B"`
	LastWrongAt   time.Time `json:"last_wrong_at" format:"date-time"`
} // @name WrongQuestion

// WrongList is a page of the wrong-answer book.
type WrongList struct {
	Items []WrongView `json:"items"`
	httpx.ListMeta
} // @name WrongQuestionList

// FavouriteView is a favourite question.
type FavouriteView struct {
	BookQuestion
	FavouritedAt time.Time `json:"favourited_at" format:"date-time"`
} // @name FavouriteQuestion

// FavouriteList is a page of favourites.
type FavouriteList struct {
	Items []FavouriteView `json:"items"`
	httpx.ListMeta
} // @name FavouriteQuestionList

type bookQuery struct {
	BankID *int64 `form:"bank_id" binding:"omitempty,min=1"`
}

// toInput is the page p of the book, filtered by bank.
func (q bookQuery) toInput(p httpx.Page) BookInput {
	return BookInput{BankID: q.BankID, Offset: p.Offset(), Limit: p.Size}
}

// questionInput is the input of a change to the learner's wrong-answer book or favourites:
// the question named by the path.
type questionInput struct {
	QuestionID int64
}

// Bind reads the path's question_id.
func (in *questionInput) Bind(c *gin.Context) (err error) {
	in.QuestionID, err = httpx.PathID(c, "question_id")
	return err
}

func toSessionView(d SessionDetail) SessionView {
	return SessionView{
		ID: d.ID, BankID: d.BankID, Mode: d.Mode, QuestionCount: d.QuestionCount, AnsweredCount: d.AnsweredCount,
		CorrectCount: d.CorrectCount, CreatedAt: d.CreatedAt, Questions: httpx.Map(d.Items, toQuestionView),
	}
}

func toQuestionView(r ItemRow) QuestionView {
	v := QuestionView{
		QuestionID: r.QuestionID, Position: r.Position, BankID: r.BankID, Type: r.Type, Stem: r.Stem,
		Options: options(r.Options), Difficulty: r.Difficulty, Tags: questionbank.SplitTags(r.Tags), Favourite: r.Favourite,
		Answered: r.AnsweredAt != nil,
	}
	if r.AnsweredAt != nil {
		v.Correct = r.Correct
		if r.GivenAnswer != nil {
			v.GivenAnswer = *r.GivenAnswer
		}
	}
	return v
}

func toAnswerView(r Result) AnswerView {
	return AnswerView{
		QuestionID: r.QuestionID, Correct: r.Correct, GivenAnswer: r.GivenAnswer, Answer: r.Version.Answer,
		Analysis: r.Version.Analysis, LegalBasis: questionbank.ToLegalBasis(r.Version.Content), InWrongBook: r.InWrongBook,
	}
}

func toBookQuestion(questionID int64, t QuestionText) BookQuestion {
	return BookQuestion{
		QuestionID: questionID, BankID: t.BankID, Type: t.Type, Stem: t.Stem, Options: options(t.Options),
		Difficulty: t.Difficulty, Tags: questionbank.SplitTags(t.Tags), Available: t.Status == questionbank.StatusPublished,
	}
}

func toWrongView(r WrongRow) WrongView {
	return WrongView{
		BookQuestion: toBookQuestion(r.QuestionID, r.QuestionText), WrongCount: r.WrongCount,
		CorrectStreak: r.CorrectStreak, LastAnswer: r.LastAnswer, LastWrongAt: r.LastWrongAt,
	}
}

func toFavouriteView(r FavouriteRow) FavouriteView {
	return FavouriteView{BookQuestion: toBookQuestion(r.QuestionID, r.QuestionText), FavouritedAt: r.CreatedAt}
}

func options(o questionbank.Options) []string {
	if o == nil {
		return []string{}
	}
	return o
}

func (r StartRequest) toInput() StartInput {
	return StartInput{BankID: r.BankID, Mode: r.Mode, Count: r.Count}
}
