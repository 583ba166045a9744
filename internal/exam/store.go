package exam

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// ErrNotFound is returned when no row matches.
var ErrNotFound = errors.New("exam row not found")

// ErrDuplicate is returned when an insert hits a unique key (a raced attempt start).
var ErrDuplicate = errors.New("exam row already exists")

// Store is the only place that queries exam tables. It reads question, learner, unit and
// credit-summary rows (read-only) to draw papers, place learners and check prerequisites.
type Store struct {
	db *gorm.DB
}

// NewStore builds a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) conn(ctx context.Context) *gorm.DB { return database.Conn(ctx, s.db) }

func take[T any](q *gorm.DB) (*T, error) { return database.Take[T](q, ErrNotFound) }

// Row is an exam with its owning unit's path.
type Row struct {
	Exam
	UnitPath string
}

func (s *Store) withUnit(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("exams").Select("exams.*, units.path AS unit_path").
		Joins("JOIN units ON units.id = exams.unit_id")
}

// CreateExam inserts an exam and its sections.
func (s *Store) CreateExam(ctx context.Context, e *Exam, sections []Section) error {
	if err := s.conn(ctx).Create(e).Error; err != nil {
		return err
	}
	return s.insertSections(ctx, e.ID, sections)
}

// ReplaceExam saves every column of an exam (e.RowVersion included: the caller sets the next
// revision of the row it locked) and replaces its sections.
func (s *Store) ReplaceExam(ctx context.Context, e *Exam, sections []Section) error {
	if err := s.conn(ctx).Select("*").Omit("id", "created_at", "created_by").Save(e).Error; err != nil {
		return err
	}
	if err := s.conn(ctx).Where("exam_id = ?", e.ID).Delete(&Section{}).Error; err != nil {
		return err
	}
	return s.insertSections(ctx, e.ID, sections)
}

func (s *Store) insertSections(ctx context.Context, examID int64, sections []Section) error {
	if len(sections) == 0 {
		return nil
	}
	for i := range sections {
		sections[i].ID, sections[i].ExamID = 0, examID
	}
	return s.conn(ctx).Create(&sections).Error
}

// CountMakeups counts the make-up exams that name an exam as their main exam.
func (s *Store) CountMakeups(ctx context.Context, mainID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Exam{}).Where("main_exam_id = ?", mainID).Count(&n).Error
	return n, err
}

// DeleteExam removes an exam and its blueprint sections (a draft: it has no attempts).
func (s *Store) DeleteExam(ctx context.Context, id int64) error {
	if err := s.conn(ctx).Where("exam_id = ?", id).Delete(&Section{}).Error; err != nil {
		return err
	}
	return s.conn(ctx).Delete(&Exam{}, id).Error
}

// GetExam loads an exam with its unit path.
func (s *Store) GetExam(ctx context.Context, id int64) (*Row, error) {
	return take[Row](s.withUnit(ctx).Where("exams.id = ?", id))
}

// LockExam loads an exam row and locks it until the transaction ends (MySQL).
func (s *Store) LockExam(ctx context.Context, id int64) (*Exam, error) {
	return take[Exam](s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id))
}

// SetStatus changes an exam's status (a new revision).
func (s *Store) SetStatus(ctx context.Context, id int64, st Status, at time.Time) error {
	return s.conn(ctx).Model(&Exam{}).Where("id = ?", id).Updates(database.NextRevision(map[string]any{"status": st, "updated_at": at})).Error
}

// ListFilter narrows an admin listing.
type ListFilter struct {
	UnitPath   string
	CampaignID int64
	Status     Status
}

// ListExams lists exams owned in a subtree, newest first.
func (s *Store) ListExams(ctx context.Context, f ListFilter, offset, limit int) ([]Row, int64, error) {
	q := s.withUnit(ctx).Where("units.path LIKE ?", f.UnitPath+"%")
	if f.CampaignID > 0 {
		q = q.Where("exams.campaign_id = ?", f.CampaignID)
	}
	if f.Status != "" {
		q = q.Where("exams.status = ?", f.Status)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out := []Row{}
	err := q.Order("exams.opens_at DESC, exams.id DESC").Offset(offset).Limit(limit).Scan(&out).Error
	return out, total, err
}

// VisibleExams lists the published and closed exams owned by units at the given paths.
func (s *Store) VisibleExams(ctx context.Context, unitPaths []string) ([]Row, error) {
	out := []Row{}
	if len(unitPaths) == 0 {
		return out, nil
	}
	err := s.withUnit(ctx).Where("units.path IN ? AND exams.status IN ?", unitPaths, []Status{StatusPublished, StatusClosed}).
		Order("exams.opens_at, exams.id").Scan(&out).Error
	return out, err
}

// Sections returns an exam's sections (every track), in track and position order.
func (s *Store) Sections(ctx context.Context, examID int64) ([]Section, error) {
	out := []Section{}
	err := s.conn(ctx).Where("exam_id = ?", examID).Order("track, position").Find(&out).Error
	return out, err
}

// TrackSections returns the sections of one track's blueprint.
func (s *Store) TrackSections(ctx context.Context, examID int64, track string) ([]Section, error) {
	out := []Section{}
	err := s.conn(ctx).Where("exam_id = ? AND track = ?", examID, track).Order("position").Find(&out).Error
	return out, err
}

// UnitPaths returns the paths of units by id.
func (s *Store) UnitPaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Path string
	}
	err := s.conn(ctx).Table("units").Select("id, path").Where("id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.Path
	}
	return out, err
}

