package lawreport_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/xuefa/xuefa/internal/apitest"
)

// waitForLockWait returns once a request of this test's schema is inside a statement on
// law_reports, which the test's lock holds up (MySQL), or after a moment (SQLite, where the
// request waits for the one connection instead).
func waitForLockWait(t *testing.T, db *gorm.DB, done <-chan *apitest.Response) {
	t.Helper()
	if db.Dialector.Name() != "mysql" {
		time.Sleep(50 * time.Millisecond)
		return
	}
	for range 500 {
		select {
		case r := <-done:
			t.Fatalf("the request did not wait for the report's lock: %d %s", r.Status, r.Body)
		default:
		}
		var n int64
		require.NoError(t, db.Raw(`SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE()
			AND id <> CONNECTION_ID() AND command = 'Query' AND info LIKE '%law_reports%'`).Scan(&n).Error)
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the request never waited for the report's lock")
}

// A resubmission that read the report before another resubmission and the admin's return
// committed still takes the next revision number, never the other one's. The interleaving is
// forced: the test holds the report's row lock while the learner's PUT starts, then moves the
// report one round on itself (as a resubmission and a return would) before letting go.
func TestReviseRevisionRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		learner, reviewer := e.Token(wangFang), e.Token("huayang-admin")
		rid := seededReport(t, e)
		path := fmt.Sprintf("/api/v1/law-reports/%d", rid)
		returnIt := func() {
			r := e.Call(http.MethodPost, path+"/reviews", reviewer, map[string]any{"decision": "return", "comment": "请补充"})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		}
		revision := func() int {
			var n int
			require.NoError(t, e.DB.Table("law_reports").Select("revision").Where("id = ?", rid).Scan(&n).Error)
			return n
		}
		returnIt()
		for i := range 8 {
			before := revision()
			func() {
				tx := e.DB.Begin()
				require.NoError(t, tx.Error)
				defer tx.Rollback() // after a failed require: else the schema is never dropped
				require.NoError(t, tx.Table("law_reports").Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", rid).
					Select("id").Take(&map[string]any{}).Error)
				done := make(chan *apitest.Response, 1)
				go func() {
					done <- e.Call(http.MethodPut, path, learner, map[string]any{"title": fmt.Sprintf("第 %d 稿", i), "body": "修改稿"})
				}()
				waitForLockWait(t, e.DB, done)
				require.NoError(t, tx.Table("law_reports").Where("id = ?", rid).
					Updates(map[string]any{"revision": before + 1, "status": "returned"}).Error)
				require.NoError(t, tx.Commit().Error)
				resp := <-done
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				assert.EqualValues(t, before+2, resp.Map(t)["revision"], "round %d: two submissions share a revision number", i)
			}()
			assert.Equal(t, before+2, revision())
			returnIt()
		}
	})
}
