package lawreport

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Summary is a report as listings show it (without the body).
type Summary struct {
	ID          int64      `json:"id" example:"7"`
	CampaignID  int64      `json:"campaign_id" example:"1"`
	LearnerID   int64      `json:"learner_id" example:"2"`
	LearnerName string     `json:"learner_name" example:"王芳"`
	UnitID      int64      `json:"unit_id" example:"2"`
	UnitName    string     `json:"unit_name" example:"华阳镇"`
	Title       string     `json:"title" example:"2026 年度履行推进法治建设第一责任人职责情况报告"`
	Attachments []string   `json:"attachments" example:"https://example.gov.cn/files/shufa-2026.pdf"`
	Status      Status     `json:"status" example:"submitted" enums:"submitted,approved,returned"`
	Score       *int       `json:"score" example:"92" extensions:"x-nullable"`
	Revision    int        `json:"revision" example:"1"`
	SubmittedBy int64      `json:"submitted_by" example:"12"`
	SubmittedAt time.Time  `json:"submitted_at" format:"date-time"`
	ReviewedBy  *int64     `json:"reviewed_by" example:"1" extensions:"x-nullable"`
	ReviewedAt  *time.Time `json:"reviewed_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt   time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt   time.Time  `json:"updated_at" format:"date-time"`
} // @name LawReportSummary

// View is one report with its body and history.
type View struct {
	Summary
	Body    string       `json:"body" example:"一年来，本人认真履行推进法治建设第一责任人职责……"`
	History []ReviewView `json:"history"`
} // @name LawReport

// ReviewView is one step of a report's history.
type ReviewView struct {
	ID        int64     `json:"id" example:"3"`
	Action    Action    `json:"action" example:"return" enums:"submit,resubmit,approve,return"`
	ActorID   *int64    `json:"actor_id" example:"1" extensions:"x-nullable"`
	ActorName string    `json:"actor_name" example:"县司法局管理员"`
	ActorRole string    `json:"actor_role" example:"admin"`
	Comment   string    `json:"comment" example:"请补充本年度重大行政决策合法性审查情况"`
	Score     *int      `json:"score" example:"92" extensions:"x-nullable"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
} // @name LawReportReview

// List is a page of reports.
type List struct {
	Items []Summary `json:"items"`
	httpx.ListMeta
} // @name LawReportList

// CreateRequest submits a report. Learners submit their own (omit learner_id); admins submit on
// behalf of a leader-track learner of their subtree (learner_id required).
type CreateRequest struct {
	CampaignID  int64    `json:"campaign_id" binding:"required,min=1" example:"1"`
	LearnerID   int64    `json:"learner_id" binding:"omitempty,min=1" example:"2" validate:"optional"`
	Title       string   `json:"title" binding:"required,max=200" example:"2026 年度履行推进法治建设第一责任人职责情况报告"`
	Body        string   `json:"body" binding:"required,max=20000" example:"一年来，本人认真履行推进法治建设第一责任人职责……"`
	Attachments []string `json:"attachments" binding:"max=10,dive,required,max=1000" example:"https://example.gov.cn/files/shufa-2026.pdf"`
} // @name LawReportCreateRequest

// ReviseRequest replaces the content of a returned report and submits it again.
type ReviseRequest struct {
	Title       string   `json:"title" binding:"required,max=200" example:"2026 年度履行推进法治建设第一责任人职责情况报告（修改稿）"`
	Body        string   `json:"body" binding:"required,max=20000" example:"一年来，本人认真履行推进法治建设第一责任人职责……"`
	Attachments []string `json:"attachments" binding:"max=10,dive,required,max=1000" example:"https://example.gov.cn/files/shufa-2026.pdf"`
} // @name LawReportReviseRequest

// ReviewRequest approves (optional score 0–100 and comment) or returns (comment required) a
// submitted report.
type ReviewRequest struct {
	Decision Decision `json:"decision" binding:"required,oneof=approve return" example:"approve" enums:"approve,return"`
	Comment  string   `json:"comment" binding:"max=1000" example:"内容翔实，同意" validate:"optional"`
	Score    *int     `json:"score" binding:"omitempty,min=0,max=100" example:"92" minimum:"0" maximum:"100" validate:"optional"`
} // @name LawReportReviewRequest

type listQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"omitempty,min=1"`
	UnitID     int64  `form:"unit_id" binding:"omitempty,min=1"`
	Status     Status `form:"status" binding:"omitempty,oneof=submitted approved returned"`
	Name       string `form:"name" binding:"max=32"`
}

type myQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"omitempty,min=1"`
	Status     Status `form:"status" binding:"omitempty,oneof=submitted approved returned"`
}

func (q listQuery) toInput(p httpx.Page) ListInput {
	return ListInput{CampaignID: q.CampaignID, UnitID: q.UnitID, Status: q.Status, Name: q.Name, Offset: p.Offset(), Limit: p.Size}
}

func (q myQuery) toInput(p httpx.Page) ListInput {
	return ListInput{CampaignID: q.CampaignID, Status: q.Status, Offset: p.Offset(), Limit: p.Size}
}

func (r CreateRequest) toInput() Input {
	return Input{CampaignID: r.CampaignID, LearnerID: r.LearnerID, Content: Content{Title: r.Title, Body: r.Body, Attachments: r.Attachments}}
}

func (r ReviseRequest) toContent() Content {
	return Content{Title: r.Title, Body: r.Body, Attachments: r.Attachments}
}

func (r ReviewRequest) toInput() ReviewInput {
	return ReviewInput{Decision: r.Decision, Comment: r.Comment, Score: r.Score}
}

// toSummary converts a row for listings.
func toSummary(r Row) Summary {
	return Summary{
		ID: r.ID, CampaignID: r.CampaignID, LearnerID: r.LearnerID, LearnerName: r.LearnerName, UnitID: r.UnitID, UnitName: r.UnitName,
		Title: r.Title, Attachments: r.attachmentList(), Status: r.Status, Score: r.Score, Revision: r.Revision,
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toReviewView(r Review) ReviewView {
	return ReviewView{ID: r.ID, Action: r.Action, ActorID: r.ActorID, ActorName: r.ActorName, ActorRole: r.ActorRole,
		Comment: r.Comment, Score: r.Score, CreatedAt: r.CreatedAt}
}

// toView converts a report with its history.
func toView(d Detail) View {
	return View{Summary: toSummary(*d.Row), Body: d.Row.Body, History: httpx.Map(d.History, toReviewView)}
}
