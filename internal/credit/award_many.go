package credit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// AwardMany records awards inside the caller's transaction (or its own) as if Award were called
// for each in order, all or none: the same idempotency, daily caps, summaries, unit day rows
// and webhook events, and each award's Result. It exists for callers that award many learners
// at once (a batch of exam gradings): it runs a fixed number of statements per (campaign,
// source) instead of a dozen per award.
//
// Locks are taken in one order whatever the batch — the campaigns' rows shared (by id), day
// counters by (campaign, source, learner), then summaries by (campaign, learner), then unit
// day rows by (campaign, unit) — which is also the order of a single Award, so batches and
// single awards wait for each other instead of deadlocking. Awards to a closing or closed
// campaign write nothing: refused, or for an adjustment the whole batch fails (see Award).
func (s *Service) AwardMany(ctx context.Context, awards []Award) ([]Result, error) {
	for _, a := range awards {
		if !a.Source.Valid() || a.SourceID == "" {
			return nil, fmt.Errorf("credit: invalid award %+v", a)
		}
	}
	var out []Result
	err := database.WithTx(ctx, s.db, func(ctx context.Context) error {
		var err error
		out, err = s.awardMany(ctx, awards)
		if errors.Is(err, errRaced) {
			// An award of the batch was recorded on another day after the duplicate check (the
			// day counter serialises only same-day awards): the failed statement wrote nothing,
			// so award them one by one, each finding its own duplicate.
			out = make([]Result, len(awards))
			for i, a := range awards {
				if out[i], err = s.award(ctx, a); err != nil {
					return err
				}
			}
		}
		return err
	})
	return out, err
}

// errRaced says the ledger rows could not be inserted together because one already exists.
var errRaced = errors.New("credit: an award of the batch is already recorded")

func (s *Service) awardMany(ctx context.Context, awards []Award) ([]Result, error) {
	out := make([]Result, len(awards))
	if len(awards) == 0 {
		return out, nil
	}
	closed, err := s.store.LockCampaigns(ctx, sortedUnique(awards, func(a Award) int64 { return a.CampaignID }))
	if err != nil {
		return nil, err
	}
	var kept []Award
	var at []int // kept[j] is awards[at[j]]
	for i, a := range awards {
		if !closed[a.CampaignID] {
			kept, at = append(kept, a), append(at, i)
			continue
		}
		if out[i], err = refuse(a); err != nil {
			return nil, err
		}
	}
	if len(kept) == 0 {
		return out, nil
	}
	res, err := s.awardOpen(ctx, kept)
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		out[i] = res[j]
	}
	return out, nil
}

// awardOpen is AwardMany over awards of campaigns open to credits (their rows locked shared).
func (s *Service) awardOpen(ctx context.Context, awards []Award) ([]Result, error) {
	out := make([]Result, len(awards))
	b, err := s.loadBatch(ctx, awards)
	if err != nil {
		return nil, err
	}
	if err := b.lock(ctx, s.store); err != nil {
		return nil, err
	}
	// Each award in order, against what the awards before it in the batch did.
	var entries []*Entry
	seen := map[batchKey]bool{}
	for i, a := range awards {
		k := batchKey{a.CampaignID, a.Source, entryKey{a.LearnerID, a.SourceID}}
		if seen[k] || b.existing[k] {
			out[i].Duplicate = true
			continue
		}
		seen[k] = true
		e := &Entry{LearnerID: a.LearnerID, CampaignID: a.CampaignID, Source: a.Source, SourceID: a.SourceID,
			Requested: a.Amount, Amount: a.Amount, Reason: a.Reason, Day: b.day, ActorID: a.ActorID, CreatedAt: b.now}
		dk := dailyKey{dayKey{a.CampaignID, a.Source, b.day}, a.LearnerID}
		sk := summaryKey{a.CampaignID, a.LearnerID}
		if limit := b.campaigns[a.CampaignID].Rules.Cap(a.Source); limit > 0 && a.Amount > 0 && b.used[dk]+a.Amount > limit {
			e.Amount, out[i].Capped = max(limit-b.used[dk], 0), true
		}
		if b.totals[sk]+e.Amount < 0 {
			return nil, errBelowZero
		}
		entries = append(entries, e)
		out[i].Credited = e.Amount
		b.used[dk] += e.Amount
		b.totals[sk] += e.Amount
	}
	if len(entries) == 0 {
		return out, nil
	}
	if err := s.store.InsertEntries(ctx, entries); errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, errRaced
	} else if err != nil {
		return nil, err
	}
	return out, s.applyMany(ctx, b, entries)
}

