package study

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// CourseView is a course as the API shows it.
type CourseView struct {
	ID              int64         `json:"id" example:"3"`
	CampaignID      int64         `json:"campaign_id" example:"1"`
	Title           string        `json:"title" example:"《中华人民共和国宪法》导读"`
	Kind            Kind          `json:"kind" example:"article" enums:"article,video,audio,link"`
	URL             string        `json:"url" example:"https://www.npc.gov.cn/"`
	Body            *string       `json:"body" example:"宪法是国家的根本法……" extensions:"x-nullable"`
	DurationSeconds int           `json:"duration_seconds" example:"600"`
	Tracks          []string      `json:"tracks" enums:"leader,general,judicial" example:"leader,general"`
	Credit          credit.Amount `json:"credit" swaggertype:"number" multipleOf:"0.01" example:"1"`
	SortOrder       int           `json:"sort_order" example:"1"`
	Status          CourseStatus  `json:"status" example:"published" enums:"draft,published,archived"`
	CreatedAt       time.Time     `json:"created_at" format:"date-time"`
	UpdatedAt       time.Time     `json:"updated_at" format:"date-time"`
} // @name Course

// CourseList is a page of courses.
type CourseList struct {
	Items []CourseView `json:"items"`
	httpx.ListMeta
} // @name CourseList

// MyCourseView is a course with the caller's progress.
type MyCourseView struct {
	CourseView
	PositionSeconds int        `json:"position_seconds" example:"120"`
	VerifiedSeconds int        `json:"verified_seconds" example:"95"`
	Percent         float64    `json:"percent" example:"15.8"`
	CompletedAt     *time.Time `json:"completed_at" format:"date-time" extensions:"x-nullable"`
} // @name MyCourse

// MyCourseList are the caller's courses.
type MyCourseList struct {
	Items []MyCourseView `json:"items"`
} // @name MyCourseList

// SessionView is a study session's state after a start, heartbeat or finish.
type SessionView struct {
	ID               int64         `json:"id" example:"9"`
	CourseID         int64         `json:"course_id" example:"3"`
	PositionSeconds  int           `json:"position_seconds" example:"120"`
	VerifiedSeconds  int           `json:"verified_seconds" example:"95"`
	DurationSeconds  int           `json:"duration_seconds" example:"600"`
	HeartbeatSeconds int           `json:"heartbeat_seconds" example:"30"`
	CreditedSeconds  int           `json:"credited_seconds" example:"30"`
	CreditsAwarded   credit.Amount `json:"credits_awarded" swaggertype:"number" multipleOf:"0.01" example:"0.1"`
	DailyCapReached  bool          `json:"daily_cap_reached" example:"false"`
	CourseCompleted  bool          `json:"course_completed" example:"false"`
	Ended            bool          `json:"ended" example:"false"`
	LastHeartbeatAt  time.Time     `json:"last_heartbeat_at" format:"date-time"`
	CompletedAt      *time.Time    `json:"completed_at" format:"date-time" extensions:"x-nullable"`
	SessionVerified  int           `json:"session_verified_seconds" example:"60"`
} // @name StudySession

// CourseRequest creates a course.
type CourseRequest struct {
	CampaignID      int64         `json:"campaign_id" binding:"required,min=1" example:"1"`
	Title           string        `json:"title" binding:"required,max=200" example:"《中华人民共和国宪法》导读"`
	Kind            Kind          `json:"kind" binding:"required,oneof=article video audio link" example:"article"`
	URL             string        `json:"url" binding:"omitempty,max=1000,url" example:"https://www.npc.gov.cn/" validate:"optional"`
	Body            *string       `json:"body" binding:"omitempty,max=100000" example:"宪法是国家的根本法……" validate:"optional"`
	DurationSeconds int           `json:"duration_seconds" binding:"required,min=60,max=36000" example:"600"`
	Tracks          []string      `json:"tracks" binding:"required,min=1,max=3,dive,oneof=leader general judicial" example:"leader,general"`
	Credit          credit.Amount `json:"credit" binding:"min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"1" validate:"optional"`
	SortOrder       int           `json:"sort_order" binding:"min=0" example:"1" validate:"optional"`
	Status          CourseStatus  `json:"status" binding:"omitempty,oneof=draft published archived" example:"published" validate:"optional"`
} // @name CourseCreateRequest

