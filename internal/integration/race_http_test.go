package integration_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

// A doubled rotation leaves both new secrets working (the later one, and the earlier one as the
// previous secret); a rotation racing a disable never brings a previous secret back.
func TestRotateSecretRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		root := e.Token("admin")
		call := func(path string) func() *apitest.Response {
			return func() *apitest.Response { return e.Call(http.MethodPost, path, root, nil) }
		}
		for i := range 8 {
			c := e.CreateClient("huayang", "units:read")
			rotate := fmt.Sprintf("/api/v1/integration/clients/%d/secret", c.ID)
			a, b := apitest.Race(call(rotate), call(rotate))
			require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
			require.Equal(t, http.StatusOK, b.Status, "%s", b.Body)
			for _, r := range []*apitest.Response{a, b} {
				c.Secret = r.Map(t)["client_secret"].(string)
				assert.Equal(t, http.StatusOK, e.RequestToken(c, "").Status, "round %d: a secret handed out by a rotation does not work", i)
			}

			c = e.CreateClient("huayang", "units:read")
			rot, dis := apitest.Race(call(fmt.Sprintf("/api/v1/integration/clients/%d/secret", c.ID)),
				call(fmt.Sprintf("/api/v1/integration/clients/%d/disable", c.ID)))
			assert.Equal(t, http.StatusOK, dis.Status, "%s", dis.Body)
			assert.Contains(t, []int{http.StatusOK, http.StatusConflict}, rot.Status, "%s", rot.Body)
			var prev *string
			require.NoError(t, e.DB.Table("integration_clients").Select("prev_secret_hash").Where("id = ?", c.ID).Scan(&prev).Error)
			assert.Nil(t, prev, "round %d: a rotation restored a previous secret on a disabled client", i)
		}
	})
}

// Writes racing a webhook's deletion answer as if they came before it or after it (404), never
// 500, and a doubled delete deletes once.
func TestWebhookDeleteRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		root := e.Token("admin")
		rcv := newReceiver(t)
		call := func(method, path string, body any) func() *apitest.Response {
			return func() *apitest.Response { return e.Call(method, path, root, body) }
		}
		statuses := func(a, b *apitest.Response) []int { return []int{a.Status, b.Status} }
		for range 8 {
			var hooks [3]int64
			for j := range hooks {
				hooks[j], _ = subscribe(t, e, root, rcv.srv.URL+"/hook", "credit.awarded")
			}
			adjust(t, e, f, "0.5")
			require.Equal(t, len(hooks), dispatch(t, e))
			path := func(j int) string { return fmt.Sprintf("/api/v1/integration/webhooks/%d", hooks[j]) }

			patch, del := apitest.Race(call(http.MethodPatch, path(0), map[string]any{"description": "改"}), call(http.MethodDelete, path(0), nil))
			assert.Equal(t, http.StatusNoContent, del.Status, "%s", del.Body)
			assert.Contains(t, []int{http.StatusOK, http.StatusNotFound}, patch.Status, "%s", patch.Body)

			log := deliveries(t, e, root, hooks[1])
			require.Len(t, log, 1)
			redeliver := fmt.Sprintf("%s/deliveries/%d/redeliver", path(1), int64(log[0]["id"].(float64)))
			red, del := apitest.Race(call(http.MethodPost, redeliver, nil), call(http.MethodDelete, path(1), nil))
			assert.Equal(t, http.StatusNoContent, del.Status, "%s", del.Body)
			assert.Contains(t, []int{http.StatusAccepted, http.StatusNotFound}, red.Status, "%s", red.Body)

			assert.ElementsMatch(t, []int{http.StatusNoContent, http.StatusNotFound},
				statuses(apitest.Race(call(http.MethodDelete, path(2), nil), call(http.MethodDelete, path(2), nil))))
			for j := range hooks {
				assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, path(j), root, nil).Status)
			}
		}
	}, allowPrivate)
}

// A webhook deleted while the dispatcher fans out or sends its deliveries is no error for the
// dispatcher: it stops sending to it and carries on.
func TestDispatchWebhookDeleteRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := seeded(t, e)
		root := e.Token("admin")
		failing := make([]int, 100)
		for j := range failing {
			failing[j] = http.StatusServiceUnavailable // failures write to the webhook's row too
		}
		rcv := newReceiver(t, failing...)
		for i := range 8 {
			id, _ := subscribe(t, e, root, rcv.srv.URL+"/hook", "credit.awarded")
			for range 3 {
				adjust(t, e, f, "0.5")
			}
			var wg sync.WaitGroup
			var err error
			var del *apitest.Response
			wg.Add(2)
			go func() { defer wg.Done(); _, err = e.App.Dispatcher.DispatchOnce(context.Background()) }()
			go func() {
				defer wg.Done()
				del = e.Call(http.MethodDelete, fmt.Sprintf("/api/v1/integration/webhooks/%d", id), root, nil)
			}()
			wg.Wait()
			assert.NoError(t, err, "round %d", i)
			assert.Equal(t, http.StatusNoContent, del.Status, "%s", del.Body)
		}
	}, allowPrivate)
}