// applyMany adds what the batch's entries credited to the day counters, the summaries, the
// webhook outbox and the unit day rows.
func (s *Service) applyMany(ctx context.Context, b *batch, entries []*Entry) error {
	daily := map[dayKey]map[int64]Amount{}
	summary := map[sourceKey]map[int64]Amount{}
	units := map[unitKey]Amount{}
	var credited []*Entry
	for _, e := range entries {
		if e.Amount == 0 {
			continue
		}
		credited = append(credited, e)
		dk, sk := dayKey{e.CampaignID, e.Source, e.Day}, sourceKey{e.CampaignID, e.Source}
		if daily[dk] == nil {
			daily[dk] = map[int64]Amount{}
		}
		if summary[sk] == nil {
			summary[sk] = map[int64]Amount{}
		}
		daily[dk][e.LearnerID] += e.Amount
		summary[sk][e.LearnerID] += e.Amount
		units[unitKey{e.CampaignID, b.learners[e.LearnerID].UnitID, e.Day}] += e.Amount
	}
	if len(credited) == 0 {
		return nil
	}
	for _, dk := range slices.SortedFunc(maps.Keys(daily), compareDayKeys) {
		if err := s.store.AddDailies(ctx, dk, daily[dk]); err != nil {
			return err
		}
	}
	for _, sk := range slices.SortedFunc(maps.Keys(summary), func(a, b sourceKey) int {
		return cmp.Or(cmp.Compare(a.CampaignID, b.CampaignID), cmp.Compare(a.Source, b.Source))
	}) {
		if err := s.store.AddToSummaries(ctx, sk.CampaignID, sk.Source, summary[sk], b.now); err != nil {
			return err
		}
	}
	if err := s.emitMany(ctx, b, credited); err != nil {
		return err
	}
	// Last, as in Award: the unit's day row is shared by all its learners.
	rows := make([]UnitDaily, 0, len(units))
	for k, amount := range units {
		s.forgetPlaces(ctx, k.CampaignID, k.UnitID)
		rows = append(rows, UnitDaily{CampaignID: k.CampaignID, UnitID: k.UnitID, Day: k.Day, Amount: amount})
	}
	slices.SortFunc(rows, func(a, b UnitDaily) int {
		return cmp.Or(cmp.Compare(a.CampaignID, b.CampaignID), cmp.Compare(a.UnitID, b.UnitID), cmp.Compare(a.Day, b.Day))
	})
	return s.store.AddUnitDailies(ctx, rows)
}

// emitMany writes a credit.awarded event per credited entry, with the learner's total after
// it. The entries' ids are read back (a multi-row INSERT does not return them on MySQL).
func (s *Service) emitMany(ctx context.Context, b *batch, credited []*Entry) error {
	if s.events == nil {
		return nil
	}
	for sk, group := range groupBy(credited, func(e *Entry) sourceKey { return sourceKey{e.CampaignID, e.Source} }) {
		ids, err := s.store.ExistingEntries(ctx, sk.CampaignID, sk.Source, learnersOf(group), sourceIDsOf(group))
		if err != nil {
			return err
		}
		for _, e := range group {
			e.ID = ids[entryKey{e.LearnerID, e.SourceID}]
		}
	}
	totals := map[summaryKey]Amount{} // running totals: the summaries as locked, plus each entry
	paths, events := make([]string, len(credited)), make([]any, len(credited))
	for i, e := range credited {
		sk := summaryKey{e.CampaignID, e.LearnerID}
		if _, ok := totals[sk]; !ok {
			totals[sk] = b.lockedTotals[sk]
		}
		totals[sk] += e.Amount
		l := b.learners[e.LearnerID]
		paths[i], events[i] = l.UnitPath, AwardedEvent{
			EntryID: e.ID, LearnerID: e.LearnerID, UnitID: l.UnitID, CampaignID: e.CampaignID, Source: e.Source,
			SourceID: e.SourceID, Amount: e.Amount, Total: totals[sk], Reason: e.Reason, AwardedAt: b.now.UTC(),
		}
	}
	return s.events.EmitMany(ctx, EventCreditAwarded, paths, events)
}

