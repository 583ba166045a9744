package yearend

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/audit"
	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
)

// Campaigns reads campaigns for the year's close-out.
type Campaigns interface {
	// LockRow locks a campaign's row in the caller's transaction and returns it (close-out).
	LockRow(ctx context.Context, id int64) (*campaign.Row, error)
	// SetStatus writes a campaign's status in the caller's transaction (close-out, reopen).
	SetStatus(ctx context.Context, id int64, to campaign.Status) error
	// ActiveFor lists the campaigns running today for a learner of the unit at path, newest
	// first (the default campaign of GET /me/year-result, as of GET /me/credits).
	ActiveFor(ctx context.Context, unitPath string) ([]credit.CampaignFacts, error)
}

// Auditor records admin writes.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Events receives domain events inside the transaction that caused them (the webhook outbox).
type Events interface {
	Emit(ctx context.Context, eventType, unitPath string, data any) error
}

// Service computes, freezes and reports the year's results.
type Service struct {
	db        *gorm.DB
	store     *Store
	campaigns Campaigns
	audit     Auditor
	events    Events
	certifier Certifier
	now       func() time.Time

	closeBatch int // learners per transaction of a close (defaultCloseBatch)
}

// Deps are the service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Store     *Store
	Campaigns Campaigns
	Audit     Auditor
	Events    Events    // optional
	Certifier Certifier // optional: nil issues no certificates at close
	Now       func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, store: d.Store, campaigns: d.Campaigns, audit: d.Audit, events: d.Events, certifier: d.Certifier, now: d.Now,
		closeBatch: defaultCloseBatch}
}
