package quiz_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/platform/config"
)

type board struct {
	Items []struct {
		Rank       int64  `json:"rank"`
		Name       string `json:"name"`
		Score      int    `json:"score"`
		DurationMs int64  `json:"duration_ms"`
		Me         bool   `json:"me"`
	} `json:"items"`
	Me *struct {
		Rank  int64 `json:"rank"`
		Score int   `json:"score"`
	} `json:"me"`
}

func getBoard(t *testing.T, e *apitest.Env, token, path string) board {
	t.Helper()
	resp := e.Call(http.MethodGet, path, token, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var b board
	resp.JSON(t, &b)
	return b
}

type drawRecord struct {
	Commitment      string  `json:"commitment"`
	Seed            string  `json:"seed"`
	Beacon          string  `json:"beacon"`
	Closed          bool    `json:"closed"`
	Drawn           bool    `json:"drawn"`
	EligibleCount   int     `json:"eligible_count"`
	EligibleDigest  string  `json:"eligible_digest"`
	EligiblePlayIDs []int64 `json:"eligible_play_ids"`
	Recipe          string  `json:"recipe"`
	Prizes          []struct {
		Name  string `json:"name"`
		Stock int    `json:"stock"`
	} `json:"prizes"`
	Winners []struct {
		DrawRank int    `json:"draw_rank"`
		PlayID   int64  `json:"play_id"`
		Ticket   string `json:"ticket"`
		Prize    string `json:"prize"`
		Name     string `json:"name"`
	} `json:"winners"`
}

// A whole round: plays graded by the server clock, keys only after submit, a flagged play held
// back until cleared, boards ordered with ties and masked names, then close, draw and an
// independent recomputation of the draw from what GET /draw publishes.
func TestRoundFromPlayToVerifiedDraw(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newRound(t, e, map[string]any{"prize_threshold": 20, "beacon_name": "开奖日双色球号码"})
		require.Len(t, f.commitment, 64)
		drawnHook := subscribeDrawn(t, e)

		zhang := participant(t, e, "p-zhang", "张小三")
		li := participant(t, e, "p-li", "李四")
		wang := participant(t, e, "p-wang", "王五")
		bot := participant(t, e, "p-bot", "机器人甲")
		learner := e.Token("13800000001")

		cur := e.Call(http.MethodGet, "/api/v1/quiz/rounds/current", zhang, nil)
		require.Equal(t, http.StatusOK, cur.Status)
		assert.Contains(t, string(cur.Body), f.commitment)
		assert.Contains(t, string(cur.Body), `"plays_left":1`)

		// Start: questions but no key, no analysis.
		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/plays", f.roundID), zhang, nil)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		for _, banned := range []string{`"answer"`, `"analysis"`, `"legal_basis"`, `"seed"`} {
			assert.NotContains(t, string(resp.Body), banned)
		}
		var p play
		resp.JSON(t, &p)
		require.Len(t, p.Questions, 5)
		assert.Equal(t, e.Clock.Now().Add(100*time.Second), p.Deadline, "5 questions × 20 s")
		assertNoKeys(t, e, resp.Body, p)

		e.Clock.Advance(30 * time.Second)
		res := submit(e, zhang, p.ID, "", answers(t, e, p, 5))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		r := res.Map(t)
		assert.EqualValues(t, 50, r["score"])
		assert.EqualValues(t, 5, r["correct_count"])
		assert.EqualValues(t, 30000, r["duration_ms"])
		assert.EqualValues(t, 1, r["rank"])
		assert.Equal(t, false, r["flagged"])
		qs := r["questions"].([]any)
		require.Len(t, qs, 5)
		first := qs[0].(map[string]any)
		assert.Equal(t, shownKey(t, e, p.Questions[0]), first["answer"], "the key in this play's letters")
		assert.NotEmpty(t, first["analysis"])

		// Li: same score, same duration, later submit → below Zhang. Wang: fewer right.
		r = playRound(t, e, li, f.roundID, 5, 30*time.Second)
		assert.EqualValues(t, 2, r["rank"])
		r = playRound(t, e, wang, f.roundID, 3, 10*time.Second)
		assert.EqualValues(t, 30, r["score"])
		assert.EqualValues(t, 3, r["rank"])
		r = playRound(t, e, learner, f.roundID, 1, 50*time.Second)
		assert.EqualValues(t, 10, r["score"], "below the prize threshold of 20")

		// A bot answering 5 questions in 2 s is flagged: kept, but off the board.
		r = playRound(t, e, bot, f.roundID, 5, 2*time.Second)
		assert.Equal(t, true, r["flagged"])
		assert.Nil(t, r["rank"])
		b := getBoard(t, e, bot, fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard?limit=10", f.roundID))
		assert.Nil(t, b.Me)
		require.Len(t, b.Items, 4)
		assert.Equal(t, []string{"张*三", "李*", "王*", "张*"}, []string{b.Items[0].Name, b.Items[1].Name, b.Items[2].Name, b.Items[3].Name})

		flags := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/flags", f.roundID), f.admin, nil)
		require.Equal(t, http.StatusOK, flags.Status)
		fl := flags.Map(t)
		require.EqualValues(t, 1, fl["total"])
		botPlay := int64(fl["items"].([]any)[0].(map[string]any)["play_id"].(float64))
		clear := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/plays/%d/clear-flag", botPlay), f.admin, nil)
		require.Equal(t, http.StatusOK, clear.Status, "%s", clear.Body)
		assert.Equal(t, http.StatusConflict, e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/plays/%d/clear-flag", botPlay), f.admin, nil).Status)
		b = getBoard(t, e, bot, fmt.Sprintf("/api/v1/quiz/rounds/%d/leaderboard", f.roundID))
		require.NotNil(t, b.Me)
		assert.EqualValues(t, 1, b.Me.Rank, "50 points in 2 s beats 50 in 30 s once cleared")
		assert.Equal(t, "机**甲", b.Items[0].Name)
		assert.True(t, b.Items[0].Me)

		act := getBoard(t, e, li, fmt.Sprintf("/api/v1/quiz/activities/%d/leaderboard", f.activityID))
		require.NotNil(t, act.Me)
		assert.EqualValues(t, 3, act.Me.Rank)
		assert.Len(t, act.Items, 5)

		// Draw: not before close; close only after the end.
		assert.Equal(t, "quiz.round_not_ended", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", f.roundID), f.admin, nil).ErrorCode())
		e.Clock.Set(f.endsAt)
		assert.Equal(t, "quiz.round_not_closed", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{"beacon": "1 2 3"}).ErrorCode())
		closed := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/close", f.roundID), f.admin, nil)
		require.Equal(t, http.StatusOK, closed.Status, "%s", closed.Body)
		var before drawRecord
		closed.JSON(t, &before)
		assert.Equal(t, 4, before.EligibleCount, "Zhang, Li, Wang and the cleared bot; the learner is below the threshold")
		assert.Empty(t, before.Seed, "the seed stays secret until the draw")
		assert.Equal(t, "quiz.beacon_required", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{}).ErrorCode())

		drawn := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{"beacon": "03 07 12 19 25 31 + 09"})
		require.Equal(t, http.StatusOK, drawn.Status, "%s", drawn.Body)
		assert.Equal(t, "quiz.already_drawn", e.Call(http.MethodPost, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), f.admin, map[string]any{"beacon": "x"}).ErrorCode())

		pub := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/quiz/rounds/%d/draw", f.roundID), "", nil)
		require.Equal(t, http.StatusOK, pub.Status)
		var d drawRecord
		pub.JSON(t, &d)
		assert.Equal(t, before.EligibleDigest, d.EligibleDigest)
		verifyDraw(t, d)
		require.Len(t, d.Winners, 3, "2 + 1 prize units among 4 eligible plays")
		for _, w := range d.Winners {
			assert.Contains(t, w.Name, "*")
		}

		// The draw went to the webhook outbox once, with what recomputing it needs.
		var events []string
		require.NoError(t, e.DB.Table("webhook_events").Where("type = ?", "quiz.round_drawn").Pluck("data", &events).Error)
		require.Len(t, events, 1)
		var drawnEvent map[string]any
		require.NoError(t, json.Unmarshal([]byte(events[0]), &drawnEvent))
		assert.EqualValues(t, f.roundID, drawnEvent["round_id"])
		assert.Equal(t, d.Seed, drawnEvent["seed"])
		assert.Equal(t, f.commitment, drawnEvent["commitment"])
		assert.Equal(t, d.EligibleDigest, drawnEvent["eligible_digest"])
		assert.EqualValues(t, 4, drawnEvent["eligible_count"])
		assert.EqualValues(t, 3, drawnEvent["winners"])
		for {
			n, err := e.App.Dispatcher.DispatchOnce(context.Background())
			require.NoError(t, err)
			if n == 0 {
				break
			}
		}
		assert.EqualValues(t, 1, drawnHook.Load(), "delivered once, as the contract says")
	}, func(c *config.Config) { c.Integration.AllowPrivateWebhooks = true })
}

