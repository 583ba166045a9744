package consultation

import (
	"time"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// View is a consultation as the answering admins see it.
type View struct {
	ID             int64      `json:"id" example:"5"`
	CampaignID     int64      `json:"campaign_id" example:"1"`
	UnitID         int64      `json:"unit_id" example:"1"`
	AskerID        int64      `json:"asker_id" example:"31"`
	AskerName      string     `json:"asker_name" example:"张伟"`
	AskerRole      string     `json:"asker_role" example:"learner" enums:"learner,participant"`
	Question       string     `json:"question" example:"单位拖欠工资，劳动者可以向哪里投诉？"`
	Status         Status     `json:"status" example:"answered" enums:"open,answered"`
	Answer         *string    `json:"answer" example:"可以向用人单位所在地的劳动保障监察机构投诉，或申请劳动争议仲裁。" extensions:"x-nullable"`
	AnsweredBy     *int64     `json:"answered_by" example:"1" extensions:"x-nullable"`
	AnsweredByName string     `json:"answered_by_name" example:"县司法局管理员"`
	AnsweredAt     *time.Time `json:"answered_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt      time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt      time.Time  `json:"updated_at" format:"date-time"`
} // @name Consultation

// List is a page of consultations.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name ConsultationList

// MyView is one of the caller's questions with its answer and the campaign's contact channels.
type MyView struct {
	ID           int64              `json:"id" example:"5"`
	CampaignID   int64              `json:"campaign_id" example:"1"`
	CampaignName string             `json:"campaign_name" example:"第九个机关集中学法月"`
	Question     string             `json:"question" example:"单位拖欠工资，劳动者可以向哪里投诉？"`
	Status       Status             `json:"status" example:"answered" enums:"open,answered"`
	Answer       *string            `json:"answer" example:"可以向用人单位所在地的劳动保障监察机构投诉，或申请劳动争议仲裁。" extensions:"x-nullable"`
	AnsweredAt   *time.Time         `json:"answered_at" format:"date-time" extensions:"x-nullable"`
	Contacts     []campaign.Contact `json:"contacts"`
	CreatedAt    time.Time          `json:"created_at" format:"date-time"`
	UpdatedAt    time.Time          `json:"updated_at" format:"date-time"`
} // @name MyConsultation

// MyList is a page of the caller's questions.
type MyList struct {
	Items []MyView `json:"items"`
	httpx.ListMeta
} // @name MyConsultationList

// AskRequest asks a question in a campaign.
type AskRequest struct {
	CampaignID int64  `json:"campaign_id" binding:"required,min=1" example:"1"`
	Question   string `json:"question" binding:"required,min=10,max=2000" example:"单位拖欠工资，劳动者可以向哪里投诉？"`
} // @name ConsultationAskRequest

// AnswerRequest answers a consultation (or edits the answer).
type AnswerRequest struct {
	Answer string `json:"answer" binding:"required,max=5000" example:"可以向用人单位所在地的劳动保障监察机构投诉，或申请劳动争议仲裁。"`
} // @name ConsultationAnswerRequest

type listQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"omitempty,min=1"`
	Status     Status `form:"status" binding:"omitempty,oneof=open answered"`
}

func (q listQuery) toInput(p httpx.Page) ListInput {
	return ListInput{CampaignID: q.CampaignID, Status: q.Status, Offset: p.Offset(), Limit: p.Size}
}

// toView converts a row for admins.
func toView(r Row) View {
	return View{
		ID: r.ID, CampaignID: r.CampaignID, UnitID: r.UnitID, AskerID: r.AskerID, AskerName: r.AskerName, AskerRole: r.AskerRole,
		Question: r.Question, Status: r.Status, Answer: r.Answer, AnsweredBy: r.AnsweredBy, AnsweredByName: r.AnsweredByName,
		AnsweredAt: r.AnsweredAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// toMyView converts one of the asker's consultations.
func toMyView(m Mine) MyView {
	return MyView{
		ID: m.Row.ID, CampaignID: m.Row.CampaignID, CampaignName: m.Card.Name, Question: m.Row.Question, Status: m.Row.Status,
		Answer: m.Row.Answer, AnsweredAt: m.Row.AnsweredAt, Contacts: m.Card.Contacts, CreatedAt: m.Row.CreatedAt, UpdatedAt: m.Row.UpdatedAt,
	}
}
