package exam

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// SectionRequest is one section of a blueprint: a pool (bank_id and/or tag, type, count,
// difficulty range) or a fixed list of question ids, each question worth points.
type SectionRequest struct {
	Title string `json:"title" binding:"max=100" example:"单选题" validate:"optional"`
	// BankID is null in an answer when the section draws from any visible bank by tag, or is fixed.
	BankID *int64 `json:"bank_id" binding:"omitempty,min=1" example:"1" validate:"optional" extensions:"x-nullable"`
	Tag    string `json:"tag" binding:"max=32" example:"宪法" validate:"optional"`
	// Type is null in an answer for a fixed section or a pool of every type.
	Type   *string `json:"type" binding:"omitempty,oneof=single multiple judge fill" example:"single" validate:"optional" extensions:"x-nullable"`
	Count  int     `json:"count" binding:"min=0,max=200" example:"20" validate:"optional"`
	Points float64 `json:"points" binding:"required,gt=0,max=100" example:"2"`
	// DifficultyMin and DifficultyMax are 0 in an answer when the section sets no range.
	DifficultyMin int `json:"difficulty_min" binding:"omitempty,min=1,max=5" example:"1" validate:"optional"`
	DifficultyMax int `json:"difficulty_max" binding:"omitempty,min=1,max=5" example:"5" validate:"optional"`
	// QuestionIDs is the fixed list of a fixed section ([] in an answer for a pool).
	QuestionIDs []int64 `json:"question_ids" binding:"max=200,dive,min=1" example:"3,4" validate:"optional"`
} // @name ExamSection

// BlueprintRequest is one track's sections.
type BlueprintRequest struct {
	Track    string           `json:"track" binding:"required,oneof=leader general judicial" example:"general"`
	Sections []SectionRequest `json:"sections" binding:"required,min=1,max=20,dive"`
} // @name ExamBlueprint

// Request creates or replaces an exam.
type Request struct {
	CampaignID          int64              `json:"campaign_id" binding:"required,min=1" example:"1"`
	UnitID              int64              `json:"unit_id,omitempty" binding:"omitempty,min=1" example:"1" validate:"optional"`
	MainExamID          *int64             `json:"main_exam_id,omitempty" binding:"omitempty,min=1" validate:"optional"`
	Title               string             `json:"title" binding:"required,max=100" example:"2026 年度学法考试"`
	Description         string             `json:"description" binding:"max=2000" example:"闭卷，限时 90 分钟" validate:"optional"`
	OpensAt             time.Time          `json:"opens_at" binding:"required" format:"date-time"`
	ClosesAt            time.Time          `json:"closes_at" binding:"required" format:"date-time"`
	DurationMinutes     int                `json:"duration_minutes" binding:"required,min=1,max=600" example:"90"`
	MaxAttempts         int                `json:"max_attempts" binding:"required,min=1,max=20" example:"3"`
	ScorePolicy         ScorePolicy        `json:"score_policy,omitempty" binding:"omitempty,oneof=best last" example:"best" validate:"optional"`
	PassScore           float64            `json:"pass_score" binding:"min=0" example:"60" validate:"optional"`
	PrerequisiteCredits credit.Amount      `json:"prerequisite_credits" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"10" validate:"optional"`
	AudienceTracks      []string           `json:"audience_tracks,omitempty" binding:"max=3,dive,oneof=leader general judicial" example:"general" validate:"optional"`
	AudienceUnitIDs     []int64            `json:"audience_unit_ids,omitempty" binding:"max=100,dive,min=1" validate:"optional"`
	ReviewPolicy        ReviewPolicy       `json:"review_policy,omitempty" binding:"omitempty,oneof=never after_submit after_close" example:"after_submit" validate:"optional"`
	ReviewShowAnswers   bool               `json:"review_show_answers" example:"true" validate:"optional"`
	ShuffleQuestions    bool               `json:"shuffle_questions" example:"true" validate:"optional"`
	ShuffleOptions      bool               `json:"shuffle_options" example:"true" validate:"optional"`
	PartialCredit       bool               `json:"partial_credit" example:"false" validate:"optional"`
	Blueprints          []BlueprintRequest `json:"blueprints" binding:"required,min=1,max=3,dive"`
} // @name ExamRequest

func (r Request) toInput() Input {
	in := Input{
		CampaignID: r.CampaignID, UnitID: r.UnitID, MainExamID: r.MainExamID, Title: r.Title, Description: r.Description,
		OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, DurationMinutes: r.DurationMinutes, MaxAttempts: r.MaxAttempts,
		ScorePolicy: r.ScorePolicy, PassScore: r.PassScore, PrerequisiteCredits: r.PrerequisiteCredits,
		AudienceTracks: r.AudienceTracks, AudienceUnitIDs: r.AudienceUnitIDs, ReviewPolicy: r.ReviewPolicy,
		ReviewShowAnswers: r.ReviewShowAnswers, ShuffleQuestions: r.ShuffleQuestions, ShuffleOptions: r.ShuffleOptions,
		PartialCredit: r.PartialCredit,
	}
	if in.ScorePolicy == "" {
		in.ScorePolicy = ScoreBest
	}
	if in.ReviewPolicy == "" {
		in.ReviewPolicy = ReviewAfterSubmit
	}
	for _, b := range r.Blueprints {
		bp := Blueprint{Track: b.Track}
		for _, s := range b.Sections {
			bp.Sections = append(bp.Sections, SectionInput{Title: s.Title, BankID: s.BankID, Tag: s.Tag, Type: httpx.ZeroIfNull(s.Type), Count: s.Count,
				Points: s.Points, DifficultyMin: s.DifficultyMin, DifficultyMax: s.DifficultyMax, QuestionIDs: s.QuestionIDs})
		}
		in.Blueprints = append(in.Blueprints, bp)
	}
	return in
}

