package certificate_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/certificate"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/yearend"
)

// demoCampaign is the id of the seeded campaign.
func demoCampaign(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("MIN(id)").Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// result builds the close's result of a demo learner (by name), as the close-out hands it over.
func result(t *testing.T, e *apitest.Env, campaignID int64, closeNo int, name string, score credit.Amount, status yearend.Status) yearend.Result {
	t.Helper()
	var l struct {
		ID     int64
		UnitID int64
		Path   string
		Track  string
	}
	require.NoError(t, e.DB.Table("learners").Select("learners.id, learners.unit_id, units.path, learners.track").
		Joins("JOIN units ON units.id = learners.unit_id").Where("learners.name = ?", name).Take(&l).Error)
	return yearend.Result{CampaignID: campaignID, CloseNo: closeNo, LearnerID: l.ID, UnitID: l.UnitID, UnitPath: l.Path,
		LearnerName: name, Track: l.Track, Score: score, Status: status, Met: status == yearend.StatusMet || status == yearend.StatusExempt,
		Exempt: status == yearend.StatusExempt}
}

func certificatesOf(t *testing.T, e *apitest.Env, campaignID int64) []certificate.Certificate {
	t.Helper()
	var rows []certificate.Certificate
	require.NoError(t, e.DB.Where("campaign_id = ?", campaignID).Order("close_no, learner_id").Find(&rows).Error)
	return rows
}

func statementOf(t *testing.T, c certificate.Certificate) certificate.Statement {
	t.Helper()
	var st certificate.Statement
	require.NoError(t, json.Unmarshal([]byte(c.Payload), &st))
	return st
}

// Issue signs a certificate for each learner who met the target, stating the masked name,
// unit, campaign, band and status, and nothing for the others.
func TestIssueSignsTheMetResults(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		cid := demoCampaign(t, e)
		results := []yearend.Result{
			result(t, e, cid, 1, "张伟", credit.Credits(95, 0), yearend.StatusMet),
			result(t, e, cid, 1, "王芳", credit.Credits(85, 50), yearend.StatusMet),
			result(t, e, cid, 1, "李娜", credit.Credits(40, 0), yearend.StatusNotMet),
			result(t, e, cid, 1, "刘洋", credit.Credits(62, 0), yearend.StatusExempt),
			result(t, e, cid, 1, "陈静", 0, yearend.StatusAbsent),
		}
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 1, results))

		rows := certificatesOf(t, e, cid)
		require.Len(t, rows, 3, "张伟, 王芳 and the exempt 刘洋 met; 李娜 and 陈静 did not")
		byName := map[string]certificate.Statement{}
		for _, r := range rows {
			st := statementOf(t, r)
			byName[st.Name] = st
			assert.Equal(t, r.Code, st.Code)
			assert.Equal(t, "c1", r.KeyID)
			assert.Equal(t, 1, r.CloseNo)
			assert.Nil(t, r.RevokedAt)
			assert.NotContains(t, r.Payload, "张伟", "the name is masked")
			pub := e.App.Certificates.PublicKeys()[0]
			assert.True(t, verifies(t, pub.Key, r.Payload, r.Signature), "signature of %s", r.Code)
		}
		zw := byName["张*"]
		assert.Equal(t, "华阳镇", zw.Unit)
		assert.Equal(t, "绩溪县", zw.Issuer)
		assert.Equal(t, "第九个机关集中学法月", zw.Campaign)
		assert.Equal(t, cid, zw.CampaignID)
		assert.Equal(t, certificate.BandExcellent, zw.Band)
		assert.Equal(t, "met", zw.Status)
		assert.Equal(t, "达标", zw.StatusText)
		assert.Equal(t, "2026-11-02", zw.IssuedOn, "the Asia/Shanghai day of the fake clock")
		assert.Equal(t, 2026, zw.Year)
		assert.Equal(t, certificate.BandGood, byName["王*"].Band)
		assert.Equal(t, "临溪镇", byName["刘*"].Unit)
		assert.Equal(t, "exempt", byName["刘*"].Status)
		assert.Equal(t, "达标（免考）", byName["刘*"].StatusText)
		assert.Equal(t, certificate.BandPass, byName["刘*"].Band)

		// A retried page issues nothing twice.
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 1, results))
		again := certificatesOf(t, e, cid)
		require.Len(t, again, 3)
		assert.Equal(t, rows[0].Code, again[0].Code)
	})
}

