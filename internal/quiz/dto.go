package quiz

import (
	"cmp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/questionbank"
)

// ActivityRequest creates an activity. unit_id defaults to the admin's unit.
type ActivityRequest struct {
	UnitID      int64    `json:"unit_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
	Name        string   `json:"name" binding:"required,max=100" example:"2027 新年学法微活动"`
	Description string   `json:"description" binding:"max=2000" example:"每日一轮，答对越多、用时越短排名越前" validate:"optional"`
	Audience    Audience `json:"audience" binding:"omitempty,oneof=public learners" enums:"public,learners" example:"public" validate:"optional"`
	// CampaignID links a campaign: bound learners earn its quiz_per_play credit per ranked play.
	CampaignID *int64 `json:"campaign_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
} // @name QuizActivityRequest

// ActivityPatch changes some fields of an activity.
type ActivityPatch struct {
	Name        *string   `json:"name" binding:"omitempty,min=1,max=100" example:"2027 新年学法微活动" validate:"optional"`
	Description *string   `json:"description" binding:"omitempty,max=2000" validate:"optional"`
	Audience    *Audience `json:"audience" binding:"omitempty,oneof=public learners" enums:"public,learners" validate:"optional"`
	CampaignID  *int64    `json:"campaign_id" binding:"omitempty,min=1" example:"1" validate:"optional"`
} // @name QuizActivityPatch

// ActivityView is an activity.
type ActivityView struct {
	ID          int64     `json:"id" example:"1"`
	UnitID      int64     `json:"unit_id" example:"1"`
	Name        string    `json:"name" example:"2027 新年学法微活动"`
	Description string    `json:"description"`
	Audience    Audience  `json:"audience" enums:"public,learners" example:"public"`
	CampaignID  *int64    `json:"campaign_id" example:"1" extensions:"x-nullable"`
	RoundCount  int64     `json:"round_count" example:"3"`
	CreatedAt   time.Time `json:"created_at" format:"date-time"`
	UpdatedAt   time.Time `json:"updated_at" format:"date-time"`
} // @name QuizActivity

// ActivityList is a page of activities.
type ActivityList struct {
	Items []ActivityView `json:"items"`
	httpx.ListMeta
} // @name QuizActivityList

func (r ActivityRequest) toInput() ActivityInput {
	return ActivityInput{UnitID: r.UnitID, Name: r.Name, Description: r.Description, Audience: r.Audience, CampaignID: r.CampaignID}
}

func (p ActivityPatch) toInput() ActivityUpdate {
	return ActivityUpdate{Name: p.Name, Description: p.Description, Audience: p.Audience, CampaignID: p.CampaignID}
}