// subscribeDrawn subscribes a receiver to quiz.round_drawn as the county admin; the receiver
// checks every delivery against the contract (x-webhooks in api/openapi.yaml) and counts them.
func subscribeDrawn(t *testing.T, e *apitest.Env) *atomic.Int32 {
	t.Helper()
	var delivered atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := apitest.CheckWebhook(r.Header, body); err != nil {
			t.Errorf("a delivery does not match the contract: %v", err) // Errorf: not the test's goroutine
		}
		delivered.Add(1)
	}))
	t.Cleanup(receiver.Close)
	resp := e.Call(http.MethodPost, "/api/v1/integration/webhooks", rootAdmin(e),
		map[string]any{"url": receiver.URL, "events": []string{"quiz.round_drawn"}, "description": "开奖同步"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return &delivered
}

// verifyDraw recomputes a draw from its public record alone, without the package's code.
func verifyDraw(t *testing.T, d drawRecord) {
	t.Helper()
	seed, err := hex.DecodeString(d.Seed)
	require.NoError(t, err)
	require.Len(t, seed, 32)
	sum := sha256.Sum256(seed)
	assert.Equal(t, d.Commitment, hex.EncodeToString(sum[:]), "the revealed seed matches the commitment")
	parts := make([]string, len(d.EligiblePlayIDs))
	for i, id := range d.EligiblePlayIDs {
		parts[i] = strconv.FormatInt(id, 10)
	}
	assert.True(t, sort.SliceIsSorted(d.EligiblePlayIDs, func(i, j int) bool { return d.EligiblePlayIDs[i] < d.EligiblePlayIDs[j] }))
	digest := sha256.Sum256([]byte(strings.Join(parts, ",")))
	assert.Equal(t, d.EligibleDigest, hex.EncodeToString(digest[:]))
	key := seed
	if d.Beacon != "" {
		k := sha256.Sum256(append(append([]byte{}, seed...), []byte(d.Beacon)...))
		key = k[:]
	}
	type ticket struct {
		id int64
		t  string
	}
	tickets := make([]ticket, len(d.EligiblePlayIDs))
	for i, id := range d.EligiblePlayIDs {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(strconv.FormatInt(id, 10)))
		tickets[i] = ticket{id, hex.EncodeToString(m.Sum(nil))}
	}
	sort.Slice(tickets, func(i, j int) bool { return tickets[i].t < tickets[j].t })
	var want []string
	i := 0
	for _, p := range d.Prizes {
		for u := 0; u < p.Stock && i < len(tickets); u++ {
			want = append(want, fmt.Sprintf("%d %d %s %s", i+1, tickets[i].id, tickets[i].t, p.Name))
			i++
		}
	}
	var got []string
	for _, w := range d.Winners {
		got = append(got, fmt.Sprintf("%d %d %s %s", w.DrawRank, w.PlayID, w.Ticket, w.Prize))
	}
	assert.Equal(t, want, got, "the published winners are the recomputed ones")
}

// assertNoKeys scans a response served before submit for any served question's key or analysis,
// outside the stems and options it must show (a fill answer like 法治 may sit inside its own
// stem, 依法治国…).
func assertNoKeys(t *testing.T, e *apitest.Env, raw []byte, p play) {
	t.Helper()
	body := withoutShownText(t, raw)
	for _, q := range p.Questions {
		var row struct{ Answer, Analysis string }
		require.NoError(t, e.DB.Table("questions").Select("answer, analysis").Where("id = ?", q.QuestionID).Scan(&row).Error)
		assert.NotContains(t, body, row.Analysis)
		if q.Type == "fill" {
			for _, a := range strings.Split(row.Answer, "|") {
				assert.NotContains(t, body, a)
			}
		}
	}
}

// withoutShownText is a JSON body with every "stem" and "options" value removed.
func withoutShownText(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "stem")
			delete(x, "options")
			for _, c := range x {
				strip(c)
			}
		case []any:
			for _, c := range x {
				strip(c)
			}
		}
	}
	strip(v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return buf.String()
}
