package questionbank

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// BankView is a question bank as the API shows it.
type BankView struct {
	ID             int64     `json:"id" example:"1"`
	UnitID         int64     `json:"unit_id" example:"1"`
	UnitName       string    `json:"unit_name" example:"绩溪县"`
	Name           string    `json:"name" example:"学法月综合题库"`
	Subject        string    `json:"subject" example:"宪法"`
	Tracks         []Track   `json:"tracks" enums:"leader,general,judicial"`
	Description    string    `json:"description" example:"宪法、民法典和行政法基础题"`
	QuestionCount  int64     `json:"question_count" example:"64"`
	PublishedCount int64     `json:"published_count" example:"60"`
	CreatedAt      time.Time `json:"created_at" format:"date-time"`
	UpdatedAt      time.Time `json:"updated_at" format:"date-time"`
} // @name QuestionBank

// BankList is a page of banks.
type BankList struct {
	Items []BankView `json:"items"`
	httpx.ListMeta
} // @name QuestionBankList

// BankCreateRequest creates a bank; unit_id defaults to the caller's unit.
type BankCreateRequest struct {
	UnitID      int64   `json:"unit_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
	Name        string  `json:"name" binding:"required,min=1,max=100" example:"学法月综合题库"`
	Subject     string  `json:"subject" binding:"required,min=1,max=32" example:"宪法"`
	Tracks      []Track `json:"tracks" binding:"omitempty,max=3,dive,oneof=leader general judicial" enums:"leader,general,judicial" validate:"optional"`
	Description string  `json:"description" binding:"max=1000" example:"宪法、民法典和行政法基础题" validate:"optional"`
} // @name QuestionBankCreateRequest

// BankUpdateRequest changes a bank; absent fields stay.
type BankUpdateRequest struct {
	Name        *string  `json:"name" binding:"omitempty,min=1,max=100" example:"学法月综合题库" validate:"optional"`
	Subject     *string  `json:"subject" binding:"omitempty,min=1,max=32" example:"民法典" validate:"optional"`
	Tracks      *[]Track `json:"tracks" binding:"omitempty,max=3,dive,oneof=leader general judicial" enums:"leader,general,judicial" validate:"optional"`
	Description *string  `json:"description" binding:"omitempty,max=1000" example:"更新后的说明" validate:"optional"`
} // @name QuestionBankUpdateRequest

type bankListQuery struct {
	Subject string `form:"subject" binding:"max=32"`
	Q       string `form:"q" binding:"max=100"`
}

// LegalBasis is the law a question rests on (法条依据).
type LegalBasis struct {
	Law     string `json:"law" example:"中华人民共和国宪法"`
	Article string `json:"article" example:"第一条"`
	// EffectiveDate is the date the cited text took effect (null when unknown).
	EffectiveDate *string `json:"effective_date" format:"date" example:"2018-03-11" extensions:"x-nullable"`
} // @name LegalBasis

// QuestionView is a question with its answer key, for admins.
type QuestionView struct {
	ID      int64    `json:"id" example:"12"`
	BankID  int64    `json:"bank_id" example:"1"`
	Type    Type     `json:"type" enums:"single,multiple,judge,fill" example:"single"`
	Stem    string   `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Options []string `json:"options" example:"社会主义制度,人民代表大会制度"`
	// Answer: single "A"; multiple sorted letters "AC"; judge "true"/"false"; fill the accepted
	// answers separated by "|".
	Answer     string     `json:"answer" example:"A"`
	Analysis   string     `json:"analysis" example:"宪法第一条第二款。"`
	LegalBasis LegalBasis `json:"legal_basis"`
	Difficulty int        `json:"difficulty" example:"2" minimum:"1" maximum:"5"`
	Tags       []string   `json:"tags" example:"宪法"`
	Status     Status     `json:"status" enums:"draft,published,retired" example:"published"`
	// Version counts published versions; a draft stays at 1 while it is edited.
	Version   int       `json:"version" example:"1"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time"`
} // @name Question

// QuestionList is a page of questions.
type QuestionList struct {
	Items []QuestionView `json:"items"`
	httpx.ListMeta
} // @name QuestionList

