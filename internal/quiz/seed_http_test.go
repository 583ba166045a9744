package quiz_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
)

// The demo quiz (seeded by the CLI's seed) is open and playable by the demo participant.
func TestDemoQuizIsPlayable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		require.NoError(t, e.App.SeedQuiz(context.Background(), io.Discard))
		tok := e.Token(app.DemoQuizPlayer)
		var cur struct {
			Items []struct {
				ID        int64  `json:"id"`
				PlaysLeft int    `json:"plays_left"`
				Name      string `json:"activity_name"`
			} `json:"items"`
		}
		e.Call(http.MethodGet, "/api/v1/quiz/rounds/current", tok, nil).JSON(t, &cur)
		require.Len(t, cur.Items, 1)
		assert.Equal(t, 1, cur.Items[0].PlaysLeft, "3 per round, 1 per day")
		r := playRound(t, e, tok, cur.Items[0].ID, 5, 40*time.Second)
		assert.EqualValues(t, 50, r["score"])
		assert.EqualValues(t, 1, r["rank"])
	})
}
