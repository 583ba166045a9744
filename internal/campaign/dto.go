package campaign

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// Targets are the credits each track must reach in the campaign.
type Targets struct {
	Leader   credit.Amount `json:"leader" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"40" validate:"optional"`
	General  credit.Amount `json:"general" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"30" validate:"optional"`
	Judicial credit.Amount `json:"judicial" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"50" validate:"optional"`
} // @name CampaignTargets

// TargetsPatch changes some targets; absent tracks keep theirs.
type TargetsPatch struct {
	Leader   *credit.Amount `json:"leader" binding:"omitempty,min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"40" validate:"optional"`
	General  *credit.Amount `json:"general" binding:"omitempty,min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"30" validate:"optional"`
	Judicial *credit.Amount `json:"judicial" binding:"omitempty,min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"50" validate:"optional"`
} // @name CampaignTargetsPatch

func (t TargetsPatch) toMap() map[string]credit.Amount {
	out := map[string]credit.Amount{}
	for track, v := range map[string]*credit.Amount{"leader": t.Leader, "general": t.General, "judicial": t.Judicial} {
		if v != nil {
			out[track] = *v
		}
	}
	return out
}

// View is a campaign as the API shows it.
type View struct {
	ID        int64        `json:"id" example:"1"`
	UnitID    int64        `json:"unit_id" example:"1"`
	UnitName  string       `json:"unit_name" example:"绩溪县"`
	Name      string       `json:"name" example:"第九个机关集中学法月"`
	Theme     string       `json:"theme" example:"尊法学法守法用法，建设法治绩溪"`
	StartDate string       `json:"start_date" format:"date" example:"2026-11-01"`
	EndDate   string       `json:"end_date" format:"date" example:"2026-11-30"`
	Status    Status       `json:"status" example:"active" enums:"draft,active,closing,closed"`
	Targets   Targets      `json:"targets"`
	Rules     credit.Rules `json:"rules"`
	Contacts  []Contact    `json:"contacts"`
	CreatedAt time.Time    `json:"created_at" format:"date-time"`
	UpdatedAt time.Time    `json:"updated_at" format:"date-time"`
} // @name Campaign

// List is a page of campaigns.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name CampaignList

// CreateRequest creates a draft campaign.
type CreateRequest struct {
	UnitID    int64        `json:"unit_id" binding:"required,min=1" example:"1"`
	Name      string       `json:"name" binding:"required,max=100" example:"第九个机关集中学法月"`
	Theme     string       `json:"theme" binding:"max=255" example:"尊法学法守法用法，建设法治绩溪" validate:"optional"`
	StartDate string       `json:"start_date" binding:"required" format:"date" example:"2026-11-01"`
	EndDate   string       `json:"end_date" binding:"required" format:"date" example:"2026-11-30"`
	Targets   Targets      `json:"targets" validate:"optional"`
	Rules     credit.Rules `json:"rules" validate:"optional"`
	Contacts  []Contact    `json:"contacts" binding:"max=10,dive" validate:"optional"`
} // @name CampaignCreateRequest

// UpdateRequest changes a campaign; absent fields stay. status moves draft → active; closing is
// POST /campaigns/{id}/close (status closed here answers 409 campaign.close_required).
type UpdateRequest struct {
	Name      *string       `json:"name" binding:"omitempty,min=1,max=100" example:"第九个机关集中学法月" validate:"optional"`
	Theme     *string       `json:"theme" binding:"omitempty,max=255" example:"尊法学法守法用法" validate:"optional"`
	StartDate *string       `json:"start_date" format:"date" example:"2026-11-01" validate:"optional"`
	EndDate   *string       `json:"end_date" format:"date" example:"2026-11-30" validate:"optional"`
	Status    *Status       `json:"status" binding:"omitempty,oneof=draft active closed" example:"active" validate:"optional"`
	Targets   *TargetsPatch `json:"targets" validate:"optional"`
	Rules     *credit.Rules `json:"rules" validate:"optional"`
	Contacts  *[]Contact    `json:"contacts" binding:"omitempty,max=10,dive" validate:"optional"`
} // @name CampaignUpdateRequest

type listQuery struct {
	Status Status `form:"status" binding:"omitempty,oneof=draft active closing closed"`
}

func (t Targets) toMap() map[string]credit.Amount {
	return map[string]credit.Amount{"leader": t.Leader, "general": t.General, "judicial": t.Judicial}
}

// toTaggedView is the view of one campaign with its revision, for the ETag.
func toTaggedView(r Row) httpx.Tagged[View] { return httpx.Tag(toView(r), r.ID, r.RowVersion) }

// toView converts a row for the API.
func toView(r Row) View {
	return View{
		ID: r.ID, UnitID: r.UnitID, UnitName: r.UnitName, Name: r.Name, Theme: r.Theme, StartDate: r.StartDate,
		EndDate: r.EndDate, Status: r.Status, Targets: Targets{Leader: r.TargetLeader, General: r.TargetGeneral, Judicial: r.TargetJudicial},
		Rules: r.rules(), Contacts: r.contacts(), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func (r CreateRequest) toInput() Input {
	return Input{UnitID: r.UnitID, Name: r.Name, Theme: r.Theme, StartDate: r.StartDate, EndDate: r.EndDate,
		Targets: r.Targets.toMap(), Rules: r.Rules, Contacts: r.Contacts}
}

func (r UpdateRequest) toInput() UpdateInput {
	in := UpdateInput{Name: r.Name, Theme: r.Theme, StartDate: r.StartDate, EndDate: r.EndDate, Status: r.Status,
		Rules: r.Rules, Contacts: r.Contacts}
	if r.Targets != nil {
		in.Targets = r.Targets.toMap()
	}
	return in
}