// LegalBasisRequest states the law a question rests on.
type LegalBasisRequest struct {
	Law           string `json:"law" binding:"max=100" example:"中华人民共和国宪法" validate:"optional"`
	Article       string `json:"article" binding:"max=64" example:"第一条" validate:"optional"`
	EffectiveDate string `json:"effective_date" binding:"max=10" example:"2018-03-11" validate:"optional"`
} // @name LegalBasisRequest

// QuestionCreateRequest creates a question. Options are for single/multiple only (2–8, A
// first). Answer: "A"; "AC"; judge true/false (对/错, √/×, T/F accepted); fill: accepted
// answers separated by "|". Status defaults to published.
type QuestionCreateRequest struct {
	Type       Type               `json:"type" binding:"required,oneof=single multiple judge fill" example:"single"`
	Stem       string             `json:"stem" binding:"required" example:"中华人民共和国的根本制度是（ ）。"`
	Options    []string           `json:"options" example:"社会主义制度,人民代表大会制度" validate:"optional"`
	Answer     string             `json:"answer" binding:"required" example:"A"`
	Analysis   string             `json:"analysis" example:"宪法第一条第二款。" validate:"optional"`
	LegalBasis *LegalBasisRequest `json:"legal_basis" validate:"optional"`
	Difficulty int                `json:"difficulty" binding:"omitempty,min=1,max=5" example:"2" validate:"optional"`
	Tags       []string           `json:"tags" example:"宪法" validate:"optional"`
	Status     Status             `json:"status" binding:"omitempty,oneof=draft published retired" example:"published" validate:"optional"`
} // @name QuestionCreateRequest

// QuestionUpdateRequest changes a question; absent fields stay, legal_basis replaces all three
// of its parts. Editing a question that was ever published makes a new version.
type QuestionUpdateRequest struct {
	Type       *Type              `json:"type" binding:"omitempty,oneof=single multiple judge fill" example:"multiple" validate:"optional"`
	Stem       *string            `json:"stem" binding:"omitempty,min=1" example:"下列属于国家根本制度的是（ ）。" validate:"optional"`
	Options    *[]string          `json:"options" example:"社会主义制度,人民代表大会制度" validate:"optional"`
	Answer     *string            `json:"answer" binding:"omitempty,min=1" example:"A" validate:"optional"`
	Analysis   *string            `json:"analysis" example:"宪法第一条第二款。" validate:"optional"`
	LegalBasis *LegalBasisRequest `json:"legal_basis" validate:"optional"`
	Difficulty *int               `json:"difficulty" binding:"omitempty,min=1,max=5" example:"3" validate:"optional"`
	Tags       *[]string          `json:"tags" example:"宪法" validate:"optional"`
	Status     *Status            `json:"status" binding:"omitempty,oneof=draft published retired" example:"retired" validate:"optional"`
} // @name QuestionUpdateRequest

type questionListQuery struct {
	Q          string `form:"q" binding:"max=100"`
	Tag        string `form:"tag" binding:"max=32"`
	Type       Type   `form:"type" binding:"omitempty,oneof=single multiple judge fill"`
	Difficulty int    `form:"difficulty" binding:"omitempty,min=1,max=5"`
	Status     Status `form:"status" binding:"omitempty,oneof=draft published retired"`
}

// toInput is the page p of a bank's questions matching the query.
func (q questionListQuery) toInput(p httpx.Page) QuestionListInput {
	return QuestionListInput{Query: q.Q, Tag: q.Tag, Type: q.Type, Difficulty: q.Difficulty, Status: q.Status, Offset: p.Offset(), Limit: p.Size}
}

// VersionView is one published version of a question, as it was served.
type VersionView struct {
	Version    int        `json:"version" example:"2"`
	Type       Type       `json:"type" enums:"single,multiple,judge,fill" example:"single"`
	Stem       string     `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Options    []string   `json:"options" example:"社会主义制度,人民代表大会制度"`
	Answer     string     `json:"answer" example:"A"`
	Analysis   string     `json:"analysis" example:"宪法第一条第二款。"`
	LegalBasis LegalBasis `json:"legal_basis"`
	Difficulty int        `json:"difficulty" example:"2"`
	Tags       []string   `json:"tags" example:"宪法"`
	CreatedBy  *int64     `json:"created_by" example:"1" extensions:"x-nullable"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time"`
} // @name QuestionVersion