// CampaignPath returns the path of a campaign's organiser unit.
func (s *Store) CampaignPath(ctx context.Context, campaignID int64) (string, error) {
	var path string
	err := s.conn(ctx).Table("campaigns").Select("units.path").Joins("JOIN units ON units.id = campaigns.unit_id").
		Where("campaigns.id = ?", campaignID).Scan(&path).Error
	if err == nil && path == "" {
		return "", ErrNotFound
	}
	return path, err
}

// BankPath returns the path of a question bank's owning unit.
func (s *Store) BankPath(ctx context.Context, bankID int64) (string, error) {
	var path string
	err := s.conn(ctx).Table("question_banks").Select("units.path").Joins("JOIN units ON units.id = question_banks.unit_id").
		Where("question_banks.id = ?", bankID).Scan(&path).Error
	if err == nil && path == "" {
		return "", ErrNotFound
	}
	return path, err
}

// Pool says where a section draws from.
type Pool struct {
	BankIDs       []int64 // the section's bank, or every bank visible from the exam's unit
	Tag           string
	Type          string
	DifficultyMin int
	DifficultyMax int
}

// Pick is a question a paper may serve, at its current published version.
type Pick struct {
	QuestionID int64
	Version    int
	Type       string
}

const published = "published"

func (s *Store) pool(ctx context.Context, p Pool) *gorm.DB {
	q := s.conn(ctx).Table("questions").Where("bank_id IN ? AND status = ? AND type = ? AND difficulty BETWEEN ? AND ?",
		p.BankIDs, published, p.Type, p.DifficultyMin, p.DifficultyMax)
	if p.Tag != "" {
		q = q.Where("tags LIKE ?", "%,"+p.Tag+",%")
	}
	return q
}

// CountPool counts the published questions a section could draw.
func (s *Store) CountPool(ctx context.Context, p Pool) (int64, error) {
	var n int64
	if len(p.BankIDs) == 0 {
		return 0, nil
	}
	err := s.pool(ctx, p).Count(&n).Error
	return n, err
}

// PoolQuestions lists every published question a section could draw (ids only: the pick is
// made in Go, so no ORDER BY RAND() sorts the pool).
func (s *Store) PoolQuestions(ctx context.Context, p Pool) ([]Pick, error) {
	out := []Pick{}
	if len(p.BankIDs) == 0 {
		return out, nil
	}
	err := s.pool(ctx, p).Select("id AS question_id, version, type").Scan(&out).Error
	return out, err
}

// FixedQuestions returns the published questions among ids.
func (s *Store) FixedQuestions(ctx context.Context, ids []int64) ([]Pick, error) {
	out := []Pick{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Table("questions").Select("id AS question_id, version, type").
		Where("id IN ? AND status = ?", ids, published).Scan(&out).Error
	return out, err
}

// FixedQuestionBanks returns the bank of each question among ids.
func (s *Store) FixedQuestionBanks(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	var rows []struct{ ID, BankID int64 }
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Table("questions").Select("id, bank_id").Where("id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.BankID
	}
	return out, err
}

// BanksUnder returns the ids of the banks owned by units at the given paths.
func (s *Store) BanksUnder(ctx context.Context, unitPaths []string) ([]int64, error) {
	out := []int64{}
	err := s.conn(ctx).Table("question_banks").Select("question_banks.id").
		Joins("JOIN units ON units.id = question_banks.unit_id").Where("units.path IN ?", unitPaths).Scan(&out).Error
	return out, err
}

// OptionCounts returns how many options each question version has.
func (s *Store) OptionCounts(ctx context.Context, picks []Pick) (map[Pick]int, error) {
	out := map[Pick]int{}
	if len(picks) == 0 {
		return out, nil
	}
	ids := make([]int64, len(picks))
	want := map[[2]int64]bool{}
	for i, p := range picks {
		ids[i] = p.QuestionID
		want[[2]int64{p.QuestionID, int64(p.Version)}] = true
	}
	var rows []struct {
		QuestionID int64
		Version    int
		Type       string
		Options    string
	}
	err := s.conn(ctx).Table("question_versions").Select("question_id, version, type, options").
		Where("question_id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		if want[[2]int64{r.QuestionID, int64(r.Version)}] {
			out[Pick{QuestionID: r.QuestionID, Version: r.Version, Type: r.Type}] = countOptions(r.Options)
		}
	}
	return out, err
}

// countOptions counts the strings of a JSON array of option texts without decoding them.
func countOptions(raw string) int {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "[]" {
		return 0
	}
	n, inString, escaped := 1, false, false
	for _, r := range raw {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case r == ',' && !inString:
			n++
		}
	}
	return n
}

// LearnerFacts are what exams need to know about a learner.
type LearnerFacts struct {
	LearnerID int64
	AccountID int64
	Name      string
	UnitID    int64
	UnitPath  string
	Track     string
	Status    string
}

// LearnerByAccount finds the learner behind an account.
func (s *Store) LearnerByAccount(ctx context.Context, accountID int64) (*LearnerFacts, error) {
	return take[LearnerFacts](s.conn(ctx).Table("learners").
		Select("learners.id AS learner_id, learners.account_id, learners.name, learners.unit_id, units.path AS unit_path, learners.track, learners.status").
		Joins("JOIN units ON units.id = learners.unit_id").Where("learners.account_id = ?", accountID))
}

// CreditTotal is a learner's credit total in a campaign (from the summary row).
func (s *Store) CreditTotal(ctx context.Context, learnerID, campaignID int64) (credit.Amount, error) {
	var total credit.Amount
	err := s.conn(ctx).Table("credit_summaries").Select("COALESCE(SUM(total), 0)").
		Where("learner_id = ? AND campaign_id = ?", learnerID, campaignID).Scan(&total).Error
	return total, err
}
