package credit

import (
	"time"

	"github.com/xuefa/xuefa/internal/platform/httpx"
)

// BySourceView are credits per source.
type BySourceView struct {
	Study      Amount `json:"study" swaggertype:"number" multipleOf:"0.01" example:"12.5"`
	Practice   Amount `json:"practice" swaggertype:"number" multipleOf:"0.01" example:"3"`
	Exam       Amount `json:"exam" swaggertype:"number" multipleOf:"0.01" example:"10"`
	Event      Amount `json:"event" swaggertype:"number" multipleOf:"0.01" example:"4"`
	Quiz       Amount `json:"quiz" swaggertype:"number" multipleOf:"0.01" example:"0.5"`
	Adjustment Amount `json:"adjustment" swaggertype:"number" multipleOf:"0.01" example:"0"`
} // @name CreditsBySource

// StandingView is a learner's credits in a campaign, with the reasoning.
type StandingView struct {
	CampaignID     int64        `json:"campaign_id" example:"1"`
	CampaignName   string       `json:"campaign_name" example:"第九个机关集中学法月"`
	LearnerID      int64        `json:"learner_id" example:"3"`
	LearnerName    string       `json:"learner_name" example:"张伟"`
	Track          string       `json:"track" enums:"leader,general,judicial" example:"general"`
	Total          Amount       `json:"total" swaggertype:"number" multipleOf:"0.01" example:"30"`
	Target         Amount       `json:"target" swaggertype:"number" multipleOf:"0.01" example:"30"`
	Percent        float64      `json:"percent" example:"100"`
	BySource       BySourceView `json:"by_source"`
	Expected       Amount       `json:"expected_by_today" swaggertype:"number" multipleOf:"0.01" example:"18.5"`
	Lag            Amount       `json:"lag" swaggertype:"number" multipleOf:"0.01" example:"0"`
	Pace           Pace         `json:"pace" example:"on_pace" enums:"on_pace,lagging,far_behind,completed"`
	Rank           int64        `json:"rank_in_unit" example:"2"`
	UnitLearners   int64        `json:"unit_learners" example:"3"`
	LastActivityAt *time.Time   `json:"last_activity_at" format:"date-time" extensions:"x-nullable"`
	Explanation    []string     `json:"explanation" example:"学习：12.5 学分（每有效学习 1 分钟得 0.1 学分，每日上限 3 学分）。"`
} // @name CreditStanding

// EntryView is one ledger row.
type EntryView struct {
	ID        int64     `json:"id" example:"42"`
	Source    Source    `json:"source" example:"study" enums:"study,practice,exam,event,quiz,adjustment"`
	SourceID  string    `json:"source_id" example:"course:3:minute:5"`
	Amount    Amount    `json:"amount" swaggertype:"number" multipleOf:"0.01" example:"0.1"`
	Requested Amount    `json:"requested" swaggertype:"number" multipleOf:"0.01" example:"0.1"`
	Reason    string    `json:"reason" example:"有效学习 1 分钟"`
	Day       string    `json:"day" format:"date" example:"2026-11-02"`
	At        time.Time `json:"at" format:"date-time"`
} // @name CreditEntry

// EntryList is a page of ledger rows.
type EntryList struct {
	Items []EntryView `json:"items"`
	httpx.ListMeta
} // @name CreditEntryList

// AdjustRequest is a manual adjustment.
type AdjustRequest struct {
	LearnerID  int64  `json:"learner_id" binding:"required,min=1" example:"3"`
	CampaignID int64  `json:"campaign_id" binding:"required,min=1" example:"1"`
	Amount     Amount `json:"amount" swaggertype:"number" multipleOf:"0.01" example:"-1.5" validate:"optional"`
	Reason     string `json:"reason" binding:"required,min=2,max=255" example:"重复计分更正"`
} // @name CreditAdjustRequest

func (r AdjustRequest) toInput() AdjustInput {
	return AdjustInput{LearnerID: r.LearnerID, CampaignID: r.CampaignID, Amount: r.Amount, Reason: r.Reason}
}

// AdjustedView is the recorded adjustment and the new total.
type AdjustedView struct {
	Entry EntryView `json:"entry"`
	Total Amount    `json:"total" swaggertype:"number" multipleOf:"0.01" example:"28.5"`
} // @name CreditAdjusted

// BoardLearnerView is one learner in a ranking.
type BoardLearnerView struct {
	Rank      int    `json:"rank" example:"1"`
	LearnerID int64  `json:"learner_id" example:"3"`
	Name      string `json:"name" example:"张伟"`
	UnitName  string `json:"unit_name" example:"华阳镇"`
	Track     string `json:"track" enums:"leader,general,judicial" example:"general"`
	Total     Amount `json:"total" swaggertype:"number" multipleOf:"0.01" example:"30"`
} // @name LeaderboardLearner