func toActivityView(a ActivityRow) ActivityView {
	return ActivityView{ID: a.ID, UnitID: a.UnitID, Name: a.Name, Description: a.Description, Audience: a.Audience,
		CampaignID: a.CampaignID, RoundCount: a.RoundCount, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// PrizeRequest is one prize of a round.
type PrizeRequest struct {
	Name  string `json:"name" binding:"required,max=100" example:"法治宣传帆布袋"`
	Stock int    `json:"stock" binding:"required,min=1,max=10000" example:"10"`
} // @name QuizPrizeRequest

// RoundRequest creates a round. Give bank_ids (each play draws question_count of their
// published questions) or question_ids (a fixed set, served to everyone in order); give
// seconds_per_question or seconds_per_play.
type RoundRequest struct {
	Name          string    `json:"name" binding:"required,max=100" example:"第一轮"`
	StartsAt      time.Time `json:"starts_at" binding:"required" format:"date-time"`
	EndsAt        time.Time `json:"ends_at" binding:"required" format:"date-time"`
	QuestionCount int       `json:"question_count" binding:"omitempty,min=1,max=50" example:"10" validate:"optional"`
	// BankIDs: each play draws question_count questions from these banks. Exactly one of
	// bank_ids and question_ids (else 422 request.validation naming bank_ids).
	BankIDs []int64 `json:"bank_ids" binding:"omitempty,max=20,dive,min=1" example:"1" validate:"optional"`
	// QuestionIDs: a fixed set served to everyone in order. Exactly one of bank_ids and question_ids.
	QuestionIDs []int64 `json:"question_ids" binding:"omitempty,max=50,dive,min=1" validate:"optional"`
	// SecondsPerQuestion times each question. Exactly one of seconds_per_question and
	// seconds_per_play (else 422 request.validation naming seconds_per_question).
	SecondsPerQuestion int `json:"seconds_per_question" binding:"omitempty,min=5,max=600" example:"20" validate:"optional"`
	// SecondsPerPlay times the whole play. Exactly one of seconds_per_question and seconds_per_play.
	SecondsPerPlay   int            `json:"seconds_per_play" binding:"omitempty,min=10,max=7200" validate:"optional"`
	PlaysPerRound    int            `json:"plays_per_round" binding:"omitempty,min=1,max=100" example:"1" default:"1" validate:"optional"`
	PlaysPerDay      int            `json:"plays_per_day" binding:"omitempty,min=1,max=100" example:"1" validate:"optional"`
	PointsPerCorrect int            `json:"points_per_correct" binding:"omitempty,min=1,max=1000" example:"10" default:"10" validate:"optional"`
	MinMsPerAnswer   *int           `json:"min_ms_per_answer" binding:"omitempty,min=0,max=60000" example:"1000" default:"1000" validate:"optional"`
	PrizeThreshold   int            `json:"prize_threshold" binding:"omitempty,min=0,max=100000" example:"60" validate:"optional"`
	ClaimHours       int            `json:"claim_hours" binding:"omitempty,min=1,max=8760" example:"168" default:"168" validate:"optional"`
	BeaconName       string         `json:"beacon_name" binding:"max=200" example:"开奖日中国福利彩票双色球开奖号码" validate:"optional"`
	Prizes           []PrizeRequest `json:"prizes" binding:"omitempty,max=20,dive" validate:"optional"`
} // @name QuizRoundRequest

func (r RoundRequest) toInput() RoundInput {
	in := RoundInput{Name: r.Name, StartsAt: r.StartsAt, EndsAt: r.EndsAt, QuestionCount: r.QuestionCount, BankIDs: r.BankIDs,
		QuestionIDs: r.QuestionIDs, SecondsPerQuestion: r.SecondsPerQuestion, SecondsPerPlay: r.SecondsPerPlay,
		PlaysPerRound: r.PlaysPerRound, PlaysPerDay: r.PlaysPerDay, PointsPerCorrect: r.PointsPerCorrect,
		MinMsPerAnswer: r.MinMsPerAnswer, PrizeThreshold: r.PrizeThreshold, ClaimHours: r.ClaimHours, BeaconName: r.BeaconName}
	for _, p := range r.Prizes {
		in.Prizes = append(in.Prizes, PrizeInput{Name: p.Name, Stock: p.Stock})
	}
	return in
}

// PrizeView is a prize of a round with its stock.
type PrizeView struct {
	ID        int64  `json:"id" example:"1"`
	Name      string `json:"name" example:"法治宣传帆布袋"`
	Stock     int    `json:"stock" example:"10"`
	Remaining int    `json:"remaining" example:"10"`
} // @name QuizPrize

// RoundView is a round as everyone may see it: never its seed before the draw.
type RoundView struct {
	ID                 int64       `json:"id" example:"1"`
	ActivityID         int64       `json:"activity_id" example:"1"`
	Name               string      `json:"name" example:"第一轮"`
	StartsAt           time.Time   `json:"starts_at" format:"date-time"`
	EndsAt             time.Time   `json:"ends_at" format:"date-time"`
	QuestionCount      int         `json:"question_count" example:"10"`
	Fixed              bool        `json:"fixed" example:"false"`
	SecondsPerQuestion int         `json:"seconds_per_question" example:"20"`
	SecondsPerPlay     int         `json:"seconds_per_play" example:"0"`
	PlaysPerRound      int         `json:"plays_per_round" example:"1"`
	PlaysPerDay        int         `json:"plays_per_day" example:"0"`
	PointsPerCorrect   int         `json:"points_per_correct" example:"10"`
	PrizeThreshold     int         `json:"prize_threshold" example:"60"`
	ClaimHours         int         `json:"claim_hours" example:"168"`
	Commitment         string      `json:"commitment" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	BeaconName         string      `json:"beacon_name" example:""`
	Closed             bool        `json:"closed" example:"false"`
	Drawn              bool        `json:"drawn" example:"false"`
	Prizes             []PrizeView `json:"prizes"`
} // @name QuizRound

// AdminRoundView adds what admins configure and see.
type AdminRoundView struct {
	RoundView
	BankIDs        []int64 `json:"bank_ids"`
	MinMsPerAnswer int     `json:"min_ms_per_answer" example:"1000"`
} // @name QuizAdminRound

// AdminRoundList is an activity's rounds.
type AdminRoundList struct {
	Items []AdminRoundView `json:"items"`
} // @name QuizAdminRoundList

func toRoundView(d RoundDetail) RoundView {
	r := d.Round
	v := RoundView{ID: r.ID, ActivityID: r.ActivityID, Name: r.Name, StartsAt: r.StartsAt, EndsAt: r.EndsAt,
		QuestionCount: r.QuestionCount, Fixed: r.Fixed, SecondsPerQuestion: r.SecondsPerQuestion, SecondsPerPlay: r.SecondsPerPlay,
		PlaysPerRound: r.PlaysPerRound, PlaysPerDay: r.PlaysPerDay, PointsPerCorrect: r.PointsPerCorrect,
		PrizeThreshold: r.PrizeThreshold, ClaimHours: r.ClaimHours, Commitment: r.Commitment, BeaconName: r.BeaconName,
		Closed: r.ClosedAt != nil, Drawn: r.DrawnAt != nil, Prizes: httpx.Map(d.Prizes, toPrizeView)}
	return v
}

func toAdminRoundView(d RoundDetail) AdminRoundView {
	return AdminRoundView{RoundView: toRoundView(d), BankIDs: SplitIDs(d.BankIDs), MinMsPerAnswer: d.MinMsPerAnswer}
}

func toPrizeView(p Prize) PrizeView {
	return PrizeView{ID: p.ID, Name: p.Name, Stock: p.Stock, Remaining: p.Remaining}
}

// CurrentRoundView is an open round with the player's plays left.
type CurrentRoundView struct {
	RoundView
	ActivityName string `json:"activity_name" example:"2027 新年学法微活动"`
	PlaysLeft    int    `json:"plays_left" example:"1"`
} // @name QuizCurrentRound

// CurrentRounds are the rounds open now.
type CurrentRounds struct {
	Items []CurrentRoundView `json:"items"`
} // @name QuizCurrentRounds

func toCurrentRoundView(r OpenRound) CurrentRoundView {
	return CurrentRoundView{RoundView: toRoundView(r.RoundDetail), ActivityName: r.ActivityName, PlaysLeft: r.PlaysLeft}
}

// PlayQuestion is a question as served in a play: options in this play's order, never the key.
type PlayQuestion struct {
	QuestionID int64             `json:"question_id" example:"12"`
	Position   int               `json:"position" example:"1"`
	Type       questionbank.Type `json:"type" enums:"single,multiple,judge,fill" example:"single"`
	Stem       string            `json:"stem" example:"中华人民共和国的根本制度是（ ）。"`
	Options    []string          `json:"options" example:"人民代表大会制度,社会主义制度"`
} // @name QuizPlayQuestion

// PlayView is a started play.
type PlayView struct {
	ID        int64          `json:"id" example:"5"`
	RoundID   int64          `json:"round_id" example:"1"`
	StartedAt time.Time      `json:"started_at" format:"date-time"`
	Deadline  time.Time      `json:"deadline" format:"date-time"`
	PlaysLeft int            `json:"plays_left" example:"0"`
	Questions []PlayQuestion `json:"questions"`
} // @name QuizPlay

func toPlayView(p StartedPlay) PlayView {
	v := PlayView{ID: p.ID, RoundID: p.RoundID, StartedAt: p.StartedAt, Deadline: p.Deadline, PlaysLeft: p.PlaysLeft,
		Questions: make([]PlayQuestion, len(p.Paper))}
	for i, it := range p.Paper {
		q := p.Pool.Get(it.QuestionID)
		v.Questions[i] = PlayQuestion{QuestionID: it.QuestionID, Position: i + 1, Type: q.Type, Stem: q.Stem, Options: shownOptions(q, it)}
	}
	return v
}

// AnswerRequest is one answer, in the option letters of this play: single "A"; multiple
// "AC"; judge true/false; fill the text. An empty or missing answer counts as wrong.
type AnswerRequest struct {
	QuestionID int64  `json:"question_id" binding:"required,min=1" example:"12"`
	Answer     string `json:"answer" binding:"max=1000" example:"B" validate:"optional"`
} // @name QuizAnswer

// SubmitRequest submits a play's answers.
type SubmitRequest struct {
	Answers []AnswerRequest `json:"answers" binding:"max=50,dive" validate:"optional"`
} // @name QuizSubmitRequest

func (r SubmitRequest) toInput() []AnswerInput {
	answers := make([]AnswerInput, len(r.Answers))
	for i, a := range r.Answers {
		answers[i] = AnswerInput{QuestionID: a.QuestionID, Answer: a.Answer}
	}
	return answers
}

// GradedView is one graded question with its key (in this play's letters) and analysis.
type GradedView struct {
	QuestionID  int64                   `json:"question_id" example:"12"`
	Position    int                     `json:"position" example:"1"`
	Stem        string                  `json:"stem"`
	Options     []string                `json:"options"`
	GivenAnswer string                  `json:"given_answer" example:"B"`
	Answer      string                  `json:"answer" example:"B"`
	Correct     bool                    `json:"correct" example:"true"`
	Analysis    string                  `json:"analysis"`
	LegalBasis  questionbank.LegalBasis `json:"legal_basis"`
} // @name QuizGradedQuestion

// ResultView is a submitted play.
type ResultView struct {
	PlayID        int64     `json:"play_id" example:"5"`
	RoundID       int64     `json:"round_id" example:"1"`
	Score         int       `json:"score" example:"80"`
	CorrectCount  int       `json:"correct_count" example:"8"`
	QuestionCount int       `json:"question_count" example:"10"`
	DurationMs    int64     `json:"duration_ms" example:"53210"`
	SubmittedAt   time.Time `json:"submitted_at" format:"date-time"`
	// Flagged plays (implausibly fast) are kept but off the boards and out of the draw until an
	// admin clears them.
	Flagged bool `json:"flagged" example:"false"`
	// Rank is the player's place on the round board now (absent while the play is flagged).
	Rank      *int64       `json:"rank" example:"12" extensions:"x-nullable"`
	BestScore *int         `json:"best_score" example:"80" extensions:"x-nullable"`
	Questions []GradedView `json:"questions"`
} // @name QuizResult

func toResultView(r Result) ResultView {
	v := ResultView{PlayID: r.ID, RoundID: r.RoundID, Score: r.Score, CorrectCount: r.CorrectCount, QuestionCount: r.QuestionCount,
		DurationMs: r.DurationMs, Flagged: r.Flagged && r.ClearedAt == nil, Questions: make([]GradedView, len(r.Graded))}
	if r.SubmittedAt != nil {
		v.SubmittedAt = *r.SubmittedAt
	}
	if r.Rank != nil {
		v.Rank, v.BestScore = &r.Rank.Rank, &r.Rank.Score
	}
	for i, g := range r.Graded {
		q := g.Q
		v.Questions[i] = GradedView{QuestionID: g.Item.QuestionID, Position: i + 1, Stem: q.Stem, Options: shownOptions(q, g.Item),
			GivenAnswer: g.Given, Answer: toShown(g.Item, q.Answer), Correct: g.Correct, Analysis: q.Analysis,
			LegalBasis: questionbank.ToLegalBasis(q.Content)}
	}
	return v
}

// StandingView is one place on a board; the name is masked (张*三).
type StandingView struct {
	Rank       int64  `json:"rank" example:"1"`
	Name       string `json:"name" example:"张*三"`
	Score      int    `json:"score" example:"100"`
	DurationMs int64  `json:"duration_ms" example:"41250"`
	Me         bool   `json:"me" example:"false"`
} // @name QuizStanding

// BoardResponse is the top of a board and the caller's own place (null when not on it).
type BoardResponse struct {
	Items []StandingView `json:"items"`
	Me    *StandingView  `json:"me" extensions:"x-nullable"`
} // @name QuizLeaderboard

// toBoardResponse is the converter of a board as account me sees it (its own places marked).
func toBoardResponse(me int64) func(BoardView) BoardResponse {
	return func(b BoardView) BoardResponse {
		conv := func(s Standing) StandingView {
			return StandingView{Rank: s.Rank, Name: b.Names[s.AccountID], Score: s.Score, DurationMs: s.DurationMs, Me: s.AccountID == me}
		}
		out := BoardResponse{Items: httpx.Map(b.Top, conv)}
		if b.Me != nil {
			v := conv(*b.Me)
			out.Me = &v
		}
		return out
	}
}

// FlagView is a play held for review.
type FlagView struct {
	PlayID     int64      `json:"play_id" example:"5"`
	AccountID  int64      `json:"account_id" example:"42"`
	Name       string     `json:"name" example:"微信用户"`
	Score      int        `json:"score" example:"100"`
	DurationMs int64      `json:"duration_ms" example:"2100"`
	Reason     string     `json:"reason" example:"10 题用时 2100 毫秒，低于每题 1000 毫秒"`
	ClearedAt  *time.Time `json:"cleared_at" format:"date-time" extensions:"x-nullable"`
} // @name QuizFlag

// FlagList is a page of flagged plays.
type FlagList struct {
	Items []FlagView `json:"items"`
	httpx.ListMeta
} // @name QuizFlagList

func toFlagView(f FlaggedPlay) FlagView {
	return FlagView{PlayID: f.ID, AccountID: f.AccountID, Name: f.DisplayName, Score: f.Score, DurationMs: f.DurationMs,
		Reason: f.FlagReason, ClearedAt: f.ClearedAt}
}

// toClearedFlagView is the view of a play whose flag was just cleared.
func toClearedFlagView(p Play) FlagView { return toFlagView(FlaggedPlay{Play: p}) }

// DrawRequest runs the draw; beacon is required when the round named one.
type DrawRequest struct {
	Beacon string `json:"beacon" binding:"max=200" example:"03 07 12 19 25 31 + 09" validate:"optional"`
} // @name QuizDrawRequest

// WinnerView is one drawn prize unit.
type WinnerView struct {
	DrawRank int    `json:"draw_rank" example:"1"`
	PlayID   int64  `json:"play_id" example:"5"`
	Ticket   string `json:"ticket" example:"00a3..."`
	Prize    string `json:"prize" example:"法治宣传帆布袋"`
	Name     string `json:"name" example:"张*三"`
} // @name QuizWinner

// DrawResponse is a round's public draw record: anyone can recompute the winners from it.
type DrawResponse struct {
	RoundID    int64  `json:"round_id" example:"1"`
	Commitment string `json:"commitment" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	// Seed is hex(seed), revealed by the draw ("" before).
	Seed       string `json:"seed" example:""`
	BeaconName string `json:"beacon_name" example:""`
	Beacon     string `json:"beacon" example:""`
	Closed     bool   `json:"closed" example:"true"`
	Drawn      bool   `json:"drawn" example:"false"`
	// EligibleCount, EligibleDigest and EligiblePlayIDs are published when the round closes.
	EligibleCount   int          `json:"eligible_count" example:"120"`
	EligibleDigest  string       `json:"eligible_digest" example:""`
	EligiblePlayIDs []int64      `json:"eligible_play_ids"`
	ClosedAt        *time.Time   `json:"closed_at" format:"date-time" extensions:"x-nullable"`
	DrawnAt         *time.Time   `json:"drawn_at" format:"date-time" extensions:"x-nullable"`
	Prizes          []PrizeView  `json:"prizes"`
	Winners         []WinnerView `json:"winners"`
	Recipe          string       `json:"recipe"`
} // @name QuizDraw

func toDrawResponse(d DrawView) DrawResponse {
	r := d.Round
	out := DrawResponse{RoundID: r.ID, Commitment: r.Commitment, Seed: r.Seed, BeaconName: r.BeaconName, Beacon: r.Beacon,
		Closed: r.ClosedAt != nil, Drawn: r.DrawnAt != nil, EligibleCount: r.EligibleCount, EligibleDigest: r.EligibleDigest,
		EligiblePlayIDs: d.EligibleIDs, ClosedAt: r.ClosedAt, DrawnAt: r.DrawnAt, Prizes: httpx.Map(d.Prizes, toPrizeView),
		Recipe: Recipe}
	out.Winners = httpx.Map(d.Winners, func(a AwardRow) WinnerView {
		return WinnerView{DrawRank: a.DrawRank, PlayID: a.PlayID, Ticket: a.Ticket, Prize: a.PrizeName, Name: MaskName(a.DisplayName)}
	})
	return out
}

// ClaimRequest says where to send a prize.
type ClaimRequest struct {
	Name    string `json:"name" binding:"required,max=50" example:"张三"`
	Phone   string `json:"phone" binding:"required,len=11,numeric" example:"13800138000"`
	Address string `json:"address" binding:"required,min=5,max=200" example:"安徽省宣城市绩溪县华阳镇某路1号"`
} // @name QuizClaimRequest

func (r ClaimRequest) toInput() ClaimInput {
	return ClaimInput{Name: r.Name, Phone: r.Phone, Address: r.Address}
}

// ContactView is a claim's contact, masked.
type ContactView struct {
	Name    string `json:"name" example:"张*"`
	Phone   string `json:"phone" example:"138****8000"`
	Address string `json:"address" example:"安徽省宣城****"`
} // @name QuizContact

// AwardView is a prize won.
type AwardView struct {
	ID        int64        `json:"id" example:"3"`
	RoundID   int64        `json:"round_id" example:"1"`
	RoundName string       `json:"round_name" example:"第一轮"`
	Prize     string       `json:"prize" example:"法治宣传帆布袋"`
	PlayID    int64        `json:"play_id" example:"5"`
	DrawRank  int          `json:"draw_rank" example:"1"`
	Winner    string       `json:"winner" example:"张*三"`
	Status    AwardStatus  `json:"status" enums:"awarded,claimed,expired" example:"awarded"`
	ExpiresAt time.Time    `json:"expires_at" format:"date-time"`
	ClaimedAt *time.Time   `json:"claimed_at" format:"date-time" extensions:"x-nullable"`
	Contact   *ContactView `json:"contact" extensions:"x-nullable"`
} // @name QuizAward

// AwardList is a list of prizes won.
type AwardList struct {
	Items []AwardView `json:"items"`
} // @name QuizAwardList

func toAwardView(p PrizeRow) AwardView {
	v := AwardView{ID: p.ID, RoundID: p.RoundID, RoundName: p.RoundName, Prize: p.PrizeName, PlayID: p.PlayID, DrawRank: p.DrawRank,
		Winner: MaskName(p.DisplayName), Status: p.Status, ExpiresAt: p.ExpiresAt, ClaimedAt: p.ClaimedAt}
	if p.Contact != nil {
		v.Contact = &ContactView{Name: p.Contact.Name, Phone: p.Contact.Phone, Address: p.Contact.Address}
	}
	return v
}

type boardQuery struct {
	Limit int `form:"limit" binding:"omitempty,min=1,max=100"`
}

// limit is how many places to show: ?limit=, 100 when not given.
func (q boardQuery) limit() int { return cmp.Or(q.Limit, 100) }

type flagQuery struct {
	All bool `form:"all"`
}

// startInput is the input of a start: the round's path id and the caller's IP, which the
// rate limits count.
type startInput struct {
	ID int64
	IP string
}

// Bind reads the path id ("id") and the client IP.
func (in *startInput) Bind(c *gin.Context) (err error) {
	in.ID, err = httpx.PathID(c, "id")
	in.IP = c.ClientIP()
	return err
}

// submitInput is the input of a submit: the play's path id, Idempotency-Key and answers, and
// the caller's IP, which the rate limits count.
type submitInput struct {
	httpx.IDKeyBody[SubmitRequest]
	IP string
}

// Bind reads what IDKeyBody reads and the client IP.
func (in *submitInput) Bind(c *gin.Context) error {
	in.IP = c.ClientIP()
	return in.IDKeyBody.Bind(c)
}
