package questionbank_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xuefa/xuefa/internal/apitest"
)

func TestQuestionConditionalWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.Token("huayang-admin")
		bank := newBank(t, e, admin, map[string]any{"name": "华阳镇题库", "subject": "综合"})
		resp := e.Call(http.MethodPost, fmt.Sprintf("/api/v1/question-banks/%d/questions", bank), admin,
			map[string]any{"type": "judge", "stem": "宪法是国家的根本法。", "answer": "对", "status": "draft"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		// A draft, so the check can end by deleting it.
		e.CheckConditional(apitest.Conditional{
			Path: fmt.Sprintf("/api/v1/questions/%d", int64(resp.Map(t)["id"].(float64))), Token: admin, Method: http.MethodPatch,
			Edit:    func(i int) any { return map[string]any{"analysis": fmt.Sprintf("宪法序言，第%d稿。", i)} },
			Delete:  true,
			Created: resp.Header.Get("ETag"),
		})
	})
}
