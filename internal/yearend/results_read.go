package yearend

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

// ResultsQuery narrows the admin's list of results.
type ResultsQuery struct {
	UnitID int64  // a unit of the actor's subtree (default: the actor's unit)
	Status Status // optional
	Track  string // optional
	Offset int
	Limit  int
}

// ResultPage is a page of a campaign's results: the standing close's snapshot (CloseNo > 0,
// AsOf its finish) or live results (CloseNo 0, AsOf now).
type ResultPage struct {
	Campaign *campaign.Row
	CloseNo  int
	AsOf     time.Time
	Formula  Formula
	Items    []Result
	Total    int64
}

// Results lists a campaign's results of learners in a unit of the admin's subtree, ascending by
// learner id. Live pages compute only the learners of the page, except with a status filter,
// which needs every learner's result: those lists compute the unit's whole audience in
// batches and filter it.
func (s *Service) Results(ctx context.Context, actor auth.Actor, campaignID int64, q ResultsQuery) (*ResultPage, error) {
	c, err := s.seenCampaign(ctx, actor, campaignID)
	if err != nil {
		return nil, err
	}
	path, err := s.unitScope(ctx, actor, q.UnitID)
	if err != nil {
		return nil, err
	}
	path = within(path, c.UnitPath)
	page := &ResultPage{Campaign: c, Items: []Result{}, AsOf: s.now()}
	cl, err := s.standingClose(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if cl != nil {
		page.CloseNo = cl.CloseNo
		if cl.FinishedAt != nil {
			page.AsOf = *cl.FinishedAt
		}
		if page.Formula, err = cl.FrozenFormula(); err != nil {
			return nil, err
		}
	} else if page.Formula, err = s.FormulaOf(ctx, c.ID); err != nil {
		return nil, err
	}
	if path == "" {
		return page, nil
	}
	if cl != nil {
		page.Items, page.Total, err = s.store.FrozenPage(ctx, Frozen{CampaignID: c.ID, CloseNo: cl.CloseNo, PathPrefix: path,
			Track: q.Track, Status: q.Status}, q.Offset, q.Limit)
		return page, err
	}
	a := Audience{CampaignID: c.ID, PathPrefix: path, Track: q.Track}
	if q.Status == "" {
		if page.Total, err = s.store.CountAudience(ctx, a); err != nil {
			return nil, err
		}
		learners, err := s.store.AudiencePage(ctx, a, q.Offset, q.Limit)
		if err != nil {
			return nil, err
		}
		page.Items, err = s.compute(ctx, c, page.Formula, learners)
		return page, err
	}
	all, err := s.liveWhere(ctx, c, page.Formula, a, func(r Result) bool { return r.Status == q.Status })
	if err != nil {
		return nil, err
	}
	page.Total = int64(len(all))
	page.Items = all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))]
	return page, nil
}

// liveWhere computes the audience's live results in batches and keeps those keep accepts.
func (s *Service) liveWhere(ctx context.Context, c *campaign.Row, f Formula, a Audience, keep func(Result) bool) ([]Result, error) {
	out := []Result{}
	for {
		learners, err := s.store.AudiencePage(ctx, a, 0, subtreeBatch)
		if err != nil {
			return nil, err
		}
		rows, err := s.compute(ctx, c, f, learners)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if keep(r) {
				out = append(out, r)
			}
		}
		if len(learners) < subtreeBatch {
			return out, nil
		}
		a.After = learners[len(learners)-1].ID
	}
}

// unitScope is the path of a unit of the actor's subtree (default: the actor's own unit), 404
// for any other.
func (s *Service) unitScope(ctx context.Context, actor auth.Actor, unitID int64) (string, error) {
	if unitID == 0 {
		return actor.UnitPath, nil
	}
	u, err := s.store.reportUnit(ctx, unitID)
	if errors.Is(err, ErrNotFound) || (err == nil && !actor.Covers(u.Path)) {
		return "", errUnitNotFound
	}
	return u.Path, err
}

// MyResult is a learner's own year result in a campaign with its explanation: frozen when the
// campaign is closed, else live.
type MyResult struct {
	Campaign    *campaign.Row
	CloseNo     int
	AsOf        time.Time
	Formula     Formula
	Result      Result
	Explanation []string
}

// MyYearResult is the calling learner's result in a campaign organised at or above their unit
// (not a draft); campaignID 0 picks the campaign as GET /me/credits does (the newest running).
func (s *Service) MyYearResult(ctx context.Context, actor auth.Actor, campaignID int64) (*MyResult, error) {
	l, err := s.store.LearnerByAccount(ctx, actor.AccountID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotALearner
	}
	if err != nil {
		return nil, err
	}
	if campaignID == 0 {
		running, err := s.campaigns.ActiveFor(ctx, l.UnitPath)
		if err != nil {
			return nil, err
		}
		if len(running) == 0 {
			return nil, errNoRunning
		}
		campaignID = running[0].ID
	}
	c, err := s.store.CampaignRow(ctx, campaignID)
	if errors.Is(err, ErrNotFound) || (err == nil && (c.Status == campaign.StatusDraft || !strings.HasPrefix(l.UnitPath, c.UnitPath))) {
		return nil, errCampaignNotFound
	}
	if err != nil {
		return nil, err
	}
	out := &MyResult{Campaign: c, AsOf: s.now()}
	cl, err := s.standingClose(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if cl != nil {
		rows, _, err := s.store.FrozenPage(ctx, Frozen{CampaignID: c.ID, CloseNo: cl.CloseNo, LearnerID: l.ID}, 0, 1)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, errNoResult
		}
		if out.Formula, err = cl.FrozenFormula(); err != nil {
			return nil, err
		}
		out.CloseNo, out.Result = cl.CloseNo, rows[0]
		if cl.FinishedAt != nil {
			out.AsOf = *cl.FinishedAt
		}
	} else {
		if out.Formula, err = s.FormulaOf(ctx, c.ID); err != nil {
			return nil, err
		}
		rows, err := s.compute(ctx, c, out.Formula, []LearnerRow{*l})
		if err != nil {
			return nil, err
		}
		out.Result = rows[0]
	}
	out.Explanation = Explain(out.Formula, out.Result)
	return out, nil
}