// VersionList is a question's version history, newest first (not paged).
type VersionList struct {
	Items []VersionView `json:"items"`
	httpx.ListMeta
} // @name QuestionVersionList

// StatsView are a question's item statistics: practice answers and formal exams.
type StatsView struct {
	QuestionID int64 `json:"question_id" example:"12"`
	// Attempts and Correct count practice answers, as they arrive.
	Attempts int64 `json:"attempts" example:"40"`
	Correct  int64 `json:"correct" example:"30"`
	// FacilityIndex is correct / attempts in practice (null before the first attempt).
	FacilityIndex *float64 `json:"facility_index" example:"0.75" extensions:"x-nullable"`
	// ExamServed counts the counted exam papers that held the question, over the exams that
	// fed their statistics (when read by an admin, and once their window closed).
	ExamServed int64 `json:"exam_served" example:"120"`
	// ExamFacilityIndex is the mean share of the question's points earned in those papers
	// (null before an exam fed it).
	ExamFacilityIndex *float64 `json:"exam_facility_index" example:"0.68" extensions:"x-nullable"`
	// DiscriminationIndex is the exams' facility in the top 27% of learners by score minus that
	// in the bottom 27%, weighted by papers (null until an exam could tell; practice answers do
	// not measure it).
	DiscriminationIndex *float64 `json:"discrimination_index" example:"0.35" extensions:"x-nullable"`
} // @name QuestionStats

// RowErrorView is one problem of an import.
type RowErrorView struct {
	Row     int    `json:"row" example:"3"`
	Column  string `json:"column" example:"答案"`
	Message string `json:"message" example:"答案 E 不在选项中"`
} // @name QuestionImportRowError

// DuplicateView is a row skipped as a duplicate stem.
type DuplicateView struct {
	Row int `json:"row" example:"5"`
	// QuestionID is the bank's question with the same stem (null when the duplicate is an
	// earlier row of the same file).
	QuestionID *int64 `json:"question_id" example:"12" extensions:"x-nullable"`
	// DuplicateOfRow is the earlier row of the file with the same stem (null when the duplicate
	// is a question of the bank).
	DuplicateOfRow *int `json:"duplicate_of_row" example:"2" extensions:"x-nullable"`
} // @name QuestionImportDuplicate

// ImportResultView says what an import did.
type ImportResultView struct {
	Created           int             `json:"created" example:"58"`
	SkippedDuplicates int             `json:"skipped_duplicates" example:"2"`
	Errors            []RowErrorView  `json:"errors"`
	Duplicates        []DuplicateView `json:"duplicates"`
} // @name QuestionImportResult

// ImportRejectedView is a 422 of an import; nothing was written. Result, the full report, is
// there only with code question.import_invalid; an unreadable, empty or oversized file sends
// the plain envelope.
type ImportRejectedView struct {
	Error     httpx.ErrorBody   `json:"error"`
	RequestID string            `json:"request_id" example:"9f1c2b7e4a"`
	Result    *ImportResultView `json:"result,omitempty" validate:"optional"`
} // @name QuestionImportRejected

type formatQuery struct {
	Format Format `form:"format" binding:"omitempty,oneof=xlsx csv"`
}

type importQuery struct {
	Partial bool `form:"partial"`
}

func toBankView(b BankRow) BankView {
	return BankView{
		ID: b.ID, UnitID: b.UnitID, UnitName: b.UnitName, Name: b.Name, Subject: b.Subject, Tracks: b.TrackList(),
		Description: b.Description, QuestionCount: b.QuestionCount, PublishedCount: b.PublishedCount,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}
}

// ToLegalBasis converts stored legal-basis columns for the API.
func ToLegalBasis(c Content) LegalBasis {
	return LegalBasis{Law: c.LawName, Article: c.LawArticle, EffectiveDate: httpx.NullIfZero(c.LawEffectiveDate)}
}

