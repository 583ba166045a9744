package credit

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// The statements of AwardMany: each writes or locks the rows of many learners at once. They
// are built by hand, like the exam's wrong-book upsert: a batch carries up to a few hundred
// rows, and GORM's per-row reflection would cost more than the statements. Each takes its rows
// in key order, so batches running at once lock them in the same order.

// Learners loads the facts of the given learners, by id (missing ones are left out).
func (s *Store) Learners(ctx context.Context, ids []int64) (map[int64]*LearnerFacts, error) {
	var rows []LearnerFacts
	err := s.learnerFacts(ctx).Where("learners.id IN ?", ids).Scan(&rows).Error
	out := make(map[int64]*LearnerFacts, len(rows))
	for i := range rows {
		out[rows[i].LearnerID] = &rows[i]
	}
	return out, err
}

// dayKey names the day counters of one source in one campaign on one day.
type dayKey struct {
	CampaignID int64
	Source     Source
	Day        string
}

// LockDailies makes sure the day counters of the learners (ascending ids) exist and locks
// them, like LockDaily for each; it returns what each has credited so far.
func (s *Store) LockDailies(ctx context.Context, k dayKey, learners []int64) (map[int64]Amount, error) {
	var b strings.Builder
	args := make([]any, 0, 4*len(learners))
	b.WriteString("INSERT INTO credit_daily (learner_id, campaign_id, source, day, amount) VALUES ")
	for i, id := range learners {
		b.WriteString(sep(i) + "(?,?,?,?,0)")
		args = append(args, id, k.CampaignID, k.Source, k.Day)
	}
	b.WriteString(onConflictKeep(s))
	if err := s.conn(ctx).Exec(b.String(), args...).Error; err != nil {
		return nil, err
	}
	var rows []struct {
		LearnerID int64
		Amount    Amount
	}
	err := s.conn(ctx).Raw("SELECT learner_id, amount FROM credit_daily WHERE learner_id IN ? AND campaign_id = ? AND source = ? AND day = ? ORDER BY learner_id"+forUpdate(s),
		learners, k.CampaignID, k.Source, k.Day).Scan(&rows).Error
	out := make(map[int64]Amount, len(rows))
	for _, r := range rows {
		out[r.LearnerID] = r.Amount
	}
	return out, err
}

// entryKey names one award of a source in a campaign.
type entryKey struct {
	LearnerID int64
	SourceID  string
}

// ExistingEntries returns which of the given awards of one source in one campaign are
// recorded, with their ledger ids.
func (s *Store) ExistingEntries(ctx context.Context, campaignID int64, source Source, learners []int64, sourceIDs []string) (map[entryKey]int64, error) {
	var rows []struct {
		ID        int64
		LearnerID int64
		SourceID  string
	}
	// The cross product of the two lists may match awards not asked for: the caller looks up
	// only its own keys.
	err := s.conn(ctx).Raw("SELECT id, learner_id, source_id FROM credit_ledger WHERE learner_id IN ? AND campaign_id = ? AND source = ? AND source_id IN ?",
		learners, campaignID, source, sourceIDs).Scan(&rows).Error
	out := make(map[entryKey]int64, len(rows))
	for _, r := range rows {
		out[entryKey{r.LearnerID, r.SourceID}] = r.ID
	}
	return out, err
}

// LockSummaries makes sure the summary rows of the learners (ascending ids) in a campaign
// exist and locks them, like LockSummary for each; it returns their totals.
func (s *Store) LockSummaries(ctx context.Context, campaignID int64, ids []int64, now time.Time) (map[int64]Amount, error) {
	if err := s.ensureSummaries(ctx, campaignID, ids, now); err != nil {
		return nil, err
	}
	var rows []struct {
		LearnerID int64
		Total     Amount
	}
	err := s.conn(ctx).Raw("SELECT learner_id, total FROM credit_summaries WHERE learner_id IN ? AND campaign_id = ? ORDER BY learner_id"+forUpdate(s),
		ids, campaignID).Scan(&rows).Error
	out := make(map[int64]Amount, len(rows))
	for _, r := range rows {
		out[r.LearnerID] = r.Total
	}
	return out, err
}

