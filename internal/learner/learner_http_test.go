package learner_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/learner"
)

const (
	phone  = "13912340001"
	idCard = "11010519491231002X"
)

func create(t *testing.T, e *apitest.Env, token string, body map[string]any) *apitest.Response {
	t.Helper()
	return e.Call(http.MethodPost, "/api/v1/learners", token, body)
}

func newLearner(e *apitest.Env, unit string) map[string]any {
	return map[string]any{"name": "赵六", "unit_id": e.UnitID(unit), "track": "judicial", "position": "执法队员", "phone": phone, "id_card": idCard}
}

func TestLearnerLifecycleAndPII(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		resp := create(t, e, admin, newLearner(e, "huayang"))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Map(t)
		id := int64(created["id"].(float64))
		password := created["initial_password"].(string)
		assert.Equal(t, "139****0001", created["phone"])
		assert.Equal(t, "1101**********002X", created["id_card"])
		assertNoPII(t, string(resp.Body))

		var stored struct{ IDCardEnc string }
		require.NoError(t, e.DB.Table("learners").Select("id_card_enc").Where("id = ?", id).Scan(&stored).Error)
		assert.NotContains(t, stored.IDCardEnc, "1101051949", "ID number is encrypted at rest")

		// The learner logs in by phone and must change the password first.
		tokens := e.Login(phone, password)
		assert.Equal(t, "learner", tokens["account"].(map[string]any)["role"])
		assert.Equal(t, true, tokens["account"].(map[string]any)["must_change_password"])

		pii := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners/%d/pii", id), admin, nil)
		require.Equal(t, http.StatusOK, pii.Status)
		assert.Equal(t, map[string]any{"phone": phone, "id_card": idCard}, pii.Map(t))
		assert.Equal(t, "no-store", pii.Header.Get("Cache-Control"))
		var reveals int64
		require.NoError(t, e.DB.Table("audit_logs").Where("action = 'learner.reveal_pii' AND resource_id = ?", fmt.Sprint(id)).Count(&reveals).Error)
		assert.EqualValues(t, 1, reveals, "every reveal is audited")

		updated := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", id), admin, map[string]any{"track": "leader", "name": "赵六一", "phone": "13912340002"})
		require.Equal(t, http.StatusOK, updated.Status, "%s", updated.Body)
		u := updated.Map(t)
		assert.Equal(t, "leader", u["track"])
		assert.Equal(t, "139****0002", u["phone"])
		e.Login("13912340002", password)

		left := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/leave", id), admin, nil)
		require.Equal(t, http.StatusOK, left.Status)
		assert.Equal(t, "left", left.Map(t)["status"])
		login := e.Call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "13912340002", "password": password})
		assert.Equal(t, http.StatusForbidden, login.Status, "a learner who left cannot log in")
		again := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/learners/%d/leave", id), admin, nil)
		assert.Equal(t, "learner.already_left", again.ErrorCode())
	})
}

func assertNoPII(t *testing.T, body string) {
	t.Helper()
	for _, secret := range []string{phone, "13912340002", idCard, "1101051949"} {
		assert.NotContains(t, body, secret)
	}
}

func TestLearnerDuplicatesNameTheField(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		require.Equal(t, http.StatusCreated, create(t, e, admin, newLearner(e, "huayang")).Status)

		samePhone := newLearner(e, "linxi")
		samePhone["id_card"] = learner.CompleteIDCard("34182419900101123")
		resp := create(t, e, admin, samePhone)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "learner.phone_taken", resp.ErrorCode())
		assert.Equal(t, []string{"phone"}, resp.ErrorFields())

		sameID := newLearner(e, "linxi")
		sameID["phone"] = "13912349999"
		resp = create(t, e, admin, sameID)
		assert.Equal(t, http.StatusConflict, resp.Status)
		assert.Equal(t, "learner.id_card_taken", resp.ErrorCode())
		assert.Equal(t, []string{"id_card"}, resp.ErrorFields())

		staffPhone := newLearner(e, "linxi")
		staffPhone["phone"], staffPhone["id_card"] = "13800000001", "" // a seeded learner's phone
		assert.Equal(t, "learner.phone_taken", create(t, e, admin, staffPhone).ErrorCode())

		var accounts int64
		require.NoError(t, e.DB.Table("accounts").Where("role = 'learner'").Count(&accounts).Error)
		assert.EqualValues(t, 13, accounts, "failed creates left no orphan accounts")
	})
}

func TestLearnerValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		cases := []struct {
			name   string
			mutate func(m map[string]any)
			status int
			field  string
		}{
			{"bad checksum", func(m map[string]any) { m["id_card"] = "110105194912310021" }, 422, "id_card"},
			{"impossible birth date", func(m map[string]any) { m["id_card"] = learner.CompleteIDCard("11010519491331002") }, 422, "id_card"},
			{"landline", func(m map[string]any) { m["phone"] = "05637654321" }, 422, "phone"},
			{"one-character name", func(m map[string]any) { m["name"] = "赵" }, 422, "name"},
			{"unknown track", func(m map[string]any) { m["track"] = "expert" }, 422, "track"},
			{"unit outside scope", func(m map[string]any) { m["unit_id"] = 99999 }, 422, "unit_id"},
			{"missing phone", func(m map[string]any) { delete(m, "phone") }, 422, "phone"},
			{"weak password", func(m map[string]any) { m["password"] = "12345678" }, 422, "password"},
		}
		for _, c := range cases {
			body := newLearner(e, "huayang")
			c.mutate(body)
			resp := create(t, e, admin, body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		var n int64
		require.NoError(t, e.DB.Table("learners").Count(&n).Error)
		assert.EqualValues(t, 12, n, "only the seeded learners")
	})
}

// BOLA: an admin of township A cannot read, edit, reveal or retire a learner of township B.
func TestLearnerScoping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		resp := create(t, e, e.Token("linxi-admin"), newLearner(e, "linxi"))
		require.Equal(t, http.StatusCreated, resp.Status)
		id := int64(resp.Map(t)["id"].(float64))
		huayang := e.Token("huayang-admin")
		path := fmt.Sprintf("/api/v1/learners/%d", id)
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, path}, {http.MethodPatch, path}, {http.MethodGet, path + "/pii"}, {http.MethodPost, path + "/leave"},
		} {
			r := e.Call(c.method, c.path, huayang, map[string]any{"name": "被改了"})
			assert.Equal(t, http.StatusNotFound, r.Status, "%s %s", c.method, c.path)
		}
		list := e.Call(http.MethodGet, "/api/v1/learners?page_size=100", huayang, nil).Map(t)
		assert.EqualValues(t, 3, list["total"], "the three seeded 华阳镇 learners")
		other := e.Call(http.MethodGet, fmt.Sprintf("/api/v1/learners?unit_id=%d", e.UnitID("linxi")), huayang, nil)
		assert.Equal(t, http.StatusBadRequest, other.Status)
		assert.Contains(t, other.ErrorFields(), "unit_id")
		var own int64
		require.NoError(t, e.DB.Table("learners").Select("id").Where("name = ?", "张伟").Scan(&own).Error)
		moveAway := e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/learners/%d", own), huayang, map[string]any{"unit_id": e.UnitID("linxi")})
		assert.Equal(t, http.StatusUnprocessableEntity, moveAway.Status, "cannot move an own learner out of the subtree")
		assert.Equal(t, "learner.unit_not_found", moveAway.ErrorCode())
	})
}

func TestLearnerListFilters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("admin")
		for _, c := range []struct {
			query string
			total int
		}{
			{"", 12}, {"track=leader", 3}, {"track=judicial", 3}, {"name=" + "张", 1},
			{fmt.Sprintf("unit_id=%d", e.UnitID("huayang")), 3}, {"status=left", 0},
		} {
			resp := e.Call(http.MethodGet, "/api/v1/learners?page_size=100&"+c.query, admin, nil)
			require.Equal(t, http.StatusOK, resp.Status, c.query)
			m := resp.Map(t)
			assert.EqualValues(t, c.total, m["total"], c.query)
			assert.False(t, strings.Contains(string(resp.Body), "1380000000"), "phones masked in lists")
		}
	})
}
