package yearend

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/campaign"
	"github.com/xuefa/xuefa/internal/credit"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("yearend: not found")

// Formula returns a campaign's stored formula (ErrNotFound: none stored).
func (s *Store) Formula(ctx context.Context, campaignID int64) (*Formula, error) {
	var f Formula
	err := s.conn(ctx).Where("campaign_id = ?", campaignID).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &f, err
}

// SaveFormula inserts or replaces a campaign's formula.
func (s *Store) SaveFormula(ctx context.Context, f *Formula) error {
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"exam_weight", "exam_id", "pass_score", "exempt_target_percent", "updated_by", "updated_at"}),
	}).Create(f).Error
}

// ExamRef is what the formula needs to know about an exam.
type ExamRef struct {
	ID         int64
	CampaignID int64
	MainExamID *int64
	Title      string
}

// Exam loads an exam's campaign and main exam (ErrNotFound: no such exam).
func (s *Store) Exam(ctx context.Context, id int64) (*ExamRef, error) {
	var e ExamRef
	err := s.conn(ctx).Table("exams").Select("id, campaign_id, main_exam_id, title").Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &e, err
}

// CountedExams are the ids of a main exam and its make-ups (exams.main_exam_id = main).
func (s *Store) CountedExams(ctx context.Context, mainID int64) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Table("exams").Where("id = ? OR main_exam_id = ?", mainID, mainID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// LearnerRow is a learner of a campaign's audience, with their unit.
type LearnerRow struct {
	ID        int64
	AccountID int64
	UnitID    int64
	UnitPath  string
	UnitName  string
	Name      string
	Track     string
	Status    string
}

// Audience selects the learners a campaign's results cover.
type Audience struct {
	CampaignID int64
	PathPrefix string // learners in units under this path
	Track      string // optional
	After      int64  // learner id > After
}

// audience is the query of a campaign's audience: active learners under the path, and learners
// who left but earned credit in the campaign (their credit stays in the year's figures).
func (s *Store) audience(ctx context.Context, a Audience) *gorm.DB {
	q := s.conn(ctx).Table("learners").
		Joins("JOIN units ON units.id = learners.unit_id").
		Where("units.path LIKE ?", a.PathPrefix+"%").
		Where("learners.status = ? OR EXISTS (SELECT 1 FROM credit_summaries cs WHERE cs.learner_id = learners.id AND cs.campaign_id = ?)",
			"active", a.CampaignID)
	if a.Track != "" {
		q = q.Where("learners.track = ?", a.Track)
	}
	if a.After > 0 {
		q = q.Where("learners.id > ?", a.After)
	}
	return q
}

// AudiencePage returns learners of the audience ascending by id, from offset, at most limit.
func (s *Store) AudiencePage(ctx context.Context, a Audience, offset, limit int) ([]LearnerRow, error) {
	var rows []LearnerRow
	err := s.audience(ctx, a).
		Select("learners.id, learners.account_id, learners.unit_id, units.path AS unit_path, units.name AS unit_name, learners.name, learners.track, learners.status").
		Order("learners.id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, err
}

// CountAudience counts the audience.
func (s *Store) CountAudience(ctx context.Context, a Audience) (int64, error) {
	var n int64
	err := s.audience(ctx, a).Count(&n).Error
	return n, err
}

// LearnerByAccount is the learner of an account with their unit (ErrNotFound: not a learner).
func (s *Store) LearnerByAccount(ctx context.Context, accountID int64) (*LearnerRow, error) {
	var r LearnerRow
	err := s.conn(ctx).Table("learners").Joins("JOIN units ON units.id = learners.unit_id").
		Select("learners.id, learners.account_id, learners.unit_id, units.path AS unit_path, units.name AS unit_name, learners.name, learners.track, learners.status").
		Where("learners.account_id = ?", accountID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Summaries are the credit summaries of the learners in a campaign.
func (s *Store) Summaries(ctx context.Context, campaignID int64, learnerIDs []int64) ([]credit.Summary, error) {
	var rows []credit.Summary
	err := s.conn(ctx).Where("campaign_id = ? AND learner_id IN ?", campaignID, learnerIDs).Find(&rows).Error
	return rows, err
}

// ExamResultRow is one learner's counted result in one exam.
type ExamResultRow struct {
	ExamID    int64
	LearnerID int64
	Score     float64
	MaxScore  float64
	Passed    bool
}

// ExamResults are the learners' results in the given exams.
func (s *Store) ExamResults(ctx context.Context, examIDs, learnerIDs []int64) ([]ExamResultRow, error) {
	var rows []ExamResultRow
	if len(examIDs) == 0 {
		return rows, nil
	}
	err := s.conn(ctx).Table("exam_results").Select("exam_id, learner_id, score, max_score, passed").
		Where("exam_id IN ? AND learner_id IN ?", examIDs, learnerIDs).Order("exam_id").Find(&rows).Error
	return rows, err
}

type learnerCount struct {
	LearnerID int64
	N         int
}

func toCounts(rows []learnerCount) map[int64]int {
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.LearnerID] = r.N
	}
	return out
}

// Attendance counts the campaign's events (not cancelled) each learner attended.
func (s *Store) Attendance(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]int, error) {
	var rows []learnerCount
	err := s.conn(ctx).Table("event_attendance").Select("event_attendance.learner_id, COUNT(*) AS n").
		Joins("JOIN events ON events.id = event_attendance.event_id").
		Where("events.campaign_id = ? AND events.status <> ? AND event_attendance.learner_id IN ?", campaignID, "cancelled", learnerIDs).
		Group("event_attendance.learner_id").Find(&rows).Error
	return toCounts(rows), err
}

// ApprovedLawReports counts each learner's approved 述法 reports in the campaign.
func (s *Store) ApprovedLawReports(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]int, error) {
	var rows []learnerCount
	err := s.conn(ctx).Table("law_reports").Select("learner_id, COUNT(*) AS n").
		Where("campaign_id = ? AND status = ? AND learner_id IN ?", campaignID, "approved", learnerIDs).
		Group("learner_id").Find(&rows).Error
	return toCounts(rows), err
}

