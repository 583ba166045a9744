package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/clock"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/ttlcache"
)

// Errors of this domain.
var (
	errLearnerNotFound = apperr.NotFound("learner.not_found", "学员不存在")
	errBelowZero       = apperr.Invalid("credit.below_zero", "调整后总学分不能小于零", apperr.Field("amount", "调整后总学分不能小于零"))
	errNotALearner     = apperr.NotFound("learner.not_a_learner", "当前账号不是学员")
	// errCampaignClosed refuses an admin's adjustment to a campaign being closed or closed: its
	// results are frozen (a reopen is the way to change them).
	errCampaignClosed = apperr.Conflict("credit.campaign_closed", "学法活动已结办或正在结办，不能再调整学分")
)

// Campaigns is what the ledger needs to know about campaigns.
type Campaigns interface {
	Facts(ctx context.Context, id int64) (*CampaignFacts, error)
	// ActiveFor lists the campaigns running today for a learner of the unit at path, newest first.
	ActiveFor(ctx context.Context, unitPath string) ([]CampaignFacts, error)
}

// CampaignFacts describe a campaign for crediting and explaining.
type CampaignFacts struct {
	ID        int64
	Name      string
	UnitPath  string
	StartDate string // YYYY-MM-DD, Asia/Shanghai
	EndDate   string
	Active    bool
	Targets   map[string]Amount // by track
	Rules     Rules
}

// Events receives domain events inside the transaction that caused them (the webhook outbox);
// unitPath is the subtree the event belongs to. A nil Events emits nothing.
type Events interface {
	Emit(ctx context.Context, eventType, unitPath string, data any) error
	// EmitMany emits one event of the type per data, data[i] belonging to unitPaths[i].
	EmitMany(ctx context.Context, eventType string, unitPaths []string, data []any) error
}

// EventCreditAwarded is emitted for every ledger row that changes a total.
const EventCreditAwarded = "credit.awarded"

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service writes and reads the ledger.
type Service struct {
	db        *gorm.DB
	store     *Store
	campaigns Campaigns
	units     Units
	audit     Auditor
	events    Events
	now       func() time.Time
	standings *ttlcache.Cache[[]UnitStanding]
	places    *ttlcache.Cache[unitPlaces] // see unit_places.go
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Units     Units
	Audit     Auditor
	Now       func() time.Time
	Events    Events // optional
	// UnitRankingTTL keeps a leaderboard's unit ranking this long (0: computed per request);
	// see standings_key.go.
	UnitRankingTTL time.Duration
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, store: d.Store, campaigns: d.Campaigns, units: d.Units, audit: d.Audit, events: d.Events, now: d.Now,
		standings: ttlcache.New(d.UnitRankingTTL, d.Now, slices.Clone[[]UnitStanding]),
		places:    ttlcache.New(d.UnitRankingTTL, d.Now, sharePlaces)}
}

// AwardedEvent is the data of a credit.awarded webhook event (its schema is in the published
// contract: keep the swag tags).
type AwardedEvent struct {
	EntryID    int64     `json:"entry_id"`
	LearnerID  int64     `json:"learner_id"`
	UnitID     int64     `json:"unit_id"`
	CampaignID int64     `json:"campaign_id"`
	Source     Source    `json:"source"`
	SourceID   string    `json:"source_id"`
	Amount     Amount    `json:"amount" swaggertype:"number" multipleOf:"0.01" example:"2.5"`
	Total      Amount    `json:"total" swaggertype:"number" multipleOf:"0.01" example:"14"`
	Reason     string    `json:"reason"`
	AwardedAt  time.Time `json:"awarded_at" format:"date-time"`
} // @name CreditAwardedEvent

// Award is one credit a source grants.
type Award struct {
	LearnerID  int64
	CampaignID int64
	Source     Source
	SourceID   string // unique per learner, campaign and source: a retry with the same id is a no-op
	Amount     Amount
	Reason     string
	ActorID    *int64 // adjustments: the admin
}

// Result says what an award did.
type Result struct {
	Credited  Amount // what the ledger added (less than asked when the daily cap bit)
	Duplicate bool   // the award was already recorded; nothing changed
	Capped    bool
	// Refused: the campaign is closing or closed, so nothing was written. Only the automatic
	// sources (a learner's study, practice, exam, event, quiz) are refused this way, so the
	// action that earned them still succeeds; an adjustment fails with credit.campaign_closed.
	Refused bool
}

