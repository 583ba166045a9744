package questionbank_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestCreateQuestionsOfEveryType(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		path := fmt.Sprintf("/api/v1/question-banks/%d/questions", bank)

		tests := []struct {
			body       map[string]any
			wantAnswer string
		}{
			{map[string]any{"type": "single", "stem": "我国的根本制度是（ ）。", "options": []string{"社会主义制度", "人民代表大会制度"}, "answer": "a",
				"analysis": "宪法第一条。", "legal_basis": map[string]any{"law": "中华人民共和国宪法", "article": "第一条", "effective_date": "2018-03-11"}, "tags": []string{"宪法", "宪法"}}, "A"},
			{map[string]any{"type": "multiple", "stem": "下列属于行政处罚的有（ ）。", "options": []string{"警告", "罚款", "记过"}, "answer": "B, A", "difficulty": 4}, "AB"},
			{map[string]any{"type": "judge", "stem": "宪法是国家的根本法。", "answer": "√"}, "true"},
			{map[string]any{"type": "judge", "stem": "部门规章可以设定行政许可。", "answer": "错"}, "false"},
			{map[string]any{"type": "fill", "stem": "十八周岁以上的自然人为____。", "answer": "成年人 | 成年人| 成年自然人", "status": "draft"}, "成年人|成年自然人"},
		}
		for _, tt := range tests {
			resp := e.Call(http.MethodPost, path, admin, tt.body)
			require.Equal(t, http.StatusCreated, resp.Status, "%v: %s", tt.body, resp.Body)
			q := resp.Map(t)
			assert.Equal(t, tt.wantAnswer, q["answer"], "answer is normalised")
			assert.EqualValues(t, 1, q["version"])
		}
		first := e.Call(http.MethodGet, path+"?type=single", admin, nil).Map(t)["items"].([]any)[0].(map[string]any)
		assert.Equal(t, []any{"宪法"}, first["tags"], "tags are deduplicated")
		assert.Equal(t, map[string]any{"law": "中华人民共和国宪法", "article": "第一条", "effective_date": "2018-03-11"}, first["legal_basis"])
		assert.EqualValues(t, 3, first["difficulty"], "difficulty defaults to 3")
	})
}

// Every bad question is a 4xx naming the field, and nothing is written.
func TestQuestionBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		path := fmt.Sprintf("/api/v1/question-banks/%d/questions", bank)
		two := []string{"甲", "乙"}
		cases := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"choice answer not among options", map[string]any{"type": "single", "stem": "题", "options": two, "answer": "C"}, 422, "question.invalid", "answer"},
			{"multiple answer not among options", map[string]any{"type": "multiple", "stem": "题", "options": []string{"甲", "乙", "丙"}, "answer": "AD"}, 422, "question.invalid", "answer"},
			{"single with two answers", map[string]any{"type": "single", "stem": "题", "options": two, "answer": "AB"}, 422, "question.invalid", "answer"},
			{"multiple with one answer", map[string]any{"type": "multiple", "stem": "题", "options": two, "answer": "A"}, 422, "question.invalid", "answer"},
			{"answer not letters", map[string]any{"type": "single", "stem": "题", "options": two, "answer": "甲"}, 422, "question.invalid", "answer"},
			{"judge with options", map[string]any{"type": "judge", "stem": "题", "options": two, "answer": "对"}, 422, "question.invalid", "options"},
			{"judge with a bad answer", map[string]any{"type": "judge", "stem": "题", "answer": "也许"}, 422, "question.invalid", "answer"},
			{"fill without an answer", map[string]any{"type": "fill", "stem": "题"}, 422, "request.validation", "answer"},
			{"fill with only separators", map[string]any{"type": "fill", "stem": "题", "answer": " | "}, 422, "question.invalid", "answer"},
			{"stem over the limit", map[string]any{"type": "judge", "stem": strings.Repeat("长", 2001), "answer": "对"}, 422, "question.invalid", "stem"},
			{"one option", map[string]any{"type": "single", "stem": "题", "options": []string{"甲"}, "answer": "A"}, 422, "question.invalid", "options"},
			{"nine options", map[string]any{"type": "single", "stem": "题", "options": strings.Split("一二三四五六七八九", ""), "answer": "A"}, 422, "question.invalid", "options"},
			{"empty option in the middle", map[string]any{"type": "single", "stem": "题", "options": []string{"甲", "", "丙"}, "answer": "A"}, 422, "question.invalid", "options[1]"},
			{"repeated option", map[string]any{"type": "single", "stem": "题", "options": []string{"甲", " 甲"}, "answer": "A"}, 422, "question.invalid", "options[1]"},
			{"difficulty 6", map[string]any{"type": "judge", "stem": "题", "answer": "对", "difficulty": 6}, 422, "request.validation", "difficulty"},
			{"bad effective date", map[string]any{"type": "judge", "stem": "题", "answer": "对", "legal_basis": map[string]any{"law": "宪法", "effective_date": "2018-13-01"}}, 422, "question.invalid", "legal_basis.effective_date"},
			{"article without law", map[string]any{"type": "judge", "stem": "题", "answer": "对", "legal_basis": map[string]any{"article": "第一条"}}, 422, "question.invalid", "legal_basis.law"},
			{"tag with a comma", map[string]any{"type": "judge", "stem": "题", "answer": "对", "tags": []string{"a,b"}}, 422, "question.invalid", "tags"},
			{"unknown type", map[string]any{"type": "essay", "stem": "题", "answer": "x"}, 422, "request.validation", "type"},
			{"unknown field", map[string]any{"type": "judge", "stem": "题", "answer": "对", "bank_id": 9}, 400, "request.unknown_field", "bank_id"},
		}
		for _, c := range cases {
			resp := e.Call(http.MethodPost, path, admin, c.body)
			assert.Equal(t, c.status, resp.Status, "%s: %s", c.name, resp.Body)
			assert.Equal(t, c.code, resp.ErrorCode(), c.name)
			assert.Contains(t, resp.ErrorFields(), c.field, c.name)
		}
		assert.Zero(t, countQuestions(t, e, bank), "nothing written")
	})
}

