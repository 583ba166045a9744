package event_test

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// keyedScan is a scan sent with an Idempotency-Key.
func keyedScan(e *apitest.Env, token string, id int64, code, key string) *apitest.Response {
	return e.Do(apitest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/events/%d/checkins", id), Token: token,
		Body: map[string]any{"token": code}, Headers: map[string]string{"Idempotency-Key": key}})
}

// sameAnswer asserts that a retry got the first answer: same status, same body.
func sameAnswer(t *testing.T, first, retry *apitest.Response, msg string) {
	t.Helper()
	assert.Equal(t, first.Status, retry.Status, msg)
	assert.JSONEq(t, string(first.Body), string(retry.Body), msg)
}

// login is a fresh token: the fake clock outlives access tokens.
func login(e *apitest.Env, username string) string {
	return e.Login(username, "Xuefa@2026")["access_token"].(string)
}

// eventCode is the event's current check-in code, fetched by the admin.
func eventCode(t *testing.T, e *apitest.Env, id int64) string {
	t.Helper()
	resp := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/events/%d/checkin-code", id), login(e, "admin"), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)["token"].(string)
}

func eventCredits(t *testing.T, e *apitest.Env, id int64) (entries int64) {
	t.Helper()
	require.NoError(t, e.DB.Table("credit_ledger").Where("source_id = ?", fmt.Sprintf("event:%d", id)).Count(&entries).Error)
	return entries
}

// A retried scan (same key, same learner, same event) gets the first answer back, for the
// check-in and for the check-out, even once its code has rotated out or the window has closed;
// another key, or none, is a new scan as before.
func TestCheckinRetryWithIdempotencyKey(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := baseEvent(e, campaign(t, e))
		body["credits"] = 2
		id := createEvent(t, e, body)
		learner := e.Token("13800000003")

		inCode := eventCode(t, e, id)
		in := keyedScan(e, learner, id, inCode, "scan-in")
		require.Equal(t, http.StatusOK, in.Status, "%s", in.Body)
		assert.EqualValues(t, 2, in.Map(t)["credits_awarded"])
		sameAnswer(t, in, keyedScan(e, learner, id, inCode, "scan-in"), "a retried check-in")
		assert.Equal(t, "checkin.duplicate", scan(e, learner, id, map[string]any{"token": inCode}).ErrorCode(), "no key: as before")
		assert.Equal(t, "checkin.duplicate", keyedScan(e, learner, id, inCode, "another").ErrorCode(), "another key: as before")

		e.Clock.Advance(2 * time.Minute)
		learner = login(e, "13800000003")
		sameAnswer(t, in, keyedScan(e, learner, id, inCode, "scan-in"), "a retry after its code rotated out")

		other := keyedScan(e, login(e, "13800000005"), id, eventCode(t, e, id), "scan-in")
		require.Equal(t, http.StatusOK, other.Status, "%s", other.Body)
		assert.NotEqual(t, in.Map(t)["attendance"], other.Map(t)["attendance"], "another learner's key is their own")

		e.Clock.Advance(10 * time.Minute)
		learner = login(e, "13800000003")
		outCode := eventCode(t, e, id)
		out := keyedScan(e, learner, id, outCode, "scan-out")
		require.Equal(t, http.StatusOK, out.Status, "%s", out.Body)
		assert.Equal(t, true, out.Map(t)["checked_out"])
		sameAnswer(t, out, keyedScan(e, learner, id, outCode, "scan-out"), "a retried check-out is not 409 already_checked_out")
		sameAnswer(t, in, keyedScan(e, learner, id, outCode, "scan-in"), "the check-in's answer as it was, without the check-out")
		assert.Equal(t, "checkin.already_checked_out", keyedScan(e, learner, id, outCode, "third").ErrorCode())

		e.Clock.Advance(5 * time.Hour)
		sameAnswer(t, out, keyedScan(e, login(e, "13800000003"), id, outCode, "scan-out"), "a retry after the window closed")
		assert.EqualValues(t, 2, eventCredits(t, e, id), "one ledger entry per learner, retries add none")

		long := keyedScan(e, login(e, "13800000003"), id, outCode, strings.Repeat("k", 101))
		assert.Equal(t, http.StatusBadRequest, long.Status)
		assert.Equal(t, "request.invalid_header", long.ErrorCode())
		assert.Equal(t, []string{"Idempotency-Key"}, long.ErrorFields())
	})
}

// When credit comes at check-out (min_minutes), a retried check-in still answers as the
// check-in did (not credited) and a retried check-out with its credits.
func TestCheckinRetryCreditedAtCheckout(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := baseEvent(e, campaign(t, e))
		body["credits"], body["min_minutes"] = 3, 5
		id := createEvent(t, e, body)
		learner := e.Token("13800000003")

		in := keyedScan(e, learner, id, eventCode(t, e, id), "in")
		require.Equal(t, http.StatusOK, in.Status, "%s", in.Body)
		e.Clock.Advance(10 * time.Minute)
		learner = login(e, "13800000003")
		out := keyedScan(e, learner, id, eventCode(t, e, id), "out")
		require.Equal(t, http.StatusOK, out.Status, "%s", out.Body)
		assert.EqualValues(t, 3, out.Map(t)["credits_awarded"])

		inAgain := keyedScan(e, learner, id, eventCode(t, e, id), "in")
		sameAnswer(t, in, inAgain, "the check-in answered before any credit")
		assert.EqualValues(t, 0, inAgain.Map(t)["credits_awarded"])
		assert.Equal(t, false, inAgain.Map(t)["attendance"].(map[string]any)["credited"])
		sameAnswer(t, out, keyedScan(e, learner, id, eventCode(t, e, id), "out"), "the check-out with its credits")
		assert.EqualValues(t, 1, eventCredits(t, e, id))
	})
}

// The same key sent twice at once (a doubled retry) checks in once and both answers are the
// first result; so does a doubled check-out.
func TestCheckinSameKeyRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		body := baseEvent(e, campaign(t, e))
		body["credits"] = 2
		ids := make([]int64, 6)
		for i := range ids {
			ids[i] = createEvent(t, e, maps.Clone(body))
		}
		race := func(id int64, key string) (*apitest.Response, *apitest.Response) {
			learner, code := login(e, "13800000003"), eventCode(t, e, id)
			send := func() *apitest.Response { return keyedScan(e, learner, id, code, key) }
			return apitest.Race(send, send)
		}
		for _, id := range ids {
			a, b := race(id, fmt.Sprintf("in-%d", id))
			require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
			sameAnswer(t, a, b, "both answers are the one check-in's")
			var rows int64
			require.NoError(t, e.DB.Table("event_attendance").Where("event_id = ?", id).Count(&rows).Error)
			assert.EqualValues(t, 1, rows)
			assert.EqualValues(t, 1, eventCredits(t, e, id), "credited once")
		}
		e.Clock.Advance(6 * time.Minute)
		for _, id := range ids {
			a, b := race(id, fmt.Sprintf("out-%d", id))
			require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
			assert.Equal(t, true, a.Map(t)["checked_out"])
			sameAnswer(t, a, b, "both answers are the one check-out's")
		}
	})
}
