package practice_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/practice"
)

// recordingEarner is a test double for the CreditEarner seam: it records calls and can fail.
// Production wiring passes nil until the credit ledger exists.
type recordingEarner struct {
	calls [][2]int64
	fail  error
}

func (r *recordingEarner) EarnPracticeCredit(_ context.Context, accountID, questionID int64, _ time.Time) error {
	if r.fail != nil {
		return r.fail
	}
	r.calls = append(r.calls, [2]int64{accountID, questionID})
	return nil
}

// The seam is called once per first right answer, inside the answer's transaction: when it
// fails, the answer is not recorded and can be retried.
func TestCreditSeam(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		newLearner(t, e, "learner-a", "huayang")
		var unitPath string
		require.NoError(t, e.DB.Table("units").Select("path").Where("code = ?", "huayang").Scan(&unitPath).Error)
		actor := auth.Actor{AccountID: e.AccountID("learner-a"), Role: auth.RoleLearner, UnitID: e.UnitID("huayang"), UnitPath: unitPath}
		earner := &recordingEarner{}
		svc := practice.NewService(practice.Deps{DB: e.DB, Store: practice.NewStore(e.DB), Questions: e.App.Banks, Credits: earner, Now: e.Clock.Now})
		bank := demoBankID(t, e)
		s, err := svc.Start(ctx, actor, practice.StartInput{BankID: &bank, Mode: practice.ModeSequential, Count: 3})
		require.NoError(t, err)
		ids := []int64{s.Items[0].QuestionID, s.Items[1].QuestionID, s.Items[2].QuestionID}

		_, err = svc.Answer(ctx, actor, s.ID, ids[0], key(t, e, ids[0]))
		require.NoError(t, err)
		_, err = svc.Answer(ctx, actor, s.ID, ids[0], key(t, e, ids[0]))
		require.NoError(t, err, "a replayed answer")
		_, err = svc.Answer(ctx, actor, s.ID, ids[1], "Z的错误答案")
		require.Error(t, err)
		res, err := svc.Answer(ctx, actor, s.ID, ids[1], wrongAnswer(t, e, ids[1]))
		require.NoError(t, err)
		require.False(t, res.Correct)
		assert.Equal(t, [][2]int64{{actor.AccountID, ids[0]}}, earner.calls, "only the first right answer earns")

		earner.fail = errors.New("ledger unavailable")
		_, err = svc.Answer(ctx, actor, s.ID, ids[2], key(t, e, ids[2]))
		require.ErrorIs(t, err, earner.fail)
		var answered int64
		require.NoError(t, e.DB.Table("practice_items").Where("session_id = ? AND question_id = ? AND answered_at IS NOT NULL", s.ID, ids[2]).Count(&answered).Error)
		assert.Zero(t, answered, "the failed award rolled the answer back")
		var attempts int64
		require.NoError(t, e.DB.Table("questions").Select("attempt_count").Where("id = ?", ids[2]).Scan(&attempts).Error)
		assert.Zero(t, attempts)

		earner.fail = nil
		_, err = svc.Answer(ctx, actor, s.ID, ids[2], key(t, e, ids[2]))
		require.NoError(t, err, "the retry succeeds")
		assert.Len(t, earner.calls, 2)
	})
}

func wrongAnswer(t *testing.T, e *apitest.Env, questionID int64) string {
	t.Helper()
	k := key(t, e, questionID)
	switch k {
	case "true":
		return "false"
	case "false":
		return "true"
	case "A":
		return "B"
	default:
		return "A"
	}
}
