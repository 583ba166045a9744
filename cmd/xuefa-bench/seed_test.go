package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/credit"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/config"
	"github.com/xuefa/xuefa/internal/platform/crypto"
	"github.com/xuefa/xuefa/internal/platform/dbtest"
	"github.com/xuefa/xuefa/internal/study"
)

func TestRowsPerLearnerSumsExactly(t *testing.T) {
	for _, tc := range []struct{ learners, total int }{{1, 1}, {2, 100}, {3, 151}, {1000, 50_000}, {999, 50_001}, {10, 10}} {
		rows := rowsPerLearner(rand.New(rand.NewPCG(1, 2)), tc.learners, tc.total)
		sum := 0
		for _, n := range rows {
			require.GreaterOrEqual(t, n, 1)
			sum += n
		}
		require.Equal(t, tc.total, sum, "%+v", tc)
	}
}

// TestSeedIsConsistent seeds a small dataset through the bench's bulk path and checks it is what
// the ledger would have written: every summary equals its learner's ledger sums, every daily
// counter its day's sums within the cap, course progress matches the study minutes, and the app
// reads it (a bench learner logs in by phone and sees their total).
func TestSeedIsConsistent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		cfg, err := config.Load("", func(string) string { return "" })
		require.NoError(t, err)
		a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{DB: db, PasswordParams: auth.FastPasswordParams()})
		require.NoError(t, err)
		sealer, err := crypto.NewSealer(cfg.Crypto.DataKey)
		require.NoError(t, err)
		sqlDB, err := db.DB()
		require.NoError(t, err)
		spec := seedSpec{Learners: 120, Ledger: 6000, ExtraUnits: 30, Batch: 700, Writers: 2, Seed: 7,
			Hasher: auth.NewHasher(auth.FastPasswordParams()), Sealer: sealer}
		res, err := seedDataset(ctx, a, sqlDB, spec, io.Discard)
		require.NoError(t, err)
		require.EqualValues(t, 6000, res.Counts["credit_ledger"])
		require.EqualValues(t, 120, res.Counts["credit_summaries"])
		require.EqualValues(t, 30, res.Counts["units (added)"])

		var campaignID int64
		require.NoError(t, db.Raw("SELECT id FROM campaigns ORDER BY id LIMIT 1").Scan(&campaignID).Error)
		facts, err := a.Campaigns.Facts(ctx, campaignID)
		require.NoError(t, err)

		var entries []credit.Entry
		require.NoError(t, db.Find(&entries).Error)
		require.Len(t, entries, 6000)
		type dayKey struct {
			learner int64
			source  credit.Source
			day     string
		}
		type courseKey struct {
			learner, course int64
		}
		want := map[int64]*credit.Summary{}
		wantDaily := map[dayKey]credit.Amount{}
		minutes := map[courseKey]int{}
		type awardKey struct {
			learner  int64
			source   credit.Source
			sourceID string
		}
		seen := map[awardKey]bool{}
		for _, e := range entries {
			key := awardKey{e.LearnerID, e.Source, e.SourceID}
			require.False(t, seen[key], "duplicate award %+v", e)
			seen[key] = true
			require.Equal(t, campaignID, e.CampaignID)
			require.Equal(t, credit.Day(e.CreatedAt), e.Day, "entry %d: day is its Shanghai date", e.ID)
			require.LessOrEqual(t, e.Amount, e.Requested)
			s := want[e.LearnerID]
			if s == nil {
				s = &credit.Summary{}
				want[e.LearnerID] = s
			}
			s.Total += e.Amount
			addBySource(s, e.Source, e.Amount)
			if e.Amount != 0 && (s.LastActivityAt == nil || e.CreatedAt.After(*s.LastActivityAt)) {
				s.LastActivityAt = new(e.CreatedAt)
			}
			wantDaily[dayKey{e.LearnerID, e.Source, e.Day}] += e.Amount
			var course int64
			var minute int
			if n, _ := fmt.Sscanf(e.SourceID, "course:%d:minute:%d", &course, &minute); n == 2 {
				minutes[courseKey{e.LearnerID, course}]++
			}
		}

		// The dashboard's series: per unit and day, the ledger's sum (no learner moved since).
		var unitDaily []credit.UnitDaily
		require.NoError(t, db.Order("unit_id, day").Find(&unitDaily).Error)
		var ledgerUnitDaily []credit.UnitDaily
		require.NoError(t, db.Raw(`SELECT e.campaign_id, l.unit_id, e.day, SUM(e.amount) AS amount FROM credit_ledger e
			JOIN learners l ON l.id = e.learner_id GROUP BY e.campaign_id, l.unit_id, e.day ORDER BY l.unit_id, e.day`).Scan(&ledgerUnitDaily).Error)
		require.NotEmpty(t, unitDaily)
		require.Equal(t, ledgerUnitDaily, unitDaily)

		var summaries []credit.Summary
		require.NoError(t, db.Find(&summaries).Error)
		require.Len(t, summaries, len(want))
		for _, got := range summaries {
			w := want[got.LearnerID]
			require.NotNil(t, w, "summary without ledger rows: %d", got.LearnerID)
			require.Equal(t, w.Total, got.Total)
			require.Equal(t, w.BySource(), got.BySource())
			require.NotNil(t, got.LastActivityAt)
			require.True(t, w.LastActivityAt.Equal(*got.LastActivityAt), "learner %d last activity", got.LearnerID)
			var l struct {
				UnitID int64
				Track  string
			}
			require.NoError(t, db.Raw("SELECT unit_id, track FROM learners WHERE id = ?", got.LearnerID).Scan(&l).Error)
			require.Equal(t, l.UnitID, got.UnitID)
			require.Equal(t, l.Track, got.Track)
		}

		var daily []credit.Daily
		require.NoError(t, db.Find(&daily).Error)
		require.Len(t, daily, len(wantDaily))
		for _, d := range daily {
			require.Equal(t, wantDaily[dayKey{d.LearnerID, d.Source, d.Day}], d.Amount, "%+v", d)
			if limit := facts.Rules.Cap(d.Source); limit > 0 {
				require.LessOrEqual(t, d.Amount, limit, "%+v over the daily cap", d)
			}
		}

		var progress []study.Progress
		require.NoError(t, db.Find(&progress).Error)
		require.Len(t, progress, len(minutes))
		for _, p := range progress {
			require.Equal(t, minutes[courseKey{p.LearnerID, p.CourseID}]*60, p.VerifiedSeconds, "%+v", p)
		}

		// A bench learner logs in by phone with the demo password and reads their standing.
		tokens, err := a.Accounts.Login(ctx, benchPhone(5), app.DemoPassword)
		require.NoError(t, err)
		actor := auth.Actor{AccountID: tokens.Account.ID, Role: auth.RoleLearner, UnitID: tokens.Account.UnitID, UnitPath: tokens.Account.UnitPath}
		st, err := a.Credits.MyStanding(ctx, actor, campaignID)
		require.NoError(t, err)
		require.Equal(t, want[st.Learner.LearnerID].Total, st.Summary.Total)
		require.GreaterOrEqual(t, st.Rank, int64(1))
	})
}
