package event_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestEventConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := baseEvent(e, campaign(t, e))
		resp := e.Call(http.MethodPost, "/api/v1/events", admin, body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		e.CheckConditional(apitest.Conditional{
			Path: fmt.Sprintf("/api/v1/events/%d", int64(resp.Map(t)["id"].(float64))), Token: admin, Method: http.MethodPut,
			Edit: func(i int) any {
				edited := maps.Clone(body)
				edited["title"] = fmt.Sprintf("警示教育第%d场", i)
				return edited
			},
			Created: resp.Header.Get("ETag"),
		})
	})
}

// Registrations count places on the event row but are not edits of it: an admin's edit
// prepared before a learner signs up still applies.
func TestEventRegistrationKeepsRevision(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		body := baseEvent(e, campaign(t, e))
		body["capacity"], body["registration_required"] = 10, true
		path := fmt.Sprintf("/api/v1/events/%d", createEvent(t, e, body))
		read := e.Call(http.MethodGet, path, admin, nil)
		tag := read.Header.Get("ETag")
		reg := e.Call(http.MethodPost, path+"/registrations", e.Token("13800000001"), nil)
		require.Equal(t, http.StatusCreated, reg.Status, "%s", reg.Body)
		assert.Equal(t, tag, e.Call(http.MethodGet, path, admin, nil).Header.Get("ETag"))
		body["title"] = "改期后的警示教育"
		edit := e.Do(apitest.Request{Method: http.MethodPut, Path: path, Token: admin, Body: body, Headers: map[string]string{"If-Match": tag}})
		assert.Equal(t, http.StatusOK, edit.Status, "%s", edit.Body)
	})
}
