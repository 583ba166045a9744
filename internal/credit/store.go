package credit

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("credit row not found")

// Store is the only place that queries the ledger and its summaries. Read models (rankings)
// join learners and units read-only.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

// LearnerFacts are what the ledger needs to know about a learner.
type LearnerFacts struct {
	LearnerID int64
	AccountID int64
	Name      string
	UnitID    int64
	UnitPath  string
	UnitName  string
	Track     string
	Status    string
}

// Learner loads the facts of one learner.
func (s *Store) Learner(ctx context.Context, learnerID int64) (*LearnerFacts, error) {
	return s.learnerWhere(ctx, "learners.id = ?", learnerID)
}

// LearnerByAccount loads the facts of the learner behind an account.
func (s *Store) LearnerByAccount(ctx context.Context, accountID int64) (*LearnerFacts, error) {
	return s.learnerWhere(ctx, "learners.account_id = ?", accountID)
}

func (s *Store) learnerWhere(ctx context.Context, cond string, arg any) (*LearnerFacts, error) {
	var f LearnerFacts
	err := s.learnerFacts(ctx).Where(cond, arg).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &f, err
}

// learnerFacts selects LearnerFacts: learners with their unit's path and name.
func (s *Store) learnerFacts(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("learners").
		Select("learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id, units.path AS unit_path, units.name AS unit_name, learners.track, learners.status").
		Joins("JOIN units ON units.id = learners.unit_id")
}

// LockCampaigns reads the statuses of campaigns under a shared lock held until the transaction
// ends (MySQL; SQLite has one writer) and reports which refuse credits (closing or closed;
// a campaign not found is left to the caller's other reads to report). The year's
// close-out locks a campaign's row exclusively to move it to closing, so it waits for the
// awards in flight, and every award after it reads closing: each award is in the close's
// snapshot or refused. Shared locks do not wait for each other, so awards do not queue here.
// The statuses are the campaign package's; the ledger knows only the two that refuse credits.
func (s *Store) LockCampaigns(ctx context.Context, ids []int64) (map[int64]bool, error) {
	var rows []struct {
		ID     int64
		Status string
	}
	share := ""
	if database.Dialect(s.db) == database.MySQL {
		share = " LOCK IN SHARE MODE" // MariaDB has no FOR SHARE; MySQL 8 reads both
	}
	err := s.conn(ctx).Raw("SELECT id, status FROM campaigns WHERE id IN ? ORDER BY id"+share, ids).Scan(&rows).Error
	out := make(map[int64]bool, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Status == "closing" || r.Status == "closed"
	}
	return out, err
}

// LockDaily makes sure the day's counter exists and locks it until the transaction ends, so
// concurrent awards of one source to one learner on one day are serialised (MySQL; SQLite has
// one writer anyway). It returns what the day has credited so far.
func (s *Store) LockDaily(ctx context.Context, d Daily) (Amount, error) {
	d.Amount = 0
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&d).Error; err != nil {
		return 0, err
	}
	var used Amount
	err := s.conn(ctx).Model(&Daily{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("amount").
		Where("learner_id = ? AND campaign_id = ? AND source = ? AND day = ?", d.LearnerID, d.CampaignID, d.Source, d.Day).
		Scan(&used).Error
	return used, err
}

// AddDaily adds to the day's counter.
func (s *Store) AddDaily(ctx context.Context, d Daily, amount Amount) error {
	return s.conn(ctx).Model(&Daily{}).
		Where("learner_id = ? AND campaign_id = ? AND source = ? AND day = ?", d.LearnerID, d.CampaignID, d.Source, d.Day).
		Update("amount", gorm.Expr("amount + ?", amount)).Error
}

// AddUnitDaily adds to what a unit's learners earned on a day, in one upsert: the row is
// shared by the unit's learners, so the fewer statements hold its lock the better.
func (s *Store) AddUnitDaily(ctx context.Context, campaignID, unitID int64, day string, amount Amount) error {
	row := &UnitDaily{CampaignID: campaignID, UnitID: unitID, Day: day, Amount: amount}
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "unit_id"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"amount": gorm.Expr("amount + ?", amount)}),
	}).Create(row).Error
}

// EntryExists reports whether the award (learner, campaign, source, source id) is recorded.
func (s *Store) EntryExists(ctx context.Context, e *Entry) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Entry{}).
		Where("learner_id = ? AND campaign_id = ? AND source = ? AND source_id = ?", e.LearnerID, e.CampaignID, e.Source, e.SourceID).
		Count(&n).Error
	return n > 0, err
}

// InsertEntry appends a ledger row; a duplicate is gorm.ErrDuplicatedKey.
func (s *Store) InsertEntry(ctx context.Context, e *Entry) error {
	return s.conn(ctx).Create(e).Error
}