// Award records a credit inside the caller's transaction (or its own). It is idempotent on
// (learner, campaign, source, source id), applies the campaign's daily cap for the source on
// the Asia/Shanghai day, and updates the learner's summary in the same transaction. A capped
// award is still recorded (with the amount actually credited) so that its retries stay no-ops.
// An award to a closing or closed campaign writes nothing (see Result.Refused).
func (s *Service) Award(ctx context.Context, a Award) (Result, error) {
	if !a.Source.Valid() || a.SourceID == "" {
		return Result{}, fmt.Errorf("credit: invalid award %+v", a)
	}
	var res Result
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		var err error
		res, err = s.award(ctx, a)
		return err
	})
	return res, err
}

func (s *Service) award(ctx context.Context, a Award) (Result, error) {
	learner, err := s.store.Learner(ctx, a.LearnerID)
	if errors.Is(err, ErrNotFound) {
		return Result{}, errLearnerNotFound
	}
	if err != nil {
		return Result{}, err
	}
	campaign, err := s.campaigns.Facts(ctx, a.CampaignID)
	if err != nil {
		return Result{}, err
	}
	// The campaign's status is read under a shared lock before any other lock of the award is
	// taken: the close-out's exclusive lock waits for this award to commit (it is then in the
	// snapshot), and an award after the close began reads closing and is refused.
	closed, err := s.store.LockCampaigns(ctx, []int64{a.CampaignID})
	if err != nil {
		return Result{}, err
	}
	if closed[a.CampaignID] {
		return refuse(a)
	}
	now := s.now()
	entry := &Entry{LearnerID: a.LearnerID, CampaignID: a.CampaignID, Source: a.Source, SourceID: a.SourceID,
		Requested: a.Amount, Amount: a.Amount, Reason: a.Reason, Day: Day(now), ActorID: a.ActorID, CreatedAt: now}
	day := Daily{LearnerID: a.LearnerID, CampaignID: a.CampaignID, Source: a.Source, Day: entry.Day}
	used, err := s.store.LockDaily(ctx, day)
	if err != nil {
		return Result{}, err
	}
	if dup, err := s.store.EntryExists(ctx, entry); err != nil || dup {
		return Result{Duplicate: dup}, err
	}
	summary, err := s.store.LockSummary(ctx, a.LearnerID, a.CampaignID, now)
	if errors.Is(err, ErrNotFound) {
		return Result{}, errLearnerNotFound
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{}
	if limit := campaign.Rules.Cap(a.Source); limit > 0 && a.Amount > 0 && used+a.Amount > limit {
		entry.Amount, res.Capped = max(limit-used, 0), true
	}
	if summary.Total+entry.Amount < 0 {
		return Result{}, errBelowZero
	}
	if err := s.store.InsertEntry(ctx, entry); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Result{Duplicate: true}, nil
		}
		return Result{}, err
	}
	res.Credited = entry.Amount
	if entry.Amount == 0 {
		return res, nil
	}
	if err := s.store.AddDaily(ctx, day, entry.Amount); err != nil {
		return Result{}, err
	}
	if err := s.store.AddToSummary(ctx, a.LearnerID, a.CampaignID, a.Source, entry.Amount, now); err != nil {
		return Result{}, err
	}
	s.forgetPlaces(ctx, a.CampaignID, learner.UnitID)
	if s.events != nil {
		if err := s.events.Emit(ctx, EventCreditAwarded, learner.UnitPath, AwardedEvent{
			EntryID: entry.ID, LearnerID: a.LearnerID, UnitID: learner.UnitID, CampaignID: a.CampaignID, Source: a.Source,
			SourceID: a.SourceID, Amount: entry.Amount, Total: summary.Total + entry.Amount, Reason: a.Reason, AwardedAt: now.UTC(),
		}); err != nil {
			return Result{}, err
		}
	}
	// Last: the unit's day row is shared by all its learners, so it is locked for the shortest time.
	return res, s.store.AddUnitDaily(ctx, a.CampaignID, learner.UnitID, entry.Day, entry.Amount)
}

// refuse is the answer to an award of a closing or closed campaign.
func refuse(a Award) (Result, error) {
	if a.Source == SourceAdjustment {
		return Result{}, errCampaignClosed
	}
	return Result{Refused: true}, nil
}

// Day is the Asia/Shanghai calendar day of t, YYYY-MM-DD.
func Day(t time.Time) string { return t.In(clock.Shanghai()).Format(time.DateOnly) }

// MoveLearner keeps summaries in step when a learner's unit or track changes.
func (s *Service) MoveLearner(ctx context.Context, learnerID, unitID int64, track string) error {
	return s.store.MoveLearner(ctx, learnerID, unitID, track)
}