// CourseUpdateRequest changes a course; absent fields stay.
type CourseUpdateRequest struct {
	Title           *string        `json:"title" binding:"omitempty,min=1,max=200" example:"《宪法》导读" validate:"optional"`
	Kind            *Kind          `json:"kind" binding:"omitempty,oneof=article video audio link" example:"video" validate:"optional"`
	URL             *string        `json:"url" binding:"omitempty,max=1000,url" example:"https://www.npc.gov.cn/" validate:"optional"`
	Body            *string        `json:"body" binding:"omitempty,max=100000" example:"宪法是国家的根本法……" validate:"optional"`
	DurationSeconds *int           `json:"duration_seconds" binding:"omitempty,min=60,max=36000" example:"900" validate:"optional"`
	Tracks          *[]string      `json:"tracks" binding:"omitempty,min=1,max=3,dive,oneof=leader general judicial" example:"judicial" validate:"optional"`
	Credit          *credit.Amount `json:"credit" binding:"omitempty,min=0" swaggertype:"number" multipleOf:"0.01" minimum:"0" example:"2" validate:"optional"`
	SortOrder       *int           `json:"sort_order" binding:"omitempty,min=0" example:"2" validate:"optional"`
	Status          *CourseStatus  `json:"status" binding:"omitempty,oneof=draft published archived" example:"published" validate:"optional"`
} // @name CourseUpdateRequest

// PositionRequest reports where the learner is in the material, in seconds.
type PositionRequest struct {
	Position int `json:"position" binding:"min=0,max=36000" example:"150" validate:"optional"`
} // @name StudyPosition

type courseQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
}

// toCourseView converts a course for the API.
func toCourseView(c Course) CourseView {
	return CourseView{ID: c.ID, CampaignID: c.CampaignID, Title: c.Title, Kind: c.Kind, URL: c.URL, Body: c.Body,
		DurationSeconds: c.DurationSeconds, Tracks: c.TrackList(), Credit: c.Credit, SortOrder: c.SortOrder,
		Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// toMyCourseView converts a course with progress.
func toMyCourseView(cp CourseProgress) MyCourseView {
	v := MyCourseView{CourseView: toCourseView(cp.Course), PositionSeconds: cp.Progress.PositionSeconds,
		VerifiedSeconds: cp.Progress.VerifiedSeconds, CompletedAt: cp.Progress.CompletedAt}
	if cp.Course.DurationSeconds > 0 {
		v.Percent = float64(cp.Progress.VerifiedSeconds*1000/cp.Course.DurationSeconds) / 10
	}
	return v
}

// toSessionView converts a session state.
func toSessionView(st State) SessionView {
	return SessionView{
		ID: st.Session.ID, CourseID: st.Course.ID, PositionSeconds: st.Session.PositionSeconds, VerifiedSeconds: st.Progress.VerifiedSeconds,
		DurationSeconds: st.Course.DurationSeconds, HeartbeatSeconds: int(BeatInterval.Seconds()), CreditedSeconds: int(st.Credited.Seconds()),
		CreditsAwarded: st.Awarded, DailyCapReached: st.Capped, CourseCompleted: st.Completed, Ended: st.Session.EndedAt != nil,
		LastHeartbeatAt: st.Session.LastBeatAt, CompletedAt: st.Progress.CompletedAt, SessionVerified: st.Session.VerifiedSeconds,
	}
}

func (r CourseRequest) toInput() CourseInput {
	return CourseInput{CampaignID: r.CampaignID, Title: r.Title, Kind: r.Kind, URL: r.URL, Body: r.Body,
		DurationSeconds: r.DurationSeconds, Tracks: r.Tracks, Credit: r.Credit, SortOrder: r.SortOrder, Status: r.Status}
}

func (r CourseUpdateRequest) toInput() CourseUpdate {
	return CourseUpdate{Title: r.Title, Kind: r.Kind, URL: r.URL, Body: r.Body, DurationSeconds: r.DurationSeconds,
		Tracks: r.Tracks, Credit: r.Credit, SortOrder: r.SortOrder, Status: r.Status}
}
