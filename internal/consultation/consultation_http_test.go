package consultation_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/apitest"
	"github.com/xuefa/xuefa/internal/app"
	"github.com/xuefa/xuefa/internal/platform/auth"
)

const (
	zhangWei = "13800000001" // 张伟, 华阳镇
	liuYang  = "13800000004" // 刘洋, 临溪镇
	question = "单位拖欠工资三个月，劳动者可以向哪些部门投诉？"
)

func countyCampaign(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Table("campaigns").Select("id").Order("id").Limit(1).Scan(&id).Error)
	require.NotZero(t, id)
	return id
}

// provision creates an account of role in the unit and returns its token.
func provision(t *testing.T, e *apitest.Env, username string, role auth.Role, unitID int64) string {
	t.Helper()
	_, err := e.App.Accounts.Provision(context.Background(), account.ProvisionInput{
		Username: username, DisplayName: "微信用户" + username, Role: role, UnitID: unitID, Password: app.DemoPassword,
	})
	require.NoError(t, err)
	return e.Token(username)
}

// townshipCampaign creates and activates a campaign organised by 临溪镇 with its own contact.
func townshipCampaign(t *testing.T, e *apitest.Env, status string) int64 {
	t.Helper()
	admin := e.Token("linxi-admin")
	resp := e.Call(http.MethodPost, "/api/v1/campaigns", admin, map[string]any{
		"unit_id": e.UnitID("linxi"), "name": "临溪镇法治宣传月", "start_date": "2026-11-01", "end_date": "2026-11-30",
		"rules":    map[string]any{"daily_caps": map[string]any{}}, // without it the campaign answers daily_caps: null, against its schema
		"contacts": []map[string]any{{"name": "临溪司法所", "phone": "0563-8160000", "office_hours": "工作日"}},
	})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := int64(resp.Map(t)["id"].(float64))
	if status == "active" {
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, fmt.Sprintf("/api/v1/campaigns/%d", id), admin, map[string]any{"status": "active"}).Status)
	}
	return id
}

func ask(e *apitest.Env, token string, campaignID int64, q string) *apitest.Response {
	return e.Call(http.MethodPost, "/api/v1/consultations", token, map[string]any{"campaign_id": campaignID, "question": q})
}

func items(t *testing.T, r *apitest.Response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	out := []map[string]any{}
	for _, it := range r.Map(t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func count(t *testing.T, e *apitest.Env) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.DB.Table("consultations").Count(&n).Error)
	return n
}