// ExemptIDs are the learners among learnerIDs exempt in the campaign.
func (s *Store) ExemptIDs(ctx context.Context, campaignID int64, learnerIDs []int64) (map[int64]bool, error) {
	var ids []int64
	err := s.conn(ctx).Model(&Exemption{}).Where("campaign_id = ? AND learner_id IN ?", campaignID, learnerIDs).Pluck("learner_id", &ids).Error
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// CampaignRow loads a campaign with its organiser unit, whoever asks (the year's reads apply
// their own scope rule: campaigns organised in the actor's subtree or above their unit).
func (s *Store) CampaignRow(ctx context.Context, id int64) (*campaign.Row, error) {
	var r campaign.Row
	err := s.conn(ctx).Table("campaigns").Select("campaigns.*, units.path AS unit_path, units.name AS unit_name").
		Joins("JOIN units ON units.id = campaigns.unit_id").Where("campaigns.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Frozen selects a close's snapshot rows.
type Frozen struct {
	CampaignID int64
	CloseNo    int
	PathPrefix string
	Track      string
	Status     Status
	LearnerID  int64 // optional: one learner
}

func (s *Store) frozen(ctx context.Context, f Frozen) *gorm.DB {
	q := s.conn(ctx).Model(&Result{}).Where("campaign_id = ? AND close_no = ?", f.CampaignID, f.CloseNo)
	if f.PathPrefix != "" {
		q = q.Where("unit_path LIKE ?", f.PathPrefix+"%")
	}
	if f.Track != "" {
		q = q.Where("track = ?", f.Track)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.LearnerID != 0 {
		q = q.Where("learner_id = ?", f.LearnerID)
	}
	return q
}

// FrozenPage returns a page of a close's snapshot ascending by learner id, and the total.
func (s *Store) FrozenPage(ctx context.Context, f Frozen, offset, limit int) ([]Result, int64, error) {
	var total int64
	if err := s.frozen(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Result
	err := s.frozen(ctx, f).Order("learner_id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// FrozenAfter returns up to limit snapshot rows with learner id > after, ascending.
func (s *Store) FrozenAfter(ctx context.Context, f Frozen, after int64, limit int) ([]Result, error) {
	var rows []Result
	err := s.frozen(ctx, f).Where("learner_id > ?", after).Order("learner_id").Limit(limit).Find(&rows).Error
	return rows, err
}

// LearnerOf loads a learner with their unit (ErrNotFound: no such learner).
func (s *Store) LearnerOf(ctx context.Context, id int64) (*LearnerRow, error) {
	var r LearnerRow
	err := s.conn(ctx).Table("learners").Joins("JOIN units ON units.id = learners.unit_id").
		Select("learners.id, learners.account_id, learners.unit_id, units.path AS unit_path, units.name AS unit_name, learners.name, learners.track, learners.status").
		Where("learners.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// ExemptionRow is an exemption with its learner's name and unit.
type ExemptionRow struct {
	Exemption
	LearnerName string
	UnitID      int64
	UnitName    string
}

func (s *Store) exemptions(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("campaign_exemptions").
		Select("campaign_exemptions.*, learners.name AS learner_name, learners.unit_id, units.name AS unit_name").
		Joins("JOIN learners ON learners.id = campaign_exemptions.learner_id").
		Joins("JOIN units ON units.id = learners.unit_id")
}

// ExemptionPage lists a campaign's exemptions of learners under path, ascending by learner id.
func (s *Store) ExemptionPage(ctx context.Context, campaignID int64, path string, offset, limit int) ([]ExemptionRow, int64, error) {
	q := s.exemptions(ctx).Where("campaign_exemptions.campaign_id = ? AND units.path LIKE ?", campaignID, path+"%")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []ExemptionRow
	err := q.Order("campaign_exemptions.learner_id").Offset(offset).Limit(limit).Find(&rows).Error
	return rows, total, err
}

// ExemptionOf loads one exemption (ErrNotFound: the learner is not exempt).
func (s *Store) ExemptionOf(ctx context.Context, campaignID, learnerID int64) (*ExemptionRow, error) {
	var r ExemptionRow
	err := s.exemptions(ctx).Where("campaign_exemptions.campaign_id = ? AND campaign_exemptions.learner_id = ?", campaignID, learnerID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// SaveExemption inserts an exemption, or changes the reason of an existing one (its creator
// and time stay those of the first grant).
func (s *Store) SaveExemption(ctx context.Context, e *Exemption) error {
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "learner_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason"}),
	}).Create(e).Error
}

// DeleteExemption removes an exemption and reports whether there was one.
func (s *Store) DeleteExemption(ctx context.Context, campaignID, learnerID int64) (bool, error) {
	res := s.conn(ctx).Where("campaign_id = ? AND learner_id = ?", campaignID, learnerID).Delete(&Exemption{})
	return res.RowsAffected > 0, res.Error
}