// A later close (after a reopen) supersedes every certificate of the earlier close, and issues
// new ones to those who meet the target now: a learner whose corrected result no longer meets it
// keeps no valid certificate.
func TestIssueSupersedesEarlierCloses(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		cid := demoCampaign(t, e)
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 1, []yearend.Result{
			result(t, e, cid, 1, "张伟", credit.Credits(95, 0), yearend.StatusMet),
			result(t, e, cid, 1, "王芳", credit.Credits(85, 0), yearend.StatusMet),
		}))
		e.Clock.Advance(48 * time.Hour)
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 2, []yearend.Result{
			result(t, e, cid, 2, "张伟", credit.Credits(91, 0), yearend.StatusMet),
			result(t, e, cid, 2, "王芳", credit.Credits(50, 0), yearend.StatusNotMet),
		}))
		rows := certificatesOf(t, e, cid)
		require.Len(t, rows, 3)
		valid := 0
		for _, r := range rows {
			if r.CloseNo == 1 {
				require.NotNil(t, r.RevokedAt, "close 1's certificate of learner %d", r.LearnerID)
				assert.Equal(t, certificate.ReasonSuperseded, *r.RevokeReason)
				assert.Nil(t, r.RevokedBy, "superseded by the close, not by a person")
				continue
			}
			valid++
			assert.Nil(t, r.RevokedAt)
			assert.Equal(t, "2026-11-04", statementOf(t, r).IssuedOn)
		}
		assert.Equal(t, 1, valid, "only 张伟 meets the target in close 2")

		// A close in which nobody met the target still supersedes (the close calls Issue with
		// no results).
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 3, nil))
		var stillValid int64
		require.NoError(t, e.DB.Model(&certificate.Certificate{}).Where("campaign_id = ? AND revoked_at IS NULL", cid).Count(&stillValid).Error)
		assert.Zero(t, stillValid)
	})
}

// Issue writes in the caller's transaction: when the close's last step fails after issuing,
// no certificate remains, and no earlier one was superseded.
func TestIssueRollsBackWithTheCaller(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		cid := demoCampaign(t, e)
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 1, []yearend.Result{result(t, e, cid, 1, "张伟", credit.Credits(95, 0), yearend.StatusMet)}))
		boom := errors.New("the close failed later")
		wf := result(t, e, cid, 2, "王芳", credit.Credits(95, 0), yearend.StatusMet) // read before: SQLite has one connection
		err := database.WithTx(ctx, e.DB, func(ctx context.Context) error {
			if err := e.App.Certificates.Issue(ctx, cid, 2, []yearend.Result{wf}); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		rows := certificatesOf(t, e, cid)
		require.Len(t, rows, 1)
		assert.Nil(t, rows[0].RevokedAt, "the supersede rolled back too")
	})
}

// A county's close hands over thousands of results: they are inserted in batches, one query per
// kind of fact per page, each learner once even if a page repeats them.
func TestIssueManyInBatches(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		cid := demoCampaign(t, e)
		base := result(t, e, cid, 1, "张伟", credit.Credits(95, 0), yearend.StatusMet)
		results := make([]yearend.Result, 0, 1301)
		for i := range 1300 {
			r := base
			r.LearnerID = 1_000_000 + int64(i) // certificates hold learner ids without a foreign key
			r.LearnerName = "学员"
			results = append(results, r)
		}
		results = append(results, results[7]) // a repeated learner
		queries := countQueries(t, e)
		require.NoError(t, e.App.Certificates.Issue(ctx, cid, 1, results))
		// supersede, campaign, unit names, 3 chunks of "already issued", 3 insert batches
		assert.Len(t, queries(), 9, "no per-learner queries")
		var n, codes int64
		require.NoError(t, e.DB.Model(&certificate.Certificate{}).Where("campaign_id = ?", cid).Count(&n).Error)
		require.NoError(t, e.DB.Model(&certificate.Certificate{}).Where("campaign_id = ?", cid).Distinct("code").Count(&codes).Error)
		assert.EqualValues(t, 1300, n)
		assert.EqualValues(t, 1300, codes)
	})
}

// An Issue for the wrong campaign is a caller's bug, refused before anything is written.
func TestIssueRefusesResultsOfAnotherCampaign(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		cid := demoCampaign(t, e)
		r := result(t, e, cid+1, 1, "张伟", credit.Credits(95, 0), yearend.StatusMet)
		require.Error(t, e.App.Certificates.Issue(context.Background(), cid, 1, []yearend.Result{r}))
		require.Error(t, e.App.Certificates.Issue(context.Background(), cid, 0, nil), "close numbers start at 1")
		assert.Empty(t, certificatesOf(t, e, cid))
	})
}