// A learner and a member of the public ask; the county admin answers and edits the answer; the
// askers read the answers with the campaign's contact channels.
func TestAskAnswerAndSee(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		cid := countyCampaign(t, e)
		learner := e.Token(zhangWei)
		public := provision(t, e, "p1", auth.RoleParticipant, e.UnitID("jixi"))

		asked := ask(e, learner, cid, question)
		require.Equal(t, http.StatusCreated, asked.Status, "%s", asked.Body)
		a := asked.Map(t)
		qid := int64(a["id"].(float64))
		assert.Equal(t, "open", a["status"])
		assert.Equal(t, "第九个机关集中学法月", a["campaign_name"])
		require.Len(t, a["contacts"], 1)
		assert.Equal(t, "0563-8151234", a["contacts"].([]any)[0].(map[string]any)["phone"], "the campaign's consultation channel comes with it")
		assert.Contains(t, a, "answer")
		assert.Nil(t, a["answer"], "not answered yet: null")

		fromPublic := ask(e, public, cid, "  邻居装修噪音扰民，可以向哪个部门反映？  ")
		require.Equal(t, http.StatusCreated, fromPublic.Status, "%s", fromPublic.Body)
		assert.Equal(t, "邻居装修噪音扰民，可以向哪个部门反映？", fromPublic.Map(t)["question"], "trimmed")
		publicID := int64(fromPublic.Map(t)["id"].(float64))

		// Only admins covering the organiser (the county) see and answer them.
		county := e.Token("admin")
		open := items(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/consultations?campaign_id=%d&status=open", cid), county, nil))
		require.Len(t, open, 2)
		assert.EqualValues(t, publicID, open[0]["id"], "newest first")
		assert.Equal(t, "participant", open[0]["asker_role"])
		assert.Equal(t, "张伟", open[1]["asker_name"])
		assert.Len(t, items(t, e.Call(http.MethodGet, "/api/v1/consultations?status=answered", county, nil)), 1, "the seeded one")
		assert.Empty(t, items(t, e.Call(http.MethodGet, "/api/v1/consultations", e.Token("huayang-admin"), nil)),
			"a township admin does not answer the county's campaign")
		path := fmt.Sprintf("/api/v1/consultations/%d/answer", qid)
		township := e.Call(http.MethodPost, path, e.Token("huayang-admin"), map[string]any{"answer": "越权答复"})
		assert.Equal(t, http.StatusNotFound, township.Status)
		assert.Equal(t, "consultation.not_found", township.ErrorCode())

		answered := e.Call(http.MethodPost, path, county, map[string]any{"answer": "可以向劳动保障监察机构投诉。"})
		require.Equal(t, http.StatusOK, answered.Status, "%s", answered.Body)
		first := answered.Map(t)
		assert.Equal(t, "answered", first["status"])
		assert.EqualValues(t, e.AccountID("admin"), first["answered_by"])
		assert.NotEmpty(t, first["answered_at"])

		// Another county admin edits the answer: the first answer's admin and time stay.
		e.Clock.Advance(time.Minute)
		editor := provision(t, e, "admin2", auth.RoleAdmin, e.UnitID("jixi"))
		edited := e.Call(http.MethodPost, path, editor, map[string]any{"answer": "可以向劳动保障监察机构投诉，或申请劳动争议仲裁。"})
		require.Equal(t, http.StatusOK, edited.Status, "%s", edited.Body)
		second := edited.Map(t)
		assert.Equal(t, "可以向劳动保障监察机构投诉，或申请劳动争议仲裁。", second["answer"])
		assert.Equal(t, first["answered_by"], second["answered_by"])
		assert.Equal(t, first["answered_at"], second["answered_at"])
		assert.NotEqual(t, first["updated_at"], second["updated_at"])

		var actions []string
		require.NoError(t, e.DB.Table("audit_logs").Where("resource_type = ? AND resource_id = ?", "consultation", fmt.Sprint(qid)).
			Order("id").Pluck("action", &actions).Error)
		assert.Equal(t, []string{"consultation.answer", "consultation.answer_edit"}, actions)

		// Each asker sees their own, with the answer and the contact channels.
		mine := items(t, e.Call(http.MethodGet, "/api/v1/me/consultations", learner, nil))
		require.Len(t, mine, 2, "the seeded question and this one")
		assert.EqualValues(t, qid, mine[0]["id"])
		assert.Equal(t, second["answer"], mine[0]["answer"])
		assert.NotEmpty(t, mine[0]["answered_at"])
		assert.Len(t, mine[0]["contacts"], 1)
		assert.Len(t, items(t, e.Call(http.MethodGet, "/api/v1/me/consultations?status=open", learner, nil)), 0)
		theirs := items(t, e.Call(http.MethodGet, "/api/v1/me/consultations", public, nil))
		require.Len(t, theirs, 1)
		assert.EqualValues(t, publicID, theirs[0]["id"])
		assert.Equal(t, "open", theirs[0]["status"])
		assert.Len(t, theirs[0]["contacts"], 1)
		assert.Empty(t, items(t, e.Call(http.MethodGet, "/api/v1/me/consultations", e.Token(liuYang), nil)))
	})
}

