package app

import (
	"context"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/event"
	"github.com/xuefa/xuefa/internal/integration"
	"github.com/xuefa/xuefa/internal/lawreport"
	"github.com/xuefa/xuefa/internal/learner"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/study"
)

// The adapters below let domains find learners through small interfaces they declare, without
// importing the learner package.

// studyLearners adapts learners for study.
type studyLearners struct {
	learners *learner.Service
}

// Facts implements study.Learners.
func (l studyLearners) Facts(ctx context.Context, accountID int64) (*study.LearnerFacts, error) {
	r, err := l.learners.ForAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return &study.LearnerFacts{LearnerID: r.ID, UnitPath: r.UnitPath, Track: string(r.Track)}, nil
}

// eventLearners adapts learners for events.
type eventLearners struct {
	learners *learner.Service
}

// ByAccount implements event.Learners.
func (l eventLearners) ByAccount(ctx context.Context, accountID int64) (*event.LearnerFacts, error) {
	r, err := l.learners.ForAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return eventFacts(r), nil
}

// ByID implements event.Learners.
func (l eventLearners) ByID(ctx context.Context, id int64) (*event.LearnerFacts, error) {
	r, err := l.learners.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	return eventFacts(r), nil
}

func eventFacts(r *learner.Row) *event.LearnerFacts {
	return &event.LearnerFacts{LearnerID: r.ID, Name: r.Name, UnitPath: r.UnitPath, Track: string(r.Track), Active: r.Status == learner.StatusActive}
}

// reportLearners adapts learners for 述法 reports.
type reportLearners struct {
	learners *learner.Service
}

// ForAccount implements lawreport.Learners.
func (l reportLearners) ForAccount(ctx context.Context, accountID int64) (*lawreport.LearnerFacts, error) {
	r, err := l.learners.ForAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return reportLearner(r), nil
}

// Get implements lawreport.Learners: a learner of the actor's subtree.
func (l reportLearners) Get(ctx context.Context, actor auth.Actor, id int64) (*lawreport.LearnerFacts, error) {
	r, err := l.learners.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return reportLearner(r), nil
}

func reportLearner(r *learner.Row) *lawreport.LearnerFacts {
	return &lawreport.LearnerFacts{ID: r.ID, UnitID: r.UnitID, UnitPath: r.UnitPath, Track: string(r.Track), Active: r.Status == learner.StatusActive}
}

// principals authenticates bearer tokens: "client:<id>" subjects are integration clients,
// every other subject an account.
type principals struct {
	accounts *account.Service
	clients  *integration.Service
}

// Authenticate implements server.Authenticator.
func (p principals) Authenticate(ctx context.Context, c *auth.Claims) (auth.Actor, error) {
	if c.ClientID() > 0 {
		return p.clients.Authenticate(ctx, c)
	}
	return p.accounts.Authenticate(ctx, c)
}