// batch is what AwardMany reads and locks before it decides anything.
type batch struct {
	now       time.Time
	day       string
	awards    []Award
	learners  map[int64]*LearnerFacts
	campaigns map[int64]*CampaignFacts

	used         map[dailyKey]Amount   // day counters, as the batch goes
	totals       map[summaryKey]Amount // summary totals, as the batch goes
	lockedTotals map[summaryKey]Amount // summary totals as locked
	existing     map[batchKey]bool     // awards recorded before the batch
}

type (
	dailyKey struct {
		dayKey
		LearnerID int64
	}
	summaryKey struct{ CampaignID, LearnerID int64 }
	sourceKey  struct {
		CampaignID int64
		Source     Source
	}
	unitKey struct {
		CampaignID, UnitID int64
		Day                string
	}
	batchKey struct {
		CampaignID int64
		Source     Source
		entryKey
	}
)

// loadBatch reads the learners and campaigns of the awards (outside any lock that matters).
func (s *Service) loadBatch(ctx context.Context, awards []Award) (*batch, error) {
	now := s.now()
	b := &batch{now: now, day: Day(now), awards: awards, campaigns: map[int64]*CampaignFacts{},
		used: map[dailyKey]Amount{}, totals: map[summaryKey]Amount{}, lockedTotals: map[summaryKey]Amount{}, existing: map[batchKey]bool{}}
	ids := make([]int64, len(awards))
	for i, a := range awards {
		ids[i] = a.LearnerID
	}
	var err error
	if b.learners, err = s.store.Learners(ctx, ids); err != nil {
		return nil, err
	}
	for _, a := range awards {
		if b.learners[a.LearnerID] == nil {
			return nil, errLearnerNotFound
		}
		if b.campaigns[a.CampaignID] == nil {
			if b.campaigns[a.CampaignID], err = s.campaigns.Facts(ctx, a.CampaignID); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// lock locks the batch's day counters and summaries in the global order and reads them, and
// finds which awards are already recorded (after the day counters are locked, as in Award).
func (b *batch) lock(ctx context.Context, st *Store) error {
	bySource := groupBy(b.awards, func(a Award) sourceKey { return sourceKey{a.CampaignID, a.Source} })
	sources := slices.SortedFunc(maps.Keys(bySource), func(x, y sourceKey) int {
		return cmp.Or(cmp.Compare(x.CampaignID, y.CampaignID), cmp.Compare(x.Source, y.Source))
	})
	for _, sk := range sources {
		dk := dayKey{sk.CampaignID, sk.Source, b.day}
		learners := sortedUnique(bySource[sk], func(a Award) int64 { return a.LearnerID })
		used, err := st.LockDailies(ctx, dk, learners)
		if err != nil {
			return err
		}
		for id, amount := range used {
			b.used[dailyKey{dk, id}] = amount
		}
	}
	for _, sk := range sources {
		group := bySource[sk]
		sourceIDs := sortedUnique(group, func(a Award) string { return a.SourceID })
		found, err := st.ExistingEntries(ctx, sk.CampaignID, sk.Source, sortedUnique(group, func(a Award) int64 { return a.LearnerID }), sourceIDs)
		if err != nil {
			return err
		}
		for k := range found {
			b.existing[batchKey{sk.CampaignID, sk.Source, k}] = true
		}
	}
	byCampaign := groupBy(b.awards, func(a Award) int64 { return a.CampaignID })
	for _, c := range slices.Sorted(maps.Keys(byCampaign)) {
		ids := sortedUnique(byCampaign[c], func(a Award) int64 { return a.LearnerID })
		totals, err := st.LockSummaries(ctx, c, ids, b.now)
		if err != nil {
			return err
		}
		for id, t := range totals {
			b.totals[summaryKey{c, id}], b.lockedTotals[summaryKey{c, id}] = t, t
		}
	}
	return nil
}

func compareDayKeys(a, b dayKey) int {
	return cmp.Or(cmp.Compare(a.CampaignID, b.CampaignID), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Day, b.Day))
}

func groupBy[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	out := map[K][]T{}
	for _, x := range xs {
		out[key(x)] = append(out[key(x)], x)
	}
	return out
}

func sortedUnique[T any, K cmp.Ordered](xs []T, key func(T) K) []K {
	out := make([]K, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func learnersOf(es []*Entry) []int64 {
	return sortedUnique(es, func(e *Entry) int64 { return e.LearnerID })
}

func sourceIDsOf(es []*Entry) []string {
	return sortedUnique(es, func(e *Entry) string { return e.SourceID })
}