// LockSummary makes sure the summary row exists and locks it; it returns its current state
// (ErrNotFound when the learner is gone).
func (s *Store) LockSummary(ctx context.Context, learnerID, campaignID int64, now time.Time) (*Summary, error) {
	if err := s.ensureSummaries(ctx, campaignID, []int64{learnerID}, now); err != nil {
		return nil, err
	}
	var sum Summary
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("learner_id = ? AND campaign_id = ?", learnerID, campaignID).Take(&sum).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &sum, err
}

// ensureSummaries creates the missing summary rows of the learners (ascending ids) in a
// campaign. A new row copies unit and track from the learners row as committed now (on MySQL
// INSERT … SELECT reads it under a shared lock), not from facts read earlier in the
// transaction: a move committed since found no summary to update (MoveLearner) and would be
// lost.
func (s *Store) ensureSummaries(ctx context.Context, campaignID int64, learners []int64, now time.Time) error {
	return s.conn(ctx).Exec("INSERT INTO credit_summaries (learner_id, campaign_id, unit_id, track, updated_at) "+
		"SELECT id, ?, unit_id, track, ? FROM learners WHERE id IN ? ORDER BY id"+onConflictKeep(s), campaignID, now, learners).Error
}

// AddToSummary adds an amount to the total and to the source's column.
func (s *Store) AddToSummary(ctx context.Context, learnerID, campaignID int64, source Source, amount Amount, at time.Time) error {
	col := string(source)
	return s.conn(ctx).Model(&Summary{}).Where("learner_id = ? AND campaign_id = ?", learnerID, campaignID).Updates(map[string]any{
		"total":            gorm.Expr("total + ?", amount),
		col:                gorm.Expr(col+" + ?", amount),
		"last_activity_at": at,
		"updated_at":       at,
	}).Error
}

// Summary loads a learner's summary in a campaign (ErrNotFound before any credit).
func (s *Store) Summary(ctx context.Context, learnerID, campaignID int64) (*Summary, error) {
	var sum Summary
	err := s.conn(ctx).Where("learner_id = ? AND campaign_id = ?", learnerID, campaignID).Take(&sum).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &sum, err
}

// MoveLearner keeps a learner's summaries in step when their unit or track changes.
func (s *Store) MoveLearner(ctx context.Context, learnerID, unitID int64, track string) error {
	return s.conn(ctx).Model(&Summary{}).Where("learner_id = ?", learnerID).
		Updates(map[string]any{"unit_id": unitID, "track": track}).Error
}

// Entries returns a page of a learner's ledger in a campaign, newest first, and how many rows
// it has (ErrNotFound: no such learner).
func (s *Store) Entries(ctx context.Context, learnerID, campaignID int64, offset, limit int) ([]Entry, int64, error) {
	return s.entriesOf(ctx, campaignID, "learners.id = ?", learnerID, offset, limit)
}

// EntriesByAccount is Entries of the learner of an account.
func (s *Store) EntriesByAccount(ctx context.Context, accountID, campaignID int64, offset, limit int) ([]Entry, int64, error) {
	return s.entriesOf(ctx, campaignID, "learners.account_id = ?", accountID, offset, limit)
}

// ledgerCount counts a learner's entries in a campaign over idx_credit_ledger_learner_time
// alone (the campaign id is its argument).
const ledgerCount = "(SELECT COUNT(*) FROM credit_ledger c WHERE c.learner_id = learners.id AND c.campaign_id = ?) AS total_rows"

// entriesOf reads a page of the ledger of the learner matching cond (on learners) with their
// count in one statement: the learner's page is the most frequent ledger read (issue 21). A
// window count made the database sort all the learner's rows; this count reads only the index.
// An empty page (past the end, no entries yet, or no such learner) takes a second statement.
func (s *Store) entriesOf(ctx context.Context, campaignID int64, cond string, arg any, offset, limit int) ([]Entry, int64, error) {
	var rows []struct {
		Entry     `gorm:"embedded"`
		TotalRows int64
	}
	err := s.conn(ctx).Table("learners").Select("credit_ledger.*, "+ledgerCount, campaignID).
		Joins("JOIN credit_ledger ON credit_ledger.learner_id = learners.id AND credit_ledger.campaign_id = ?", campaignID).
		Where(cond, arg).Order("credit_ledger.created_at DESC, credit_ledger.id DESC").
		Offset(offset).Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		var totals []int64
		err := s.conn(ctx).Table("learners").Select(ledgerCount, campaignID).Where(cond, arg).Scan(&totals).Error
		if err == nil && len(totals) == 0 {
			err = ErrNotFound
		}
		if err != nil {
			return nil, 0, err
		}
		return []Entry{}, totals[0], nil
	}
	out := make([]Entry, len(rows))
	for i := range rows {
		out[i] = rows[i].Entry
	}
	return out, rows[0].TotalRows, nil
}