func TestDuplicateStemAndSearch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		other := newBank(t, e, admin, map[string]any{"name": "另一个题库", "subject": "综合"})
		path := fmt.Sprintf("/api/v1/question-banks/%d/questions", bank)
		first := e.Call(http.MethodPost, path, admin, map[string]any{"type": "judge", "stem": "宪法是国家的根本法。", "answer": "对", "tags": []string{"宪法"}, "difficulty": 1})
		require.Equal(t, http.StatusCreated, first.Status)
		firstID := idOf(t, first.Map(t))

		dup := e.Call(http.MethodPost, path, admin, map[string]any{"type": "judge", "stem": " 宪法是国家的根本法 ", "answer": "错"})
		assert.Equal(t, http.StatusConflict, dup.Status)
		assert.Equal(t, "question.duplicate_stem", dup.ErrorCode())
		assert.Contains(t, string(dup.Body), fmt.Sprint(firstID), "names the existing question")
		fullWidth := e.Call(http.MethodPost, path, admin, map[string]any{"type": "judge", "stem": "宪法是国家的根本法!", "answer": "错"})
		assert.Equal(t, http.StatusConflict, fullWidth.Status, "punctuation and width do not make a new stem")
		elsewhere := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", other), admin, map[string]any{"type": "judge", "stem": "宪法是国家的根本法。", "answer": "对"})
		assert.Equal(t, http.StatusCreated, elsewhere.Status, "another bank may hold the same stem")

		for _, body := range []map[string]any{
			{"type": "single", "stem": "行政处罚的设定", "options": []string{"法律", "规章"}, "answer": "A", "tags": []string{"行政处罚法"}, "difficulty": 3},
			{"type": "fill", "stem": "民法典施行于____年。", "answer": "2021", "tags": []string{"民法典", "宪法学习"}, "status": "draft"},
		} {
			require.Equal(t, http.StatusCreated, e.Call(http.MethodPost, path, admin, body).Status)
		}
		for query, want := range map[string]int{
			"":                       3,
			"?q=宪法":                  1,
			"?q=%25":                 0,
			"?tag=宪法":                1, // exact tag, not "宪法学习"
			"?type=fill":             1,
			"?difficulty=3":          2, // one set, one by default
			"?status=draft":          1,
			"?status=published&q=行政": 1,
		} {
			resp := e.Call(http.MethodGet, path+query, admin, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s: %s", query, resp.Body)
			assert.EqualValues(t, want, resp.Map(t)["total"], "query %q", query)
		}
		bad := e.Call(http.MethodGet, path+"?difficulty=9", admin, nil)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Equal(t, []string{"difficulty"}, bad.ErrorFields())
	})
}

