package yearend

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// The reads of the unit reports and the 学法档案. They read the unit tree, learners and
// certificates directly (read-only joins, like the dashboards do), so a report is a handful of
// queries however many learners it covers.

// reportUnit loads one unit.
func (s *Store) reportUnit(ctx context.Context, id int64) (unitRef, error) {
	var u unitRef
	err := s.conn(ctx).Table("units").Select("id, path, name").Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, ErrNotFound
	}
	return u, err
}

// childUnits lists a unit's direct sub-units.
func (s *Store) childUnits(ctx context.Context, unitID int64) ([]unitRef, error) {
	out := []unitRef{}
	err := s.conn(ctx).Table("units").Select("id, path, name").Where("parent_id = ?", unitID).Order("id").Find(&out).Error
	return out, err
}

// subtreeUnitNames maps the ids of the units under (and including) the unit at path to their names.
func (s *Store) subtreeUnitNames(ctx context.Context, path string) (map[int64]string, error) {
	var rows []unitRef
	if err := s.conn(ctx).Table("units").Select("id, name").Where("path LIKE ?", path+"%").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, u := range rows {
		out[u.ID] = u.Name
	}
	return out, nil
}

// unitNames maps unit ids to their names (units deleted since are left out).
func (s *Store) unitNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []unitRef
	if err := s.conn(ctx).Table("units").Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, u := range rows {
		out[u.ID] = u.Name
	}
	return out, nil
}

// closeNumbered loads a campaign's close by number.
func (s *Store) closeNumbered(ctx context.Context, campaignID int64, closeNo int) (*Close, error) {
	var c Close
	err := s.conn(ctx).Where("campaign_id = ? AND close_no = ?", campaignID, closeNo).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &c, err
}

// RecordRow is one year of a learner's 学法档案: their frozen result in the latest done close of
// a campaign, with the campaign, the close and the certificate issued for it (if any).
type RecordRow struct {
	Result             `gorm:"embedded"`
	CampaignName       string
	StartDate          string
	EndDate            string
	ClosedAt           *time.Time
	UnitName           string
	CertificateCode    *string
	CertificateRevoked *time.Time
}

// laterDone excludes a done close that a later done close of its campaign supersedes: a close
// stays done only until its campaign is reopened, so this only guards the rule.
const laterDone = "NOT EXISTS (SELECT 1 FROM campaign_closes later WHERE later.campaign_id = campaign_closes.campaign_id " +
	"AND later.state = 'done' AND later.close_no > campaign_closes.close_no)"

// recordSelect reads year results of each campaign's standing close (its latest done one) with
// their campaign, close, unit and certificate.
func (s *Store) recordSelect(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("year_results").
		Select("year_results.*, campaigns.name AS campaign_name, campaigns.start_date, campaigns.end_date, " +
			"campaign_closes.finished_at AS closed_at, COALESCE(units.name, '') AS unit_name, " +
			"certificates.code AS certificate_code, certificates.revoked_at AS certificate_revoked").
		Joins("JOIN campaign_closes ON campaign_closes.campaign_id = year_results.campaign_id " +
			"AND campaign_closes.close_no = year_results.close_no AND campaign_closes.state = 'done' AND " + laterDone).
		Joins("JOIN campaigns ON campaigns.id = year_results.campaign_id").
		Joins("LEFT JOIN units ON units.id = year_results.unit_id").
		Joins("LEFT JOIN certificates ON certificates.campaign_id = year_results.campaign_id " +
			"AND certificates.close_no = year_results.close_no AND certificates.learner_id = year_results.learner_id")
}

// learnerRecord lists a learner's frozen results, newest campaign first.
func (s *Store) learnerRecord(ctx context.Context, learnerID int64) ([]RecordRow, error) {
	out := []RecordRow{}
	err := s.recordSelect(ctx).Where("year_results.learner_id = ?", learnerID).
		Order("campaigns.start_date DESC, campaigns.id DESC").Find(&out).Error
	return out, err
}

// archiveClose is a done close whose snapshot holds results of a unit's subtree.
type archiveClose struct {
	CampaignID int64
	CloseNo    int
}

// archiveCloses lists the done closes, newest campaign first.
func (s *Store) archiveCloses(ctx context.Context) ([]archiveClose, error) {
	out := []archiveClose{}
	err := s.conn(ctx).Table("campaign_closes").Select("campaign_closes.campaign_id, campaign_closes.close_no").
		Joins("JOIN campaigns ON campaigns.id = campaign_closes.campaign_id").
		Where("campaign_closes.state = 'done' AND " + laterDone).Order("campaigns.start_date DESC, campaigns.id DESC").Find(&out).Error
	return out, err
}

// archiveCursor is where an archive page starts: after this unit path and learner id.
type archiveCursor struct {
	UnitPath  string
	LearnerID int64
}

// archivePage is up to limit results of a close recorded in the subtree at path (as it was at the
// close), after the cursor in (unit path, learner id) order: keyset pages along the
// (campaign_id, close_no, unit_path) index (whose entries end with the learner id), so an export
// of a county's years streams in flat memory and lists each unit's learners together.
func (s *Store) archivePage(ctx context.Context, c archiveClose, path string, after archiveCursor, limit int) ([]RecordRow, error) {
	out := []RecordRow{}
	q := s.recordSelect(ctx).
		Where("year_results.campaign_id = ? AND year_results.close_no = ? AND year_results.unit_path LIKE ?", c.CampaignID, c.CloseNo, path+"%")
	if after.UnitPath != "" {
		// The first condition alone bounds the index range; the second skips what was read.
		q = q.Where("year_results.unit_path >= ? AND (year_results.unit_path > ? OR year_results.learner_id > ?)",
			after.UnitPath, after.UnitPath, after.LearnerID)
	}
	err := q.Order("year_results.unit_path, year_results.learner_id").Limit(limit).Find(&out).Error
	return out, err
}