// Summary is an exam's public face (learners and admins).
type Summary struct {
	ID                  int64         `json:"id" example:"3"`
	CampaignID          int64         `json:"campaign_id" example:"1"`
	UnitID              int64         `json:"unit_id" example:"1"`
	MainExamID          *int64        `json:"main_exam_id" extensions:"x-nullable"`
	Title               string        `json:"title" example:"2026 年度学法考试"`
	Description         string        `json:"description" example:"闭卷，限时 90 分钟"`
	OpensAt             time.Time     `json:"opens_at" format:"date-time"`
	ClosesAt            time.Time     `json:"closes_at" format:"date-time"`
	DurationMinutes     int           `json:"duration_minutes" example:"90"`
	MaxAttempts         int           `json:"max_attempts" example:"3"`
	ScorePolicy         ScorePolicy   `json:"score_policy" example:"best" enums:"best,last"`
	PassScore           float64       `json:"pass_score" example:"60"`
	PrerequisiteCredits credit.Amount `json:"prerequisite_credits" swaggertype:"number" multipleOf:"0.01" example:"10"`
	ReviewPolicy        ReviewPolicy  `json:"review_policy" example:"after_submit" enums:"never,after_submit,after_close"`
	Status              Status        `json:"status" example:"published" enums:"draft,published,closed"`
} // @name ExamSummary

func toSummary(r Row) Summary {
	return Summary{ID: r.ID, CampaignID: r.CampaignID, UnitID: r.UnitID, MainExamID: r.MainExamID, Title: r.Title,
		Description: r.Description, OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(), DurationMinutes: r.DurationMinutes,
		MaxAttempts: r.MaxAttempts, ScorePolicy: r.ScorePolicy, PassScore: r.PassScore, PrerequisiteCredits: r.PrerequisiteCredits,
		ReviewPolicy: r.ReviewPolicy, Status: r.Status}
}

// View is an exam as its admins see it, with the blueprint.
type View struct {
	Summary
	AudienceTracks    []string           `json:"audience_tracks" example:"general"`
	AudienceUnitIDs   []int64            `json:"audience_unit_ids"`
	ReviewShowAnswers bool               `json:"review_show_answers" example:"true"`
	ShuffleQuestions  bool               `json:"shuffle_questions" example:"true"`
	ShuffleOptions    bool               `json:"shuffle_options" example:"true"`
	PartialCredit     bool               `json:"partial_credit" example:"false"`
	Blueprints        []BlueprintRequest `json:"blueprints"`
	CreatedAt         time.Time          `json:"created_at" format:"date-time"`
	UpdatedAt         time.Time          `json:"updated_at" format:"date-time"`
} // @name Exam

// toTaggedView is the view of one exam with its revision, for the ETag.
func toTaggedView(d Detail) httpx.Tagged[View] { return httpx.Tag(toView(d), d.ID, d.RowVersion) }

func toView(d Detail) View {
	v := View{Summary: toSummary(d.Row), AudienceTracks: d.tracks(), AudienceUnitIDs: d.unitIDs(),
		ReviewShowAnswers: d.ReviewShowAnswers, ShuffleQuestions: d.ShuffleQuestions, ShuffleOptions: d.ShuffleOptions,
		PartialCredit: d.PartialCredit, Blueprints: []BlueprintRequest{}, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	idx := map[string]int{}
	for _, s := range d.Sections {
		i, ok := idx[s.Track]
		if !ok {
			v.Blueprints = append(v.Blueprints, BlueprintRequest{Track: s.Track, Sections: []SectionRequest{}})
			i = len(v.Blueprints) - 1
			idx[s.Track] = i
		}
		sr := SectionRequest{Title: s.Title, BankID: s.BankID, Tag: s.Tag, Type: httpx.NullIfZero(s.Type), Count: s.Count, Points: s.Points,
			DifficultyMin: s.DifficultyMin, DifficultyMax: s.DifficultyMax, QuestionIDs: []int64{}}
		if ids := s.fixed(); len(ids) > 0 {
			sr.QuestionIDs, sr.Count = ids, 0
		}
		v.Blueprints[i].Sections = append(v.Blueprints[i].Sections, sr)
	}
	return v
}

// List is a page of exams.
type List struct {
	Items []Summary `json:"items"`
	httpx.ListMeta
} // @name ExamList

type listQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"omitempty,min=1"`
	Status     Status `form:"status" binding:"omitempty,oneof=draft published closed"`
}

// MineView is an exam a learner may sit, with where they stand.
type MineView struct {
	Summary
	Window          string   `json:"window" example:"open" enums:"upcoming,open,closed"`
	AttemptsUsed    int      `json:"attempts_used" example:"1"`
	AttemptsLeft    int      `json:"attempts_left" example:"2"`
	ActiveAttemptID *int64   `json:"active_attempt_id" extensions:"x-nullable"`
	Score           *float64 `json:"score" example:"86" extensions:"x-nullable"`
	Passed          bool     `json:"passed" example:"true"`
	Eligible        bool     `json:"eligible" example:"true"`
} // @name MyExam

// MineList is the learner's exams.
type MineList struct {
	Items []MineView `json:"items"`
} // @name MyExamList

func toMineView(m Mine) MineView {
	return MineView{Summary: toSummary(m.Row), Window: m.Window, AttemptsUsed: m.AttemptsUsed, AttemptsLeft: m.AttemptsLeft,
		ActiveAttemptID: m.ActiveAttemptID, Score: m.Score, Passed: m.Passed, Eligible: m.Eligible}
}
