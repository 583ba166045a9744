package supervision

import (
	"time"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// FiguresView are a unit's numbers in a campaign.
type FiguresView struct {
	UnitID         int64            `json:"unit_id" example:"2"`
	Name           string           `json:"name" example:"华阳镇"`
	Learners       int64            `json:"learners" example:"120"`
	ByTrack        map[string]int64 `json:"learners_by_track" example:"leader:10,general:100,judicial:10"`
	Active7d       int64            `json:"active_last_7_days" example:"95"`
	AverageCredits credit.Amount    `json:"average_credits" swaggertype:"number" multipleOf:"0.01" example:"12.5"`
	Completed      int64            `json:"completed" example:"20"`
	CompletionRate float64          `json:"completion_rate" example:"16.6"`
	OnPace         int64            `json:"on_pace" example:"70"`
	Lagging        int64            `json:"lagging" example:"20"`
	FarBehind      int64            `json:"far_behind" example:"10"`
	EventAttendees int64            `json:"event_attendees" example:"60"`
	// Exam figures count active learners over the campaign's exams: who finished at least one
	// (participation = of the learners) and who passed at least one (pass rate = of those who took).
	ExamTakers            int64   `json:"exam_takers" example:"90"`
	ExamParticipationRate float64 `json:"exam_participation_rate" example:"75"`
	ExamPassed            int64   `json:"exam_passed" example:"80"`
	ExamPassRate          float64 `json:"exam_pass_rate" example:"88.8"`
} // @name UnitFigures

// DayView is one day of the series.
type DayView struct {
	Day     string        `json:"day" format:"date" example:"2026-11-02"`
	Credits credit.Amount `json:"credits" swaggertype:"number" multipleOf:"0.01" example:"310.5"`
} // @name DailyCredits

// DashboardView is a unit's dynamic analysis of a campaign.
type DashboardView struct {
	CampaignID      int64                    `json:"campaign_id" example:"1"`
	ExpectedByTrack map[string]credit.Amount `json:"expected_by_track" swaggertype:"object,number" example:"leader:12,general:9,judicial:15"`
	FiguresView
	SubUnits []FiguresView `json:"sub_units"`
	Series   []DayView     `json:"series"`
	// FiguresAsOf is when the unit's and sub-units' figures were computed: they are kept for a
	// short time (30 s by default, supervision.dashboard_ttl); the series and the expected pace are live.
	FiguresAsOf time.Time `json:"figures_as_of" example:"2026-11-21T02:00:00Z"`
} // @name UnitDashboard

// RankingView ranks sub-units.
type RankingView struct {
	CampaignID int64        `json:"campaign_id" example:"1"`
	Items      []RankedUnit `json:"items"`
} // @name UnitRanking

// RankedUnit is one unit in the ranking.
type RankedUnit struct {
	Rank int `json:"rank" example:"1"`
	FiguresView
} // @name RankedUnit

// LaggingView is a learner behind the calendar.
type LaggingView struct {
	LearnerID      int64         `json:"learner_id" example:"3"`
	Name           string        `json:"name" example:"张伟"`
	UnitID         int64         `json:"unit_id" example:"2"`
	UnitName       string        `json:"unit_name" example:"华阳镇"`
	Track          string        `json:"track" enums:"leader,general,judicial" example:"general"`
	Credits        credit.Amount `json:"credits" swaggertype:"number" multipleOf:"0.01" example:"2"`
	Target         credit.Amount `json:"target" swaggertype:"number" multipleOf:"0.01" example:"30"`
	Expected       credit.Amount `json:"expected_by_today" swaggertype:"number" multipleOf:"0.01" example:"9"`
	Lag            credit.Amount `json:"lag" swaggertype:"number" multipleOf:"0.01" example:"7"`
	Status         credit.Pace   `json:"status" example:"lagging" enums:"lagging,far_behind"`
	RemindersSent  int64         `json:"reminders_sent" example:"1"`
	LastActivityAt *time.Time    `json:"last_activity_at" format:"date-time" extensions:"x-nullable"`
} // @name LaggingLearner

// LaggingListView is a page of lagging learners.
type LaggingListView struct {
	Items []LaggingView `json:"items"`
	httpx.ListMeta
} // @name LaggingLearnerList

type dashboardQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
}

type laggingQuery struct {
	CampaignID int64       `form:"campaign_id" binding:"required,min=1"`
	Status     credit.Pace `form:"status" binding:"omitempty,oneof=lagging far_behind"`
}

// input is the part of unit unitID's lagging list that q asks for (default status: lagging),
// offset rows in and at most limit rows long.
func (q laggingQuery) input(unitID int64, offset, limit int) LaggingInput {
	status := q.Status
	if status == "" {
		status = credit.Lagging
	}
	return LaggingInput{UnitID: unitID, CampaignID: q.CampaignID, Status: status, Offset: offset, Limit: limit}
}

func toFiguresView(f Figures) FiguresView {
	return FiguresView{UnitID: f.UnitID, Name: f.Name, Learners: f.Learners, ByTrack: f.ByTrack, Active7d: f.Active7d,
		AverageCredits: f.Average(), Completed: f.Completed, CompletionRate: f.CompletionRate(), OnPace: f.OnPace,
		Lagging: f.Lagging, FarBehind: f.FarBehind, EventAttendees: f.Attendees,
		ExamTakers: f.ExamTakers, ExamParticipationRate: rate(f.ExamTakers, f.Learners), ExamPassed: f.ExamPassed,
		ExamPassRate: rate(f.ExamPassed, f.ExamTakers)}
}

func toRankingView(campaignID int64, ranked []Figures) RankingView {
	v := RankingView{CampaignID: campaignID, Items: []RankedUnit{}}
	for i, f := range ranked {
		v.Items = append(v.Items, RankedUnit{Rank: i + 1, FiguresView: toFiguresView(f)})
	}
	return v
}

func toDashboardView(d Dashboard) DashboardView {
	v := DashboardView{CampaignID: d.Campaign.ID, ExpectedByTrack: d.Expected, FiguresView: toFiguresView(d.Total),
		SubUnits: httpx.Map(d.SubUnits, toFiguresView), Series: []DayView{}, FiguresAsOf: d.FiguresAsOf.UTC()}
	for _, p := range d.Series {
		v.Series = append(v.Series, DayView{Day: p.Day, Credits: p.Amount})
	}
	return v
}

func toLaggingListView(l *LaggingList, page httpx.Page) LaggingListView {
	items := make([]LaggingView, 0, len(l.Rows))
	for _, r := range l.Rows {
		items = append(items, toLaggingView(l, r))
	}
	return LaggingListView{Items: items, ListMeta: httpx.Meta(l.Total, page)}
}

func toLaggingView(l *LaggingList, r LaggingRow) LaggingView {
	target := l.Campaign.Targets[r.Track]
	expected := l.Expected[r.Track]
	return LaggingView{LearnerID: r.LearnerID, Name: r.Name, UnitID: r.UnitID, UnitName: r.UnitName, Track: r.Track,
		Credits: r.Total, Target: target, Expected: expected, Lag: max(expected-r.Total, 0),
		Status: l.Campaign.Rules.PaceOf(r.Total, target, expected), LastActivityAt: r.LastActivityAt, RemindersSent: l.Reminded[r.LearnerID]}
}
