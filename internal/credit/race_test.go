package credit_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/database"
)

// An award inside a transaction that read before a concurrent learner move committed (a
// practice answer, an exam grading: on MariaDB their snapshot predates the move) still files
// the learner's first summary in the campaign under the new unit and track.
func TestAwardRacingLearnerMove(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if database.Dialect(e.DB) != database.MySQL {
			t.Skip("SQLite's one connection cannot interleave the move inside the award's transaction")
		}
		campaignID, _ := demo(t, e)
		admin := e.Token("admin")
		var learners []struct {
			ID     int64
			UnitID int64
			Track  string
		}
		require.NoError(t, e.DB.Table("learners").Select("id, unit_id, track").Order("id").Limit(8).Scan(&learners).Error)
		require.Len(t, learners, 8)
		linxi, huayang := e.UnitID("linxi"), e.UnitID("huayang")
		for i, l := range learners {
			unitID, track := linxi, "judicial"
			if l.UnitID == linxi {
				unitID = huayang
			}
			if l.Track == track {
				track = "general"
			}
			award := credit.Award{LearnerID: l.ID, CampaignID: campaignID, Source: credit.SourceExam,
				SourceID: fmt.Sprintf("exam:%d", i), Amount: credit.Credits(1, 0)}
			var moved int
			err := database.WithTx(t.Context(), e.DB, func(ctx context.Context) error {
				var n int64 // the caller's first read starts its snapshot
				if err := database.Conn(ctx, e.DB).Table("learners").Where("id = ?", l.ID).Count(&n).Error; err != nil {
					return err
				}
				moved = e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", l.ID), admin,
					map[string]any{"unit_id": unitID, "track": track}).Status
				var err error
				if i%2 == 0 {
					_, err = e.App.Credits.Award(ctx, award)
				} else {
					_, err = e.App.Credits.AwardMany(ctx, []credit.Award{award})
				}
				return err
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, moved)
			s := summary(t, e, l.ID, campaignID)
			assert.Equal(t, unitID, s.UnitID, "learner %d: summary left in the unit they moved out of", l.ID)
			assert.Equal(t, track, s.Track, "learner %d", l.ID)
			assert.Equal(t, credit.Credits(1, 0), s.Total)
		}
	})
}
