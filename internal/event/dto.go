package event

import (
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// GeofenceView is a check-in circle.
type GeofenceView struct {
	Lat     float64 `json:"lat" binding:"min=-90,max=90" example:"30.0656" validate:"optional"`
	Lng     float64 `json:"lng" binding:"min=-180,max=180" example:"118.5785" validate:"optional"`
	RadiusM int     `json:"radius_m" binding:"min=10,max=5000" example:"200" validate:"optional"`
} // @name EventGeofence

// View is an event as the API shows it.
type View struct {
	ID                   int64         `json:"id" example:"5"`
	CampaignID           int64         `json:"campaign_id" example:"1"`
	UnitID               int64         `json:"unit_id" example:"1"`
	UnitName             string        `json:"unit_name" example:"绩溪县"`
	Type                 Type          `json:"type" example:"lecture" enums:"lecture,court_hearing,warning_education,law_delivery"`
	Title                string        `json:"title" example:"法治讲坛：民法典与基层治理"`
	Description          *string       `json:"description" example:"县委常委主讲" extensions:"x-nullable"`
	Speakers             []Speaker     `json:"speakers"`
	OrganiserIDs         []int64       `json:"organiser_ids" example:"6"`
	VenueName            string        `json:"venue_name" example:"县行政中心三楼会议室"`
	VenueAddress         string        `json:"venue_address" example:"绩溪县华阳镇"`
	VenueType            string        `json:"venue_type" example:"学校"`
	Geofence             *GeofenceView `json:"geofence" extensions:"x-nullable"`
	StartsAt             time.Time     `json:"starts_at" format:"date-time"`
	EndsAt               time.Time     `json:"ends_at" format:"date-time"`
	Capacity             int           `json:"capacity" example:"100"`
	Registered           int           `json:"registered" example:"42"`
	RegistrationRequired bool          `json:"registration_required" example:"true"`
	AudienceTracks       []string      `json:"audience_tracks" example:"leader"`
	AudienceUnitIDs      []int64       `json:"audience_unit_ids" example:"2"`
	Credits              credit.Amount `json:"credits" swaggertype:"number" multipleOf:"0.01" example:"2"`
	MinMinutes           int           `json:"min_minutes" example:"60"`
	AudienceReached      int           `json:"audience_reached" example:"0"`
	CourtName            string        `json:"court_name" example:"绩溪县人民法院"`
	CaseType             string        `json:"case_type" example:"行政诉讼"`
	CaseNumber           string        `json:"case_number" example:"(2026)皖1824行初**号"`
	Status               Status        `json:"status" example:"published" enums:"draft,published,cancelled,finished"`
	Summary              *SummaryView  `json:"summary" extensions:"x-nullable"`
	CreatedAt            time.Time     `json:"created_at" format:"date-time"`
	UpdatedAt            time.Time     `json:"updated_at" format:"date-time"`
} // @name Event

// List is a page of events.
type List struct {
	Items []View `json:"items"`
	httpx.ListMeta
} // @name EventList

// MyView is an event with the caller's registration and attendance.
type MyView struct {
	View
	// Registration is null when the caller never registered (an event open to its audience).
	Registration *string    `json:"registration" example:"registered" enums:"registered,waitlisted,cancelled" extensions:"x-nullable"`
	CheckedInAt  *time.Time `json:"checked_in_at" format:"date-time" extensions:"x-nullable"`
	CheckedOutAt *time.Time `json:"checked_out_at" format:"date-time" extensions:"x-nullable"`
	Credited     bool       `json:"credited" example:"false"`
} // @name MyEvent

// MyList is a page of the caller's events.
type MyList struct {
	Items []MyView `json:"items"`
	httpx.ListMeta
} // @name MyEventList

// Request creates or replaces an event.
type Request struct {
	CampaignID           int64         `json:"campaign_id" binding:"required,min=1" example:"1"`
	UnitID               int64         `json:"unit_id" binding:"required,min=1" example:"1"`
	Type                 Type          `json:"type" binding:"required,oneof=lecture court_hearing warning_education law_delivery" example:"lecture"`
	Title                string        `json:"title" binding:"required,max=200" example:"法治讲坛：民法典与基层治理"`
	Description          *string       `json:"description" binding:"omitempty,max=20000" example:"县委常委主讲" validate:"optional"`
	Speakers             []Speaker     `json:"speakers" binding:"max=20,dive" validate:"optional"`
	OrganiserIDs         []int64       `json:"organiser_ids" binding:"max=20,dive,min=1" example:"6" validate:"optional"`
	VenueName            string        `json:"venue_name" binding:"max=200" example:"县行政中心三楼会议室" validate:"optional"`
	VenueAddress         string        `json:"venue_address" binding:"max=300" example:"绩溪县华阳镇" validate:"optional"`
	VenueType            string        `json:"venue_type" binding:"max=16" example:"学校" validate:"optional"`
	Geofence             *GeofenceView `json:"geofence" validate:"optional"`
	StartsAt             time.Time     `json:"starts_at" binding:"required" format:"date-time"`
	EndsAt               time.Time     `json:"ends_at" binding:"required" format:"date-time"`
	Capacity             int           `json:"capacity" binding:"min=0,max=100000" example:"100" validate:"optional"`
	RegistrationRequired bool          `json:"registration_required" example:"true" validate:"optional"`
	AudienceTracks       []string      `json:"audience_tracks" binding:"max=3,dive,oneof=leader general judicial" example:"leader" validate:"optional"`
	AudienceUnitIDs      []int64       `json:"audience_unit_ids" binding:"max=100,dive,min=1" example:"2" validate:"optional"`
	Credits              credit.Amount `json:"credits" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"2" validate:"optional"`
	MinMinutes           int           `json:"min_minutes" binding:"min=0,max=1440" example:"60" validate:"optional"`
	AudienceReached      int           `json:"audience_reached" binding:"min=0,max=10000000" example:"0" validate:"optional"`
	CourtName            string        `json:"court_name" binding:"max=100" example:"绩溪县人民法院" validate:"optional"`
	CaseType             string        `json:"case_type" binding:"max=50" example:"行政诉讼" validate:"optional"`
	CaseNumber           string        `json:"case_number" binding:"max=100" example:"(2026)皖1824行初12号" validate:"optional"`
	// Status, on replace only: publish (draft → published) or cancel (published → cancelled).
	Status *Status `json:"status" binding:"omitempty,oneof=draft published cancelled" example:"published" validate:"optional"`
} // @name EventRequest

// RegistrationView is a learner's registration.
type RegistrationView struct {
	ID          int64              `json:"id" example:"17"`
	EventID     int64              `json:"event_id" example:"5"`
	LearnerID   int64              `json:"learner_id" example:"3"`
	LearnerName string             `json:"learner_name" example:"张伟"`
	UnitName    string             `json:"unit_name" example:"华阳镇"`
	Status      RegistrationStatus `json:"status" example:"registered" enums:"registered,waitlisted,cancelled"`
	CreatedAt   time.Time          `json:"created_at" format:"date-time"`
} // @name EventRegistration

// RegistrationList is a page of registrations.
type RegistrationList struct {
	Items []RegistrationView `json:"items"`
	httpx.ListMeta
} // @name EventRegistrationList

// CodeView is the organiser's current check-in code (render it as a QR code).
type CodeView struct {
	Token     string    `json:"token" example:"AAAAAAAAAAUAAAAAOd3d3mJ9c2..."`
	RotatesAt time.Time `json:"rotates_at" format:"date-time"`
	ExpiresAt time.Time `json:"expires_at" format:"date-time"`
} // @name CheckinCode

// CheckinRequest is a scan by a learner.
type CheckinRequest struct {
	Token string   `json:"token" binding:"required,max=100" example:"AAAAAAAAAAUAAAAAOd3d3mJ9c2..."`
	Lat   *float64 `json:"lat" binding:"omitempty,min=-90,max=90" example:"30.0657" validate:"optional"`
	Lng   *float64 `json:"lng" binding:"omitempty,min=-180,max=180" example:"118.5786" validate:"optional"`
} // @name CheckinRequest

// AttendanceView is one learner's presence.
type AttendanceView struct {
	LearnerID    int64      `json:"learner_id" example:"3"`
	LearnerName  string     `json:"learner_name" example:"张伟"`
	UnitName     string     `json:"unit_name" example:"华阳镇"`
	CheckedInAt  time.Time  `json:"checked_in_at" format:"date-time"`
	CheckedOutAt *time.Time `json:"checked_out_at" format:"date-time" extensions:"x-nullable"`
	Source       string     `json:"source" example:"qr" enums:"qr,manual"`
	Reason       string     `json:"reason" example:"无智能手机"`
	Credited     bool       `json:"credited" example:"true"`
} // @name EventAttendance

// CheckinView is what a scan did.
type CheckinView struct {
	Attendance AttendanceView `json:"attendance"`
	CheckedOut bool           `json:"checked_out" example:"false"`
	Credited   credit.Amount  `json:"credits_awarded" swaggertype:"number" multipleOf:"0.01" example:"2"`
} // @name CheckinResult

// ManualRequest marks a learner present by hand.
type ManualRequest struct {
	LearnerID    int64      `json:"learner_id" binding:"required,min=1" example:"3"`
	CheckedInAt  *time.Time `json:"checked_in_at" format:"date-time" validate:"optional"`
	CheckedOutAt *time.Time `json:"checked_out_at" format:"date-time" validate:"optional"`
	Reason       string     `json:"reason" binding:"required,min=2,max=255" example:"无智能手机，现场签到表登记"`
} // @name ManualAttendanceRequest

// AttendanceReportView is an event's attendance with counts.
type AttendanceReportView struct {
	EventID    int64            `json:"event_id" example:"5"`
	Registered int              `json:"registered" example:"42"`
	Attended   int              `json:"attended" example:"40"`
	Credited   int              `json:"credited" example:"38"`
	Items      []AttendanceView `json:"items"`
} // @name EventAttendanceReport

// SummaryView is what happened at an event.
type SummaryView struct {
	Summary       string    `json:"summary" example:"讲解了民法典合同编的常见纠纷"`
	AudienceCount int       `json:"audience_count" example:"120"`
	Photos        []string  `json:"photos" example:"https://example.gov.cn/p/1.jpg"`
	UpdatedAt     time.Time `json:"updated_at" format:"date-time"`
} // @name EventSummary

// SummaryRequest records what happened.
type SummaryRequest struct {
	Summary       string   `json:"summary" binding:"required,min=2,max=20000" example:"讲解了民法典合同编的常见纠纷"`
	AudienceCount int      `json:"audience_count" binding:"min=0,max=10000000" example:"120" validate:"optional"`
	Photos        []string `json:"photos" binding:"max=20,dive,url,max=1000" example:"https://example.gov.cn/p/1.jpg" validate:"optional"`
} // @name EventSummaryRequest

// StatsView are the numbers the county reports upward.
type StatsView struct {
	UnitID         int64           `json:"unit_id" example:"1"`
	Events         int64           `json:"events" example:"12"`
	Registered     int64           `json:"registered" example:"300"`
	Attended       int64           `json:"attended" example:"280"`
	AttendanceRate float64         `json:"attendance_rate" example:"93.3"`
	ByType         []TypeStatsView `json:"by_type"`
	DeliveryReach  []ReachView     `json:"delivery_reach"`
	ByUnit         []UnitStatsView `json:"by_unit"`
} // @name EventStats

// TypeStatsView are one type's figures.
type TypeStatsView struct {
	Type       Type  `json:"type" example:"lecture"`
	Events     int64 `json:"events" example:"4"`
	Registered int64 `json:"registered" example:"120"`
	Attended   int64 `json:"attended" example:"110"`
} // @name EventTypeStats

// ReachView is 送法 reach for one venue type.
type ReachView struct {
	VenueType string `json:"venue_type" example:"学校"`
	Events    int64  `json:"events" example:"3"`
	Reached   int64  `json:"audience_reached" example:"900"`
} // @name EventReach

// UnitStatsView are a sub-unit's figures.
type UnitStatsView struct {
	UnitID   int64  `json:"unit_id" example:"2"`
	Name     string `json:"name" example:"华阳镇"`
	Events   int64  `json:"events" example:"3"`
	Attended int64  `json:"attended" example:"80"`
} // @name EventUnitStats

type listQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"omitempty,min=1"`
	Type       Type   `form:"type" binding:"omitempty,oneof=lecture court_hearing warning_education law_delivery"`
	Status     Status `form:"status" binding:"omitempty,oneof=draft published cancelled finished"`
}

type myQuery struct {
	Which string `form:"filter" binding:"omitempty,oneof=upcoming registered attended"`
}

type registrationQuery struct {
	Status RegistrationStatus `form:"status" binding:"omitempty,oneof=registered waitlisted cancelled"`
}

type statsQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"omitempty,min=1"`
	UnitID     int64 `form:"unit_id" binding:"omitempty,min=1"`
}