// BoardUnitView is one unit in the unit ranking.
type BoardUnitView struct {
	Rank           int     `json:"rank" example:"1"`
	UnitID         int64   `json:"unit_id" example:"2"`
	Name           string  `json:"name" example:"华阳镇"`
	Learners       int64   `json:"learners" example:"120"`
	Completed      int64   `json:"completed" example:"30"`
	CompletionRate float64 `json:"completion_rate" example:"25"`
	Average        Amount  `json:"average" swaggertype:"number" multipleOf:"0.01" example:"12.34"`
} // @name LeaderboardUnit

// BoardView is a campaign's leaderboard inside a unit's subtree.
type BoardView struct {
	CampaignID int64              `json:"campaign_id" example:"1"`
	UnitID     int64              `json:"unit_id" example:"1"`
	Learners   []BoardLearnerView `json:"learners"`
	Units      []BoardUnitView    `json:"units"`
	// UnitsAsOf is when the unit ranking was computed: it is kept for a short time (30 s by
	// default, credit.unit_ranking_ttl) and may miss the newest credits; the learners are live.
	UnitsAsOf time.Time `json:"units_as_of" example:"2026-11-02T01:00:00Z"`
} // @name Leaderboard

type standingQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"omitempty,min=1"`
}

type ledgerQuery struct {
	CampaignID int64 `form:"campaign_id" binding:"required,min=1"`
}

type boardQuery struct {
	CampaignID int64  `form:"campaign_id" binding:"required,min=1"`
	UnitID     int64  `form:"unit_id" binding:"omitempty,min=1"`
	Track      string `form:"track" binding:"omitempty,oneof=leader general judicial"`
	Limit      int    `form:"limit" binding:"omitempty,min=1,max=100"`
}

// toInput is the leaderboard asked for; limit defaults to 10 learners.
func (q boardQuery) toInput() BoardInput {
	if q.Limit == 0 {
		q.Limit = 10
	}
	return BoardInput{CampaignID: q.CampaignID, UnitID: q.UnitID, Track: q.Track, Limit: q.Limit}
}

// toStandingView converts a standing for the API.
func toStandingView(st Standing) StandingView {
	sum := st.Summary
	v := StandingView{
		CampaignID: st.Campaign.ID, CampaignName: st.Campaign.Name, LearnerID: st.Learner.LearnerID, LearnerName: st.Learner.Name,
		Track: st.Learner.Track, Total: sum.Total, Target: st.Target, Percent: Percent(sum.Total, st.Target),
		BySource: BySourceView{Study: sum.Study, Practice: sum.Practice, Exam: sum.Exam, Event: sum.Event, Quiz: sum.Quiz, Adjustment: sum.Adjustment},
		Expected: st.Expected, Lag: max(st.Expected-sum.Total, 0), Rank: st.Rank, UnitLearners: st.UnitLearners,
		LastActivityAt: sum.LastActivityAt, Explanation: st.Explanation,
		Pace: st.Campaign.Rules.PaceOf(sum.Total, st.Target, st.Expected),
	}
	return v
}

// toEntryView converts a ledger row.
func toEntryView(e Entry) EntryView {
	return EntryView{ID: e.ID, Source: e.Source, SourceID: e.SourceID, Amount: e.Amount, Requested: e.Requested,
		Reason: e.Reason, Day: e.Day, At: e.CreatedAt}
}

// toAdjustedView converts a recorded adjustment.
func toAdjustedView(a Adjusted) AdjustedView {
	return AdjustedView{Entry: toEntryView(a.Entry), Total: a.Total}
}

// toBoardView converts a leaderboard.
func toBoardView(b Board) BoardView {
	v := BoardView{CampaignID: b.Campaign.ID, UnitID: b.Unit.ID, Learners: []BoardLearnerView{}, Units: []BoardUnitView{}, UnitsAsOf: b.UnitsAsOf.UTC()}
	for i, l := range b.Learners {
		v.Learners = append(v.Learners, BoardLearnerView{Rank: i + 1, LearnerID: l.LearnerID, Name: l.Name, UnitName: l.UnitName, Track: l.Track, Total: l.Total})
	}
	for i, u := range b.Units {
		v.Units = append(v.Units, BoardUnitView{Rank: i + 1, UnitID: u.UnitID, Name: u.Name, Learners: u.Learners,
			Completed: u.Completed, CompletionRate: u.Rate(), Average: u.Average()})
	}
	return v
}
