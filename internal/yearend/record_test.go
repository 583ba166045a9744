package yearend_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/yearend"
)

// demoLearner is a seeded learner with their unit.
type demoLearner struct {
	ID       int64
	Name     string
	UnitID   int64
	UnitPath string
	Track    string
}

// demoLearners maps the seeded learners' names to them.
func demoLearners(t *testing.T, e *apitest.Env) map[string]demoLearner {
	t.Helper()
	var rows []demoLearner
	require.NoError(t, e.DB.Table("learners").Select("learners.id, learners.name, learners.unit_id, units.path AS unit_path, learners.track").
		Joins("JOIN units ON units.id = learners.unit_id").Scan(&rows).Error)
	out := map[string]demoLearner{}
	for _, l := range rows {
		out[l.Name] = l
	}
	require.Contains(t, out, "张伟")
	require.Contains(t, out, "刘洋")
	return out
}

// demoCampaign is the seeded county campaign.
func demoCampaign(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Where("name = ?", "第九个机关集中学法月").Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// frozenResult is a snapshot row of a learner: credits and 年度成绩 in whole numbers, an exam
// score out of 100 (negative: not sat).
func frozenResult(l demoLearner, credits, score int64, exam float64, status yearend.Status) yearend.Result {
	r := yearend.Result{LearnerID: l.ID, UnitID: l.UnitID, UnitPath: l.UnitPath, LearnerName: l.Name, Track: l.Track,
		Target: credit.Credits(30, 0), Credits: credit.Credits(credits, 0), Study: credit.Credits(credits, 0),
		Score: credit.Credits(score, 0), Status: status, Met: status == yearend.StatusMet, Exempt: status == yearend.StatusExempt,
		EventsAttended: 1}
	if exam >= 0 {
		id, max, passed := int64(1), 100.0, exam >= 60
		r.ExamID, r.ExamScore, r.ExamMaxScore, r.ExamPassed = &id, &exam, &max, &passed
	}
	return r
}

// freeze writes a close of a campaign in the given state with its snapshot rows, as the
// close-out would (the record and reports only read them).
func freeze(t *testing.T, e *apitest.Env, campaignID int64, closeNo int, state yearend.CloseState, formula string, results ...yearend.Result) time.Time {
	t.Helper()
	finished := e.Clock.Now().Add(-time.Duration(10-closeNo) * time.Hour).UTC().Truncate(time.Second)
	require.NoError(t, e.DB.Create(&yearend.Close{CampaignID: campaignID, CloseNo: closeNo, State: state, Learners: len(results),
		Formula: formula, StartedAt: finished.Add(-time.Minute), FinishedAt: &finished}).Error)
	for i := range results {
		results[i].CampaignID, results[i].CloseNo, results[i].CreatedAt = campaignID, closeNo, finished
	}
	if len(results) > 0 {
		require.NoError(t, e.DB.Create(&results).Error)
	}
	return finished
}

// certify issues a certificate row for a learner's result (the certificate package signs real
// ones; the record only shows the code and whether it was revoked).
func certify(t *testing.T, e *apitest.Env, campaignID int64, closeNo int, learnerID int64, code string, revoked bool) {
	t.Helper()
	row := map[string]any{"code": code, "campaign_id": campaignID, "close_no": closeNo, "learner_id": learnerID, "key_id": "k1",
		"payload": "{}", "signature": "c2ln", "issued_at": e.Clock.Now()}
	if revoked {
		row["revoked_at"], row["revoke_reason"] = e.Clock.Now(), "成绩更正"
	}
	require.NoError(t, e.DB.Table("certificates").Create(row).Error)
}

// createCampaign creates a (draft) campaign of a unit through the API and returns its id.
func createCampaign(t *testing.T, e *apitest.Env, token string, unitID int64, name, start, end string) int64 {
	t.Helper()
	resp := e.Call(http.MethodPost, "/api/v1/campaigns", token, map[string]any{"unit_id": unitID, "name": name, "start_date": start,
		"end_date": end, "targets": map[string]any{"leader": 10, "general": 10, "judicial": 10}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return int64(resp.Map(t)["id"].(float64))
}

const creditsOnly = `{"exam_weight":0,"exam_id":null,"pass_score":100,"exempt_target_percent":50}`

// recordFixture: the county campaign closed (close 1 done), a 2025 campaign closed, and a
// third campaign reopened after its close (not part of the record).
type recordFixture struct {
	county, older, reopened int64
	learners                map[string]demoLearner
}

func seedRecords(t *testing.T, e *apitest.Env) recordFixture {
	t.Helper()
	f := recordFixture{county: demoCampaign(t, e), learners: demoLearners(t, e)}
	admin := e.Token("admin")
	f.older = createCampaign(t, e, admin, e.UnitID("jixi"), "第八个机关集中学法月", "2025-11-01", "2025-11-30")
	f.reopened = createCampaign(t, e, admin, e.UnitID("jixi"), "2027 年度春季学法", "2027-03-01", "2027-03-31")
	zw, wf := f.learners["张伟"], f.learners["王芳"]
	freeze(t, e, f.county, 1, yearend.CloseDone, creditsOnly,
		frozenResult(zw, 32, 100, 88, yearend.StatusMet), frozenResult(wf, 12, 40, -1, yearend.StatusNotMet))
	freeze(t, e, f.older, 1, yearend.CloseDone, creditsOnly, frozenResult(zw, 20, 66, 59, yearend.StatusNotMet))
	freeze(t, e, f.reopened, 1, yearend.CloseReopened, creditsOnly, frozenResult(zw, 5, 50, -1, yearend.StatusNotMet))
	certify(t, e, f.county, 1, zw.ID, "7K3M9Q2XH4TZ8B1R", false)
	certify(t, e, f.reopened, 1, zw.ID, "ABCDEFGHJKMNPQRS", true)
	return f
}

func TestLearnerRecord(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seedRecords(t, e)
		zw := f.learners["张伟"]
		path := fmt.Sprintf("/api/v1/learners/%d/record", zw.ID)

		resp := e.Call(http.MethodGet, path, e.Token("huayang-admin"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var rec yearend.RecordView
		resp.JSON(t, &rec)
		assert.Equal(t, "张伟", rec.LearnerName)
		require.Len(t, rec.Items, 2, "two closed campaigns; the reopened one is not in the record")
		assert.EqualValues(t, 2, rec.Total)
		now, old := rec.Items[0], rec.Items[1]
		assert.Equal(t, f.county, now.CampaignID, "newest first")
		assert.Equal(t, f.older, old.CampaignID)
		assert.Equal(t, 2025, old.Year)
		assert.Equal(t, credit.Credits(32, 0), now.Credits)
		assert.Equal(t, credit.Credits(100, 0), now.Score)
		assert.Equal(t, yearend.StatusMet, now.Status)
		assert.Equal(t, "达标", now.StatusLabel)
		assert.Equal(t, "华阳镇", now.UnitName)
		require.NotNil(t, now.ExamScore)
		assert.Equal(t, 88.0, *now.ExamScore)
		require.NotNil(t, now.ClosedAt)
		require.NotNil(t, now.Certificate)
		assert.Equal(t, "7K3M9Q2XH4TZ8B1R", now.Certificate.Code)
		assert.False(t, now.Certificate.Revoked)
		assert.Nil(t, old.Certificate, "no certificate for a year not met")
		assert.Equal(t, yearend.StatusNotMet, old.Status)

		// Who may read it: admins whose subtree holds the learner; nobody else.
		cases := []struct {
			name, user string
			status     int
			code       string
		}{
			{"county admin", "admin", http.StatusOK, ""},
			{"another township", "linxi-admin", http.StatusNotFound, "learner.not_found"},
			{"a learner", "13800000001", http.StatusForbidden, ""},
			{"the lecturer", "lecturer-wang", http.StatusForbidden, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.Call(http.MethodGet, path, e.Token(c.user), nil)
				assert.Equal(t, c.status, r.Status, "%s", r.Body)
				if c.code != "" {
					assert.Equal(t, c.code, r.ErrorCode())
				}
			})
		}
		unknown := e.Call(http.MethodGet, "/api/v1/learners/999999/record", e.Token("admin"), nil)
		assert.Equal(t, http.StatusNotFound, unknown.Status)
		assert.Equal(t, "learner.not_found", unknown.ErrorCode(), "unknown and foreign learners answer alike")
		assert.Equal(t, http.StatusBadRequest, e.Call(http.MethodGet, "/api/v1/learners/abc/record", e.Token("admin"), nil).Status)
	})
}

func TestMyRecord(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seedRecords(t, e)
		resp := e.Call(http.MethodGet, "/api/v1/me/record", e.Token("13800000001"), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var rec yearend.RecordView
		resp.JSON(t, &rec)
		assert.Equal(t, f.learners["张伟"].ID, rec.LearnerID)
		require.Len(t, rec.Items, 2)
		assert.Equal(t, "7K3M9Q2XH4TZ8B1R", rec.Items[0].Certificate.Code)

		// A learner without closed results has an empty record, not an error.
		empty := e.Call(http.MethodGet, "/api/v1/me/record", e.Token("13800000004"), nil)
		require.Equal(t, http.StatusOK, empty.Status)
		assert.EqualValues(t, 0, empty.Map(t)["total"])
		assert.Equal(t, []any{}, empty.Map(t)["items"])

		// A revoked certificate shows as revoked once its campaign's close stands.
		require.NoError(t, e.DB.Model(&yearend.Close{}).Where("campaign_id = ?", f.reopened).Update("state", yearend.CloseDone).Error)
		var again yearend.RecordView
		e.Call(http.MethodGet, "/api/v1/me/record", e.Token("13800000001"), nil).JSON(t, &again)
		require.Len(t, again.Items, 3)
		assert.Equal(t, f.reopened, again.Items[0].CampaignID, "2027 is the newest")
		require.NotNil(t, again.Items[0].Certificate)
		assert.True(t, again.Items[0].Certificate.Revoked)
		assert.NotNil(t, again.Items[0].Certificate.RevokedAt)

		assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/me/record", e.Token("admin"), nil).Status)
	})
}

// sheetRows reads the first sheet of an xlsx answer.
func sheetRows(t *testing.T, resp *apitest.Response) [][]string {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
	book, err := excelize.OpenReader(bytes.NewReader(resp.Body))
	require.NoError(t, err)
	rows, err := book.GetRows(book.GetSheetList()[0])
	require.NoError(t, err)
	return rows
}

// tableOf is the rows from the table's header row (the first row starting with want) on.
func tableOf(t *testing.T, rows [][]string, want string) (header []string, data [][]string) {
	t.Helper()
	for i, r := range rows {
		if len(r) > 0 && r[0] == want {
			return r, rows[i+1:]
		}
	}
	t.Fatalf("no table header starting with %q in %v", want, rows)
	return nil, nil
}

func TestUnitRecordExport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seedRecords(t, e)
		// A 临溪镇 learner's year, which 华阳镇's archive must not show.
		require.NoError(t, e.DB.Create(&[]yearend.Result{func() yearend.Result {
			r := frozenResult(f.learners["刘洋"], 50, 100, 90, yearend.StatusMet)
			r.CampaignID, r.CloseNo, r.CreatedAt = f.county, 1, e.Clock.Now()
			return r
		}()}).Error)
		path := fmt.Sprintf("/api/v1/units/%d/record/export", e.UnitID("huayang"))

		rows := sheetRows(t, e.Call(http.MethodGet, path, e.Token("huayang-admin"), nil))
		assert.Equal(t, "华阳镇学法档案", rows[0][0], "the title")
		assert.Contains(t, rows[1][0], "华阳镇")
		header, data := tableOf(t, rows, "年度")
		assert.Contains(t, header, "证书编号")
		require.Len(t, data, 3, "张伟 and 王芳 this year, 张伟 in 2025; not 临溪镇, not the reopened campaign")
		year := func(r []string) string { return r[0] }
		assert.Equal(t, []string{"张伟", "王芳"}, []string{data[0][2], data[1][2]}, "this year's first, by unit then learner")
		assert.Equal(t, "2025", year(data[2]))
		assert.Equal(t, "第八个机关集中学法月", data[2][1])
		assert.Contains(t, data[0], "7K3M9Q2XH4TZ8B1R")
		assert.Contains(t, data[0], "有效")
		assert.Contains(t, data[0], "达标")

		county := sheetRows(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/record/export", e.UnitID("jixi")), e.Token("admin"), nil))
		_, all := tableOf(t, county, "年度")
		assert.Len(t, all, 4, "the county's archive holds 临溪镇 too")

		for _, c := range []struct {
			user   string
			unit   int64
			status int
		}{
			{"linxi-admin", e.UnitID("huayang"), http.StatusNotFound},
			{"huayang-admin", e.UnitID("jixi"), http.StatusNotFound},
			{"admin", 999999, http.StatusNotFound},
			{"13800000001", e.UnitID("huayang"), http.StatusForbidden},
		} {
			r := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/units/%d/record/export", c.unit), e.Token(c.user), nil)
			assert.Equal(t, c.status, r.Status, "%s unit %d: %s", c.user, c.unit, r.Body)
		}
	})
}