// createBody is the input of an event's creation: its Request, whose status if sent is draft.
type createBody struct {
	Body Request
}

// Bind reads the body; a status other than draft is refused, since a new event is a draft
// (publishing is a replace with status published).
func (in *createBody) Bind(c *gin.Context) error {
	if err := httpx.BindJSON(c, &in.Body); err != nil {
		return err
	}
	if in.Body.Status != nil && *in.Body.Status != StatusDraft {
		return apperr.Invalid("request.validation", "请求参数有误", apperr.Field("status", "新建的活动只能是草稿，创建后再发布"))
	}
	return nil
}

func (q listQuery) toInput(p httpx.Page) ListInput {
	return ListInput{CampaignID: q.CampaignID, Type: q.Type, Status: q.Status, Offset: p.Offset(), Limit: p.Size}
}

func (r CheckinRequest) toScan(key string) Scan {
	return Scan{Token: r.Token, Lat: r.Lat, Lng: r.Lng, Key: key}
}

func (r ManualRequest) toInput() ManualInput {
	return ManualInput{LearnerID: r.LearnerID, CheckedInAt: r.CheckedInAt, CheckedOutAt: r.CheckedOutAt, Reason: r.Reason}
}

func (r SummaryRequest) toInput() SummaryInput {
	return SummaryInput{Summary: r.Summary, AudienceCount: r.AudienceCount, Photos: r.Photos}
}