// toTaggedQuestionView is the view of one question with its revision, for the ETag.
func toTaggedQuestionView(q Question) httpx.Tagged[QuestionView] {
	return httpx.Tag(toQuestionView(q), q.ID, q.RowVersion)
}

func toQuestionView(q Question) QuestionView {
	return QuestionView{
		ID: q.ID, BankID: q.BankID, Type: q.Type, Stem: q.Stem, Options: nonNil(q.Options), Answer: q.Answer,
		Analysis: q.Analysis, LegalBasis: ToLegalBasis(q.Content), Difficulty: q.Difficulty, Tags: q.TagList(),
		Status: q.Status, Version: q.Version, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
	}
}

// toVersionList is a question's whole version history, as one page.
func toVersionList(versions []Version) VersionList {
	return VersionList{Items: httpx.Map(versions, toVersionView), ListMeta: httpx.WholeMeta(len(versions))}
}

func toVersionView(v Version) VersionView {
	return VersionView{
		Version: v.Version, Type: v.Type, Stem: v.Stem, Options: nonNil(v.Options), Answer: v.Answer, Analysis: v.Analysis,
		LegalBasis: ToLegalBasis(v.Content), Difficulty: v.Difficulty, Tags: v.TagList(), CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt,
	}
}

func toStatsView(s Stats) StatsView {
	v := StatsView{QuestionID: s.QuestionID, Attempts: s.Attempts, Correct: s.Correct, ExamServed: s.Exam.Served,
		ExamFacilityIndex: s.Exam.Facility, DiscriminationIndex: s.Exam.Discrimination}
	if s.Attempts > 0 {
		f := float64(s.Correct) / float64(s.Attempts)
		v.FacilityIndex = &f
	}
	return v
}

func toImportResultView(r ImportResult) ImportResultView {
	return ImportResultView{
		Created: r.Created, SkippedDuplicates: r.SkippedDuplicates,
		Errors: httpx.Map(r.Errors, func(e RowError) RowErrorView {
			return RowErrorView{Row: e.Row, Column: e.Column, Message: e.Message}
		}),
		Duplicates: httpx.Map(r.Duplicates, func(d Duplicate) DuplicateView {
			return DuplicateView{Row: d.Row, QuestionID: httpx.NullIfZero(d.QuestionID), DuplicateOfRow: httpx.NullIfZero(d.DuplicateOfRow)}
		}),
	}
}

func nonNil(o []string) []string {
	if o == nil {
		return []string{}
	}
	return o
}

func (r BankCreateRequest) toInput() BankInput {
	return BankInput{UnitID: r.UnitID, Name: r.Name, Subject: r.Subject, Tracks: r.Tracks, Description: r.Description}
}

func (r BankUpdateRequest) toInput() BankUpdate {
	return BankUpdate{Name: r.Name, Subject: r.Subject, Tracks: r.Tracks, Description: r.Description}
}

func (r QuestionCreateRequest) toInput() Input {
	in := Input{
		Type: r.Type, Stem: r.Stem, Options: r.Options, Answer: r.Answer, Analysis: r.Analysis,
		Difficulty: r.Difficulty, Tags: r.Tags, Status: r.Status,
	}
	if r.LegalBasis != nil {
		in.LawName, in.LawArticle, in.LawEffectiveDate = r.LegalBasis.Law, r.LegalBasis.Article, r.LegalBasis.EffectiveDate
	}
	return in
}

func (r QuestionUpdateRequest) toInput() QuestionUpdate {
	u := QuestionUpdate{
		Type: r.Type, Stem: r.Stem, Options: r.Options, Answer: r.Answer, Analysis: r.Analysis,
		Difficulty: r.Difficulty, Tags: r.Tags, Status: r.Status,
	}
	if r.LegalBasis != nil {
		u.LawName, u.LawArticle, u.LawEffectiveDate = &r.LegalBasis.Law, &r.LegalBasis.Article, &r.LegalBasis.EffectiveDate
	}
	return u
}
