package learner

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// View is a learner as the API shows it: phone and ID number always masked.
type View struct {
	ID         int64      `json:"id" example:"12"`
	AccountID  int64      `json:"account_id" example:"30"`
	ExternalID string     `json:"external_id" example:"HR-000123"`
	Name       string     `json:"name" example:"张三"`
	UnitID     int64      `json:"unit_id" example:"2"`
	UnitName   string     `json:"unit_name" example:"华阳镇"`
	Track      Track      `json:"track" example:"general" enums:"leader,general,judicial"`
	Position   string     `json:"position" example:"科员"`
	Phone      string     `json:"phone" example:"138****5678"`
	IDCard     string     `json:"id_card" example:"3418**********1234"`
	Status     Status     `json:"status" example:"active" enums:"active,left"`
	LeftAt     *time.Time `json:"left_at" format:"date-time" extensions:"x-nullable"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt  time.Time  `json:"updated_at" format:"date-time"`
} // @name Learner

// List is a page of learners.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name LearnerList

// CreatedView is a new learner; initial_password is the password the server generated (shown
// once), null when the admin chose one.
type CreatedView struct {
	View
	InitialPassword *string `json:"initial_password" example:"Tq7mK2pZ9xHe" extensions:"x-nullable"`
} // @name LearnerCreated

// PIIView reveals a learner's personal data (audited).
type PIIView struct {
	Phone  string `json:"phone" example:"13812345678"`
	IDCard string `json:"id_card" example:"341823199001011234"`
} // @name LearnerPII

// CreateRequest creates a learner and their account (login by phone).
type CreateRequest struct {
	Name     string `json:"name" binding:"required,max=32" example:"张三"`
	UnitID   int64  `json:"unit_id" binding:"required,min=1" example:"2"`
	Track    Track  `json:"track" binding:"required,oneof=leader general judicial" example:"general"`
	Position string `json:"position" binding:"max=64" example:"科员" validate:"optional"`
	Phone    string `json:"phone" binding:"required,max=11" example:"13812345678"`
	IDCard   string `json:"id_card" binding:"max=18" example:"11010519491231002X" validate:"optional"`
	Password string `json:"password" binding:"max=128" example:"Initial#2026" validate:"optional"`
} // @name LearnerCreateRequest

// UpdateRequest changes a learner; absent fields stay; id_card "" clears it.
type UpdateRequest struct {
	Name     *string `json:"name" binding:"omitempty,max=32" example:"张三" validate:"optional"`
	UnitID   *int64  `json:"unit_id" binding:"omitempty,min=1" example:"3" validate:"optional"`
	Track    *Track  `json:"track" binding:"omitempty,oneof=leader general judicial" example:"leader" validate:"optional"`
	Position *string `json:"position" binding:"omitempty,max=64" example:"副镇长" validate:"optional"`
	Phone    *string `json:"phone" binding:"omitempty,max=11" example:"13812345678" validate:"optional"`
	IDCard   *string `json:"id_card" binding:"omitempty,max=18" example:"11010519491231002X" validate:"optional"`
} // @name LearnerUpdateRequest

type listQuery struct {
	UnitID int64  `form:"unit_id" binding:"omitempty,min=1"`
	Track  Track  `form:"track" binding:"omitempty,oneof=leader general judicial"`
	Status Status `form:"status" binding:"omitempty,oneof=active left"`
	Name   string `form:"name" binding:"max=32"`
}

func (q listQuery) toInput(p httpx.Page) ListInput {
	return ListInput{UnitID: q.UnitID, Track: q.Track, Status: q.Status, Name: q.Name, Offset: p.Offset(), Limit: p.Size}
}

// toViews converts a page of rows, fetching the masked phones in one query.
func (s *Service) toViews(ctxPhones map[int64]string, rows []Row) []View {
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.toView(r, ctxPhones[r.AccountID]))
	}
	return out
}

// toView converts one row with its already masked phone.
func (s *Service) toView(r Row, maskedPhone string) View {
	return View{
		ID: r.ID, AccountID: r.AccountID, ExternalID: deref(r.ExternalID), Name: r.Name, UnitID: r.UnitID, UnitName: r.UnitName, Track: r.Track,
		Position: r.Position, Phone: maskedPhone, IDCard: s.MaskedIDCard(r.Learner), Status: r.Status, LeftAt: r.LeftAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func (r CreateRequest) toProfile() Profile {
	return Profile{Name: r.Name, UnitID: r.UnitID, Track: r.Track, Position: r.Position, Phone: r.Phone, IDCard: r.IDCard}
}

func (r UpdateRequest) toInput() UpdateInput {
	return UpdateInput{Name: r.Name, UnitID: r.UnitID, Track: r.Track, Position: r.Position, Phone: r.Phone, IDCard: r.IDCard}
}

// SyncRequest is an HR system's staff list: up to 1,000 learners keyed by external id.
type SyncRequest struct {
	Learners []SyncItemRequest `json:"learners" binding:"required,min=1,max=1000"`
} // @name LearnerSyncRequest

// SyncItemRequest is one learner of a sync; every field is sent every time (a full record).
// Items are validated one by one (errors land in that item's result), not as a whole.
type SyncItemRequest struct {
	ExternalID string `json:"external_id" example:"HR-000123" validate:"optional"`
	Name       string `json:"name" example:"张三" validate:"optional"`
	UnitID     int64  `json:"unit_id" example:"2" validate:"optional"`
	Track      Track  `json:"track" example:"general" enums:"leader,general,judicial" validate:"optional"`
	Position   string `json:"position" example:"科员" validate:"optional"`
	Phone      string `json:"phone" example:"13812345678" validate:"optional"`
	IDCard     string `json:"id_card" example:"11010519491231002X" validate:"optional"`
} // @name LearnerSyncItem

// SyncItemResult is what the sync did to one item, in request order.
type SyncItemResult struct {
	Index      int              `json:"index" example:"0"`
	ExternalID string           `json:"external_id" example:"HR-000123"`
	Status     string           `json:"status" example:"created" enums:"created,updated,unchanged,error"`
	LearnerID  *int64           `json:"learner_id" example:"12" extensions:"x-nullable"`
	Error      *httpx.ErrorBody `json:"error" extensions:"x-nullable"`
} // @name LearnerSyncItemResult

// SyncResponse counts the outcomes and lists one result per item.
type SyncResponse struct {
	Created   int              `json:"created" example:"1"`
	Updated   int              `json:"updated" example:"0"`
	Unchanged int              `json:"unchanged" example:"998"`
	Failed    int              `json:"failed" example:"1"`
	Results   []SyncItemResult `json:"results"`
} // @name LearnerSyncResponse

func (r SyncRequest) toItems() []SyncItem {
	out := make([]SyncItem, 0, len(r.Learners))
	for _, l := range r.Learners {
		out = append(out, SyncItem{Profile: Profile{ExternalID: l.ExternalID, Name: l.Name, UnitID: l.UnitID, Track: l.Track,
			Position: l.Position, Phone: l.Phone, IDCard: l.IDCard}})
	}
	return out
}

func toSyncResponse(results []SyncResult) SyncResponse {
	out := SyncResponse{Results: make([]SyncItemResult, 0, len(results))}
	for _, r := range results {
		item := SyncItemResult{Index: r.Index, ExternalID: r.ExternalID, Status: r.Status, LearnerID: httpx.NullIfZero(r.LearnerID)}
		switch r.Status {
		case SyncCreated:
			out.Created++
		case SyncUpdated:
			out.Updated++
		case SyncUnchanged:
			out.Unchanged++
		default:
			out.Failed++
			item.Error = &httpx.ErrorBody{Code: r.Err.Code, Message: r.Err.Message, Fields: r.Err.Fields}
		}
		out.Results = append(out.Results, item)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