func (r Request) toInput() Input {
	in := Input{CampaignID: r.CampaignID, UnitID: r.UnitID, Type: r.Type, Title: r.Title, Description: r.Description,
		Speakers: r.Speakers, OrganiserIDs: r.OrganiserIDs, VenueName: r.VenueName, VenueAddress: r.VenueAddress,
		VenueType: r.VenueType, StartsAt: r.StartsAt, EndsAt: r.EndsAt, Capacity: r.Capacity,
		RegistrationRequired: r.RegistrationRequired, AudienceTracks: r.AudienceTracks, AudienceUnitIDs: r.AudienceUnitIDs,
		Credits: r.Credits, MinMinutes: r.MinMinutes, AudienceReached: r.AudienceReached, CourtName: r.CourtName,
		CaseType: r.CaseType, CaseNumber: r.CaseNumber}
	if g := r.Geofence; g != nil {
		in.Geofence = &Geofence{Lat: g.Lat, Lng: g.Lng, RadiusM: g.RadiusM}
	}
	return in
}

// toView converts an event for the API. Case numbers are masked unless the viewer runs the event.
func toView(r Row, viewer auth.Actor, organisers []int64, sum *Summary) View {
	v := View{
		ID: r.ID, CampaignID: r.CampaignID, UnitID: r.UnitID, UnitName: r.UnitName, Type: r.Type, Title: r.Title,
		Description: r.Description, Speakers: r.speakers(), OrganiserIDs: orEmpty(organisers), VenueName: r.VenueName,
		VenueAddress: r.VenueAddress, VenueType: r.VenueType, StartsAt: r.StartsAt, EndsAt: r.EndsAt, Capacity: r.Capacity,
		Registered: r.RegisteredCount, RegistrationRequired: r.RegistrationRequired, AudienceTracks: r.tracks(),
		AudienceUnitIDs: orEmpty(r.unitIDs()), Credits: r.Credits, MinMinutes: r.MinMinutes, AudienceReached: r.AudienceReached,
		CourtName: r.CourtName, CaseType: r.CaseType, CaseNumber: maskCase(r.CaseNumber, viewer.Role != auth.RoleLearner),
		Status: r.Status, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.GeofenceLat != nil {
		v.Geofence = &GeofenceView{Lat: *r.GeofenceLat, Lng: *r.GeofenceLng, RadiusM: *r.GeofenceRadiusM}
	}
	if sum != nil {
		v.Summary = toSummaryView(*sum)
	}
	return v
}

// toMyView converts one of the viewer's events with their registration and attendance.
func toMyView(m MyEvent, viewer auth.Actor) MyView {
	v := MyView{View: toView(m.Row, viewer, nil, nil), Registration: httpx.NullIfZero(string(m.Registration))}
	if a := m.Attendance; a != nil {
		v.CheckedInAt, v.CheckedOutAt, v.Credited = &a.CheckedInAt, a.CheckedOutAt, a.CreditedAt != nil
	}
	return v
}

// maskCase hides a case number's serial (its last run of digits), e.g. (2026)皖1824行初12号 →
// (2026)皖1824行初**号, so learners see the court and year but cannot look the case up.
func maskCase(n string, reveal bool) string {
	if reveal || n == "" {
		return n
	}
	r := []rune(n)
	end := len(r) - 1
	for end >= 0 && (r[end] < '0' || r[end] > '9') {
		end--
	}
	for i := end; i >= 0 && r[i] >= '0' && r[i] <= '9'; i-- {
		r[i] = '*'
	}
	return string(r)
}

func toSummaryView(s Summary) *SummaryView {
	photos := []string{}
	_ = json.Unmarshal([]byte(s.Photos), &photos)
	return &SummaryView{Summary: s.Summary, AudienceCount: s.AudienceCount, Photos: photos, UpdatedAt: s.UpdatedAt}
}

func toRegistrationView(r Registration) RegistrationView {
	return RegistrationView{ID: r.ID, EventID: r.EventID, LearnerID: r.LearnerID, Status: r.Status, CreatedAt: r.CreatedAt}
}

func toRegistrationRowView(r RegistrationRow) RegistrationView {
	v := toRegistrationView(r.Registration)
	v.LearnerName, v.UnitName = r.LearnerName, r.UnitName
	return v
}

func toAttendanceView(a Attendance) AttendanceView {
	return AttendanceView{LearnerID: a.LearnerID, CheckedInAt: a.CheckedInAt, CheckedOutAt: a.CheckedOutAt, Source: a.Source,
		Reason: a.Reason, Credited: a.CreditedAt != nil}
}

func toAttendanceRowView(a AttendanceRow) AttendanceView {
	v := toAttendanceView(a.Attendance)
	v.LearnerName, v.UnitName = a.LearnerName, a.UnitName
	return v
}

func toCheckinView(r CheckinResult) CheckinView {
	return CheckinView{Attendance: toAttendanceView(r.Attendance), CheckedOut: r.CheckedOut, Credited: r.Credited}
}

func toAttendanceReportView(r AttendanceReport) AttendanceReportView {
	return AttendanceReportView{EventID: r.Event.ID, Registered: r.Registered, Attended: r.Attended, Credited: r.Credited,
		Items: httpx.Map(r.Rows, toAttendanceRowView)}
}

func toStatsView(s Stats) StatsView {
	v := StatsView{UnitID: s.Unit.ID, Events: s.Summary.Events, Registered: s.Summary.Registered, Attended: s.Summary.Attended,
		ByType: []TypeStatsView{}, DeliveryReach: []ReachView{}, ByUnit: []UnitStatsView{}}
	if s.Summary.Registered > 0 {
		v.AttendanceRate = float64(s.Summary.Attended*1000/s.Summary.Registered) / 10
	}
	for _, t := range s.ByType {
		v.ByType = append(v.ByType, TypeStatsView{Type: t.Type, Events: t.Events, Registered: t.Registered, Attended: t.Attended})
	}
	for _, r := range s.Reach {
		v.DeliveryReach = append(v.DeliveryReach, ReachView{VenueType: r.VenueType, Events: r.Events, Reached: r.Reached})
	}
	for _, u := range s.ByUnit {
		v.ByUnit = append(v.ByUnit, UnitStatsView{UnitID: u.UnitID, Name: u.Name, Events: u.Events, Attended: u.Attended})
	}
	return v
}