// Learners ask only in campaigns they take part in; the public in any running one; the
// organiser's admins (and those above) answer, nobody else.
func TestConsultationsAcrossUnits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		draft := townshipCampaign(t, e, "draft")
		public := provision(t, e, "p1", auth.RoleParticipant, e.UnitID("jixi"))
		notRunning := ask(e, public, draft, question)
		assert.Equal(t, http.StatusUnprocessableEntity, notRunning.Status)
		assert.Equal(t, "consultation.campaign_not_found", notRunning.ErrorCode())

		cid := townshipCampaign(t, e, "active")
		local := ask(e, e.Token(liuYang), cid, question)
		require.Equal(t, http.StatusCreated, local.Status, "%s", local.Body)
		assert.Equal(t, "临溪司法所", local.Map(t)["contacts"].([]any)[0].(map[string]any)["name"])
		localID := int64(local.Map(t)["id"].(float64))
		other := ask(e, e.Token(zhangWei), cid, question)
		assert.Equal(t, http.StatusUnprocessableEntity, other.Status, "华阳镇's learner does not take part in 临溪镇's campaign")
		assert.Equal(t, []string{"campaign_id"}, other.ErrorFields())
		fromPublic := ask(e, public, cid, question)
		require.Equal(t, http.StatusCreated, fromPublic.Status, "the public may ask in any running campaign")

		linxi := e.Token("linxi-admin")
		assert.Len(t, items(t, e.Call(http.MethodGet, "/api/v1/consultations", linxi, nil)), 2, "the township's own, not the county's")
		assert.Len(t, items(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/consultations?campaign_id=%d", cid), e.Token("admin"), nil)), 2)
		assert.Empty(t, items(t, e.Call(http.MethodGet, fmt.Sprintf("/api/v1/consultations?campaign_id=%d", cid), e.Token("huayang-admin"), nil)))

		path := fmt.Sprintf("/api/v1/consultations/%d/answer", localID)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, path, e.Token("huayang-admin"), map[string]any{"answer": "越权"}).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPost, "/api/v1/consultations/999999/answer", linxi, map[string]any{"answer": "无"}).Status)
		for _, role := range []string{zhangWei, "lecturer-wang", "auditor"} {
			assert.Equal(t, http.StatusForbidden, e.Call(http.MethodPost, path, e.Token(role), map[string]any{"answer": "越权"}).Status, role)
			assert.Equal(t, http.StatusForbidden, e.Call(http.MethodGet, "/api/v1/consultations", e.Token(role), nil).Status, role)
		}
		assert.Equal(t, http.StatusForbidden, ask(e, e.Token("lecturer-wang"), cid, question).Status)
		assert.Equal(t, http.StatusForbidden, ask(e, linxi, cid, question).Status, "admins answer, they do not ask")
		var answer *string
		require.NoError(t, e.DB.Table("consultations").Select("answer").Where("id = ?", localID).Scan(&answer).Error)
		assert.Nil(t, answer, "nothing answered by the refused calls")

		answered := e.Call(http.MethodPost, path, linxi, map[string]any{"answer": "请携带材料到临溪司法所咨询。"})
		require.Equal(t, http.StatusOK, answered.Status, "%s", answered.Body)
		assert.Equal(t, http.StatusOK, e.Call(http.MethodPost, path, e.Token("admin"), map[string]any{"answer": "县司法局补充答复。"}).Status,
			"the county covers the township")
		// The asker's list shows another asker's nothing.
		assert.Len(t, items(t, e.Call(http.MethodGet, "/api/v1/me/consultations", public, nil)), 1)
	})
}

func TestConsultationBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		cid := countyCampaign(t, e)
		learner := e.Token(zhangWei)
		before := count(t, e)
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"too short", map[string]any{"campaign_id": cid, "question": "怎么办？"}, 422, "question"},
			{"short once trimmed", map[string]any{"campaign_id": cid, "question": "          怎么办？      "}, 422, "question"},
			{"too long", map[string]any{"campaign_id": cid, "question": strings.Repeat("问", 2001)}, 422, "question"},
			{"missing question", map[string]any{"campaign_id": cid}, 422, "question"},
			{"missing campaign", map[string]any{"question": question}, 422, "campaign_id"},
			{"unknown campaign", map[string]any{"campaign_id": 999999, "question": question}, 422, "campaign_id"},
			{"campaign as text", map[string]any{"campaign_id": "1", "question": question}, 400, "campaign_id"},
			{"anonymous flag", map[string]any{"campaign_id": cid, "question": question, "anonymous": true}, 400, "anonymous"},
			{"answer smuggled in", map[string]any{"campaign_id": cid, "question": question, "answer": "自问自答"}, 400, "answer"},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPost, "/api/v1/consultations", learner, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		assert.Equal(t, before, count(t, e), "nothing written")

		asked := ask(e, learner, cid, question)
		require.Equal(t, http.StatusCreated, asked.Status)
		path := fmt.Sprintf("/api/v1/consultations/%d/answer", int64(asked.Map(t)["id"].(float64)))
		admin := e.Token("admin")
		for name, body := range map[string]any{
			"missing":  map[string]any{},
			"blank":    map[string]any{"answer": "   "},
			"too long": map[string]any{"answer": strings.Repeat("答", 5001)},
		} {
			resp := e.Call(http.MethodPost, path, admin, body)
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", name, resp.Body)
			assert.Equal(t, []string{"answer"}, resp.ErrorFields(), name)
		}
		var status string
		require.NoError(t, e.DB.Table("consultations").Select("status").Where("id = ?", int64(asked.Map(t)["id"].(float64))).Scan(&status).Error)
		assert.Equal(t, "open", status)
		for query, field := range map[string]string{"?status=closed": "status", "?campaign_id=abc": "campaign_id", "?page_size=0": "page_size"} {
			for _, call := range []struct{ path, token string }{{"/api/v1/consultations", admin}, {"/api/v1/me/consultations", learner}} {
				resp := e.Call(http.MethodGet, call.path+query, call.token, nil)
				assert.Equal(t, http.StatusBadRequest, resp.Status, call.path+query)
				assert.Equal(t, []string{field}, resp.ErrorFields(), call.path+query)
			}
		}
	})
}

// A phone that retries a question with its Idempotency-Key asks it once: the retry, a burst of
// retries at once, and a retry after the campaign stopped all get the first question back; the
// same key from another asker, another key, or none, is a new question.
func TestAskIsSafeToRetryWithAKey(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		campaignID := countyCampaign(t, e)
		learner := e.Token(zhangWei)
		askWith := func(token, key string) *apitest.Response {
			return e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/consultations", Token: token,
				Body: map[string]any{"campaign_id": campaignID, "question": question}, Headers: map[string]string{"Idempotency-Key": key}})
		}
		idOf := func(r *apitest.Response) int64 {
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
			return int64(r.Map(t)["id"].(float64))
		}
		before := count(t, e)

		first := idOf(askWith(learner, "ask-1"))
		assert.Equal(t, first, idOf(askWith(learner, "ask-1")), "a retry is the first question")
		burst := apitest.Crowd(6, func(int) *apitest.Response { return askWith(learner, "ask-2") })
		second := idOf(burst[0])
		for _, r := range burst[1:] {
			assert.Equal(t, second, idOf(r), "retries racing each other ask once")
		}
		assert.NotEqual(t, first, second, "another key is another question")
		assert.NotEqual(t, first, idOf(askWith(e.Token(liuYang), "ask-1")), "a key is the asker's own")
		assert.NotEqual(t, first, idOf(ask(e, learner, campaignID, question)), "no key: a new question")
		assert.Equal(t, before+4, count(t, e))

		e.Clock.Advance(90 * 24 * time.Hour) // past the campaign's last day
		learner = e.Login(zhangWei, app.DemoPassword)["access_token"].(string)
		assert.Equal(t, first, idOf(askWith(learner, "ask-1")), "the campaign stopped since: the first answer still comes back")
		assert.Equal(t, "consultation.campaign_not_found", askWith(learner, "ask-3").ErrorCode(), "a new question in a stopped campaign is refused")

		long := askWith(learner, strings.Repeat("k", 101))
		assert.Equal(t, http.StatusBadRequest, long.Status)
		assert.Equal(t, "request.invalid_header", long.ErrorCode())
	})
}