// InsertEntries appends ledger rows in one statement (their ids are not read back; a
// duplicate fails the statement with gorm.ErrDuplicatedKey and writes none of them).
func (s *Store) InsertEntries(ctx context.Context, es []*Entry) error {
	var b strings.Builder
	args := make([]any, 0, 10*len(es))
	b.WriteString("INSERT INTO credit_ledger (learner_id, campaign_id, source, source_id, amount, requested, reason, day, actor_id, created_at) VALUES ")
	for i, e := range es {
		b.WriteString(sep(i) + "(?,?,?,?,?,?,?,?,?,?)")
		args = append(args, e.LearnerID, e.CampaignID, e.Source, e.SourceID, e.Amount, e.Requested, e.Reason, e.Day, e.ActorID, e.CreatedAt)
	}
	return s.conn(ctx).Exec(b.String(), args...).Error
}

// AddDailies adds to the day counters of learners (locked by LockDailies).
func (s *Store) AddDailies(ctx context.Context, k dayKey, add map[int64]Amount) error {
	ids, amount := caseOf(add)
	return s.conn(ctx).Exec("UPDATE credit_daily SET amount = amount + ? WHERE learner_id IN ? AND campaign_id = ? AND source = ? AND day = ?",
		amount, ids, k.CampaignID, k.Source, k.Day).Error
}

// AddToSummaries adds amounts of one source to learners' totals and source columns, like
// AddToSummary for each.
func (s *Store) AddToSummaries(ctx context.Context, campaignID int64, source Source, add map[int64]Amount, at time.Time) error {
	ids, amount := caseOf(add)
	col := string(source) // a Source, not user input
	return s.conn(ctx).Exec("UPDATE credit_summaries SET total = total + ?, "+col+" = "+col+" + ?, last_activity_at = ?, updated_at = ? WHERE learner_id IN ? AND campaign_id = ?",
		amount, amount, at, at, ids, campaignID).Error
}

// AddUnitDailies adds to units' day rows, like AddUnitDaily for each, in one upsert, rows in
// the order given (the caller sorts them).
func (s *Store) AddUnitDailies(ctx context.Context, rows []UnitDaily) error {
	var b strings.Builder
	args := make([]any, 0, 4*len(rows))
	b.WriteString("INSERT INTO credit_unit_daily (campaign_id, unit_id, day, amount) VALUES ")
	for i, r := range rows {
		b.WriteString(sep(i) + "(?,?,?,?)")
		args = append(args, r.CampaignID, r.UnitID, r.Day, r.Amount)
	}
	if database.Dialect(s.db) == database.MySQL {
		b.WriteString(" ON DUPLICATE KEY UPDATE amount = amount + VALUES(amount)")
	} else {
		b.WriteString(" ON CONFLICT (campaign_id, unit_id, day) DO UPDATE SET amount = credit_unit_daily.amount + excluded.amount")
	}
	return s.conn(ctx).Exec(b.String(), args...).Error
}

// caseOf is "CASE learner_id WHEN … THEN … END" over a map, with the map's ids.
func caseOf(m map[int64]Amount) ([]int64, clause.Expr) {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	vars := make([]any, 0, 2*len(m))
	b.WriteString("CASE learner_id")
	for _, id := range ids {
		b.WriteString(" WHEN ? THEN ?")
		vars = append(vars, id, m[id])
	}
	b.WriteString(" END")
	return ids, clause.Expr{SQL: b.String(), Vars: vars}
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}

// onConflictKeep ends an INSERT that leaves existing rows alone (what GORM's DoNothing
// writes on each dialect; INSERT IGNORE would also swallow errors other than the key's).
func onConflictKeep(s *Store) string {
	if database.Dialect(s.db) == database.MySQL {
		return " ON DUPLICATE KEY UPDATE learner_id = learner_id"
	}
	return " ON CONFLICT DO NOTHING"
}

// forUpdate locks the rows read on MySQL; SQLite has one writer, which serialises anyway.
func forUpdate(s *Store) string {
	if database.Dialect(s.db) == database.MySQL {
		return " FOR UPDATE"
	}
	return ""
}