// Editing a published question makes a new version and keeps the old one; drafts are edited
// in place; status changes alone make no version.
func TestQuestionVersionHistory(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		created := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
			"type": "single", "stem": "行政复议申请期限一般为（ ）日。", "options": []string{"三十", "六十"}, "answer": "B",
		}).Map(t)
		id := idOf(t, created)
		qPath := fmt.Sprintf("/api/v1/questions/%d", id)
		versions := func() []any {
			resp := e.Call(http.MethodGet, qPath+"/versions", admin, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			return resp.Map(t)["items"].([]any)
		}
		require.Len(t, versions(), 1, "a published question has its version 1 at once")

		edited := e.Call(http.MethodPatch, qPath, admin, map[string]any{"options": []string{"三十", "六十", "九十"}, "analysis": "行政复议法第二十条。"})
		require.Equal(t, http.StatusOK, edited.Status, "%s", edited.Body)
		assert.EqualValues(t, 2, edited.Map(t)["version"])
		history := versions()
		require.Len(t, history, 2)
		assert.EqualValues(t, 2, history[0].(map[string]any)["version"], "newest first")
		assert.Len(t, history[1].(map[string]any)["options"], 2, "version 1 is kept as it was")
		assert.Equal(t, "", history[1].(map[string]any)["analysis"])

		same := e.Call(http.MethodPatch, qPath, admin, map[string]any{"analysis": "行政复议法第二十条。"})
		assert.EqualValues(t, 2, same.Map(t)["version"], "no change, no version")
		retired := e.Call(http.MethodPatch, qPath, admin, map[string]any{"status": "retired"})
		assert.EqualValues(t, 2, retired.Map(t)["version"], "a status change alone makes no version")
		assert.Len(t, versions(), 2)
		backToDraft := e.Call(http.MethodPatch, qPath, admin, map[string]any{"status": "draft"})
		assert.Equal(t, http.StatusUnprocessableEntity, backToDraft.Status)
		assert.Equal(t, "question.status_transition", backToDraft.ErrorCode())
		cannotDelete := e.Call(http.MethodDelete, qPath, admin, nil)
		assert.Equal(t, http.StatusConflict, cannotDelete.Status)
		assert.Equal(t, "question.not_draft", cannotDelete.ErrorCode())
		badEdit := e.Call(http.MethodPatch, qPath, admin, map[string]any{"answer": "D"})
		assert.Equal(t, http.StatusUnprocessableEntity, badEdit.Status)
		assert.Equal(t, []string{"answer"}, badEdit.ErrorFields())
		toJudge := e.Call(http.MethodPatch, qPath, admin, map[string]any{"type": "judge", "stem": "行政复议申请期限一般为六十日。", "answer": "对"})
		require.Equal(t, http.StatusOK, toJudge.Status, "%s", toJudge.Body)
		assert.Equal(t, []any{}, toJudge.Map(t)["options"], "a judge question drops the options")
		assert.EqualValues(t, 3, toJudge.Map(t)["version"])

		// A draft is edited in place, without versions, until it is published.
		draft := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
			"type": "judge", "stem": "草稿题。", "answer": "对", "status": "draft",
		}).Map(t)
		dPath := fmt.Sprintf("/api/v1/questions/%d", idOf(t, draft))
		require.Equal(t, http.StatusOK, e.Call(http.MethodPatch, dPath, admin, map[string]any{"stem": "草稿题，改过。"}).Status)
		dv := e.Call(http.MethodGet, dPath+"/versions", admin, nil).Map(t)
		assert.EqualValues(t, 0, dv["total"])
		published := e.Call(http.MethodPatch, dPath, admin, map[string]any{"status": "published"}).Map(t)
		assert.EqualValues(t, 1, published["version"])
		dv = e.Call(http.MethodGet, dPath+"/versions", admin, nil).Map(t)
		require.EqualValues(t, 1, dv["total"])
		assert.Equal(t, "草稿题，改过。", dv["items"].([]any)[0].(map[string]any)["stem"])

		another := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin, map[string]any{
			"type": "judge", "stem": "要删除的草稿。", "answer": "对", "status": "draft",
		}).Map(t)
		aPath := fmt.Sprintf("/api/v1/questions/%d", idOf(t, another))
		dupEdit := e.Call(http.MethodPatch, aPath, admin, map[string]any{"stem": "草稿题，改过"})
		assert.Equal(t, http.StatusConflict, dupEdit.Status)
		assert.Equal(t, "question.duplicate_stem", dupEdit.ErrorCode())
		require.Equal(t, http.StatusNoContent, e.Call(http.MethodDelete, aPath, admin, nil).Status)
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, aPath, admin, nil).Status)

		// Out of scope: another township's admin sees nothing.
		linxi := e.Token("linxi-admin")
		for _, p := range []string{qPath, qPath + "/versions", qPath + "/stats"} {
			assert.Equal(t, http.StatusNotFound, e.Call(http.MethodGet, p, linxi, nil).Status, p)
		}
		assert.Equal(t, http.StatusNotFound, e.Call(http.MethodPatch, qPath, linxi, map[string]any{"status": "published"}).Status)
	})
}
